package web

import "net/http"

// routesNetwork registers the home page, the network overview and the
// platform pages.
func (w *Web) routesNetwork(mux *http.ServeMux) {
	w.handle(mux, "GET /network", w.authed(w.network))
	w.handle(mux, "GET /platforms", w.authed(w.platformList))
	w.handle(mux, "GET /platforms/new", w.authed(w.platformNew))
	w.handle(mux, "POST /platforms", w.authed(w.platformCreate))
	w.handle(mux, "GET /platforms/{code}", w.authed(w.platformView))
	w.handle(mux, "GET /platforms/{code}/edit", w.authed(w.platformEdit))
	w.handle(mux, "POST /platforms/{code}", w.authed(w.platformUpdate))
}
