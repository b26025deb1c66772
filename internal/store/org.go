package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/org"
)

var _ org.Tx = (*Tx)(nil)

// ---- regions ----

const regionCols = "code, name, level, COALESCE(parent_code, ''), key_street, created_at, updated_at"

func scanRegion(s interface{ Scan(...any) error }) (org.Region, error) {
	var r org.Region
	err := s.Scan(&r.Code, &r.Name, &r.Level, &r.ParentCode, &r.KeyStreet, &r.CreatedAt, &r.UpdatedAt)
	return r, err
}

// Region returns one region or not_found.
func (tx *Tx) Region(ctx context.Context, code string) (org.Region, error) {
	r, err := scanRegion(tx.queryRow(ctx, "SELECT "+regionCols+" FROM regions WHERE code = ?", code))
	if err != nil {
		return org.Region{}, notFound(err, "object.region", code)
	}
	return r, nil
}

// Regions lists regions by code.
func (tx *Tx) Regions(ctx context.Context, f org.RegionFilter) ([]org.Region, error) {
	var w where
	w.addIf(string(f.Level), "level = ?")
	w.addIf(f.ParentCode, "parent_code = ?")
	w.addIf(f.After, "code > ?")
	w.addSearch(f.Q, "name", "code")
	rows, err := tx.query(ctx, "SELECT "+regionCols+" FROM regions"+w.String()+" ORDER BY code LIMIT ?", append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: list regions")
	}
	return collect(rows, scanRegion, "regions")
}

