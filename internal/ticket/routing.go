package ticket

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
)

// Rule sends tickets of a category from a region to a platform or a
// department (R3.2); the city edits the table. Empty category or region
// means any. The highest priority wins, then the narrower region.
type Rule struct {
	ID         int64     `json:"id"`
	Category   string    `json:"category"`
	RegionCode string    `json:"region_code"`
	Target     Assignee  `json:"target"`
	Priority   int       `json:"priority"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

// Validate checks a rule's own fields (the target is checked by the service).
func (r Rule) Validate() error {
	switch {
	case r.Category != "" && !oneOf(r.Category, Categories):
		return apperr.Field("category", "invalid_category", "error.invalid_choice")
	case r.Target.Type != ToPlatform && r.Target.Type != ToDepartment:
		return apperr.Field("target", "invalid_target", "error.invalid_choice")
	case r.Target.Code == "":
		return apperr.Required("target")
	case r.Priority < 0 || r.Priority > 1000:
		return apperr.Field("priority", "out_of_range", "error.range").With("min", 0).With("max", 1000)
	case len([]rune(r.Note)) > 200:
		return apperr.Field("note", "too_long", "error.too_long").With("max", 200)
	}
	return nil
}

// matches reports whether the rule applies to a category and region.
func (r Rule) matches(category, region string) bool {
	if r.Category != "" && r.Category != category {
		return false
	}
	return r.RegionCode == "" || strings.HasPrefix(region, access.RegionPrefix(r.RegionCode))
}

// Place is a region in the chain from a ticket's region up to the city.
type Place struct {
	Code, Level string
	// Platform and Path are the comprehensive platform of the region's
	// tier, if it has one ("" otherwise).
	Platform, Path string
}

// Directory is what routing needs to know of the network.
type Directory interface {
	// RouteRegions returns a region and the regions above it, nearest
	// first, each with its platform; not_found for an unknown region.
	RouteRegions(ctx context.Context, code string) ([]Place, error)
	// PlatformPath returns a platform's path, or not_found.
	RoutePlatformPath(ctx context.Context, code string) (string, error)
	// DepartmentsFor lists the departments owning a category, by code.
	RouteDepartments(ctx context.Context, category string) ([]string, error)
	// DepartmentExists reports whether a department exists.
	RouteDepartmentExists(ctx context.Context, code string) (bool, error)
	RoutingRules(ctx context.Context) ([]Rule, error)
}

// Routed is where a ticket goes and why.
type Routed struct {
	Assignee Assignee
	Path     string // the platform's path, for scope
	Reason   string // "rule:ID", "department", "street", "district", "city"
}

// Route decides the first assignee of a ticket: a matching rule first, then
// a department that owns rights-infringement complaints, then the street
// platform of the region, failing that the district platform above it,
// failing that the city platform (API.md). Errors: invalid region_code for
// an unknown region; invalid region_code routing_failed when no platform is
// found at all.
func Route(ctx context.Context, d Directory, category, region string) (Routed, error) {
	chain, err := d.RouteRegions(ctx, region)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return Routed{}, apperr.Field("region_code", "unknown_region", "error.unknown_reference")
		}
		return Routed{}, err
	}
	rules, err := d.RoutingRules(ctx)
	if err != nil {
		return Routed{}, err
	}
	sort.SliceStable(rules, func(i, j int) bool {
		if rules[i].Priority != rules[j].Priority {
			return rules[i].Priority > rules[j].Priority
		}
		if len(rules[i].RegionCode) != len(rules[j].RegionCode) {
			return len(rules[i].RegionCode) > len(rules[j].RegionCode)
		}
		return rules[i].Category > rules[j].Category
	})
	for _, r := range rules {
		if !r.matches(category, region) {
			continue
		}
		out := Routed{Assignee: r.Target, Reason: "rule"}
		if r.Target.Type == ToPlatform {
			p, err := d.RoutePlatformPath(ctx, r.Target.Code)
			if err != nil {
				continue // a rule naming a platform that is gone is skipped
			}
			out.Path = p
		} else if ok, err := d.RouteDepartmentExists(ctx, r.Target.Code); err != nil || !ok {
			continue
		}
		return out, nil
	}
	if category == "rights_infringement" {
		deps, err := d.RouteDepartments(ctx, category)
		if err != nil {
			return Routed{}, err
		}
		if len(deps) > 0 {
			return Routed{Assignee: Assignee{ToDepartment, deps[0]}, Reason: "department"}, nil
		}
	}
	for _, place := range chain {
		if place.Platform != "" { // a street's platform, a district's, the city's
			return Routed{Assignee: Assignee{ToPlatform, place.Platform}, Path: place.Path, Reason: place.Level}, nil
		}
	}
	return Routed{}, apperr.Field("region_code", "routing_failed", "error.routing_failed")
}

// Calendar computes deadlines (the working-day calendar with 调休 and
// local overrides).
type Calendar interface {
	// AddWorkingDays counts n working days from the day after from; the
	// deadline is the end of the last one. provisional is true when a day
	// counted lies in a year whose official schedule is not yet known.
	AddWorkingDays(from time.Time, n int) (at time.Time, provisional bool, err error)
	// AddHours adds natural hours.
	AddHours(from time.Time, h int) time.Time
}

// Limit is the time allowed for tickets of a category and urgency (R3.3);
// configuration, not code. A limit in hours wins over one in working days.
type Limit struct {
	Category         string `json:"category"`
	Urgency          string `json:"urgency"`
	SignHours        int    `json:"sign_hours"`
	SignDays         int    `json:"sign_days"`
	HandleHours      int    `json:"handle_hours"`
	HandleDays       int    `json:"handle_days"`
	MaxExtensionDays int    `json:"max_extension_days"`
	ReturnDays       int    `json:"return_days"`
}

// Validate checks a limit.
func (l Limit) Validate() error {
	switch {
	case !oneOf(l.Category, Categories):
		return apperr.Field("category", "invalid_category", "error.invalid_choice")
	case !oneOf(l.Urgency, Urgencies):
		return apperr.Field("urgency", "invalid_urgency", "error.invalid_choice")
	case l.SignHours < 0 || l.SignHours > 240 || l.SignDays < 0 || l.SignDays > 30 || l.SignHours == 0 && l.SignDays == 0:
		return apperr.Field("sign_days", "out_of_range", "error.limit_range")
	case l.HandleHours < 0 || l.HandleHours > 720 || l.HandleDays < 0 || l.HandleDays > 120 || l.HandleHours == 0 && l.HandleDays == 0:
		return apperr.Field("handle_days", "out_of_range", "error.limit_range")
	case l.MaxExtensionDays < 0 || l.MaxExtensionDays > 60:
		return apperr.Field("max_extension_days", "out_of_range", "error.range").With("min", 0).With("max", 60)
	case l.ReturnDays < 0 || l.ReturnDays > 30:
		return apperr.Field("return_days", "out_of_range", "error.range").With("min", 0).With("max", 30)
	}
	return nil
}

// DefaultLimits are those of practice: sign within a working day (urgent 4
// hours, very urgent 1 hour), handle within 5 working days (complaints and
// infringements 15; urgent 3, 7; very urgent 24 hours), extend by 10 working
// days at most, return within 2.
func DefaultLimits() []Limit {
	var out []Limit
	for _, c := range Categories {
		handle := 5
		if c == "complaint" || c == "rights_infringement" {
			handle = 15
		}
		out = append(out,
			Limit{Category: c, Urgency: "normal", SignDays: 1, HandleDays: handle, MaxExtensionDays: 10, ReturnDays: 2},
			Limit{Category: c, Urgency: "urgent", SignHours: 4, HandleDays: max(3, handle/2), MaxExtensionDays: 5, ReturnDays: 1},
			Limit{Category: c, Urgency: "very_urgent", SignHours: 1, HandleHours: 24, MaxExtensionDays: 2, ReturnDays: 1})
	}
	return out
}

// signDue and handleDue compute deadlines from a moment of dispatch.
func (l Limit) signDue(cal Calendar, from time.Time) (time.Time, error) {
	if l.SignHours > 0 {
		return cal.AddHours(from, l.SignHours), nil
	}
	at, _, err := cal.AddWorkingDays(from, l.SignDays)
	return at, err
}

func (l Limit) handleDue(cal Calendar, from time.Time) (time.Time, bool, error) {
	if l.HandleHours > 0 {
		return cal.AddHours(from, l.HandleHours), false, nil
	}
	return cal.AddWorkingDays(from, l.HandleDays)
}
