package org

import (
	"sort"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/apperr"
)

// Department is a government department handling enterprise matters
// (涉企部门) and the ticket categories routed to it.
type Department struct {
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Categories []string  `json:"categories"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Normalize trims fields and sorts and de-duplicates the categories.
func (d *Department) Normalize() {
	d.Code = strings.TrimSpace(d.Code)
	d.Name = strings.TrimSpace(d.Name)
	seen := map[string]bool{}
	cats := make([]string, 0, len(d.Categories))
	for _, c := range d.Categories {
		c = strings.TrimSpace(c)
		if c != "" && !seen[c] {
			seen[c] = true
			cats = append(cats, c)
		}
	}
	sort.Strings(cats)
	d.Categories = cats
}

// Validate checks code, name and categories.
func (d Department) Validate() error {
	if err := validCode(d.Code); err != nil {
		return err
	}
	if err := validName(d.Name); err != nil {
		return err
	}
	for _, c := range d.Categories {
		if !ValidCategory(c) {
			return apperr.Field("categories", "invalid_category", "error.invalid_category").With("value", c)
		}
	}
	return nil
}

// InstitutionKinds are the kinds of service institution the notice names.
var InstitutionKinds = []string{"bank", "guarantee", "microloan", "securities", "credit_rating",
	"tax", "legal", "consulting", "training", "energy_saving", "ecommerce", "other"}

// Institution is a service institution that joined (入驻) a platform.
type Institution struct {
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	Kind         string    `json:"kind"`
	PlatformCode string    `json:"platform_code"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Normalize trims the text fields.
func (i *Institution) Normalize() {
	i.Code = strings.TrimSpace(i.Code)
	i.Name = strings.TrimSpace(i.Name)
	i.Kind = strings.TrimSpace(i.Kind)
	i.PlatformCode = strings.TrimSpace(i.PlatformCode)
}

// Validate checks code, name and kind.
func (i Institution) Validate() error {
	if err := validCode(i.Code); err != nil {
		return err
	}
	if err := validName(i.Name); err != nil {
		return err
	}
	for _, k := range InstitutionKinds {
		if i.Kind == k {
			return nil
		}
	}
	if i.Kind == "" {
		return apperr.Required("kind")
	}
	return apperr.Field("kind", "invalid_kind", "error.invalid_kind")
}

// Standard is what a tier must meet (R1.2); configuration, not code.
type Standard struct {
	Tier            Tier      `json:"tier"`
	MinAreaM2       float64   `json:"min_area_m2"`
	MinSMEsServed   int       `json:"min_smes_served"`
	MinSatisfaction float64   `json:"min_satisfaction"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Validate checks the thresholds are sensible.
func (s Standard) Validate() error {
	if !s.Tier.Valid() {
		return apperr.Field("tier", "invalid_tier", "error.invalid_tier")
	}
	if err := inRange("min_area_m2", s.MinAreaM2, 0, 1e6); err != nil {
		return err
	}
	if err := inRange("min_smes_served", float64(s.MinSMEsServed), 0, 1e7); err != nil {
		return err
	}
	return inRange("min_satisfaction", s.MinSatisfaction, 0, 1)
}

// Brand is the one identity of the network (五统一): name, logo, web domain,
// hotline number; the fifth, the workflow, is the one ticket workflow every
// tier runs.
type Brand struct {
	Name      string    `json:"name"`
	ShortName string    `json:"short_name"`
	Domain    string    `json:"domain"`
	Hotline   string    `json:"hotline"`
	LogoSHA   string    `json:"logo_sha256"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DefaultBrand is shown until the city sets its own.
var DefaultBrand = Brand{Name: "中小企业公共服务平台", ShortName: "企服", Domain: "localhost", Hotline: "12345"}

// Normalize trims the text fields.
func (b *Brand) Normalize() {
	b.Name = strings.TrimSpace(b.Name)
	b.ShortName = strings.TrimSpace(b.ShortName)
	b.Domain = strings.ToLower(strings.TrimSpace(b.Domain))
	b.Hotline = strings.TrimSpace(b.Hotline)
}

// Validate checks the brand fields.
func (b Brand) Validate() error {
	if err := validName(b.Name); err != nil {
		return err
	}
	if err := validText("short_name", b.ShortName, 20); err != nil {
		return err
	}
	if b.Domain == "" {
		return apperr.Required("domain")
	}
	if b.Domain != "localhost" && !domainRe.MatchString(b.Domain) {
		return apperr.Field("domain", "invalid_domain", "error.domain")
	}
	if b.Hotline == "" {
		return apperr.Required("hotline")
	}
	return validPhone("hotline", b.Hotline)
}
