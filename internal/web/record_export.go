package web

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/ticket"
)

// sendXLSX answers a workbook as a download.
func sendXLSX(rw http.ResponseWriter, name string, book *bytes.Buffer) {
	httpx.NoStore(rw)
	rw.Header().Set("Content-Type", xlsxType)
	rw.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	rw.Header().Set("Content-Length", strconv.Itoa(book.Len()))
	_, _ = book.WriteTo(rw)
}

// auditDownload records that a file of data left the server.
func (w *Web) auditDownload(r *http.Request, a access.Actor, action, detail string) error {
	e := audit.New(a, w.s.Clock.Now(), action, "service_record", "xlsx", audit.Success).WithDetail(detail)
	return w.s.Audit.Record(context.WithoutCancel(r.Context()), e)
}

// recordUnit names the unit a list of records is for: the viewer's
// platform, department or enterprise, or the network for those who read
// everything.
func recordUnit(p *Page, a access.Actor, names orgNames) string {
	switch {
	case a.Role.OrgKind() == access.OrgPlatform:
		return names.Name(ticket.Assignee{Type: ticket.ToPlatform, Code: a.OrgCode})
	case a.Role.OrgKind() == access.OrgDepartment:
		return names.Name(ticket.Assignee{Type: ticket.ToDepartment, Code: a.OrgCode})
	case a.Role.OrgKind() == access.OrgEnterprise:
		return a.OrgCode
	}
	return p.Brand.Name
}

// recordFilters describes the filters of a list in words.
func recordFilters(p *Page, names orgNames, f record.Filter) string {
	var parts []string
	if f.Year != 0 {
		parts = append(parts, p.T("record.year_n", "year", f.Year))
	} else {
		parts = append(parts, p.T("record.all_years"))
	}
	if f.Platform != "" {
		parts = append(parts, names.Name(ticket.Assignee{Type: ticket.ToPlatform, Code: f.Platform}))
	}
	if f.ForDept != "" {
		parts = append(parts, names.Name(ticket.Assignee{Type: ticket.ToDepartment, Code: f.ForDept}))
	}
	if f.USCC != "" {
		parts = append(parts, f.USCC)
	}
	if f.Kind != "" {
		parts = append(parts, p.T("record_kind."+f.Kind))
	}
	if f.ServiceArea != "" {
		parts = append(parts, p.T("service_area."+f.ServiceArea))
	}
	if f.WithCanceled {
		parts = append(parts, p.T("record.with_cancelled"))
	}
	return strings.Join(parts, "，")
}

// recordWorkbook lays a list of records out the way bureaus keep their
// ledgers: the title, the unit and period, who exported it and when, the
// header, one row per record, and a totals row (records, and distinct
// enterprises among the live ones).
func recordWorkbook(p *Page, a access.Actor, names orgNames, f record.Filter, rows []recordRow, truncated bool,
	at time.Time) (*bytes.Buffer, error) {
	b, err := newXLSXBook()
	if err != nil {
		return nil, err
	}
	defer b.close()
	headers := []string{p.T("record.col_no"), p.T("record.date"), p.T("record.by"), p.T("record.enterprise"), p.T("field.enterprise_uscc"),
		p.T("record.kind"), p.T("field.service_area"), p.T("field.note"), p.T("record.source"), p.T("record.ticket"),
		p.T("record.state"), p.T("record.id")}
	exported := p.T("record.exported_by", "at", at.In(httpx.Location).Format("2006-01-02 15:04"), "user", a.Username, "rows", len(rows))
	if truncated {
		exported += " " + p.T("record.export_truncated", "max", record.ExportLimit)
	}
	sh, err := b.sheet(p.T("record.list_title"), []float64{7, 12, 26, 30, 22, 12, 18, 40, 10, 20, 10, 10},
		p.Brand.Name+" "+p.T("record.list_title"),
		[]string{p.T("record.unit_period", "unit", recordUnit(p, a, names), "filters", recordFilters(p, names, f)), exported}, headers)
	if err != nil {
		return nil, err
	}
	served := map[string]bool{}
	live := 0
	for i, r := range rows {
		state := p.T("record.live")
		if r.Cancelled {
			state = p.T("record.cancelled")
		} else {
			live++
			served[r.EnterpriseUSCC] = true
		}
		if err := sh.add(i+1, r.Date, r.By, r.EnterpriseName, r.EnterpriseUSCC, p.T("record_kind."+r.Kind),
			p.T("service_area."+r.ServiceArea), r.Note, p.T("record_source."+r.Source), r.TicketNumber, state, r.ID); err != nil {
			return nil, err
		}
	}
	if err := sh.add(excelize.Cell{StyleID: b.bold, Value: p.T("record.total")}, nil,
		excelize.Cell{StyleID: b.bold, Value: p.T("record.total_text", "records", live, "enterprises", len(served))}); err != nil {
		return nil, err
	}
	if err := sh.end(); err != nil {
		return nil, err
	}
	return b.finish(p.Brand.Name+" "+p.T("record.list_title"), p.Brand.Name)
}
