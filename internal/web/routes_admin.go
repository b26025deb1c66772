package web

import "net/http"

// routesAdmin registers the administration pages: tier standards, brand,
// users and tokens, security settings, and the audit log.
func (w *Web) routesAdmin(mux *http.ServeMux) {
	w.handle(mux, "GET /standards", w.authed(w.standardsShow))
	w.handle(mux, "POST /standards", w.authed(w.standardsUpdate))

	w.handle(mux, "GET /settings", w.authed(w.settingsShow))
	w.handle(mux, "POST /settings/security", w.authed(w.securityUpdate))
	w.handle(mux, "GET /settings/brand", w.authed(w.brandShow))
	w.handle(mux, "POST /settings/brand", w.authed(w.brandUpdate))
	w.handle(mux, "POST /settings/brand/logo", w.authed(w.brandLogoUpload))
}
