// Package calendar is the working-day calendar of REQUIREMENTS R3.3: time
// limits are counted in working days (工作日) of the official schedule —
// State Council holidays and 调休 make-up workdays — with the city's own
// overrides (a typhoon closure), in China Standard Time.
//
// The official schedules are data, not code: the years shipped in data/ and
// years a city admin loads at run time. A deadline that reaches into a year
// whose schedule is not yet published is provisional, and is recomputed when
// the schedule arrives (Service.OnChange).
package calendar

import (
	"sort"
	"time"

	"github.com/qifu/qifu/internal/apperr"
)

// Zone is China Standard Time: UTC+8 all year, no daylight saving. Every day
// of the calendar is a day in this zone.
var Zone = time.FixedZone("CST", 8*60*60)

// The years a schedule or an override may concern.
const (
	MinYear = 2000
	MaxYear = 2100
)

// MaxWorkingDays bounds a time limit in working days (about four years).
const MaxWorkingDays = 1000

const secondsPerDay = 24 * 60 * 60

// Date is one calendar day in China Standard Time, held as the number of
// days since 1970-01-01 so that dates compare and step as integers.
type Date int

// DateOf is the day (in China Standard Time) that contains the instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Zone).Date()
	return DateFor(y, m, d)
}

// DateFor is the date of a year, month and day (normalised as time.Date
// does: February 30 is March 2).
func DateFor(y int, m time.Month, d int) Date {
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()
	q := u / secondsPerDay
	if u%secondsPerDay < 0 {
		q--
	}
	return Date(q)
}

// ParseDate reads a date written YYYY-MM-DD; anything else, or a day that
// does not exist, is an error.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, err
	}
	return DateFor(t.Date()), nil
}

// ParseDateField is ParseDate for an input field: the error is a 422
// invalid_date naming the field.
func ParseDateField(field, s string) (Date, error) {
	if s == "" {
		return 0, apperr.Required(field)
	}
	d, err := ParseDate(s)
	if err != nil {
		return 0, apperr.Field(field, "invalid_date", "error.date")
	}
	return d, nil
}

func (d Date) civil() time.Time { return time.Unix(int64(d)*secondsPerDay, 0).UTC() }

// Year is the date's year.
func (d Date) Year() int { return d.civil().Year() }

// Month is the date's month.
func (d Date) Month() time.Month { return d.civil().Month() }

// Day is the date's day of the month.
func (d Date) Day() int { return d.civil().Day() }

// Weekday is the date's day of the week.
func (d Date) Weekday() time.Weekday { return d.civil().Weekday() }

// AddDays is the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return d + Date(n) }

// Start is the instant the day begins: 00:00 China Standard Time.
func (d Date) Start() time.Time {
	y, m, day := d.civil().Date()
	return time.Date(y, m, day, 0, 0, 0, 0, Zone)
}

// End is the instant the day ends, 24:00 China Standard Time (which is the
// Start of the next day).
func (d Date) End() time.Time { return (d + 1).Start() }

// String writes the date as YYYY-MM-DD.
func (d Date) String() string { return d.civil().Format(time.DateOnly) }

// MarshalText writes the date as YYYY-MM-DD (JSON, templates).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Kind says why a day is working or not.
type Kind string

const (
	KindWorkday       Kind = "workday"        // Monday to Friday, nothing official on it
	KindWeekend       Kind = "weekend"        // Saturday or Sunday, nothing official on it
	KindHoliday       Kind = "holiday"        // an official day off (法定节假日 and the days joined to it)
	KindMakeupWorkday Kind = "makeup_workday" // 调休: an official working day on a weekend
	KindClosed        Kind = "closed"         // the city's override: no work (a typhoon closure)
	KindExtraWorkday  Kind = "extra_workday"  // the city's override: a working day
)

// Day is what the calendar says about one date.
type Day struct {
	Date    Date
	Working bool
	// Known is false for a day without an override in a year whose
	// official schedule is not published: it is assumed to follow the
	// weekday rule.
	Known bool
	Kind  Kind
	// Name is the holiday of the official schedule the day belongs to
	// ("春节"), for days off and 调休 workdays alike.
	Name     string
	Override *Override
}

// Deadline is the end of a time limit. Provisional is true when the
// limit was counted over days of a year whose official schedule is not yet
// published: it must be counted again when the schedule arrives.
type Deadline struct {
	At          time.Time `json:"at"`
	Provisional bool      `json:"provisional"`
}

// LastDay is the day in which the deadline falls; for a limit in working
// days, the last working day counted (At is its end).
func (d Deadline) LastDay() Date { return DateOf(d.At.Add(-time.Nanosecond)) }

type official struct {
	off  bool
	name string
}

// Calendar answers which days are working days. It is immutable once built
// and safe for concurrent use.
type Calendar struct {
	known     map[int]bool
	official  map[Date]official
	overrides map[Date]Override
	sources   []YearInfo
}

