package stats

import (
	"context"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/org"
)

// Targets are the network's targets for a year (R1.8), set by the city:
// the number of specialised demonstration platforms (示范平台) and the share
// of key streets (重点街道) with a street platform of their own. A target
// not set is nil.
type Targets struct {
	Year                   int        `json:"year"`
	DemonstrationPlatforms *int       `json:"demonstration_platforms"`
	KeyStreetCoverage      *float64   `json:"key_street_coverage"`
	UpdatedAt              *time.Time `json:"updated_at"`
	UpdatedBy              string     `json:"updated_by"`
}

// Validate checks the targets: invalid out_of_range on year,
// demonstration_platforms (0–10,000) or key_street_coverage (a fraction
// 0–1).
func (t Targets) Validate() error {
	if err := ValidYear(t.Year); err != nil {
		return err
	}
	if n := t.DemonstrationPlatforms; n != nil && (*n < 0 || *n > 10000) {
		return apperr.Field("demonstration_platforms", "out_of_range", "error.range").With("min", 0).With("max", 10000)
	}
	if c := t.KeyStreetCoverage; c != nil && (math.IsNaN(*c) || *c < 0 || *c > 1) {
		return apperr.Field("key_street_coverage", "out_of_range", "error.range").With("min", 0).With("max", 1)
	}
	return nil
}

// Demonstration marks a specialised platform certified as a demonstration
// platform from CertifiedOn, until RevokedOn ("" while it holds). Until
// certification (R5.4) is built, the city admin records the decisions here.
type Demonstration struct {
	PlatformCode string    `json:"platform_code"`
	Name         string    `json:"name"`
	CertifiedOn  string    `json:"certified_on"`
	RevokedOn    string    `json:"revoked_on"`
	Note         string    `json:"note"`
	UpdatedAt    time.Time `json:"updated_at"`
	UpdatedBy    string    `json:"updated_by"`
}

var dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func validDate(field, v string) error {
	if !dateRe.MatchString(v) {
		return apperr.Field(field, "invalid_date", "error.date")
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return apperr.Field(field, "invalid_date", "error.date")
	}
	return nil
}

// ActiveAt reports whether the platform is a demonstration platform on
// the day (YYYY-MM-DD).
func (d Demonstration) ActiveAt(day string) bool {
	return d.CertifiedOn <= day && (d.RevokedOn == "" || d.RevokedOn > day)
}

// KeyStreetCoverage is one key street and whether it has its platform.
type KeyStreetCoverage struct {
	KeyStreet
	Covered bool `json:"covered"`
}

// Network is the network's standing against its targets for a year, at the
// year's end (or today, for this year), over the part of the network the
// caller sees: the city, or a platform's region and the platforms below
// it.
type Network struct {
	Year int `json:"year"`
	// RegionCode is the region the figures cover.
	RegionCode             string              `json:"region_code"`
	Targets                Targets             `json:"targets"`
	DemonstrationPlatforms int                 `json:"demonstration_platforms"`
	KeyStreets             int                 `json:"key_streets"`
	KeyStreetsCovered      int                 `json:"key_streets_covered"`
	KeyStreetCoverage      *float64            `json:"key_street_coverage"`
	Met                    Met                 `json:"met"`
	Streets                []KeyStreetCoverage `json:"streets"`
}

// Met says whether each target is reached (nil when no target is set, or
// no key street to cover).
type Met struct {
	DemonstrationPlatforms *bool `json:"demonstration_platforms"`
	KeyStreetCoverage      *bool `json:"key_street_coverage"`
}

// Targets lists the targets of every year set, by year (every staff role).
func (s *Service) Targets(ctx context.Context, a access.Actor) ([]Targets, error) {
	if !a.SeesNetwork() {
		return nil, apperr.Deny()
	}
	var out []Targets
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.StatsTargets(ctx)
		return err
	})
	if out == nil {
		out = []Targets{}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, err
}

// SaveTargets sets a year's targets (city admin; audited). Errors:
// forbidden; invalid.
func (s *Service) SaveTargets(ctx context.Context, a access.Actor, t Targets) (Targets, error) {
	if !a.IsAdmin() {
		return Targets{}, apperr.Deny()
	}
	if err := t.Validate(); err != nil {
		return Targets{}, err
	}
	now := s.clock.Now()
	t.UpdatedAt, t.UpdatedBy = &now, a.Username
	err := s.store.Write(ctx, func(tx Tx) error {
		list, err := tx.StatsTargets(ctx)
		if err != nil {
			return err
		}
		var before *Targets
		for i := range list {
			if list[i].Year == t.Year {
				before = &list[i]
			}
		}
		if err := tx.SaveStatsTargets(ctx, t); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "stats.targets", "network_targets", strconv.Itoa(t.Year), audit.Success).Change(before, t))
	})
	return t, err
}

// Demonstrations lists the demonstration platforms ever certified, by code
// (every staff role: certification is published).
func (s *Service) Demonstrations(ctx context.Context, a access.Actor) ([]Demonstration, error) {
	if !a.SeesNetwork() {
		return nil, apperr.Deny()
	}
	var out []Demonstration
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Demonstrations(ctx)
		return err
	})
	if out == nil {
		out = []Demonstration{}
	}
	return out, err
}

