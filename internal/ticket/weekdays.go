package ticket

import "time"

// Weekdays is a calendar where Monday to Friday are working days and
// nothing is provisional: for tests, and a fallback with no holiday data.
type Weekdays struct{}

// AddWorkingDays counts n weekdays from the day after from; the deadline is
// the end (24:00 CST) of the last one.
func (Weekdays) AddWorkingDays(from time.Time, n int) (time.Time, bool, error) {
	d := from.In(cst)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, cst)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return day.AddDate(0, 0, 1).UTC(), false, nil
}

// AddHours adds natural hours.
func (Weekdays) AddHours(from time.Time, h int) time.Time {
	return from.Add(time.Duration(h) * time.Hour)
}
