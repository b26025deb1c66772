package form

import (
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/calendar"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/locale"
)

// CalendarOverride parses the form of a local calendar override: a date,
// "off" chosen as "true" (a day off) or "false" (a working day) — never
// left to a default — and a reason. The date and reason are checked by the
// calendar service.
func (f *Form) CalendarOverride() (calendar.Override, error) {
	o := calendar.Override{Date: f.Text("date"), Reason: f.Text("reason")}
	switch f.Text("off") {
	case "true":
		o.Off = true
	case "false":
	case "":
		return o, apperr.Required("off")
	default:
		return o, apperr.Field("off", "invalid_choice", "error.invalid_choice")
	}
	return o, nil
}

// FailOn records err next to one field whatever field err names (a
// schedule file's error on its "days[3].date" belongs next to the upload
// input), keeping the error's own message. It returns the HTTP status.
func (f *Form) FailOn(p *locale.Printer, field string, err error) int {
	e := apperr.As(err)
	if e.Kind != apperr.Invalid {
		return f.Fail(p, err)
	}
	f.Errors[field] = httpx.Message(p, e)
	return httpx.Status(e.Kind)
}
