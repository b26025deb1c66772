package org

import (
	"context"
	"encoding/json"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
)

// RegionFilter selects regions, ordered by code.
type RegionFilter struct {
	Level      Level
	ParentCode string
	Q          string // name or code contains
	After      string // cursor: codes greater than this
	Limit      int
}

// PlatformFilter selects platforms within a scope, ordered by code.
type PlatformFilter struct {
	Scope      access.PlatformScope
	Tier       Tier
	RegionCode string
	ParentCode string
	Q          string
	After      string
	Limit      int
}

// DepartmentFilter selects departments, ordered by code.
type DepartmentFilter struct {
	Code     string // only this one (a department user's own)
	Category string
	Q        string
	After    string
	Limit    int
}

// InstitutionFilter selects institutions, ordered by code.
type InstitutionFilter struct {
	Code         string
	Kind         string
	PlatformCode string
	Q            string
	After        string
	Limit        int
}

// Logo is the brand logo image.
type Logo struct {
	ContentType string
	Data        []byte
	SHA256      string
}

// Tx is what the org service needs from storage, inside one transaction
// (writes) or against the read pool (reads). Lookups of one object return an
// apperr not_found error when it does not exist.
type Tx interface {
	audit.Appender
	Region(ctx context.Context, code string) (Region, error)
	Regions(ctx context.Context, f RegionFilter) ([]Region, error)
	InsertRegion(ctx context.Context, r Region) error
	UpdateRegion(ctx context.Context, r Region) error
	Platform(ctx context.Context, code string) (Platform, error)
	Platforms(ctx context.Context, f PlatformFilter) ([]Platform, error)
	// PlatformOfRegion returns the platform of a comprehensive tier in a region.
	PlatformOfRegion(ctx context.Context, regionCode string, t Tier) (Platform, error)
	InsertPlatform(ctx context.Context, p Platform) error
	UpdatePlatform(ctx context.Context, p Platform) error
	// MovePlatforms rewrites the path prefix of a platform's subtree.
	MovePlatforms(ctx context.Context, oldPrefix, newPrefix string) error
	Department(ctx context.Context, code string) (Department, error)
	Departments(ctx context.Context, f DepartmentFilter) ([]Department, error)
	InsertDepartment(ctx context.Context, d Department) error
	UpdateDepartment(ctx context.Context, d Department) error
	Institution(ctx context.Context, code string) (Institution, error)
	Institutions(ctx context.Context, f InstitutionFilter) ([]Institution, error)
	InsertInstitution(ctx context.Context, i Institution) error
	UpdateInstitution(ctx context.Context, i Institution) error
	Standards(ctx context.Context) ([]Standard, error)
	UpdateStandard(ctx context.Context, s Standard) error
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string, at time.Time) error
	BrandLogo(ctx context.Context) (Logo, error)
	SaveBrandLogo(ctx context.Context, l Logo, at time.Time) error
}

// Store runs functions on a Tx.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Service is the platform network's domain service. Every method takes the
// acting user and enforces role and scope itself.
type Service struct {
	store Store
	clock clock.Clock
}

// NewService makes the org service.
func NewService(s Store, c clock.Clock) *Service { return &Service{store: s, clock: c} }

const (
	defaultLimit = 50
	maxLimit     = 500
)

func clampLimit(n int) int {
	if n <= 0 {
		return defaultLimit
	}
	return min(n, maxLimit)
}

// page trims a list fetched with limit+1 rows and returns the next cursor.
func page[T any](items []T, limit int, key func(T) string) ([]T, string) {
	if len(items) > limit {
		items = items[:limit]
		return items, key(items[limit-1])
	}
	return items, ""
}

func (s *Service) requireAdmin(a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	return nil
}

// ---- regions ----

