package web

import (
	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/record"
)

// NavItem is one entry of the main navigation.
type NavItem struct {
	Key   string // section key, matched against Page.Active
	Label string // catalog key
	URL   string
}

// navFor is the navigation a role sees: only what it may open.
func navFor(a access.Actor, step auth.Step) []NavItem {
	if step != auth.StepDone {
		return nil
	}
	nav := []NavItem{{"home", "nav.home", "/"}}
	if a.IsAdmin() || a.Role == access.HotlineOperator {
		nav = append(nav, NavItem{"console", "nav.console", "/console"})
	}
	if a.ReadsAll() || a.Role.OrgKind() == access.OrgPlatform || a.Role == access.DepartmentStaff {
		nav = append(nav, NavItem{"queue", "nav.queue", "/queue"})
	}
	if a.IsAdmin() || a.Role == access.Auditor {
		nav = append(nav, NavItem{"supervision", "nav.supervision", "/supervision"})
	}
	if a.Role == access.Enterprise {
		nav = append(nav, NavItem{"portal", "nav.portal", "/portal"})
	}
	if seesStats(a) {
		nav = append(nav, NavItem{"dashboard", "nav.dashboard", "/dashboard"})
	}
	if record.Readable(a) {
		nav = append(nav, NavItem{"records", "nav.records", "/records"})
	}
	if !a.Platforms().None() {
		nav = append(nav, NavItem{"network", "nav.network", "/network"}, NavItem{"platforms", "nav.platforms", "/platforms"})
	}
	if s := a.Enterprises(); s.USCC != "" {
		nav = append(nav, NavItem{"enterprises", "nav.my_enterprise", "/enterprises/" + s.USCC})
	} else if !s.None() {
		nav = append(nav, NavItem{"enterprises", "nav.enterprises", "/enterprises"})
	}
	if a.SeesNetwork() {
		nav = append(nav, NavItem{"regions", "nav.regions", "/regions"}, NavItem{"departments", "nav.departments", "/departments"},
			NavItem{"institutions", "nav.institutions", "/institutions"})
	}
	if a.IsAdmin() {
		nav = append(nav, NavItem{"standards", "nav.standards", "/standards"}, NavItem{"users", "nav.users", "/users"},
			NavItem{"settings", "nav.settings", "/settings"})
	}
	if a.ReadsAudit() {
		nav = append(nav, NavItem{"audit", "nav.audit", "/audit"})
	}
	return nav
}

// seesStats reports whether the role has statistics to see: those who read
// everything, a platform's staff (its platform and those below it), a
// department's staff (its department).
func seesStats(a access.Actor) bool {
	return a.ReadsAll() || !a.Platforms().None() || a.Role == access.DepartmentStaff
}