// New builds a calendar from official schedules and local overrides. A
// later schedule of a year replaces an earlier one (a loaded year replaces
// the shipped one); a schedule without days counts as not published.
// Schedules and overrides are expected valid (ParseYear, Override.Validate);
// an override whose date does not parse is ignored.
func New(years []Year, overrides []Override) *Calendar {
	byYear := map[int]Year{}
	for _, y := range years {
		if len(y.Days) == 0 {
			continue
		}
		byYear[y.Year] = y
	}
	c := &Calendar{known: map[int]bool{}, official: map[Date]official{}, overrides: map[Date]Override{}}
	for _, y := range byYear {
		c.known[y.Year] = true
		for _, d := range y.Days {
			date, err := ParseDate(d.Date)
			if err != nil || date.Year() != y.Year {
				continue
			}
			c.official[date] = official{off: d.IsOffDay, name: d.Name}
		}
	}
	for _, o := range overrides {
		if date, err := ParseDate(o.Date); err == nil {
			c.overrides[date] = o
		}
	}
	return c
}

// Years lists the years whose official schedule is known, in order.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.known))
	for y := range c.known {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// Known reports whether the official schedule of a year is known.
func (c *Calendar) Known(year int) bool { return c.known[year] }

// Sources describes where each known year's schedule comes from (set by
// the Service; empty for a calendar built with New).
func (c *Calendar) Sources() []YearInfo { return append([]YearInfo(nil), c.sources...) }

// Day says what the calendar holds for a date. The rules, first match
// wins: the city's override; the official schedule (days off, and 调休
// workdays); Monday to Friday work, weekends off.
func (c *Calendar) Day(d Date) Day {
	day := Day{Date: d}
	off, isOfficial := c.official[d]
	day.Name = off.name
	if o, ok := c.overrides[d]; ok {
		day.Known, day.Working, day.Override = true, !o.Off, &o
		day.Kind = KindExtraWorkday
		if o.Off {
			day.Kind = KindClosed
		}
		return day
	}
	if isOfficial {
		day.Known, day.Working, day.Kind = true, !off.off, KindMakeupWorkday
		if off.off {
			day.Kind = KindHoliday
		}
		return day
	}
	day.Known = c.known[d.Year()]
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		day.Kind = KindWeekend
	default:
		day.Working, day.Kind = true, KindWorkday
	}
	return day
}

// IsWorkingDay reports whether d is a working day, and whether that is
// known (false: a year not yet published, where the weekday rule is
// assumed).
func (c *Calendar) IsWorkingDay(d Date) (working, known bool) {
	day := c.Day(d)
	return day.Working, day.Known
}

// Days lists the days from one date to another, both included.
func (c *Calendar) Days(from, to Date) []Day {
	out := make([]Day, 0, max(0, int(to-from)+1))
	for d := from; d <= to; d++ {
		out = append(out, c.Day(d))
	}
	return out
}

// AddWorkingDays is the deadline of a time limit of n working days for
// something received at the instant received. Counting starts the day
// after receipt (the day of receipt never counts, whatever the hour); the
// deadline is the end (24:00 China Standard Time) of the n-th working day.
// Zero working days is the end of the day of receipt. The deadline is
// provisional when a day counted or passed over lies in a year whose
// schedule is not published. Errors: invalid out_of_range on working_days
// when n is negative or over MaxWorkingDays.
func (c *Calendar) AddWorkingDays(received time.Time, n int) (Deadline, error) {
	if n < 0 || n > MaxWorkingDays {
		return Deadline{}, apperr.Field("working_days", "out_of_range", "error.range").With("min", 0).With("max", MaxWorkingDays)
	}
	d := DateOf(received)
	provisional := false
	for counted := 0; counted < n; {
		d++
		working, known := c.IsWorkingDay(d)
		if !known {
			provisional = true
		}
		if working {
			counted++
		}
	}
	return Deadline{At: d.End(), Provisional: provisional}, nil
}

// AddHours is the deadline of a time limit in natural hours (a sign-for
// limit of 24 hours): holidays do not stop the clock, so it is never
// provisional.
func (c *Calendar) AddHours(received time.Time, h int) Deadline {
	return Deadline{At: received.Add(time.Duration(h) * time.Hour).In(Zone)}
}

// WorkingDaysBetween counts the whole working days after the day of a that
// end no later than b: for something received at a, the working days it has
// had by b; for a deadline, WorkingDaysBetween(now, d.At) is the number of
// full working days left after today. It is the inverse of AddWorkingDays:
// WorkingDaysBetween(r, AddWorkingDays(r, n).At) == n. When b is before a
// the count is negative: -WorkingDaysBetween(b, a).
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	if b.Before(a) {
		return -c.WorkingDaysBetween(b, a)
	}
	n := 0
	for d := DateOf(a) + 1; !d.End().After(b); d++ {
		if working, _ := c.IsWorkingDay(d); working {
			n++
		}
	}
	return n
}