// CreateRegion adds a region (city admin). Errors: forbidden; invalid (code
// shape, level, unknown or wrong parent); conflict duplicate_code.
func (s *Service) CreateRegion(ctx context.Context, a access.Actor, r Region) (Region, error) {
	if err := s.requireAdmin(a); err != nil {
		return Region{}, err
	}
	r.Normalize()
	if err := r.Validate(); err != nil {
		return Region{}, err
	}
	now := s.clock.Now()
	r.CreatedAt, r.UpdatedAt = now, now
	if r.KeyStreet && r.Level != LevelStreet {
		return Region{}, apperr.Field("key_street", "invalid", "error.key_street_level")
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.Region(ctx, r.Code); err == nil {
			return duplicate("code")
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if r.ParentCode != "" {
			parent, err := tx.Region(ctx, r.ParentCode)
			if err != nil {
				return unknownRef(err, "parent_code")
			}
			if err := r.ValidateParent(parent); err != nil {
				return err
			}
		}
		if err := tx.InsertRegion(ctx, r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "region.create", "region", r.Code, audit.Success).Change(nil, r))
	})
	return r, err
}

// RegionPatch holds the editable fields of a region; nil means unchanged.
type RegionPatch struct {
	Name      *string `json:"name"`
	KeyStreet *bool   `json:"key_street"`
}

// UpdateRegion edits a region's name and key-street flag (city admin).
func (s *Service) UpdateRegion(ctx context.Context, a access.Actor, code string, p RegionPatch) (Region, error) {
	if err := s.requireAdmin(a); err != nil {
		return Region{}, err
	}
	var out Region
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.Region(ctx, code)
		if err != nil {
			return err
		}
		r := before
		if p.Name != nil {
			r.Name = *p.Name
		}
		if p.KeyStreet != nil {
			if *p.KeyStreet && r.Level != LevelStreet {
				return apperr.Field("key_street", "invalid", "error.key_street_level")
			}
			r.KeyStreet = *p.KeyStreet
		}
		r.Normalize()
		if err := r.Validate(); err != nil {
			return err
		}
		r.UpdatedAt = s.clock.Now()
		if err := tx.UpdateRegion(ctx, r); err != nil {
			return err
		}
		out = r
		return tx.AppendAudit(ctx, audit.New(a, r.UpdatedAt, "region.update", "region", r.Code, audit.Success).Change(before, r))
	})
	return out, err
}

// Region returns one region; every logged-in user may read the
// administrative divisions (public reference data).
func (s *Service) Region(ctx context.Context, a access.Actor, code string) (Region, error) {
	var r Region
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		r, err = tx.Region(ctx, code)
		return err
	})
	return r, err
}

// Regions lists regions by code and returns the next cursor.
func (s *Service) Regions(ctx context.Context, a access.Actor, f RegionFilter) ([]Region, string, error) {
	limit := clampLimit(f.Limit)
	f.Limit = limit + 1
	var items []Region
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		items, err = tx.Regions(ctx, f)
		return err
	})
	items, next := page(items, limit, func(r Region) string { return r.Code })
	return items, next, err
}

// RegionChain returns a region and every region above it, nearest first.
func (s *Service) RegionChain(ctx context.Context, code string) ([]Region, error) {
	var chain []Region
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		chain, err = regionChain(ctx, tx, code)
		return err
	})
	return chain, err
}

func regionChain(ctx context.Context, tx Tx, code string) ([]Region, error) {
	var chain []Region
	for code != "" && len(chain) < 5 {
		r, err := tx.Region(ctx, code)
		if err != nil {
			return nil, err
		}
		chain = append(chain, r)
		code = r.ParentCode
	}
	return chain, nil
}

// ---- platforms ----

