package app_test

// The statistics' part of the scope test (REQUIREMENTS R5.2, R6.1; API.md
// "Statistics follow the same rule"), restated independently of
// internal/stats:
//
//   - platform figures: every platform for the city admin, auditors and
//     hotline operators; a platform's staff its platform and those below
//     it; nobody else any (403);
//   - the city's totals only for those who read everything;
//   - department figures: all for those who read everything, its own for a
//     department's staff, 403 for others;
//   - the network against its targets for whoever sees platforms;
//   - targets, the satisfied rule and the demonstration platforms are read
//     by every staff role and set by the city admin alone.

import (
	"fmt"

	"github.com/qifu/qifu/internal/access"
)

// departmentFigures: whether the login may read a department's figures.
func (p policy) departmentFigures(code string) bool {
	return p.readsAll() || p.login.Role == access.DepartmentStaff && p.login.Org == code
}

func nested(it map[string]any, obj, key string) string {
	m, _ := it[obj].(map[string]any)
	return fmt.Sprint(m[key])
}

func statsAPICases() map[string]apiCase {
	staffOnly := func(p policy) bool { return p.staff() }
	readsAll := func(p policy) bool { return p.readsAll() }
	return map[string]apiCase{
		"GET /api/v1/stats/platforms": {listKey: "platform_code", allowedAny: policy.seesAnyPlatform, listComplete: true,
			allowed:  func(p policy, o string) bool { return p.platform(o) },
			listItem: func(p policy, it map[string]any) bool { return p.platform(fmt.Sprint(it["platform_code"])) }},
		"GET /api/v1/stats/platforms/{code}": {objects: func(w world) []string { return keys(w.platforms) },
			allowed: func(p policy, o string) bool { return p.platform(o) }},
		"GET /api/v1/stats/districts": {listKey: "platform", allowedAny: policy.seesAnyPlatform, listComplete: true,
			listItem: func(p policy, it map[string]any) bool { return p.platform(nested(it, "platform", "code")) }},
		"GET /api/v1/stats/city": {path: "/api/v1/stats/city", allowedAny: readsAll},
		"GET /api/v1/stats/departments": {listKey: "department", listComplete: true,
			allowedAny: func(p policy) bool { return p.readsAll() || p.login.Role == access.DepartmentStaff },
			listItem:   func(p policy, it map[string]any) bool { return p.departmentFigures(nested(it, "department", "code")) }},
		"GET /api/v1/stats/departments/{code}": {objects: func(w world) []string { return w.departments },
			allowed: func(p policy, o string) bool { return p.departmentFigures(o) }},
		"GET /api/v1/stats/network":                 {path: "/api/v1/stats/network?year=2026", allowedAny: policy.seesAnyPlatform},
		"GET /api/v1/stats/network-targets":         {path: "/api/v1/stats/network-targets", allowedAny: staffOnly},
		"GET /api/v1/stats/settings":                {path: "/api/v1/stats/settings", allowedAny: staffOnly},
		"GET /api/v1/stats/demonstration-platforms": {path: "/api/v1/stats/demonstration-platforms", allowedAny: staffOnly},
		"PUT /api/v1/stats/network-targets/{year}": {write: func(world) (string, any) {
			return "/api/v1/stats/network-targets/2027", map[string]any{"demonstration_platforms": 20, "key_street_coverage": 0.6}
		}},
		"PUT /api/v1/stats/settings": {write: func(world) (string, any) {
			return "/api/v1/stats/settings", map[string]any{"satisfied_min_score": 4}
		}},
		"PUT /api/v1/stats/demonstration-platforms/{code}": {write: func(world) (string, any) {
			return "/api/v1/stats/demonstration-platforms/S-FIN", map[string]any{"certified_on": "2025-06-01"}
		}},
	}
}
