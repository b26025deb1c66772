// Package open311 serves the Open311 GeoReport v2 standard at /open311/v2
// over Qifu's tickets (API.md "Open311 GeoReport v2"), in XML (which the
// standard requires) and JSON, chosen by the extension of each resource.
//
// What Qifu decides where the standard leaves room:
//
//   - Services are the ticket categories; each is of type realtime with
//     metadata, and its definition declares two attributes, both required:
//     uscc, the enterprise's unified social credit code, and region_code,
//     the 6-digit district or 9-digit street division code where the
//     enterprise is. A ticket is routed by region_code exactly like
//     POST /api/v1/tickets (street platform, else district, else city; a
//     rule or department first where one applies). lat/long and
//     address_string satisfy the standard's location rule and are kept with
//     the ticket for its handlers, but Qifu has no geocoder: without
//     attribute[region_code] a request is refused with 400 naming it.
//     address_id alone is not a location here (Qifu has no address
//     repository).
//   - POST needs api_key, an API token (no Authorization header); the
//     ticket is created as that token's user would create it through the
//     API, on channel "api". The answer carries the service_request_id at
//     once, a service_notice with the ticket number and its due time, and
//     an empty account_id. Tokens are therefore never issued:
//     tokens/{token} answers 404 with the standard error.
//   - GET requests and GET requests/{id} need no key. Without one they show
//     every ticket but no personal data: no contact, and the description
//     and the public reply only where the ticket is marked public (other
//     tickets show their workflow status in status_notes). With a valid
//     api_key the caller's own scope applies, as in GET /api/v1/tickets,
//     and what the caller may read is shown in full.
//   - jurisdiction_id may be omitted; when given it must be the code of a
//     root city region (e.g. 370200), or the answer is 404.
//   - Errors are the standard's list of {code, description}, code being the
//     HTTP status: 400 bad or missing parameters, 403 a missing or invalid
//     api_key or a caller outside its scope, 404 an unknown resource,
//     service code, request, token or jurisdiction; 405 a wrong method and
//     500 a failure of Qifu itself.
package open311

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"log/slog"
	"net/http"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/ticket"
)

// Prefix is where the standard is served.
const Prefix = "/open311/v2/"

// Specification names GeoReport v2 in the discovery document.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// Changeset is when the services or their definitions last changed; clients
// refresh cached definitions when it moves.
const Changeset = "2026-11-26T00:00:00+08:00"

// MaxBody bounds a POSTed form.
const MaxBody = 1 << 20

// Services are the domain services the handler calls.
type Services struct {
	Org    *org.Service
	Auth   *auth.Service
	Audit  *audit.Service
	Ticket *ticket.Service
	Clock  clock.Clock
	Log    *slog.Logger
}

// Handler serves /open311/v2.
type Handler struct {
	s Services
}

// New builds the handler.
func New(s Services) *Handler { return &Handler{s: s} }

// Mount registers the routes on mux.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+Prefix+"{resource}", h.getTop)
	mux.HandleFunc("POST "+Prefix+"{resource}", h.postTop)
	mux.HandleFunc("GET "+Prefix+"services/{file}", h.serve(h.serviceDefinition))
	mux.HandleFunc("GET "+Prefix+"requests/{file}", h.serve(h.request))
	mux.HandleFunc("GET "+Prefix+"tokens/{file}", h.serve(h.token))
	mux.HandleFunc(Prefix, h.other)
}

// format is the answer's representation, from the resource's extension.
type format string

const (
	formatXML  format = "xml"
	formatJSON format = "json"
)

// splitFormat cuts "services.json" into "services" and json; ok is false
// for an extension the standard does not define here.
func splitFormat(file string) (string, format, bool) {
	i := strings.LastIndexByte(file, '.')
	if i <= 0 {
		return file, formatXML, false
	}
	switch f := format(file[i+1:]); f {
	case formatXML, formatJSON:
		return file[:i], f, true
	}
	return file[:i], formatXML, false
}

// answer is what a resource handler returns: a status and the JSON and XML
// shapes of one body, or errors.
type answer struct {
	status int
	json   any
	xml    any
}

// resourceFunc answers a resource; it sets *c when it resolves a key, so a
// denial is audited under the caller.
type resourceFunc func(r *http.Request, name string, c *caller) (answer, error)

