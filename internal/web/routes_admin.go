package web

import "net/http"

// routesAdmin registers the administration pages: tier standards, brand,
// users and tokens, security settings, and the audit log.
func (w *Web) routesAdmin(mux *http.ServeMux) {
}
