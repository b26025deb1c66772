package form

import (
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/ticket"
)

// TicketIntake parses the form recording a ticket (hotline console,
// enterprise portal); the channel is the page's to set.
func (f *Form) TicketIntake() ticket.Intake {
	return ticket.Intake{EnterpriseUSCC: f.Text("enterprise_uscc"), EnterpriseName: f.Text("enterprise_name"),
		Category: f.Text("category"), Urgency: f.Text("urgency"), Title: f.Text("title"), Content: f.Text("content"),
		RegionCode: f.Text("region_code"), ContactName: f.Text("contact_name"), ContactPhone: f.Text("contact_phone")}
}

// TicketAction parses an action form of the ticket page: the action, its
// note, and what the action needs — a target "platform:CODE" or
// "department:CODE" (to), days, satisfied (yes/no), score, and the ticket
// to merge into (a number such as QF20261126-0000012, or an id).
func (f *Form) TicketAction() (ticket.Action, error) {
	act := ticket.Action{Action: f.Text("action"), Note: f.Text("note")}
	if to := f.Text("to"); to != "" {
		a, err := parseAssignee(to, "to")
		if err != nil {
			return act, err
		}
		act.To = &a
	}
	var err error
	if act.Days, err = f.Int("days"); err != nil {
		return act, err
	}
	switch f.Text("satisfied") {
	case "":
	case "yes":
		yes := true
		act.Satisfied = &yes
	case "no":
		no := false
		act.Satisfied = &no
	default:
		return act, apperr.Field("satisfied", "invalid_choice", "error.invalid_choice")
	}
	if f.Text("score") != "" {
		n, err := f.Int("score")
		if err != nil {
			return act, err
		}
		act.Score = &n
	}
	if into := f.Text("into"); into != "" {
		id, ok := ticket.ParseNumber(into)
		if !ok {
			n, err := strconv.ParseInt(into, 10, 64)
			if err != nil || n <= 0 {
				return act, apperr.Field("into", "invalid", "error.ticket_number")
			}
			id = n
		}
		act.Into = &id
	}
	return act, nil
}

// parseAssignee reads "platform:CODE" or "department:CODE".
func parseAssignee(s, field string) (ticket.Assignee, error) {
	typ, code, ok := strings.Cut(s, ":")
	if !ok || code == "" || (typ != string(ticket.ToPlatform) && typ != string(ticket.ToDepartment)) {
		return ticket.Assignee{}, apperr.Field(field, "invalid_choice", "error.invalid_choice")
	}
	return ticket.Assignee{Type: ticket.AssigneeType(typ), Code: code}, nil
}

// TicketRule parses the form adding a routing rule.
func (f *Form) TicketRule() (ticket.Rule, error) {
	r := ticket.Rule{Category: f.Text("category"), RegionCode: f.Text("region_code"), Note: f.Text("note")}
	if t := f.Text("target"); t != "" {
		a, err := parseAssignee(t, "target")
		if err != nil {
			return r, err
		}
		r.Target = a
	}
	var err error
	r.Priority, err = f.Int("priority")
	return r, err
}

// LimitFields are the inputs of one row of the time-limit table.
var LimitFields = []string{"sign_hours", "sign_days", "handle_hours", "handle_days", "max_extension_days", "return_days"}

// LimitKey names the input of one field of one row of the time-limit
// table: "complaint.urgent.handle_days".
func LimitKey(category, urgency, field string) string { return category + "." + urgency + "." + field }

// TicketLimit parses one row of the time-limit table. An error names the
// field within the row (sign_days …), as Limit.Validate does.
func (f *Form) TicketLimit(category, urgency string) (ticket.Limit, error) {
	l := ticket.Limit{Category: category, Urgency: urgency}
	dst := []*int{&l.SignHours, &l.SignDays, &l.HandleHours, &l.HandleDays, &l.MaxExtensionDays, &l.ReturnDays}
	for i, name := range LimitFields {
		key := LimitKey(category, urgency, name)
		n, err := strconv.Atoi(f.Text(key))
		if f.Text(key) == "" {
			n, err = 0, nil
		}
		if err != nil {
			return l, apperr.Field(name, "invalid_number", "error.number")
		}
		*dst[i] = n
	}
	return l, nil
}

// FromLimits pre-fills the time-limit table.
func FromLimits(ls []ticket.Limit) *Form {
	f := New(nil)
	for _, l := range ls {
		for i, n := range []int{l.SignHours, l.SignDays, l.HandleHours, l.HandleDays, l.MaxExtensionDays, l.ReturnDays} {
			f.Values.Set(LimitKey(l.Category, l.Urgency, LimitFields[i]), strconv.Itoa(n))
		}
	}
	return f
}

// SupervisionSettings parses the supervision thresholds of the time-limit
// page. A field left empty is required; one not a whole number is
// invalid_number; the range is the domain's to check.
func (f *Form) SupervisionSettings() (ticket.SupervisionSettings, error) {
	var s ticket.SupervisionSettings
	for _, fld := range []struct {
		name string
		dst  *int
	}{{"warn_hours", &s.WarnHours}, {"rating_days", &s.RatingDays}} {
		if f.Text(fld.name) == "" {
			return s, apperr.Required(fld.name)
		}
		n, err := strconv.Atoi(f.Text(fld.name))
		if err != nil {
			return s, apperr.Field(fld.name, "invalid_number", "error.number")
		}
		*fld.dst = n
	}
	return s, nil
}

// FromSupervision pre-fills the supervision thresholds.
func FromSupervision(s ticket.SupervisionSettings) *Form {
	f := New(nil)
	f.Values.Set("warn_hours", strconv.Itoa(s.WarnHours))
	f.Values.Set("rating_days", strconv.Itoa(s.RatingDays))
	return f
}
