package stats_test

// Every figure of the statistics service against independent SQL over the
// raw records and tickets, on both engines, after a realistic sequence:
// records on both sides of a year's turn (in China Standard Time), their
// corrections and withdrawals, tickets signed and answered on time and
// late, returned and transferred, extended, rated, reopened and rated
// again, closed unrated, merged; large enterprises, one re-classified as
// large and one back; a platform moved under another parent. Then the
// rebuild must find exactly the rollups the transactions kept.

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/stats"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/ticket"
)

var sys = apptest.System

var cst = time.FixedZone("CST", 8*3600)

// world is the sequence's cast.
type world struct {
	env  *apptest.Env
	ctx  context.Context
	ents []enterprise.Enterprise // registered by the demo, none large
	// gen are the same as the demo generated them (full contact numbers).
	gen []enterprise.Enterprise
}

func newWorld(t *testing.T, env *apptest.Env) *world {
	env.LoadDemo()
	w := &world{env: env, ctx: context.Background()}
	g := demo.NewGenerator(2026)
	for len(w.ents) < 12 {
		e := g.Next()
		if e.Normalize(); e.Validate() != nil {
			continue
		}
		if got, err := env.App.Enterprise.Get(w.ctx, sys, e.USCC); err != nil {
			t.Fatalf("demo enterprise %s: %v", e.USCC, err)
		} else if got.Size != "large" {
			w.ents, w.gen = append(w.ents, got), append(w.gen, e)
		}
	}
	return w
}

func (w *world) record(t *testing.T, platform string, e int, date, area string) record.Record {
	t.Helper()
	r, err := w.env.App.Record.Create(w.ctx, sys, record.Input{PlatformCode: platform, EnterpriseUSCC: w.ents[e].USCC,
		Kind: "consultation", ServiceArea: area, Date: date, Note: "统计测试"})
	if err != nil {
		t.Fatalf("record %s %d %s: %v", platform, e, date, err)
	}
	return r
}

func (w *world) correct(t *testing.T, r record.Record, c record.Correction) {
	t.Helper()
	c.Reason = "统计测试更正"
	if _, err := w.env.App.Record.Correct(w.ctx, sys, r.ID, c); err != nil {
		t.Fatalf("correct %d: %v", r.ID, err)
	}
}

// resize re-classifies an enterprise by its employees (industry "other":
// 300 or more is large).
func (w *world) resize(t *testing.T, e int, employees int64) {
	t.Helper()
	other := "other"
	if _, err := w.env.App.Enterprise.Update(w.ctx, sys, w.ents[e].USCC, enterprise.Patch{Industry: &other, Employees: &employees}); err != nil {
		t.Fatalf("resize %d: %v", e, err)
	}
}

