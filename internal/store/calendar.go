package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/calendar"
)

var _ calendar.Tx = (*Tx)(nil)

// ---- loaded schedules ----

func scanCalendarYear(s interface{ Scan(...any) error }) (calendar.LoadedYear, error) {
	var y calendar.LoadedYear
	var data string
	err := s.Scan(&y.Year, &data, &y.LoadedBy, &y.LoadedAt)
	y.Data = []byte(data)
	y.LoadedAt = y.LoadedAt.UTC()
	return y, err
}

// CalendarYears lists the loaded schedules by year.
func (tx *Tx) CalendarYears(ctx context.Context) ([]calendar.LoadedYear, error) {
	rows, err := tx.query(ctx, "SELECT year, data, loaded_by, loaded_at FROM calendar_years ORDER BY year")
	if err != nil {
		return nil, mapErr(err, "store: calendar years")
	}
	return collect(rows, scanCalendarYear, "calendar years")
}

// CalendarYear returns one loaded schedule or not_found.
func (tx *Tx) CalendarYear(ctx context.Context, year int) (calendar.LoadedYear, error) {
	y, err := scanCalendarYear(tx.queryRow(ctx, "SELECT year, data, loaded_by, loaded_at FROM calendar_years WHERE year = ?", year))
	if err != nil {
		return calendar.LoadedYear{}, notFound(err, "object.calendar_year", strconv.Itoa(year))
	}
	return y, nil
}

// SaveCalendarYear stores a loaded schedule, replacing one of the same year.
func (tx *Tx) SaveCalendarYear(ctx context.Context, y calendar.LoadedYear) error {
	_, err := tx.exec(ctx, `INSERT INTO calendar_years (year, data, loaded_by, loaded_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (year) DO UPDATE SET data = excluded.data, loaded_by = excluded.loaded_by, loaded_at = excluded.loaded_at`,
		y.Year, string(y.Data), y.LoadedBy, y.LoadedAt.UTC())
	return mapErr(err, "store: save calendar year %d", y.Year)
}

// ---- overrides ----

const overrideCols = "date, off, reason, created_by, created_at"

func scanOverride(s interface{ Scan(...any) error }) (calendar.Override, error) {
	var o calendar.Override
	err := s.Scan(&o.Date, &o.Off, &o.Reason, &o.CreatedBy, &o.CreatedAt)
	o.CreatedAt = o.CreatedAt.UTC()
	return o, err
}

// CalendarOverrides lists the overrides of a year (every year for 0) by
// date. Dates are 'YYYY-MM-DD' text, so a year is a range of strings.
func (tx *Tx) CalendarOverrides(ctx context.Context, year int) ([]calendar.Override, error) {
	var w where
	if year != 0 {
		w.add("date >= ? AND date <= ?", fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year))
	}
	rows, err := tx.query(ctx, "SELECT "+overrideCols+" FROM calendar_overrides"+w.String()+" ORDER BY date", w.args...)
	if err != nil {
		return nil, mapErr(err, "store: calendar overrides")
	}
	return collect(rows, scanOverride, "calendar overrides")
}

// CalendarOverride returns the override of a day or not_found.
func (tx *Tx) CalendarOverride(ctx context.Context, date string) (calendar.Override, error) {
	o, err := scanOverride(tx.queryRow(ctx, "SELECT "+overrideCols+" FROM calendar_overrides WHERE date = ?", date))
	if err != nil {
		return calendar.Override{}, notFound(err, "object.calendar_override", date)
	}
	return o, nil
}

// InsertCalendarOverride stores a new override (conflict when the day has
// one).
func (tx *Tx) InsertCalendarOverride(ctx context.Context, o calendar.Override) error {
	_, err := tx.exec(ctx, "INSERT INTO calendar_overrides ("+overrideCols+") VALUES (?, ?, ?, ?, ?)",
		o.Date, o.Off, o.Reason, o.CreatedBy, o.CreatedAt.UTC())
	return mapErr(err, "store: insert calendar override")
}

// DeleteCalendarOverride removes the override of a day (not_found when
// there is none).
func (tx *Tx) DeleteCalendarOverride(ctx context.Context, date string) error {
	res, err := tx.exec(ctx, "DELETE FROM calendar_overrides WHERE date = ?", date)
	if err != nil {
		return mapErr(err, "store: delete calendar override")
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return apperr.NotFoundOf("object.calendar_override", date)
	}
	return nil
}
