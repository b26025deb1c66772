package web

import "net/http"

// routesReference registers the pages of the network's reference data:
// regions, departments and institutions.
func (w *Web) routesReference(mux *http.ServeMux) {
}
