package web

import "net/http"

// routesDashboard registers the dashboards (R5.2, R1.2, R1.8): the city
// overview, a platform's (with the platforms below it), the departments'
// and a department's, each table also as a workbook, and the yearly report
// of all platforms against their targets.
func (w *Web) routesDashboard(mux *http.ServeMux) {
	w.handle(mux, "GET /dashboard", w.authed(w.dashboard))
	w.handle(mux, "GET /dashboard/export.xlsx", w.authed(w.dashExportCity))
	w.handle(mux, "GET /dashboard/report.xlsx", w.authed(w.dashReport))
	w.handle(mux, "GET /dashboard/platforms/{code}", w.authed(w.dashPlatform))
	w.handle(mux, "GET /dashboard/platforms/{code}/export.xlsx", w.authed(w.dashExportPlatform))
	w.handle(mux, "GET /dashboard/departments", w.authed(w.dashDepartments))
	w.handle(mux, "GET /dashboard/departments/export.xlsx", w.authed(w.dashExportDepartments))
	w.handle(mux, "GET /dashboard/departments/{code}", w.authed(w.dashDepartment))
	w.handle(mux, "GET /dashboard/departments/{code}/export.xlsx", w.authed(w.dashExportDepartment))
}
