package demo_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/stats"
	"github.com/qifu/qifu/internal/ticket"
	"github.com/qifu/qifu/internal/uscc"
)

var cst = time.FixedZone("CST", 8*3600)

// tinyCity is the city-scale data made small enough for a test: the same
// generator, every kind of row.
var tinyCity = demo.Scale{Enterprises: 3600, Tickets: 4000, Records: 15000, Years: 3}

// The city-scale data is consistent (valid credit codes, records of real
// platforms and enterprises dated while the platform existed, each closed
// ticket with its one record, histories that lead to each ticket's state),
// the dashboards' figures are those of the raw rows, and the rollups
// rebuilt at the end are those the transactions keep when people work on
// the data afterwards.
func TestScaleDataIsConsistent(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		rep, err := demo.LoadScale(ctx, env.App, io.Discard, io.Discard, tinyCity)
		if err != nil {
			t.Fatal(err)
		}
		q := func(query string, args ...any) [][]string { return env.Rows(query, args...) }
		one := func(query string, args ...any) string { return q(query, args...)[0][0] }

		if got := one("SELECT COUNT(*) FROM enterprises"); got != fmt.Sprint(tinyCity.Enterprises) {
			t.Errorf("enterprises: %s, want %d", got, tinyCity.Enterprises)
		}
		if got := one("SELECT COUNT(*) FROM tickets"); got != fmt.Sprint(tinyCity.Tickets) || rep.Tickets != int64(tinyCity.Tickets) {
			t.Errorf("tickets: %s (reported %d), want %d", got, rep.Tickets, tinyCity.Tickets)
		}
		if got := one("SELECT COUNT(*) FROM service_records WHERE cancelled_at IS NULL"); got != fmt.Sprint(tinyCity.Records) {
			t.Errorf("live records: %s, want %d", got, tinyCity.Records)
		}
		for _, r := range q("SELECT uscc FROM enterprises") {
			if !uscc.Valid(r[0]) {
				t.Errorf("invalid credit code %s", r[0])
			}
		}

		// Records: of platforms that existed then, on days not in the
		// future nor before the years, for registered enterprises.
		now := env.Clock.Now()
		today, oldest := record.Today(now), record.Today(now.AddDate(-tinyCity.Years, 0, -1))
		if bad := one(`SELECT COUNT(*) FROM service_records r LEFT JOIN platforms p ON p.code = r.platform_code
			LEFT JOIN departments d ON d.code = r.department_code LEFT JOIN enterprises e ON e.uscc = r.enterprise_uscc
			WHERE (p.code IS NULL AND d.code IS NULL) OR e.uscc IS NULL OR r.served_on > ? OR r.served_on < ?
			OR (p.code IS NOT NULL AND r.served_on < p.established_on)`, today, oldest); bad != "0" {
			t.Errorf("%s records of unknown platforms or enterprises, or dated outside the platform's life or the years", bad)
		}
		if n := one(`SELECT COUNT(*) FROM service_records o JOIN service_records n ON n.corrects = o.id AND o.corrected_by = n.id
			WHERE o.cancelled_at IS NOT NULL AND n.cancelled_at IS NULL`); n == "0" || n != fmt.Sprint(rep.Cancelled) {
			t.Errorf("%s corrections linked both ways, %d cancelled records", n, rep.Cancelled)
		}
		// Each year has its share.
		for y := now.In(cst).Year() - tinyCity.Years + 1; y <= now.In(cst).Year(); y++ {
			if n := one("SELECT COUNT(*) FROM service_records WHERE served_on LIKE ?", fmt.Sprint(y, "-%")); n == "0" {
				t.Errorf("no records in %d", y)
			}
		}

		// Tickets: the closed ones of registered enterprises have their one
		// live record, for their handler, dated the day they closed; no
		// other ticket has one.
		closed := q(`SELECT t.id, t.assignee_type, t.assignee_code, t.closed_at, COALESCE(r.platform_code, ''),
			COALESCE(r.department_code, ''), COALESCE(r.served_on, ''), COALESCE(r.kind, '') FROM tickets t
			LEFT JOIN service_records r ON r.ticket_id = t.id AND r.cancelled_at IS NULL
			WHERE t.status = 'closed' AND t.enterprise_uscc <> ''`)
		if len(closed) < tinyCity.Tickets/2 {
			t.Fatalf("%d closed tickets of registered enterprises", len(closed))
		}
		for _, r := range closed {
			at := parseTime(t, r[3])
			holder := r[4]
			if r[1] == "department" {
				holder = r[5]
			}
			if holder != r[2] || r[6] != record.Today(at) || r[7] != record.KindTicket {
				t.Errorf("ticket %s (%s %s, closed %s): record %v", r[0], r[1], r[2], r[3], r[4:])
				break
			}
		}
		if n := one(`SELECT COUNT(*) FROM service_records r JOIN tickets t ON t.id = r.ticket_id
			WHERE t.status <> 'closed' OR t.enterprise_uscc = ''`); n != "0" {
			t.Errorf("%s records of tickets not closed or of no enterprise", n)
		}
		// States: open as the status says, the steps in order, a platform
		// handling only after it was founded, the history beginning with
		// the creation for the first handler.
		if n := one(`SELECT COUNT(*) FROM tickets WHERE open <> (status NOT IN ('closed', 'merged'))
			OR (signed_at IS NOT NULL AND signed_at < created_at) OR (replied_at IS NOT NULL AND replied_at < signed_at)
			OR (closed_at IS NOT NULL AND status = 'closed' AND closed_at < replied_at) OR created_at > ?`, now.UTC()); n != "0" {
			t.Errorf("%s tickets whose state or times disagree", n)
		}
		for _, r := range q(`SELECT t.id, t.created_at, p.established_on FROM tickets t JOIN ticket_parties x ON x.ticket_id = t.id
			JOIN platforms p ON p.code = x.party_code AND x.party_type = 'platform'`) {
			if record.Today(parseTime(t, r[1])) < r[2] {
				t.Errorf("ticket %s of %s went to a platform founded on %s", r[0], r[1], r[2])
				break
			}
		}
		if n := one(`SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id
			AND e.action = 'create' AND e.at = t.created_at)`); n != "0" {
			t.Errorf("%s tickets without their creation event", n)
		}
		for _, s := range []ticket.Status{ticket.Closed, ticket.Signed, ticket.Replied, ticket.Reopened, ticket.Merged} {
			if one("SELECT COUNT(*) FROM tickets WHERE status = ?", string(s)) == "0" {
				t.Errorf("no %s ticket", s)
			}
		}

		// The dashboards' figures are the raw rows' (SMEs served: distinct
		// enterprises not large with a live record in the year).
		year := now.In(cst).Year()
		for y := year - tinyCity.Years + 1; y <= year; y++ {
			city, err := env.App.Stats.City(ctx, apptest.System, y)
			if err != nil {
				t.Fatal(err)
			}
			want := one(`SELECT COUNT(DISTINCT r.enterprise_uscc) FROM service_records r JOIN enterprises e ON e.uscc = r.enterprise_uscc
				WHERE r.cancelled_at IS NULL AND e.size <> 'large' AND r.served_on LIKE ?`, fmt.Sprint(y, "-%"))
			if fmt.Sprint(city.SMEsServed) != want || city.SMEsServed == 0 {
				t.Errorf("%d: the city served %d SMEs, the records say %s", y, city.SMEsServed, want)
			}
			wantTickets := one(`SELECT COUNT(*) FROM tickets WHERE status <> 'merged' AND created_at >= ? AND created_at < ?`,
				time.Date(y, 1, 1, 0, 0, 0, 0, cst).UTC(), time.Date(y+1, 1, 1, 0, 0, 0, 0, cst).UTC())
			if fmt.Sprint(city.Tickets) != wantTickets {
				t.Errorf("%d: the city has %d tickets, the table %s", y, city.Tickets, wantTickets)
			}
			byPlatform := map[string]string{}
			for _, r := range q(`SELECT r.platform_code, COUNT(DISTINCT r.enterprise_uscc) FROM service_records r
				JOIN enterprises e ON e.uscc = r.enterprise_uscc WHERE r.cancelled_at IS NULL AND e.size <> 'large'
				AND r.platform_code IS NOT NULL AND r.served_on LIKE ? GROUP BY r.platform_code`, fmt.Sprint(y, "-%")) {
				byPlatform[r[0]] = r[1]
			}
			ps, err := env.App.Stats.Platforms(ctx, apptest.System, stats.PlatformQuery{Year: y})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				if w := byPlatform[p.Platform.Code]; fmt.Sprint(p.SMEsServed) != w && !(w == "" && p.SMEsServed == 0) {
					t.Errorf("%d %s: %d SMEs served, the records say %s", y, p.Platform.Code, p.SMEsServed, w)
				}
			}
		}

		// People work on the data: a ticket rated and closed, another
		// reopened, a record entered, one corrected. The rollups kept by
		// their transactions are what a rebuild finds.
		var replied []int64
		for _, r := range q("SELECT id FROM tickets WHERE status = 'replied' AND enterprise_uscc <> '' ORDER BY id DESC LIMIT 2") {
			var id int64
			fmt.Sscan(r[0], &id)
			replied = append(replied, id)
		}
		if len(replied) < 2 {
			t.Fatalf("replied tickets: %v", replied)
		}
		yes, no, five := true, false, 5
		hotline := access.Actor{Username: "hotline", Role: access.HotlineOperator}
		if _, err := env.App.Ticket.Act(ctx, hotline, replied[0], ticket.Action{Action: "visit", Satisfied: &yes, Score: &five, Note: "回访满意"}); err != nil {
			t.Fatalf("close ticket %d: %v", replied[0], err)
		}
		if _, err := env.App.Ticket.Act(ctx, hotline, replied[1], ticket.Action{Action: "visit", Satisfied: &no, Note: "问题没有解决"}); err != nil {
			t.Fatalf("reopen ticket %d: %v", replied[1], err)
		}
		ent := one("SELECT uscc FROM enterprises WHERE size <> 'large' ORDER BY id DESC LIMIT 1")
		r, err := env.App.Record.Create(ctx, apptest.System, record.Input{PlatformCode: demo.PlatformCode("370202001"),
			EnterpriseUSCC: ent, Kind: "consultation", ServiceArea: "information", Date: today, Note: "规模数据测试"})
		if err != nil {
			t.Fatal(err)
		}
		area := "legal_aid"
		if _, err := env.App.Record.Correct(ctx, apptest.System, r.ID, record.Correction{Reason: "更正", ServiceArea: &area}); err != nil {
			t.Fatal(err)
		}
		var old int64
		fmt.Sscan(one("SELECT MIN(id) FROM service_records WHERE cancelled_at IS NULL AND source = 'import'"), &old)
		if _, err := env.App.Record.Correct(ctx, apptest.System, old, record.Correction{Reason: "重复录入", Cancel: true}); err != nil {
			t.Fatal(err)
		}
		before := env.Rollups()
		if _, err := env.App.Stats.Rebuild(ctx, apptest.System); err != nil {
			t.Fatal(err)
		}
		if after := env.Rollups(); after != before {
			t.Errorf("the rollups kept after the scale load differ from a rebuild:\n%s", apptest.DiffLines(before, after))
		}

		// A second load is refused: the scale data goes into an empty database.
		if _, err := demo.LoadScale(ctx, env.App, io.Discard, io.Discard, tinyCity); err == nil ||
			!strings.Contains(err.Error(), "empty database") {
			t.Errorf("a second scale load: %v", err)
		}
	})
}

func TestScaleValidates(t *testing.T) {
	for _, sc := range []demo.Scale{
		{Enterprises: 10, Tickets: 1000, Records: 1000, Years: 5},
		{Enterprises: 5000, Tickets: 10, Records: 1000, Years: 5},
		{Enterprises: 5000, Tickets: 1000, Records: -1, Years: 5},
		{Enterprises: 5000, Tickets: 1000, Records: 1000, Years: 0},
	} {
		if err := sc.Validate(); err == nil {
			t.Errorf("%+v: valid", sc)
		}
	}
	if got := demo.CityScale.Times(0.01); got != (demo.Scale{Enterprises: 10_000, Tickets: 50_000, Records: 200_000, Years: 5}) {
		t.Errorf("a hundredth of the city: %+v", got)
	}
	if err := demo.CityScale.Validate(); err != nil {
		t.Error(err)
	}
}

// parseTime reads a timestamp as either engine writes it as text.
func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999Z07", "2006-01-02 15:04:05.999999999-07"} {
		if at, err := time.Parse(layout, s); err == nil {
			return at
		}
	}
	t.Fatalf("time %q", s)
	return time.Time{}
}