// InsertRegion stores a new region.
func (tx *Tx) InsertRegion(ctx context.Context, r org.Region) error {
	_, err := tx.exec(ctx, `INSERT INTO regions (code, name, level, parent_code, key_street, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.Code, r.Name, r.Level, nullString(r.ParentCode), r.KeyStreet, r.CreatedAt, r.UpdatedAt)
	return mapErr(err, "store: insert region")
}

// UpdateRegion stores a region's name and flags.
func (tx *Tx) UpdateRegion(ctx context.Context, r org.Region) error {
	_, err := tx.exec(ctx, "UPDATE regions SET name = ?, key_street = ?, updated_at = ? WHERE code = ?",
		r.Name, r.KeyStreet, r.UpdatedAt, r.Code)
	return mapErr(err, "store: update region")
}

// ---- platforms ----

const platformCols = `code, name, tier, region_code, COALESCE(parent_code, ''), path, legal_status, operating_body,
	funding_source, funding_wan, staff_count, professional_staff, area_m2, hotline, address, established_on,
	created_at, updated_at`

func scanPlatform(s interface{ Scan(...any) error }) (org.Platform, error) {
	var p org.Platform
	err := s.Scan(&p.Code, &p.Name, &p.Tier, &p.RegionCode, &p.ParentCode, &p.Path, &p.LegalStatus,
		&p.OperatingBody, &p.FundingSource, &p.FundingWan, &p.StaffCount, &p.ProfessionalStaff, &p.AreaM2,
		&p.Hotline, &p.Address, &p.EstablishedOn, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// Platform returns one platform or not_found.
func (tx *Tx) Platform(ctx context.Context, code string) (org.Platform, error) {
	p, err := scanPlatform(tx.queryRow(ctx, "SELECT "+platformCols+" FROM platforms WHERE code = ?", code))
	if err != nil {
		return org.Platform{}, notFound(err, "object.platform", code)
	}
	return p, nil
}

// PlatformOfRegion returns the platform of tier t in a region, or not_found.
func (tx *Tx) PlatformOfRegion(ctx context.Context, regionCode string, t org.Tier) (org.Platform, error) {
	p, err := scanPlatform(tx.queryRow(ctx, "SELECT "+platformCols+" FROM platforms WHERE region_code = ? AND tier = ? ORDER BY code LIMIT 1", regionCode, t))
	if err != nil {
		return org.Platform{}, notFound(err, "object.platform", regionCode)
	}
	return p, nil
}

// Platforms lists platforms inside the filter's scope, by code.
func (tx *Tx) Platforms(ctx context.Context, f org.PlatformFilter) ([]org.Platform, error) {
	var w where
	if f.Scope.None() {
		return nil, nil
	}
	if !f.Scope.All {
		cond, args := hasPrefix("path", f.Scope.PathPrefix)
		w.add(cond, args...)
	}
	w.addIf(string(f.Tier), "tier = ?")
	w.addIf(f.RegionCode, "region_code = ?")
	w.addIf(f.ParentCode, "parent_code = ?")
	w.addIf(f.After, "code > ?")
	w.addSearch(f.Q, "name", "code")
	rows, err := tx.query(ctx, "SELECT "+platformCols+" FROM platforms"+w.String()+" ORDER BY code LIMIT ?", append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: list platforms")
	}
	return collect(rows, scanPlatform, "platforms")
}

// InsertPlatform stores a new platform.
func (tx *Tx) InsertPlatform(ctx context.Context, p org.Platform) error {
	_, err := tx.exec(ctx, `INSERT INTO platforms (code, name, tier, region_code, parent_code, path, legal_status,
		operating_body, funding_source, funding_wan, staff_count, professional_staff, area_m2, hotline, address,
		established_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Code, p.Name, p.Tier, p.RegionCode, nullString(p.ParentCode), p.Path, p.LegalStatus, p.OperatingBody,
		p.FundingSource, p.FundingWan, p.StaffCount, p.ProfessionalStaff, p.AreaM2, p.Hotline, p.Address,
		p.EstablishedOn, p.CreatedAt, p.UpdatedAt)
	return mapErr(err, "store: insert platform")
}

// UpdatePlatform stores a platform's editable fields.
func (tx *Tx) UpdatePlatform(ctx context.Context, p org.Platform) error {
	_, err := tx.exec(ctx, `UPDATE platforms SET name = ?, parent_code = ?, path = ?, legal_status = ?,
		operating_body = ?, funding_source = ?, funding_wan = ?, staff_count = ?, professional_staff = ?,
		area_m2 = ?, hotline = ?, address = ?, established_on = ?, updated_at = ? WHERE code = ?`,
		p.Name, nullString(p.ParentCode), p.Path, p.LegalStatus, p.OperatingBody, p.FundingSource, p.FundingWan,
		p.StaffCount, p.ProfessionalStaff, p.AreaM2, p.Hotline, p.Address, p.EstablishedOn, p.UpdatedAt, p.Code)
	return mapErr(err, "store: update platform")
}

// MovePlatforms rewrites the path prefix of every platform below oldPrefix.
func (tx *Tx) MovePlatforms(ctx context.Context, oldPrefix, newPrefix string) error {
	cond, args := hasPrefix("path", oldPrefix)
	_, err := tx.exec(ctx, `UPDATE platforms SET path = ? || SUBSTR(path, ?) WHERE `+cond,
		append([]any{newPrefix, utf8.RuneCountInString(oldPrefix) + 1}, args...)...)
	if err != nil {
		return mapErr(err, "store: move platforms")
	}
	return tx.statsMoveTrees(ctx, oldPrefix, newPrefix)
}

// ---- departments ----

// Department returns one department with its categories, or not_found.
func (tx *Tx) Department(ctx context.Context, code string) (org.Department, error) {
	var d org.Department
	err := tx.queryRow(ctx, "SELECT code, name, created_at, updated_at FROM departments WHERE code = ?", code).
		Scan(&d.Code, &d.Name, &d.CreatedAt, &d.UpdatedAt)
	if err != nil {
		return org.Department{}, notFound(err, "object.department", code)
	}
	cats, err := tx.departmentCategories(ctx, []string{code})
	d.Categories = cats[code]
	if d.Categories == nil {
		d.Categories = []string{}
	}
	return d, err
}

func (tx *Tx) departmentCategories(ctx context.Context, codes []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(codes) == 0 {
		return out, nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(codes)), ", ")
	args := make([]any, len(codes))
	for i, c := range codes {
		args[i] = c
	}
	rows, err := tx.query(ctx, "SELECT department_code, category FROM department_categories WHERE department_code IN ("+ph+") ORDER BY category", args...)
	if err != nil {
		return nil, mapErr(err, "store: department categories")
	}
	defer rows.Close()
	for rows.Next() {
		var d, c string
		if err := rows.Scan(&d, &c); err != nil {
			return nil, mapErr(err, "store: department categories")
		}
		out[d] = append(out[d], c)
	}
	return out, mapErr(rows.Err(), "store: department categories")
}