// CreatePlatform adds a platform (city admin). When parent_code is empty the
// parent is derived from the region hierarchy (the district platform above a
// street, the city platform above a district or a specialised platform).
// Errors: forbidden; invalid (unknown region or parent, region level not
// fitting the tier, parent of a wrong tier or region); conflict
// duplicate_code or duplicate_platform_region.
func (s *Service) CreatePlatform(ctx context.Context, a access.Actor, p Platform) (Platform, error) {
	if err := s.requireAdmin(a); err != nil {
		return Platform{}, err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return Platform{}, err
	}
	now := s.clock.Now()
	p.CreatedAt, p.UpdatedAt = now, now
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.Platform(ctx, p.Code); err == nil {
			return duplicate("code")
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err := s.placePlatform(ctx, tx, &p); err != nil {
			return err
		}
		if p.Tier != TierSpecialised {
			if _, err := tx.PlatformOfRegion(ctx, p.RegionCode, p.Tier); err == nil {
				return &apperr.Error{Kind: apperr.Conflict, Code: "duplicate_platform_region", Field: "region_code", Key: "error.duplicate_platform_region"}
			} else if !apperr.Is(err, apperr.NotFound) {
				return err
			}
		}
		if err := tx.InsertPlatform(ctx, p); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "platform.create", "platform", p.Code, audit.Success).Change(nil, p))
	})
	return p, err
}

// placePlatform checks region and parent and sets the path.
func (s *Service) placePlatform(ctx context.Context, tx Tx, p *Platform) error {
	chain, err := regionChain(ctx, tx, p.RegionCode)
	if err != nil {
		return unknownRef(err, "region_code")
	}
	if err := p.ValidateRegion(chain[0]); err != nil {
		return err
	}
	if p.ParentCode == "" && p.Tier != TierCity {
		p.ParentCode = defaultParent(ctx, tx, p.Tier, chain)
		if p.ParentCode == "" && p.Tier != TierSpecialised {
			return apperr.Field("parent_code", "parent_missing", "error.parent_platform_missing")
		}
	}
	if p.ParentCode == "" {
		p.Path = "/" + p.Code + "/"
		return nil
	}
	parent, err := tx.Platform(ctx, p.ParentCode)
	if err != nil {
		return unknownRef(err, "parent_code")
	}
	codes := make([]string, len(chain))
	for i, r := range chain {
		codes[i] = r.Code
	}
	if err := p.ValidateParent(parent, codes); err != nil {
		return err
	}
	p.Path = parent.Path + p.Code + "/"
	return nil
}

// defaultParent finds the platform a new platform hangs under when no parent
// was given. A specialised platform hangs under the comprehensive platform of
// its own region (a district's, or the city's), or failing that of the nearest
// region above; a street or district platform under the nearest platform of
// the tier above.
func defaultParent(ctx context.Context, tx Tx, t Tier, chain []Region) string {
	want := parentTiersFor(t)
	regions := chain[1:]
	if t == TierSpecialised {
		regions = chain
	}
	for _, r := range regions {
		for _, pt := range want {
			if p, err := tx.PlatformOfRegion(ctx, r.Code, pt); err == nil {
				return p.Code
			}
		}
	}
	return ""
}

// PlatformPatch holds the editable fields of a platform; nil means
// unchanged. Tier and region are fixed once created.
type PlatformPatch struct {
	Name              *string  `json:"name"`
	Tier              *Tier    `json:"tier"`
	RegionCode        *string  `json:"region_code"`
	ParentCode        *string  `json:"parent_code"`
	LegalStatus       *string  `json:"legal_status"`
	OperatingBody     *string  `json:"operating_body"`
	FundingSource     *string  `json:"funding_source"`
	FundingWan        *float64 `json:"funding_wan"`
	StaffCount        *int     `json:"staff_count"`
	ProfessionalStaff *int     `json:"professional_staff"`
	AreaM2            *float64 `json:"area_m2"`
	Hotline           *string  `json:"hotline"`
	Address           *string  `json:"address"`
	EstablishedOn     *string  `json:"established_on"`
}

