package stats

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/org"
)

// PlatformRef is what statistics need of a platform.
type PlatformRef struct {
	Code       string  `json:"code"`
	Name       string  `json:"name"`
	Tier       string  `json:"tier"`
	RegionCode string  `json:"region_code"`
	ParentCode string  `json:"parent_code"`
	AreaM2     float64 `json:"area_m2"`
	Path       string  `json:"-"`
	// Since is the first day the platform served: its founding date, or
	// the day it was entered in Qifu.
	Since string `json:"-"`
}

// DepartmentRef is what statistics need of a department.
type DepartmentRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Owners selects handlers whose counts are summed: one handler (Code), the
// platforms whose path starts with PathPrefix, or else every handler of the
// type.
type Owners struct {
	Type       string
	Code       string
	PathPrefix string
}

// KeyStreet is a key street (重点街道) with the founding date of its street
// platform ("" when it has none).
type KeyStreet struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	PlatformCode  string `json:"platform_code"`
	PlatformSince string `json:"-"`
}

// Tx is what the statistics service needs from storage. The rollups are
// written by the store itself, in the transactions that change records,
// tickets and enterprises (see the package comment).
type Tx interface {
	audit.Appender
	StatsPlatformRefs(ctx context.Context) ([]PlatformRef, error)
	StatsDepartmentRefs(ctx context.Context) ([]DepartmentRef, error)
	Region(ctx context.Context, code string) (org.Region, error)
	Standards(ctx context.Context) ([]org.Standard, error)
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string, at time.Time) error
	// StatsCountsByOwner sums the year's months of every handler of a
	// type, by code.
	StatsCountsByOwner(ctx context.Context, year int, ownerType string) (map[string]Counts, error)
	// StatsCountsByMonth sums the selected handlers' counts month by
	// month (index 0 is January).
	StatsCountsByMonth(ctx context.Context, year int, o Owners) ([12]Counts, error)
	// StatsBreakdown sums the selected handlers' yearly volumes by
	// dimension and key.
	StatsBreakdown(ctx context.Context, year int, o Owners) (map[string]map[string]int64, error)
	// StatsReachByScope returns the SMEs served in the year by every
	// scope of a type, by code.
	StatsReachByScope(ctx context.Context, year int, scopeType string) (map[string]int64, error)
	// StatsReachByMonth returns the SMEs a scope served for the first
	// time in the year, month by month.
	StatsReachByMonth(ctx context.Context, year int, s Scope) ([12]int64, error)
	StatsTargets(ctx context.Context) ([]Targets, error)
	SaveStatsTargets(ctx context.Context, t Targets) error
	Demonstrations(ctx context.Context) ([]Demonstration, error)
	SaveDemonstration(ctx context.Context, d Demonstration) error
	KeyStreets(ctx context.Context) ([]KeyStreet, error)
	// RebuildStats recomputes every rollup from the raw rows (write
	// transactions only).
	RebuildStats(ctx context.Context) (RebuildReport, error)
}

// Store runs functions on a Tx.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Service reads the statistics within the caller's scope: the city admin,
// auditors and hotline operators everything; a platform's staff its
// platform and the platforms below it; a department's staff its
// department; nobody else anything.
type Service struct {
	store Store
	clock clock.Clock
}

// NewService makes the statistics service.
func NewService(s Store, c clock.Clock) *Service { return &Service{store: s, clock: c} }

// ThisYear is the current year in China Standard Time, the default year of
// every figure.
func (s *Service) ThisYear() int {
	y, _ := YearMonth(s.clock.Now())
	return y
}

const settingMinScore = "stats.satisfied_min_score"

func settings(ctx context.Context, tx Tx) (Settings, error) {
	out := DefaultSettings
	v, ok, err := tx.Setting(ctx, settingMinScore)
	if err != nil || !ok {
		return out, err
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 5 {
		out.SatisfiedMinScore = n
	}
	return out, nil
}

// Settings returns the city's rules for the figures (every staff role).
func (s *Service) Settings(ctx context.Context, a access.Actor) (Settings, error) {
	if !a.SeesNetwork() {
		return Settings{}, apperr.Deny()
	}
	var out Settings
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = settings(ctx, tx)
		return err
	})
	return out, err
}

