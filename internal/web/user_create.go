package web

import (
	"net/http"
	"net/url"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/web/form"
)

type userFormData struct {
	Roles []access.Role
}

func (w *Web) userForm(rw http.ResponseWriter, r *http.Request, f *form.Form, status int) error {
	p := w.page(r, "users")
	p.Form = f
	p.Status = status
	p.Data = userFormData{Roles: access.Roles}
	w.render(rw, r, "user_form", p)
	return nil
}

func (w *Web) userNew(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(nil)
	f.Values.Set("role", r.URL.Query().Get("role"))
	f.Values.Set("org_code", r.URL.Query().Get("org_code"))
	return w.userForm(rw, r, f, 0)
}

// userCreate creates an account with the initial password the admin typed.
// The admin hands that password to someone else, so it must be changed at
// first login.
func (w *Web) userCreate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	in := f.NewUser()
	in.MustChange = true
	u, err := w.s.Auth.CreateUser(r.Context(), a, in)
	if err == nil {
		redirect(rw, r, "/users/"+url.PathEscape(u.Username), "flash.user_created")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.userForm(rw, r, f, status)
}
