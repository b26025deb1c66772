package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/stats"
)

// registerStats adds the statistics of API.md "Service records and
// statistics" (GET /api/v1/stats/platforms, as the contract says) and
// Qifu's own: one platform's figures with its months and volumes, the
// districts' and the city's totals, the departments', the network against
// its yearly targets, the targets, the rule for "satisfied", and the
// demonstration platforms.
func (a *API) registerStats() {
	a.add("GET", "/api/v1/stats/platforms", a.statsPlatforms)
	a.add("GET", "/api/v1/stats/platforms/{code}", a.statsPlatform)
	a.add("GET", "/api/v1/stats/districts", a.statsDistricts)
	a.add("GET", "/api/v1/stats/city", a.statsCity)
	a.add("GET", "/api/v1/stats/departments", a.statsDepartments)
	a.add("GET", "/api/v1/stats/departments/{code}", a.statsDepartment)
	a.add("GET", "/api/v1/stats/network", a.statsNetwork)
	a.add("GET", "/api/v1/stats/network-targets", a.statsTargets)
	a.add("PUT", "/api/v1/stats/network-targets/{year}", a.saveStatsTargets)
	a.add("GET", "/api/v1/stats/settings", a.statsSettings)
	a.add("PUT", "/api/v1/stats/settings", a.saveStatsSettings)
	a.add("GET", "/api/v1/stats/demonstration-platforms", a.demonstrations)
	a.add("PUT", "/api/v1/stats/demonstration-platforms/{code}", a.saveDemonstration)
}

// items is a list without pages (API.md's statistics list: {"items": […]}).
type items[T any] struct {
	Items []T `json:"items"`
}

