package web

import (
	"strconv"

	"github.com/qifu/qifu/internal/stats"
)

// The tables of the dashboards, each built from the statistics service's
// figures. Totals rows add the rows up; their rates are those of the sums
// (satisfied over rated, on time over due), never an average of rates.

// platformLine is a platform's row: its own figures, with the label of
// the row when it is not the platform's name (本级).
type platformLine struct {
	Fig   stats.PlatformFigures
	Label string
}

// platformLight is a platform's overall light against its tier standard:
// SMEs served (on track for the part of the year gone), satisfaction, on
// time.
func platformLight(f stats.PlatformFigures, share float64) string {
	return worst(smesLight(f.SMEsServed, f.Standard.MinSMEsServed, share),
		rateLight(f.SatisfactionRate, f.Standard.MinSatisfaction, 0),
		rateLight(f.OnTimeRate, OnTimeTarget, onTimeWarn))
}

func (p *Page) dashURL(code string, year int) string {
	return "/dashboard/platforms/" + code + "?year=" + strconv.Itoa(year)
}

// platformTable lists platforms with their own figures against their tier
// standard.
func (p *Page) platformTable(id, title string, year int, share float64, lines []platformLine) *statTable {
	t := &statTable{ID: id, Title: title, Cols: []statCol{
		{Label: p.T("dashboard.col.platform"), Width: 34}, {Label: p.T("dashboard.col.tier"), Width: 12},
		{Label: p.T("dashboard.col.smes_served"), Num: true, Width: 14}, {Label: p.T("dashboard.col.target_smes"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.progress"), Num: true, Width: 10}, {Label: p.T("dashboard.col.satisfaction_rate"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.rated"), Num: true, Width: 10}, {Label: p.T("dashboard.col.on_time_rate"), Num: true, Width: 12},
		{Label: p.T("dashboard.col.records"), Num: true, Width: 12}, {Label: p.T("dashboard.col.tickets"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.overdue"), Num: true, Width: 12}, {Label: p.T("dashboard.col.status"), Width: 12},
	}}
	var sum stats.Summary
	var target int64
	// Platforms of several tiers have targets far apart: the chart shows
	// each one's progress towards its own.
	chart := chartSpec{ID: id + "-progress", Kind: "bar", Title: p.T("dashboard.progress_chart"), Percent: true}
	progress := chartSeries{Name: p.T("dashboard.col.progress"), Kind: "bar"}
	for _, l := range lines {
		f := l.Fig
		name := f.Platform.Name
		if l.Label != "" {
			name = l.Label
		}
		tgt := int64(f.Standard.MinSMEsServed)
		t.Rows = append(t.Rows, statRow{Code: f.Platform.Code, Cells: []statCell{
			linkCell(name, p.dashURL(f.Platform.Code, year)), textCell(p.T("tier." + f.Platform.Tier)),
			intCell(f.SMEsServed), intCell(tgt), rateCell(ratio(f.SMEsServed, tgt)), rateCell(f.SatisfactionRate),
			intCell(f.RatedCount), rateCell(f.OnTimeRate), intCell(f.Records), intCell(f.Tickets), intCell(f.Overdue),
			p.lightCell(platformLight(f, share)),
		}})
		addSummary(&sum, f.Summary)
		target += tgt
		chart.Categories = append(chart.Categories, name)
		progress.Data = append(progress.Data, ratio(f.SMEsServed, tgt))
	}
	t.Total = []statCell{textCell(p.T("dashboard.total")), blankCell(), intCell(sum.SMEsServed), intCell(target),
		rateCell(ratio(sum.SMEsServed, target)), rateCell(ratio(sum.Satisfied, sum.RatedCount)), intCell(sum.RatedCount),
		rateCell(ratio(sum.HandleOnTime, sum.HandleDue)), intCell(sum.Records), intCell(sum.Tickets), intCell(sum.Overdue), blankCell()}
	t.Notes = []string{p.T("dashboard.note.smes_sum"), p.T("dashboard.note.lights", "on_time", pctText(OnTimeTarget))}
	if len(lines) > 0 {
		chart.Series = []chartSeries{progress}
		t.Charts = []chartSpec{chart}
	}
	return t
}

// addSummary adds the additive figures of s to sum.
func addSummary(sum *stats.Summary, s stats.Summary) {
	sum.SMEsServed += s.SMEsServed
	sum.Records += s.Records
	sum.Tickets += s.Tickets
	sum.Closed += s.Closed
	sum.Overdue += s.Overdue
	sum.Dispatched += s.Dispatched
	sum.Returns += s.Returns
	sum.Extensions += s.Extensions
	sum.Reopens += s.Reopens
	sum.RatedCount += s.RatedCount
	sum.Satisfied += s.Satisfied
	sum.SignDue += s.SignDue
	sum.SignOnTime += s.SignOnTime
	sum.HandleDue += s.HandleDue
	sum.HandleOnTime += s.HandleOnTime
}

// districtTable lists the district platforms: their own figures against
// the district standard, with the light, and the figures of the whole
// district (the platform and those below it).
func (p *Page) districtTable(year int, share float64, list []stats.DistrictFigures) *statTable {
	t := &statTable{ID: "districts", Title: p.T("dashboard.districts"), Cols: []statCol{
		{Label: p.T("dashboard.col.district_platform"), Width: 34},
		{Label: p.T("dashboard.col.smes_served"), Num: true, Width: 14}, {Label: p.T("dashboard.col.target_smes"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.progress"), Num: true, Width: 10}, {Label: p.T("dashboard.col.satisfaction_rate"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.on_time_rate"), Num: true, Width: 12}, {Label: p.T("dashboard.col.status"), Width: 12},
		{Label: p.T("dashboard.col.tree_smes"), Num: true, Width: 16}, {Label: p.T("dashboard.col.tree_records"), Num: true, Width: 14},
		{Label: p.T("dashboard.col.tree_tickets"), Num: true, Width: 14}, {Label: p.T("dashboard.col.tree_satisfaction"), Num: true, Width: 14},
		{Label: p.T("dashboard.col.tree_on_time"), Num: true, Width: 14},
	}}
	var own, tree stats.Summary
	var target int64
	chart := chartSpec{ID: "districts-smes", Kind: "bar", Title: p.T("dashboard.districts")}
	served := chartSeries{Name: p.T("dashboard.col.smes_served"), Kind: "bar"}
	whole := chartSeries{Name: p.T("dashboard.col.tree_smes"), Kind: "bar"}
	goal := chartSeries{Name: p.T("dashboard.col.target_smes"), Kind: "line"}
	for _, d := range list {
		tgt := int64(d.Standard.MinSMEsServed)
		t.Rows = append(t.Rows, statRow{Code: d.Platform.Code, Cells: []statCell{
			linkCell(d.Platform.Name, p.dashURL(d.Platform.Code, year)),
			intCell(d.SMEsServed), intCell(tgt), rateCell(ratio(d.SMEsServed, tgt)), rateCell(d.SatisfactionRate),
			rateCell(d.OnTimeRate), p.lightCell(platformLight(d.PlatformFigures, share)),
			intCell(d.Subtree.SMEsServed), intCell(d.Subtree.Records), intCell(d.Subtree.Tickets),
			rateCell(d.Subtree.SatisfactionRate), rateCell(d.Subtree.OnTimeRate),
		}})
		addSummary(&own, d.Summary)
		addSummary(&tree, d.Subtree)
		target += tgt
		chart.Categories = append(chart.Categories, d.Platform.Name)
		served.Data = append(served.Data, num(d.SMEsServed))
		whole.Data = append(whole.Data, num(d.Subtree.SMEsServed))
		goal.Data = append(goal.Data, num(tgt))
	}
	t.Total = []statCell{textCell(p.T("dashboard.total")), intCell(own.SMEsServed), intCell(target),
		rateCell(ratio(own.SMEsServed, target)), rateCell(ratio(own.Satisfied, own.RatedCount)),
		rateCell(ratio(own.HandleOnTime, own.HandleDue)), blankCell(), intCell(tree.SMEsServed), intCell(tree.Records),
		intCell(tree.Tickets), rateCell(ratio(tree.Satisfied, tree.RatedCount)), rateCell(ratio(tree.HandleOnTime, tree.HandleDue))}
	t.Notes = []string{p.T("dashboard.note.districts"), p.T("dashboard.note.smes_sum"),
		p.T("dashboard.note.lights", "on_time", pctText(OnTimeTarget))}
	if len(list) > 0 {
		chart.Series = []chartSeries{served, whole, goal}
		t.Charts = []chartSpec{chart}
	}
	return t
}

// monthsTable is a scope's year month by month, with the trend and the
// rates charted.
func (p *Page) monthsTable(months []stats.Month) *statTable {
	t := &statTable{ID: "months", Title: p.T("dashboard.months"), Cols: []statCol{
		{Label: p.T("dashboard.col.month"), Width: 10},
		{Label: p.T("dashboard.col.smes_new"), Num: true, Width: 16}, {Label: p.T("dashboard.col.smes_cumulative"), Num: true, Width: 16},
		{Label: p.T("dashboard.col.records"), Num: true, Width: 12}, {Label: p.T("dashboard.col.tickets"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.closed"), Num: true, Width: 10}, {Label: p.T("dashboard.col.rated"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.satisfaction_rate"), Num: true, Width: 10}, {Label: p.T("dashboard.col.on_time_rate"), Num: true, Width: 12},
	}}
	trend := chartSpec{ID: "months-trend", Kind: "bar", Title: p.T("dashboard.months_trend")}
	rates := chartSpec{ID: "months-rates", Kind: "line", Title: p.T("dashboard.months_rates"), Percent: true}
	recs := chartSeries{Name: p.T("dashboard.col.records"), Kind: "bar"}
	tks := chartSeries{Name: p.T("dashboard.col.tickets"), Kind: "bar"}
	cum := chartSeries{Name: p.T("dashboard.col.smes_cumulative"), Kind: "line"}
	sat := chartSeries{Name: p.T("dashboard.col.satisfaction_rate"), Kind: "line"}
	onTime := chartSeries{Name: p.T("dashboard.col.on_time_rate"), Kind: "line"}
	var smes, records, tickets, closed, rated, satisfied, due, onTimeN int64
	for _, m := range months {
		label := p.T("dashboard.month_n", "n", m.Month)
		t.Rows = append(t.Rows, statRow{Code: strconv.Itoa(m.Month), Cells: []statCell{textCell(label),
			intCell(m.SMEsNew), intCell(m.SMEsServed), intCell(m.Records), intCell(m.Tickets), intCell(m.Closed),
			intCell(m.RatedCount), rateCell(m.SatisfactionRate), rateCell(m.OnTimeRate)}})
		smes += m.SMEsNew
		records += m.Records
		tickets += m.Tickets
		closed += m.Closed
		rated += m.RatedCount
		satisfied += m.Satisfied
		due += m.HandleDue
		onTimeN += m.HandleOnTime
		for _, c := range []*chartSpec{&trend, &rates} {
			c.Categories = append(c.Categories, label)
		}
		recs.Data = append(recs.Data, num(m.Records))
		tks.Data = append(tks.Data, num(m.Tickets))
		cum.Data = append(cum.Data, num(m.SMEsServed))
		sat.Data = append(sat.Data, m.SatisfactionRate)
		onTime.Data = append(onTime.Data, m.OnTimeRate)
	}
	t.Total = []statCell{textCell(p.T("dashboard.total")), intCell(smes), blankCell(), intCell(records), intCell(tickets),
		intCell(closed), intCell(rated), rateCell(ratio(satisfied, rated)), rateCell(ratio(onTimeN, due))}
	t.Notes = []string{p.T("dashboard.note.months")}
	trend.Series = []chartSeries{recs, tks, cum}
	rates.Series = []chartSeries{sat, onTime}
	t.Charts = []chartSpec{trend, rates}
	return t
}

// breakdownTables are a scope's volumes: tickets by channel and category,
// records by service area and kind, each with its share and a chart.
func (p *Page) breakdownTables(b stats.Breakdown) []*statTable {
	one := func(id, title, keyPrefix, unit string, list []stats.Volume, kind string) *statTable {
		t := &statTable{ID: id, Title: title, Cols: []statCol{{Label: p.T("dashboard.col." + id), Width: 24},
			{Label: p.T(unit), Num: true, Width: 12}, {Label: p.T("dashboard.col.share"), Num: true, Width: 10}}}
		var total int64
		for _, v := range list {
			total += v.Count
		}
		chart := chartSpec{ID: id, Kind: kind, Title: title}
		s := chartSeries{Name: p.T(unit), Kind: "bar"}
		for _, v := range list {
			label := p.Label(keyPrefix, v.Key)
			t.Rows = append(t.Rows, statRow{Code: v.Key, Cells: []statCell{textCell(label), intCell(v.Count), rateCell(ratio(v.Count, total))}})
			chart.Categories = append(chart.Categories, label)
			s.Data = append(s.Data, num(v.Count))
		}
		t.Total = []statCell{textCell(p.T("dashboard.total")), intCell(total), rateCell(ratio(total, total))}
		chart.Series = []chartSeries{s}
		t.Charts = []chartSpec{chart}
		return t
	}
	return []*statTable{
		one("channels", p.T("dashboard.channels"), "channel.", "dashboard.col.tickets", b.ByChannel, "pie"),
		one("categories", p.T("dashboard.categories"), "category.", "dashboard.col.tickets", b.ByCategory, "bar"),
		one("service_areas", p.T("dashboard.service_areas"), "service_area.", "dashboard.col.records", b.ByServiceArea, "bar"),
		one("kinds", p.T("dashboard.kinds"), "record_kind.", "dashboard.col.records", b.ByKind, "pie"),
	}
}

// departmentTable lists the departments with their figures.
func (p *Page) departmentTable(year int, list []stats.DepartmentFigures) *statTable {
	t := &statTable{ID: "departments", Title: p.T("dashboard.departments"), Cols: []statCol{
		{Label: p.T("dashboard.col.department"), Width: 30},
		{Label: p.T("dashboard.col.smes_served"), Num: true, Width: 14}, {Label: p.T("dashboard.col.records"), Num: true, Width: 12},
		{Label: p.T("dashboard.col.tickets"), Num: true, Width: 10}, {Label: p.T("dashboard.col.closed"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.overdue"), Num: true, Width: 12}, {Label: p.T("dashboard.col.returns"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.extensions"), Num: true, Width: 10}, {Label: p.T("dashboard.col.satisfaction_rate"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.on_time_rate"), Num: true, Width: 12}, {Label: p.T("dashboard.col.status"), Width: 12},
	}}
	var sum stats.Summary
	chart := chartSpec{ID: "departments-tickets", Kind: "bar", Title: p.T("dashboard.departments")}
	tks := chartSeries{Name: p.T("dashboard.col.tickets"), Kind: "bar"}
	over := chartSeries{Name: p.T("dashboard.col.overdue"), Kind: "bar"}
	for _, d := range list {
		light := worst(rateLight(d.SatisfactionRate, satisfactionTarget, 0), rateLight(d.OnTimeRate, OnTimeTarget, onTimeWarn))
		t.Rows = append(t.Rows, statRow{Code: d.Department.Code, Cells: []statCell{
			linkCell(d.Department.Name, "/dashboard/departments/"+d.Department.Code+"?year="+strconv.Itoa(year)),
			intCell(d.SMEsServed), intCell(d.Records), intCell(d.Tickets), intCell(d.Closed), intCell(d.Overdue),
			intCell(d.Returns), intCell(d.Extensions), rateCell(d.SatisfactionRate), rateCell(d.OnTimeRate), p.lightCell(light),
		}})
		addSummary(&sum, d.Summary)
		chart.Categories = append(chart.Categories, d.Department.Name)
		tks.Data = append(tks.Data, num(d.Tickets))
		over.Data = append(over.Data, num(d.Overdue))
	}
	t.Total = []statCell{textCell(p.T("dashboard.total")), intCell(sum.SMEsServed), intCell(sum.Records), intCell(sum.Tickets),
		intCell(sum.Closed), intCell(sum.Overdue), intCell(sum.Returns), intCell(sum.Extensions),
		rateCell(ratio(sum.Satisfied, sum.RatedCount)), rateCell(ratio(sum.HandleOnTime, sum.HandleDue)), blankCell()}
	t.Notes = []string{p.T("dashboard.note.smes_sum"), p.T("dashboard.note.department_lights", "on_time", pctText(OnTimeTarget),
		"satisfaction", pctText(satisfactionTarget))}
	if len(list) > 0 {
		chart.Series = []chartSeries{tks, over}
		t.Charts = []chartSpec{chart}
	}
	return t
}

// satisfactionTarget judges departments, which have no tier standard: the
// notice's 90 % for all.
const satisfactionTarget = 0.9

// targetLine is one target of a scope: what is measured, the target, the
// figure and its light.
type targetLine struct {
	Code    string
	Label   string
	Target  float64
	Actual  *float64 // nil when nothing could be measured
	Percent bool
	Light   string
	// HasTarget is false for a network target the city has not set.
	HasTarget bool
	// Short names the gauge when Label is long.
	Short string
}

// targetsTable lists a scope's targets with a gauge for each.
func (p *Page) targetsTable(lines []targetLine) *statTable {
	t := &statTable{ID: "targets", Title: p.T("dashboard.targets"), Cols: []statCol{
		{Label: p.T("dashboard.col.indicator"), Width: 36}, {Label: p.T("dashboard.col.target"), Num: true, Width: 12},
		{Label: p.T("dashboard.col.actual"), Num: true, Width: 12}, {Label: p.T("dashboard.col.progress"), Num: true, Width: 10},
		{Label: p.T("dashboard.col.status"), Width: 12},
	}}
	cell := func(v *float64, percent bool) statCell {
		switch {
		case percent || v == nil:
			return rateCell(v)
		case *v != float64(int64(*v)):
			return statCell{Text: strconv.FormatFloat(*v, 'f', -1, 64), Value: *v}
		}
		return intCell(int64(*v))
	}
	for _, l := range lines {
		target := l.Target
		var progress *float64
		if l.Actual != nil && target > 0 && l.HasTarget {
			r := *l.Actual / target
			progress = &r
		}
		tc := textCell(p.T("dashboard.target_unset"))
		if l.HasTarget {
			tc = cell(&target, l.Percent)
		}
		t.Rows = append(t.Rows, statRow{Code: l.Code, Cells: []statCell{textCell(l.Label), tc,
			cell(l.Actual, l.Percent), rateCell(progress), p.lightCell(l.Light)}})
		if l.Actual != nil && l.HasTarget {
			name := l.Label
			if l.Short != "" {
				name = l.Short
			}
			g := chartGauge{Name: name, Value: *l.Actual, Target: target, Percent: l.Percent, Max: 1}
			if !l.Percent {
				g.Max = max(target, *l.Actual, 1)
			}
			t.Charts = append(t.Charts, chartSpec{ID: "gauge-" + l.Code, Kind: "gauge", Title: name, Gauge: &g})
		}
	}
	t.Notes = []string{p.T("dashboard.note.targets")}
	return t
}

// streetsTable lists key streets (重点街道) and whether each has its street
// platform (R1.8).
func (p *Page) streetsTable(year int, streets []stats.KeyStreetCoverage, name func(code string) (string, bool)) *statTable {
	t := &statTable{ID: "streets", Title: p.T("dashboard.streets"), Cols: []statCol{
		{Label: p.T("dashboard.col.street"), Width: 20}, {Label: p.T("dashboard.col.region_code"), Width: 12},
		{Label: p.T("dashboard.col.street_platform"), Width: 34}, {Label: p.T("dashboard.col.covered"), Num: true, Width: 10},
	}}
	var covered int64
	for _, s := range streets {
		plat := textCell(p.T("dashboard.no_platform"))
		var c int64
		if s.Covered {
			c = 1
			covered++
			plat = textCell(s.PlatformCode)
			if n, ok := name(s.PlatformCode); ok {
				plat = linkCell(n, p.dashURL(s.PlatformCode, year))
			}
		}
		t.Rows = append(t.Rows, statRow{Code: s.Code, Cells: []statCell{textCell(s.Name), textCell(s.Code), plat, intCell(c)}})
	}
	t.Total = []statCell{textCell(p.T("dashboard.total")), blankCell(), textCell(p.T("dashboard.streets_total", "n", len(streets))),
		intCell(covered)}
	t.Notes = []string{p.T("dashboard.note.streets")}
	return t
}
