package form

import (
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/org"
)

// TierField names a field of one tier in the standards form
// ("street.min_area_m2"): the four tiers are edited in one form.
func TierField(t org.Tier, field string) string { return string(t) + "." + field }

// ForTier moves a field error of one tier's standard to that tier's field
// of the standards form, so the message shows next to the right input.
func ForTier(t org.Tier, err error) error {
	e := apperr.As(err)
	if e == nil || e.Field == "" || e.Kind != apperr.Invalid {
		return err
	}
	c := *e
	c.Field = TierField(t, e.Field)
	return &c
}

// Standards parses the standards form: for every tier the premises area
// (m²), the yearly SMEs served and the satisfaction rate, typed as a
// percentage (90) and returned as the fraction the domain stores (0.9).
// Every threshold is required; the first bad field is the error.
func (f *Form) Standards() ([]org.Standard, error) {
	out := make([]org.Standard, 0, len(org.Tiers))
	for _, t := range org.Tiers {
		st := org.Standard{Tier: t}
		area, smes, sat := TierField(t, "min_area_m2"), TierField(t, "min_smes_served"), TierField(t, "min_satisfaction")
		for _, name := range []string{area, smes, sat} {
			if f.Text(name) == "" {
				return nil, apperr.Required(name)
			}
		}
		f.Values.Set(sat, strings.TrimSuffix(f.Text(sat), "%"))
		var pct float64
		if err := f.Numbers().Float(area, &st.MinAreaM2).Int(smes, &st.MinSMEsServed).Float(sat, &pct).Err(); err != nil {
			return nil, err
		}
		if pct < 0 || pct > 100 {
			return nil, apperr.Field(sat, "out_of_range", "error.range").With("min", 0).With("max", 100)
		}
		st.MinSatisfaction = pct / 100
		out = append(out, st)
	}
	return out, nil
}

// FromStandards pre-fills the standards form, satisfaction as a percentage.
func FromStandards(stds map[org.Tier]org.Standard) *Form {
	v := url.Values{}
	for _, t := range org.Tiers {
		st := stds[t]
		v.Set(TierField(t, "min_area_m2"), strconv.FormatFloat(st.MinAreaM2, 'f', -1, 64))
		v.Set(TierField(t, "min_smes_served"), strconv.Itoa(st.MinSMEsServed))
		v.Set(TierField(t, "min_satisfaction"), Percent(st.MinSatisfaction))
	}
	return New(v)
}

// Percent shows a fraction as a percentage without float noise
// (0.9 → "90", 0.855 → "85.5").
func Percent(fraction float64) string {
	return strconv.FormatFloat(math.Round(fraction*1e6)/1e4, 'f', -1, 64)
}

// Brand parses the brand form (the logo is uploaded apart).
func (f *Form) Brand() org.Brand {
	return org.Brand{Name: f.Text("name"), ShortName: f.Text("short_name"), Domain: f.Text("domain"), Hotline: f.Text("hotline")}
}

// FromBrand pre-fills the brand form.
func FromBrand(b org.Brand) *Form {
	return New(url.Values{"name": {b.Name}, "short_name": {b.ShortName}, "domain": {b.Domain}, "hotline": {b.Hotline}})
}

// NewUser parses the new-user form. The typed password is taken out of the
// form, so a rejected form never sends it back to the browser.
func (f *Form) NewUser() auth.NewUser {
	n := auth.NewUser{Username: f.Text("username"), DisplayName: f.Text("display_name"),
		Role: access.Role(f.Text("role")), OrgCode: f.Text("org_code"), Password: f.Values.Get("password")}
	f.Values.Del("password")
	return n
}

// NewPassword takes the password an administrator typed for someone else
// out of the form.
func (f *Form) NewPassword() string {
	p := f.Values.Get("password")
	f.Values.Del("password")
	return p
}

// Security is the security settings form.
type Security struct {
	RequireTOTP   bool
	RetentionDays int
}

// Security parses the security settings form; retention_days is required.
func (f *Form) Security() (Security, error) {
	s := Security{RequireTOTP: f.Bool("require_totp")}
	if f.Text("retention_days") == "" {
		return s, apperr.Required("retention_days")
	}
	var err error
	s.RetentionDays, err = f.Int("retention_days")
	return s, err
}

// FromSecurity pre-fills the security settings form.
func FromSecurity(s Security) *Form {
	v := url.Values{"retention_days": {strconv.Itoa(s.RetentionDays)}}
	if s.RequireTOTP {
		v.Set("require_totp", "on")
	}
	return New(v)
}