// Departments lists departments by code.
func (tx *Tx) Departments(ctx context.Context, f org.DepartmentFilter) ([]org.Department, error) {
	var w where
	w.addIf(f.Code, "code = ?")
	w.addIf(f.After, "code > ?")
	w.addIf(f.Category, "code IN (SELECT department_code FROM department_categories WHERE category = ?)")
	w.addSearch(f.Q, "name", "code")
	rows, err := tx.query(ctx, "SELECT code, name, created_at, updated_at FROM departments"+w.String()+" ORDER BY code LIMIT ?", append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: list departments")
	}
	items, err := collect(rows, func(s interface{ Scan(...any) error }) (org.Department, error) {
		var d org.Department
		err := s.Scan(&d.Code, &d.Name, &d.CreatedAt, &d.UpdatedAt)
		return d, err
	}, "departments")
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(items))
	for i, d := range items {
		codes[i] = d.Code
	}
	cats, err := tx.departmentCategories(ctx, codes)
	for i := range items {
		items[i].Categories = cats[items[i].Code]
		if items[i].Categories == nil {
			items[i].Categories = []string{}
		}
	}
	return items, err
}

// InsertDepartment stores a new department and its categories.
func (tx *Tx) InsertDepartment(ctx context.Context, d org.Department) error {
	if _, err := tx.exec(ctx, "INSERT INTO departments (code, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
		d.Code, d.Name, d.CreatedAt, d.UpdatedAt); err != nil {
		return mapErr(err, "store: insert department")
	}
	return tx.setDepartmentCategories(ctx, d)
}

// UpdateDepartment stores a department's name and categories.
func (tx *Tx) UpdateDepartment(ctx context.Context, d org.Department) error {
	if _, err := tx.exec(ctx, "UPDATE departments SET name = ?, updated_at = ? WHERE code = ?", d.Name, d.UpdatedAt, d.Code); err != nil {
		return mapErr(err, "store: update department")
	}
	if _, err := tx.exec(ctx, "DELETE FROM department_categories WHERE department_code = ?", d.Code); err != nil {
		return mapErr(err, "store: update department")
	}
	return tx.setDepartmentCategories(ctx, d)
}

func (tx *Tx) setDepartmentCategories(ctx context.Context, d org.Department) error {
	for _, c := range d.Categories {
		if _, err := tx.exec(ctx, "INSERT INTO department_categories (department_code, category) VALUES (?, ?)", d.Code, c); err != nil {
			return mapErr(err, "store: department category")
		}
	}
	return nil
}

// ---- institutions ----

const institutionCols = "code, name, kind, COALESCE(platform_code, ''), created_at, updated_at"

func scanInstitution(s interface{ Scan(...any) error }) (org.Institution, error) {
	var i org.Institution
	err := s.Scan(&i.Code, &i.Name, &i.Kind, &i.PlatformCode, &i.CreatedAt, &i.UpdatedAt)
	return i, err
}

// Institution returns one institution or not_found.
func (tx *Tx) Institution(ctx context.Context, code string) (org.Institution, error) {
	i, err := scanInstitution(tx.queryRow(ctx, "SELECT "+institutionCols+" FROM institutions WHERE code = ?", code))
	if err != nil {
		return org.Institution{}, notFound(err, "object.institution", code)
	}
	return i, nil
}

