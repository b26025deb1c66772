package web

import "net/http"

// Mount registers every page route on mux.
func (w *Web) Mount(mux *http.ServeMux) {
	w.handle(mux, "GET /static/{hash}/{name...}", w.assets)
	w.handle(mux, "GET /brand/logo", http.HandlerFunc(w.brandLogo))

	// Account: login steps.
	w.handle(mux, "GET /login", http.HandlerFunc(w.loginShow))
	w.handle(mux, "POST /login", http.HandlerFunc(w.loginSubmit))
	w.handle(mux, "POST /logout", w.stepPage(w.logout))
	w.handle(mux, "GET /account/password", w.stepPage(w.passwordShow))
	w.handle(mux, "POST /account/password", w.stepPage(w.passwordSubmit))
	w.handle(mux, "GET /account/2fa/enrol", w.stepPage(w.totpEnrolShow))
	w.handle(mux, "GET /account/2fa/qr.png", w.stepPage(w.totpQR))
	w.handle(mux, "POST /account/2fa/enrol", w.stepPage(w.totpEnrolSubmit))
	w.handle(mux, "GET /account/2fa", w.stepPage(w.totpShow))
	w.handle(mux, "POST /account/2fa", w.stepPage(w.totpSubmit))

	w.handle(mux, "GET /{$}", w.authed(w.home))
	w.routesNetwork(mux)
	w.routesReference(mux)
	w.routesAdmin(mux)
	w.routesEnterprise(mux)
	w.routesCalendar(mux)
	w.routesNotify(mux)
	w.routesTicket(mux)
	w.routesRecord(mux)
	w.routesDashboard(mux)

	mux.Handle("/", http.HandlerFunc(w.notFound))
}
