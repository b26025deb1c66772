// Package api serves the public JSON contract of API.md under /api/v1:
// bearer-token authentication, the error body, cursor pagination and
// Idempotency-Key. Handlers only translate HTTP to domain calls; role and
// scope are enforced by the domain services.
package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/calendar"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/notify"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/stats"
	"github.com/qifu/qifu/internal/ticket"
)

// MaxBody bounds a JSON request body.
const MaxBody = 1 << 20

// IdempotencyRecord is a stored answer to a POST with an Idempotency-Key.
type IdempotencyRecord struct {
	Method, Path, BodyHash string
	Status                 int // 0 while the first request is still running
	Response               []byte
}

// IdempotencyStore keeps the answers to keyed POSTs.
type IdempotencyStore interface {
	// ReserveIdempotency stores a placeholder for the key, or returns the
	// existing record when the key was used before.
	ReserveIdempotency(ctx context.Context, userID int64, key string, rec IdempotencyRecord, at time.Time) (*IdempotencyRecord, error)
	CompleteIdempotency(ctx context.Context, userID int64, key string, status int, body []byte) error
	ReleaseIdempotency(ctx context.Context, userID int64, key string) error
}

// Services are the domain services the API calls.
type Services struct {
	Org        *org.Service
	Auth       *auth.Service
	Audit      *audit.Service
	Enterprise *enterprise.Service
	Ticket     *ticket.Service
	Record     *record.Service
	Stats      *stats.Service
	Calendar   *calendar.Service
	Idem       IdempotencyStore
	Notify     *notify.Service
	Clock      clock.Clock
	Log        *slog.Logger
}

// API is the /api/v1 handler set.
type API struct {
	s      Services
	routes []Route
}

// Route is one registered API route; the OpenAPI test checks each is
// described.
type Route struct {
	Method  string
	Pattern string // path pattern as in ServeMux, without the method
	Public  bool
	MaxBody int64 // 0 means MaxBody
	fn      handlerFunc
}

// handlerFunc answers a request for an authenticated actor with a status
// and a JSON body, or an error.
type handlerFunc func(r *http.Request, a access.Actor) (int, any, error)

// New builds the API.
func New(s Services) *API {
	a := &API{s: s}
	a.register()
	return a
}

// Routes lists the registered routes.
func (a *API) Routes() []Route { return a.routes }

func (a *API) add(method, pattern string, fn handlerFunc) {
	a.routes = append(a.routes, Route{Method: method, Pattern: pattern, fn: fn})
}

func (a *API) addPublic(method, pattern string, fn handlerFunc) {
	a.routes = append(a.routes, Route{Method: method, Pattern: pattern, Public: true, fn: fn})
}

// Mount registers every route on mux, plus a JSON 404 for unknown API paths.
func (a *API) Mount(mux *http.ServeMux) {
	for _, rt := range a.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, a.wrap(rt))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, access.Actor{}, apperr.New(apperr.NotFound, "not_found", "error.no_route"))
	})
}

func (a *API) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.NoStore(w)
		actor := access.Actor{IP: httpx.ClientIP(r.Context()), RequestID: httpx.RequestID(r.Context())}
		if !rt.Public {
			u, err := a.authenticate(r)
			if err != nil {
				a.writeError(w, r, actor, err)
				return
			}
			actor = u.Actor()
			actor.IP, actor.RequestID = httpx.ClientIP(r.Context()), httpx.RequestID(r.Context())
		}
		if r.Body != nil {
			limit := int64(MaxBody)
			if rt.MaxBody > 0 {
				limit = rt.MaxBody
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if key := r.Header.Get("Idempotency-Key"); key != "" && r.Method == http.MethodPost && actor.UserID != 0 {
			a.idempotent(w, r, actor, key, rt.fn)
			return
		}
		status, body, err := rt.fn(r, actor)
		if d, ok := body.(download); ok && err == nil {
			d.write(w)
			return
		}
		var buf []byte
		if err == nil {
			buf, err = encode(body)
		}
		if err != nil {
			a.writeError(w, r, actor, err)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		w.Write(buf)
	})
}

func (a *API) authenticate(r *http.Request) (auth.User, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return auth.User{}, apperr.New(apperr.Unauthorized, "unauthorized", "error.token_required")
	}
	return a.s.Auth.TokenUser(r.Context(), strings.TrimSpace(token))
}