// serve runs a resource handler for a file "NAME.FORMAT" in the path.
func (h *Handler) serve(fn resourceFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, f, ok := splitFormat(r.PathValue("file"))
		if !ok {
			h.fail(w, r, f, access.Actor{}, notFound(r, "open311.error.no_resource"))
			return
		}
		h.run(w, r, f, name, fn)
	}
}

// run parses the parameters (query, and a POSTed form), checks
// jurisdiction_id, and answers with fn.
func (h *Handler) run(w http.ResponseWriter, r *http.Request, f format, name string, fn resourceFunc) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, f, access.Actor{}, badRequest(r, "open311.error.form"))
		return
	}
	if err := h.checkJurisdiction(r, r.Form.Get("jurisdiction_id")); err != nil {
		h.fail(w, r, f, access.Actor{}, err)
		return
	}
	var c caller
	a, err := fn(r, name, &c)
	if err != nil {
		h.fail(w, r, f, c.actor, err)
		return
	}
	h.write(w, f, a.status, a.json, a.xml)
}

func parseForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(MaxBody)
	}
	return r.ParseForm()
}

func (h *Handler) getTop(w http.ResponseWriter, r *http.Request) {
	name, f, ok := splitFormat(r.PathValue("resource"))
	switch {
	case !ok:
		h.fail(w, r, f, access.Actor{}, notFound(r, "open311.error.no_resource"))
	case name == "discovery":
		h.run(w, r, f, name, h.discovery)
	case name == "services":
		h.run(w, r, f, name, h.services)
	case name == "requests":
		h.run(w, r, f, name, h.requests)
	default:
		h.fail(w, r, f, access.Actor{}, notFound(r, "open311.error.no_resource"))
	}
}

func (h *Handler) postTop(w http.ResponseWriter, r *http.Request) {
	name, f, ok := splitFormat(r.PathValue("resource"))
	switch {
	case ok && name == "requests":
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		h.run(w, r, f, name, h.create)
	case ok && (name == "discovery" || name == "services"):
		h.methodNotAllowed(w, r, f, "GET, HEAD")
	default:
		h.fail(w, r, f, access.Actor{}, notFound(r, "open311.error.no_resource"))
	}
}

// other answers what no route takes: a known resource with another method
// (405), anything else 404.
func (h *Handler) other(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, Prefix)
	dir, file, nested := strings.Cut(rest, "/")
	if !nested {
		file, dir = dir, ""
	}
	name, f, ok := splitFormat(file)
	known := ok && !strings.Contains(file, "/") && ((dir == "" && (name == "discovery" || name == "services" || name == "requests")) ||
		(dir == "services" || dir == "requests" || dir == "tokens"))
	if !known {
		h.fail(w, r, f, access.Actor{}, notFound(r, "open311.error.no_resource"))
		return
	}
	allow := "GET, HEAD"
	if dir == "" && name == "requests" {
		allow = "GET, HEAD, POST"
	}
	h.methodNotAllowed(w, r, f, allow)
}

func (h *Handler) methodNotAllowed(w http.ResponseWriter, r *http.Request, f format, allow string) {
	w.Header().Set("Allow", allow)
	p := httpx.Printer(r.Context())
	h.writeErrors(w, f, http.StatusMethodNotAllowed, []Error{{Code: http.StatusMethodNotAllowed,
		Description: p.T("open311.error.method", "method", r.Method)}})
}

// ---- writing ----

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