// SaveDemonstration records that a specialised platform is certified as a
// demonstration platform from a day, or that its certification ended
// (revoked_on); city admin, audited. Errors: forbidden; not_found;
// invalid (a platform of another tier, dates malformed, after today or in
// the wrong order).
func (s *Service) SaveDemonstration(ctx context.Context, a access.Actor, d Demonstration) (Demonstration, error) {
	if !a.IsAdmin() {
		return Demonstration{}, apperr.Deny()
	}
	d.CertifiedOn, d.RevokedOn, d.Note = strings.TrimSpace(d.CertifiedOn), strings.TrimSpace(d.RevokedOn), strings.TrimSpace(d.Note)
	now := s.clock.Now()
	today := now.In(cst).Format(time.DateOnly)
	if d.CertifiedOn == "" {
		return Demonstration{}, apperr.Required("certified_on")
	}
	if err := validDate("certified_on", d.CertifiedOn); err != nil {
		return Demonstration{}, err
	}
	if d.CertifiedOn > today {
		return Demonstration{}, apperr.Field("certified_on", "date_in_future", "error.date_in_future").With("today", today)
	}
	if d.RevokedOn != "" {
		if err := validDate("revoked_on", d.RevokedOn); err != nil {
			return Demonstration{}, err
		}
		if d.RevokedOn > today {
			return Demonstration{}, apperr.Field("revoked_on", "date_in_future", "error.date_in_future").With("today", today)
		}
		if d.RevokedOn <= d.CertifiedOn {
			return Demonstration{}, apperr.Field("revoked_on", "before_certified", "error.demonstration_order")
		}
	}
	if utf8.RuneCountInString(d.Note) > 500 {
		return Demonstration{}, apperr.Field("note", "too_long", "error.too_long").With("max", 500)
	}
	d.UpdatedAt, d.UpdatedBy = now, a.Username
	err := s.store.Write(ctx, func(tx Tx) error {
		all, err := tx.StatsPlatformRefs(ctx)
		if err != nil {
			return err
		}
		var p *PlatformRef
		for i := range all {
			if all[i].Code == d.PlatformCode {
				p = &all[i]
			}
		}
		if p == nil {
			return apperr.NotFoundOf("object.platform", d.PlatformCode)
		}
		if p.Tier != string(org.TierSpecialised) {
			return apperr.Field("platform_code", "not_specialised", "error.demonstration_specialised")
		}
		d.Name = p.Name
		list, err := tx.Demonstrations(ctx)
		if err != nil {
			return err
		}
		var before *Demonstration
		for i := range list {
			if list[i].PlatformCode == d.PlatformCode {
				before = &list[i]
			}
		}
		if err := tx.SaveDemonstration(ctx, d); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "stats.demonstration", "platform", d.PlatformCode, audit.Success).Change(before, d))
	})
	return d, err
}

// Network returns the network's standing against the year's targets. The
// city's for those who read everything; for a platform's staff, the key
// streets of its region and the demonstration platforms below it, against
// the same targets. Errors: forbidden for other roles; invalid year.
func (s *Service) Network(ctx context.Context, a access.Actor, year int) (Network, error) {
	if !seesPlatforms(a) {
		return Network{}, apperr.Deny()
	}
	if err := ValidYear(year); err != nil {
		return Network{}, err
	}
	out := Network{Year: year, Targets: Targets{Year: year}, Streets: []KeyStreetCoverage{}}
	// At the year's end; for this year that is today, as nothing is
	// dated in the future.
	day := strconv.Itoa(year) + "-12-31"
	err := s.store.Read(ctx, func(tx Tx) error {
		targets, err := tx.StatsTargets(ctx)
		if err != nil {
			return err
		}
		for _, t := range targets {
			if t.Year == year {
				out.Targets = t
			}
		}
		all, err := tx.StatsPlatformRefs(ctx)
		if err != nil {
			return err
		}
		scope := a.Platforms()
		paths := map[string]string{}
		// Key streets are a city's, a district's or a street's: a
		// specialised platform has none of its own.
		streetsToo := scope.All
		for _, p := range all {
			paths[p.Code] = p.Path
			if !scope.All && p.Path == scope.PathPrefix {
				out.RegionCode = p.RegionCode
				streetsToo = p.Tier == string(org.TierDistrict) || p.Tier == string(org.TierStreet)
			}
			if scope.All && p.Tier == string(org.TierCity) && out.RegionCode == "" {
				out.RegionCode = p.RegionCode
			}
		}
		demos, err := tx.Demonstrations(ctx)
		if err != nil {
			return err
		}
		for _, d := range demos {
			if d.ActiveAt(day) && scope.Admits(paths[d.PlatformCode]) {
				out.DemonstrationPlatforms++
			}
		}
		streets, err := tx.KeyStreets(ctx)
		if err != nil {
			return err
		}
		prefix := access.RegionPrefix(out.RegionCode)
		for _, k := range streets {
			if !streetsToo || !scope.All && !strings.HasPrefix(k.Code, prefix) {
				continue
			}
			c := KeyStreetCoverage{KeyStreet: k, Covered: k.PlatformSince != "" && k.PlatformSince <= day}
			if !c.Covered {
				c.PlatformCode = ""
			}
			out.Streets = append(out.Streets, c)
			out.KeyStreets++
			if c.Covered {
				out.KeyStreetsCovered++
			}
		}
		return nil
	})
	out.KeyStreetCoverage = ratio(int64(out.KeyStreetsCovered), int64(out.KeyStreets))
	if n := out.Targets.DemonstrationPlatforms; n != nil {
		ok := out.DemonstrationPlatforms >= *n
		out.Met.DemonstrationPlatforms = &ok
	}
	if c := out.Targets.KeyStreetCoverage; c != nil && out.KeyStreetCoverage != nil {
		ok := *out.KeyStreetCoverage >= *c-1e-9
		out.Met.KeyStreetCoverage = &ok
	}
	return out, err
}
