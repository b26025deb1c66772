package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/web/form"
)

type platformFormData struct {
	Editing   bool
	Code      string
	Tiers     []org.Tier
	Regions   []org.Region
	Platforms []org.Platform
}

// platformForm renders the create or edit form with its choices.
func (w *Web) platformForm(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int, editing bool) error {
	regions, err := w.allRegions(r, a)
	if err != nil {
		return err
	}
	// Every platform is offered as a parent, so saving an edit can never
	// drop a parent that a shorter list would have missed.
	platforms, err := w.allPlatforms(r, a)
	if err != nil {
		return err
	}
	p := w.page(r, "platforms")
	p.Form = f
	p.Status = status
	p.Data = platformFormData{Editing: editing, Code: r.PathValue("code"), Tiers: org.Tiers, Regions: regions, Platforms: platforms}
	w.render(rw, r, "platform_form", p)
	return nil
}

func (w *Web) platformNew(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(nil)
	f.Values.Set("tier", r.URL.Query().Get("tier"))
	f.Values.Set("region_code", r.URL.Query().Get("region_code"))
	return w.platformForm(rw, r, a, f, 0, false)
}

func (w *Web) platformCreate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	in, err := f.Platform()
	if err == nil {
		var pl org.Platform
		if pl, err = w.s.Org.CreatePlatform(r.Context(), a, in); err == nil {
			redirect(rw, r, "/platforms/"+pl.Code, "flash.platform_created")
			return nil
		}
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.platformForm(rw, r, a, f, status, false)
}

func (w *Web) platformEdit(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	pl, err := w.s.Org.Platform(r.Context(), a, r.PathValue("code"))
	if err != nil {
		return err
	}
	return w.platformForm(rw, r, a, form.FromPlatform(pl), 0, true)
}

func (w *Web) platformUpdate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	code := r.PathValue("code")
	f := form.New(r.PostForm)
	patch, err := f.PlatformPatch()
	if err == nil {
		if _, err = w.s.Org.UpdatePlatform(r.Context(), a, code, patch); err == nil {
			redirect(rw, r, "/platforms/"+code, "flash.saved")
			return nil
		}
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) || apperr.Is(err, apperr.NotFound) {
		return err
	}
	f.Values.Set("code", code)
	status := f.Fail(w.page(r, "").P, err)
	return w.platformForm(rw, r, a, f, status, true)
}
