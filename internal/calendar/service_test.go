package calendar_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/calendar"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

var (
	admin   = access.Actor{UserID: 1, Username: "admin", Role: access.CityAdmin}
	street  = access.Actor{UserID: 2, Username: "street", Role: access.StreetStaff, OrgCode: "P1", PlatformPath: "/P1/"}
	auditor = access.Actor{UserID: 3, Username: "auditor", Role: access.Auditor}
	company = access.Actor{UserID: 4, Username: "enterprise", Role: access.Enterprise, OrgCode: "91370202MA3C8Q1D0X"}
)

func service(db *store.DB, c clock.Clock) *calendar.Service {
	return calendar.NewService(store.Repo[calendar.Tx]{DB: db}, c)
}

func auditEntries(t *testing.T, db *store.DB, action string) []audit.Entry {
	t.Helper()
	as := audit.NewService(store.AuditStore{DB: db}, clock.System{})
	items, _, err := as.List(context.Background(), access.SystemActor("test"), audit.Filter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

const year2027 = `{"year":2027,"papers":["https://example.gov.cn/test"],"days":[
	{"name":"元旦","date":"2027-01-01","isOffDay":true},
	{"name":"春节","date":"2027-02-06","isOffDay":true},
	{"name":"春节","date":"2027-02-07","isOffDay":true},
	{"name":"春节","date":"2027-02-08","isOffDay":true},
	{"name":"春节","date":"2027-02-20","isOffDay":false}]}`

func TestOverridesAreAuditedAndForAdminsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 9, 14, 2, 0, 0, 0, time.UTC))
		s := service(db, clk)
		var changes []calendar.Change
		s.OnChange = func(_ context.Context, c calendar.Change) { changes = append(changes, c) }
		typhoon := calendar.Override{Date: " 2026-09-15 ", Off: true, Reason: " 台风停工 "}

		for _, a := range []access.Actor{street, auditor, company} {
			if _, err := s.AddOverride(ctx, a, typhoon); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s adds an override: %v, want forbidden", a.Username, err)
			}
		}
		got, err := s.AddOverride(ctx, admin, typhoon)
		if err != nil {
			t.Fatal(err)
		}
		if got.Date != "2026-09-15" || got.Reason != "台风停工" || got.CreatedBy != "admin" || !got.CreatedAt.Equal(clk.Now()) {
			t.Errorf("stored override %+v", got)
		}
		if _, err := s.AddOverride(ctx, admin, typhoon); !apperr.HasCode(err, "duplicate_date") || apperr.As(err).Field != "date" {
			t.Errorf("second override of the day: %v, want conflict duplicate_date on date", err)
		}
		if _, err := s.AddOverride(ctx, admin, calendar.Override{Date: "2026-09-31", Reason: "x"}); apperr.As(err).Field != "date" {
			t.Errorf("bad date: %v", err)
		}
		if _, err := s.AddOverride(ctx, admin, calendar.Override{Date: "2026-09-16", Reason: strings.Repeat("长", 101)}); apperr.As(err).Field != "reason" {
			t.Errorf("long reason: %v", err)
		}

		// The change is seen at once on this instance.
		c, err := s.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if w, _ := c.IsWorkingDay(date(t, "2026-09-15")); w {
			t.Errorf("2026-09-15 still a working day after the typhoon override")
		}

		// Every staff role reads the overrides; an enterprise does not.
		for _, a := range []access.Actor{admin, street, auditor} {
			list, err := s.Overrides(ctx, a, 2026)
			if err != nil || len(list) != 1 || list[0].Reason != "台风停工" || !list[0].Off {
				t.Errorf("%s reads overrides: %+v %v", a.Username, list, err)
			}
		}
		if list, _ := s.Overrides(ctx, admin, 2025); len(list) != 0 {
			t.Errorf("overrides of 2025: %+v", list)
		}
		if _, err := s.Overrides(ctx, company, 2026); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise reads overrides: %v", err)
		}

		if _, err := s.RemoveOverride(ctx, street, "2026-09-15"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("street staff removes: %v", err)
		}
		removed, err := s.RemoveOverride(ctx, admin, "2026-09-15")
		if err != nil || removed.Reason != "台风停工" {
			t.Fatalf("remove: %+v %v", removed, err)
		}
		if _, err := s.RemoveOverride(ctx, admin, "2026-09-15"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("remove twice: %v, want not_found", err)
		}
		c, _ = s.Current(ctx)
		if w, _ := c.IsWorkingDay(date(t, "2026-09-15")); !w {
			t.Errorf("2026-09-15 still off after the override was removed")
		}

		created := auditEntries(t, db, "calendar_override.create")
		deleted := auditEntries(t, db, "calendar_override.delete")
		if len(created) != 1 || created[0].ObjectID != "2026-09-15" || created[0].Username != "admin" || created[0].AfterDigest == "" || created[0].BeforeDigest != "" {
			t.Errorf("create audit %+v", created)
		}
		if len(deleted) != 1 || deleted[0].BeforeDigest != created[0].AfterDigest || deleted[0].AfterDigest != "" {
			t.Errorf("delete audit %+v, want the created digest as before", deleted)
		}
		if len(changes) != 2 || changes[0].Date != "2026-09-15" || changes[1].Date != "2026-09-15" {
			t.Errorf("OnChange calls %+v, want two for 2026-09-15", changes)
		}
	})
}

