package web

import "net/http"

// routesNotify registers the inbox of every logged-in user and the
// outbox page of the city admin.
func (w *Web) routesNotify(mux *http.ServeMux) {
	w.handle(mux, "GET /inbox", w.authed(w.inboxList))
	w.handle(mux, "POST /inbox/read-all", w.authed(w.inboxReadAll))
	w.handle(mux, "POST /inbox/{id}/read", w.authed(w.inboxRead))

	w.handle(mux, "GET /settings/notifications", w.authed(w.outboxShow))
	w.handle(mux, "POST /settings/notifications/{id}/retry", w.authed(w.outboxRetry))
}
