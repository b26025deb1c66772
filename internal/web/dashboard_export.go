package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/stats"
)

// dashBuilder builds a dashboard page's data for a year.
type dashBuilder func(p *Page, year int) (*dashData, error)

func (w *Web) dashExportCity(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	return w.dashExport(rw, r, a, "city", func(p *Page, year int) (*dashData, error) { return w.cityDash(r, a, p, year) })
}

func (w *Web) dashExportPlatform(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	code := r.PathValue("code")
	return w.dashExport(rw, r, a, code, func(p *Page, year int) (*dashData, error) { return w.platformDash(r, a, p, code, year) })
}

func (w *Web) dashExportDepartments(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	return w.dashExport(rw, r, a, "departments", func(p *Page, year int) (*dashData, error) { return w.departmentsDash(r, a, p, year) })
}

func (w *Web) dashExportDepartment(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	code := r.PathValue("code")
	return w.dashExport(rw, r, a, code, func(p *Page, year int) (*dashData, error) { return w.departmentDash(r, a, p, code, year) })
}

// dashExport sends one table of a dashboard (?table=ID), or without it
// every table of the page a sheet each, as a workbook in the layout
// bureaus use: the title, the unit, the period, who exported it, the
// header, the rows and the totals row. It is scoped like the page and
// audited (stats.export) before the file leaves the server.
func (w *Web) dashExport(rw http.ResponseWriter, r *http.Request, a access.Actor, what string, build dashBuilder) error {
	year, err := w.dashYear(r)
	if err != nil {
		return err
	}
	p := w.page(r, "dashboard")
	d, err := build(p, year)
	if err != nil {
		return err
	}
	tables, name := d.Tables, "all"
	if id := r.URL.Query().Get("table"); id != "" {
		t := d.Table(id)
		if t == nil {
			return apperr.NotFoundOf("object.stats_table", id)
		}
		tables, name = []*statTable{t}, id
	}
	now := w.s.Clock.Now()
	book, err := tablesWorkbook(p, a, d, tables, now)
	if err != nil {
		return apperr.Wrap(err, "web: stats workbook")
	}
	rows := 0
	for _, t := range tables {
		rows += len(t.Rows)
	}
	if err := w.auditStats(r, a, "stats.export", d.Action+"#"+name, "year="+strconv.Itoa(year)+" rows="+strconv.Itoa(rows)); err != nil {
		return err
	}
	sendXLSX(rw, "stats-"+what+"-"+name+"-"+strconv.Itoa(year)+".xlsx", book)
	return nil
}

// auditStats records that figures left the server as a file.
func (w *Web) auditStats(r *http.Request, a access.Actor, action, object, detail string) error {
	a.IP, a.RequestID = httpx.ClientIP(r.Context()), httpx.RequestID(r.Context())
	e := audit.New(a, w.s.Clock.Now(), action, "stats", object, audit.Success).WithDetail(detail)
	return w.s.Audit.Record(context.WithoutCancel(r.Context()), e)
}

// exportLines are the lines under a workbook's title: the unit, the
// period, who exported it and when.
func exportLines(p *Page, a access.Actor, unit, period string, at time.Time) []string {
	return []string{p.T("dashboard.xlsx_unit", "unit", unit), p.T("dashboard.xlsx_period", "period", period),
		p.T("dashboard.xlsx_exported", "at", at.In(httpx.Location).Format("2006-01-02 15:04"), "user", a.Username)}
}

// tablesWorkbook writes dashboard tables as a workbook, a sheet each.
func tablesWorkbook(p *Page, a access.Actor, d *dashData, tables []*statTable, at time.Time) (*bytes.Buffer, error) {
	b, err := newXLSXBook()
	if err != nil {
		return nil, err
	}
	defer b.close()
	lines := exportLines(p, a, d.Unit, d.Period, at)
	for _, t := range tables {
		if err := b.writeTable(t, p.T("dashboard.xlsx_title", "year", d.Year, "title", t.Title), lines); err != nil {
			return nil, err
		}
	}
	title := d.Heading + " " + p.T("dashboard.year_n", "year", d.Year)
	if len(tables) == 1 {
		title = d.Unit + " " + p.T("dashboard.xlsx_title", "year", d.Year, "title", tables[0].Title)
	}
	return b.finish(title, p.Brand.Name)
}

// writeTable writes a statTable as one sheet: its rows, its totals row in
// bold and its notes under it.
func (b *xlsxBook) writeTable(t *statTable, title string, lines []string) error {
	headers := make([]string, len(t.Cols))
	widths := make([]float64, len(t.Cols))
	for i, c := range t.Cols {
		headers[i], widths[i] = c.Label, c.Width
	}
	sh, err := b.sheet(t.Title, widths, title, lines, headers)
	if err != nil {
		return err
	}
	row := func(cells []statCell, bold bool) []any {
		out := make([]any, len(cells))
		for i, c := range cells {
			v := c.Value
			if v == nil {
				v = c.Text
			}
			style := 0
			switch {
			case c.Rate && c.Value != nil && bold:
				style = b.boldPct
			case c.Rate && c.Value != nil:
				style = b.pct
			case bold:
				style = b.boldNum
			}
			if style != 0 {
				out[i] = excelize.Cell{StyleID: style, Value: v}
			} else {
				out[i] = v
			}
		}
		return out
	}
	for _, r := range t.Rows {
		if err := sh.add(row(r.Cells, false)...); err != nil {
			return err
		}
	}
	if t.Total != nil {
		if err := sh.add(row(t.Total, true)...); err != nil {
			return err
		}
	}
	for _, n := range t.Notes {
		if err := sh.add(n); err != nil {
			return err
		}
	}
	return sh.end()
}

