package web

import (
	"net/http"
	"net/url"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/web/form"
)

// The account actions of the user page. Each is a small POST form; the
// domain (auth.Service.UpdateUser) checks the role, ends the user's
// sessions where the action calls for it, and audits the change.

func (w *Web) userDisable(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	yes := true
	return w.updateUser(rw, r, a, func(*form.Form) auth.UserPatch { return auth.UserPatch{Disabled: &yes} }, "flash.user_disabled")
}

func (w *Web) userEnable(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	no := false
	return w.updateUser(rw, r, a, func(*form.Form) auth.UserPatch { return auth.UserPatch{Disabled: &no} }, "flash.user_enabled")
}

func (w *Web) userUnlock(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	return w.updateUser(rw, r, a, func(*form.Form) auth.UserPatch { return auth.UserPatch{Unlock: true} }, "flash.user_unlocked")
}

// userResetPassword sets a new initial password typed by the admin; the
// user must change it at the next login.
func (w *Web) userResetPassword(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	return w.updateUser(rw, r, a, func(f *form.Form) auth.UserPatch {
		pw := f.NewPassword()
		return auth.UserPatch{Password: &pw}
	}, "flash.password_reset")
}

// userResetTOTP removes the user's two-factor device (lost phone); the user
// enrols again at the next login when two-factor is required.
func (w *Web) userResetTOTP(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	return w.updateUser(rw, r, a, func(*form.Form) auth.UserPatch { return auth.UserPatch{ResetTOTP: true} }, "flash.totp_reset")
}

func (w *Web) updateUser(rw http.ResponseWriter, r *http.Request, a access.Actor, patch func(*form.Form) auth.UserPatch, flash string) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	u, err := w.s.Auth.UpdateUser(r.Context(), a, r.PathValue("username"), patch(f))
	if err == nil {
		redirect(rw, r, "/users/"+url.PathEscape(u.Username), flash)
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) || apperr.Is(err, apperr.NotFound) {
		return err
	}
	status := failOnUserPage(w.page(r, "").P, f, err)
	return w.userPage(rw, r, a, f, status, nil)
}

// userPageFields are the inputs of the user page's forms; an error on any
// other field is shown as the page's general message.
var userPageFields = map[string]bool{"password": true, "name": true, "disabled": true}

func failOnUserPage(p *locale.Printer, f *form.Form, err error) int {
	status := f.Fail(p, err)
	for name, msg := range f.Errors {
		if !userPageFields[name] {
			delete(f.Errors, name)
			f.General = msg
		}
	}
	return status
}
