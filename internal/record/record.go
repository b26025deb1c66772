// Package record holds the service records (服务记录, 服务台账) of REQUIREMENTS
// R4.3: every service a platform delivers to one enterprise on one day — a
// ticket handled, a consultation, a training attended, a service item, a
// financing match, an event. They are what the yearly "SMEs served" counts,
// so they are never edited in place: a correction cancels the old record
// (kept, with who, when and why) and adds the new one, both audited.
package record

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/uscc"
)

// Kinds of service (API.md). A closed ticket writes a record of kind
// "ticket"; staff may also record a ticket-like service that came in
// before Qifu (an old ledger), which then names no ticket.
var Kinds = []string{"ticket", "consultation", "training", "service_item", "financing", "event", "other"}

// KindTicket is the kind of the record a closed ticket writes.
const KindTicket = "ticket"

// Areas are the nine 功能服务区 (service areas) of the GLOSSARY.
var Areas = []string{"information", "talent_training", "entrepreneurship", "management_consulting",
	"technical_support", "financing_guarantee", "market_expansion", "legal_aid", "international_exchange"}

// Sources say how a record came in.
const (
	SourceManual     = "manual"     // the form or the API
	SourceImport     = "import"     // a ledger file
	SourceTicket     = "ticket"     // written by a closing ticket
	SourceCorrection = "correction" // replaces a cancelled record
)

// MaxNote bounds a record's note.
const MaxNote = 1000

func oneOf(v string, list []string) bool {
	for _, x := range list {
		if v == x {
			return true
		}
	}
	return false
}

// ValidKind reports whether k is a kind of service.
func ValidKind(k string) bool { return oneOf(k, Kinds) }

// ValidArea reports whether a is a service area.
func ValidArea(a string) bool { return oneOf(a, Areas) }

