package api

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/ticket"
)

func (a *API) registerTickets() {
	a.add("POST", "/api/v1/tickets", a.createTicket)
	a.add("GET", "/api/v1/tickets", a.listTickets)
	a.add("GET", "/api/v1/tickets/{id}", a.getTicket)
	a.add("POST", "/api/v1/tickets/{id}/actions", a.actOnTicket)
	a.routes = append(a.routes, Route{Method: "POST", Pattern: "/api/v1/tickets/{id}/attachments",
		MaxBody: ticket.MaxAttachmentBytes + 1<<20, fn: a.attach})
	a.add("GET", "/api/v1/tickets/{id}/attachments/{attachment}", a.downloadAttachment)
	a.add("GET", "/api/v1/ticket-rules", a.listRules)
	a.add("POST", "/api/v1/ticket-rules", a.addRule)
	a.add("DELETE", "/api/v1/ticket-rules/{id}", a.deleteRule)
	a.add("GET", "/api/v1/ticket-limits", a.listLimits)
	a.add("PUT", "/api/v1/ticket-limits/{category}/{urgency}", a.saveLimit)
	a.add("GET", "/api/v1/ticket-supervision", a.supervisionSettings)
	a.add("PUT", "/api/v1/ticket-supervision", a.saveSupervisionSettings)
}

// ticketID reads {id}: a number, or a ticket number "QF20261126-0001234".
// A ticket number names a ticket only when all of it matches, its date
// included: "QF20200101-0001234" is not ticket 1234 of another day. The
// number's ticket is read (within the caller's scope) to check that.
func (a *API) ticketID(r *http.Request, actor access.Actor) (int64, error) {
	s := r.PathValue("id")
	if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	id, ok := ticket.ParseNumber(s)
	if !ok {
		return 0, apperr.NotFoundOf("object.ticket", s)
	}
	t, err := a.s.Ticket.Get(r.Context(), actor, id)
	if err != nil {
		return 0, err
	}
	if t.Number != strings.ToUpper(strings.TrimSpace(s)) {
		return 0, apperr.NotFoundOf("object.ticket", s)
	}
	return id, nil
}

func (a *API) createTicket(r *http.Request, actor access.Actor) (int, any, error) {
	var in ticket.Intake
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Ticket.Create(r.Context(), actor, in)
	return http.StatusCreated, out, err
}

func (a *API) getTicket(r *http.Request, actor access.Actor) (int, any, error) {
	id, err := a.ticketID(r, actor)
	if err != nil {
		return 0, nil, err
	}
	t, err := a.s.Ticket.Get(r.Context(), actor, id)
	if err != nil {
		return 0, nil, err
	}
	atts, err := a.s.Ticket.Attachments(r.Context(), actor, id)
	return http.StatusOK, ticketJSON{Ticket: t, Attachments: atts}, err
}

// ticketJSON is a ticket with its attachments.
type ticketJSON struct {
	ticket.Ticket
	Attachments []ticket.Attachment `json:"attachments"`
}

