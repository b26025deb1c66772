// Package httpx holds what the JSON API and the pages share at the HTTP edge:
// request ids, logging, panic recovery, security headers, the client IP,
// metrics, the caller's language, and the mapping of application errors to
// HTTP statuses.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/locale"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyClientIP
	keyLang
)

// RequestID returns the request's id ("" outside a request).
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(keyRequestID).(string)
	return s
}

// ClientIP returns the caller's address as decided by the Edge middleware.
func ClientIP(ctx context.Context) string {
	s, _ := ctx.Value(keyClientIP).(string)
	return s
}

// Lang returns the request's language.
func Lang(ctx context.Context) locale.Lang {
	if l, ok := ctx.Value(keyLang).(locale.Lang); ok {
		return l
	}
	return locale.ZH
}

// Printer returns the catalog printer of the request's language.
func Printer(ctx context.Context) *locale.Printer { return locale.NewPrinter(Lang(ctx)) }

// LangCookie is the cookie that keeps a chosen language.
const LangCookie = "qifu_lang"

// Options configure the edge middleware.
type Options struct {
	Logger *slog.Logger
	// TrustProxy makes X-Forwarded-For's last hop the client IP (set only
	// behind a reverse proxy that sets it).
	TrustProxy bool
	Metrics    *Metrics
}

// Edge wraps the whole server: request id, client IP, language, security
// headers, panic recovery, access log and metrics.
func Edge(o Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		ctx := context.WithValue(r.Context(), keyRequestID, id)
		ctx = context.WithValue(ctx, keyClientIP, clientIP(r, o.TrustProxy))
		ctx = context.WithValue(ctx, keyLang, requestLang(r))
		r = r.WithContext(ctx)
		w.Header().Set("X-Request-ID", id)
		setSecurityHeaders(w.Header())
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				o.Logger.Error("panic", "request_id", id, "panic", v, "stack", string(debug.Stack()))
				if !rec.wrote {
					http.Error(rec, "internal error", http.StatusInternalServerError)
				}
			}
			d := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if o.Metrics != nil {
				o.Metrics.observe(r.Method, route, rec.status, d)
			}
			level := slog.LevelInfo
			if rec.status >= 500 {
				level = slog.LevelError
			}
			o.Logger.Log(r.Context(), level, "http", "request_id", id, "method", r.Method, "path", r.URL.Path,
				"route", route, "status", rec.status, "ms", float64(d.Microseconds())/1000, "ip", ClientIP(ctx))
		}()
		next.ServeHTTP(rec, r)
	})
}

// CSP forbids inline script and anything not from this server.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// NoStore marks a response private and uncacheable (every page behind login).
func NoStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

func clientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// requestLang: ?lang= wins, then the language cookie, then Accept-Language.
func requestLang(r *http.Request) locale.Lang {
	if l, ok := locale.Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie(LangCookie); err == nil {
		if l, ok := locale.Parse(c.Value); ok {
			return l
		}
	}
	return locale.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Status maps an error kind to its HTTP status.
func Status(k apperr.Kind) int {
	switch k {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.BadRequest:
		return http.StatusBadRequest
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// Message renders an error's human message in the printer's language, with
// the field label and parameters filled in. Internal causes are never shown.
func Message(p *locale.Printer, e *apperr.Error) string {
	if e.Kind == apperr.Internal {
		return p.T("error.internal")
	}
	params := map[string]any{"field": p.Field(e.Field)}
	for k, v := range e.Params {
		switch x := v.(type) {
		case time.Time:
			params[k] = x.In(Location).Format("2006-01-02 15:04")
		case locale.Key:
		default:
			params[k] = v
		}
	}
	// A translated parameter (a reason, an object's name) may itself use
	// the other parameters.
	for k, v := range e.Params {
		if x, ok := v.(locale.Key); ok {
			params[k] = p.TMap(string(x), params)
		}
	}
	key := e.Key
	if key == "" {
		key = "error." + string(e.Kind)
	}
	return p.TMap(key, params)
}

// Location is the time zone people read times in (China Standard Time).
var Location = time.FixedZone("CST", 8*3600)

// Metrics are the Prometheus collectors of the HTTP edge.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the HTTP metrics (and Go runtime metrics).
func NewMetrics(reg *prometheus.Registry) *Metrics {
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "qifu_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "qifu_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, statusClass(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

func statusClass(s int) string {
	switch {
	case s < 200:
		return "1xx"
	case s < 300:
		return "2xx"
	case s < 400:
		return "3xx"
	case s < 500:
		return itoa3(s)
	}
	return "5xx"
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}
