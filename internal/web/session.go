package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
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
	return w.withSession(h, false, 0)
}

// authedUpload is authed for a form that uploads one file of at most
// maxFile bytes: its body may hold the file and the form's other fields,
// however far that is beyond maxPostBytes. A larger body is refused as too
// large, naming maxFile, before its CSRF token is read.
func (w *Web) authedUpload(h pageFunc, maxFile int64) http.Handler {
	return w.withSession(h, false, maxFile)
}

// stepPage is for the pages of the login steps themselves (two-factor,
// password change): a session is required, its pending step is allowed.
func (w *Web) stepPage(h pageFunc) http.Handler {
	return w.withSession(h, true, 0)
}

func (w *Web) withSession(h pageFunc, duringStep bool, maxFile int64) http.Handler {
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
			if err := readPost(rw, r, maxFile); err != nil {
				w.fail(rw, r, err)
				return
			}
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

const (
	// maxPostBytes bounds a form post, uploads included, unless its route
	// takes a larger file (authedUpload).
	maxPostBytes = 8 << 20
	// uploadRoom is what a multipart form needs beside its file: the
	// other fields, the part headers and boundaries.
	uploadRoom = 1 << 20
	// maxFormMemory is how much of a multipart form is held in memory;
	// the rest of a file goes to a temporary file.
	maxFormMemory = 32 << 20
)

// readPost parses the form of a POST within its bound: maxPostBytes, or,
// for an upload of at most maxFile bytes, the file and uploadRoom. A body
// over the bound is too_large (413), its message naming the file limit of
// an upload; any other fault of the form is left to the CSRF check and the
// handler.
func readPost(rw http.ResponseWriter, r *http.Request, maxFile int64) error {
	limit := int64(maxPostBytes)
	tooLarge := apperr.New(apperr.TooLarge, "body_too_large", "error.body_too_large").With("max", sizeText(maxPostBytes))
	if maxFile > 0 {
		limit = max(limit, maxFile+uploadRoom)
		tooLarge = apperr.New(apperr.TooLarge, "too_large", "error.upload_too_large").With("max", sizeText(maxFile))
	}
	if r.ContentLength > limit {
		return tooLarge
	}
	r.Body = http.MaxBytesReader(rw, r.Body, limit)
	err := r.ParseForm()
	if err == nil {
		if err = r.ParseMultipartForm(maxFormMemory); errors.Is(err, http.ErrNotMultipart) {
			err = nil
		}
	}
	if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
		return tooLarge
	}
	return nil
}

// sizeText writes a byte limit as people read it: "10 MB", "256 KB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

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
