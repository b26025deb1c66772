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

	w.handle(mux, "GET /users", w.authed(w.userList))
	w.handle(mux, "GET /users/new", w.authed(w.userNew))
	w.handle(mux, "POST /users", w.authed(w.userCreate))
	w.handle(mux, "GET /users/{username}", w.authed(w.userView))
	w.handle(mux, "POST /users/{username}/disable", w.authed(w.userDisable))
	w.handle(mux, "POST /users/{username}/enable", w.authed(w.userEnable))
	w.handle(mux, "POST /users/{username}/unlock", w.authed(w.userUnlock))
	w.handle(mux, "POST /users/{username}/password", w.authed(w.userResetPassword))
	w.handle(mux, "POST /users/{username}/2fa/reset", w.authed(w.userResetTOTP))
	w.handle(mux, "POST /users/{username}/tokens", w.authed(w.tokenCreate))
	w.handle(mux, "POST /users/{username}/tokens/{id}/revoke", w.authed(w.tokenRevoke))

	w.handle(mux, "GET /audit", w.authed(w.auditList))
	w.handle(mux, "GET /audit/export.xlsx", w.authed(w.auditExport))
}
