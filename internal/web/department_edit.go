package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/web/form"
)

type departmentFormData struct {
	Editing    bool
	Code       string
	Categories []string
}

// departmentForm renders the create or edit form.
func (w *Web) departmentForm(rw http.ResponseWriter, r *http.Request, f *form.Form, status int, editing bool) {
	p := w.page(r, "departments")
	p.Form = f
	p.Status = status
	p.Data = departmentFormData{Editing: editing, Code: r.PathValue("code"), Categories: org.Categories}
	w.render(rw, r, "department_form", p)
}

func (w *Web) departmentNew(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	w.departmentForm(rw, r, form.New(nil), 0, false)
	return nil
}

func (w *Web) departmentCreate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	d, err := w.s.Org.CreateDepartment(r.Context(), a, f.Department())
	if err == nil {
		redirect(rw, r, "/departments/"+d.Code, "flash.department_created")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	w.departmentForm(rw, r, f, status, false)
	return nil
}

func (w *Web) departmentEdit(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	d, err := w.s.Org.Department(r.Context(), a, r.PathValue("code"))
	if err != nil {
		return err
	}
	w.departmentForm(rw, r, form.FromDepartment(d), 0, true)
	return nil
}

func (w *Web) departmentUpdate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	code := r.PathValue("code")
	f := form.New(r.PostForm)
	_, err := w.s.Org.UpdateDepartment(r.Context(), a, code, f.DepartmentPatch())
	if err == nil {
		redirect(rw, r, "/departments/"+code, "flash.saved")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) || apperr.Is(err, apperr.NotFound) {
		return err
	}
	f.Values.Set("code", code)
	status := f.Fail(w.page(r, "").P, err)
	w.departmentForm(rw, r, f, status, true)
	return nil
}