// Apply returns p with the patch's fields set.
func (pp PlatformPatch) Apply(p Platform) Platform {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Name, pp.Name)
	set(&p.ParentCode, pp.ParentCode)
	set(&p.LegalStatus, pp.LegalStatus)
	set(&p.OperatingBody, pp.OperatingBody)
	set(&p.FundingSource, pp.FundingSource)
	set(&p.Hotline, pp.Hotline)
	set(&p.Address, pp.Address)
	set(&p.EstablishedOn, pp.EstablishedOn)
	if pp.FundingWan != nil {
		p.FundingWan = *pp.FundingWan
	}
	if pp.StaffCount != nil {
		p.StaffCount = *pp.StaffCount
	}
	if pp.ProfessionalStaff != nil {
		p.ProfessionalStaff = *pp.ProfessionalStaff
	}
	if pp.AreaM2 != nil {
		p.AreaM2 = *pp.AreaM2
	}
	return p
}

// UpdatePlatform edits a platform (city admin). Changing the parent moves
// the platform's whole subtree. Errors: forbidden, not_found, invalid
// (tier_fixed, region_fixed, a parent inside its own subtree …).
func (s *Service) UpdatePlatform(ctx context.Context, a access.Actor, code string, pp PlatformPatch) (Platform, error) {
	if err := s.requireAdmin(a); err != nil {
		return Platform{}, err
	}
	var out Platform
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.Platform(ctx, code)
		if err != nil {
			return err
		}
		if pp.Tier != nil && *pp.Tier != before.Tier {
			return apperr.Field("tier", "tier_fixed", "error.tier_fixed")
		}
		if pp.RegionCode != nil && *pp.RegionCode != before.RegionCode {
			return apperr.Field("region_code", "region_fixed", "error.region_fixed")
		}
		p := pp.Apply(before)
		p.Normalize()
		if err := p.Validate(); err != nil {
			return err
		}
		if p.ParentCode != before.ParentCode {
			if p.ParentCode != "" {
				parent, err := tx.Platform(ctx, p.ParentCode)
				if err != nil {
					return unknownRef(err, "parent_code")
				}
				if len(parent.Path) >= len(before.Path) && parent.Path[:len(before.Path)] == before.Path {
					return apperr.Field("parent_code", "invalid_parent", "error.platform_parent_cycle")
				}
			}
			if err := s.placePlatform(ctx, tx, &p); err != nil {
				return err
			}
			if err := tx.MovePlatforms(ctx, before.Path, p.Path); err != nil {
				return err
			}
		}
		p.UpdatedAt = s.clock.Now()
		if err := tx.UpdatePlatform(ctx, p); err != nil {
			return err
		}
		out = p
		return tx.AppendAudit(ctx, audit.New(a, p.UpdatedAt, "platform.update", "platform", p.Code, audit.Success).Change(before, p))
	})
	return out, err
}

// Platform returns one platform if it is inside the actor's scope
// (forbidden otherwise, not_found when unknown).
func (s *Service) Platform(ctx context.Context, a access.Actor, code string) (Platform, error) {
	var p Platform
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		p, err = tx.Platform(ctx, code)
		return err
	})
	if err != nil {
		return Platform{}, err
	}
	if !a.Platforms().Admits(p.Path) {
		return Platform{}, apperr.Deny()
	}
	return p, nil
}

// Platforms lists the platforms inside the actor's scope. A role that sees
// no platforms at all is refused.
func (s *Service) Platforms(ctx context.Context, a access.Actor, f PlatformFilter) ([]Platform, string, error) {
	f.Scope = a.Platforms()
	if f.Scope.None() {
		return nil, "", apperr.Deny()
	}
	limit := clampLimit(f.Limit)
	f.Limit = limit + 1
	var items []Platform
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		items, err = tx.Platforms(ctx, f)
		return err
	})
	items, next := page(items, limit, func(p Platform) string { return p.Code })
	return items, next, err
}

// Compliance checks a platform against its tier standard with the measures
// statistics provide (nil figures until measured).
func (s *Service) Compliance(ctx context.Context, p Platform, m Measures) (Compliance, error) {
	stds, err := s.Standards(ctx)
	if err != nil {
		return Compliance{}, err
	}
	return Check(p, stds[p.Tier], m), nil
}

