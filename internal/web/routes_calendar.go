package web

import "net/http"

// routesCalendar registers the working-day calendar settings: every staff
// role reads it, the city admin changes it.
func (w *Web) routesCalendar(mux *http.ServeMux) {
	w.handle(mux, "GET /settings/calendar", w.authed(w.calendarShow))
	w.handle(mux, "POST /settings/calendar/overrides", w.authed(w.calendarOverrideAdd))
	w.handle(mux, "POST /settings/calendar/overrides/{date}/delete", w.authed(w.calendarOverrideDelete))
	w.handle(mux, "POST /settings/calendar/years", w.authed(w.calendarYearLoad))
}
