package ticket

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/record"
)

// Notice asks for someone to be told about a ticket (through the outbox:
// the in-app inbox, and SMS for the enterprise's contact).
type Notice struct {
	// Who is told: each target set gets the notice.
	ToOrg        *Assignee // every staff user of a platform or department
	ToEnterprise string    // the enterprise's users (inbox)
	ToPhone      string    // an SMS to this number
	Key          string    // catalog key of the message
	Params       map[string]any
	TicketID     int64
	Link         string
	At           time.Time // when the event happened
}

// Filter selects tickets for a list or a work queue.
type Filter struct {
	// Scope, set by the service from the actor.
	All        bool
	PathPrefix string // assigned now to a platform under this path
	Department string // assigned now to this department
	Enterprise string // about this enterprise
	// Filters.
	Statuses   []Status
	Assignee   *Assignee
	Overdue    bool
	Supervised bool
	Category   string
	Open       bool // only tickets with work left
	Number     int64
	Q          string
	// USCC keeps the tickets of one enterprise (the hotline console's
	// "recent tickets of the caller"); the scope still applies.
	USCC string
	// Now, when set, makes Overdue also match tickets whose deadline has
	// passed at Now but that the supervision job has not flagged yet.
	Now time.Time
	// Order: "due" (the nearest deadline first) or "newest".
	Sort    string
	AfterAt time.Time
	AfterID int64
	Limit   int
}

// Tx is what the ticket service needs from storage. Lookups of one object
// return not_found when it does not exist.
type Tx interface {
	audit.Appender
	Directory
	// A closing ticket writes its service record.
	record.TicketTx
	InsertTicket(ctx context.Context, t *Ticket) error
	Ticket(ctx context.Context, id int64) (Ticket, error)
	// UpdateTicket stores t if its stored version is still version;
	// otherwise conflict (someone acted first).
	UpdateTicket(ctx context.Context, t Ticket, version int64) error
	AppendEvent(ctx context.Context, e Event) error
	Events(ctx context.Context, ticketID int64) ([]Event, error)
	// Parties lists the organisations that handled the ticket before and
	// those helping with it.
	Parties(ctx context.Context, ticketID int64) (former, co []Assignee, err error)
	AddParty(ctx context.Context, ticketID int64, a Assignee, role string) error
	// CoHandlersOf returns the co-handlers of several tickets, by ticket.
	CoHandlersOf(ctx context.Context, ticketIDs []int64) (map[int64][]Assignee, error)
	Tickets(ctx context.Context, f Filter) ([]Ticket, error)
	// RecentSimilarCandidates lists the latest open tickets of an
	// enterprise and category created since a time, newest first, with
	// their id, title and content only.
	RecentSimilarCandidates(ctx context.Context, uscc, category string, since time.Time) ([]Ticket, error)
	TicketLimit(ctx context.Context, category, urgency string) (Limit, error)
	Notify(ctx context.Context, n Notice) error
	EnterpriseName(ctx context.Context, uscc string) (string, bool, error)
	Setting(ctx context.Context, key string) (string, bool, error)
}

// Store runs functions on a Tx.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Service runs the ticket workflow.
type Service struct {
	store Store
	clock clock.Clock
	cal   Calendar
}

// NewService makes the ticket service.
func NewService(s Store, c clock.Clock, cal Calendar) *Service {
	return &Service{store: s, clock: c, cal: cal}
}

// createsTickets reports whether the actor's role may record tickets at
// all; the others are refused before their input is looked at.
func createsTickets(a access.Actor) bool {
	return a.IsAdmin() || a.Role == access.HotlineOperator || a.Role == access.Enterprise ||
		a.Role.OrgKind() == access.OrgPlatform
}

// mayCreate: the city admin, hotline operators (any region), platform staff
// at their windows (their own region), an enterprise for itself.
func mayCreate(a access.Actor, in Intake) bool {
	switch {
	case a.IsAdmin(), a.Role == access.HotlineOperator:
		return true
	case a.Role == access.Enterprise:
		return in.EnterpriseUSCC == a.OrgCode
	case a.Role.OrgKind() == access.OrgPlatform:
		return a.RegionCode != "" && strings.HasPrefix(in.RegionCode, access.RegionPrefix(a.RegionCode))
	}
	return false
}