// SaveSettings changes the rules (city admin; audited). Every figure
// follows at once: the rollups keep ratings by score, not by rule. Errors:
// forbidden; invalid out_of_range.
func (s *Service) SaveSettings(ctx context.Context, a access.Actor, in Settings) (Settings, error) {
	if !a.IsAdmin() {
		return Settings{}, apperr.Deny()
	}
	if err := in.Validate(); err != nil {
		return Settings{}, err
	}
	now := s.clock.Now()
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := settings(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, settingMinScore, strconv.Itoa(in.SatisfiedMinScore), now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "stats.settings", "setting", settingMinScore, audit.Success).Change(before, in))
	})
	return in, err
}

// ---- platforms ----

// PlatformQuery selects the platforms of a list: the year, and optionally
// a tier, a region (the platforms of the region and the regions inside it)
// and a parent platform (the platforms directly below it).
type PlatformQuery struct {
	Year       int
	Tier       string
	RegionCode string
	ParentCode string
}

// Compliant is a platform's standing against its tier standard (R1.2):
// SMEs served and premises always; satisfaction once something was rated.
type Compliant struct {
	SMEsServed   bool  `json:"smes_served"`
	Satisfaction *bool `json:"satisfaction"`
	Area         bool  `json:"area"`
}

// PlatformFigures are one platform's own figures for a year, against its
// tier standard.
type PlatformFigures struct {
	Year      int          `json:"year"`
	Platform  PlatformRef  `json:"platform"`
	Standard  org.Standard `json:"standard"`
	Compliant Compliant    `json:"compliant"`
	Summary
}

// comply checks a platform's figures against the standard (org.Check's
// rule).
func comply(p PlatformRef, std org.Standard, sum Summary) Compliant {
	smes := int(sum.SMEsServed)
	c := org.Check(org.Platform{AreaM2: p.AreaM2}, std, org.Measures{SMEsServed: &smes, SatisfactionRate: sum.SatisfactionRate})
	return Compliant{SMEsServed: c.SMEsServed != nil && *c.SMEsServed, Satisfaction: c.Satisfaction, Area: c.Area}
}

// view is what one read needs: the platforms the actor sees, the
// standards and the rule.
type view struct {
	all       []PlatformRef // every platform
	platforms []PlatformRef // those in the actor's scope
	byCode    map[string]PlatformRef
	standards map[string]org.Standard
	rule      Settings
}

func (s *Service) load(ctx context.Context, tx Tx, a access.Actor) (view, error) {
	var v view
	var err error
	if v.all, err = tx.StatsPlatformRefs(ctx); err != nil {
		return v, err
	}
	scope := a.Platforms()
	v.byCode = map[string]PlatformRef{}
	for _, p := range v.all {
		if scope.Admits(p.Path) {
			v.platforms = append(v.platforms, p)
			v.byCode[p.Code] = p
		}
	}
	stds, err := tx.Standards(ctx)
	if err != nil {
		return v, err
	}
	v.standards = map[string]org.Standard{}
	for _, st := range stds {
		v.standards[string(st.Tier)] = st
	}
	v.rule, err = settings(ctx, tx)
	return v, err
}

// seesPlatforms: roles with any platform in their scope.
func seesPlatforms(a access.Actor) bool { return !a.Platforms().None() }

