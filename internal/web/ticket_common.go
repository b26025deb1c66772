package web

import (
	"net/http"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/ticket"
)

// orgNames names platforms and departments by assignee
// ("platform:P370202").
type orgNames map[string]string

// Name is the organisation's name, or its code when it is gone.
func (n orgNames) Name(a ticket.Assignee) string {
	if s, ok := n[a.String()]; ok {
		return s
	}
	return a.Code
}

// orgChoice is one organisation offered in a select.
type orgChoice struct {
	Value string // "platform:CODE"
	Name  string
	Tier  org.Tier // "" for a department
}

// ticketOrgs reads the platforms and departments the viewer may list.
func (w *Web) ticketOrgs(r *http.Request, a access.Actor) ([]org.Platform, []org.Department, error) {
	var plats []org.Platform
	var deps []org.Department
	var err error
	if !a.Platforms().None() {
		if plats, err = w.allPlatforms(r, a); err != nil {
			return nil, nil, err
		}
	}
	if a.SeesNetwork() {
		deps, err = readAll(func(after string) ([]org.Department, string, error) {
			return w.s.Org.Departments(r.Context(), a, org.DepartmentFilter{After: after, Limit: 500})
		})
	}
	return plats, deps, err
}

// names names every platform and department (their names are public).
func (w *Web) names(r *http.Request) (orgNames, error) {
	plats, deps, err := w.s.Org.Names(r.Context())
	if err != nil {
		return nil, err
	}
	n := make(orgNames, len(plats)+len(deps))
	for code, name := range plats {
		n[ticket.Assignee{Type: ticket.ToPlatform, Code: code}.String()] = name
	}
	for code, name := range deps {
		n[ticket.Assignee{Type: ticket.ToDepartment, Code: code}.String()] = name
	}
	return n, nil
}

// choices turns platforms and departments into select options, keeping
// those keep admits.
func choices(plats []org.Platform, deps []org.Department, keep func(ticket.Assignee, string) bool) []orgChoice {
	var out []orgChoice
	for _, p := range plats {
		a := ticket.Assignee{Type: ticket.ToPlatform, Code: p.Code}
		if keep(a, p.Path) {
			out = append(out, orgChoice{Value: a.String(), Name: p.Name, Tier: p.Tier})
		}
	}
	for _, d := range deps {
		a := ticket.Assignee{Type: ticket.ToDepartment, Code: d.Code}
		if keep(a, "") {
			out = append(out, orgChoice{Value: a.String(), Name: d.Name})
		}
	}
	return out
}

// ticketRow is a ticket in a list, with its standing against its
// deadlines at the time the page is drawn.
type ticketRow struct {
	ticket.Ticket
	Late bool // past a limit
	// SignLate: late only to be accepted (the handling limit still runs).
	SignLate bool
	Near     bool // falls due within a working day
}

// Class is the row's CSS class: red when late, amber when near.
func (r ticketRow) Class() string {
	switch {
	case r.Late:
		return "late"
	case r.Near:
		return "near"
	}
	return ""
}

// rows marks each ticket late or near at the current time.
func (w *Web) rows(items []ticket.Ticket) ([]ticketRow, error) {
	now := w.s.Clock.Now()
	soon, err := w.s.Ticket.NearDue()
	if err != nil {
		return nil, err
	}
	out := make([]ticketRow, len(items))
	for i, t := range items {
		r := ticketRow{Ticket: t, Late: t.Late(now), Near: t.Near(now, soon)}
		r.SignLate = r.Late && !t.Overdue && !now.After(t.DueAt)
		out[i] = r
	}
	return out, nil
}

// ticketIDParam reads {id}: a number, or a ticket number.
func ticketIDParam(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	if id, ok := ticket.ParseNumber(s); ok {
		return id, nil
	}
	return 0, apperr.NotFoundOf("object.ticket", s)
}

// statusCount is one status with its number of tickets.
type statusCount struct {
	Status ticket.Status
	N      int
}

// openStatuses are the statuses a work queue counts.
var openStatuses = []ticket.Status{ticket.Dispatched, ticket.Signed, ticket.Returned, ticket.Replied, ticket.Reopened}
