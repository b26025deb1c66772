// Package ticket is 一线一网 (REQUIREMENTS R3): requests and complaints from
// every channel become tickets, routed across the tiers and to departments,
// handled against working-day time limits, answered, rated or visited,
// reopened when the enterprise is not satisfied, supervised when late — with
// every step an event that is never rewritten.
package ticket

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/uscc"
)

// Status is where a ticket is in the workflow (API.md).
type Status string

const (
	Dispatched Status = "dispatched" // 待签收
	Signed     Status = "signed"     // 办理中
	Returned   Status = "returned"   // 已退回, waits for the dispatcher
	Replied    Status = "replied"    // 已答复, waits for the rating or the visit
	Reopened   Status = "reopened"   // 重办
	Closed     Status = "closed"     // 办结
	Merged     Status = "merged"     // 已合并 into an earlier ticket
)

// Statuses lists every status in workflow order.
var Statuses = []Status{Dispatched, Signed, Returned, Replied, Reopened, Closed, Merged}

// Open reports whether work remains on a ticket in this status.
func (s Status) Open() bool { return s != Closed && s != Merged }

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// Channels a ticket comes in through.
var Channels = []string{"hotline", "web", "walk_in", "api"}

// Categories of tickets (API.md).
var Categories = []string{"consult", "help", "complaint", "suggestion", "rights_infringement"}

// Urgencies of tickets.
var Urgencies = []string{"normal", "urgent", "very_urgent"}

func oneOf(v string, list []string) bool {
	for _, x := range list {
		if v == x {
			return true
		}
	}
	return false
}

// AssigneeType says what kind of organisation handles a ticket.
type AssigneeType string

const (
	ToPlatform   AssigneeType = "platform"
	ToDepartment AssigneeType = "department"
)

// Assignee is who handles a ticket.
type Assignee struct {
	Type AssigneeType `json:"type"`
	Code string       `json:"code"`
}

func (a Assignee) String() string { return string(a.Type) + ":" + a.Code }

// Ticket is one request or complaint.
type Ticket struct {
	ID             int64    `json:"id"`
	Number         string   `json:"number"`
	Channel        string   `json:"channel"`
	Category       string   `json:"category"`
	Urgency        string   `json:"urgency"`
	EnterpriseUSCC string   `json:"enterprise_uscc"`
	EnterpriseName string   `json:"enterprise_name"`
	Title          string   `json:"title"`
	Content        string   `json:"content"`
	RegionCode     string   `json:"region_code"`
	ContactName    string   `json:"contact_name"`
	ContactPhone   string   `json:"contact_phone"`
	Status         Status   `json:"status"`
	Assignee       Assignee `json:"assignee"`
	// AssigneePath is the assignee platform's path (empty for a
	// department): platform scopes are path prefixes.
	AssigneePath string `json:"-"`
	// Dispatcher is the platform a returned ticket goes back to.
	Dispatcher     string     `json:"dispatcher"`
	SignDueAt      time.Time  `json:"sign_due_at"`
	DueAt          time.Time  `json:"due_at"`
	DueProvisional bool       `json:"due_provisional"`
	DispatchedAt   time.Time  `json:"dispatched_at"`
	SignedAt       *time.Time `json:"signed_at"`
	RepliedAt      *time.Time `json:"replied_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	ExtendedDays   int        `json:"extended_days"`
	Reply          string     `json:"reply"`
	Satisfied      *bool      `json:"satisfied"`
	Score          *int       `json:"score"`
	RatedBy        string     `json:"rated_by"` // enterprise | hotline | admin | visit | not_rated
	ReopenCount    int        `json:"reopen_count"`
	Public         bool       `json:"public"`
	Overdue        bool       `json:"overdue"`
	SignOverdue    bool       `json:"sign_overdue"`
	Supervised     bool       `json:"supervised"`
	Urged          int        `json:"urged"`
	Warned         bool       `json:"-"`
	DuplicateOf    *int64     `json:"duplicate_of"`
	MergedInto     *int64     `json:"merged_into"`
	CoHandlers     []Assignee `json:"co_handlers"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Version        int64      `json:"-"`
	Events         []Event    `json:"events,omitempty"`
}

