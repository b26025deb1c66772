package app_test

// The dashboards' part of the page scope test (REQUIREMENTS R5.2, R6.1):
// the city overview for those who read everything, platform staff sent to
// their platform's dashboard and department staff to their department's;
// a platform's dashboard and its workbooks for those who see the
// platform; a department's for those who read its figures; the yearly
// report for whoever sees platforms.

import "github.com/qifu/qifu/internal/access"

// dashboardRedirect: the roles /dashboard sends to their own dashboard.
func (p policy) dashboardRedirect() bool {
	return !p.readsAll() && (p.login.Role.OrgKind() == access.OrgPlatform || p.login.Role == access.DepartmentStaff)
}

// departmentsFigures: who may open the list of departments' figures.
func (p policy) departmentsFigures() bool {
	return p.readsAll() || p.login.Role == access.DepartmentStaff
}

func dashboardPageCases() map[string]pageCase {
	platforms := func(w world) []string { return keys(w.platforms) }
	departments := func(w world) []string { return w.departments }
	return map[string]pageCase{
		"GET /dashboard":             {open: policy.readsAll, redirect: policy.dashboardRedirect},
		"GET /dashboard/export.xlsx": {open: policy.readsAll},
		"GET /dashboard/report.xlsx": {open: policy.seesAnyPlatform},
		"GET /dashboard/platforms/{code}": {objects: platforms,
			allowed: func(p policy, o string) bool { return p.platform(o) }},
		"GET /dashboard/platforms/{code}/export.xlsx": {objects: platforms,
			allowed: func(p policy, o string) bool { return p.platform(o) }},
		"GET /dashboard/departments":             {open: policy.departmentsFigures},
		"GET /dashboard/departments/export.xlsx": {open: policy.departmentsFigures},
		"GET /dashboard/departments/{code}": {objects: departments,
			allowed: func(p policy, o string) bool { return p.departmentFigures(o) }},
		"GET /dashboard/departments/{code}/export.xlsx": {objects: departments,
			allowed: func(p policy, o string) bool { return p.departmentFigures(o) }},
	}
}
