package web

import "net/http"

// routesEnterprise registers the enterprise registry pages (R2): the list
// with search, the profile with its size explained, registering and
// editing, and revealing a contact's telephone number.
func (w *Web) routesEnterprise(mux *http.ServeMux) {
	w.handle(mux, "GET /enterprises", w.authed(w.enterpriseList))
	w.handle(mux, "GET /enterprises/new", w.authed(w.enterpriseNew))
	w.handle(mux, "POST /enterprises", w.authed(w.enterpriseCreate))
	w.handle(mux, "GET /enterprises/{uscc}", w.authed(w.enterpriseView))
	w.handle(mux, "GET /enterprises/{uscc}/edit", w.authed(w.enterpriseEdit))
	w.handle(mux, "POST /enterprises/{uscc}", w.authed(w.enterpriseUpdate))
	w.handle(mux, "POST /enterprises/{uscc}/contact", w.authed(w.enterpriseReveal))
}
