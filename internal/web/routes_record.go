package web

import "net/http"

// routesRecord registers the service record pages (R4.3): the list with its
// filters and XLSX export, the form that records a service (with an
// enterprise search as you type), a record with its corrections, the
// correction form, and the import of a ledger with its report.
func (w *Web) routesRecord(mux *http.ServeMux) {
	w.handle(mux, "GET /records", w.authed(w.recordList))
	w.handle(mux, "GET /records/export.xlsx", w.authed(w.recordExport))
	w.handle(mux, "GET /records/new", w.authed(w.recordNew))
	w.handle(mux, "POST /records", w.authed(w.recordCreate))
	w.handle(mux, "GET /records/enterprises", w.authed(w.recordEnterprises))
	w.handle(mux, "GET /records/{id}", w.authed(w.recordView))
	w.handle(mux, "GET /records/{id}/correct", w.authed(w.recordCorrectShow))
	w.handle(mux, "POST /records/{id}/correct", w.authed(w.recordCorrect))
	w.handle(mux, "GET /records/import", w.authed(w.recordImportShow))
	w.handle(mux, "POST /records/import", w.authed(w.recordImport))
	w.handle(mux, "GET /record-imports/{id}", w.authed(w.recordImportRun))
	w.handle(mux, "GET /record-imports/{id}/report.xlsx", w.authed(w.recordImportReport))
}
