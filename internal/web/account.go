package web

import (
	"bytes"
	"image/png"
	"net/http"
	"net/url"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/web/form"
)

func urlQuery(s string) string { return url.QueryEscape(s) }

// afterStep sends the browser on once a login step is done: to the next
// pending step, or where it was going.
func (w *Web) afterStep(rw http.ResponseWriter, r *http.Request, flash string) error {
	s := sessionFrom(r.Context())
	sess, u, err := w.s.Auth.SessionUser(r.Context(), s.token)
	if err != nil {
		return err
	}
	step, err := w.s.Auth.NextStep(r.Context(), u, sess)
	if err != nil {
		return err
	}
	next := safeNext(r.PostFormValue("next"))
	if step != auth.StepDone {
		redirect(rw, r, stepURL(step)+"?next="+urlQuery(next), flash)
		return nil
	}
	redirect(rw, r, next, flash)
	return nil
}

func (w *Web) logout(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	s := sessionFrom(r.Context())
	if err := w.s.Auth.Logout(r.Context(), a, s.token); err != nil {
		return err
	}
	clearSessionCookie(rw, r)
	redirect(rw, r, "/login", "flash.logged_out")
	return nil
}

type stepData struct {
	Next     string
	Required bool // the step is forced (first login), not chosen
	URL      string
	Secret   string
	Codes    []string
}

func (w *Web) passwordShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	s := sessionFrom(r.Context())
	p := w.page(r, "account")
	p.Bare = s.step != auth.StepDone
	p.Form = form.New(nil)
	p.Data = stepData{Next: safeNext(r.URL.Query().Get("next")), Required: s.step == auth.StepChangePassword}
	w.render(rw, r, "password", p)
	return nil
}

func (w *Web) passwordSubmit(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	s := sessionFrom(r.Context())
	if s.step != auth.StepDone && s.step != auth.StepChangePassword {
		http.Redirect(rw, r, stepURL(s.step), http.StatusSeeOther)
		return nil
	}
	cur, next, confirm := r.PostFormValue("current_password"), r.PostFormValue("password"), r.PostFormValue("password_confirm")
	var err error
	if next != confirm {
		err = apperr.Field("password_confirm", "mismatch", "error.password_mismatch")
	} else {
		err = w.s.Auth.ChangePassword(r.Context(), a, s.token, cur, next)
	}
	if err != nil {
		p := w.page(r, "account")
		p.Bare = s.step != auth.StepDone
		p.Form = form.New(nil)
		p.Status = p.Form.Fail(p.P, err)
		p.Data = stepData{Next: safeNext(r.PostFormValue("next")), Required: s.step == auth.StepChangePassword}
		w.render(rw, r, "password", p)
		return nil
	}
	return w.afterStep(rw, r, "flash.password_changed")
}

func (w *Web) totpEnrolShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	p := w.page(r, "account")
	p.Bare = sessionFrom(r.Context()).step != auth.StepDone
	return w.renderEnrol(rw, r, a, p)
}

func (w *Web) renderEnrol(rw http.ResponseWriter, r *http.Request, a access.Actor, p *Page) error {
	u := sessionFrom(r.Context()).user
	if u.TOTPEnabled {
		redirect(rw, r, "/", "flash.totp_already")
		return nil
	}
	keyURL, err := w.s.Auth.BeginTOTP(r.Context(), a, p.Brand.Name)
	if err != nil {
		return err
	}
	key, err := auth.TOTPKey(keyURL)
	if err != nil {
		return apperr.Wrap(err, "web: totp key")
	}
	if p.Form == nil {
		p.Form = form.New(nil)
	}
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostFormValue("next")
	}
	p.Data = stepData{Next: safeNext(next), Secret: key.Secret(), Required: sessionFrom(r.Context()).step == auth.StepTOTPEnrol}
	w.render(rw, r, "totp_enrol", p)
	return nil
}

func (w *Web) totpQR(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	p := w.page(r, "")
	keyURL, err := w.s.Auth.BeginTOTP(r.Context(), a, p.Brand.Name)
	if err != nil {
		return err
	}
	key, err := auth.TOTPKey(keyURL)
	if err != nil {
		return apperr.Wrap(err, "web: totp key")
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return apperr.Wrap(err, "web: totp qr")
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return apperr.Wrap(err, "web: totp qr")
	}
	rw.Header().Set("Content-Type", "image/png")
	rw.Header().Set("Cache-Control", "no-store")
	rw.Write(buf.Bytes())
	return nil
}

func (w *Web) totpEnrolSubmit(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	s := sessionFrom(r.Context())
	codes, err := w.s.Auth.ConfirmTOTP(r.Context(), a, s.token, r.PostFormValue("totp_code"))
	p := w.page(r, "account")
	p.Bare = s.step != auth.StepDone
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			p.Form = form.New(nil)
			p.Status = p.Form.Fail(p.P, err)
			return w.renderEnrol(rw, r, a, p)
		}
		return err
	}
	// Recovery codes are shown once, on this response only.
	p.Bare = true
	p.Data = stepData{Next: safeNext(r.PostFormValue("next")), Codes: codes}
	w.render(rw, r, "totp_codes", p)
	return nil
}

func (w *Web) totpShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	p := w.page(r, "account")
	p.Bare = true
	p.Form = form.New(nil)
	p.Data = stepData{Next: safeNext(r.URL.Query().Get("next"))}
	w.render(rw, r, "totp", p)
	return nil
}

func (w *Web) totpSubmit(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	s := sessionFrom(r.Context())
	var err error
	if code := r.PostFormValue("recovery_code"); code != "" {
		err = w.s.Auth.VerifyRecovery(r.Context(), a, s.token, code)
	} else {
		err = w.s.Auth.VerifyTOTP(r.Context(), a, s.token, r.PostFormValue("totp_code"))
	}
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			p := w.page(r, "account")
			p.Bare = true
			p.Form = form.New(nil)
			p.Status = p.Form.Fail(p.P, err)
			p.Data = stepData{Next: safeNext(r.PostFormValue("next"))}
			w.render(rw, r, "totp", p)
			return nil
		}
		return err
	}
	return w.afterStep(rw, r, "")
}
