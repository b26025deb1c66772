package web_test

// The dashboards' figures, on the page and in the workbooks, against SQL
// written here over the raw records and tickets, on both engines; their
// scope for each role; a year without data.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/store"
)

// dashWorld is the demo with a year of tickets and records, a correction
// and records on both sides of the year's turn.
func dashWorld(t *testing.T, env *apptest.Env) {
	t.Helper()
	ctx := context.Background()
	if err := demo.LoadWith(ctx, env.App, io.Discard, demo.Options{Tickets: 120, Records: 300, NetworkTargets: true}); err != nil {
		t.Fatal(err)
	}
	in := record.Input{PlatformCode: recordStreet, EnterpriseUSCC: demo.DemoEnterprise, Kind: "consultation",
		ServiceArea: "information", Date: "2025-12-31", Note: "跨年测试"}
	if _, err := env.App.Record.Create(ctx, apptest.System, in); err != nil {
		t.Fatal(err)
	}
	in.Date = "2026-01-01"
	r, err := env.App.Record.Create(ctx, apptest.System, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Record.Correct(ctx, apptest.System, r.ID, record.Correction{Cancel: true, Reason: "录错了"}); err != nil {
		t.Fatal(err)
	}
}

// sqlFigures are the figures of a year computed here from the raw rows.
type sqlFigures struct {
	paths   map[string]string // platform code → path
	tiers   map[string]string
	smes    map[string]int64 // platform code → its own distinct SMEs served
	records map[string]int64 // handler code → live records
	tickets map[string]int64 // handler code → tickets (merged left out)
	env     *apptest.Env
	year    int
}

func query(t *testing.T, env *apptest.Env, q string, args ...any) [][]string {
	t.Helper()
	return env.Rows(q, args...)
}

func toInt(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

// createdYear is the CST year of a timestamp column.
func createdYear(env *apptest.Env, col string) string {
	if env.App.DB.Dialect() == store.Postgres {
		return "CAST(EXTRACT(YEAR FROM " + col + " AT TIME ZONE 'Asia/Shanghai') AS INTEGER)"
	}
	return "CAST(strftime('%Y', " + col + ", '+8 hours') AS INTEGER)"
}

// liveSME is the join and condition of records that count towards SMEs
// served in a year: live, of an enterprise not large, dated in the year.
const liveSME = ` FROM service_records r JOIN enterprises e ON e.uscc = r.enterprise_uscc
	WHERE r.cancelled_at IS NULL AND e.size <> 'large' AND r.served_on LIKE ?`

func figuresOf(t *testing.T, env *apptest.Env, year int) *sqlFigures {
	t.Helper()
	y := strconv.Itoa(year) + "-%"
	f := &sqlFigures{paths: map[string]string{}, tiers: map[string]string{}, smes: map[string]int64{}, records: map[string]int64{},
		tickets: map[string]int64{}, env: env, year: year}
	for _, r := range query(t, env, "SELECT code, path, tier FROM platforms") {
		f.paths[r[0]], f.tiers[r[0]] = r[1], r[2]
	}
	for _, r := range query(t, env, "SELECT r.platform_code, COUNT(DISTINCT r.enterprise_uscc)"+liveSME+
		" AND r.platform_code IS NOT NULL GROUP BY r.platform_code", y) {
		f.smes[r[0]] = toInt(r[1])
	}
	for _, r := range query(t, env, `SELECT COALESCE(platform_code, department_code), COUNT(*) FROM service_records
		WHERE cancelled_at IS NULL AND served_on LIKE ? GROUP BY COALESCE(platform_code, department_code)`, y) {
		f.records[r[0]] = toInt(r[1])
	}
	for _, r := range query(t, env, "SELECT assignee_code, COUNT(*) FROM tickets WHERE status <> 'merged' AND "+
		createdYear(env, "created_at")+" = ? GROUP BY assignee_code", year) {
		f.tickets[r[0]] = toInt(r[1])
	}
	return f
}

// tree sums a per-handler figure over a platform and those below it.
func (f *sqlFigures) tree(m map[string]int64, code string) int64 {
	var n int64
	for c, p := range f.paths {
		if strings.HasPrefix(p, f.paths[code]) {
			n += m[c]
		}
	}
	return n
}

// treeSMEs counts the distinct SMEs a platform and those below it served.
func (f *sqlFigures) treeSMEs(t *testing.T, code string) int64 {
	t.Helper()
	rows := query(t, f.env, "SELECT COUNT(DISTINCT r.enterprise_uscc)"+liveSME+
		" AND r.platform_code IN (SELECT code FROM platforms WHERE path LIKE ?)", strconv.Itoa(f.year)+"-%", f.paths[code]+"%")
	return toInt(rows[0][0])
}

// citySMEs counts the distinct SMEs every platform and department served.
func (f *sqlFigures) citySMEs(t *testing.T) int64 {
	t.Helper()
	return toInt(query(t, f.env, "SELECT COUNT(DISTINCT r.enterprise_uscc)"+liveSME, strconv.Itoa(f.year)+"-%")[0][0])
}

func sumAll(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// htmlTable reads a dashboard table: its rows by data-code, and its
// totals row, each as the text of its cells.
func htmlTable(t *testing.T, p *apptest.Page, id string) (map[string][]string, []string) {
	t.Helper()
	tbl := p.Doc.Find("#table-" + id)
	if tbl.Length() != 1 {
		t.Fatalf("no table %s on the page", id)
	}
	cells := func(s *goquery.Selection) []string {
		var out []string
		s.Find("th, td").Each(func(_ int, c *goquery.Selection) { out = append(out, strings.TrimSpace(c.Text())) })
		return out
	}
	rows := map[string][]string{}
	tbl.Find("tbody tr").Each(func(_ int, r *goquery.Selection) {
		code, _ := r.Attr("data-code")
		rows[code] = cells(r)
	})
	return rows, cells(tbl.Find("tfoot tr"))
}

// xlsxSheets reads every sheet of a workbook, raw values.
func xlsxSheets(t *testing.T, body string) (names []string, sheets map[string][][]string) {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer f.Close()
	sheets = map[string][][]string{}
	for _, n := range f.GetSheetList() {
		rows, err := f.GetRows(n, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
		sheets[n] = rows
	}
	return names, sheets
}

// xlsxTable splits a dashboard sheet: the lines above the header, the
// header, the rows, and the totals row (合计).
func xlsxTable(t *testing.T, rows [][]string) (top []string, header []string, data [][]string, total []string) {
	t.Helper()
	for i, r := range rows {
		if len(r) == 0 {
			continue
		}
		if r[0] == "合计" {
			return top, header, data, r
		}
		switch {
		case i < 4:
			top = append(top, r[0])
		case i == 4:
			header = r
		default:
			data = append(data, r)
		}
	}
	t.Fatalf("no totals row in %v", rows)
	return
}

// One world per engine for the city overview, a platform's dashboard and
// the yearly report (loading the demo is the slow part).
func TestDashboardsAgainstSQL(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		dashWorld(t, env)
		t.Run("city", func(t *testing.T) { cityFiguresMatchSQL(t, env) })
		t.Run("platform", func(t *testing.T) { platformDashboardMatchesSQL(t, env) })
		t.Run("report", func(t *testing.T) { yearlyReportMatchesSQL(t, env) })
	})
}

// The city overview's figures, its charts and the districts' workbook.
func cityFiguresMatchSQL(t *testing.T, env *apptest.Env) {
	b := env.Browser()
	b.Login("admin", demo.Password)
	for _, year := range []int{2025, 2026} {
		f := figuresOf(t, env, year)
		p := b.Get("/dashboard?year=" + strconv.Itoa(year))
		if p.Status != http.StatusOK {
			t.Fatalf("GET /dashboard = %d", p.Status)
		}
		if p.Count("#dash-empty") != 0 {
			t.Errorf("%d: a year with data is said to be empty", year)
		}
		if got, want := toInt(p.Text("#card-city-smes_served dd")), f.citySMEs(t); got != want {
			t.Errorf("%d: city SMEs served %d, SQL %d", year, got, want)
		}
		if got, want := toInt(p.Text("#card-city-records dd")), sumAll(f.records); got != want {
			t.Errorf("%d: city records %d, SQL %d", year, got, want)
		}
		if got, want := toInt(p.Text("#card-city-tickets dd")), sumAll(f.tickets); got != want {
			t.Errorf("%d: city tickets %d, SQL %d", year, got, want)
		}

		// Every district: its own SMEs served, its tree's SMEs,
		// records and tickets.
		rows, total := htmlTable(t, p, "districts")
		var districts int
		for code, tier := range f.tiers {
			if tier == "district" {
				districts++
			}
			_ = code
		}
		if len(rows) != districts {
			t.Errorf("%d: %d district rows, want %d", year, len(rows), districts)
		}
		var sumOwn, sumTree, sumRecords, sumTickets int64
		for code, r := range rows {
			want := []int64{f.smes[code], f.treeSMEs(t, code), f.tree(f.records, code), f.tree(f.tickets, code)}
			got := []int64{toInt(r[1]), toInt(r[7]), toInt(r[8]), toInt(r[9])}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%d: district %s: own SMEs, district SMEs, records, tickets = %v, SQL %v", year, code, got, want)
			}
			sumOwn += got[0]
			sumTree += got[1]
			sumRecords += got[2]
			sumTickets += got[3]
			if light := p.Doc.Find(`#table-districts tr[data-code="` + code + `"] .light`); light.Length() != 1 {
				t.Errorf("%d: district %s has no traffic light", year, code)
			}
		}
		if got := []int64{toInt(total[1]), toInt(total[7]), toInt(total[8]), toInt(total[9])}; fmt.Sprint(got) !=
			fmt.Sprint([]int64{sumOwn, sumTree, sumRecords, sumTickets}) {
			t.Errorf("%d: districts total %v, rows add up to %v", year, got, []int64{sumOwn, sumTree, sumRecords, sumTickets})
		}

		// Every chart has its table beside it, and its figures are
		// the table's.
		p.Doc.Find("[data-chart]").Each(func(_ int, c *goquery.Selection) {
			id, _ := c.Attr("data-chart")
			var spec struct {
				Kind       string
				Categories []string
				Series     []struct{ Data []*float64 }
			}
			if err := json.Unmarshal([]byte(p.Doc.Find(`script[type="application/json"]#`+id).Text()), &spec); err != nil {
				t.Errorf("%d: chart %s: %v", year, id, err)
			}
			if c.Closest("section").Find("table.stat-table").Length() != 1 {
				t.Errorf("%d: chart %s has no table beside it", year, id)
			}
			if id == "chart-districts-smes-data" {
				for i, name := range spec.Categories {
					row := p.Doc.Find("#table-districts tbody tr").Eq(i)
					if strings.TrimSpace(row.Find("th").Text()) != name || spec.Series[0].Data[i] == nil ||
						int64(*spec.Series[0].Data[i]) != toInt(row.Find("td").First().Text()) {
						t.Errorf("%d: the districts chart's %s differs from its row", year, name)
					}
				}
			}
		})
		if p.Count("[data-chart]") < 10 {
			t.Errorf("%d: %d charts on the overview", year, p.Count("[data-chart]"))
		}

		// Months: the SMEs first served add up to the year's.
		_, mt := htmlTable(t, p, "months")
		if got, want := toInt(mt[1]), f.citySMEs(t); got != want {
			t.Errorf("%d: months total of SMEs first served %d, SQL %d", year, got, want)
		}
		if got, want := toInt(mt[3]), sumAll(f.records); got != want {
			t.Errorf("%d: months total of records %d, SQL %d", year, got, want)
		}

		// The districts' workbook: title, unit, period; rows as on
		// the page; the totals row the sum of the rows and the SQL.
		href, _ := p.Doc.Find("#export-districts").Attr("href")
		x := b.Get(href)
		if x.Status != http.StatusOK || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export %s: %d %s", href, x.Status, x.Header.Get("Content-Type"))
		}
		names, sheets := xlsxSheets(t, x.Body)
		top, header, data, xt := xlsxTable(t, sheets[names[0]])
		if !strings.Contains(top[0], strconv.Itoa(year)+"年各区(市)服务情况") || !strings.HasPrefix(top[1], "单位：") ||
			!strings.HasPrefix(top[2], "统计期间："+strconv.Itoa(year)+"-01-01") {
			t.Errorf("%d: workbook heading %q", year, top)
		}
		if header[1] != "服务中小企业数（家）" {
			t.Errorf("%d: header %q", year, header)
		}
		if len(data) != districts {
			t.Errorf("%d: %d rows in the workbook, want %d", year, len(data), districts)
		}
		for _, col := range []int{1, 7, 8, 9} {
			var sum int64
			for _, r := range data {
				sum += toInt(r[col])
			}
			if toInt(xt[col]) != sum {
				t.Errorf("%d: workbook column %q: total %s, rows add up to %d", year, header[col], xt[col], sum)
			}
		}
		if toInt(xt[8]) != sumRecords || toInt(xt[9]) != sumTickets || toInt(xt[1]) != sumOwn {
			t.Errorf("%d: workbook totals %v differ from the page's", year, xt)
		}
		var sqlRecords, sqlTickets int64
		for code := range rows {
			sqlRecords += f.tree(f.records, code)
			sqlTickets += f.tree(f.tickets, code)
		}
		if toInt(xt[8]) != sqlRecords || toInt(xt[9]) != sqlTickets {
			t.Errorf("%d: workbook totals records %s tickets %s, SQL %d %d", year, xt[8], xt[9], sqlRecords, sqlTickets)
		}
	}
	// Each export is audited.
	list, _, err := env.App.Audit.List(context.Background(), apptest.System, audit.Filter{Action: "stats.export", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Username != "admin" || !strings.Contains(list[0].ObjectID, "districts") {
		t.Errorf("audited exports: %+v", list)
	}
}

// A district's street platform: its figures on its page and in its
// months workbook equal the SQL; its records link lists its records.
func platformDashboardMatchesSQL(t *testing.T, env *apptest.Env) {
	f := figuresOf(t, env, 2026)
	b := env.Browser()
	b.Login("district", demo.Password)
	p := b.Get("/dashboard?year=2026")
	if p.Status != http.StatusSeeOther || p.Location != "/dashboard/platforms/P370202?year=2026" {
		t.Fatalf("a district's /dashboard: %d %q", p.Status, p.Location)
	}
	p = b.Get(p.Location)
	if p.Status != http.StatusOK {
		t.Fatalf("district dashboard: %d", p.Status)
	}
	rows, total := htmlTable(t, p, "platforms")
	var below int
	for code := range f.paths {
		if strings.HasPrefix(f.paths[code], f.paths["P370202"]) && code != "P370202" &&
			strings.Count(f.paths[code], "/") == strings.Count(f.paths["P370202"], "/")+1 {
			below++
		}
	}
	if len(rows) != below+1 {
		t.Errorf("%d platform rows, want the district's own and %d below it", len(rows), below)
	}
	var sum int64
	for code, r := range rows {
		if toInt(r[2]) != f.smes[code] || toInt(r[8]) != f.records[code] || toInt(r[9]) != f.tickets[code] {
			t.Errorf("%s: SMEs %s records %s tickets %s, SQL %d %d %d", code, r[2], r[8], r[9], f.smes[code], f.records[code], f.tickets[code])
		}
		sum += toInt(r[8])
	}
	if toInt(total[8]) != sum {
		t.Errorf("records total %s, rows add up to %d", total[8], sum)
	}
	if got, want := toInt(p.Text("#card-tree-smes_served dd")), f.treeSMEs(t, "P370202"); got != want {
		t.Errorf("district SMEs served %d, SQL %d", got, want)
	}

	// Down to the street platform.
	link, _ := p.Doc.Find(`#table-platforms tr[data-code="` + recordStreet + `"] a`).Attr("href")
	sp := b.Get(link)
	if sp.Status != http.StatusOK || sp.Text("#dash-heading") == "" || sp.Count("#crumb-P370202") != 1 {
		t.Fatalf("street dashboard %s: %d", link, sp.Status)
	}
	if got := toInt(sp.Text("#card-own-smes_served dd")); got != f.smes[recordStreet] {
		t.Errorf("street SMEs served %d, SQL %d", got, f.smes[recordStreet])
	}
	href, _ := sp.Doc.Find("#export-months").Attr("href")
	x := b.Get(href)
	if x.Status != http.StatusOK {
		t.Fatalf("months export: %d", x.Status)
	}
	names, sheets := xlsxSheets(t, x.Body)
	_, _, data, xt := xlsxTable(t, sheets[names[0]])
	if len(data) != 12 {
		t.Errorf("%d months in the workbook", len(data))
	}
	var recs, tks, smes int64
	for _, r := range data {
		smes += toInt(r[1])
		recs += toInt(r[3])
		tks += toInt(r[4])
	}
	if toInt(xt[1]) != smes || toInt(xt[3]) != recs || toInt(xt[4]) != tks {
		t.Errorf("months totals %v, rows add up to %d %d %d", xt, smes, recs, tks)
	}
	if smes != f.smes[recordStreet] || recs != f.records[recordStreet] || tks != f.tickets[recordStreet] {
		t.Errorf("months totals SMEs %d records %d tickets %d, SQL %d %d %d", smes, recs, tks,
			f.smes[recordStreet], f.records[recordStreet], f.tickets[recordStreet])
	}
	recordsLink, _ := sp.Doc.Find("#link-records").Attr("href")
	rl := b.Get(recordsLink)
	if rl.Status != http.StatusOK || rl.Count("#records tbody tr") == 0 {
		t.Errorf("the platform's records %s: %d, %d rows", recordsLink, rl.Status, rl.Count("#records tbody tr"))
	}
	rl.Doc.Find("#records tbody tr .by").Each(func(_ int, s *goquery.Selection) {
		if !strings.Contains(s.Text(), "八大关") {
			t.Errorf("the platform's records list another's: %q", s.Text())
		}
	})
}

func TestDashboardScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		get := func(login, path string) *apptest.Page {
			b := env.Browser()
			b.Login(login, demo.Password)
			return b.Get(path)
		}
		cases := []struct {
			login, path string
			status      int
			location    string
		}{
			{"admin", "/dashboard", http.StatusOK, ""},
			{"auditor", "/dashboard/platforms/P370203", http.StatusOK, ""},
			{"district", "/dashboard", http.StatusSeeOther, "/dashboard/platforms/P370202"},
			{"district", "/dashboard/platforms/P370202001", http.StatusOK, ""},
			{"district", "/dashboard/platforms/P370203", http.StatusForbidden, ""},
			{"district", "/dashboard/platforms/P370203/export.xlsx?table=months", http.StatusForbidden, ""},
			{"district", "/dashboard/platforms/P370200", http.StatusForbidden, ""},
			{"district", "/dashboard/export.xlsx?table=districts", http.StatusForbidden, ""},
			{"district", "/dashboard/departments", http.StatusForbidden, ""},
			{"street", "/dashboard", http.StatusSeeOther, "/dashboard/platforms/P370202001"},
			{"street", "/dashboard/platforms/P370202", http.StatusForbidden, ""},
			{"street", "/dashboard/platforms/P370202002", http.StatusForbidden, ""},
			{"specialised", "/dashboard", http.StatusSeeOther, "/dashboard/platforms/S-FIN"},
			{"department", "/dashboard", http.StatusSeeOther, "/dashboard/departments/SCJGJ"},
			{"department", "/dashboard/departments/SCJGJ", http.StatusOK, ""},
			{"department", "/dashboard/departments/KJJ", http.StatusForbidden, ""},
			{"department", "/dashboard/platforms/P370202", http.StatusForbidden, ""},
			{"department", "/dashboard/report.xlsx", http.StatusForbidden, ""},
			{"enterprise", "/dashboard", http.StatusForbidden, ""},
			{"institution", "/dashboard", http.StatusForbidden, ""},
			{"admin", "/dashboard/platforms/NOPE", http.StatusNotFound, ""},
			{"admin", "/dashboard/export.xlsx?table=nope", http.StatusNotFound, ""},
		}
		for _, c := range cases {
			p := get(c.login, c.path)
			if p.Status != c.status || c.location != "" && p.Location != c.location {
				t.Errorf("%s: GET %s = %d %q, want %d %q", c.login, c.path, p.Status, p.Location, c.status, c.location)
			}
		}
		// The nav offers statistics to those who have some.
		for login, want := range map[string]int{"admin": 1, "district": 1, "street": 1, "department": 1, "hotline": 1, "enterprise": 0, "institution": 0} {
			if got := get(login, "/").Count(`nav.mainnav a[href="/dashboard"]`); got != want {
				t.Errorf("%s: %d dashboard links in the nav, want %d", login, got, want)
			}
		}
		// The district's yearly report holds its platforms only.
		rep := get("district", "/dashboard/report.xlsx?year=2026")
		if rep.Status != http.StatusOK {
			t.Fatalf("district report: %d", rep.Status)
		}
		names, sheets := xlsxSheets(t, rep.Body)
		for _, n := range names[1:] {
			_, _, data, _ := xlsxTable(t, sheets[n])
			for _, r := range data {
				if r[0] != "P370202" && !strings.HasPrefix(r[0], "P370202") && r[0] != "" {
					t.Errorf("the district's report holds %s", r[0])
				}
			}
		}
	})
}

