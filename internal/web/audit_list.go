package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/api"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/web/form"
)

type auditListData struct {
	Entries   []audit.Entry
	Next      string // cursor of the next (older) page
	Paged     bool   // not the first page
	Results   []audit.Result
	ExportURL string
}

const auditPageSize = 50

// auditList shows the audit log, newest first, with the filters of the API
// (api.ParseAuditFilter) and an id cursor. Only the city admin and the
// auditor may read it (audit.Service.List refuses others).
func (w *Web) auditList(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.ReadsAudit() {
		return apperr.Deny()
	}
	q := r.URL.Query()
	f := form.New(q)
	d := auditListData{Results: []audit.Result{audit.Success, audit.Failure, audit.Denied}, ExportURL: auditExportURL(q)}
	p := w.page(r, "audit")
	filter, err := api.ParseAuditFilter(q)
	if err == nil {
		filter.BeforeID = auditCursor(q.Get("before"))
		filter.Limit = auditPageSize
		d.Paged = filter.BeforeID > 0
		var next int64
		if d.Entries, next, err = w.s.Audit.List(r.Context(), a, filter); err == nil && next > 0 {
			d.Next = strconv.FormatInt(next, 10)
		}
	}
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			return err
		}
		p.Status = f.Fail(p.P, err)
	}
	p.Form = f
	p.Data = d
	w.render(rw, r, "audit_list", p)
	return nil
}

// auditCursor reads the "before" cursor; anything but a positive id is the
// first page.
func auditCursor(s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// auditExportURL is the export of the filters shown, from the newest entry.
func auditExportURL(q url.Values) string {
	c := url.Values{}
	for k, v := range q {
		if k != "before" && k != "lang" {
			c[k] = v
		}
	}
	if len(c) == 0 {
		return "/audit/export.xlsx"
	}
	return "/audit/export.xlsx?" + c.Encode()
}

// Label translates a code with a catalog prefix ("role.", "object."), or
// shows the code itself when the catalog has no label for it (roles such as
// "system", object types of later modules).
func (p *Page) Label(prefix, code string) string {
	if code == "" {
		return ""
	}
	if p.P.Has(prefix + code) {
		return p.T(prefix + code)
	}
	return code
}