// Record is one service delivered to one enterprise. Exactly one of
// PlatformCode and DepartmentCode is set: departments have records only
// from the tickets they closed.
type Record struct {
	ID             int64  `json:"id"`
	PlatformCode   string `json:"platform_code"`
	DepartmentCode string `json:"department_code"`
	EnterpriseUSCC string `json:"enterprise_uscc"`
	// EnterpriseName is the registered name, for display.
	EnterpriseName string `json:"enterprise_name"`
	Kind           string `json:"kind"`
	ServiceArea    string `json:"service_area"`
	// Date is the day the service was delivered, "YYYY-MM-DD" in China
	// Standard Time.
	Date   string `json:"date"`
	Note   string `json:"note"`
	Source string `json:"source"`
	// TicketID is the ticket a record of kind ticket was written by;
	// TicketNumber its number.
	TicketID     *int64 `json:"ticket_id"`
	TicketNumber string `json:"ticket_number"`
	// Corrects is the cancelled record this one replaces; CorrectedBy
	// the record that replaced this one.
	Corrects    *int64    `json:"corrects"`
	CorrectedBy *int64    `json:"corrected_by"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	// A cancelled record is kept but counts no more.
	Cancelled    bool       `json:"cancelled"`
	CancelledAt  *time.Time `json:"cancelled_at"`
	CancelledBy  string     `json:"cancelled_by"`
	CancelReason string     `json:"cancel_reason"`
	// PlatformPath is the record's platform's path, for scope.
	PlatformPath string `json:"-"`
}

// Year is the year of the record's date.
func (r Record) Year() int {
	y, _ := strconv.Atoi(r.Date[:min(4, len(r.Date))])
	return y
}

// Input is what a new record is made of (API.md POST /api/v1/service-records).
type Input struct {
	PlatformCode   string `json:"platform_code"`
	EnterpriseUSCC string `json:"enterprise_uscc"`
	Kind           string `json:"kind"`
	ServiceArea    string `json:"service_area"`
	Date           string `json:"date"`
	Note           string `json:"note"`
}

// Normalize trims the fields, upper-cases the credit code and writes the
// date as YYYY-MM-DD when it is one of the spellings ParseDate reads.
func (in *Input) Normalize() {
	for _, s := range []*string{&in.PlatformCode, &in.Kind, &in.ServiceArea, &in.Date, &in.Note} {
		*s = strings.TrimSpace(*s)
	}
	in.EnterpriseUSCC = uscc.Normalize(in.EnterpriseUSCC)
	if d, ok := ParseDate(in.Date); ok {
		in.Date = d
	}
}

// Validate checks the fields that need no stored data: each is present
// and well-formed, the date not after today (in China Standard Time).
// Errors name the field: required, invalid_uscc, invalid_kind,
// invalid_service_area, invalid_date, date_in_future, too_long.
func (in Input) Validate(now time.Time) error {
	switch {
	case in.PlatformCode == "":
		return platformErr(apperr.Required("platform_code"))
	case in.EnterpriseUSCC == "":
		return apperr.Required("enterprise_uscc")
	}
	if r := uscc.Check(in.EnterpriseUSCC); !r.Valid {
		return enterprise.InvalidUSCC("enterprise_uscc", r)
	}
	switch {
	case in.Kind == "":
		return kindErr(apperr.Required("kind"))
	case !ValidKind(in.Kind):
		return kindErr(apperr.Field("kind", "invalid_kind", "error.invalid_choice"))
	case in.ServiceArea == "":
		return apperr.Required("service_area")
	case !ValidArea(in.ServiceArea):
		return apperr.Field("service_area", "invalid_service_area", "error.invalid_choice")
	case in.Date == "":
		return apperr.Required("date")
	case !dateRe.MatchString(in.Date):
		return apperr.Field("date", "invalid_date", "error.record_date")
	}
	if _, err := time.Parse(time.DateOnly, in.Date); err != nil {
		return apperr.Field("date", "invalid_date", "error.record_date")
	}
	if today := Today(now); in.Date > today {
		return apperr.Field("date", "date_in_future", "error.record_date_future").With("today", today)
	}
	if utf8.RuneCountInString(in.Note) > MaxNote {
		return apperr.Field("note", "too_long", "error.too_long").With("max", MaxNote)
	}
	return nil
}

// platformErr and kindErr name the field in a record's own words: the
// field names platform_code and kind mean other things elsewhere (an
// institution's platform, an institution's kind).
func platformErr(e *apperr.Error) *apperr.Error {
	return e.With("field", locale.Key("record.platform"))
}
func kindErr(e *apperr.Error) *apperr.Error { return e.With("field", locale.Key("record.kind")) }

var dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// cst is the zone dates are in.
var cst = time.FixedZone("CST", 8*3600)

// Today is the date of t in China Standard Time, "YYYY-MM-DD".
func Today(t time.Time) string { return t.In(cst).Format(time.DateOnly) }

var (
	dateNumeric = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	dateCompact = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	// Excel's built-in short date as excelize renders it: month, day,
	// two-digit year.
	dateExcelUS = regexp.MustCompile(`^(\d{1,2})[-/](\d{1,2})[-/](\d{2})$`)
	excelSerial = regexp.MustCompile(`^\d{5}(\.\d+)?$`)
)

// ParseDate reads a date as people and spreadsheets write it —
// 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305, Excel's
// 03-05-26 and its serial day number — and returns it as YYYY-MM-DD.
func ParseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var y, m, d int
	switch {
	case dateNumeric.MatchString(s):
		p := dateNumeric.FindStringSubmatch(s)
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	case dateCompact.MatchString(s):
		p := dateCompact.FindStringSubmatch(s)
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	case dateExcelUS.MatchString(s):
		p := dateExcelUS.FindStringSubmatch(s)
		m, d, y = atoi(p[1]), atoi(p[2]), 2000+atoi(p[3])
	case excelSerial.MatchString(s):
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 20000 || f > 80000 {
			return "", false
		}
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(f))
		return t.Format(time.DateOnly), true
	default:
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return "", false // 2026-02-30
	}
	return t.Format(time.DateOnly), true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
