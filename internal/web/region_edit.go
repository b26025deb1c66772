package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/web/form"
)

type regionFormData struct {
	Editing bool
	Levels  []org.Level
	// Parents are the candidate parents: the level above the chosen level,
	// or cities and districts while no level is chosen.
	Parents []org.Region
	// Fixed is the stored region when editing: code, level and parent are
	// shown, not edited.
	Fixed  org.Region
	Parent *org.Region
}

// regionForm renders the create form, or the edit form of fixed.
func (w *Web) regionForm(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int, fixed *org.Region) error {
	ctx := r.Context()
	d := regionFormData{Levels: org.Levels}
	if fixed != nil {
		d.Editing, d.Fixed = true, *fixed
		if fixed.ParentCode != "" {
			parent, err := w.s.Org.Region(ctx, a, fixed.ParentCode)
			if err != nil {
				return err
			}
			d.Parent = &parent
		}
	} else {
		levels := []org.Level{org.LevelCity, org.LevelDistrict}
		if l := org.Level(f.Text("level")); l.Valid() {
			levels = nil
			if above := l.Above(); above != "" {
				levels = []org.Level{above}
			}
		}
		var err error
		if d.Parents, err = w.regionsOf(r, a, levels...); err != nil {
			return err
		}
	}
	p := w.page(r, "regions")
	p.Form = f
	p.Status = status
	p.Data = d
	w.render(rw, r, "region_form", p)
	return nil
}

func (w *Web) regionNew(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(nil)
	f.Values.Set("level", r.URL.Query().Get("level"))
	f.Values.Set("parent_code", r.URL.Query().Get("parent_code"))
	return w.regionForm(rw, r, a, f, 0, nil)
}

func (w *Web) regionCreate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	reg, err := w.s.Org.CreateRegion(r.Context(), a, f.Region())
	if err == nil {
		redirect(rw, r, "/regions/"+reg.Code, "flash.region_created")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.regionForm(rw, r, a, f, status, nil)
}

func (w *Web) regionEdit(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	reg, err := w.s.Org.Region(r.Context(), a, r.PathValue("code"))
	if err != nil {
		return err
	}
	return w.regionForm(rw, r, a, form.FromRegion(reg), 0, &reg)
}

func (w *Web) regionUpdate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	ctx := r.Context()
	code := r.PathValue("code")
	f := form.New(r.PostForm)
	_, err := w.s.Org.UpdateRegion(ctx, a, code, f.RegionPatch())
	if err == nil {
		redirect(rw, r, "/regions/"+code, "flash.saved")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) || apperr.Is(err, apperr.NotFound) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	stored, err := w.s.Org.Region(ctx, a, code)
	if err != nil {
		return err
	}
	f.Values.Set("code", stored.Code)
	return w.regionForm(rw, r, a, f, status, &stored)
}