// dashReport sends the yearly report of every platform in the viewer's
// scope against its tier standard, as one workbook: a summary sheet (each
// tier's platforms and how many meet each standard, and the network's
// targets) and a sheet per tier listing its platforms with a totals row.
// Audited (stats.report).
func (w *Web) dashReport(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	year, err := w.dashYear(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	plats, err := w.s.Stats.Platforms(ctx, a, stats.PlatformQuery{Year: year})
	if err != nil {
		return err
	}
	net, err := w.s.Stats.Network(ctx, a, year)
	if err != nil {
		return err
	}
	p := w.page(r, "dashboard")
	unit := p.Brand.Name
	if !a.ReadsAll() {
		for _, f := range plats {
			if f.Platform.Code == a.OrgCode {
				unit = f.Platform.Name
			}
		}
	}
	now := w.s.Clock.Now()
	book, err := w.reportWorkbook(p, a, year, unit, plats, net, now)
	if err != nil {
		return apperr.Wrap(err, "web: stats report")
	}
	if err := w.auditStats(r, a, "stats.report", "report", "year="+strconv.Itoa(year)+" platforms="+strconv.Itoa(len(plats))); err != nil {
		return err
	}
	sendXLSX(rw, "stats-report-"+strconv.Itoa(year)+".xlsx", book)
	return nil
}

var reportTiers = []org.Tier{org.TierCity, org.TierDistrict, org.TierStreet, org.TierSpecialised}

// reportTable is one tier's sheet of the yearly report.
func (p *Page) reportTable(tier org.Tier, plats []stats.PlatformFigures, names map[string]string) *statTable {
	t := &statTable{ID: string(tier), Title: p.T("dashboard.report_tier", "tier", p.T("tier."+string(tier))), Cols: []statCol{
		{Label: p.T("dashboard.col.code"), Width: 14}, {Label: p.T("dashboard.col.platform"), Width: 34},
		{Label: p.T("dashboard.col.region_code"), Width: 12}, {Label: p.T("dashboard.col.parent"), Width: 30},
		{Label: p.T("dashboard.col.smes_served"), Num: true, Width: 14}, {Label: p.T("dashboard.col.target_smes"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.progress"), Num: true, Width: 10}, {Label: p.T("dashboard.col.smes_met"), Width: 10},
		{Label: p.T("dashboard.col.satisfaction_rate"), Num: true, Width: 10}, {Label: p.T("dashboard.col.rated"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.satisfaction_met"), Width: 10}, {Label: p.T("dashboard.col.on_time_rate"), Num: true, Width: 12},
		{Label: p.T("dashboard.col.area"), Num: true, Width: 12}, {Label: p.T("dashboard.col.area_standard"), Num: true, Width: 12},
		{Label: p.T("dashboard.col.area_met"), Width: 10}, {Label: p.T("dashboard.col.records"), Num: true, Width: 12},
		{Label: p.T("dashboard.col.tickets"), Num: true, Width: 10}, {Label: p.T("dashboard.col.overdue"), Num: true, Width: 12},
	}}
	met := func(b *bool) statCell {
		if b == nil {
			return textCell("—")
		}
		if *b {
			return textCell(p.T("dashboard.yes"))
		}
		return textCell(p.T("dashboard.no"))
	}
	var sum stats.Summary
	var target int64
	var area, areaStd float64
	var smesMet, satMet, areaMet int64
	for _, f := range plats {
		if f.Platform.Tier != string(tier) {
			continue
		}
		tgt := int64(f.Standard.MinSMEsServed)
		smes, areaOK := f.Compliant.SMEsServed, f.Compliant.Area
		t.Rows = append(t.Rows, statRow{Code: f.Platform.Code, Cells: []statCell{textCell(f.Platform.Code), textCell(f.Platform.Name),
			textCell(f.Platform.RegionCode), textCell(names[f.Platform.ParentCode]), intCell(f.SMEsServed), intCell(tgt),
			rateCell(ratio(f.SMEsServed, tgt)), met(&smes), rateCell(f.SatisfactionRate), intCell(f.RatedCount),
			met(f.Compliant.Satisfaction), rateCell(f.OnTimeRate), {Text: strconv.FormatFloat(f.Platform.AreaM2, 'f', -1, 64), Value: f.Platform.AreaM2},
			{Text: strconv.FormatFloat(f.Standard.MinAreaM2, 'f', -1, 64), Value: f.Standard.MinAreaM2}, met(&areaOK),
			intCell(f.Records), intCell(f.Tickets), intCell(f.Overdue)}})
		addSummary(&sum, f.Summary)
		target += tgt
		area += f.Platform.AreaM2
		areaStd += f.Standard.MinAreaM2
		for _, c := range []struct {
			b *bool
			n *int64
		}{{&smes, &smesMet}, {f.Compliant.Satisfaction, &satMet}, {&areaOK, &areaMet}} {
			if c.b != nil && *c.b {
				*c.n++
			}
		}
	}
	count := func(n int64) statCell {
		return statCell{Text: p.T("dashboard.met_n", "n", n), Value: n}
	}
	t.Total = []statCell{textCell(p.T("dashboard.total")), textCell(p.T("dashboard.platforms_n", "n", len(t.Rows))), blankCell(), blankCell(),
		intCell(sum.SMEsServed), intCell(target), rateCell(ratio(sum.SMEsServed, target)), count(smesMet),
		rateCell(ratio(sum.Satisfied, sum.RatedCount)), intCell(sum.RatedCount), count(satMet),
		rateCell(ratio(sum.HandleOnTime, sum.HandleDue)), {Text: strconv.FormatFloat(area, 'f', -1, 64), Value: area},
		{Text: strconv.FormatFloat(areaStd, 'f', -1, 64), Value: areaStd}, count(areaMet),
		intCell(sum.Records), intCell(sum.Tickets), intCell(sum.Overdue)}
	t.Notes = []string{p.T("dashboard.note.smes_sum"), p.T("dashboard.note.report_met")}
	return t
}

// reportSummary is the report's first sheet: each tier's platforms, how
// many meet each standard, their sums; then the network's targets.
func (p *Page) reportSummary(tables []*statTable, net stats.Network) *statTable {
	t := &statTable{ID: "summary", Title: p.T("dashboard.report_summary"), Cols: []statCol{
		{Label: p.T("dashboard.col.tier"), Width: 20}, {Label: p.T("dashboard.col.platforms"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.smes_met"), Num: true, Width: 14}, {Label: p.T("dashboard.col.satisfaction_met"), Num: true, Width: 14},
		{Label: p.T("dashboard.col.area_met"), Num: true, Width: 14}, {Label: p.T("dashboard.col.smes_served"), Num: true, Width: 14},
		{Label: p.T("dashboard.col.records"), Num: true, Width: 12}, {Label: p.T("dashboard.col.tickets"), Num: true, Width: 10},
	}}
	sums := make([]int64, 7)
	for _, tt := range tables {
		tot := tt.Total
		vals := []int64{int64(len(tt.Rows)), tot[7].Value.(int64), tot[10].Value.(int64), tot[14].Value.(int64),
			tot[4].Value.(int64), tot[15].Value.(int64), tot[16].Value.(int64)}
		cells := []statCell{textCell(p.T("tier." + tt.ID))}
		for i, v := range vals {
			cells = append(cells, intCell(v))
			sums[i] += v
		}
		t.Rows = append(t.Rows, statRow{Code: tt.ID, Cells: cells})
	}
	t.Total = []statCell{textCell(p.T("dashboard.total"))}
	for _, v := range sums {
		t.Total = append(t.Total, intCell(v))
	}
	demo := p.T("dashboard.report_network_demo", "n", net.DemonstrationPlatforms, "target", p.T("dashboard.target_unset"))
	if n := net.Targets.DemonstrationPlatforms; n != nil {
		demo = p.T("dashboard.report_network_demo", "n", net.DemonstrationPlatforms, "target", *n)
	}
	cov := "—"
	if net.KeyStreetCoverage != nil {
		cov = pctText(*net.KeyStreetCoverage)
	}
	target := p.T("dashboard.target_unset")
	if c := net.Targets.KeyStreetCoverage; c != nil {
		target = pctText(*c)
	}
	t.Notes = []string{p.T("dashboard.note.smes_sum"), demo,
		p.T("dashboard.report_network_coverage", "covered", net.KeyStreetsCovered, "streets", net.KeyStreets, "rate", cov, "target", target)}
	return t
}

func (w *Web) reportWorkbook(p *Page, a access.Actor, year int, unit string, plats []stats.PlatformFigures, net stats.Network,
	at time.Time) (*bytes.Buffer, error) {
	names := map[string]string{}
	for _, f := range plats {
		names[f.Platform.Code] = f.Platform.Name
	}
	var tiers []*statTable
	for _, tier := range reportTiers {
		tiers = append(tiers, p.reportTable(tier, plats, names))
	}
	b, err := newXLSXBook()
	if err != nil {
		return nil, err
	}
	defer b.close()
	lines := exportLines(p, a, unit, w.dashPeriod(p, year), at)
	title := p.T("dashboard.report_title", "year", year)
	sum := p.reportSummary(tiers, net)
	if err := b.writeTable(sum, title+" "+sum.Title, lines); err != nil {
		return nil, err
	}
	for _, t := range tiers {
		if err := b.writeTable(t, title+" "+t.Title, lines); err != nil {
			return nil, err
		}
	}
	return b.finish(unit+" "+title, p.Brand.Name)
}
