package calendar

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
)

// Tx is what the calendar service needs from storage, inside one
// transaction (writes) or against the read pool (reads). Lookups of one
// object return an apperr not_found error when it does not exist.
type Tx interface {
	audit.Appender
	// CalendarYears lists the loaded schedules, by year.
	CalendarYears(ctx context.Context) ([]LoadedYear, error)
	CalendarYear(ctx context.Context, year int) (LoadedYear, error)
	// SaveCalendarYear stores a loaded schedule, replacing one of the same
	// year.
	SaveCalendarYear(ctx context.Context, y LoadedYear) error
	// CalendarOverrides lists the overrides of a year (all for 0), by date.
	CalendarOverrides(ctx context.Context, year int) ([]Override, error)
	CalendarOverride(ctx context.Context, date string) (Override, error)
	InsertCalendarOverride(ctx context.Context, o Override) error
	DeleteCalendarOverride(ctx context.Context, date string) error
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string, at time.Time) error
}

// Store runs functions on a Tx.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Change tells what changed in the calendar.
type Change struct {
	// Year is the year whose schedule was loaded (0 for an override).
	Year int
	// Date is the overridden day, YYYY-MM-DD ("" for a year).
	Date string
}

// RecheckEvery is how often Current asks the database whether another app
// instance changed the calendar.
const RecheckEvery = 5 * time.Second

// settingVersion holds the calendar's version: a counter with a random
// suffix, rewritten by every change in the change's own transaction, so
// that any instance holding an older calendar notices.
const settingVersion = "calendar.version"

// Service keeps the working-day calendar: the official schedules shipped
// and loaded, and the city's overrides. Reads of the calendar are served
// from memory and rebuilt when the calendar changes, here or in another
// app instance on the same database.
type Service struct {
	store Store
	clock clock.Clock

	// OnChange, when set, is called after every committed change on this
	// instance (a schedule loaded, an override added or removed), so that
	// deadlines counted over the changed days — provisional ones above
	// all — can be counted again. It runs in the request: keep it short
	// (enqueue work). Set it before the service is used.
	OnChange func(ctx context.Context, c Change)

	mu        sync.Mutex
	cur       *Calendar
	version   string
	checkedAt time.Time
}

// NewService makes the calendar service.
func NewService(s Store, c clock.Clock) *Service { return &Service{store: s, clock: c} }

// Current is the calendar as it stands, for counting deadlines. It is
// cached: a change made through this service is seen at once, one made by
// another app instance within RecheckEvery. Errors: internal.
func (s *Service) Current(ctx context.Context) (*Calendar, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if s.cur != nil && now.Sub(s.checkedAt) < RecheckEvery && !now.Before(s.checkedAt) {
		return s.cur, nil
	}
	var version string
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		version, _, err = tx.Setting(ctx, settingVersion)
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.cur != nil && version == s.version {
		s.checkedAt = now
		return s.cur, nil
	}
	// The version is read before the data: a change committed in between
	// gives newer data under an older version, which only means one more
	// rebuild at the next check.
	c, err := s.build(ctx)
	if err != nil {
		return nil, err
	}
	s.cur, s.version, s.checkedAt = c, version, now
	return c, nil
}

func (s *Service) build(ctx context.Context) (*Calendar, error) {
	embedded, err := Embedded()
	if err != nil {
		return nil, apperr.Wrap(err, "calendar: embedded schedules")
	}
	var loaded []LoadedYear
	var overrides []Override
	err = s.store.Read(ctx, func(tx Tx) error {
		var err error
		if loaded, err = tx.CalendarYears(ctx); err != nil {
			return err
		}
		overrides, err = tx.CalendarOverrides(ctx, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	years := append([]Year(nil), embedded...)
	sources := map[int]YearInfo{}
	for _, y := range embedded {
		sources[y.Year] = YearInfo{Year: y.Year, Source: SourceEmbedded, Days: len(y.Days)}
	}
	for _, l := range loaded {
		y, err := ParseYear(l.Data)
		if err != nil {
			return nil, apperr.Wrap(err, "calendar: stored schedule %d", l.Year)
		}
		years = append(years, y)
		at := l.LoadedAt
		sources[y.Year] = YearInfo{Year: y.Year, Source: SourceLoaded, Days: len(y.Days), LoadedBy: l.LoadedBy, LoadedAt: &at}
	}
	c := New(years, overrides)
	for _, y := range c.Years() {
		c.sources = append(c.sources, sources[y])
	}
	return c, nil
}

// changed forgets the cached calendar after a change committed here and
// tells the OnChange hook.
func (s *Service) changed(ctx context.Context, ch Change) {
	s.mu.Lock()
	s.cur = nil
	s.mu.Unlock()
	if s.OnChange != nil {
		s.OnChange(ctx, ch)
	}
}

// bumpVersion rewrites the calendar version inside a change's transaction.
// The random suffix keeps two concurrent changes from writing the same
// value, which an instance that saw only the first would take for no change.
func bumpVersion(ctx context.Context, tx Tx, at time.Time) error {
	v, _, err := tx.Setting(ctx, settingVersion)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return apperr.Wrap(err, "calendar: version")
	}
	return tx.SetSetting(ctx, settingVersion, strconv.Itoa(n+1)+"."+hex.EncodeToString(b[:]), at)
}

// ---- reading ----

// MaxRangeDays bounds the days listed at once.
const MaxRangeDays = 366

// Days lists the days from one date to another, both included, for staff.
// Errors: forbidden; invalid on "to" when it is before from or the range
// is longer than MaxRangeDays.
func (s *Service) Days(ctx context.Context, a access.Actor, from, to Date) ([]Day, error) {
	if !a.SeesNetwork() {
		return nil, apperr.Deny()
	}
	if to < from {
		return nil, apperr.Field("to", "before_from", "error.calendar_to_before_from")
	}
	if int(to-from)+1 > MaxRangeDays {
		return nil, apperr.Field("to", "range_too_long", "error.calendar_range").With("max", MaxRangeDays)
	}
	c, err := s.Current(ctx)
	if err != nil {
		return nil, err
	}
	return c.Days(from, to), nil
}

// Years describes the known years, for staff. Errors: forbidden.
func (s *Service) Years(ctx context.Context, a access.Actor) ([]YearInfo, error) {
	if !a.SeesNetwork() {
		return nil, apperr.Deny()
	}
	c, err := s.Current(ctx)
	if err != nil {
		return nil, err
	}
	return c.Sources(), nil
}

// Deadline counts a time limit of n working days from an instant of
// receipt (Calendar.AddWorkingDays), for staff. Errors: forbidden; invalid
// on working_days.
func (s *Service) Deadline(ctx context.Context, a access.Actor, received time.Time, n int) (Deadline, error) {
	if !a.SeesNetwork() {
		return Deadline{}, apperr.Deny()
	}
	c, err := s.Current(ctx)
	if err != nil {
		return Deadline{}, err
	}
	return c.AddWorkingDays(received, n)
}

// Overrides lists the city's overrides of a year (every year for 0), by
// date; every staff role may read them. Errors: forbidden.
func (s *Service) Overrides(ctx context.Context, a access.Actor, year int) ([]Override, error) {
	if !a.SeesNetwork() {
		return nil, apperr.Deny()
	}
	var out []Override
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.CalendarOverrides(ctx, year)
		return err
	})
	return out, err
}