// ---- departments ----

// CreateDepartment adds a department (city admin). Errors: forbidden,
// invalid, conflict duplicate_code.
func (s *Service) CreateDepartment(ctx context.Context, a access.Actor, d Department) (Department, error) {
	if err := s.requireAdmin(a); err != nil {
		return Department{}, err
	}
	d.Normalize()
	if err := d.Validate(); err != nil {
		return Department{}, err
	}
	now := s.clock.Now()
	d.CreatedAt, d.UpdatedAt = now, now
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.Department(ctx, d.Code); err == nil {
			return duplicate("code")
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err := tx.InsertDepartment(ctx, d); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "department.create", "department", d.Code, audit.Success).Change(nil, d))
	})
	return d, err
}

// DepartmentPatch holds the editable fields of a department.
type DepartmentPatch struct {
	Name       *string   `json:"name"`
	Categories *[]string `json:"categories"`
}

// UpdateDepartment edits a department's name and categories (city admin).
func (s *Service) UpdateDepartment(ctx context.Context, a access.Actor, code string, dp DepartmentPatch) (Department, error) {
	if err := s.requireAdmin(a); err != nil {
		return Department{}, err
	}
	var out Department
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.Department(ctx, code)
		if err != nil {
			return err
		}
		d := before
		if dp.Name != nil {
			d.Name = *dp.Name
		}
		if dp.Categories != nil {
			d.Categories = *dp.Categories
		}
		d.Normalize()
		if err := d.Validate(); err != nil {
			return err
		}
		d.UpdatedAt = s.clock.Now()
		if err := tx.UpdateDepartment(ctx, d); err != nil {
			return err
		}
		out = d
		return tx.AppendAudit(ctx, audit.New(a, d.UpdatedAt, "department.update", "department", d.Code, audit.Success).Change(before, d))
	})
	return out, err
}

// seesDepartment: a department's staff see their own department; other
// staff see all (they route and transfer to them); others none.
func seesDepartment(a access.Actor, code string) bool {
	if a.Role == access.DepartmentStaff {
		return a.OrgCode == code
	}
	return a.SeesNetwork()
}

// Department returns one department within the actor's scope.
func (s *Service) Department(ctx context.Context, a access.Actor, code string) (Department, error) {
	var d Department
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		d, err = tx.Department(ctx, code)
		return err
	})
	if err != nil {
		return Department{}, err
	}
	if !seesDepartment(a, d.Code) {
		return Department{}, apperr.Deny()
	}
	return d, nil
}

// Departments lists the departments the actor may see.
func (s *Service) Departments(ctx context.Context, a access.Actor, f DepartmentFilter) ([]Department, string, error) {
	if !a.SeesNetwork() {
		return nil, "", apperr.Deny()
	}
	if a.Role == access.DepartmentStaff {
		f.Code = a.OrgCode
	}
	limit := clampLimit(f.Limit)
	f.Limit = limit + 1
	var items []Department
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		items, err = tx.Departments(ctx, f)
		return err
	})
	items, next := page(items, limit, func(d Department) string { return d.Code })
	return items, next, err
}

// ---- institutions ----

// CreateInstitution registers a service institution (city admin). Errors:
// forbidden; invalid (code, name, kind, unknown platform_code); conflict
// duplicate_code.
func (s *Service) CreateInstitution(ctx context.Context, a access.Actor, in Institution) (Institution, error) {
	if err := s.requireAdmin(a); err != nil {
		return Institution{}, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Institution{}, err
	}
	now := s.clock.Now()
	in.CreatedAt, in.UpdatedAt = now, now
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.Institution(ctx, in.Code); err == nil {
			return duplicate("code")
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if in.PlatformCode != "" {
			if _, err := tx.Platform(ctx, in.PlatformCode); err != nil {
				return unknownRef(err, "platform_code")
			}
		}
		if err := tx.InsertInstitution(ctx, in); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "institution.create", "institution", in.Code, audit.Success).Change(nil, in))
	})
	return in, err
}

