package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/org"
)

type enterpriseViewData struct {
	Enterprise enterprise.Enterprise
	// Regions is the enterprise's region and those above it, top down.
	Regions []org.Region
	// Figures are the reported figures as shown, by field name ("" when
	// not given).
	Figures map[string]string
	// Standard names the size standard that decided the size: its title
	// and version, or the version alone for a standard no longer loaded.
	Standard string
	MayEdit  bool
	// MayReveal offers the button that shows the full telephone number;
	// Revealed is the page answering that button.
	MayReveal bool
	Revealed  bool
}

func (w *Web) enterpriseView(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	e, err := w.s.Enterprise.Get(r.Context(), a, r.PathValue("uscc"))
	if err != nil {
		return err
	}
	return w.enterpriseShow(rw, r, a, e, false)
}

// enterpriseReveal shows the profile again with the full telephone number
// to a role allowed to call the enterprise; the domain audits every look.
func (w *Web) enterpriseReveal(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	ctx := r.Context()
	code := r.PathValue("uscc")
	_, phone, err := w.s.Enterprise.RevealContact(ctx, a, code)
	if err != nil {
		return err
	}
	e, err := w.s.Enterprise.Get(ctx, a, code)
	if err != nil {
		return err
	}
	e.ContactPhone = phone
	return w.enterpriseShow(rw, r, a, e, true)
}

// enterpriseShow renders the profile of e as the viewer may see it.
func (w *Web) enterpriseShow(rw http.ResponseWriter, r *http.Request, a access.Actor, e enterprise.Enterprise, revealed bool) error {
	chain, err := w.s.Org.RegionChain(r.Context(), e.RegionCode)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	slices.Reverse(chain)
	p := w.page(r, "enterprises")
	d := enterpriseViewData{Enterprise: e, Regions: chain, MayEdit: enterprise.MayEdit(a, e), Revealed: revealed,
		Standard: e.SizeStandard, Figures: map[string]string{"revenue_wan": figure(e.RevenueWan), "assets_wan": figure(e.AssetsWan)},
		// Only a masked number has anything to reveal.
		MayReveal: !revealed && strings.Contains(e.ContactPhone, "*") && enterprise.MayReveal(a, e)}
	if e.Employees != nil {
		d.Figures["employees"] = strconv.FormatInt(*e.Employees, 10)
	}
	if st := enterprise.CurrentStandard(); st.Version == e.SizeStandard {
		title := st.Title
		if p.Lang != locale.ZH {
			title = st.TitleEn
		}
		d.Standard = title + " (" + st.Version + ")"
	}
	p.Data = d
	w.render(rw, r, "enterprise_view", p)
	return nil
}

// figure shows an optional amount without exponent or float noise.
func figure(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
