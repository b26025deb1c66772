package calendar

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/locale"
)

// Year is one year's official schedule in the holiday-cn format: the days
// that differ from the weekday rule. IsOffDay true is a day off (a holiday
// and the days joined to it); false is a 调休 working day on a weekend.
type Year struct {
	Year   int       `json:"year"`
	Papers []string  `json:"papers,omitempty"` // the State Council notices
	Days   []YearDay `json:"days"`
}

// YearDay is one day of a schedule.
type YearDay struct {
	Name     string `json:"name"`
	Date     string `json:"date"`
	IsOffDay bool   `json:"isOffDay"`
}

// MaxYearFileBytes bounds a schedule file.
const MaxYearFileBytes = 256 << 10

const maxHolidayName = 50

// ParseYear reads and checks a schedule file (the holiday-cn JSON format;
// other members such as "$schema" are ignored): it must parse, name a year
// from MinYear to MaxYear, hold at least one day, every date within that
// year, none twice, each with a name. The days come back sorted by date.
// Errors are 422s naming the field: "file" (not JSON), "year", "days",
// "days[i].date", "days[i].name" (i counts from 0).
func ParseYear(data []byte) (Year, error) {
	y, err := decodeYear(data)
	if err != nil {
		return Year{}, err
	}
	if len(y.Days) == 0 {
		return Year{}, apperr.Field("days", "no_days", "error.calendar_no_days").With("field", locale.Key("field.year_days")).With("year", y.Year)
	}
	return y, nil
}

// decodeYear is ParseYear without the rule that a year has days (a file of
// a year not yet published has none).
func decodeYear(data []byte) (Year, error) {
	if len(data) > MaxYearFileBytes {
		return Year{}, apperr.Field("file", "too_large", "error.file_too_large").With("max", "256 KB")
	}
	var raw struct {
		Year   *int      `json:"year"`
		Papers []string  `json:"papers"`
		Days   []YearDay `json:"days"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return Year{}, apperr.Field(ute.Field, "invalid_type", "error.invalid_type")
		}
		return Year{}, apperr.Field("file", "invalid_year_file", "error.calendar_file")
	}
	if raw.Year == nil {
		return Year{}, apperr.Required("year")
	}
	y := Year{Year: *raw.Year, Papers: raw.Papers, Days: raw.Days}
	if y.Year < MinYear || y.Year > MaxYear {
		return Year{}, apperr.Field("year", "out_of_range", "error.range").With("min", MinYear).With("max", MaxYear)
	}
	seen := map[Date]bool{}
	for i := range y.Days {
		d := &y.Days[i]
		d.Name = strings.TrimSpace(d.Name)
		d.Date = strings.TrimSpace(d.Date)
		field := fmt.Sprintf("days[%d]", i)
		date, err := ParseDate(d.Date)
		if err != nil {
			return Year{}, apperr.Field(field+".date", "invalid_date", "error.calendar_day_date").With("n", i+1)
		}
		if date.Year() != y.Year {
			return Year{}, apperr.Field(field+".date", "date_outside_year", "error.calendar_date_outside_year").
				With("n", i+1).With("date", d.Date).With("year", y.Year)
		}
		if seen[date] {
			return Year{}, apperr.Field(field+".date", "duplicate_date", "error.calendar_duplicate_date").
				With("n", i+1).With("date", d.Date)
		}
		seen[date] = true
		if d.Name == "" {
			return Year{}, apperr.Field(field+".name", "required", "error.calendar_day_name").With("n", i+1)
		}
		if utf8.RuneCountInString(d.Name) > maxHolidayName {
			return Year{}, apperr.Field(field+".name", "too_long", "error.calendar_day_name_long").With("n", i+1).With("max", maxHolidayName)
		}
	}
	sort.Slice(y.Days, func(i, j int) bool { return y.Days[i].Date < y.Days[j].Date })
	return y, nil
}

// Source says where a year's schedule comes from.
type Source string

const (
	SourceEmbedded Source = "embedded" // shipped with Qifu
	SourceLoaded   Source = "loaded"   // loaded by a city admin at run time
)

// YearInfo describes one known year of the calendar.
type YearInfo struct {
	Year     int        `json:"year"`
	Source   Source     `json:"source"`
	Days     int        `json:"days"` // entries of the schedule
	LoadedBy string     `json:"loaded_by,omitempty"`
	LoadedAt *time.Time `json:"loaded_at,omitempty"`
}

// LoadedYear is a schedule a city admin loaded, as stored: Data is the
// schedule's JSON as ParseYear accepted it.
type LoadedYear struct {
	Year     int
	Data     []byte
	LoadedBy string
	LoadedAt time.Time
}

//go:embed data/*.json
var dataFS embed.FS

var (
	embeddedOnce  sync.Once
	embeddedYears []Year
	embeddedErr   error
)

// Embedded returns the schedules shipped with Qifu, by year, without the
// files of years not yet published (no days).
func Embedded() ([]Year, error) {
	embeddedOnce.Do(func() {
		files, err := fs.Glob(dataFS, "data/*.json")
		if err != nil {
			embeddedErr = err
			return
		}
		for _, f := range files {
			b, err := dataFS.ReadFile(f)
			if err != nil {
				embeddedErr = err
				return
			}
			y, err := decodeYear(b)
			if err != nil {
				embeddedErr = fmt.Errorf("calendar: %s: %w", f, err)
				return
			}
			if len(y.Days) > 0 {
				embeddedYears = append(embeddedYears, y)
			}
		}
		sort.Slice(embeddedYears, func(i, j int) bool { return embeddedYears[i].Year < embeddedYears[j].Year })
	})
	return embeddedYears, embeddedErr
}

// Override is the city's own decision about one day, which wins over the
// official schedule: a day off (a typhoon closure) or a working day.
type Override struct {
	Date      string    `json:"date"` // YYYY-MM-DD
	Off       bool      `json:"off"`
	Reason    string    `json:"reason"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxReason bounds an override's reason, in characters.
const MaxReason = 100

// Normalize trims the text fields.
func (o *Override) Normalize() {
	o.Date = strings.TrimSpace(o.Date)
	o.Reason = strings.TrimSpace(o.Reason)
}

// Validate checks an override: a date YYYY-MM-DD from MinYear to MaxYear and
// a reason of at most MaxReason characters. Errors are 422s naming "date" or
// "reason".
func (o Override) Validate() error {
	d, err := ParseDateField("date", o.Date)
	if err != nil {
		return err
	}
	if y := d.Year(); y < MinYear || y > MaxYear {
		return apperr.Field("date", "out_of_range", "error.calendar_date_range").With("min", MinYear).With("max", MaxYear)
	}
	if o.Reason == "" {
		return apperr.Required("reason")
	}
	if utf8.RuneCountInString(o.Reason) > MaxReason {
		return apperr.Field("reason", "too_long", "error.too_long").With("max", MaxReason)
	}
	return nil
}
