// Package org is the platform network of REQUIREMENTS R1.1–R1.3: regions
// (administrative divisions), platforms at four tiers with their 四落实,
// departments and the ticket categories they own, service institutions, the
// tier standards (editable configuration) and the network brand of 五统一.
package org

import (
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/apperr"
)

// Level is a region's administrative level.
type Level string

const (
	LevelCity     Level = "city"
	LevelDistrict Level = "district"
	LevelStreet   Level = "street"
)

// Levels lists the region levels, top down.
var Levels = []Level{LevelCity, LevelDistrict, LevelStreet}

// Valid reports whether l is a known level.
func (l Level) Valid() bool { return l == LevelCity || l == LevelDistrict || l == LevelStreet }

// Below is the level of the regions directly under a region of level l
// ("" for a street, which has none).
func (l Level) Below() Level {
	switch l {
	case LevelCity:
		return LevelDistrict
	case LevelDistrict:
		return LevelStreet
	}
	return ""
}

// Above is the level a region of level l must have as its parent ("" for a
// city, which has none).
func (l Level) Above() Level {
	switch l {
	case LevelDistrict:
		return LevelCity
	case LevelStreet:
		return LevelDistrict
	}
	return ""
}

// Tier is the tier of the comprehensive platform that serves a region of
// level l (a street platform in a street, and so on).
func (l Level) Tier() Tier {
	switch l {
	case LevelCity:
		return TierCity
	case LevelDistrict:
		return TierDistrict
	case LevelStreet:
		return TierStreet
	}
	return ""
}

// Tier is a platform's level in the network.
type Tier string

const (
	TierCity        Tier = "city"
	TierDistrict    Tier = "district"
	TierStreet      Tier = "street"
	TierSpecialised Tier = "specialised"
)

// Tiers lists the tiers, top down.
var Tiers = []Tier{TierCity, TierDistrict, TierStreet, TierSpecialised}

// Valid reports whether t is a known tier.
func (t Tier) Valid() bool {
	for _, x := range Tiers {
		if t == x {
			return true
		}
	}
	return false
}

// Categories are the ticket categories of API.md; departments own some.
var Categories = []string{"consult", "help", "complaint", "suggestion", "rights_infringement"}

// ValidCategory reports whether c is a known ticket category.
func ValidCategory(c string) bool {
	for _, x := range Categories {
		if c == x {
			return true
		}
	}
	return false
}

// Region is a city, district or street with its division code
// (6 digits for city and district, 9 for street).
type Region struct {
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Level      Level     `json:"level"`
	ParentCode string    `json:"parent_code"`
	KeyStreet  bool      `json:"key_street"` // 重点街道, counted in coverage targets (R1.8)
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

var (
	sixDigits  = regexp.MustCompile(`^[0-9]{6}$`)
	nineDigits = regexp.MustCompile(`^[0-9]{9}$`)
	orgCodeRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$`)
	phoneRe    = regexp.MustCompile(`^[0-9][0-9-]{2,19}$`)
	domainRe   = regexp.MustCompile(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))+$`)
	dateRe     = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// Normalize trims the text fields.
func (r *Region) Normalize() {
	r.Code = strings.TrimSpace(r.Code)
	r.Name = strings.TrimSpace(r.Name)
	r.ParentCode = strings.TrimSpace(r.ParentCode)
}

// Validate checks the fields that need no other data: code shape per level,
// name, level. The parent is checked by the service.
func (r Region) Validate() error {
	if !r.Level.Valid() {
		if r.Level == "" {
			return apperr.Required("level")
		}
		return apperr.Field("level", "invalid_level", "error.invalid_level")
	}
	if r.Code == "" {
		return apperr.Required("code")
	}
	switch r.Level {
	case LevelCity:
		if !sixDigits.MatchString(r.Code) || !strings.HasSuffix(r.Code, "00") || strings.HasSuffix(r.Code, "0000") {
			return apperr.Field("code", "invalid_region_code", "error.region_code_city")
		}
		if r.ParentCode != "" {
			return apperr.Field("parent_code", "invalid_parent", "error.city_no_parent")
		}
	case LevelDistrict:
		if !sixDigits.MatchString(r.Code) || strings.HasSuffix(r.Code, "00") {
			return apperr.Field("code", "invalid_region_code", "error.region_code_district")
		}
	case LevelStreet:
		if !nineDigits.MatchString(r.Code) {
			return apperr.Field("code", "invalid_region_code", "error.region_code_street")
		}
	}
	if r.Level != LevelCity && r.ParentCode == "" {
		return apperr.Required("parent_code")
	}
	return validName(r.Name)
}

// ValidateParent checks the parent region: one level up, and the code
// nested in the parent's code (GB/T 2260 and 10114).
func (r Region) ValidateParent(parent Region) error {
	switch r.Level {
	case LevelDistrict:
		if parent.Level != LevelCity {
			return apperr.Field("parent_code", "invalid_parent", "error.district_parent")
		}
		if r.Code[:4] != parent.Code[:4] {
			return apperr.Field("code", "invalid_region_code", "error.region_code_nesting").With("parent", parent.Code)
		}
	case LevelStreet:
		if parent.Level != LevelDistrict {
			return apperr.Field("parent_code", "invalid_parent", "error.street_parent")
		}
		if r.Code[:6] != parent.Code {
			return apperr.Field("code", "invalid_region_code", "error.region_code_nesting").With("parent", parent.Code)
		}
	}
	return nil
}

func validName(name string) error {
	if name == "" {
		return apperr.Required("name")
	}
	if utf8.RuneCountInString(name) > 100 {
		return apperr.Field("name", "too_long", "error.too_long").With("max", 100)
	}
	return nil
}

// ValidOrgCode reports whether s can be the code of a platform, department
// or institution: 2–40 letters, digits, "_", "." or "-".
func ValidOrgCode(s string) bool { return orgCodeRe.MatchString(s) }

func validCode(code string) error {
	if code == "" {
		return apperr.Required("code")
	}
	if !ValidOrgCode(code) {
		return apperr.Field("code", "invalid_code", "error.org_code")
	}
	return nil
}

func validText(field, value string, max int) error {
	if utf8.RuneCountInString(value) > max {
		return apperr.Field(field, "too_long", "error.too_long").With("max", max)
	}
	return nil
}

func validPhone(field, value string) error {
	if value != "" && !phoneRe.MatchString(value) {
		return apperr.Field(field, "invalid_phone", "error.phone")
	}
	return nil
}

func validDate(field, value string) error {
	if value == "" {
		return nil
	}
	if !dateRe.MatchString(value) {
		return apperr.Field(field, "invalid_date", "error.date")
	}
	if _, err := time.Parse("2006-01-02", value); err != nil {
		return apperr.Field(field, "invalid_date", "error.date")
	}
	return nil
}

func inRange(field string, v, lo, hi float64) error {
	if math.IsNaN(v) || v < lo || v > hi {
		return apperr.Field(field, "out_of_range", "error.range").With("min", lo).With("max", hi)
	}
	return nil
}