func TestLoadYear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC))
		s := service(db, clk)
		var changes []calendar.Change
		s.OnChange = func(_ context.Context, c calendar.Change) { changes = append(changes, c) }

		received := time.Date(2026, 12, 28, 9, 0, 0, 0, calendar.Zone)
		c, err := s.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := c.AddWorkingDays(received, 5)
		if !before.Provisional {
			t.Fatalf("deadline into 2027 not provisional before 2027 is loaded")
		}

		for _, a := range []access.Actor{street, auditor, company} {
			if _, err := s.LoadYear(ctx, a, []byte(year2027)); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s loads a year: %v, want forbidden", a.Username, err)
			}
		}
		bad := []struct{ body, field string }{
			{`{"year":2027`, "file"},
			{`{"year":1900,"days":[{"name":"x","date":"1900-01-01","isOffDay":true}]}`, "year"},
			{`{"year":2027,"days":[]}`, "days"},
			{`{"year":2027,"days":[{"name":"元旦","date":"2028-01-01","isOffDay":true}]}`, "days[0].date"},
			{`{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"元旦","date":"2027-01-01","isOffDay":true}]}`, "days[1].date"},
		}
		for _, b := range bad {
			_, err := s.LoadYear(ctx, admin, []byte(b.body))
			if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid || e.Field != b.field {
				t.Errorf("load %s: %v, want invalid on %s", b.body, err, b.field)
			}
		}
		if len(changes) != 0 || len(auditEntries(t, db, "calendar_year.")) != 0 {
			t.Fatalf("refused loads changed something: %+v", changes)
		}

		info, err := s.LoadYear(ctx, admin, []byte(year2027))
		if err != nil {
			t.Fatal(err)
		}
		if info.Year != 2027 || info.Source != calendar.SourceLoaded || info.Days != 5 || info.LoadedBy != "admin" {
			t.Errorf("loaded %+v", info)
		}
		c, _ = s.Current(ctx)
		after, _ := c.AddWorkingDays(received, 5)
		// 12-29, 30, 31, then 01-01 is 元旦 (Friday), 01-04 (Mon) 4, 01-05 5.
		if after.Provisional || !after.At.Equal(endOf(2027, 1, 5)) {
			t.Errorf("after loading 2027: %+v, want final end of 2027-01-05 (was %+v)", after, before)
		}
		if d := c.Day(date(t, "2027-02-20")); d.Kind != calendar.KindMakeupWorkday || d.Name != "春节" {
			t.Errorf("2027-02-20: %+v", d)
		}
		years, err := s.Years(ctx, street)
		if err != nil || len(years) != 4 || years[3].Year != 2027 || years[3].Source != calendar.SourceLoaded || years[0].Source != calendar.SourceEmbedded {
			t.Errorf("Years: %+v %v", years, err)
		}
		if _, err := s.Years(ctx, company); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise reads years: %v", err)
		}
		if len(changes) != 1 || changes[0].Year != 2027 {
			t.Errorf("OnChange: %+v", changes)
		}

		// Loading the year again replaces it; the audit keeps both digests.
		clk.Advance(time.Hour)
		if _, err := s.LoadYear(ctx, admin, []byte(strings.Replace(year2027, `"2027-02-20","isOffDay":false`, `"2027-02-09","isOffDay":true`, 1))); err != nil {
			t.Fatal(err)
		}
		c, _ = s.Current(ctx)
		if d := c.Day(date(t, "2027-02-20")); d.Kind != calendar.KindWeekend {
			t.Errorf("2027-02-20 after the replacement: %+v", d)
		}
		entries := auditEntries(t, db, "calendar_year.load")
		if len(entries) != 2 || entries[0].ObjectID != "2027" || entries[0].BeforeDigest != entries[1].AfterDigest || entries[1].BeforeDigest != "" {
			t.Errorf("audit of loads: %+v", entries)
		}
	})
}

