package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/calendar"
)

func (a *API) registerCalendar() {
	a.add("GET", "/api/v1/calendar", a.calendarDays)
	a.add("GET", "/api/v1/calendar/deadline", a.calendarDeadline)
	a.add("POST", "/api/v1/calendar/overrides", a.addCalendarOverride)
	a.add("DELETE", "/api/v1/calendar/overrides/{date}", a.removeCalendarOverride)
	a.add("POST", "/api/v1/calendar/years", a.loadCalendarYear)
}

type calendarDayJSON struct {
	Date           calendar.Date `json:"date"`
	Weekday        int           `json:"weekday"` // 1 Monday … 7 Sunday
	Working        bool          `json:"working"`
	Known          bool          `json:"known"`
	Kind           calendar.Kind `json:"kind"`
	Name           string        `json:"name"`
	OverrideReason string        `json:"override_reason"`
}

type calendarJSON struct {
	From       calendar.Date       `json:"from"`
	To         calendar.Date       `json:"to"`
	KnownYears []calendar.YearInfo `json:"known_years"`
	Days       []calendarDayJSON   `json:"days"`
}

// defaultCalendarDays is the range listed when the query names none.
const defaultCalendarDays = 31

func (a *API) calendarDays(r *http.Request, actor access.Actor) (int, any, error) {
	q := r.URL.Query()
	from := calendar.DateOf(a.s.Clock.Now())
	var err error
	if s := q.Get("from"); s != "" {
		if from, err = calendar.ParseDateField("from", s); err != nil {
			return 0, nil, err
		}
	}
	to := from.AddDays(defaultCalendarDays - 1)
	if s := q.Get("to"); s != "" {
		if to, err = calendar.ParseDateField("to", s); err != nil {
			return 0, nil, err
		}
	}
	days, err := a.s.Calendar.Days(r.Context(), actor, from, to)
	if err != nil {
		return 0, nil, err
	}
	years, err := a.s.Calendar.Years(r.Context(), actor)
	if err != nil {
		return 0, nil, err
	}
	out := calendarJSON{From: from, To: to, KnownYears: years, Days: make([]calendarDayJSON, len(days))}
	if out.KnownYears == nil {
		out.KnownYears = []calendar.YearInfo{}
	}
	for i, d := range days {
		wd := int(d.Date.Weekday())
		if wd == 0 {
			wd = 7
		}
		j := calendarDayJSON{Date: d.Date, Weekday: wd, Working: d.Working, Known: d.Known, Kind: d.Kind, Name: d.Name}
		if d.Override != nil {
			j.OverrideReason = d.Override.Reason
		}
		out.Days[i] = j
	}
	return http.StatusOK, out, nil
}

type deadlineJSON struct {
	ReceivedAt  time.Time     `json:"received_at"`
	WorkingDays int           `json:"working_days"`
	DueAt       time.Time     `json:"due_at"`
	LastDay     calendar.Date `json:"last_day"`
	Provisional bool          `json:"provisional"`
}

func (a *API) calendarDeadline(r *http.Request, actor access.Actor) (int, any, error) {
	q := r.URL.Query()
	s := q.Get("from")
	if s == "" {
		return 0, nil, apperr.Required("from")
	}
	// A "+" of the offset left unencoded in the query arrives as a space.
	received, err := time.Parse(time.RFC3339, strings.Replace(s, " ", "+", 1))
	if err != nil {
		return 0, nil, apperr.Field("from", "invalid_time", "error.calendar_time")
	}
	if q.Get("working_days") == "" {
		return 0, nil, apperr.Required("working_days")
	}
	n, err := strconv.Atoi(q.Get("working_days"))
	if err != nil {
		return 0, nil, apperr.Field("working_days", "invalid_number", "error.number")
	}
	d, err := a.s.Calendar.Deadline(r.Context(), actor, received, n)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, deadlineJSON{ReceivedAt: received.In(calendar.Zone), WorkingDays: n, DueAt: d.At,
		LastDay: d.LastDay(), Provisional: d.Provisional}, nil
}

// overrideInput is the body of a new override; "off" must be given (a
// missing flag must not silently mean a working day).
type overrideInput struct {
	Date   string `json:"date"`
	Off    *bool  `json:"off"`
	Reason string `json:"reason"`
}

func (a *API) addCalendarOverride(r *http.Request, actor access.Actor) (int, any, error) {
	var in overrideInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.Off == nil {
		return 0, nil, apperr.Required("off")
	}
	out, err := a.s.Calendar.AddOverride(r.Context(), actor, calendar.Override{Date: in.Date, Off: *in.Off, Reason: in.Reason})
	return http.StatusCreated, out, err
}

func (a *API) removeCalendarOverride(r *http.Request, actor access.Actor) (int, any, error) {
	out, err := a.s.Calendar.RemoveOverride(r.Context(), actor, r.PathValue("date"))
	return http.StatusOK, out, err
}

func (a *API) loadCalendarYear(r *http.Request, actor access.Actor) (int, any, error) {
	var raw json.RawMessage
	if err := decode(r, &raw); err != nil {
		return 0, nil, err
	}
	if len(raw) == 0 || raw[0] != '{' {
		return 0, nil, apperr.New(apperr.BadRequest, "malformed_json", "error.json_object")
	}
	out, err := a.s.Calendar.LoadYear(r.Context(), actor, raw)
	return http.StatusCreated, out, err
}