// Event is one step in a ticket's history; events are only ever added.
type Event struct {
	ID         int64     `json:"-"`
	TicketID   int64     `json:"-"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	ActorRole  string    `json:"actor_role"`
	Action     string    `json:"action"`
	FromStatus Status    `json:"from_status"`
	ToStatus   Status    `json:"to_status"`
	Note       string    `json:"note"`
	// Internal events (notes between staff) are not shown to the
	// enterprise.
	Internal bool   `json:"internal"`
	Data     string `json:"data,omitempty"` // JSON details: a transfer's target, a rating …
}

// NumberOf is the human-readable number of a ticket: its creation date in
// China Standard Time and its id, "QF20261126-0001234".
func NumberOf(id int64, created time.Time) string {
	return fmt.Sprintf("QF%s-%07d", created.In(cst).Format("20060102"), id)
}

// ParseNumber returns the id a ticket number carries.
func ParseNumber(n string) (int64, bool) {
	n = strings.ToUpper(strings.TrimSpace(n))
	if !strings.HasPrefix(n, "QF") || len(n) < 12 {
		return 0, false
	}
	_, idPart, ok := strings.Cut(n, "-")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(idPart, 10, 64)
	return id, err == nil && id > 0
}

var cst = time.FixedZone("CST", 8*3600)

// Intake is what a new ticket is made from (API.md POST /api/v1/tickets).
type Intake struct {
	Channel        string `json:"channel"`
	EnterpriseUSCC string `json:"enterprise_uscc"`
	EnterpriseName string `json:"enterprise_name"`
	Category       string `json:"category"`
	Urgency        string `json:"urgency"`
	Title          string `json:"title"`
	Content        string `json:"content"`
	RegionCode     string `json:"region_code"`
	ContactName    string `json:"contact_name"`
	ContactPhone   string `json:"contact_phone"`
	Public         bool   `json:"public"`
}

// Normalize trims the fields and fills the defaults.
func (in *Intake) Normalize() {
	for _, s := range []*string{&in.Channel, &in.Category, &in.Urgency, &in.Title, &in.Content, &in.RegionCode,
		&in.ContactName, &in.ContactPhone, &in.EnterpriseName} {
		*s = strings.TrimSpace(*s)
	}
	in.EnterpriseUSCC = uscc.Normalize(in.EnterpriseUSCC)
	if in.Urgency == "" {
		in.Urgency = "normal"
	}
}

// Validate checks an intake; errors name the field. A well-formed credit
// code need not be registered yet (the caller is served, the enterprise
// linked when it registers); a caller who does not know the code gives the
// enterprise's name instead.
func (in Intake) Validate() error {
	switch {
	case in.Channel == "":
		return apperr.Required("channel")
	case !oneOf(in.Channel, Channels):
		return apperr.Field("channel", "invalid_channel", "error.invalid_choice")
	case in.Category == "":
		return apperr.Required("category")
	case !oneOf(in.Category, Categories):
		return apperr.Field("category", "invalid_category", "error.invalid_choice")
	case !oneOf(in.Urgency, Urgencies):
		return apperr.Field("urgency", "invalid_urgency", "error.invalid_choice")
	case in.RegionCode == "":
		return apperr.Required("region_code")
	}
	if in.EnterpriseUSCC != "" {
		if r := uscc.Check(in.EnterpriseUSCC); !r.Valid {
			return apperr.Field("enterprise_uscc", "invalid_uscc", "error.invalid_uscc")
		}
	} else if in.EnterpriseName == "" {
		return apperr.Field("enterprise_uscc", "required", "error.enterprise_required")
	}
	for _, f := range []struct {
		name, v  string
		min, max int
	}{{"title", in.Title, 1, 100}, {"content", in.Content, 1, 5000}, {"enterprise_name", in.EnterpriseName, 0, 100},
		{"contact_name", in.ContactName, 0, 50}} {
		n := utf8.RuneCountInString(f.v)
		if n < f.min {
			return apperr.Required(f.name)
		}
		if n > f.max {
			return apperr.Field(f.name, "too_long", "error.too_long").With("max", f.max)
		}
	}
	if in.ContactPhone != "" && !phoneOK(in.ContactPhone) {
		return apperr.Field("contact_phone", "invalid_phone", "error.phone")
	}
	return nil
}

func phoneOK(p string) bool {
	digits := 0
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == ' ' || r == '+' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 20
}