// Two app instances on one database: a change made through one is seen by
// the other once it checks the version again (RecheckEvery), without a
// restart.
func TestSecondInstanceSeesChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 9, 14, 2, 0, 0, 0, time.UTC))
		one, two := service(db, clk), service(db, clk)
		c2, err := two.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := one.AddOverride(ctx, admin, calendar.Override{Date: "2026-09-15", Off: true, Reason: "台风"}); err != nil {
			t.Fatal(err)
		}
		if again, _ := two.Current(ctx); again != c2 {
			t.Errorf("instance two rebuilt before RecheckEvery passed")
		}
		clk.Advance(calendar.RecheckEvery)
		c2, err = two.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if w, _ := c2.IsWorkingDay(date(t, "2026-09-15")); w {
			t.Errorf("instance two does not see the override")
		}
		// Nothing changed: the next check keeps the same calendar.
		clk.Advance(calendar.RecheckEvery)
		if again, _ := two.Current(ctx); again != c2 {
			t.Errorf("instance two rebuilt without a change")
		}
		if _, err := one.LoadYear(ctx, admin, []byte(year2027)); err != nil {
			t.Fatal(err)
		}
		clk.Advance(calendar.RecheckEvery)
		c2, _ = two.Current(ctx)
		if !c2.Known(2027) {
			t.Errorf("instance two does not see the loaded year")
		}
		if _, err := one.RemoveOverride(ctx, admin, "2026-09-15"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(calendar.RecheckEvery)
		c2, _ = two.Current(ctx)
		if w, _ := c2.IsWorkingDay(date(t, "2026-09-15")); !w {
			t.Errorf("instance two still sees the removed override")
		}
	})
}

func TestServiceDaysAndDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := service(db, clock.NewFake(time.Date(2026, 9, 14, 2, 0, 0, 0, time.UTC)))
		days, err := s.Days(ctx, street, date(t, "2026-01-01"), date(t, "2026-12-31"))
		if err != nil || len(days) != 365 {
			t.Fatalf("a year of days: %d %v", len(days), err)
		}
		if _, err := s.Days(ctx, street, date(t, "2026-01-01"), date(t, "2027-01-02")); apperr.As(err).Field != "to" {
			t.Errorf("367 days: %v, want invalid on to", err)
		}
		if _, err := s.Days(ctx, street, date(t, "2026-01-02"), date(t, "2026-01-01")); apperr.As(err).Field != "to" {
			t.Errorf("to before from: %v", err)
		}
		if _, err := s.Days(ctx, company, date(t, "2026-01-01"), date(t, "2026-01-02")); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise lists days: %v", err)
		}
		dl, err := s.Deadline(ctx, auditor, time.Date(2025, 12, 30, 10, 0, 0, 0, calendar.Zone), 3)
		if err != nil || !dl.At.Equal(endOf(2026, 1, 5)) {
			t.Errorf("deadline %+v %v", dl, err)
		}
		if _, err := s.Deadline(ctx, company, time.Now(), 3); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise counts a deadline: %v", err)
		}
	})
}

// Deadlines are counted from many requests at once while the calendar
// changes (run with -race).
func TestConcurrentUse(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 9, 14, 2, 0, 0, 0, time.UTC))
	s := service(db, clk)
	done := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			for j := 0; j < 50; j++ {
				c, err := s.Current(ctx)
				if err != nil {
					done <- err
					return
				}
				if _, err := c.AddWorkingDays(time.Date(2026, 9, 14, 10, 0, 0, 0, calendar.Zone), 10); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for d := 1; d <= 5; d++ {
		if _, err := s.AddOverride(ctx, admin, calendar.Override{Date: "2026-10-2" + strconv.Itoa(d), Off: true, Reason: "台风"}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(calendar.RecheckEvery)
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	c, _ := s.Current(ctx)
	if w, _ := c.IsWorkingDay(date(t, "2026-10-23")); w {
		t.Errorf("last override not seen")
	}
}
