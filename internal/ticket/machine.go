package ticket

import (
	"strings"

	"github.com/qifu/qifu/internal/access"
)

// Action is what someone does to a ticket (API.md POST …/actions).
type Action struct {
	Action    string    `json:"action"`
	To        *Assignee `json:"to"`
	Note      string    `json:"note"`
	Days      int       `json:"days"`
	Satisfied *bool     `json:"satisfied"`
	Score     *int      `json:"score"`
	Into      *int64    `json:"into"`
}

// Actions every deployment has (API.md), and those Qifu adds: urge (催办),
// note (an internal note), co_handler (协办), merge (a duplicate into the
// first ticket).
var Actions = []string{"sign", "transfer", "return", "extend", "reply", "close", "rate", "visit", "supervise",
	"urge", "note", "co_handler", "merge"}

// transitions: for each action, the statuses it may start from and the
// status it leads to ("" keeps the status; rate and visit depend on the
// answer).
var transitions = map[string]struct {
	from []Status
	to   Status
}{
	"sign":       {[]Status{Dispatched, Reopened}, Signed},
	"return":     {[]Status{Dispatched}, Returned},
	"transfer":   {[]Status{Returned, Dispatched, Signed}, Dispatched},
	"extend":     {[]Status{Signed}, ""},
	"reply":      {[]Status{Signed}, Replied},
	"rate":       {[]Status{Replied}, ""},
	"visit":      {[]Status{Replied}, ""},
	"close":      {[]Status{Replied}, Closed},
	"supervise":  {[]Status{Dispatched, Signed, Returned, Replied, Reopened}, ""},
	"urge":       {[]Status{Dispatched, Signed, Returned, Reopened}, ""},
	"note":       {[]Status{Dispatched, Signed, Returned, Replied, Reopened, Closed, Merged}, ""},
	"co_handler": {[]Status{Dispatched, Signed, Reopened}, ""},
	"merge":      {[]Status{Dispatched, Returned}, Merged},
}

// The events written without an action of that name in the table.
// "attach" records an attachment; "merged_in" the other side of a merge;
// "overdue", "warn" and "escalate" the supervision job's findings.

// allowedFrom reports whether action may start from status s.
func allowedFrom(action string, s Status) bool {
	t, ok := transitions[action]
	if !ok {
		return false
	}
	for _, f := range t.from {
		if f == s {
			return true
		}
	}
	return false
}

// Relation is how an actor stands to a ticket.
type Relation struct {
	Assignee  bool // its platform or department handles the ticket now
	Superior  bool // the assignee platform is below the actor's platform
	CoHandler bool // its organisation helps (协办)
	Former    bool // its organisation handled the ticket before
	Own       bool // the enterprise the ticket is about
}

// RelationOf works out how actor stands to ticket t; parties are the
// organisations that handled the ticket before or help with it.
func RelationOf(a access.Actor, t Ticket, former, co []Assignee) Relation {
	var r Relation
	switch a.Role.OrgKind() {
	case access.OrgPlatform:
		me := Assignee{ToPlatform, a.OrgCode}
		r.Assignee = t.Assignee == me
		r.Superior = !r.Assignee && t.Assignee.Type == ToPlatform && a.PlatformPath != "" &&
			strings.HasPrefix(t.AssigneePath, a.PlatformPath)
		r.CoHandler = contains(co, me)
		r.Former = contains(former, me)
	case access.OrgDepartment:
		me := Assignee{ToDepartment, a.OrgCode}
		r.Assignee = t.Assignee == me
		r.CoHandler = contains(co, me)
		r.Former = contains(former, me)
	case access.OrgEnterprise:
		r.Own = t.EnterpriseUSCC != "" && t.EnterpriseUSCC == a.OrgCode
	}
	return r
}

func contains(list []Assignee, a Assignee) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// CanRead reports whether the actor may read the ticket (R6.1): those who
// read everything; its assignee and the platforms above it; organisations
// that handled or help with it; the enterprise itself.
func CanRead(a access.Actor, r Relation) bool {
	return a.ReadsAll() || r.Assignee || r.Superior || r.CoHandler || r.Former || r.Own
}

// MayAct reports whether the actor's role and relation allow an action (its
// state is checked apart: a refused role is 403, a wrong state 409). The
// city admin may take every action (API.md roles table).
func MayAct(a access.Actor, r Relation, action string) bool {
	admin := a.IsAdmin()
	if admin {
		_, known := transitions[action]
		return known
	}
	staff := a.Role.Staff() && a.Role != access.Auditor
	switch action {
	case "sign", "return", "extend", "reply":
		return r.Assignee
	case "transfer":
		return admin || r.Assignee && a.Role.OrgKind() == access.OrgPlatform || r.Superior
	case "rate":
		return r.Own || a.Role == access.HotlineOperator
	case "visit":
		return a.Role == access.HotlineOperator
	case "close", "supervise":
		return admin
	case "urge":
		return admin || r.Superior
	case "note":
		return staff && (admin || a.Role == access.HotlineOperator || r.Assignee || r.Superior || r.CoHandler || r.Former)
	case "co_handler":
		return admin || r.Assignee
	case "merge":
		return admin || a.Role == access.HotlineOperator || r.Assignee
	}
	return false
}

// AllowedActions lists the actions the actor may take on the ticket now:
// what a page offers.
func AllowedActions(a access.Actor, r Relation, t Ticket) []string {
	var out []string
	for _, act := range Actions {
		if allowedFrom(act, t.Status) && MayAct(a, r, act) {
			out = append(out, act)
		}
	}
	return out
}