func (h *Handler) write(w http.ResponseWriter, f format, status int, jsonBody, xmlBody any) {
	var buf bytes.Buffer
	var err error
	if f == formatJSON {
		err = json.NewEncoder(&buf).Encode(jsonBody)
	} else {
		buf.WriteString(xmlHeader)
		err = xml.NewEncoder(&buf).Encode(xmlBody)
		buf.WriteByte('\n')
	}
	if err != nil {
		h.s.Log.Error("open311: encode", "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		if f == formatJSON {
			buf.WriteString(`[{"code":500,"description":"encode"}]`)
		} else {
			buf.WriteString(xmlHeader + "<errors><error><code>500</code><description>encode</description></error></errors>")
		}
	}
	httpx.NoStore(w)
	if f == formatJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (h *Handler) writeErrors(w http.ResponseWriter, f format, status int, errs []Error) {
	h.write(w, f, status, errs, errorsXML{Errors: errs})
}

// ---- errors ----

// failure is an answer made of the standard's errors, all with one HTTP
// status.
type failure struct {
	status int
	errs   []Error
}

func (e *failure) Error() string {
	var b strings.Builder
	for _, x := range e.errs {
		b.WriteString(x.Description)
		b.WriteString("; ")
	}
	return "open311: " + b.String()
}

func fail(status int, descriptions ...string) *failure {
	f := &failure{status: status}
	for _, d := range descriptions {
		f.errs = append(f.errs, Error{Code: status, Description: d})
	}
	return f
}

func notFound(r *http.Request, key string, kv ...any) *failure {
	return fail(http.StatusNotFound, httpx.Printer(r.Context()).T(key, kv...))
}

func badRequest(r *http.Request, key string, kv ...any) *failure {
	return fail(http.StatusBadRequest, httpx.Printer(r.Context()).T(key, kv...))
}

// fieldParams names the Open311 parameter behind a field of a ticket
// intake, so an error says what the client sent.
var fieldParams = map[string]string{
	"region_code":     "attribute[region_code]",
	"enterprise_uscc": "attribute[uscc]",
	"enterprise_name": "attribute[uscc]",
	"category":        "service_code",
	"title":           "description",
	"content":         "description",
	"contact_name":    "first_name",
	"contact_phone":   "phone",
}

// fromAppErr turns an application error into the standard's errors.
func fromAppErr(r *http.Request, e *apperr.Error) *failure {
	p := httpx.Printer(r.Context())
	msg := httpx.Message(p, e)
	if param, ok := fieldParams[e.Field]; ok {
		msg = param + ": " + msg
	} else if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	status := http.StatusBadRequest
	switch e.Kind {
	case apperr.Forbidden, apperr.Unauthorized:
		status = http.StatusForbidden
	case apperr.NotFound:
		status = http.StatusNotFound
	case apperr.Internal:
		status = http.StatusInternalServerError
	}
	return fail(status, msg)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, f format, a access.Actor, err error) {
	fl, ok := err.(*failure)
	if !ok {
		e := apperr.As(err)
		switch e.Kind {
		case apperr.Internal:
			h.s.Log.Error("open311", "err", e.Err, "request_id", httpx.RequestID(r.Context()), "path", r.URL.Path)
		case apperr.Forbidden:
			if err := h.s.Audit.Denied(context.WithoutCancel(r.Context()), a, "open311."+r.Method, "path", r.URL.Path); err != nil {
				h.s.Log.Error("audit denial", "err", err, "request_id", httpx.RequestID(r.Context()))
			}
		}
		fl = fromAppErr(r, e)
	}
	h.writeErrors(w, f, fl.status, fl.errs)
}

// ---- callers ----

// caller is who asks: a token's user, or anyone.
type caller struct {
	actor access.Actor
	keyed bool
}

// publicReader reads for callers without a key: read-only and unbounded,
// and what it reads is cut down to the public view before it leaves.
var publicReader = access.Actor{Username: "open311", Role: access.Auditor, System: true}

// callerOf resolves api_key (query or form): none is an anonymous caller,
// a bad one 403.
func (h *Handler) callerOf(r *http.Request) (caller, error) {
	key := strings.TrimSpace(r.Form.Get("api_key"))
	if key == "" {
		return caller{actor: publicReader}, nil
	}
	u, err := h.s.Auth.TokenUser(r.Context(), key)
	if apperr.Is(err, apperr.Unauthorized) {
		return caller{}, fail(http.StatusForbidden, httpx.Printer(r.Context()).T("open311.error.api_key_invalid"))
	}
	if err != nil {
		return caller{}, err
	}
	a := u.Actor()
	a.IP, a.RequestID = httpx.ClientIP(r.Context()), httpx.RequestID(r.Context())
	return caller{actor: a, keyed: true}, nil
}

// checkJurisdiction accepts no jurisdiction_id, or the code of a root city
// region; any other is 404.
func (h *Handler) checkJurisdiction(r *http.Request, id string) error {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil
	}
	cities, _, err := h.s.Org.Regions(r.Context(), publicReader, org.RegionFilter{Level: org.LevelCity, Limit: 100})
	if err != nil {
		return err
	}
	for _, c := range cities {
		if c.ParentCode == "" && c.Code == id {
			return nil
		}
	}
	return notFound(r, "open311.error.jurisdiction", "id", id)
}

func printer(r *http.Request) *locale.Printer { return httpx.Printer(r.Context()) }
