package web

import (
	"net/http"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/calendar"
	"github.com/qifu/qifu/internal/web/form"
)

func calendarURL(year int) string { return "/settings/calendar?year=" + strconv.Itoa(year) }

// calendarOverrideAdd adds a local override of one day (city admin); a
// rejected form comes back on the year of the typed date.
func (w *Web) calendarOverrideAdd(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	o, err := f.CalendarOverride()
	if err == nil {
		o, err = w.s.Calendar.AddOverride(r.Context(), a, o)
	}
	year := w.yearOfDate(o.Date)
	if err == nil {
		redirect(rw, r, calendarURL(year), "flash.calendar_override_added")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.calendarPage(rw, r, a, year, f, status)
}

// calendarOverrideDelete removes the local override of a day (city admin).
func (w *Web) calendarOverrideDelete(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	o, err := w.s.Calendar.RemoveOverride(r.Context(), a, r.PathValue("date"))
	if err != nil {
		return err
	}
	redirect(rw, r, calendarURL(w.yearOfDate(o.Date)), "flash.calendar_override_removed")
	return nil
}

// calendarYearLoad loads an uploaded holiday-cn schedule file (city
// admin). Any fault of the file is shown next to the upload input.
func (w *Web) calendarYearLoad(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	data, err := readUpload(r, "file", calendar.MaxYearFileBytes)
	var info calendar.YearInfo
	if err == nil {
		info, err = w.s.Calendar.LoadYear(r.Context(), a, data)
	}
	if err == nil {
		redirect(rw, r, calendarURL(info.Year), "flash.calendar_year_loaded")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	f := form.New(nil)
	status := f.FailOn(w.page(r, "").P, "file", err)
	return w.calendarPage(rw, r, a, calendar.DateOf(w.s.Clock.Now()).Year(), f, status)
}
