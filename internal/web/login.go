package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/web/form"
)

type loginData struct {
	Next string
}

func (w *Web) loginShow(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "")
	p.Bare = true
	p.CSRF = preCSRF(rw, r)
	p.Form = form.New(nil)
	p.Data = loginData{Next: safeNext(r.URL.Query().Get("next"))}
	w.render(rw, r, "login", p)
}

func (w *Web) loginSubmit(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, maxFormBytes)
	p := w.page(r, "")
	p.Bare = true
	if err := r.ParseForm(); err != nil || !validPreCSRF(r) {
		w.fail(rw, r, apperr.New(apperr.Forbidden, "csrf", "error.csrf"))
		return
	}
	f := form.New(r.PostForm)
	f.Values.Del("password")
	next := safeNext(r.PostFormValue("next"))
	ctx := r.Context()
	login, err := w.s.Auth.Login(ctx, r.PostFormValue("username"), r.PostFormValue("password"), httpx.ClientIP(ctx), r.UserAgent())
	if err != nil {
		p.CSRF = preCSRF(rw, r)
		p.Form = f
		p.Status = f.Fail(p.P, err)
		p.Data = loginData{Next: next}
		w.render(rw, r, "login", p)
		return
	}
	setSessionCookie(rw, r, login.Token)
	step, err := w.s.Auth.NextStep(ctx, login.User, login.Session)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if step != "" {
		http.Redirect(rw, r, stepURL(step)+"?next="+urlQuery(next), http.StatusSeeOther)
		return
	}
	http.Redirect(rw, r, next, http.StatusSeeOther)
}