// ticket files a ticket at a moment and plays its story, the clock moving
// by the given offsets from the filing.
func (w *world) ticket(t *testing.T, at time.Time, category, region string, e int, steps ...step) ticket.Ticket {
	t.Helper()
	w.env.Clock.Set(at)
	tk, err := w.env.App.Ticket.Create(w.ctx, sys, ticket.Intake{Channel: []string{"hotline", "web", "walk_in", "api"}[e%4],
		EnterpriseUSCC: w.ents[e].USCC, Category: category, Title: "统计测试" + category, Content: "统计测试内容", RegionCode: region})
	if err != nil {
		t.Fatalf("file ticket: %v", err)
	}
	for _, s := range steps {
		w.env.Clock.Set(at.Add(s.after))
		if s.sweep {
			if _, err := w.env.App.Ticket.Supervise(w.ctx); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := w.env.App.Ticket.Act(w.ctx, sys, tk.ID, s.act); err != nil {
			t.Fatalf("ticket %s: %s: %v", tk.Number, s.act.Action, err)
		}
	}
	out, err := w.env.App.Ticket.Get(w.ctx, sys, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type step struct {
	after time.Duration
	act   ticket.Action
	sweep bool
}

func do(after time.Duration, action string, kv ...any) step {
	a := ticket.Action{Action: action, Note: "统计测试"}
	for i := 0; i+1 < len(kv); i += 2 {
		switch kv[i] {
		case "satisfied":
			b := kv[i+1].(bool)
			a.Satisfied = &b
		case "score":
			n := kv[i+1].(int)
			a.Score = &n
		case "days":
			a.Days = kv[i+1].(int)
		case "to":
			a.To = &ticket.Assignee{Type: ticket.ToPlatform, Code: kv[i+1].(string)}
		case "into":
			id := kv[i+1].(int64)
			a.Into = &id
		}
	}
	return step{after: after, act: a}
}

func sweep(after time.Duration) step { return step{after: after, sweep: true} }

const day = 24 * time.Hour

// play runs the realistic sequence.
func (w *world) play(t *testing.T) {
	street, street2, district := demo.PlatformCode("370202001"), demo.PlatformCode("370202002"), demo.PlatformCode("370202")
	// Tickets first: their stories move the clock through 2025 and 2026.
	// One filed at 23:30 on 31 December 2025 CST, one an hour later, in
	// 2026; both closed in January, their records dated then.
	w.ticket(t, time.Date(2025, 12, 31, 23, 30, 0, 0, cst), "consult", "370202001", 0,
		do(time.Hour, "sign"), do(2*day, "reply"), do(3*day, "rate", "satisfied", true, "score", 5))
	w.ticket(t, time.Date(2026, 1, 1, 0, 30, 0, 0, cst), "help", "370202002", 1,
		do(time.Hour, "sign"), do(day, "reply"), do(2*day, "rate", "satisfied", false, "score", 2),
		do(3*day, "sign"), do(4*day, "reply"), do(5*day, "rate", "satisfied", true, "score", 3))
	// Returned by a street, transferred to another, signed and answered
	// late (the sweep marks both), extended, rated by a return visit.
	w.ticket(t, time.Date(2026, 3, 2, 9, 0, 0, 0, cst), "complaint", "370203001", 2,
		do(time.Hour, "return"), do(2*time.Hour, "transfer", "to", demo.PlatformCode("370203002")),
		sweep(10*day), do(11*day, "sign"), do(12*day, "extend", "days", 3), sweep(60*day), do(61*day, "reply"),
		do(62*day, "visit", "satisfied", true))
	// A department's: answered, closed by the city unrated.
	w.ticket(t, time.Date(2026, 4, 7, 10, 0, 0, 0, cst), "rights_infringement", "370202001", 3,
		do(time.Hour, "sign"), do(3*day, "reply"), do(4*day, "close"))
	// Answered, then closed unrated when the rating window passed.
	w.ticket(t, time.Date(2026, 5, 11, 10, 0, 0, 0, cst), "suggestion", "370202004", 4,
		do(time.Hour, "sign"), do(day, "reply"), sweep(30*day))
	// A duplicate merged into the first; the first answered, rated
	// satisfied without a score, then basically satisfied.
	first := w.ticket(t, time.Date(2026, 6, 1, 10, 0, 0, 0, cst), "help", "370202001", 5)
	w.ticket(t, time.Date(2026, 6, 2, 10, 0, 0, 0, cst), "help", "370202001", 5, do(time.Hour, "merge", "into", first.ID))
	w.env.Clock.Set(time.Date(2026, 6, 3, 10, 0, 0, 0, cst))
	for _, s := range []step{do(0, "sign"), do(0, "reply"), do(0, "rate", "satisfied", true)} {
		if _, err := w.env.App.Ticket.Act(w.ctx, sys, first.ID, s.act); err != nil {
			t.Fatal(err)
		}
	}
	// Transferred from a street to its district, signed late.
	w.ticket(t, time.Date(2026, 7, 1, 10, 0, 0, 0, cst), "consult", "370202003", 6,
		do(time.Hour, "transfer", "to", district), sweep(5*day), do(6*day, "sign"), do(7*day, "reply"),
		do(8*day, "rate", "satisfied", true, "score", 4))
	// Rated unsatisfied and left reopened; one left unanswered past its
	// limit; one just filed.
	w.ticket(t, time.Date(2026, 9, 1, 10, 0, 0, 0, cst), "consult", "370211001", 7,
		do(time.Hour, "sign"), do(day, "reply"), do(2*day, "rate", "satisfied", false, "score", 1))
	w.ticket(t, time.Date(2026, 10, 8, 10, 0, 0, 0, cst), "help", "370212001", 8, do(time.Hour, "sign"))
	w.ticket(t, apptest.Start.Add(-time.Hour), "consult", "370213001", 9)

	// Records, with the clock back at the present.
	w.env.Clock.Set(apptest.Start)
	r1 := w.record(t, street, 0, "2025-03-01", "information")
	w.record(t, street, 0, "2025-06-01", "legal_aid")
	r3 := w.record(t, street, 1, "2025-12-31", "information")
	r4 := w.record(t, street, 1, "2026-01-01", "technical_support")
	w.record(t, street, 1, "2026-02-01", "technical_support")
	w.record(t, district, 0, "2025-12-31", "financing_guarantee")
	r6 := w.record(t, district, 2, "2026-02-10", "information")
	w.record(t, street2, 0, "2026-03-03", "talent_training")
	w.record(t, demo.PlatformCode("370200"), 3, "2026-04-04", "market_expansion")
	w.record(t, "S-SOFT", 4, "2026-05-05", "technical_support")
	w.record(t, "S-SOFT", 0, "2026-05-06", "information")
	r11 := w.record(t, demo.PlatformCode("370203001"), 5, "2026-07-07", "legal_aid")
	w.record(t, street, 6, "2026-09-09", "entrepreneurship")
	w.record(t, street, 7, "2026-10-10", "information")
	w.record(t, street2, 7, "2026-11-11", "information")

	// Corrections: a date moved (the first service of the year moves to
	// June), a record moved to another platform of the district, one
	// withdrawn, one given to another enterprise, the first of a year
	// withdrawn.
	later := "2025-09-01"
	w.correct(t, r1, record.Correction{Date: &later})
	w.correct(t, r3, record.Correction{PlatformCode: &street2})
	w.correct(t, r6, record.Correction{Cancel: true})
	other := w.ents[10].USCC
	w.correct(t, r11, record.Correction{EnterpriseUSCC: &other})
	w.correct(t, r4, record.Correction{Cancel: true})

	// Sizes: one served enterprise becomes large; another large from the
	// start is served, then re-classified back through a batch import.
	w.resize(t, 6, 500)
	w.resize(t, 11, 800)
	w.record(t, street, 11, "2026-06-06", "information")
	w.record(t, street2, 11, "2026-06-07", "information")
	e := w.gen[11]
	e.Industry, e.Employees = "other", ptr(int64(20))
	e.Normalize()
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.env.App.Enterprise.UpsertBatch(w.ctx, sys, "test", []enterprise.Enterprise{e}); err != nil {
		t.Fatal(err)
	}
	w.resize(t, 7, 300) // served twice in 2026: both leave the counts

	// The software platform moves from its district to the city.
	city := demo.PlatformCode("370200")
	if _, err := w.env.App.Org.UpdatePlatform(w.ctx, sys, "S-SOFT", org.PlatformPatch{ParentCode: &city}); err != nil {
		t.Fatal(err)
	}
	w.record(t, "S-SOFT", 8, "2026-10-10", "technical_support")
	// Today's sweep.
	if _, err := w.env.App.Ticket.Supervise(w.ctx); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestFiguresMatchTheRawRows(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		w.play(t)
		for _, rule := range []int{3, 4, 0} {
			if _, err := env.App.Stats.SaveSettings(w.ctx, sys, stats.Settings{SatisfiedMinScore: rule}); err != nil {
				t.Fatal(err)
			}
			for _, year := range []int{2025, 2026} {
				want := expected(t, env, year, rule)
				got := actual(t, env, year)
				compare(t, fmt.Sprintf("%d, satisfied from score %d", year, rule), got, want)
				if len(want) < 50 {
					t.Errorf("%d: only %d figures to compare: the sequence is too thin", year, len(want))
				}
			}
		}
		// Spot checks a reader would make: the boundary tickets land in
		// their CST years; the large enterprise is out.
		tickets := func(year int, code string) int64 {
			list, err := env.App.Stats.Platforms(w.ctx, sys, stats.PlatformQuery{Year: year})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range list {
				if p.Platform.Code == code {
					return p.Tickets
				}
			}
			return -1
		}
		if n := tickets(2025, demo.PlatformCode("370202001")); n != 1 {
			t.Errorf("tickets of 2025 at the street: %d, want the one filed at 23:30 CST on 31 December", n)
		}
	})
}

func TestRebuildFindsWhatTheTransactionsKept(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		w.play(t)
		before := env.Rollups()
		if !strings.Contains(before, "stats_members") || !strings.Contains(before, "stats_activity") {
			t.Fatalf("no rollups kept: %s", before)
		}
		rep, err := env.App.Stats.Rebuild(w.ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Records == 0 || rep.Tickets == 0 || rep.Events == 0 {
			t.Errorf("rebuild counted %+v", rep)
		}
		after := env.Rollups()
		if after != before {
			t.Errorf("the rebuild differs from the incremental rollups:\n%s", apptest.DiffLines(before, after))
		}
		if _, err := env.App.Stats.Rebuild(w.ctx, access.Actor{Username: "street", Role: access.StreetStaff}); err == nil {
			t.Error("a street's staff rebuilt the statistics")
		}
	})
}

// figures are named numbers: "platform/P370202001/tickets", "tree/P370202/m03/smes_served" …
type figures map[string]int64

func (f figures) add(key string, n int64) {
	if n != 0 {
		f[key] += n
	}
}

func compare(t *testing.T, what string, got, want figures) {
	t.Helper()
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	var bad []string
	for k := range keys {
		if got[k] != want[k] {
			bad = append(bad, fmt.Sprintf("%s: service %d, SQL %d", k, got[k], want[k]))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%s: %d figures differ:\n%s", what, len(bad), strings.Join(bad, "\n"))
	}
}

// ---- the service's figures ----

func putSummary(f figures, prefix string, s stats.Summary) {
	for name, n := range map[string]int64{"smes_served": s.SMEsServed, "records": s.Records, "tickets": s.Tickets,
		"closed": s.Closed, "overdue": s.Overdue, "dispatched": s.Dispatched, "returns": s.Returns, "extensions": s.Extensions,
		"reopens": s.Reopens, "rated": s.RatedCount, "satisfied": s.Satisfied, "sign_due": s.SignDue, "sign_on_time": s.SignOnTime,
		"handle_due": s.HandleDue, "handle_on_time": s.HandleOnTime} {
		f.add(prefix+name, n)
	}
}

func putDetail(f figures, prefix string, d stats.Detail) {
	putSummary(f, prefix, d.Summary)
	for _, m := range d.Months {
		p := fmt.Sprintf("%sm%02d/", prefix, m.Month)
		for name, n := range map[string]int64{"smes_served": m.SMEsServed, "records": m.Records, "tickets": m.Tickets,
			"closed": m.Closed, "rated": m.RatedCount, "satisfied": m.Satisfied, "handle_due": m.HandleDue, "handle_on_time": m.HandleOnTime} {
			f.add(p+name, n)
		}
	}
	for dim, list := range map[string][]stats.Volume{"channel": d.ByChannel, "category": d.ByCategory,
		"service_area": d.ByServiceArea, "kind": d.ByKind} {
		for _, v := range list {
			f.add(prefix+dim+"/"+v.Key, v.Count)
		}
	}
}

func actual(t *testing.T, env *apptest.Env, year int) figures {
	t.Helper()
	ctx := context.Background()
	f := figures{}
	list, err := env.App.Stats.Platforms(ctx, sys, stats.PlatformQuery{Year: year})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		d, err := env.App.Stats.Platform(ctx, sys, p.Platform.Code, year)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d.Own.Summary, p.Summary) {
			t.Errorf("%s: the list's figures %+v differ from the platform's %+v", p.Platform.Code, p.Summary, d.Own.Summary)
		}
		putDetail(f, "platform/"+p.Platform.Code+"/", d.Own)
		if d.Subtree != nil {
			putDetail(f, "tree/"+p.Platform.Code+"/", *d.Subtree)
		}
	}
	districts, err := env.App.Stats.Districts(ctx, sys, year)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range districts {
		putSummary(f, "district/"+d.Platform.Code+"/", d.Subtree)
	}
	deps, err := env.App.Stats.Departments(ctx, sys, year)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deps {
		dd, err := env.App.Stats.Department(ctx, sys, d.Department.Code, year)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(dd.Summary, d.Summary) {
			t.Errorf("%s: the list's figures differ from the department's", d.Department.Code)
		}
		putDetail(f, "department/"+d.Department.Code+"/", dd.Detail)
	}
	city, err := env.App.Stats.City(ctx, sys, year)
	if err != nil {
		t.Fatal(err)
	}
	putDetail(f, "city//", city.Detail)
	return f
}

