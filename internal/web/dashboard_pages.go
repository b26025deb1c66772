package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/stats"
)

// dashData is what a dashboard page shows: the year and its selector,
// the headline figures, the tables (each with its charts and export), the
// way back up the network and the links down to the records and tickets.
type dashData struct {
	Year    int
	Years   []int
	Period  string
	Heading string
	Unit    string // the unit the figures are of (单位)
	Empty   bool   // nothing was recorded or filed in the year
	Cards   []dashCard
	Tables  []*statTable
	Crumbs  []crumb
	Links   []crumb
	Report  string // the yearly report of all platforms against targets
	Action  string // the page's own path, for the year selector
	Export  string // every table of the page in one workbook
}

// dashCard is one headline figure.
type dashCard struct {
	ID, Label, Value, Light string
}

// crumb is a labelled link.
type crumb struct {
	ID, Label, URL string
}

// Table finds a table of the page by id (nil when none).
func (d *dashData) Table(id string) *statTable {
	for _, t := range d.Tables {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// finish points every table at its export.
func (d *dashData) finish(path string) {
	d.Action = path
	d.Export = path + "/export.xlsx?year=" + strconv.Itoa(d.Year)
	for _, t := range d.Tables {
		t.Export = path + "/export.xlsx?" + url.Values{"table": {t.ID}, "year": {strconv.Itoa(d.Year)}}.Encode()
	}
}

func (p *Page) summaryCards(prefix string, s stats.Summary, smesLight string) []dashCard {
	rate := func(r *float64) string {
		if r == nil {
			return "—"
		}
		return pctText(*r)
	}
	return []dashCard{
		{ID: prefix + "smes_served", Label: p.T("dashboard.col.smes_served"), Value: strconv.FormatInt(s.SMEsServed, 10), Light: smesLight},
		{ID: prefix + "records", Label: p.T("dashboard.col.records"), Value: strconv.FormatInt(s.Records, 10)},
		{ID: prefix + "tickets", Label: p.T("dashboard.col.tickets"), Value: strconv.FormatInt(s.Tickets, 10)},
		{ID: prefix + "closed", Label: p.T("dashboard.col.closed"), Value: strconv.FormatInt(s.Closed, 10)},
		{ID: prefix + "satisfaction_rate", Label: p.T("dashboard.col.satisfaction_rate"), Value: rate(s.SatisfactionRate)},
		{ID: prefix + "on_time_rate", Label: p.T("dashboard.col.on_time_rate"), Value: rate(s.OnTimeRate)},
		{ID: prefix + "overdue", Label: p.T("dashboard.col.overdue"), Value: strconv.FormatInt(s.Overdue, 10)},
	}
}

// dashboard is the city overview for those who read everything; platform
// staff are sent to their platform's dashboard, department staff to their
// department's.
func (w *Web) dashboard(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.ReadsAll() {
		to := ""
		switch {
		case a.Role.OrgKind() == access.OrgPlatform && !a.Platforms().None():
			to = "/dashboard/platforms/" + url.PathEscape(a.OrgCode)
		case a.Role == access.DepartmentStaff:
			to = "/dashboard/departments/" + url.PathEscape(a.OrgCode)
		default:
			return apperr.Deny()
		}
		if y := r.URL.Query().Get("year"); y != "" {
			to += "?year=" + url.QueryEscape(y)
		}
		http.Redirect(rw, r, to, http.StatusSeeOther)
		return nil
	}
	year, err := w.dashYear(r)
	if err != nil {
		return err
	}
	p := w.page(r, "dashboard")
	d, err := w.cityDash(r, a, p, year)
	if err != nil {
		return err
	}
	return w.renderDash(rw, r, p, d)
}

func (w *Web) renderDash(rw http.ResponseWriter, r *http.Request, p *Page, d *dashData) error {
	p.Data = d
	p.Scripts = []string{"vendor/echarts.min.js", "dashboard.js"}
	w.render(rw, r, "dashboard", p)
	return nil
}

// cityDash builds the city overview: the network's targets, every district
// with its light, the city's and the specialised platforms, the months,
// the volumes and the departments.
func (w *Web) cityDash(r *http.Request, a access.Actor, p *Page, year int) (*dashData, error) {
	ctx := r.Context()
	if !a.ReadsAll() {
		return nil, apperr.Deny()
	}
	city, err := w.s.Stats.City(ctx, a, year)
	if err != nil {
		return nil, err
	}
	districts, err := w.s.Stats.Districts(ctx, a, year)
	if err != nil {
		return nil, err
	}
	plats, err := w.s.Stats.Platforms(ctx, a, stats.PlatformQuery{Year: year})
	if err != nil {
		return nil, err
	}
	deps, err := w.s.Stats.Departments(ctx, a, year)
	if err != nil {
		return nil, err
	}
	net, err := w.s.Stats.Network(ctx, a, year)
	if err != nil {
		return nil, err
	}
	share := yearShare(year, w.s.Clock.Now())
	d := &dashData{Year: year, Years: w.dashYears(year), Period: w.dashPeriod(p, year), Heading: p.T("dashboard.city_title"),
		Unit: p.Brand.Name, Empty: city.Records == 0 && city.Tickets == 0, Report: "/dashboard/report.xlsx?year=" + strconv.Itoa(year)}
	var top []platformLine
	var cityPlat *stats.PlatformFigures
	for i, pl := range plats {
		switch pl.Platform.Tier {
		case string(org.TierCity):
			if cityPlat == nil {
				cityPlat = &plats[i]
			}
			top = append(top, platformLine{Fig: pl})
		case string(org.TierSpecialised):
			top = append(top, platformLine{Fig: pl})
		}
	}
	if cityPlat != nil {
		d.Unit = cityPlat.Platform.Name
	}
	d.Cards = p.summaryCards("city-", city.Summary, "")
	var lines []targetLine
	minSat := satisfactionTarget
	if cityPlat != nil {
		f := *cityPlat
		lines = append(lines, targetLine{Code: "smes_served", Label: p.T("dashboard.target.smes_of", "platform", f.Platform.Name),
			Target: float64(f.Standard.MinSMEsServed), Actual: num(f.SMEsServed), HasTarget: true, Short: p.T("dashboard.target.smes"),
			Light: smesLight(f.SMEsServed, f.Standard.MinSMEsServed, share)})
		minSat = f.Standard.MinSatisfaction
	}
	lines = append(lines,
		targetLine{Code: "satisfaction_rate", Label: p.T("dashboard.target.city_satisfaction"), Target: minSat, HasTarget: true,
			Actual: city.SatisfactionRate, Percent: true, Light: rateLight(city.SatisfactionRate, minSat, 0)},
		targetLine{Code: "on_time_rate", Label: p.T("dashboard.target.city_on_time"), Target: OnTimeTarget, HasTarget: true,
			Actual: city.OnTimeRate, Percent: true, Light: rateLight(city.OnTimeRate, OnTimeTarget, onTimeWarn)},
		p.demonstrationLine(net), p.coverageLine(net.Targets, net.KeyStreets, net.KeyStreetsCovered))
	d.Tables = append(d.Tables, p.targetsTable(lines), p.districtTable(year, share, districts),
		p.platformTable("platforms", p.T("dashboard.city_platforms"), year, share, top), p.monthsTable(city.Months))
	d.Tables = append(d.Tables, p.breakdownTables(city.Breakdown)...)
	d.Tables = append(d.Tables, p.departmentTable(year, deps))
	d.Links = []crumb{{ID: "link-departments", Label: p.T("dashboard.departments"), URL: "/dashboard/departments?year=" + strconv.Itoa(year)}}
	d.finish("/dashboard")
	return d, nil
}

// demonstrationLine is the target of specialised demonstration platforms.
func (p *Page) demonstrationLine(net stats.Network) targetLine {
	l := targetLine{Code: "demonstration_platforms", Label: p.T("dashboard.target.demonstration"),
		Actual: num(int64(net.DemonstrationPlatforms)), Light: lightNone}
	if n := net.Targets.DemonstrationPlatforms; n != nil {
		l.Target, l.HasTarget = float64(*n), true
		l.Light = lightBad
		if net.DemonstrationPlatforms >= *n {
			l.Light = lightOK
		}
	}
	return l
}

// coverageLine is the target of key streets with a street platform.
func (p *Page) coverageLine(t stats.Targets, streets, covered int) targetLine {
	l := targetLine{Code: "key_street_coverage", Label: p.T("dashboard.target.coverage"), Percent: true,
		Actual: ratio(int64(covered), int64(streets)), Light: lightNone}
	if c := t.KeyStreetCoverage; c != nil {
		l.Target, l.HasTarget = *c, true
		l.Light = rateLight(l.Actual, *c, 0)
	}
	return l
}

// dashPlatform is a platform's dashboard: its own figures against its
// tier standard; for a city or district platform, the platforms below it,
// its key streets and the figures of its whole tree; links to its records
// and tickets. Out of the viewer's scope: 403.
func (w *Web) dashPlatform(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	year, err := w.dashYear(r)
	if err != nil {
		return err
	}
	p := w.page(r, "dashboard")
	d, err := w.platformDash(r, a, p, r.PathValue("code"), year)
	if err != nil {
		return err
	}
	return w.renderDash(rw, r, p, d)
}

func (w *Web) platformDash(r *http.Request, a access.Actor, p *Page, code string, year int) (*dashData, error) {
	ctx := r.Context()
	det, err := w.s.Stats.Platform(ctx, a, code, year)
	if err != nil {
		return nil, err
	}
	plats, err := w.s.Stats.Platforms(ctx, a, stats.PlatformQuery{Year: year})
	if err != nil {
		return nil, err
	}
	share := yearShare(year, w.s.Clock.Now())
	pl := det.Platform
	own := stats.PlatformFigures{Year: year, Platform: pl, Standard: det.Standard, Compliant: det.Compliant, Summary: det.Own.Summary}
	y := strconv.Itoa(year)
	d := &dashData{Year: year, Years: w.dashYears(year), Period: w.dashPeriod(p, year), Heading: pl.Name, Unit: pl.Name,
		Report: "/dashboard/report.xlsx?year=" + y}
	byCode := map[string]stats.PlatformFigures{}
	for _, f := range plats {
		byCode[f.Platform.Code] = f
	}
	// The way back up: the city overview, then each platform above this
	// one that the viewer sees.
	if a.ReadsAll() {
		d.Crumbs = append(d.Crumbs, crumb{ID: "crumb-city", Label: p.T("dashboard.city_title"), URL: "/dashboard?year=" + y})
	}
	for _, c := range strings.Split(strings.Trim(pl.Path, "/"), "/") {
		if f, ok := byCode[c]; ok && c != pl.Code {
			d.Crumbs = append(d.Crumbs, crumb{ID: "crumb-" + c, Label: f.Platform.Name, URL: p.dashURL(c, year)})
		}
	}
	d.Cards = p.summaryCards("own-", det.Own.Summary, smesLight(own.SMEsServed, own.Standard.MinSMEsServed, share))
	lines := []targetLine{
		{Code: "smes_served", Label: p.T("dashboard.target.smes"), Target: float64(det.Standard.MinSMEsServed), HasTarget: true,
			Actual: num(own.SMEsServed), Light: smesLight(own.SMEsServed, det.Standard.MinSMEsServed, share)},
		{Code: "satisfaction_rate", Label: p.T("dashboard.target.satisfaction"), Target: det.Standard.MinSatisfaction, HasTarget: true,
			Actual: own.SatisfactionRate, Percent: true, Light: rateLight(own.SatisfactionRate, det.Standard.MinSatisfaction, 0)},
		{Code: "on_time_rate", Label: p.T("dashboard.target.on_time"), Target: OnTimeTarget, HasTarget: true,
			Actual: own.OnTimeRate, Percent: true, Light: rateLight(own.OnTimeRate, OnTimeTarget, onTimeWarn)},
		{Code: "area_m2", Label: p.T("dashboard.target.area"), Target: det.Standard.MinAreaM2, HasTarget: true,
			Actual: &pl.AreaM2, Light: map[bool]string{true: lightOK, false: lightBad}[det.Compliant.Area]},
	}
	scope := det.Own
	var streets []stats.KeyStreetCoverage
	if det.Subtree != nil {
		scope = *det.Subtree
		net, err := w.s.Stats.Network(ctx, a, year)
		if err != nil {
			return nil, err
		}
		prefix := access.RegionPrefix(pl.RegionCode)
		covered := 0
		for _, s := range net.Streets {
			if strings.HasPrefix(s.Code, prefix) {
				streets = append(streets, s)
				if s.Covered {
					covered++
				}
			}
		}
		if len(streets) > 0 {
			lines = append(lines, p.coverageLine(net.Targets, len(streets), covered))
		}
	}
	d.Empty = scope.Records == 0 && scope.Tickets == 0
	d.Tables = append(d.Tables, p.targetsTable(lines))
	if det.Subtree != nil {
		d.Cards = append(d.Cards, p.summaryCards("tree-", det.Subtree.Summary, "")[:3]...)
		for i := range d.Cards[len(d.Cards)-3:] {
			c := &d.Cards[len(d.Cards)-3+i]
			c.Label = p.T("dashboard.tree_of", "scope", p.T("dashboard.tree."+pl.Tier), "what", c.Label)
		}
		rows := []platformLine{{Fig: own, Label: p.T("dashboard.own_level", "platform", pl.Name)}}
		for _, f := range plats {
			if f.Platform.ParentCode == pl.Code {
				rows = append(rows, platformLine{Fig: f})
			}
		}
		d.Tables = append(d.Tables, p.platformTable("platforms", p.T("dashboard.below"), year, share, rows))
		if len(streets) > 0 {
			d.Tables = append(d.Tables, p.streetsTable(year, streets, func(code string) (string, bool) {
				f, ok := byCode[code]
				return f.Platform.Name, ok
			}))
		}
	}
	months := p.monthsTable(scope.Months)
	if det.Subtree != nil {
		months.Notes = append(months.Notes, p.T("dashboard.note.tree_scope"))
	}
	d.Tables = append(d.Tables, months)
	d.Tables = append(d.Tables, p.breakdownTables(scope.Breakdown)...)
	d.Links = []crumb{
		{ID: "link-records", Label: p.T("dashboard.its_records"), URL: "/records?" + url.Values{"platform_code": {pl.Code}, "year": {y}}.Encode()},
		{ID: "link-tickets", Label: p.T("dashboard.its_tickets"), URL: "/queue?" + url.Values{"assignee": {"platform:" + pl.Code}}.Encode()},
	}
	d.finish("/dashboard/platforms/" + pl.Code)
	return d, nil
}

// dashDepartments lists the departments the viewer sees with their
// figures.
func (w *Web) dashDepartments(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	year, err := w.dashYear(r)
	if err != nil {
		return err
	}
	p := w.page(r, "dashboard")
	d, err := w.departmentsDash(r, a, p, year)
	if err != nil {
		return err
	}
	return w.renderDash(rw, r, p, d)
}

func (w *Web) departmentsDash(r *http.Request, a access.Actor, p *Page, year int) (*dashData, error) {
	deps, err := w.s.Stats.Departments(r.Context(), a, year)
	if err != nil {
		return nil, err
	}
	d := &dashData{Year: year, Years: w.dashYears(year), Period: w.dashPeriod(p, year), Heading: p.T("dashboard.departments"),
		Unit: p.Brand.Name, Empty: true}
	for _, dep := range deps {
		if dep.Records != 0 || dep.Tickets != 0 {
			d.Empty = false
		}
	}
	if a.ReadsAll() {
		d.Crumbs = []crumb{{ID: "crumb-city", Label: p.T("dashboard.city_title"), URL: "/dashboard?year=" + strconv.Itoa(year)}}
	}
	d.Tables = []*statTable{p.departmentTable(year, deps)}
	d.finish("/dashboard/departments")
	return d, nil
}

// dashDepartment is one department's dashboard.
func (w *Web) dashDepartment(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	year, err := w.dashYear(r)
	if err != nil {
		return err
	}
	p := w.page(r, "dashboard")
	d, err := w.departmentDash(r, a, p, r.PathValue("code"), year)
	if err != nil {
		return err
	}
	return w.renderDash(rw, r, p, d)
}

func (w *Web) departmentDash(r *http.Request, a access.Actor, p *Page, code string, year int) (*dashData, error) {
	dep, err := w.s.Stats.Department(r.Context(), a, code, year)
	if err != nil {
		return nil, err
	}
	y := strconv.Itoa(year)
	d := &dashData{Year: year, Years: w.dashYears(year), Period: w.dashPeriod(p, year), Heading: dep.Department.Name,
		Unit: dep.Department.Name, Empty: dep.Records == 0 && dep.Tickets == 0}
	if a.ReadsAll() {
		d.Crumbs = []crumb{{ID: "crumb-city", Label: p.T("dashboard.city_title"), URL: "/dashboard?year=" + y},
			{ID: "crumb-departments", Label: p.T("dashboard.departments"), URL: "/dashboard/departments?year=" + y}}
	}
	d.Cards = p.summaryCards("own-", dep.Summary, "")
	lines := []targetLine{
		{Code: "satisfaction_rate", Label: p.T("dashboard.target.satisfaction"), Target: satisfactionTarget, HasTarget: true,
			Actual: dep.SatisfactionRate, Percent: true, Light: rateLight(dep.SatisfactionRate, satisfactionTarget, 0)},
		{Code: "on_time_rate", Label: p.T("dashboard.target.on_time"), Target: OnTimeTarget, HasTarget: true,
			Actual: dep.OnTimeRate, Percent: true, Light: rateLight(dep.OnTimeRate, OnTimeTarget, onTimeWarn)},
	}
	d.Tables = append(d.Tables, p.targetsTable(lines), p.monthsTable(dep.Months))
	d.Tables = append(d.Tables, p.breakdownTables(dep.Breakdown)...)
	d.Links = []crumb{
		{ID: "link-records", Label: p.T("dashboard.its_records"), URL: "/records?" + url.Values{"department_code": {code}, "year": {y}}.Encode()},
		{ID: "link-tickets", Label: p.T("dashboard.its_tickets"), URL: "/queue?" + url.Values{"assignee": {"department:" + code}}.Encode()},
	}
	d.finish("/dashboard/departments/" + dep.Department.Code)
	return d, nil
}