// Institutions lists institutions by code.
func (tx *Tx) Institutions(ctx context.Context, f org.InstitutionFilter) ([]org.Institution, error) {
	var w where
	w.addIf(f.Code, "code = ?")
	w.addIf(f.Kind, "kind = ?")
	w.addIf(f.PlatformCode, "platform_code = ?")
	w.addIf(f.After, "code > ?")
	w.addSearch(f.Q, "name", "code")
	rows, err := tx.query(ctx, "SELECT "+institutionCols+" FROM institutions"+w.String()+" ORDER BY code LIMIT ?", append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: list institutions")
	}
	return collect(rows, scanInstitution, "institutions")
}

// InsertInstitution stores a new institution.
func (tx *Tx) InsertInstitution(ctx context.Context, i org.Institution) error {
	_, err := tx.exec(ctx, "INSERT INTO institutions (code, name, kind, platform_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		i.Code, i.Name, i.Kind, nullString(i.PlatformCode), i.CreatedAt, i.UpdatedAt)
	return mapErr(err, "store: insert institution")
}

// UpdateInstitution stores an institution's editable fields.
func (tx *Tx) UpdateInstitution(ctx context.Context, i org.Institution) error {
	_, err := tx.exec(ctx, "UPDATE institutions SET name = ?, kind = ?, platform_code = ?, updated_at = ? WHERE code = ?",
		i.Name, i.Kind, nullString(i.PlatformCode), i.UpdatedAt, i.Code)
	return mapErr(err, "store: update institution")
}

// ---- standards, settings, brand ----

// Standards returns every tier's standard.
func (tx *Tx) Standards(ctx context.Context) ([]org.Standard, error) {
	rows, err := tx.query(ctx, "SELECT tier, min_area_m2, min_smes_served, min_satisfaction, updated_at FROM tier_standards ORDER BY tier")
	if err != nil {
		return nil, mapErr(err, "store: standards")
	}
	return collect(rows, func(s interface{ Scan(...any) error }) (org.Standard, error) {
		var st org.Standard
		err := s.Scan(&st.Tier, &st.MinAreaM2, &st.MinSMEsServed, &st.MinSatisfaction, &st.UpdatedAt)
		return st, err
	}, "standards")
}

// UpdateStandard stores one tier's standard.
func (tx *Tx) UpdateStandard(ctx context.Context, s org.Standard) error {
	_, err := tx.exec(ctx, "UPDATE tier_standards SET min_area_m2 = ?, min_smes_served = ?, min_satisfaction = ?, updated_at = ? WHERE tier = ?",
		s.MinAreaM2, s.MinSMEsServed, s.MinSatisfaction, s.UpdatedAt, s.Tier)
	return mapErr(err, "store: update standard")
}

// Setting returns a configuration value and whether it is set.
func (tx *Tx) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := tx.queryRow(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, mapErr(err, "store: setting %s", key)
	}
	return v, true, nil
}

// SetSetting stores a configuration value.
func (tx *Tx) SetSetting(ctx context.Context, key, value string, at time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, at)
	return mapErr(err, "store: set setting %s", key)
}

// BrandLogo returns the uploaded logo or not_found.
func (tx *Tx) BrandLogo(ctx context.Context) (org.Logo, error) {
	var l org.Logo
	err := tx.queryRow(ctx, "SELECT content_type, data, sha256 FROM brand_assets WHERE name = 'logo'").Scan(&l.ContentType, &l.Data, &l.SHA256)
	if err != nil {
		return org.Logo{}, notFound(err, "object.logo", "logo")
	}
	return l, nil
}

// SaveBrandLogo stores the logo.
func (tx *Tx) SaveBrandLogo(ctx context.Context, l org.Logo, at time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO brand_assets (name, content_type, data, sha256, updated_at) VALUES ('logo', ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET content_type = excluded.content_type, data = excluded.data,
		sha256 = excluded.sha256, updated_at = excluded.updated_at`, l.ContentType, l.Data, l.SHA256, at)
	return mapErr(err, "store: save logo")
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error), what string) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, mapErr(err, "store: scan %s", what)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "store: %s", what)
	}
	return out, nil
}
