package calendar_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/calendar"
)

// at is an instant in China Standard Time.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Zone)
}

// endOf is 24:00 CST of a day, the instant a working-day deadline is.
func endOf(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, calendar.Zone).AddDate(0, 0, 1)
}

func date(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// shipped is the calendar of the schedules shipped in data/ (2024–2026;
// 2027's file has no days yet) and no overrides.
func shipped(t *testing.T, extra ...calendar.Year) *calendar.Calendar {
	t.Helper()
	years, err := calendar.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return calendar.New(append(slices.Clone(years), extra...), nil)
}

func TestShippedYears(t *testing.T) {
	c := shipped(t)
	if got, want := c.Years(), []int{2024, 2025, 2026}; !slices.Equal(got, want) {
		t.Errorf("Years() = %v, want %v (2027 is not published: its file has no days)", got, want)
	}
}

func TestAddWorkingDaysOnTheOfficialSchedule(t *testing.T) {
	c := shipped(t)
	cases := []struct {
		name     string
		received time.Time
		n        int
		want     time.Time
	}{
		// 12-31 (Wed) is 1; 01-01..03 元旦 off; 01-04 (Sun) is a 调休
		// workday, 2; 01-05 (Mon) is 3.
		{"across New Year 2026", at(2025, 12, 30, 10, 0), 3, endOf(2026, 1, 5)},
		// 02-13 (Fri) 1; 02-14 (Sat) 调休 2; 02-15..23 春节 off, weekends
		// inside; 02-24 3, 02-25 4, 02-26 5.
		{"across 春节 2026", at(2026, 2, 12, 15, 0), 5, endOf(2026, 2, 26)},
		// 02-26 (Thu) 1, 02-27 (Fri) 2, 02-28 (Sat) is the 调休 workday, 3.
		{"春节 2026 make-up Saturday counts", at(2026, 2, 25, 9, 0), 3, endOf(2026, 2, 28)},
		// 09-27 (Sat) off; 09-28 (Sun) 调休 1; 09-29 2; 09-30 3.
		{"国庆 2025 make-up Sunday counts", at(2025, 9, 26, 16, 0), 3, endOf(2025, 9, 30)},
		// then 10-01..08 国庆节、中秋节 off (8 days, 中秋 merged in);
		// 10-09 4, 10-10 5.
		{"across 国庆 and 中秋 2025", at(2025, 9, 26, 16, 0), 5, endOf(2025, 10, 10)},
		// 10-11 (Sat) is the second 调休 workday, 6.
		{"国庆 2025 make-up Saturday counts", at(2025, 9, 26, 16, 0), 6, endOf(2025, 10, 11)},
		{"received on a Friday evening", at(2026, 3, 6, 20, 30), 1, endOf(2026, 3, 9)},
		{"received at 08:00 on a working day: that day does not count", at(2026, 3, 4, 8, 0), 1, endOf(2026, 3, 5)},
		{"received at midnight: that day does not count either", at(2026, 3, 4, 0, 0), 1, endOf(2026, 3, 5)},
		// 10-04..07 国庆 off; 10-08 (Thu) 1, 10-09 (Fri) 2.
		{"received on a holiday", at(2026, 10, 3, 11, 0), 2, endOf(2026, 10, 9)},
		{"received on a holiday, make-up Saturday 10-10", at(2026, 10, 3, 11, 0), 3, endOf(2026, 10, 10)},
		{"zero working days is the end of the day of receipt", at(2026, 3, 6, 20, 30), 0, endOf(2026, 3, 6)},
		{"zero working days on a holiday too", at(2026, 10, 3, 11, 0), 0, endOf(2026, 10, 3)},
		{"five working days inside 2026", at(2026, 12, 1, 9, 0), 5, endOf(2026, 12, 8)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.AddWorkingDays(tc.received, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if !got.At.Equal(tc.want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.received, tc.n, got.At, tc.want)
			}
			if got.Provisional {
				t.Errorf("deadline inside published years marked provisional")
			}
			if back := c.WorkingDaysBetween(tc.received, got.At); back != tc.n {
				t.Errorf("WorkingDaysBetween(received, deadline) = %d, want %d", back, tc.n)
			}
		})
	}
}

