package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/ticket"
)

// routesTicket registers the pages of 一线一网 (R3): the hotline console
// with its search-as-you-type endpoints, the work queue, the ticket page
// with its action forms and attachments, the enterprise's portal, the
// supervision board, and the routing rules, time limits and supervision
// thresholds.
func (w *Web) routesTicket(mux *http.ServeMux) {
	w.handle(mux, "GET /console", w.authed(w.consoleShow))
	w.handle(mux, "POST /console", w.authed(w.consoleCreate))
	w.handle(mux, "GET /console/enterprises", w.authed(w.consoleEnterprises))
	w.handle(mux, "GET /console/tickets", w.authed(w.consoleTickets))

	w.handle(mux, "GET /queue", w.authed(w.queue))
	w.handle(mux, "GET /tickets/{id}", w.authed(w.ticketView))
	w.handle(mux, "POST /tickets/{id}/actions", w.authed(w.ticketAct))
	w.handle(mux, "POST /tickets/{id}/attachments", w.authedUpload(w.ticketAttach, ticket.MaxAttachmentBytes))
	w.handle(mux, "GET /tickets/{id}/attachments/{aid}", w.authed(w.ticketDownload))

	w.handle(mux, "GET /portal", w.authed(w.portal))
	w.handle(mux, "GET /portal/new", w.authed(w.portalNew))
	w.handle(mux, "POST /portal", w.authed(w.portalCreate))

	w.handle(mux, "GET /supervision", w.authed(w.supervision))

	w.handle(mux, "GET /settings/routing", w.authed(w.routingShow))
	w.handle(mux, "POST /settings/routing", w.authed(w.routingAdd))
	w.handle(mux, "POST /settings/routing/{id}/delete", w.authed(w.routingDelete))
	w.handle(mux, "GET /settings/limits", w.authed(w.limitsShow))
	w.handle(mux, "POST /settings/limits", w.authed(w.limitsSave))
	w.handle(mux, "POST /settings/supervision", w.authed(w.supervisionSave))
}