// InstitutionPatch holds the editable fields of an institution; nil means
// unchanged. The code is fixed once registered.
type InstitutionPatch struct {
	Name         *string `json:"name"`
	Kind         *string `json:"kind"`
	PlatformCode *string `json:"platform_code"`
}

// UpdateInstitution edits an institution's name, kind and platform (city
// admin). Errors: forbidden; not_found; invalid (name, kind, unknown
// platform).
func (s *Service) UpdateInstitution(ctx context.Context, a access.Actor, code string, ip InstitutionPatch) (Institution, error) {
	if err := s.requireAdmin(a); err != nil {
		return Institution{}, err
	}
	var out Institution
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.Institution(ctx, code)
		if err != nil {
			return err
		}
		in := before
		if ip.Name != nil {
			in.Name = *ip.Name
		}
		if ip.Kind != nil {
			in.Kind = *ip.Kind
		}
		if ip.PlatformCode != nil {
			in.PlatformCode = *ip.PlatformCode
		}
		in.Normalize()
		if err := in.Validate(); err != nil {
			return err
		}
		if in.PlatformCode != "" && in.PlatformCode != before.PlatformCode {
			if _, err := tx.Platform(ctx, in.PlatformCode); err != nil {
				return unknownRef(err, "platform_code")
			}
		}
		in.UpdatedAt = s.clock.Now()
		if err := tx.UpdateInstitution(ctx, in); err != nil {
			return err
		}
		out = in
		return tx.AppendAudit(ctx, audit.New(a, in.UpdatedAt, "institution.update", "institution", in.Code, audit.Success).Change(before, in))
	})
	return out, err
}

// Institutions lists institutions: staff see all, an institution's own
// staff see their own.
func (s *Service) Institutions(ctx context.Context, a access.Actor, f InstitutionFilter) ([]Institution, string, error) {
	switch {
	case a.Role == access.InstitutionStaff:
		f.Code = a.OrgCode
	case !a.SeesNetwork():
		return nil, "", apperr.Deny()
	}
	limit := clampLimit(f.Limit)
	f.Limit = limit + 1
	var items []Institution
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		items, err = tx.Institutions(ctx, f)
		return err
	})
	items, next := page(items, limit, func(i Institution) string { return i.Code })
	return items, next, err
}

// Institution returns one institution within the actor's scope.
func (s *Service) Institution(ctx context.Context, a access.Actor, code string) (Institution, error) {
	var in Institution
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		in, err = tx.Institution(ctx, code)
		return err
	})
	if err != nil {
		return Institution{}, err
	}
	if a.Role == access.InstitutionStaff && a.OrgCode != code || a.Role != access.InstitutionStaff && !a.SeesNetwork() {
		return Institution{}, apperr.Deny()
	}
	return in, nil
}

// ---- standards and brand ----

// Standards returns the tier standards, keyed by tier.
func (s *Service) Standards(ctx context.Context) (map[Tier]Standard, error) {
	out := map[Tier]Standard{}
	err := s.store.Read(ctx, func(tx Tx) error {
		list, err := tx.Standards(ctx)
		for _, st := range list {
			out[st.Tier] = st
		}
		return err
	})
	return out, err
}

// UpdateStandard changes one tier's thresholds (city admin).
func (s *Service) UpdateStandard(ctx context.Context, a access.Actor, st Standard) (Standard, error) {
	if err := s.requireAdmin(a); err != nil {
		return Standard{}, err
	}
	if err := st.Validate(); err != nil {
		return Standard{}, err
	}
	st.UpdatedAt = s.clock.Now()
	err := s.store.Write(ctx, func(tx Tx) error {
		list, err := tx.Standards(ctx)
		if err != nil {
			return err
		}
		var before *Standard
		for i := range list {
			if list[i].Tier == st.Tier {
				before = &list[i]
			}
		}
		if err := tx.UpdateStandard(ctx, st); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, st.UpdatedAt, "standard.update", "standard", string(st.Tier), audit.Success).Change(before, st))
	})
	return st, err
}