// Days are days in China Standard Time whatever the zone of the instant.
func TestReceiptDayIsTheDayInChina(t *testing.T) {
	c := shipped(t)
	// Thursday 18:00 UTC is already Friday 02:00 in China: Friday is the day
	// of receipt, so one working day runs to the end of Monday.
	got, err := c.AddWorkingDays(time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC), 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := endOf(2026, 3, 9); !got.At.Equal(want) {
		t.Errorf("deadline %s, want %s", got.At, want)
	}
	if got.At.Format(time.RFC3339) != "2026-03-10T00:00:00+08:00" {
		t.Errorf("deadline written %s, want 2026-03-10T00:00:00+08:00", got.At.Format(time.RFC3339))
	}
	if got.LastDay().String() != "2026-03-09" {
		t.Errorf("LastDay() = %s, want 2026-03-09", got.LastDay())
	}
	if d := calendar.DateOf(time.Date(2026, 3, 5, 16, 0, 0, 0, time.UTC)); d.String() != "2026-03-06" {
		t.Errorf("DateOf(16:00 UTC) = %s, want the next day in China", d)
	}
}

func TestAddWorkingDaysRefusesBadCounts(t *testing.T) {
	c := shipped(t)
	for _, n := range []int{-1, calendar.MaxWorkingDays + 1} {
		_, err := c.AddWorkingDays(at(2026, 3, 4, 9, 0), n)
		if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid || e.Field != "working_days" {
			t.Errorf("AddWorkingDays(n=%d) error %v, want invalid on working_days", n, err)
		}
	}
}

func TestProvisionalUntilTheScheduleIsPublished(t *testing.T) {
	received := at(2027, 12, 20, 10, 0)
	// 2027 and 2028 are not published: counted by the weekday rule, and
	// provisional. Dec 21–24, 27–31 (9), Jan 3–7 (14), Jan 10 (15).
	c := shipped(t)
	got, err := c.AddWorkingDays(received, 15)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Provisional || !got.At.Equal(endOf(2028, 1, 10)) {
		t.Errorf("unpublished years: %+v, want provisional end of 2028-01-10", got)
	}
	// A limit that reaches from a known year into an unknown one is
	// provisional too.
	if d, _ := c.AddWorkingDays(at(2026, 12, 28, 9, 0), 5); !d.Provisional || !d.At.Equal(endOf(2027, 1, 4)) {
		t.Errorf("2026-12-28 + 5: %+v, want provisional end of 2027-01-04", d)
	}
	// Test schedules (made up, not the official ones): 元旦 2027 on
	// Friday 01-01; a three-day 元旦 2028 ending Monday 01-03.
	y2027 := calendar.Year{Year: 2027, Days: []calendar.YearDay{{Name: "元旦", Date: "2027-01-01", IsOffDay: true}}}
	y2028 := calendar.Year{Year: 2028, Days: []calendar.YearDay{
		{Name: "元旦", Date: "2028-01-01", IsOffDay: true},
		{Name: "元旦", Date: "2028-01-02", IsOffDay: true},
		{Name: "元旦", Date: "2028-01-03", IsOffDay: true},
	}}
	// 2028 alone is not enough: the December days of 2027 are still unknown.
	if d, _ := shipped(t, y2028).AddWorkingDays(received, 15); !d.Provisional {
		t.Errorf("with 2028 only: %+v, want still provisional (2027 unknown)", d)
	}
	if d, _ := shipped(t, y2027).AddWorkingDays(received, 15); !d.Provisional {
		t.Errorf("with 2027 only: %+v, want still provisional (2028 unknown)", d)
	}
	got, err = shipped(t, y2027, y2028).AddWorkingDays(received, 15)
	if err != nil {
		t.Fatal(err)
	}
	// Monday 01-03 is now a holiday: the 15th working day is 01-11.
	if got.Provisional || !got.At.Equal(endOf(2028, 1, 11)) {
		t.Errorf("both years published: %+v, want final end of 2028-01-11", got)
	}
}