// Platforms lists the platforms of the query within the actor's scope, by
// code, with their own figures for the year (zeros for a year without
// data). Errors: forbidden for roles that see no platform; invalid for a
// bad year, tier or an unknown region.
func (s *Service) Platforms(ctx context.Context, a access.Actor, q PlatformQuery) ([]PlatformFigures, error) {
	if !seesPlatforms(a) {
		return nil, apperr.Deny()
	}
	if err := ValidYear(q.Year); err != nil {
		return nil, err
	}
	if q.Tier != "" && !org.Tier(q.Tier).Valid() {
		return nil, apperr.Field("tier", "invalid_tier", "error.invalid_tier")
	}
	out := []PlatformFigures{}
	err := s.store.Read(ctx, func(tx Tx) error {
		if q.RegionCode != "" {
			if _, err := tx.Region(ctx, q.RegionCode); apperr.Is(err, apperr.NotFound) {
				return apperr.Field("region_code", "unknown_region", "error.unknown_reference")
			} else if err != nil {
				return err
			}
		}
		v, err := s.load(ctx, tx, a)
		if err != nil {
			return err
		}
		counts, err := tx.StatsCountsByOwner(ctx, q.Year, OwnerPlatform)
		if err != nil {
			return err
		}
		smes, err := tx.StatsReachByScope(ctx, q.Year, ScopePlatform)
		if err != nil {
			return err
		}
		prefix := access.RegionPrefix(q.RegionCode)
		for _, p := range v.platforms {
			if q.Tier != "" && p.Tier != q.Tier || q.ParentCode != "" && p.ParentCode != q.ParentCode ||
				q.RegionCode != "" && !strings.HasPrefix(p.RegionCode, prefix) {
				continue
			}
			out = append(out, v.platformFigures(q.Year, p, counts[p.Code], smes[p.Code]))
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Platform.Code < out[j].Platform.Code })
	return out, err
}

func (v view) platformFigures(year int, p PlatformRef, c Counts, smes int64) PlatformFigures {
	sum := Summarize(c, smes, v.rule)
	std := v.standards[p.Tier]
	return PlatformFigures{Year: year, Platform: p, Standard: std, Compliant: comply(p, std, sum), Summary: sum}
}

// Detail is a scope's figures for a year with its volumes and its months.
type Detail struct {
	Summary
	Breakdown
	Months []Month `json:"months"`
}

// PlatformDetail is one platform's figures for a year: its own, against
// its tier standard, and, for a city or district platform, those of its
// whole tree (it and every platform below it).
type PlatformDetail struct {
	Year      int          `json:"year"`
	Platform  PlatformRef  `json:"platform"`
	Standard  org.Standard `json:"standard"`
	Compliant Compliant    `json:"compliant"`
	Own       Detail       `json:"own"`
	Subtree   *Detail      `json:"subtree"`
}

// detail reads a scope's detail: the handlers' counts and volumes, the
// scope's SMEs served.
func detail(ctx context.Context, tx Tx, year int, owners []Owners, reach Scope, rule Settings) (Detail, error) {
	var months [12]Counts
	var total Counts
	items := map[string]map[string]int64{}
	for _, o := range owners {
		m, err := tx.StatsCountsByMonth(ctx, year, o)
		if err != nil {
			return Detail{}, err
		}
		for i := range m {
			months[i].Add(m[i])
			total.Add(m[i])
		}
		b, err := tx.StatsBreakdown(ctx, year, o)
		if err != nil {
			return Detail{}, err
		}
		for dim, keys := range b {
			if items[dim] == nil {
				items[dim] = map[string]int64{}
			}
			for k, n := range keys {
				items[dim][k] += n
			}
		}
	}
	smesNew, err := tx.StatsReachByMonth(ctx, year, reach)
	if err != nil {
		return Detail{}, err
	}
	var smes int64
	for _, n := range smesNew {
		smes += n
	}
	return Detail{Summary: Summarize(total, smes, rule), Breakdown: NewBreakdown(items), Months: Months(months, smesNew, rule)}, nil
}

// Platform returns one platform's figures for a year. Errors: not_found;
// forbidden outside the actor's scope; invalid year.
func (s *Service) Platform(ctx context.Context, a access.Actor, code string, year int) (PlatformDetail, error) {
	if err := ValidYear(year); err != nil {
		return PlatformDetail{}, err
	}
	var out PlatformDetail
	err := s.store.Read(ctx, func(tx Tx) error {
		v, err := s.load(ctx, tx, a)
		if err != nil {
			return err
		}
		var p *PlatformRef
		for i := range v.all {
			if v.all[i].Code == code {
				p = &v.all[i]
			}
		}
		if p == nil {
			return apperr.NotFoundOf("object.platform", code)
		}
		if _, ok := v.byCode[code]; !ok {
			return apperr.Deny()
		}
		own, err := detail(ctx, tx, year, []Owners{{Type: OwnerPlatform, Code: p.Code}}, Scope{ScopePlatform, p.Code}, v.rule)
		if err != nil {
			return err
		}
		std := v.standards[p.Tier]
		out = PlatformDetail{Year: year, Platform: *p, Standard: std, Compliant: comply(*p, std, own.Summary), Own: own}
		if HasTree(p.Tier) {
			sub, err := detail(ctx, tx, year, []Owners{{Type: OwnerPlatform, PathPrefix: p.Path}}, Scope{ScopeTree, p.Code}, v.rule)
			if err != nil {
				return err
			}
			out.Subtree = &sub
		}
		return nil
	})
	return out, err
}

// DistrictFigures are a district platform's own figures against its
// standard and the totals of its tree (the district's platforms).
type DistrictFigures struct {
	PlatformFigures
	Subtree Summary `json:"subtree"`
}

// Districts lists the district platforms within the actor's scope, by
// code, with their own figures and their tree's totals. Errors: forbidden
// for roles that see no platform; invalid year.
func (s *Service) Districts(ctx context.Context, a access.Actor, year int) ([]DistrictFigures, error) {
	if !seesPlatforms(a) {
		return nil, apperr.Deny()
	}
	if err := ValidYear(year); err != nil {
		return nil, err
	}
	out := []DistrictFigures{}
	err := s.store.Read(ctx, func(tx Tx) error {
		v, err := s.load(ctx, tx, a)
		if err != nil {
			return err
		}
		counts, err := tx.StatsCountsByOwner(ctx, year, OwnerPlatform)
		if err != nil {
			return err
		}
		smes, err := tx.StatsReachByScope(ctx, year, ScopePlatform)
		if err != nil {
			return err
		}
		trees, err := tx.StatsReachByScope(ctx, year, ScopeTree)
		if err != nil {
			return err
		}
		for _, d := range v.platforms {
			if d.Tier != string(org.TierDistrict) {
				continue
			}
			var sub Counts
			for _, p := range v.all {
				if strings.HasPrefix(p.Path, d.Path) {
					sub.Add(counts[p.Code])
				}
			}
			out = append(out, DistrictFigures{PlatformFigures: v.platformFigures(year, d, counts[d.Code], smes[d.Code]),
				Subtree: Summarize(sub, trees[d.Code], v.rule)})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Platform.Code < out[j].Platform.Code })
	return out, err
}

// CityDetail is the whole network's figures for a year: every platform and
// every department.
type CityDetail struct {
	Year int `json:"year"`
	Detail
}

// City returns the city's figures (those who read everything). Errors:
// forbidden; invalid year.
func (s *Service) City(ctx context.Context, a access.Actor, year int) (CityDetail, error) {
	if !a.ReadsAll() {
		return CityDetail{}, apperr.Deny()
	}
	if err := ValidYear(year); err != nil {
		return CityDetail{}, err
	}
	var out CityDetail
	err := s.store.Read(ctx, func(tx Tx) error {
		rule, err := settings(ctx, tx)
		if err != nil {
			return err
		}
		d, err := detail(ctx, tx, year, []Owners{{Type: OwnerPlatform}, {Type: OwnerDepartment}}, Scope{ScopeCity, ""}, rule)
		out = CityDetail{Year: year, Detail: d}
		return err
	})
	return out, err
}

// ---- departments ----

// DepartmentFigures are a department's figures for a year (the tickets it
// handled and the records its closed tickets wrote).
type DepartmentFigures struct {
	Year       int           `json:"year"`
	Department DepartmentRef `json:"department"`
	Summary
}

// DepartmentDetail adds the volumes and months.
type DepartmentDetail struct {
	Year       int           `json:"year"`
	Department DepartmentRef `json:"department"`
	Detail
}

func seesDepartment(a access.Actor, code string) bool {
	return a.ReadsAll() || a.Role == access.DepartmentStaff && a.OrgCode == code
}

// Departments lists the departments within the actor's scope (all for
// those who read everything, its own for a department's staff), by code.
// Errors: forbidden for other roles; invalid year.
func (s *Service) Departments(ctx context.Context, a access.Actor, year int) ([]DepartmentFigures, error) {
	if !a.ReadsAll() && a.Role != access.DepartmentStaff {
		return nil, apperr.Deny()
	}
	if err := ValidYear(year); err != nil {
		return nil, err
	}
	out := []DepartmentFigures{}
	err := s.store.Read(ctx, func(tx Tx) error {
		rule, err := settings(ctx, tx)
		if err != nil {
			return err
		}
		deps, err := tx.StatsDepartmentRefs(ctx)
		if err != nil {
			return err
		}
		counts, err := tx.StatsCountsByOwner(ctx, year, OwnerDepartment)
		if err != nil {
			return err
		}
		smes, err := tx.StatsReachByScope(ctx, year, ScopeDepartment)
		if err != nil {
			return err
		}
		for _, d := range deps {
			if seesDepartment(a, d.Code) {
				out = append(out, DepartmentFigures{Year: year, Department: d, Summary: Summarize(counts[d.Code], smes[d.Code], rule)})
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Department.Code < out[j].Department.Code })
	return out, err
}

// Department returns one department's figures. Errors: not_found;
// forbidden outside the actor's scope; invalid year.
func (s *Service) Department(ctx context.Context, a access.Actor, code string, year int) (DepartmentDetail, error) {
	if err := ValidYear(year); err != nil {
		return DepartmentDetail{}, err
	}
	var out DepartmentDetail
	err := s.store.Read(ctx, func(tx Tx) error {
		deps, err := tx.StatsDepartmentRefs(ctx)
		if err != nil {
			return err
		}
		var dep *DepartmentRef
		for i := range deps {
			if deps[i].Code == code {
				dep = &deps[i]
			}
		}
		if dep == nil {
			return apperr.NotFoundOf("object.department", code)
		}
		if !seesDepartment(a, code) {
			return apperr.Deny()
		}
		rule, err := settings(ctx, tx)
		if err != nil {
			return err
		}
		d, err := detail(ctx, tx, year, []Owners{{Type: OwnerDepartment, Code: code}}, Scope{ScopeDepartment, code}, rule)
		out = DepartmentDetail{Year: year, Department: *dep, Detail: d}
		return err
	})
	return out, err
}

// ---- rebuild ----

// RebuildReport says what a rebuild counted.
type RebuildReport struct {
	Records  int64         `json:"records"`
	Tickets  int64         `json:"tickets"`
	Events   int64         `json:"events"`
	Members  int64         `json:"members"`
	Duration time.Duration `json:"-"`
}

// Rebuild recomputes every rollup from the raw records and tickets in one
// transaction (the city admin, or the system; audited). The figures do not
// change when the rollups were right; it is the remedy when they were not
// (rows written behind Qifu's back).
func (s *Service) Rebuild(ctx context.Context, a access.Actor) (RebuildReport, error) {
	if !a.IsAdmin() {
		return RebuildReport{}, apperr.Deny()
	}
	start := time.Now()
	var rep RebuildReport
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if rep, err = tx.RebuildStats(ctx); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, s.clock.Now(), "stats.rebuild", "stats", "all", audit.Success).
			WithDetail(strconv.FormatInt(rep.Records, 10)+" records, "+strconv.FormatInt(rep.Tickets, 10)+" tickets"))
	})
	rep.Duration = time.Since(start)
	return rep, err
}