// A year without records or tickets: zeros and a word why, not an error;
// a year that is no year: the message.
func TestDashboardEmptyYear(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("admin", demo.Password)
		p := b.Get("/dashboard?year=2019")
		if p.Status != http.StatusOK || p.Count("#dash-empty") != 1 || !strings.Contains(p.Text("#dash-empty"), "2019") {
			t.Fatalf("empty year: %d %q", p.Status, p.Text("#dash-empty"))
		}
		if got := p.Text("#card-city-smes_served dd"); got != "0" {
			t.Errorf("SMEs served in an empty year %q", got)
		}
		rows, total := htmlTable(t, p, "districts")
		if len(rows) != 10 || total[1] != "0" || total[8] != "0" {
			t.Errorf("empty year districts: %d rows, total %v", len(rows), total)
		}
		if v, _ := p.Doc.Find(`#year option[selected]`).Attr("value"); v != "2019" {
			t.Errorf("year selected %q", v)
		}
		href, _ := p.Doc.Find("#export-months").Attr("href")
		x := b.Get(href)
		names, sheets := xlsxSheets(t, x.Body)
		if _, _, _, xt := xlsxTable(t, sheets[names[0]]); toInt(xt[1]) != 0 || toInt(xt[3]) != 0 {
			t.Errorf("empty year months totals %v", xt)
		}
		street := env.Browser()
		street.Login("street", demo.Password)
		if sp := street.Get("/dashboard/platforms/P370202001?year=2030"); sp.Status != http.StatusOK || sp.Count("#dash-empty") != 1 {
			t.Errorf("a street platform's empty year: %d", sp.Status)
		}
		if bad := b.Get("/dashboard?year=abc"); bad.Status != http.StatusUnprocessableEntity {
			t.Errorf("year abc: %d", bad.Status)
		}
		if bad := b.Get("/dashboard?year=1800"); bad.Status != http.StatusUnprocessableEntity {
			t.Errorf("year 1800: %d", bad.Status)
		}
		b.Lang = "en"
		if en := b.Get("/dashboard?year=2019"); !strings.Contains(en.Text("#dash-empty"), "Nothing was recorded") ||
			!strings.Contains(en.Text("#table-districts thead"), "SMEs served") {
			t.Errorf("English empty year: %q", en.Text("#dash-empty"))
		}
	})
}

