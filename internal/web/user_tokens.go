package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/web/form"
)

// tokenCreate issues an API token for the user and shows its secret on
// this response only: the database keeps its hash, so it can never be
// shown again.
func (w *Web) tokenCreate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	secret, t, err := w.s.Auth.CreateToken(r.Context(), a, r.PathValue("username"), f.Text("name"))
	if err == nil {
		return w.userPage(rw, r, a, nil, 0, func(d *userViewData) { d.NewToken, d.NewTokenName = secret, t.Name })
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) || apperr.Is(err, apperr.NotFound) {
		return err
	}
	status := failOnUserPage(w.page(r, "").P, f, err)
	return w.userPage(rw, r, a, f, status, nil)
}

func (w *Web) tokenRevoke(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	username := r.PathValue("username")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundOf("object.token", r.PathValue("id"))
	}
	if err := w.s.Auth.RevokeToken(r.Context(), a, username, id); err != nil {
		return err
	}
	redirect(rw, r, "/users/"+url.PathEscape(username), "flash.token_revoked")
	return nil
}