// Create records a ticket, routes it, sets its deadlines and tells the
// assignee and the enterprise. Errors: forbidden; invalid (any field, an
// unknown region or category, a malformed credit code — a well-formed one
// not yet registered is accepted).
func (s *Service) Create(ctx context.Context, a access.Actor, in Intake) (Ticket, error) {
	if !createsTickets(a) {
		return Ticket{}, apperr.Deny()
	}
	in.Normalize()
	if a.Role == access.Enterprise {
		if in.EnterpriseUSCC == "" {
			in.EnterpriseUSCC = a.OrgCode
		}
		in.Channel = "web"
	}
	if err := in.Validate(); err != nil {
		return Ticket{}, err
	}
	if !mayCreate(a, in) {
		return Ticket{}, apperr.Deny()
	}
	now := s.clock.Now()
	t := Ticket{Channel: in.Channel, Category: in.Category, Urgency: in.Urgency, EnterpriseUSCC: in.EnterpriseUSCC,
		EnterpriseName: in.EnterpriseName, Title: in.Title, Content: in.Content, RegionCode: in.RegionCode,
		ContactName: in.ContactName, ContactPhone: in.ContactPhone, Public: in.Public, Status: Dispatched,
		CreatedBy: a.Username, CreatedAt: now, UpdatedAt: now, DispatchedAt: now, Version: 1}
	// Everything read to place the ticket is read first, from the read
	// pool: the write that follows only inserts (and, on SQLite, shares its
	// commit with the other requests of the moment).
	var routed Routed
	err := s.store.Read(ctx, func(tx Tx) error {
		if t.EnterpriseUSCC != "" {
			if name, ok, err := tx.EnterpriseName(ctx, t.EnterpriseUSCC); err != nil {
				return err
			} else if ok {
				t.EnterpriseName = name
			}
		}
		var err error
		if routed, err = Route(ctx, tx, t.Category, t.RegionCode); err != nil {
			return err
		}
		t.Assignee, t.AssigneePath = routed.Assignee, routed.Path
		t.Dispatcher = dispatcherOf(routed)
		if err := s.setDeadlines(ctx, tx, &t, now); err != nil {
			return err
		}
		return s.flagDuplicate(ctx, tx, &t, now)
	})
	if err != nil {
		return Ticket{}, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertTicket(ctx, &t); err != nil {
			return err
		}
		if err := tx.AddParty(ctx, t.ID, t.Assignee, "handler"); err != nil {
			return err
		}
		data := map[string]any{"assignee": t.Assignee, "route": routed.Reason}
		if t.DuplicateOf != nil {
			data["duplicate_of"] = *t.DuplicateOf
		}
		if err := s.event(ctx, tx, a, t, "create", "", Dispatched, "", false, data); err != nil {
			return err
		}
		if err := tx.Notify(ctx, Notice{ToOrg: &t.Assignee, Key: "notice.dispatched", TicketID: t.ID,
			Params: map[string]any{"number": t.Number, "title": t.Title, "due": t.DueAt}, Link: link(t), At: now}); err != nil {
			return err
		}
		if err := s.tellEnterprise(ctx, tx, t, "notice.accepted", ""); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "ticket.create", "ticket", t.Number, audit.Success))
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.view(a, t, RelationOf(a, t, nil, nil)), nil
}

// dispatcherOf: a returned ticket goes back to the city's dispatch (the
// root of the routed platform's path), or to the city for departments.
func dispatcherOf(r Routed) string {
	if r.Path != "" {
		root, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/")
		return root
	}
	return ""
}

func link(t Ticket) string { return "/tickets/" + strconv.FormatInt(t.ID, 10) }

// setDeadlines sets the sign and handling deadlines from a moment of
// dispatch, by the limit of the ticket's category and urgency.
func (s *Service) setDeadlines(ctx context.Context, tx Tx, t *Ticket, from time.Time) error {
	l, err := tx.TicketLimit(ctx, t.Category, t.Urgency)
	if err != nil {
		return err
	}
	if t.SignDueAt, err = l.signDue(s.cal, from); err != nil {
		return err
	}
	t.DueAt, t.DueProvisional, err = l.handleDue(s.cal, from)
	return err
}

// flagDuplicate marks a ticket from the same enterprise and category with
// similar content in the last 30 days (R3, item 7): staff may merge it.
func (s *Service) flagDuplicate(ctx context.Context, tx Tx, t *Ticket, now time.Time) error {
	if t.EnterpriseUSCC == "" {
		return nil
	}
	cands, err := tx.RecentSimilarCandidates(ctx, t.EnterpriseUSCC, t.Category, now.AddDate(0, 0, -DuplicateWindowDays))
	if err != nil {
		return err
	}
	// The earliest similar one is the ticket the others repeat.
	for i := len(cands) - 1; i >= 0; i-- {
		c := cands[i]
		if Similarity(t.Title, t.Content, c.Title, c.Content) >= SimilarThreshold {
			id := c.ID
			t.DuplicateOf = &id
			return nil
		}
	}
	return nil
}

func (s *Service) event(ctx context.Context, tx Tx, a access.Actor, t Ticket, action string, from, to Status, note string, internal bool, data map[string]any) error {
	e := Event{TicketID: t.ID, At: s.clock.Now(), Actor: a.Username, ActorRole: string(a.Role), Action: action,
		FromStatus: from, ToStatus: to, Note: note, Internal: internal}
	if a.System {
		e.ActorRole = "system"
	}
	if len(data) > 0 {
		b, _ := json.Marshal(data)
		e.Data = string(b)
	}
	return tx.AppendEvent(ctx, e)
}