func TestOverridesWin(t *testing.T) {
	typhoon := calendar.Override{Date: "2026-09-15", Off: true, Reason: "台风“海葵”停工停课"}
	saturday := calendar.Override{Date: "2026-09-19", Off: false, Reason: "补班"}
	years, _ := calendar.Embedded()
	c := calendar.New(years, []calendar.Override{typhoon, saturday})

	day := c.Day(date(t, "2026-09-15"))
	if day.Working || !day.Known || day.Kind != calendar.KindClosed || day.Override == nil || day.Override.Reason != typhoon.Reason {
		t.Errorf("typhoon Tuesday: %+v", day)
	}
	if w, k := c.IsWorkingDay(date(t, "2026-09-19")); !w || !k {
		t.Errorf("Saturday made a working day: working %v known %v", w, k)
	}
	// Received Monday 09-14, four working days: Tuesday is closed, so Wed
	// 1, Thu 2, Fri 3 and Saturday (made a working day) 4. Without the
	// overrides Tuesday to Friday are the four.
	got, err := c.AddWorkingDays(at(2026, 9, 14, 10, 0), 4)
	if err != nil {
		t.Fatal(err)
	}
	if !got.At.Equal(endOf(2026, 9, 19)) {
		t.Errorf("with overrides: %s, want end of Saturday 2026-09-19", got.At)
	}
	plain, _ := calendar.New(years, nil).AddWorkingDays(at(2026, 9, 14, 10, 0), 4)
	if !plain.At.Equal(endOf(2026, 9, 18)) {
		t.Errorf("without overrides: %s, want end of Friday 2026-09-18", plain.At)
	}
	// An override on an official holiday keeps the holiday's name.
	c = calendar.New(years, []calendar.Override{{Date: "2026-10-07", Off: false, Reason: "防汛值守"}})
	if d := c.Day(date(t, "2026-10-07")); !d.Working || d.Name != "国庆节" || d.Kind != calendar.KindExtraWorkday {
		t.Errorf("holiday made a working day: %+v", d)
	}
	// An override in an unpublished year makes that day known.
	c = calendar.New(years, []calendar.Override{{Date: "2027-06-01", Off: true, Reason: "台风"}})
	if w, k := c.IsWorkingDay(date(t, "2027-06-01")); w || !k {
		t.Errorf("override in 2027: working %v known %v, want off and known", w, k)
	}
	if _, k := c.IsWorkingDay(date(t, "2027-06-02")); k {
		t.Errorf("a plain day of 2027 reported known")
	}
}

func TestDayKinds(t *testing.T) {
	c := shipped(t)
	cases := []struct {
		date    string
		working bool
		kind    calendar.Kind
		name    string
	}{
		{"2026-03-04", true, calendar.KindWorkday, ""},
		{"2026-03-07", false, calendar.KindWeekend, ""},
		{"2026-02-17", false, calendar.KindHoliday, "春节"},
		{"2026-02-14", true, calendar.KindMakeupWorkday, "春节"},
		{"2026-09-20", true, calendar.KindMakeupWorkday, "国庆节"},
		{"2026-09-25", false, calendar.KindHoliday, "中秋节"},
		{"2025-10-06", false, calendar.KindHoliday, "国庆节、中秋节"},
		{"2024-02-04", true, calendar.KindMakeupWorkday, "春节"},
	}
	for _, tc := range cases {
		d := c.Day(date(t, tc.date))
		if d.Working != tc.working || d.Kind != tc.kind || d.Name != tc.name || !d.Known {
			t.Errorf("%s: %+v, want working %v kind %s name %q", tc.date, d, tc.working, tc.kind, tc.name)
		}
	}
	if d := c.Day(date(t, "2027-03-03")); d.Known || !d.Working {
		t.Errorf("2027-03-03: %+v, want a working day, unknown", d)
	}
	days := c.Days(date(t, "2026-02-14"), date(t, "2026-02-28"))
	if len(days) != 15 || days[0].Date.String() != "2026-02-14" || days[14].Date.String() != "2026-02-28" {
		t.Errorf("Days: %d days from %s", len(days), days[0].Date)
	}
}

