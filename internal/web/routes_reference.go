package web

import "net/http"

// routesReference registers the pages of the network's reference data:
// regions, departments and institutions.
func (w *Web) routesReference(mux *http.ServeMux) {
	w.handle(mux, "GET /regions", w.authed(w.regionList))
	w.handle(mux, "GET /regions/new", w.authed(w.regionNew))
	w.handle(mux, "POST /regions", w.authed(w.regionCreate))
	w.handle(mux, "GET /regions/{code}", w.authed(w.regionView))
	w.handle(mux, "GET /regions/{code}/edit", w.authed(w.regionEdit))
	w.handle(mux, "POST /regions/{code}", w.authed(w.regionUpdate))

	w.handle(mux, "GET /departments", w.authed(w.departmentList))
	w.handle(mux, "GET /departments/new", w.authed(w.departmentNew))
	w.handle(mux, "POST /departments", w.authed(w.departmentCreate))
	w.handle(mux, "GET /departments/{code}", w.authed(w.departmentView))
	w.handle(mux, "GET /departments/{code}/edit", w.authed(w.departmentEdit))
	w.handle(mux, "POST /departments/{code}", w.authed(w.departmentUpdate))

	w.handle(mux, "GET /institutions", w.authed(w.institutionList))
	w.handle(mux, "GET /institutions/new", w.authed(w.institutionNew))
	w.handle(mux, "POST /institutions", w.authed(w.institutionCreate))
	w.handle(mux, "GET /institutions/{code}", w.authed(w.institutionView))
	w.handle(mux, "GET /institutions/{code}/edit", w.authed(w.institutionEdit))
	w.handle(mux, "POST /institutions/{code}", w.authed(w.institutionUpdate))
}