// The yearly report: a summary sheet and a sheet per tier; every platform
// with its SMEs served and records as the SQL counts them, each sheet's
// totals the sum of its rows, the summary's the tiers'.
func yearlyReportMatchesSQL(t *testing.T, env *apptest.Env) {
	f := figuresOf(t, env, 2026)
	b := env.Browser()
	b.Login("admin", demo.Password)
	p := b.Get("/dashboard?year=2026")
	href, _ := p.Doc.Find("#dash-report").Attr("href")
	x := b.Get(href)
	if x.Status != http.StatusOK {
		t.Fatalf("report %s: %d", href, x.Status)
	}
	names, sheets := xlsxSheets(t, x.Body)
	if fmt.Sprint(names) != "[汇总 市级平台 区(市)级平台 街道(镇、园区)级平台 专业化平台]" {
		t.Fatalf("sheets %q", names)
	}
	perTier := map[string]int64{}
	for _, tier := range f.tiers {
		perTier[tier]++
	}
	_, _, summary, sumTotal := xlsxTable(t, sheets[names[0]])
	seen := 0
	for i, n := range names[1:] {
		top, header, data, total := xlsxTable(t, sheets[n])
		if !strings.Contains(top[0], "2026年") || !strings.HasPrefix(top[2], "统计期间：") || header[4] != "服务中小企业数（家）" {
			t.Errorf("%s: heading %q header %q", n, top, header)
		}
		var smes, records int64
		for _, r := range data {
			code := r[0]
			seen++
			if toInt(r[4]) != f.smes[code] || toInt(r[15]) != f.records[code] || toInt(r[16]) != f.tickets[code] {
				t.Errorf("%s: SMEs %s records %s tickets %s, SQL %d %d %d", code, r[4], r[15], r[16], f.smes[code], f.records[code], f.tickets[code])
			}
			smes += toInt(r[4])
			records += toInt(r[15])
		}
		if toInt(total[4]) != smes || toInt(total[15]) != records {
			t.Errorf("%s: totals %s %s, rows add up to %d %d", n, total[4], total[15], smes, records)
		}
		tier := []string{"city", "district", "street", "specialised"}[i]
		if int64(len(data)) != perTier[tier] {
			t.Errorf("%s: %d platforms, SQL %d", n, len(data), perTier[tier])
		}
		if s := summary[i]; toInt(s[1]) != int64(len(data)) || toInt(s[5]) != smes || toInt(s[6]) != records {
			t.Errorf("summary row %q, the sheet has %d platforms, %d SMEs, %d records", s, len(data), smes, records)
		}
	}
	if seen != len(f.paths) || toInt(sumTotal[1]) != int64(len(f.paths)) || toInt(sumTotal[6]) != sumAll(f.records)-f.departmentRecords() {
		t.Errorf("the report holds %d platforms (summary total %q), the network %d", seen, sumTotal, len(f.paths))
	}
	list, _, err := env.App.Audit.List(context.Background(), apptest.System, audit.Filter{Action: "stats.report", Limit: 10})
	if err != nil || len(list) != 1 {
		t.Errorf("audited reports: %d %v", len(list), err)
	}
}

// departmentRecords are the records the departments' closed tickets wrote.
func (f *sqlFigures) departmentRecords() int64 {
	var n int64
	for code, v := range f.records {
		if _, ok := f.paths[code]; !ok {
			n += v
		}
	}
	return n
}
