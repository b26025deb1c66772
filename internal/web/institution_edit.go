package web

import (
	"net/http"
	"slices"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/web/form"
)

type institutionFormData struct {
	Editing   bool
	Code      string
	Kinds     []string
	Platforms []org.Platform
}

// institutionForm renders the create or edit form with its choices.
func (w *Web) institutionForm(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int, editing bool) error {
	platforms, err := w.visiblePlatforms(r, a)
	if err != nil {
		return err
	}
	// Keep the current platform selectable even beyond the first page, so
	// saving the form never detaches the institution by accident.
	code := f.Text("platform_code")
	if code != "" && !slices.ContainsFunc(platforms, func(p org.Platform) bool { return p.Code == code }) {
		pl, err := w.platformIfVisible(r, a, code)
		if err != nil {
			return err
		}
		if pl != nil {
			platforms = append(platforms, *pl)
		}
	}
	p := w.page(r, "institutions")
	p.Form = f
	p.Status = status
	p.Data = institutionFormData{Editing: editing, Code: r.PathValue("code"), Kinds: org.InstitutionKinds, Platforms: platforms}
	w.render(rw, r, "institution_form", p)
	return nil
}

func (w *Web) institutionNew(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(nil)
	f.Values.Set("kind", r.URL.Query().Get("kind"))
	f.Values.Set("platform_code", r.URL.Query().Get("platform_code"))
	return w.institutionForm(rw, r, a, f, 0, false)
}

func (w *Web) institutionCreate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	in, err := w.s.Org.CreateInstitution(r.Context(), a, f.Institution())
	if err == nil {
		redirect(rw, r, "/institutions/"+in.Code, "flash.institution_created")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.institutionForm(rw, r, a, f, status, false)
}

func (w *Web) institutionEdit(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	in, err := w.s.Org.Institution(r.Context(), a, r.PathValue("code"))
	if err != nil {
		return err
	}
	return w.institutionForm(rw, r, a, form.FromInstitution(in), 0, true)
}

func (w *Web) institutionUpdate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	code := r.PathValue("code")
	f := form.New(r.PostForm)
	_, err := w.s.Org.UpdateInstitution(r.Context(), a, code, f.InstitutionPatch())
	if err == nil {
		redirect(rw, r, "/institutions/"+code, "flash.saved")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) || apperr.Is(err, apperr.NotFound) {
		return err
	}
	f.Values.Set("code", code)
	status := f.Fail(w.page(r, "").P, err)
	return w.institutionForm(rw, r, a, f, status, true)
}
