package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/web/form"
)

type recordFormData struct {
	// Platforms the viewer may record services for.
	Platforms []org.Platform
	Kinds     []string
	Areas     []string
	Today     string
	// Saved is the record just saved, shown above the next entry.
	Saved *recordRow
	// Enterprise is the enterprise whose code is on the form, when found.
	Enterprise *enterprise.Enterprise
	// Hits answer a search typed without JavaScript.
	Hits     []enterpriseRow
	Searched bool
}

// recordPlatforms are the platforms the actor may record for: every one
// for the city admin, its own and those below it for platform staff.
func (w *Web) recordPlatforms(r *http.Request, a access.Actor) ([]org.Platform, error) {
	if a.Platforms().None() {
		return nil, nil
	}
	return w.allPlatforms(r, a)
}

// recordNew draws the form that records a service. It is made for entering
// many in a row: after a save it comes back with the platform, kind, area
// and date kept and the cursor in the enterprise search.
func (w *Web) recordNew(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !record.MayRecord(a) {
		return apperr.Deny()
	}
	q := r.URL.Query()
	f := form.New(nil)
	for _, k := range []string{"platform_code", "kind", "service_area", "date"} {
		if v := q.Get(k); v != "" {
			f.Values.Set(k, v)
		}
	}
	if f.Text("platform_code") == "" && a.Role.OrgKind() == access.OrgPlatform {
		f.Values.Set("platform_code", a.OrgCode)
	}
	if f.Text("date") == "" {
		f.Values.Set("date", record.Today(w.s.Clock.Now()))
	}
	if v := q.Get("uscc"); v != "" {
		f.Values.Set("enterprise_uscc", v)
	}
	var d recordFormData
	if s := q.Get("saved"); s != "" {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			rec, err := w.s.Record.Get(r.Context(), a, id)
			if err != nil {
				return err
			}
			names, err := w.names(r)
			if err != nil {
				return err
			}
			d.Saved = &recordRow{Record: rec, By: recordBy(names, rec)}
		}
	}
	if text := q.Get("q"); text != "" {
		f.Values.Set("q", text)
		d.Searched = true
		hits, regions, err := w.recordSearch(r, a, text, 10)
		if err != nil && !apperr.Is(err, apperr.Invalid) {
			return err
		}
		if err != nil {
			f.Fail(w.page(r, "").P, err)
		}
		for _, h := range hits {
			d.Hits = append(d.Hits, enterpriseRow{Hit: h, RegionName: regionLabel(regions, h.RegionCode)})
		}
	}
	return w.recordFormRender(rw, r, a, f, 0, d)
}

func (w *Web) recordFormRender(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int, d recordFormData) error {
	plats, err := w.recordPlatforms(r, a)
	if err != nil {
		return err
	}
	d.Platforms, d.Kinds, d.Areas, d.Today = plats, record.Kinds, record.Areas, record.Today(w.s.Clock.Now())
	if code := f.Text("enterprise_uscc"); code != "" && d.Enterprise == nil {
		if e, err := w.s.Enterprise.Get(r.Context(), a, code); err == nil {
			d.Enterprise = &e
		}
	}
	p := w.page(r, "records")
	p.Form, p.Status, p.Data = f, status, d
	w.render(rw, r, "record_form", p)
	return nil
}

// recordCreate records a service and comes back to an empty entry with
// the context kept.
func (w *Web) recordCreate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !record.MayRecord(a) {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	rec, err := w.s.Record.Create(r.Context(), a, f.RecordInput())
	if err == nil {
		next := url.Values{"saved": {strconv.FormatInt(rec.ID, 10)}, "platform_code": {rec.PlatformCode}, "kind": {rec.Kind},
			"service_area": {rec.ServiceArea}, "date": {rec.Date}}
		redirect(rw, r, "/records/new?"+next.Encode(), "flash.record_saved")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) && apperr.As(err).Field == "" || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.recordFormRender(rw, r, a, f, status, recordFormData{})
}

// recordSearch finds enterprises in the viewer's scope, with region names.
func (w *Web) recordSearch(r *http.Request, a access.Actor, text string, limit int) ([]enterprise.Hit, map[string]org.Region, error) {
	_, regions, err := w.enterpriseRegions(r, a)
	if err != nil {
		return nil, nil, err
	}
	q, ok := enterprise.ParseQuery(text)
	if !ok {
		return nil, regions, apperr.Field("q", "too_short", "error.query_short")
	}
	hits, _, err := w.s.Enterprise.List(r.Context(), a, enterprise.Filter{Query: &q, Limit: limit})
	return hits, regions, err
}

// recordEnterprises answers the record form's search as the user types
// (?q=): up to eight enterprises as JSON.
func (w *Web) recordEnterprises(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !record.MayRecord(a) {
		return apperr.Deny()
	}
	items := []suggestion{}
	hits, regions, err := w.recordSearch(r, a, r.URL.Query().Get("q"), 8)
	if err != nil && !apperr.Is(err, apperr.Invalid) {
		return err
	}
	for _, h := range hits {
		items = append(items, suggestion{USCC: h.USCC, Name: h.Name, RegionCode: h.RegionCode,
			RegionName: regionLabel(regions, h.RegionCode), ContactName: h.ContactName, ContactPhone: h.ContactPhone})
	}
	return writeJSON(rw, map[string]any{"items": items})
}
