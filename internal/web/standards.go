package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/web/form"
)

type standardsData struct {
	Tiers     []org.Tier
	Standards map[org.Tier]org.Standard
}

// standardsPage renders the tier standards, with the edit form for admins.
func (w *Web) standardsPage(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int) error {
	if !a.SeesNetwork() {
		return apperr.Deny()
	}
	stds, err := w.s.Org.Standards(r.Context())
	if err != nil {
		return err
	}
	if f == nil {
		f = form.FromStandards(stds)
	}
	p := w.page(r, "standards")
	p.Form = f
	p.Status = status
	p.Data = standardsData{Tiers: org.Tiers, Standards: stds}
	w.render(rw, r, "standards", p)
	return nil
}

func (w *Web) standardsShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	return w.standardsPage(rw, r, a, nil, 0)
}

// standardsUpdate saves the four tiers' thresholds. Every tier is checked
// before any is saved, so a bad value leaves all four unchanged; only the
// tiers that changed are saved (and audited).
func (w *Web) standardsUpdate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	stds, err := f.Standards()
	if err == nil {
		err = w.saveStandards(r, a, stds)
	}
	if err == nil {
		redirect(rw, r, "/standards", "flash.standards_saved")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.standardsPage(rw, r, a, f, status)
}

func (w *Web) saveStandards(r *http.Request, a access.Actor, stds []org.Standard) error {
	for _, st := range stds {
		if err := st.Validate(); err != nil {
			return form.ForTier(st.Tier, err)
		}
	}
	current, err := w.s.Org.Standards(r.Context())
	if err != nil {
		return err
	}
	for _, st := range stds {
		cur := current[st.Tier]
		if cur.MinAreaM2 == st.MinAreaM2 && cur.MinSMEsServed == st.MinSMEsServed && cur.MinSatisfaction == st.MinSatisfaction {
			continue
		}
		if _, err := w.s.Org.UpdateStandard(r.Context(), a, st); err != nil {
			return form.ForTier(st.Tier, err)
		}
	}
	return nil
}