// ParseTicketFilter reads the list filters shared by the API and the pages:
// status (comma-separated), assignee ("platform:CODE", "department:CODE"),
// overdue, supervised, category, q (a ticket number or words), sort
// (newest, due).
func ParseTicketFilter(q map[string][]string) (ticket.Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	var f ticket.Filter
	if s := get("status"); s != "" {
		for _, part := range strings.Split(s, ",") {
			st := ticket.Status(strings.TrimSpace(part))
			if !st.Valid() {
				return f, apperr.Field("status", "invalid_status", "error.invalid_choice")
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	if s := get("assignee"); s != "" {
		typ, code, ok := strings.Cut(s, ":")
		if !ok || (typ != "platform" && typ != "department") || code == "" {
			return f, apperr.Field("assignee", "invalid_assignee", "error.assignee_param")
		}
		f.Assignee = &ticket.Assignee{Type: ticket.AssigneeType(typ), Code: code}
	}
	for name, dst := range map[string]*bool{"overdue": &f.Overdue, "supervised": &f.Supervised, "open": &f.Open} {
		switch get(name) {
		case "", "false":
		case "true", "1":
			*dst = true
		default:
			return f, apperr.Field(name, "invalid", "error.boolean")
		}
	}
	f.Category = get("category")
	if f.Category != "" && !isCategory(f.Category) {
		return f, apperr.Field("category", "invalid_category", "error.invalid_choice")
	}
	if qs := get("q"); qs != "" {
		if id, ok := ticket.ParseNumber(qs); ok {
			f.Number = id
		} else {
			f.Q = qs
		}
	}
	switch f.Sort = get("sort"); f.Sort {
	case "", "newest", "due":
	default:
		return f, apperr.Field("sort", "invalid_sort", "error.invalid_choice")
	}
	return f, nil
}

func isCategory(c string) bool {
	for _, x := range ticket.Categories {
		if c == x {
			return true
		}
	}
	return false
}

func (a *API) listTickets(r *http.Request, actor access.Actor) (int, any, error) {
	f, err := ParseTicketFilter(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	limit, after, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	f.Limit = limit
	if after != "" {
		at, id, ok := ticket.ParseCursor(after)
		if !ok {
			return 0, nil, apperr.Field("cursor", "invalid", "error.cursor")
		}
		f.AfterAt, f.AfterID = at, id
	}
	items, next, err := a.s.Ticket.List(r.Context(), actor, f)
	return http.StatusOK, newList(items, next), err
}

func (a *API) actOnTicket(r *http.Request, actor access.Actor) (int, any, error) {
	id, err := a.ticketID(r, actor)
	if err != nil {
		return 0, nil, err
	}
	var act ticket.Action
	if err := decode(r, &act); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Ticket.Act(r.Context(), actor, id, act)
	return http.StatusOK, out, err
}

// attach takes one file: multipart/form-data with the field "file", or the
// raw body with the file name in ?name=.
func (a *API) attach(r *http.Request, actor access.Actor) (int, any, error) {
	id, err := a.ticketID(r, actor)
	if err != nil {
		return 0, nil, err
	}
	var name string
	var data []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		f, h, err := r.FormFile("file")
		if err != nil {
			return 0, nil, bodyOrRequired(err)
		}
		defer f.Close()
		name = h.Filename
		if data, err = io.ReadAll(f); err != nil {
			return 0, nil, bodyErr(err)
		}
	} else {
		name = r.URL.Query().Get("name")
		if data, err = io.ReadAll(r.Body); err != nil {
			return 0, nil, bodyErr(err)
		}
	}
	out, err := a.s.Ticket.Attach(r.Context(), actor, id, name, data)
	return http.StatusCreated, out, err
}

func bodyOrRequired(err error) error {
	if strings.Contains(err.Error(), "too large") {
		return bodyErr(err)
	}
	return apperr.Required("file")
}

func (a *API) downloadAttachment(r *http.Request, actor access.Actor) (int, any, error) {
	id, err := a.ticketID(r, actor)
	if err != nil {
		return 0, nil, err
	}
	aid, err := strconv.ParseInt(r.PathValue("attachment"), 10, 64)
	if err != nil {
		return 0, nil, apperr.NotFoundOf("object.attachment", r.PathValue("attachment"))
	}
	att, err := a.s.Ticket.Download(r.Context(), actor, id, aid)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, download{Name: att.Name, ContentType: att.ContentType, Data: att.Data}, nil
}

func (a *API) listRules(r *http.Request, actor access.Actor) (int, any, error) {
	items, err := a.s.Ticket.Rules(r.Context(), actor)
	return http.StatusOK, newList(items, ""), err
}

func (a *API) addRule(r *http.Request, actor access.Actor) (int, any, error) {
	var in ticket.Rule
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Ticket.AddRule(r.Context(), actor, in)
	return http.StatusCreated, out, err
}

func (a *API) deleteRule(r *http.Request, actor access.Actor) (int, any, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, nil, apperr.NotFoundOf("object.rule", r.PathValue("id"))
	}
	if err := a.s.Ticket.DeleteRule(r.Context(), actor, id); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]bool{"deleted": true}, nil
}

func (a *API) listLimits(r *http.Request, actor access.Actor) (int, any, error) {
	items, err := a.s.Ticket.Limits(r.Context(), actor)
	return http.StatusOK, newList(items, ""), err
}

func (a *API) saveLimit(r *http.Request, actor access.Actor) (int, any, error) {
	var in ticket.Limit
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	in.Category, in.Urgency = r.PathValue("category"), r.PathValue("urgency")
	out, err := a.s.Ticket.SaveLimit(r.Context(), actor, in)
	return http.StatusOK, out, err
}

func (a *API) supervisionSettings(r *http.Request, actor access.Actor) (int, any, error) {
	out, err := a.s.Ticket.SupervisionSettings(r.Context(), actor)
	return http.StatusOK, out, err
}

// saveSupervisionSettings replaces both thresholds: a field left out is
// 0, which is out of range (422 naming it).
func (a *API) saveSupervisionSettings(r *http.Request, actor access.Actor) (int, any, error) {
	var in ticket.SupervisionSettings
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Ticket.SaveSupervisionSettings(r.Context(), actor, in)
	return http.StatusOK, out, err
}
