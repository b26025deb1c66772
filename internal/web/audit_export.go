package web

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

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
	name := "audit-log-" + now.In(httpx.Location).Format("20060102-1504") + ".xlsx"
	httpx.NoStore(rw)
	rw.Header().Set("Content-Type", xlsxType)
	rw.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	rw.Header().Set("Content-Length", strconv.Itoa(book.Len()))
	_, _ = book.WriteTo(rw)
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
	f := excelize.NewFile()
	defer f.Close()
	sheet := p.T("audit.title")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	titleStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return nil, err
	}
	headStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF1F4"}},
		Border: []excelize.Border{{Type: "bottom", Color: "AAB4BE", Style: 1}}})
	if err != nil {
		return nil, err
	}
	headers := []string{p.T("audit.time_cst"), p.T("field.username"), p.T("field.role"), p.T("audit.ip"), p.T("field.action"),
		p.T("field.object_type"), p.T("field.object_id"), p.T("field.result"), p.T("audit.detail"), p.T("audit.request_id"),
		p.T("audit.seq"), p.T("audit.hash")}
	widths := []float64{20, 16, 16, 16, 22, 14, 22, 10, 40, 18, 10, 66}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, err
		}
	}
	const firstData = 5
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: firstData - 1, TopLeftCell: "A5", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	last, _ := excelize.ColumnNumberToName(len(headers))
	rows := [][]any{
		{excelize.Cell{StyleID: titleStyle, Value: p.Brand.Name + " " + p.T("audit.title")}},
		{auditPeriod(p, info.Query)},
		{auditExportedBy(p, info, len(entries))},
	}
	head := make([]any, len(headers))
	for i, h := range headers {
		head[i] = excelize.Cell{StyleID: headStyle, Value: h}
	}
	rows = append(rows, head)
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return nil, err
		}
	}
	for i, e := range entries {
		role := p.Label("role.", e.Role)
		if e.Role == "system" {
			role = p.T("audit.role_system")
		}
		var seq any = ""
		if e.Seq > 0 {
			seq = e.Seq
		}
		cell, _ := excelize.CoordinatesToCellName(1, firstData+i)
		if err := sw.SetRow(cell, []any{e.At.In(httpx.Location).Format("2006-01-02 15:04:05"), e.Username, role, e.IP,
			e.Action, e.ObjectType, e.ObjectID, p.Label("audit.result.", string(e.Result)), e.Detail, e.RequestID, seq, e.Hash}); err != nil {
			return nil, err
		}
	}
	for r := 1; r <= 3; r++ {
		if err := sw.MergeCell("A"+strconv.Itoa(r), last+strconv.Itoa(r)); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	f.SetDocProps(&excelize.DocProperties{Title: p.Brand.Name + " " + p.T("audit.title"), Creator: p.Brand.Name})
	return f.WriteToBuffer()
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
