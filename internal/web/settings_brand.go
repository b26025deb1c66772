package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/web/form"
)

type brandData struct {
	Brand   org.Brand
	HasLogo bool
	MaxLogo string
}

// brandPage renders the network brand (五统一), with its forms for admins.
// f is the form as typed and rejected (nil: the stored brand).
func (w *Web) brandPage(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int) error {
	if !a.ReadsAudit() {
		return apperr.Deny()
	}
	b, err := w.s.Org.Brand(r.Context())
	if err != nil {
		return err
	}
	if f == nil {
		f = form.FromBrand(b)
	}
	p := w.page(r, "settings")
	p.Form = f
	p.Status = status
	p.Data = brandData{Brand: b, HasLogo: b.LogoSHA != "", MaxLogo: "256 KB"}
	w.render(rw, r, "settings_brand", p)
	return nil
}

func (w *Web) brandShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	return w.brandPage(rw, r, a, nil, 0)
}

func (w *Web) brandUpdate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	f := form.New(r.PostForm)
	_, err := w.s.Org.UpdateBrand(r.Context(), a, f.Brand())
	if err == nil {
		redirect(rw, r, "/settings/brand", "flash.brand_saved")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.brandPage(rw, r, a, f, status)
}

// brandLogoUpload stores an uploaded PNG or JPEG as the network logo. The
// session middleware has already bounded the body and checked the CSRF
// token (form field or X-CSRF-Token header).
func (w *Web) brandLogoUpload(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	data, err := readUpload(r, "logo", org.MaxLogoBytes)
	if err == nil {
		_, err = w.s.Org.SetLogo(r.Context(), a, data)
	}
	if err == nil {
		redirect(rw, r, "/settings/brand", "flash.logo_saved")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	b, berr := w.s.Org.Brand(r.Context())
	if berr != nil {
		return berr
	}
	f := form.FromBrand(b)
	status := f.Fail(w.page(r, "").P, err)
	return w.brandPage(rw, r, a, f, status)
}

// readUpload reads one uploaded file of a multipart form, reading at most
// one byte more than max so that the domain can refuse a file too large.
func readUpload(r *http.Request, field string, max int) ([]byte, error) {
	file, _, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, apperr.Required(field)
	}
	if err != nil {
		return nil, apperr.Field(field, "invalid", "error.invalid")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, int64(max)+1))
	if err != nil {
		return nil, apperr.Wrap(err, "web: read upload")
	}
	return data, nil
}
