package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/calendar"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/web/form"
)

type calendarData struct {
	Year       int
	Prev, Next int // 0 at the ends of the supported range
	Known      bool
	// Unpublished is this year or the next when its schedule is unknown
	// (0 when both are known): deadlines reaching into it are provisional.
	Unpublished int
	Years       []calendarYearView
	Weekdays    []calendarWeekday
	Months      []calendarMonth
	Overrides   []calendar.Override
}

type calendarYearView struct {
	Year   int
	Source string
	Days   int
}

type calendarWeekday struct{ Short, Full string }

type calendarMonth struct {
	Caption string
	Weeks   [][]calendarCell
}

// calendarCell is one day of the month grid (Day 0: a padding cell).
type calendarCell struct {
	Day    int
	Date   string
	Class  string
	Tag    string
	Name   string
	Reason string // of the city's override
	Title  string
	Today  bool
}

// calendarYear is the year the page shows: ?year=, by default this year
// in China. Errors: invalid on year.
func (w *Web) calendarYear(r *http.Request) (int, error) {
	s := r.URL.Query().Get("year")
	if s == "" {
		return calendar.DateOf(w.s.Clock.Now()).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < calendar.MinYear || y > calendar.MaxYear {
		return 0, apperr.Field("year", "out_of_range", "error.range").With("min", calendar.MinYear).With("max", calendar.MaxYear)
	}
	return y, nil
}

// yearOfDate is the year of a YYYY-MM-DD date typed in a form, or this
// year when it does not parse.
func (w *Web) yearOfDate(s string) int {
	if d, err := calendar.ParseDate(s); err == nil && d.Year() >= calendar.MinYear && d.Year() <= calendar.MaxYear {
		return d.Year()
	}
	return calendar.DateOf(w.s.Clock.Now()).Year()
}

// calendarPage renders a year of the working-day calendar for staff, with
// the forms of the city admin. f is a rejected form to show again (nil:
// empty forms).
func (w *Web) calendarPage(rw http.ResponseWriter, r *http.Request, a access.Actor, year int, f *form.Form, status int) error {
	ctx := r.Context()
	days, err := w.s.Calendar.Days(ctx, a, calendar.DateFor(year, time.January, 1), calendar.DateFor(year, time.December, 31))
	if err != nil {
		return err
	}
	years, err := w.s.Calendar.Years(ctx, a)
	if err != nil {
		return err
	}
	overrides, err := w.s.Calendar.Overrides(ctx, a, year)
	if err != nil {
		return err
	}
	p := w.page(r, "settings")
	if f == nil {
		f = form.New(nil)
	}
	p.Form = f
	p.Status = status
	today := calendar.DateOf(w.s.Clock.Now())
	d := calendarData{Year: year, Overrides: overrides}
	if year > calendar.MinYear {
		d.Prev = year - 1
	}
	if year < calendar.MaxYear {
		d.Next = year + 1
	}
	known := map[int]bool{}
	for _, y := range years {
		known[y.Year] = true
		src := p.T("calendar.source.embedded")
		if y.Source == calendar.SourceLoaded {
			src = p.T("calendar.source.loaded", "user", y.LoadedBy, "at", p.Time(y.LoadedAt))
		}
		d.Years = append(d.Years, calendarYearView{Year: y.Year, Source: src, Days: y.Days})
	}
	d.Known = known[year]
	for _, y := range []int{today.Year(), today.Year() + 1} {
		if !known[y] {
			d.Unpublished = y
			break
		}
	}
	for i := 1; i <= 7; i++ {
		n := strconv.Itoa(i)
		d.Weekdays = append(d.Weekdays, calendarWeekday{Short: p.T("calendar.wd." + n), Full: p.T("calendar.wdfull." + n)})
	}
	d.Months = calendarMonths(p.P, year, days, today)
	p.Data = d
	w.render(rw, r, "settings_calendar", p)
	return nil
}

// calendarMonths lays a year's days out in month grids, weeks from
// Monday.
func calendarMonths(p *locale.Printer, year int, days []calendar.Day, today calendar.Date) []calendarMonth {
	var months []calendarMonth
	for _, day := range days {
		if day.Date.Day() == 1 {
			m := calendarMonth{Caption: p.T("calendar.month_caption", "year", year,
				"month", p.T("calendar.month."+strconv.Itoa(int(day.Date.Month()))))}
			lead := (int(day.Date.Weekday()) + 6) % 7
			m.Weeks = [][]calendarCell{make([]calendarCell, lead, 7)}
			months = append(months, m)
		}
		m := &months[len(months)-1]
		week := &m.Weeks[len(m.Weeks)-1]
		if len(*week) == 7 {
			m.Weeks = append(m.Weeks, make([]calendarCell, 0, 7))
			week = &m.Weeks[len(m.Weeks)-1]
		}
		*week = append(*week, calendarCellOf(p, day, today))
	}
	for i := range months {
		last := &months[i].Weeks[len(months[i].Weeks)-1]
		for len(*last) < 7 {
			*last = append(*last, calendarCell{})
		}
	}
	return months
}

func calendarCellOf(p *locale.Printer, day calendar.Day, today calendar.Date) calendarCell {
	c := calendarCell{Day: day.Date.Day(), Date: day.Date.String(), Class: "day k-" + string(day.Kind), Today: day.Date == today}
	if !day.Known {
		c.Class += " unknown"
	}
	switch day.Kind {
	case calendar.KindHoliday:
		c.Tag = p.T("calendar.tag.off")
	case calendar.KindMakeupWorkday, calendar.KindExtraWorkday:
		c.Tag = p.T("calendar.tag.work")
	case calendar.KindClosed:
		c.Tag = p.T("calendar.tag.closed")
	}
	if day.Name != "" {
		c.Name = holidayName(p, day.Name)
	}
	title := []string{c.Date}
	if c.Name != "" {
		title = append(title, c.Name)
	}
	if day.Override != nil {
		c.Reason = day.Override.Reason
		title = append(title, c.Reason)
	}
	c.Title = strings.Join(title, " · ")
	return c
}

// holidayKeys name the holidays of the official schedules in the catalog.
var holidayKeys = map[string]string{
	"元旦": "new_year", "春节": "spring_festival", "清明节": "qingming", "劳动节": "labour_day",
	"端午节": "dragon_boat", "中秋节": "mid_autumn", "国庆节": "national_day",
}

// holidayName translates an official holiday name ("国庆节、中秋节" is two);
// a name the catalog does not know is shown as published.
func holidayName(p *locale.Printer, name string) string {
	if p.Lang == locale.ZH {
		return name
	}
	parts := strings.Split(name, "、")
	for i, s := range parts {
		if k, ok := holidayKeys[s]; ok {
			parts[i] = p.T("calendar.holiday." + k)
		}
	}
	return strings.Join(parts, " / ")
}

func (w *Web) calendarShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	year, err := w.calendarYear(r)
	if err != nil {
		return err
	}
	return w.calendarPage(rw, r, a, year, nil, 0)
}