// WorkingDaysBetween is the inverse of AddWorkingDays, over two years of
// receipts at different hours, and negative backwards.
func TestWorkingDaysBetween(t *testing.T) {
	c := shipped(t)
	for d := date(t, "2025-01-01"); d <= date(t, "2026-12-20"); d += 3 {
		received := d.Start().Add(time.Duration(d%24) * time.Hour)
		for _, n := range []int{0, 1, 2, 5, 15} {
			dl, err := c.AddWorkingDays(received, n)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.WorkingDaysBetween(received, dl.At); got != n {
				t.Fatalf("received %s, n=%d: deadline %s, WorkingDaysBetween = %d", received, n, dl.At, got)
			}
		}
	}
	// Two working days left: on Wednesday 2026-03-04 at 15:00, a deadline at
	// the end of Friday has Thursday and Friday left.
	if got := c.WorkingDaysBetween(at(2026, 3, 4, 15, 0), endOf(2026, 3, 6)); got != 2 {
		t.Errorf("days left = %d, want 2", got)
	}
	if got := c.WorkingDaysBetween(endOf(2026, 3, 6), at(2026, 3, 4, 15, 0)); got != -2 {
		t.Errorf("backwards = %d, want -2", got)
	}
	// 春节: from Thursday 02-12 to the end of Tuesday 02-24: 02-13, the
	// make-up 02-14, and 02-24.
	if got := c.WorkingDaysBetween(at(2026, 2, 12, 9, 0), endOf(2026, 2, 24)); got != 3 {
		t.Errorf("across 春节 = %d, want 3", got)
	}
}

func TestAddHoursIgnoresHolidays(t *testing.T) {
	c := shipped(t)
	got := c.AddHours(at(2026, 2, 16, 10, 0), 24)
	if !got.At.Equal(at(2026, 2, 17, 10, 0)) || got.Provisional {
		t.Errorf("AddHours = %+v, want 2026-02-17 10:00 CST", got)
	}
	if got := c.AddHours(at(2027, 12, 31, 10, 0), 48); got.Provisional {
		t.Errorf("AddHours into an unknown year marked provisional")
	}
}

