package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/api"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/ticket"
	"github.com/qifu/qifu/internal/web/form"
)

// recordRow is a record in a list, with the name of who served.
type recordRow struct {
	record.Record
	By string // the platform's or department's name
}

type recordListData struct {
	Rows []recordRow
	// Platforms to filter by (none for roles that see no platform).
	Platforms []org.Platform
	Years     []int
	Kinds     []string
	Areas     []string
	Next      string
	MayRecord bool
	// Refused: a filter was refused (its message is next to it).
	Refused bool
	// Export is the XLSX export of the same list.
	Export string
}

// recordFilter reads the list's filters (api.ParseRecordFilter) and its
// cursor ("after").
func recordFilter(q url.Values) (record.Filter, error) {
	f, err := api.ParseRecordFilter(q)
	if err != nil {
		return f, err
	}
	if after := q.Get("after"); after != "" {
		d, id, ok := record.ParseCursor(after)
		if !ok {
			return f, apperr.Field("after", "invalid", "error.cursor")
		}
		f.AfterDate, f.AfterID = d, id
	}
	return f, nil
}

// recordYears are the years offered as filters: this year and the four
// before it.
func (w *Web) recordYears() []int {
	y := w.s.Clock.Now().In(httpx.Location).Year()
	return []int{y, y - 1, y - 2, y - 3, y - 4}
}

// recordList lists the records in the viewer's scope, filtered, the newest
// service date first (R4.3).
func (w *Web) recordList(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !record.Readable(a) {
		return apperr.Deny()
	}
	q := r.URL.Query()
	f := form.New(q)
	filter, err := recordFilter(q)
	var items []record.Record
	var next string
	if err == nil {
		filter.Limit = 50
		items, next, err = w.s.Record.List(r.Context(), a, filter)
	}
	p := w.page(r, "records")
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			return err
		}
		p.Status = f.Fail(p.P, err)
	}
	d := recordListData{Years: w.recordYears(), Kinds: record.Kinds, Areas: record.Areas, Next: next,
		MayRecord: record.MayRecord(a), Refused: p.Status != 0}
	if !a.Platforms().None() {
		if d.Platforms, err = w.allPlatforms(r, a); err != nil {
			return err
		}
	}
	names, err := w.names(r)
	if err != nil {
		return err
	}
	d.Rows = recordRows(names, items)
	c := url.Values{}
	for k, v := range q {
		if k != "after" && k != "lang" {
			c[k] = v
		}
	}
	d.Export = "/records/export.xlsx"
	if len(c) > 0 {
		d.Export += "?" + c.Encode()
	}
	p.Form, p.Data = f, d
	w.render(rw, r, "record_list", p)
	return nil
}

func recordRows(names orgNames, items []record.Record) []recordRow {
	rows := make([]recordRow, len(items))
	for i, it := range items {
		rows[i] = recordRow{Record: it, By: recordBy(names, it)}
	}
	return rows
}

// recordBy names who delivered a record's service.
func recordBy(names orgNames, r record.Record) string {
	if r.DepartmentCode != "" {
		return names.Name(ticket.Assignee{Type: ticket.ToDepartment, Code: r.DepartmentCode})
	}
	return names.Name(ticket.Assignee{Type: ticket.ToPlatform, Code: r.PlatformCode})
}

// recordExport sends the list's records (every page, up to
// record.ExportLimit) as an XLSX workbook in the layout bureaus keep: a
// title, the unit and the filters, the header, one row per record, and
// the count. The export is audited.
func (w *Web) recordExport(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !record.Readable(a) {
		return apperr.Deny()
	}
	filter, err := api.ParseRecordFilter(r.URL.Query())
	if err != nil {
		return err
	}
	items, truncated, err := w.s.Record.Export(r.Context(), a, filter)
	if err != nil {
		return err
	}
	names, err := w.names(r)
	if err != nil {
		return err
	}
	p := w.page(r, "records")
	now := w.s.Clock.Now()
	book, err := recordWorkbook(p, a, names, filter, recordRows(names, items), truncated, now)
	if err != nil {
		return apperr.Wrap(err, "web: record workbook")
	}
	if err := w.auditDownload(r, a, "service_record.export", "rows="+strconv.Itoa(len(items))+" "+r.URL.RawQuery); err != nil {
		return err
	}
	sendXLSX(rw, "service-records-"+now.In(httpx.Location).Format("20060102-1504")+".xlsx", book)
	return nil
}