// ---- the same figures from the raw rows ----

// dialect holds the expressions the two engines spell differently.
type dialect struct {
	year, month func(col string) string
	json        func(col, path string) string
}

func dialectOf(env *apptest.Env) dialect {
	if env.App.DB.Dialect() == store.Postgres {
		return dialect{
			year: func(c string) string {
				return "CAST(EXTRACT(YEAR FROM " + c + " AT TIME ZONE 'Asia/Shanghai') AS INTEGER)"
			},
			month: func(c string) string {
				return "CAST(EXTRACT(MONTH FROM " + c + " AT TIME ZONE 'Asia/Shanghai') AS INTEGER)"
			},
			json: func(c, p string) string {
				parts := strings.Split(p, ".")
				return "(" + c + "::json -> '" + parts[0] + "' ->> '" + parts[1] + "')"
			},
		}
	}
	return dialect{
		year:  func(c string) string { return "CAST(strftime('%Y', " + c + ", '+8 hours') AS INTEGER)" },
		month: func(c string) string { return "CAST(strftime('%m', " + c + ", '+8 hours') AS INTEGER)" },
		json:  func(c, p string) string { return "json_extract(" + c + ", '$." + p + "')" },
	}
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// expected computes every figure of a year with SQL written here, over the
// raw records, tickets and events, and sums handlers up in Go.
func expected(t *testing.T, env *apptest.Env, year, rule int) figures {
	t.Helper()
	d := dialectOf(env)
	f := figures{}
	y := fmt.Sprint(year)
	// The platforms and their trees.
	paths := map[string]string{}
	var trees []string
	for _, row := range env.Rows("SELECT code, path, tier FROM platforms") {
		paths[row[0]] = row[1]
		if row[2] == "city" || row[2] == "district" {
			trees = append(trees, row[0])
		}
	}
	departments := map[string]bool{}
	for _, row := range env.Rows("SELECT code FROM departments") {
		departments[row[0]] = true
	}
	ownerKey := func(code string) string {
		if departments[code] {
			return "department/" + code + "/"
		}
		return "platform/" + code + "/"
	}
	// Additive figures go to the handler, each tree holding it, the city
	// (and a district's tree is also its district line).
	put := func(code, name string, n int64) {
		f.add(ownerKey(code)+name, n)
		f.add("city//"+name, n)
		if departments[code] {
			return
		}
		for _, x := range trees {
			if strings.HasPrefix(paths[code], paths[x]) {
				f.add("tree/"+x+"/"+name, n)
				if !strings.HasSuffix(name, "/") && !strings.Contains(name, "/") && strings.Count(paths[x], "/") == 3 {
					f.add("district/"+x+"/"+name, n)
				}
			}
		}
	}
	// Records.
	for _, row := range env.Rows(`SELECT COALESCE(platform_code, department_code), CAST(SUBSTR(served_on, 6, 2) AS INTEGER),
		kind, service_area, COUNT(*) FROM service_records WHERE cancelled_at IS NULL AND served_on LIKE ?
		GROUP BY COALESCE(platform_code, department_code), SUBSTR(served_on, 6, 2), kind, service_area`, y+"-%") {
		n := atoi(row[4])
		put(row[0], "records", n)
		put(row[0], fmt.Sprintf("m%02d/records", atoi(row[1])), n)
		put(row[0], "kind/"+row[2], n)
		put(row[0], "service_area/"+row[3], n)
	}
	// SMEs served: the distinct enterprises not large with a live record
	// of the year, each counted from the month of its first.
	smes := func(scope string, rows [][]string) {
		for _, row := range rows {
			first := int(atoi(strings.Split(row[1], "-")[1]))
			f.add(scope+row[0]+"/smes_served", 1)
			if scope == "tree/" && strings.Count(paths[row[0]], "/") == 3 {
				f.add("district/"+row[0]+"/smes_served", 1)
			}
			for m := first; m <= 12; m++ {
				f.add(fmt.Sprintf("%s%s/m%02d/smes_served", scope, row[0], m), 1)
			}
		}
	}
	live := ` FROM service_records r JOIN enterprises e ON e.uscc = r.enterprise_uscc
		WHERE r.cancelled_at IS NULL AND e.size <> 'large' AND r.served_on LIKE ?`
	smes("platform/", env.Rows("SELECT r.platform_code, MIN(r.served_on)"+live+
		" AND r.platform_code IS NOT NULL GROUP BY r.platform_code, r.enterprise_uscc", y+"-%"))
	smes("department/", env.Rows("SELECT r.department_code, MIN(r.served_on)"+live+
		" AND r.department_code IS NOT NULL GROUP BY r.department_code, r.enterprise_uscc", y+"-%"))
	smes("tree/", env.Rows(`SELECT x.code, MIN(r.served_on) FROM service_records r
		JOIN enterprises e ON e.uscc = r.enterprise_uscc JOIN platforms p ON p.code = r.platform_code
		JOIN platforms x ON x.tier IN ('city', 'district') AND p.path LIKE x.path || '%'
		WHERE r.cancelled_at IS NULL AND e.size <> 'large' AND r.served_on LIKE ? GROUP BY x.code, r.enterprise_uscc`, y+"-%"))
	smes("city/", env.Rows("SELECT '', MIN(r.served_on)"+live+" GROUP BY r.enterprise_uscc", y+"-%"))

	// Tickets as they are now, for their handler, by the CST month they
	// were filed.
	rated := "t.status = 'closed' AND t.rated_by NOT IN ('', 'not_rated')"
	satisfied := rated + " AND t.satisfied"
	if rule > 0 {
		satisfied = fmt.Sprintf("%s AND ((t.score IS NULL AND t.satisfied) OR t.score >= %d)", rated, rule)
	}
	cases := []struct{ name, cond string }{
		{"closed", "t.status = 'closed'"},
		{"sign_due", "t.signed_at IS NOT NULL OR t.sign_overdue"},
		{"sign_on_time", "t.signed_at IS NOT NULL AND t.signed_at <= t.sign_due_at"},
		{"handle_due", "t.replied_at IS NOT NULL OR t.overdue"},
		{"handle_on_time", "t.replied_at IS NOT NULL AND t.replied_at <= t.due_at"},
		{"overdue", "t.overdue"},
		{"rated", rated},
		{"satisfied", satisfied},
	}
	sums := make([]string, len(cases))
	for i, c := range cases {
		sums[i] = "SUM(CASE WHEN " + c.cond + " THEN 1 ELSE 0 END)"
	}
	for _, row := range env.Rows("SELECT t.assignee_code, "+d.month("t.created_at")+", t.channel, t.category, COUNT(*), "+
		strings.Join(sums, ", ")+" FROM tickets t WHERE t.status <> 'merged' AND "+d.year("t.created_at")+" = ?"+
		" GROUP BY t.assignee_code, "+d.month("t.created_at")+", t.channel, t.category", year) {
		code, month := row[0], atoi(row[1])
		n := atoi(row[4])
		put(code, "tickets", n)
		put(code, fmt.Sprintf("m%02d/tickets", month), n)
		put(code, "channel/"+row[2], n)
		put(code, "category/"+row[3], n)
		for i, c := range cases {
			put(code, c.name, atoi(row[5+i]))
			switch c.name {
			case "closed", "rated", "satisfied", "handle_due", "handle_on_time":
				put(code, fmt.Sprintf("m%02d/%s", month, c.name), atoi(row[5+i]))
			}
		}
	}
	// What happened, for whoever held the ticket then: the holder is the
	// assignee of the last creation or transfer up to the event.
	holder := `(SELECT CASE WHEN h.action = 'create' THEN ` + d.json("h.data", "assignee.code") + ` ELSE ` + d.json("h.data", "to.code") + ` END
		FROM ticket_events h WHERE h.ticket_id = e.ticket_id AND h.id <= e.id AND h.action IN ('create', 'transfer')
		ORDER BY h.id DESC LIMIT 1)`
	kind := `CASE WHEN e.action IN ('create', 'transfer') THEN 'dispatched' WHEN e.action = 'return' THEN 'returns'
		WHEN e.action = 'extend' THEN 'extensions' ELSE 'reopens' END`
	for _, row := range env.Rows("SELECT "+holder+", "+d.month("t.created_at")+", "+kind+", COUNT(*)"+
		` FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE `+d.year("t.created_at")+` = ?
		AND (e.action IN ('create', 'transfer', 'return', 'extend') OR (e.action IN ('rate', 'visit') AND e.to_status = 'reopened'))
		GROUP BY 1, 2, 3`, year) {
		n := atoi(row[3])
		put(row[0], row[2], n)
		if row[2] == "reopens" {
			// An unsatisfied rating is a rating.
			put(row[0], "rated", n)
			put(row[0], fmt.Sprintf("m%02d/rated", atoi(row[1])), n)
		}
	}
	return f
}

// The demo goes through the services, so its figures need no rebuild.
func TestDemoFiguresNeedNoRebuild(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		if err := demo.LoadWith(ctx, env.App, io.Discard, demo.Options{Tickets: 120, Records: 300, NetworkTargets: true}); err != nil {
			t.Fatal(err)
		}
		year := apptest.Start.In(cst).Year()
		for _, y := range []int{year - 1, year} {
			compare(t, fmt.Sprint("demo ", y), actual(t, env, y), expected(t, env, y, stats.DefaultSettings.SatisfiedMinScore))
		}
		before := env.Rollups()
		if _, err := env.App.Stats.Rebuild(ctx, sys); err != nil {
			t.Fatal(err)
		}
		if after := env.Rollups(); after != before {
			t.Errorf("the demo's rollups differ from a rebuild:\n%s", apptest.DiffLines(before, after))
		}
		n, err := env.App.Stats.Network(ctx, sys, year)
		if err != nil {
			t.Fatal(err)
		}
		if n.Targets.DemonstrationPlatforms == nil || *n.Targets.DemonstrationPlatforms != 30 || n.DemonstrationPlatforms != 3 ||
			n.Met.DemonstrationPlatforms == nil || *n.Met.DemonstrationPlatforms {
			t.Errorf("the demo network this year: %+v", n)
		}
	})
}
