package org

import (
	"strings"
	"time"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/locale"
)

// Platform is one service platform of the network with its 四落实
// (operating body, funding, staff, premises).
type Platform struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Tier       Tier   `json:"tier"`
	RegionCode string `json:"region_code"`
	ParentCode string `json:"parent_code"`
	// Path is the materialised chain of codes from the root platform,
	// "/P3702/P370202/": a scope is a path prefix.
	Path              string    `json:"-"`
	LegalStatus       string    `json:"legal_status"`
	OperatingBody     string    `json:"operating_body"`
	FundingSource     string    `json:"funding_source"`
	FundingWan        float64   `json:"funding_wan"`
	StaffCount        int       `json:"staff_count"`
	ProfessionalStaff int       `json:"professional_staff"`
	AreaM2            float64   `json:"area_m2"`
	Hotline           string    `json:"hotline"`
	Address           string    `json:"address"`
	EstablishedOn     string    `json:"established_on"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Normalize trims the text fields.
func (p *Platform) Normalize() {
	for _, s := range []*string{&p.Code, &p.Name, &p.RegionCode, &p.ParentCode, &p.LegalStatus,
		&p.OperatingBody, &p.FundingSource, &p.Hotline, &p.Address, &p.EstablishedOn} {
		*s = strings.TrimSpace(*s)
	}
}

// Validate checks the fields that need no other data.
func (p Platform) Validate() error {
	if err := validCode(p.Code); err != nil {
		return err
	}
	if err := validName(p.Name); err != nil {
		return err
	}
	if p.Tier == "" {
		return apperr.Required("tier")
	}
	if !p.Tier.Valid() {
		return apperr.Field("tier", "invalid_tier", "error.invalid_tier")
	}
	if p.RegionCode == "" {
		return apperr.Required("region_code")
	}
	if p.ParentCode == p.Code {
		return apperr.Field("parent_code", "invalid_parent", "error.platform_parent_self")
	}
	checks := []error{
		validText("legal_status", p.LegalStatus, 50),
		validText("operating_body", p.OperatingBody, 100),
		validText("funding_source", p.FundingSource, 100),
		inRange("funding_wan", p.FundingWan, 0, 1e7),
		inRange("staff_count", float64(p.StaffCount), 0, 100000),
		inRange("professional_staff", float64(p.ProfessionalStaff), 0, 100000),
		inRange("area_m2", p.AreaM2, 0, 1e7),
		validPhone("hotline", p.Hotline),
		validText("address", p.Address, 200),
		validDate("established_on", p.EstablishedOn),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	if p.ProfessionalStaff > p.StaffCount {
		return apperr.Field("professional_staff", "out_of_range", "error.professional_staff")
	}
	return nil
}

// regionLevelFor is the region level each comprehensive tier must sit in;
// specialised platforms may sit in any region.
func regionLevelFor(t Tier) Level {
	switch t {
	case TierCity:
		return LevelCity
	case TierDistrict:
		return LevelDistrict
	case TierStreet:
		return LevelStreet
	}
	return ""
}

// parentTiersFor lists the tiers a platform's parent may have.
func parentTiersFor(t Tier) []Tier {
	switch t {
	case TierDistrict:
		return []Tier{TierCity}
	case TierStreet:
		return []Tier{TierDistrict}
	case TierSpecialised:
		return []Tier{TierCity, TierDistrict}
	}
	return nil
}

// ValidateRegion checks the region fits the tier: a street platform in a
// street, a district platform in a district, a city platform in a city.
func (p Platform) ValidateRegion(r Region) error {
	if want := regionLevelFor(p.Tier); want != "" && r.Level != want {
		return apperr.Field("region_code", "region_tier_mismatch", "error.region_tier_mismatch").
			With("tier", tierKey(p.Tier)).With("level", levelKey(want))
	}
	return nil
}

// ValidateParent checks the parent platform: a tier above, and its region
// containing this platform's region (ancestors lists the codes of the
// platform's region and every region above it).
func (p Platform) ValidateParent(parent Platform, ancestors []string) error {
	if p.Tier == TierCity {
		return apperr.Field("parent_code", "invalid_parent", "error.city_platform_parent")
	}
	ok := false
	for _, t := range parentTiersFor(p.Tier) {
		if parent.Tier == t {
			ok = true
		}
	}
	if !ok {
		return apperr.Field("parent_code", "invalid_parent", "error.platform_parent_tier")
	}
	for _, code := range ancestors {
		if code == parent.RegionCode {
			return nil
		}
	}
	return apperr.Field("parent_code", "invalid_parent", "error.platform_parent_region")
}

// FourImplementations lists which of the 四落实 are missing: operating
// body, funding, staff, premises.
func (p Platform) FourImplementations() []string {
	var missing []string
	if p.OperatingBody == "" {
		missing = append(missing, "operating_body")
	}
	if p.FundingWan <= 0 && p.FundingSource == "" {
		missing = append(missing, "funding")
	}
	if p.StaffCount <= 0 {
		missing = append(missing, "staff")
	}
	if p.AreaM2 <= 0 {
		missing = append(missing, "premises")
	}
	return missing
}

// Compliance is a platform's standing against its tier standard (R1.2).
// Figures that come from statistics are nil until measured.
type Compliance struct {
	Standard         Standard `json:"standard"`
	Area             bool     `json:"area"`
	SMEsServed       *bool    `json:"smes_served"`
	Satisfaction     *bool    `json:"satisfaction"`
	SMEsServedCount  *int     `json:"smes_served_count"`
	SatisfactionRate *float64 `json:"satisfaction_rate"`
	FourImplemented  bool     `json:"four_implementations"`
	Missing          []string `json:"missing"`
}

// Measures are the yearly figures statistics provide for compliance.
type Measures struct {
	SMEsServed       *int
	SatisfactionRate *float64
}

// Check computes compliance of p against its tier standard s.
func Check(p Platform, s Standard, m Measures) Compliance {
	c := Compliance{Standard: s, Area: p.AreaM2 >= s.MinAreaM2, Missing: p.FourImplementations()}
	c.FourImplemented = len(c.Missing) == 0
	if c.Missing == nil {
		c.Missing = []string{}
	}
	if m.SMEsServed != nil {
		ok := *m.SMEsServed >= s.MinSMEsServed
		c.SMEsServed, c.SMEsServedCount = &ok, m.SMEsServed
	}
	if m.SatisfactionRate != nil {
		ok := *m.SatisfactionRate >= s.MinSatisfaction
		c.Satisfaction, c.SatisfactionRate = &ok, m.SatisfactionRate
	}
	return c
}

func tierKey(t Tier) locale.Key   { return locale.Key("tier." + string(t)) }
func levelKey(l Level) locale.Key { return locale.Key("level." + string(l)) }