// ---- changing (city admin) ----

func requireAdmin(a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	return nil
}

// AddOverride makes a day off or a working day whatever the official
// schedule says (city admin), audited. Errors: forbidden; invalid (date,
// reason); conflict duplicate_date when the day already has an override
// (remove it first).
func (s *Service) AddOverride(ctx context.Context, a access.Actor, o Override) (Override, error) {
	if err := requireAdmin(a); err != nil {
		return Override{}, err
	}
	o.Normalize()
	if err := o.Validate(); err != nil {
		return Override{}, err
	}
	d, _ := ParseDate(o.Date)
	o.Date = d.String()
	o.CreatedBy = a.Username
	o.CreatedAt = s.clock.Now()
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.CalendarOverride(ctx, o.Date); err == nil {
			return &apperr.Error{Kind: apperr.Conflict, Code: "duplicate_date", Field: "date", Key: "error.calendar_duplicate_override"}
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err := tx.InsertCalendarOverride(ctx, o); err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx, o.CreatedAt); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, o.CreatedAt, "calendar_override.create", "calendar_override", o.Date, audit.Success).
			Change(nil, o).WithDetail(o.Reason))
	})
	if err != nil {
		return Override{}, err
	}
	s.changed(ctx, Change{Date: o.Date})
	return o, nil
}

// RemoveOverride deletes the override of a day (city admin), audited, and
// returns it. Errors: forbidden; not_found.
func (s *Service) RemoveOverride(ctx context.Context, a access.Actor, date string) (Override, error) {
	if err := requireAdmin(a); err != nil {
		return Override{}, err
	}
	var before Override
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if before, err = tx.CalendarOverride(ctx, date); err != nil {
			return err
		}
		if err := tx.DeleteCalendarOverride(ctx, date); err != nil {
			return err
		}
		now := s.clock.Now()
		if err := bumpVersion(ctx, tx, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "calendar_override.delete", "calendar_override", date, audit.Success).Change(before, nil))
	})
	if err != nil {
		return Override{}, err
	}
	s.changed(ctx, Change{Date: before.Date})
	return before, nil
}

// LoadYear loads a year's official schedule from a holiday-cn JSON file
// (city admin), replacing any schedule of that year (the shipped one
// included), audited. Deadlines counted over that year while it was unknown
// are provisional: the OnChange hook is told. Errors: forbidden; invalid
// (ParseYear's fields).
func (s *Service) LoadYear(ctx context.Context, a access.Actor, data []byte) (YearInfo, error) {
	if err := requireAdmin(a); err != nil {
		return YearInfo{}, err
	}
	y, err := ParseYear(data)
	if err != nil {
		return YearInfo{}, err
	}
	canonical, err := json.Marshal(y)
	if err != nil {
		return YearInfo{}, apperr.Wrap(err, "calendar: encode schedule")
	}
	now := s.clock.Now()
	l := LoadedYear{Year: y.Year, Data: canonical, LoadedBy: a.Username, LoadedAt: now}
	err = s.store.Write(ctx, func(tx Tx) error {
		var before any
		if prev, err := tx.CalendarYear(ctx, y.Year); err == nil {
			before = json.RawMessage(prev.Data)
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err := tx.SaveCalendarYear(ctx, l); err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "calendar_year.load", "calendar_year", strconv.Itoa(y.Year), audit.Success).
			Change(before, json.RawMessage(canonical)))
	})
	if err != nil {
		return YearInfo{}, err
	}
	s.changed(ctx, Change{Year: y.Year})
	return YearInfo{Year: y.Year, Source: SourceLoaded, Days: len(y.Days), LoadedBy: a.Username, LoadedAt: &now}, nil
}