const settingBrand = "brand"

// Brand returns the network brand; public (it is on every page).
func (s *Service) Brand(ctx context.Context) (Brand, error) {
	b := DefaultBrand
	err := s.store.Read(ctx, func(tx Tx) error {
		v, ok, err := tx.Setting(ctx, settingBrand)
		if err != nil || !ok {
			return err
		}
		return json.Unmarshal([]byte(v), &b)
	})
	return b, err
}

// UpdateBrand sets the network brand (city admin). The logo is set apart.
func (s *Service) UpdateBrand(ctx context.Context, a access.Actor, b Brand) (Brand, error) {
	if err := s.requireAdmin(a); err != nil {
		return Brand{}, err
	}
	b.Normalize()
	if err := b.Validate(); err != nil {
		return Brand{}, err
	}
	before, err := s.Brand(ctx)
	if err != nil {
		return Brand{}, err
	}
	b.LogoSHA = before.LogoSHA
	b.UpdatedAt = s.clock.Now()
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := saveBrand(ctx, tx, b); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, b.UpdatedAt, "brand.update", "brand", "brand", audit.Success).Change(before, b))
	})
	return b, err
}

func saveBrand(ctx context.Context, tx Tx, b Brand) error {
	v, err := json.Marshal(b)
	if err != nil {
		return apperr.Wrap(err, "org: encode brand")
	}
	return tx.SetSetting(ctx, settingBrand, string(v), b.UpdatedAt)
}

// MaxLogoBytes bounds the brand logo.
const MaxLogoBytes = 256 << 10

// SetLogo stores the brand logo (city admin): PNG or JPEG only (SVG can carry
// script), at most MaxLogoBytes.
func (s *Service) SetLogo(ctx context.Context, a access.Actor, data []byte) (Brand, error) {
	if err := s.requireAdmin(a); err != nil {
		return Brand{}, err
	}
	if len(data) == 0 {
		return Brand{}, apperr.Required("logo")
	}
	if len(data) > MaxLogoBytes {
		return Brand{}, apperr.Field("logo", "too_large", "error.file_too_large").With("max", "256 KB")
	}
	ct := sniffImage(data)
	if ct == "" {
		return Brand{}, apperr.Field("logo", "invalid_type", "error.logo_type")
	}
	b, err := s.Brand(ctx)
	if err != nil {
		return Brand{}, err
	}
	before := b
	l := Logo{ContentType: ct, Data: data, SHA256: audit.Digest(data)}
	b.LogoSHA = l.SHA256
	b.UpdatedAt = s.clock.Now()
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.SaveBrandLogo(ctx, l, b.UpdatedAt); err != nil {
			return err
		}
		if err := saveBrand(ctx, tx, b); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, b.UpdatedAt, "brand.logo", "brand", "logo", audit.Success).Change(before, b))
	})
	return b, err
}

// Logo returns the uploaded logo (not_found when none).
func (s *Service) Logo(ctx context.Context) (Logo, error) {
	var l Logo
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		l, err = tx.BrandLogo(ctx)
		return err
	})
	return l, err
}

func sniffImage(b []byte) string {
	switch {
	case len(b) > 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png"
	case len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "image/jpeg"
	}
	return ""
}

// ---- errors ----

func duplicate(field string) error {
	return &apperr.Error{Kind: apperr.Conflict, Code: "duplicate_" + field, Field: field, Key: "error.duplicate_code"}
}

// unknownRef turns a not_found of a referenced object into a 422 on the
// field that referenced it.
func unknownRef(err error, field string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field(field, "unknown_reference", "error.unknown_reference")
	}
	return err
}
