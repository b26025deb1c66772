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
}
