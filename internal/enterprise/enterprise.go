// Package enterprise is the registry of REQUIREMENTS R2: enterprises keyed
// by their unified social credit code, classified by the national SME size
// standard (a versioned data table), imported in bulk from the lists bureaus
// keep, and searched in Chinese by operators with a caller on the line.
package enterprise

import (
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/uscc"
)

// Industries are the 16 industry groups of the size standard (API.md keys).
var Industries = []string{"agriculture", "industry", "construction", "wholesale", "retail", "transport",
	"warehousing", "postal", "accommodation", "catering", "information_transmission", "software_it",
	"real_estate_dev", "property_management", "leasing_business", "other"}

// ValidIndustry reports whether key is an industry group.
func ValidIndustry(key string) bool {
	for _, k := range Industries {
		if k == key {
			return true
		}
	}
	return false
}

func industryKey(k string) locale.Key { return locale.Key("industry." + k) }

// Limits of plausible figures: beyond them a value is a typing error.
const (
	MaxEmployees = 10_000_000
	MaxWan       = 1e9 // 万元: ten trillion yuan
)

// Enterprise is one registered enterprise.
type Enterprise struct {
	ID           int64    `json:"id"`
	USCC         string   `json:"uscc"`
	Name         string   `json:"name"`
	Industry     string   `json:"industry"`
	Employees    *int64   `json:"employees"`
	RevenueWan   *float64 `json:"revenue_wan"`
	AssetsWan    *float64 `json:"assets_wan"`
	RegionCode   string   `json:"region_code"`
	Address      string   `json:"address"`
	ContactName  string   `json:"contact_name"`
	ContactPhone string   `json:"contact_phone"`
	// Size is computed from the figures by the standard in force, recorded
	// with the standard's version and the comparisons that decided it.
	Size         Size      `json:"size"`
	SizeStandard string    `json:"size_standard"`
	SizeChecks   []Check   `json:"size_checks"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Figures returns the enterprise's figures for classification.
func (e Enterprise) Figures() Figures {
	f := Figures{Revenue: e.RevenueWan, Assets: e.AssetsWan}
	if e.Employees != nil {
		v := float64(*e.Employees)
		f.Employees = &v
	}
	return f
}

var phoneRe = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{4,24}$`)

// Normalize trims the text fields and upper-cases the credit code.
func (e *Enterprise) Normalize() {
	e.USCC = uscc.Normalize(e.USCC)
	for _, s := range []*string{&e.Name, &e.Industry, &e.RegionCode, &e.Address, &e.ContactName, &e.ContactPhone} {
		*s = strings.TrimSpace(*s)
	}
}

// Validate checks every field that needs no stored data and classifies the
// enterprise by the current standard. Errors name the field: invalid_uscc
// (with the reason), required, too_long, unknown_industry, out_of_range,
// invalid_phone, and the size figures the industry's rule needs.
func (e *Enterprise) Validate() error {
	if e.USCC == "" {
		return apperr.Required("uscc")
	}
	if r := uscc.Check(e.USCC); !r.Valid {
		return InvalidUSCC("uscc", r)
	}
	if e.Name == "" {
		return apperr.Required("name")
	}
	if utf8.RuneCountInString(e.Name) > 100 {
		return apperr.Field("name", "too_long", "error.too_long").With("max", 100)
	}
	if e.RegionCode == "" {
		return apperr.Required("region_code")
	}
	if e.Employees != nil && (*e.Employees < 0 || *e.Employees > MaxEmployees) {
		return apperr.Field("employees", "out_of_range", "error.range").With("min", 0).With("max", MaxEmployees)
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{{"revenue_wan", e.RevenueWan}, {"assets_wan", e.AssetsWan}} {
		if f.v != nil && (math.IsNaN(*f.v) || *f.v < 0 || *f.v > MaxWan) {
			return apperr.Field(f.name, "out_of_range", "error.range").With("min", 0).With("max", "1000000000")
		}
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"address", e.Address, 200}, {"contact_name", e.ContactName, 50}} {
		if utf8.RuneCountInString(f.v) > f.max {
			return apperr.Field(f.name, "too_long", "error.too_long").With("max", f.max)
		}
	}
	if e.ContactPhone != "" && !phoneRe.MatchString(e.ContactPhone) {
		return apperr.Field("contact_phone", "invalid_phone", "error.phone")
	}
	d, err := CurrentStandard().Classify(e.Industry, e.Figures())
	if err != nil {
		return err
	}
	e.Size, e.SizeStandard, e.SizeChecks = d.Size, d.Standard, d.Checks
	return nil
}

// InvalidUSCC is the 422 invalid_uscc for a bad credit code, with the reason
// (length, the bad character and its position, the expected check
// character) in the message.
func InvalidUSCC(field string, r uscc.Result) error {
	return apperr.Field(field, "invalid_uscc", "error.invalid_uscc_reason").
		With("reason", locale.Key("uscc."+r.Reason.Code)).
		With("position", r.Reason.Position).With("char", r.Reason.Char).With("expected", r.Reason.Expected)
}

// MaskPhone hides the middle of a telephone number: 138****8000,
// 0532-****1000. At least four digits are always hidden, so a short local
// number keeps only its tail (****0202). Numbers too short to mask are
// hidden whole.
func MaskPhone(p string) string {
	const hidden = 4
	var digits []int
	for i, r := range p {
		if r >= '0' && r <= '9' {
			digits = append(digits, i)
		}
	}
	if len(digits) < 7 {
		if p == "" {
			return ""
		}
		return "****"
	}
	keepHead := 3
	if p[0] == '0' { // a landline: keep the area code
		keepHead = 4
	}
	keepTail := min(4, len(digits)-hidden)
	keepHead = max(0, min(keepHead, len(digits)-keepTail-hidden))
	b := []byte(p)
	for _, i := range digits[keepHead : len(digits)-keepTail] {
		b[i] = '*'
	}
	return string(b)
}
