package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/httpx"
)

const (
	sessionCookie = "qifu_session"
	preCSRFCookie = "qifu_csrf"
	maxFormBytes  = 1 << 20
)

type sessionKey struct{}

// sessionInfo is the logged-in browser behind a request.
type sessionInfo struct {
	token   string
	session auth.Session
	user    auth.User
	actor   access.Actor
	step    auth.Step
}

func sessionFrom(ctx context.Context) *sessionInfo {
	s, _ := ctx.Value(sessionKey{}).(*sessionInfo)
	return s
}

// pageFunc handles a page for a logged-in actor; an error renders the
// error page (403, 404, 500) or, for 401, sends the browser to log in.
type pageFunc func(rw http.ResponseWriter, r *http.Request, a access.Actor) error

// authed requires a session that has finished its login steps, checks the
// CSRF token of every POST, and runs h.
func (w *Web) authed(h pageFunc) http.Handler {
	return w.withSession(h, false)
}

// stepPage is for the pages of the login steps themselves (two-factor,
// password change): a session is required, its pending step is allowed.
func (w *Web) stepPage(h pageFunc) http.Handler {
	return w.withSession(h, true)
}

func (w *Web) withSession(h pageFunc, duringStep bool) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := r.Cookie(sessionCookie)
		token := ""
		if err == nil {
			token = c.Value
		}
		sess, u, err := w.s.Auth.SessionUser(ctx, token)
		if err != nil {
			if apperr.Is(err, apperr.Unauthorized) {
				clearSessionCookie(rw, r)
			}
			w.fail(rw, r, err)
			return
		}
		step, err := w.s.Auth.NextStep(ctx, u, sess)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		actor := u.Actor()
		actor.IP, actor.RequestID = httpx.ClientIP(ctx), httpx.RequestID(ctx)
		info := &sessionInfo{token: token, session: sess, user: u, actor: actor, step: step}
		r = r.WithContext(context.WithValue(ctx, sessionKey{}, info))
		if step != auth.StepDone && !duringStep {
			http.Redirect(rw, r, stepURL(step), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(rw, r.Body, maxUploadBytes)
			if !validCSRF(r, sess.CSRFToken) {
				w.fail(rw, r, apperr.New(apperr.Forbidden, "csrf", "error.csrf"))
				return
			}
		}
		if err := h(rw, r, actor); err != nil {
			w.fail(rw, r, err)
		}
	})
}

// maxUploadBytes bounds a form post, uploads included.
const maxUploadBytes = 8 << 20

func stepURL(s auth.Step) string {
	switch s {
	case auth.StepTOTPEnrol:
		return "/account/2fa/enrol"
	case auth.StepTOTP:
		return "/account/2fa"
	case auth.StepChangePassword:
		return "/account/password"
	}
	return "/"
}

func validCSRF(r *http.Request, want string) bool {
	got := r.PostFormValue("_csrf")
	if got == "" {
		got = r.Header.Get("X-CSRF-Token")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// preCSRF returns the double-submit token for forms shown before login,
// setting its cookie when missing.
func preCSRF(rw http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(preCSRFCookie); err == nil && len(c.Value) >= 20 {
		return c.Value
	}
	b := make([]byte, 18)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(rw, &http.Cookie{Name: preCSRFCookie, Value: v, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	return v
}

func validPreCSRF(r *http.Request) bool {
	c, err := r.Cookie(preCSRFCookie)
	return err == nil && validCSRF(r, c.Value)
}

func setSessionCookie(rw http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(rw, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

func clearSessionCookie(rw http.ResponseWriter, r *http.Request) {
	http.SetCookie(rw, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
