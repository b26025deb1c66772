package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/web/form"
)

// mayRegister tells who is offered, and allowed, the form for a new
// enterprise: the city admin and hotline operators anywhere, platform
// staff in their region (the domain checks the region chosen). An
// enterprise's own account belongs to a code already registered.
func mayRegister(a access.Actor) bool {
	return a.IsAdmin() || a.Role == access.HotlineOperator ||
		a.Role.OrgKind() == access.OrgPlatform && !a.Enterprises().None()
}

// industryNeeds is one row of the table telling which figures each
// industry's size rule reads.
type industryNeeds struct {
	Industry string
	Measures []enterprise.Measure
}

// Needs reports whether the industry's rule reads measure m.
func (n industryNeeds) Needs(m enterprise.Measure) bool { return slices.Contains(n.Measures, m) }

type enterpriseFormData struct {
	Editing bool
	USCC    string
	Groups  []regionGroup
	// Industries are the choices; Needs the rules of the size standard in
	// force, one row per industry, with Measures as the columns.
	Industries []string
	Needs      []industryNeeds
	Measures   []enterprise.Measure
	// Chosen is the rule of the industry chosen on the form, if any.
	Chosen *industryNeeds
	// StoredPhone is the stored telephone number as the viewer sees it
	// (masked), kept when the telephone field is left empty.
	StoredPhone string
}

// enterpriseForm renders the register or edit form with its choices.
func (w *Web) enterpriseForm(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int, stored *enterprise.Enterprise) error {
	groups, _, err := w.enterpriseRegions(r, a)
	if err != nil {
		return err
	}
	st := enterprise.CurrentStandard()
	d := enterpriseFormData{Groups: groups, Industries: enterprise.Industries,
		Measures: []enterprise.Measure{enterprise.Employees, enterprise.Revenue, enterprise.Assets}}
	for _, ind := range enterprise.Industries {
		n := industryNeeds{Industry: ind, Measures: st.Needs(ind)}
		d.Needs = append(d.Needs, n)
		if ind == f.Text("industry") {
			d.Chosen = &n
		}
	}
	if stored != nil {
		d.Editing, d.USCC = true, stored.USCC
		if strings.Contains(stored.ContactPhone, "*") {
			d.StoredPhone = stored.ContactPhone
		}
	}
	p := w.page(r, "enterprises")
	p.Form = f
	p.Status = status
	p.Data = d
	w.render(rw, r, "enterprise_form", p)
	return nil
}

func (w *Web) enterpriseNew(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !mayRegister(a) {
		return apperr.Deny()
	}
	f := form.New(nil)
	f.Values.Set("region_code", r.URL.Query().Get("region_code"))
	return w.enterpriseForm(rw, r, a, f, 0, nil)
}

func (w *Web) enterpriseCreate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !mayRegister(a) {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	in, err := f.Enterprise()
	if err == nil {
		var e enterprise.Enterprise
		if e, err = w.s.Enterprise.Create(r.Context(), a, in); err == nil {
			redirect(rw, r, "/enterprises/"+e.USCC, "flash.enterprise_created")
			return nil
		}
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.enterpriseForm(rw, r, a, f, status, nil)
}

// editable returns the enterprise of the path when the actor may edit it:
// forbidden outside its scope or without the right to edit.
func (w *Web) editable(r *http.Request, a access.Actor) (enterprise.Enterprise, error) {
	e, err := w.s.Enterprise.Get(r.Context(), a, r.PathValue("uscc"))
	if err != nil {
		return enterprise.Enterprise{}, err
	}
	if !enterprise.MayEdit(a, e) {
		return enterprise.Enterprise{}, apperr.Deny()
	}
	return e, nil
}

func (w *Web) enterpriseEdit(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	e, err := w.editable(r, a)
	if err != nil {
		return err
	}
	return w.enterpriseForm(rw, r, a, form.FromEnterprise(e), 0, &e)
}

func (w *Web) enterpriseUpdate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	f := form.New(r.PostForm)
	patch, err := f.EnterprisePatch()
	if err == nil {
		var e enterprise.Enterprise
		if e, err = w.s.Enterprise.Update(r.Context(), a, r.PathValue("uscc"), patch); err == nil {
			redirect(rw, r, "/enterprises/"+e.USCC, "flash.saved")
			return nil
		}
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) || apperr.Is(err, apperr.NotFound) {
		return err
	}
	// A rejected form is shown again only to who may edit the enterprise.
	stored, serr := w.editable(r, a)
	if serr != nil {
		return serr
	}
	f.Values.Set("uscc", stored.USCC)
	status := f.Fail(w.page(r, "").P, err)
	return w.enterpriseForm(rw, r, a, f, status, &stored)
}