// tellEnterprise notifies the enterprise's users and, by SMS, the contact;
// note is the handler's note the message quotes, if any.
func (s *Service) tellEnterprise(ctx context.Context, tx Tx, t Ticket, key, note string) error {
	if t.EnterpriseUSCC == "" && t.ContactPhone == "" {
		return nil
	}
	params := map[string]any{"number": t.Number, "title": t.Title, "note": note}
	// The inbox message links to the ticket; the SMS carries no link.
	return tx.Notify(ctx, Notice{ToEnterprise: t.EnterpriseUSCC, ToPhone: t.ContactPhone, Key: key, Params: params,
		TicketID: t.ID, Link: link(t), At: s.clock.Now()})
}

// load reads a ticket with its parties and the actor's relation to it,
// refusing an actor who may not read it.
func (s *Service) load(ctx context.Context, tx Tx, a access.Actor, id int64) (Ticket, Relation, error) {
	t, err := tx.Ticket(ctx, id)
	if err != nil {
		return Ticket{}, Relation{}, err
	}
	former, co, err := tx.Parties(ctx, id)
	if err != nil {
		return Ticket{}, Relation{}, err
	}
	t.CoHandlers = co
	r := RelationOf(a, t, former, co)
	if !CanRead(a, r) {
		return Ticket{}, Relation{}, apperr.Deny()
	}
	return t, r, nil
}

// Get returns a ticket with its events, oldest first. The enterprise sees
// no internal notes; the contact number is masked for those who do not
// handle the ticket. Errors: not_found, forbidden.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Ticket, error) {
	var t Ticket
	var r Relation
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if t, r, err = s.load(ctx, tx, a, id); err != nil {
			return err
		}
		t.Events, err = tx.Events(ctx, id)
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.view(a, t, r), nil
}

// Relation returns how the actor stands to a ticket (for pages that offer
// actions).
func (s *Service) Relation(ctx context.Context, a access.Actor, id int64) (Relation, error) {
	var r Relation
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		_, r, err = s.load(ctx, tx, a, id)
		return err
	})
	return r, err
}

// view is the ticket as the actor may see it.
func (s *Service) view(a access.Actor, t Ticket, r Relation) Ticket {
	if !(a.IsAdmin() || a.Role == access.HotlineOperator || r.Assignee || r.Own) {
		t.ContactPhone = enterprise.MaskPhone(t.ContactPhone)
	}
	if a.Role == access.Enterprise {
		events := t.Events[:0:0]
		for _, e := range t.Events {
			if !e.Internal {
				events = append(events, e)
			}
		}
		t.Events = events
	}
	if t.Events == nil {
		t.Events = []Event{}
	}
	if t.CoHandlers == nil {
		t.CoHandlers = []Assignee{}
	}
	return t
}

// List returns the tickets in the actor's default scope (API.md): all for
// the city admin, auditors and hotline operators; for platform staff those
// assigned now to their platform or below; for a department those assigned
// to it; for an enterprise its own. It returns the next cursor.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) ([]Ticket, string, error) {
	if err := scope(a, &f); err != nil {
		return nil, "", err
	}
	if f.Sort == "" {
		f.Sort = "newest"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	f.Limit = limit + 1
	var items []Ticket
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if items, err = tx.Tickets(ctx, f); err != nil || len(items) == 0 {
			return err
		}
		// The page's co-handlers, in one query.
		ids := make([]int64, len(items))
		for i, t := range items {
			ids[i] = t.ID
		}
		co, err := tx.CoHandlersOf(ctx, ids)
		for i := range items {
			items[i].CoHandlers = co[items[i].ID]
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = strconv.FormatInt(last.ID, 10)
		if f.Sort == "due" {
			next = strconv.FormatInt(last.DueAt.UnixMicro(), 10) + "|" + next
		}
	}
	for i := range items {
		items[i] = s.view(a, items[i], RelationOf(a, items[i], nil, nil))
	}
	return items, next, nil
}

// scope sets the actor's default scope on a filter (see List); forbidden
// for roles that see no ticket.
func scope(a access.Actor, f *Filter) error {
	switch {
	case a.ReadsAll():
		f.All = true
	case a.Role.OrgKind() == access.OrgPlatform && a.PlatformPath != "":
		f.PathPrefix = a.PlatformPath
	case a.Role == access.DepartmentStaff:
		f.Department = a.OrgCode
	case a.Role == access.Enterprise:
		f.Enterprise = a.OrgCode
	default:
		return apperr.Deny()
	}
	return nil
}

// ParseCursor reads a list cursor (the due time for the queue order, and
// the id).
func ParseCursor(c string) (at time.Time, id int64, ok bool) {
	dueStr, idStr, hasDue := strings.Cut(c, "|")
	if !hasDue {
		idStr = c
	}
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		return time.Time{}, 0, false
	}
	if hasDue {
		us, err := strconv.ParseInt(dueStr, 10, 64)
		if err != nil {
			return time.Time{}, 0, false
		}
		at = time.UnixMicro(us).UTC()
	}
	return at, id, true
}
