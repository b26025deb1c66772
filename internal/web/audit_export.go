package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/api"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/httpx"
)

// maxAuditExportRows caps one export; a longer period is exported in parts.
const maxAuditExportRows = 50_000

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// auditExport sends the entries matching the page's filters, newest first,
// as an XLSX workbook. The export is itself audited (audit.export) before
// the file leaves the server.
func (w *Web) auditExport(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.ReadsAudit() {
		return apperr.Deny()
	}
	ctx := r.Context()
	q := r.URL.Query()
	filter, err := api.ParseAuditFilter(q)
	if err != nil {
		return err
	}
	entries, truncated, err := w.collectAudit(ctx, a, filter)
	if err != nil {
		return err
	}
	now := w.s.Clock.Now()
	p := w.page(r, "audit")
	book, err := auditWorkbook(p, auditExportInfo{Query: q, Actor: a, At: now, Truncated: truncated}, entries)
	if err != nil {
		return apperr.Wrap(err, "web: audit workbook")
	}
	detail := "rows=" + strconv.Itoa(len(entries))
	if f := exportFilterQuery(q); f != "" {
		detail += " " + f
	}
	e := audit.New(a, now, "audit.export", "audit", "xlsx", audit.Success).WithDetail(detail)
	if err := w.s.Audit.Record(context.WithoutCancel(ctx), e); err != nil {
		return err
	}
	sendXLSX(rw, "audit-log-"+now.In(httpx.Location).Format("20060102-1504")+".xlsx", book)
	return nil
}

// collectAudit pages through the matching entries, newest first, up to
// the export cap; truncated reports that older entries were left out.
func (w *Web) collectAudit(ctx context.Context, a access.Actor, f audit.Filter) (entries []audit.Entry, truncated bool, err error) {
	for {
		f.Limit = min(1000, maxAuditExportRows-len(entries))
		page, next, err := w.s.Audit.List(ctx, a, f)
		if err != nil {
			return nil, false, err
		}
		entries = append(entries, page...)
		if next == 0 {
			return entries, false, nil
		}
		if len(entries) >= maxAuditExportRows {
			return entries, true, nil
		}
		f.BeforeID = next
	}
}

// exportFilterQuery is the filter part of the query, for the audit detail.
func exportFilterQuery(q url.Values) string {
	c := url.Values{}
	for _, k := range auditFilterKeys {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			c.Set(k, v)
		}
	}
	return c.Encode()
}

// auditFilterKeys are the filters of the audit page, in the order the
// export describes them.
var auditFilterKeys = []string{"username", "action", "result", "object_type", "object_id"}

type auditExportInfo struct {
	Query     url.Values
	Actor     access.Actor
	At        time.Time
	Truncated bool
}

// auditWorkbook lays out the export: a title row (brand and 审计日志), the
// period and filters, who exported it and when, the header row, then one
// row per entry.
func auditWorkbook(p *Page, info auditExportInfo, entries []audit.Entry) (*bytes.Buffer, error) {
	b, err := newXLSXBook()
	if err != nil {
		return nil, err
	}
	defer b.close()
	headers := []string{p.T("audit.time_cst"), p.T("field.username"), p.T("field.role"), p.T("audit.ip"), p.T("field.action"),
		p.T("field.object_type"), p.T("field.object_id"), p.T("field.result"), p.T("audit.detail"), p.T("audit.request_id"),
		p.T("audit.seq"), p.T("audit.hash")}
	sh, err := b.sheet(p.T("audit.title"), []float64{20, 16, 16, 16, 22, 14, 22, 10, 40, 18, 10, 66},
		p.Brand.Name+" "+p.T("audit.title"), []string{auditPeriod(p, info.Query), auditExportedBy(p, info, len(entries))}, headers)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		role := p.Label("role.", e.Role)
		if e.Role == "system" {
			role = p.T("audit.role_system")
		}
		var seq any = ""
		if e.Seq > 0 {
			seq = e.Seq
		}
		if err := sh.add(e.At.In(httpx.Location).Format("2006-01-02 15:04:05"), e.Username, role, e.IP,
			e.Action, e.ObjectType, e.ObjectID, p.Label("audit.result.", string(e.Result)), e.Detail, e.RequestID, seq, e.Hash); err != nil {
			return nil, err
		}
	}
	if err := sh.end(); err != nil {
		return nil, err
	}
	return b.finish(p.Brand.Name+" "+p.T("audit.title"), p.Brand.Name)
}

// auditPeriod describes the period and filters of an export.
func auditPeriod(p *Page, q url.Values) string {
	from, to := strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("until"))
	var period string
	switch {
	case from == "" && to == "":
		period = p.T("audit.period_all")
	default:
		if from == "" {
			from = "…"
		}
		if to == "" {
			to = "…"
		}
		period = p.T("audit.period", "from", from, "to", to)
	}
	var parts []string
	for _, k := range auditFilterKeys {
		v := strings.TrimSpace(q.Get(k))
		if v == "" {
			continue
		}
		if k == "result" {
			v = p.Label("audit.result.", v)
		}
		parts = append(parts, p.P.Field(k)+"="+v)
	}
	filters := p.T("audit.filters_none")
	if len(parts) > 0 {
		filters = p.T("audit.filters", "filters", strings.Join(parts, ", "))
	}
	return p.T("audit.period_filters", "period", period, "filters", filters)
}

// auditExportedBy says who exported how many rows when.
func auditExportedBy(p *Page, info auditExportInfo, n int) string {
	s := p.T("audit.exported_by", "at", info.At.In(httpx.Location).Format("2006-01-02 15:04:05"),
		"user", info.Actor.Username, "rows", n)
	if info.Truncated {
		s += " " + p.T("audit.truncated", "max", maxAuditExportRows)
	}
	return s
}
