package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/web/form"
)

type settingsData struct {
	Current      form.Security
	Policy       auth.Policy
	MinRetention int
	MaxRetention int
}

func (w *Web) currentSecurity(r *http.Request) (form.Security, error) {
	req, err := w.s.Auth.RequireTOTP(r.Context())
	if err != nil {
		return form.Security{}, err
	}
	days, err := w.s.Audit.Retention(r.Context())
	if err != nil {
		return form.Security{}, err
	}
	return form.Security{RequireTOTP: req, RetentionDays: days}, nil
}

// settingsPage renders the security settings: editable by the city admin,
// readable by the auditor, who checks them.
func (w *Web) settingsPage(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int) error {
	if !a.ReadsAudit() {
		return apperr.Deny()
	}
	cur, err := w.currentSecurity(r)
	if err != nil {
		return err
	}
	if f == nil {
		f = form.FromSecurity(cur)
	}
	p := w.page(r, "settings")
	p.Form = f
	p.Status = status
	p.Data = settingsData{Current: cur, Policy: w.s.Auth.Policy(), MinRetention: audit.MinRetentionDays, MaxRetention: audit.MaxRetentionDays}
	w.render(rw, r, "settings", p)
	return nil
}

func (w *Web) settingsShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	return w.settingsPage(rw, r, a, nil, 0)
}

// securityUpdate saves the two-factor requirement and the audit retention.
// The retention is checked first, so a rejected form changes nothing; a
// setting left as it was is not saved again (nor audited).
func (w *Web) securityUpdate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	in, err := f.Security()
	if err == nil {
		err = audit.ValidateRetention(in.RetentionDays)
	}
	if err == nil {
		err = w.saveSecurity(r, a, in)
	}
	if err == nil {
		redirect(rw, r, "/settings", "flash.settings_saved")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.settingsPage(rw, r, a, f, status)
}

func (w *Web) saveSecurity(r *http.Request, a access.Actor, in form.Security) error {
	cur, err := w.currentSecurity(r)
	if err != nil {
		return err
	}
	if in.RetentionDays != cur.RetentionDays {
		if err := w.s.Audit.SetRetention(r.Context(), a, in.RetentionDays); err != nil {
			return err
		}
	}
	if in.RequireTOTP != cur.RequireTOTP {
		return w.s.Auth.SetRequireTOTP(r.Context(), a, in.RequireTOTP)
	}
	return nil
}