func TestDates(t *testing.T) {
	for _, s := range []string{"2026-02-30", "2026-2-1", "20260201", "", "2026-13-01"} {
		if _, err := calendar.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
	d := date(t, "2026-02-28")
	if d.AddDays(1).String() != "2026-03-01" || d.Weekday() != time.Saturday || d.Year() != 2026 || d.Month() != time.February || d.Day() != 28 {
		t.Errorf("date arithmetic on %s", d)
	}
	if got := d.Start().Format(time.RFC3339); got != "2026-02-28T00:00:00+08:00" {
		t.Errorf("Start = %s", got)
	}
	if old := calendar.DateFor(1969, 12, 31); old.String() != "1969-12-31" {
		t.Errorf("DateFor before 1970 = %s", old)
	}
	b, _ := d.MarshalText()
	if string(b) != "2026-02-28" {
		t.Errorf("MarshalText = %s", b)
	}
}

func TestParseYear(t *testing.T) {
	good := `{"$schema":"x","year":2028,"papers":["https://www.gov.cn/x"],"days":[
		{"name":"春节","date":"2028-01-29","isOffDay":true},{"name":"元旦","date":"2028-01-01","isOffDay":true}]}`
	y, err := calendar.ParseYear([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if y.Year != 2028 || len(y.Days) != 2 || y.Days[0].Date != "2028-01-01" {
		t.Errorf("parsed %+v, want 2028 with days sorted by date", y)
	}
	cases := []struct {
		name, body, field, code string
	}{
		{"not JSON", `{"year":2028,`, "file", "invalid_year_file"},
		{"an array", `[]`, "file", "invalid_year_file"},
		{"no year", `{"days":[{"name":"元旦","date":"2028-01-01","isOffDay":true}]}`, "year", "required"},
		{"year as text", `{"year":"2028","days":[]}`, "year", "invalid_type"},
		{"year 1999", `{"year":1999,"days":[{"name":"元旦","date":"1999-01-01","isOffDay":true}]}`, "year", "out_of_range"},
		{"year 2101", `{"year":2101,"days":[{"name":"元旦","date":"2101-01-01","isOffDay":true}]}`, "year", "out_of_range"},
		{"no days", `{"year":2028,"days":[]}`, "days", "no_days"},
		{"bad date", `{"year":2028,"days":[{"name":"元旦","date":"2028-02-30","isOffDay":true}]}`, "days[0].date", "invalid_date"},
		{"date of another year", `{"year":2028,"days":[{"name":"元旦","date":"2028-01-01","isOffDay":true},{"name":"元旦","date":"2027-12-31","isOffDay":true}]}`, "days[1].date", "date_outside_year"},
		{"date twice", `{"year":2028,"days":[{"name":"元旦","date":"2028-01-01","isOffDay":true},{"name":"春节","date":"2028-01-01","isOffDay":false}]}`, "days[1].date", "duplicate_date"},
		{"no name", `{"year":2028,"days":[{"name":" ","date":"2028-01-01","isOffDay":true}]}`, "days[0].name", "required"},
		{"isOffDay as text", `{"year":2028,"days":[{"name":"元旦","date":"2028-01-01","isOffDay":"yes"}]}`, "days.isOffDay", "invalid_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := calendar.ParseYear([]byte(tc.body))
			e := apperr.As(err)
			if e == nil || e.Kind != apperr.Invalid || e.Field != tc.field || e.ErrorCode() != tc.code {
				t.Errorf("error %v, want invalid %s on %s", err, tc.code, tc.field)
			}
		})
	}
	if _, err := calendar.ParseYear([]byte(`{"year":2028,"days":[` + strings.Repeat(" ", calendar.MaxYearFileBytes) + `]}`)); apperr.As(err).Field != "file" {
		t.Errorf("oversized file: %v", err)
	}
}

func TestOverrideValidate(t *testing.T) {
	cases := []struct {
		o     calendar.Override
		field string
	}{
		{calendar.Override{Date: "2026-09-15", Reason: "台风"}, ""},
		{calendar.Override{Date: "", Reason: "台风"}, "date"},
		{calendar.Override{Date: "2026/09/15", Reason: "台风"}, "date"},
		{calendar.Override{Date: "1999-09-15", Reason: "台风"}, "date"},
		{calendar.Override{Date: "2026-09-15"}, "reason"},
		{calendar.Override{Date: "2026-09-15", Reason: strings.Repeat("台", calendar.MaxReason)}, ""},
		{calendar.Override{Date: "2026-09-15", Reason: strings.Repeat("台", calendar.MaxReason+1)}, "reason"},
	}
	for _, tc := range cases {
		err := tc.o.Validate()
		if got := apperr.As(err); tc.field == "" && err != nil || tc.field != "" && (got == nil || got.Field != tc.field) {
			t.Errorf("Validate(%q, %d chars) = %v, want field %q", tc.o.Date, len([]rune(tc.o.Reason)), err, tc.field)
		}
	}
}