// idempotent runs fn once per (user, key): a repeat with the same method,
// path and body gets the first answer; a different request with the same
// key gets 409.
func (a *API) idempotent(w http.ResponseWriter, r *http.Request, actor access.Actor, key string, fn handlerFunc) {
	if len(key) > 200 {
		a.writeError(w, r, actor, apperr.Field("Idempotency-Key", "invalid", "error.idempotency_key"))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		a.writeError(w, r, actor, bodyErr(err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	rec := IdempotencyRecord{Method: r.Method, Path: r.URL.Path, BodyHash: hex.EncodeToString(sum[:])}
	prev, err := a.s.Idem.ReserveIdempotency(r.Context(), actor.UserID, key, rec, a.s.Clock.Now())
	if err != nil {
		a.writeError(w, r, actor, err)
		return
	}
	if prev != nil {
		switch {
		case prev.Method != rec.Method || prev.Path != rec.Path || prev.BodyHash != rec.BodyHash:
			a.writeError(w, r, actor, apperr.New(apperr.Conflict, "idempotency_key_reused", "error.idempotency_key_reused"))
		case prev.Status == 0:
			a.writeError(w, r, actor, apperr.New(apperr.Conflict, "idempotency_in_progress", "error.idempotency_in_progress"))
		default:
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(prev.Status)
			w.Write(prev.Response)
		}
		return
	}
	// A panic must not leave the key reserved forever: release it, then
	// let the edge recover.
	completed := false
	defer func() {
		if !completed {
			a.release(context.WithoutCancel(r.Context()), actor, key)
		}
	}()
	status, out, err := fn(r, actor)
	var buf []byte
	if err == nil {
		buf, err = encode(out)
	}
	if err != nil {
		e := apperr.As(err)
		status = httpx.Status(e.Kind)
		buf = a.errorBody(r, e)
		a.logAndAudit(r, actor, e)
	}
	// A server error is not remembered: the client may retry it.
	ctx := context.WithoutCancel(r.Context())
	completed = true
	if status >= 500 {
		a.release(ctx, actor, key)
	} else if err := a.s.Idem.CompleteIdempotency(ctx, actor.UserID, key, status, redactSecrets(out, buf)); err != nil {
		a.s.Log.Error("idempotency complete", "err", err, "request_id", actor.RequestID)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf)
}

func (a *API) release(ctx context.Context, actor access.Actor, key string) {
	if err := a.s.Idem.ReleaseIdempotency(ctx, actor.UserID, key); err != nil {
		a.s.Log.Error("idempotency release", "err", err, "request_id", actor.RequestID)
	}
}

// secretBearer is a response that carries a secret shown once (a new API
// token); its stored replay has the secret removed.
type secretBearer interface{ withoutSecret() any }

// redactSecrets is the body kept for replays: a secret is never stored,
// so a replayed token creation answers without the token.
func redactSecrets(out any, buf []byte) []byte {
	if s, ok := out.(secretBearer); ok {
		return marshal(s.withoutSecret())
	}
	return buf
}

// download is an answer that is a file, not JSON.
type download struct {
	Name, ContentType string
	Data              []byte
}

func (d download) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", d.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+extValue(d.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(d.Data)))
	w.Write(d.Data)
}

// extValue percent-encodes a file name for filename* (RFC 5987): every
// byte but the attr-chars, so "@", "=", ":" and spaces cannot break the
// header's syntax.
func extValue(name string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(`{"error":{"code":"internal","message":"encode"}}`)
	}
	return append(b, '\n')
}

// encode is an answer's body. A value JSON cannot hold (NaN, an infinity)
// is a server error, never a success status with an error body.
func encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, apperr.Wrap(err, "api: encode answer")
	}
	return append(b, '\n'), nil
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (a *API) errorBody(r *http.Request, e *apperr.Error) []byte {
	return marshal(errorBody{Error: errorDetail{Code: e.ErrorCode(), Message: httpx.Message(httpx.Printer(r.Context()), e), Field: e.Field}})
}

func (a *API) writeError(w http.ResponseWriter, r *http.Request, actor access.Actor, err error) {
	e := apperr.As(err)
	a.logAndAudit(r, actor, e)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if e.Kind == apperr.Unauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="qifu"`)
	}
	w.WriteHeader(httpx.Status(e.Kind))
	w.Write(a.errorBody(r, e))
}

// logAndAudit logs internal errors and audits permission denials.
func (a *API) logAndAudit(r *http.Request, actor access.Actor, e *apperr.Error) {
	switch e.Kind {
	case apperr.Internal:
		a.s.Log.Error("api", "err", e.Err, "request_id", actor.RequestID, "path", r.URL.Path)
	case apperr.Forbidden:
		if err := a.s.Audit.Denied(context.WithoutCancel(r.Context()), actor, "api."+r.Method, "path", r.URL.Path); err != nil {
			a.s.Log.Error("audit denial", "err", err, "request_id", actor.RequestID)
		}
	}
}

// decode reads a JSON body into v. Malformed JSON is 400; a value of the
// wrong type is 422 naming the field; an oversized body is 413.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		return bodyErr(err)
	}
	// Anything but white space after the value is malformed; dec.More
	// would let a stray "}" or "]" through.
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return bodyErr(err)
		}
		return apperr.New(apperr.BadRequest, "malformed_json", "error.malformed_json")
	}
	return nil
}

func bodyErr(err error) error {
	var mbe *http.MaxBytesError
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return apperr.New(apperr.TooLarge, "body_too_large", "error.body_too_large").With("max", sizeText(mbe.Limit))
	case errors.As(err, &ute) && ute.Field != "":
		return apperr.Field(ute.Field, "invalid_type", "error.invalid_type")
	case errors.As(err, &ute):
		return &apperr.Error{Kind: apperr.BadRequest, Code: "malformed_json", Key: "error.json_object", Err: err}
	}
	return &apperr.Error{Kind: apperr.BadRequest, Code: "malformed_json", Key: "error.malformed_json", Err: err}
}

// sizeText writes a byte limit for a message: "1 MiB", "11 MiB", "512 KiB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

func printerOf(r *http.Request) *locale.Printer { return httpx.Printer(r.Context()) }

// list is the paginated list body of API.md.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func newList[T any](items []T, next string) list[T] {
	if items == nil {
		items = []T{}
	}
	l := list[T]{Items: items}
	if next != "" {
		c := encodeCursor(next)
		l.NextCursor = &c
	}
	return l
}

func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("k:" + key))
}

// paging reads limit and cursor from the query. Errors name the parameter.
func paging(r *http.Request) (limit int, after string, err error) {
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return 0, "", apperr.Field("limit", "invalid", "error.limit")
		}
		limit = n
	}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || !strings.HasPrefix(string(b), "k:") {
			return 0, "", apperr.Field("cursor", "invalid", "error.cursor")
		}
		after = string(b[2:])
	}
	return limit, after, nil
}