// statsYear reads ?year=YYYY, this year (CST) when absent.
func (a *API) statsYear(r *http.Request) (int, error) {
	s := strings.TrimSpace(r.URL.Query().Get("year"))
	if s == "" {
		return a.s.Stats.ThisYear(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Field("year", "invalid_number", "error.number")
	}
	return y, stats.ValidYear(y)
}

// platformStatsItem is one platform of GET /api/v1/stats/platforms, as
// API.md has it (and its name).
type platformStatsItem struct {
	PlatformCode     string          `json:"platform_code"`
	Name             string          `json:"name"`
	Tier             string          `json:"tier"`
	SMEsServed       int64           `json:"smes_served"`
	TargetSMEs       int             `json:"target_smes"`
	SatisfactionRate *float64        `json:"satisfaction_rate"`
	RatedCount       int64           `json:"rated_count"`
	OnTimeRate       *float64        `json:"on_time_rate"`
	AreaM2           float64         `json:"area_m2"`
	Compliant        stats.Compliant `json:"compliant"`
}

func (a *API) statsPlatforms(r *http.Request, actor access.Actor) (int, any, error) {
	year, err := a.statsYear(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	list, err := a.s.Stats.Platforms(r.Context(), actor, stats.PlatformQuery{Year: year, Tier: strings.TrimSpace(q.Get("tier")),
		RegionCode: strings.TrimSpace(q.Get("region_code")), ParentCode: strings.TrimSpace(q.Get("parent_code"))})
	if err != nil {
		return 0, nil, err
	}
	out := items[platformStatsItem]{Items: make([]platformStatsItem, 0, len(list))}
	for _, p := range list {
		out.Items = append(out.Items, platformStatsItem{PlatformCode: p.Platform.Code, Name: p.Platform.Name, Tier: p.Platform.Tier,
			SMEsServed: p.SMEsServed, TargetSMEs: p.Standard.MinSMEsServed, SatisfactionRate: p.SatisfactionRate,
			RatedCount: p.RatedCount, OnTimeRate: p.OnTimeRate, AreaM2: p.Platform.AreaM2, Compliant: p.Compliant})
	}
	return http.StatusOK, out, nil
}

func (a *API) statsPlatform(r *http.Request, actor access.Actor) (int, any, error) {
	year, err := a.statsYear(r)
	if err != nil {
		return 0, nil, err
	}
	out, err := a.s.Stats.Platform(r.Context(), actor, r.PathValue("code"), year)
	return http.StatusOK, out, err
}

func (a *API) statsDistricts(r *http.Request, actor access.Actor) (int, any, error) {
	year, err := a.statsYear(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.s.Stats.Districts(r.Context(), actor, year)
	return http.StatusOK, items[stats.DistrictFigures]{Items: list}, err
}

func (a *API) statsCity(r *http.Request, actor access.Actor) (int, any, error) {
	year, err := a.statsYear(r)
	if err != nil {
		return 0, nil, err
	}
	out, err := a.s.Stats.City(r.Context(), actor, year)
	return http.StatusOK, out, err
}

func (a *API) statsDepartments(r *http.Request, actor access.Actor) (int, any, error) {
	year, err := a.statsYear(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.s.Stats.Departments(r.Context(), actor, year)
	return http.StatusOK, items[stats.DepartmentFigures]{Items: list}, err
}

func (a *API) statsDepartment(r *http.Request, actor access.Actor) (int, any, error) {
	year, err := a.statsYear(r)
	if err != nil {
		return 0, nil, err
	}
	out, err := a.s.Stats.Department(r.Context(), actor, r.PathValue("code"), year)
	return http.StatusOK, out, err
}

func (a *API) statsNetwork(r *http.Request, actor access.Actor) (int, any, error) {
	year, err := a.statsYear(r)
	if err != nil {
		return 0, nil, err
	}
	out, err := a.s.Stats.Network(r.Context(), actor, year)
	return http.StatusOK, out, err
}

func (a *API) statsTargets(r *http.Request, actor access.Actor) (int, any, error) {
	list, err := a.s.Stats.Targets(r.Context(), actor)
	return http.StatusOK, items[stats.Targets]{Items: list}, err
}

// saveStatsTargets sets the targets of the year in the path; anything but
// a number there names no year.
func (a *API) saveStatsTargets(r *http.Request, actor access.Actor) (int, any, error) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return 0, nil, apperr.NotFoundOf("object.network_targets", r.PathValue("year"))
	}
	var in struct {
		DemonstrationPlatforms *int     `json:"demonstration_platforms"`
		KeyStreetCoverage      *float64 `json:"key_street_coverage"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Stats.SaveTargets(r.Context(), actor, stats.Targets{Year: year,
		DemonstrationPlatforms: in.DemonstrationPlatforms, KeyStreetCoverage: in.KeyStreetCoverage})
	return http.StatusOK, out, err
}

func (a *API) statsSettings(r *http.Request, actor access.Actor) (int, any, error) {
	out, err := a.s.Stats.Settings(r.Context(), actor)
	return http.StatusOK, out, err
}

func (a *API) saveStatsSettings(r *http.Request, actor access.Actor) (int, any, error) {
	var in struct {
		SatisfiedMinScore *int `json:"satisfied_min_score"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.SatisfiedMinScore == nil {
		if !actor.IsAdmin() {
			return 0, nil, apperr.Deny()
		}
		return 0, nil, apperr.Required("satisfied_min_score")
	}
	out, err := a.s.Stats.SaveSettings(r.Context(), actor, stats.Settings{SatisfiedMinScore: *in.SatisfiedMinScore})
	return http.StatusOK, out, err
}

func (a *API) demonstrations(r *http.Request, actor access.Actor) (int, any, error) {
	list, err := a.s.Stats.Demonstrations(r.Context(), actor)
	return http.StatusOK, items[stats.Demonstration]{Items: list}, err
}

func (a *API) saveDemonstration(r *http.Request, actor access.Actor) (int, any, error) {
	var in struct {
		CertifiedOn string `json:"certified_on"`
		RevokedOn   string `json:"revoked_on"`
		Note        string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Stats.SaveDemonstration(r.Context(), actor, stats.Demonstration{PlatformCode: r.PathValue("code"),
		CertifiedOn: in.CertifiedOn, RevokedOn: in.RevokedOn, Note: in.Note})
	return http.StatusOK, out, err
}
