// Package synth generates realistic rows in bulk, for the city-scale demo
// (`qifu demo --scale city`) and the load tool (cmd/qifuload): tickets over
// years, with their history and the service records the closed ones wrote,
// routed the way intake routes them. The rows go to the database through
// store.BulkTx, bypassing the domain services: whoever loads them rebuilds
// the statistics afterwards. Generation is deterministic for a seed.
package synth

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/ticket"
)

// Caller is an enterprise that files tickets (and is served).
type Caller struct {
	USCC, Name, RegionCode, ContactName, ContactPhone string
}

// Columns of the rows a Batch holds, in the order of their values.
var (
	TicketCols = []string{"id", "channel", "category", "urgency", "enterprise_uscc", "enterprise_name", "title", "content",
		"region_code", "contact_name", "contact_phone", "status", "open", "assignee_type", "assignee_code", "assignee_path",
		"dispatcher", "sign_due_at", "due_at", "due_provisional", "dispatched_at", "signed_at", "replied_at", "closed_at",
		"extended_days", "reply", "satisfied", "score", "rated_by", "reopen_count", "public", "overdue", "sign_overdue",
		"supervised", "urged", "warned", "duplicate_of", "merged_into", "created_by", "created_at", "updated_at", "version"}
	EventCols = []string{"id", "ticket_id", "at", "actor", "actor_role", "action", "from_status", "to_status", "note",
		"internal", "data"}
	PartyCols  = []string{"ticket_id", "party_type", "party_code", "role"}
	RecordCols = []string{"id", "platform_code", "department_code", "enterprise_uscc", "kind", "service_area", "served_on",
		"note", "source", "ticket_id", "corrects", "corrected_by", "created_by", "created_at", "cancelled_at",
		"cancelled_by", "cancel_reason"}
)

// IDs are the next ids to give, continuing those in the database.
type IDs struct {
	Ticket, Event, Record int64
}

// NextIDs reads the ids that follow the largest of each table.
func NextIDs(ctx context.Context, db *store.DB) (*IDs, error) {
	ids := &IDs{}
	err := db.Raw(ctx, func(tx *sql.Tx) error {
		for _, x := range []struct {
			table string
			to    *int64
		}{{"tickets", &ids.Ticket}, {"ticket_events", &ids.Event}, {"service_records", &ids.Record}} {
			if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM "+x.table).Scan(x.to); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("synth: next ids: %w", err)
	}
	return ids, nil
}

// Batch holds generated rows, by table.
type Batch struct {
	Tickets, Events, Parties, Records [][]any
	// Open counts the open tickets among them.
	Open int
	// First and Last are the creation times of the first and last ticket.
	First, Last time.Time
}

// Rows is how many rows the batch holds.
func (b *Batch) Rows() int { return len(b.Tickets) + len(b.Events) + len(b.Parties) + len(b.Records) }

// Write inserts the batch, the tickets before what refers to them.
func (b *Batch) Write(tx *store.BulkTx) error {
	if err := tx.Insert("tickets", TicketCols, b.Tickets); err != nil {
		return err
	}
	if err := tx.Insert("ticket_parties", PartyCols, b.Parties); err != nil {
		return err
	}
	if err := tx.Insert("ticket_events", EventCols, b.Events); err != nil {
		return err
	}
	return tx.Insert("service_records", RecordCols, b.Records)
}

// TicketOptions shape the tickets.
type TicketOptions struct {
	Seed  uint64
	Now   time.Time // nothing happens after it
	Years int       // the tickets span this many years before Now
	// Callers file the tickets (one in twenty gives no credit code).
	Callers []Caller
	// Skew above 1 makes the first callers call far more often than the
	// last (a caller is drawn at the quantile u^Skew of a uniform u), as
	// the enterprises that use the service do; 0 or 1 draws evenly.
	Skew float64
	// History adds each ticket's events and its handlers (parties), and
	// the service record each closed ticket of a registered enterprise
	// wrote, as the ticket service would have.
	History bool
}

// Tickets makes realistic tickets over the years before now: most closed,
// the recent ones anywhere in the workflow, a few old ones stuck and late;
// routed the way intake routes them (to a platform that existed at the
// time), some returned and transferred up a tier or to another department;
// flags set as the supervision sweep leaves them, so that a server started
// on the data has no backlog of sweeping to do.
type Tickets struct {
	o        TicketOptions
	rng      *rand.Rand
	ids      *IDs
	routes   map[[2]string]ticket.Routed // by category and region
	district map[string]ticket.Routed    // the district platform above a region
	city     ticket.Routed
	depts    []string
	limits   map[[2]string]ticket.Limit
	since    map[string]string // platform code → first day it served
	tier     map[string]string // platform code → tier
	recent   []recentTicket    // the last tickets made, for duplicates
	firstID  int64
}

type recentTicket struct {
	id     int64
	caller Caller
	cat    string
	at     time.Time
}

// NewTickets prepares a generator over the network in the database (its
// routing, its departments, its platforms' founding dates); ids continue
// those given.
func NewTickets(ctx context.Context, db *store.DB, ids *IDs, o TicketOptions) (*Tickets, error) {
	if len(o.Callers) == 0 {
		return nil, fmt.Errorf("synth: no callers")
	}
	if o.Years < 1 {
		return nil, fmt.Errorf("synth: years must be at least 1, got %d", o.Years)
	}
	s := &Tickets{o: o, rng: rand.New(rand.NewPCG(o.Seed, 99)), ids: ids, firstID: ids.Ticket,
		routes: map[[2]string]ticket.Routed{}, district: map[string]ticket.Routed{}, limits: map[[2]string]ticket.Limit{},
		since: map[string]string{}, tier: map[string]string{}}
	for _, l := range ticket.DefaultLimits() {
		s.limits[[2]string{l.Category, l.Urgency}] = l
	}
	regions := map[string]bool{}
	for _, c := range o.Callers {
		regions[c.RegionCode] = true
	}
	err := db.Read(ctx, func(tx *store.Tx) error {
		refs, err := tx.StatsPlatformRefs(ctx)
		if err != nil {
			return err
		}
		for _, p := range refs {
			s.since[p.Code], s.tier[p.Code] = p.Since, string(p.Tier)
		}
		for region := range regions {
			for _, cat := range ticket.Categories {
				r, err := ticket.Route(ctx, tx, cat, region)
				if err != nil {
					return fmt.Errorf("route %s %s: %w", cat, region, err)
				}
				s.routes[[2]string{cat, region}] = r
			}
			chain, err := tx.RouteRegions(ctx, region)
			if err != nil {
				return err
			}
			for _, p := range chain {
				if p.Level != "district" {
					continue
				}
				if p.Platform == "" {
					return fmt.Errorf("district %s has no platform", p.Code)
				}
				s.district[region] = ticket.Routed{Assignee: ticket.Assignee{Type: ticket.ToPlatform, Code: p.Platform}, Path: p.Path, Reason: "district"}
			}
		}
		code, err := tx.RouteCity(ctx)
		if err != nil {
			return err
		}
		path, err := tx.RoutePlatformPath(ctx, code)
		s.city = ticket.Routed{Assignee: ticket.Assignee{Type: ticket.ToPlatform, Code: code}, Path: path, Reason: "city"}
		if err != nil {
			return err
		}
		s.depts, err = tx.RouteDepartments(ctx, "rights_infringement")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	if len(s.depts) == 0 {
		return nil, fmt.Errorf("synth: no department handles rights_infringement: load the demo network first")
	}
	for region := range regions {
		if _, ok := s.district[region]; !ok {
			return nil, fmt.Errorf("synth: region %s has no district platform above it", region)
		}
	}
	return s, nil
}

func pickWeighted[T any](r *rand.Rand, items []T, weights []int) T {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n -= w; n < 0 {
			return items[i]
		}
	}
	return items[len(items)-1]
}

// Skewed draws an index below n, at the quantile u^k of a uniform u: the
// first indexes far more often than the last when k > 1.
func Skewed(r *rand.Rand, n int, k float64) int {
	if k <= 1 {
		return r.IntN(n)
	}
	return min(int(float64(n)*math.Pow(r.Float64(), k)), n-1)
}

var cst = time.FixedZone("CST", 8*3600)

// CreatedAt is the i-th of n creation times, oldest first: spread over the
// years with the service growing (twice as many tickets now as at the
// start), in office hours mostly.
func (s *Tickets) CreatedAt(i, n int) time.Time {
	u := (float64(i) + s.rng.Float64()) / float64(n)
	x := -1 + math.Sqrt(1+3*u) // density ∝ 1 + x on [0, 1]
	span := time.Duration(s.o.Years) * 365 * 24 * time.Hour
	at := s.o.Now.Add(-span + time.Duration(x*float64(span)))
	if h := at.In(cst).Hour(); h < 8 || h > 19 {
		if s.rng.IntN(10) != 0 { // a few come in at night (the website)
			at = at.Add(12 * time.Hour)
		}
	}
	if at.After(s.o.Now) {
		at = s.o.Now.Add(-time.Duration(s.rng.IntN(3600)) * time.Second)
	}
	return at.UTC().Truncate(time.Microsecond)
}

func (s *Tickets) hours(lo, hi int) time.Duration {
	return time.Duration(lo*3600+s.rng.IntN((hi-lo)*3600+1)) * time.Second
}

// deadlines are the sign and handling limits of a ticket dispatched at
// from (working days: Monday to Friday).
func (s *Tickets) deadlines(cat, urgency string, from time.Time) (signDue, due time.Time) {
	l := s.limits[[2]string{cat, urgency}]
	cal := ticket.Weekdays{}
	signDue = from.Add(time.Duration(l.SignHours) * time.Hour)
	if l.SignHours == 0 {
		signDue, _, _ = cal.AddWorkingDays(from, l.SignDays)
	}
	due = from.Add(time.Duration(l.HandleHours) * time.Hour)
	if l.HandleHours == 0 {
		due, _, _ = cal.AddWorkingDays(from, l.HandleDays)
	}
	return signDue.UTC(), due.UTC()
}

// route is where intake sends a ticket of the category from the region
// at a moment: a street platform founded later sends it to the district's.
func (s *Tickets) route(cat, region string, at time.Time) ticket.Routed {
	r := s.routes[[2]string{cat, region}]
	if r.Assignee.Type == ticket.ToPlatform && s.since[r.Assignee.Code] > record.Today(at) {
		return s.district[region]
	}
	return r
}

// actor is a handler's staff member, as the events name them.
func (s *Tickets) actor(a ticket.Assignee) (string, string) {
	if a.Type == ticket.ToDepartment {
		return "demo." + a.Code, string(access.DepartmentStaff)
	}
	role := map[string]access.Role{"city": access.DistrictStaff, "district": access.DistrictStaff,
		"street": access.StreetStaff, "specialised": access.SpecialisedStaff}[s.tier[a.Code]]
	return "demo." + a.Code, string(role)
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Make appends the tickets i to j (of n in all, oldest first) to b.
func (s *Tickets) Make(b *Batch, i, j, n int) {
	for k := i; k < j; k++ {
		at := s.CreatedAt(k, n)
		if len(b.Tickets) == 0 {
			b.First = at
		}
		b.Last = at
		s.next(b, at)
	}
}

// event is one step of a ticket's history being made.
type event struct {
	at                  time.Time
	actor, role, action string
	from, to            ticket.Status
	note, data          string
}

// next makes the ticket created at `at`.
func (s *Tickets) next(b *Batch, at time.Time) {
	r := s.rng
	id := s.ids.Ticket
	s.ids.Ticket++
	now := s.o.Now

	age := now.Sub(at).Hours() / 24
	var pOpen float64
	switch {
	case age < 1:
		pOpen = 0.97
	case age < 5:
		pOpen = 0.8
	case age < 15:
		pOpen = 0.45
	case age < 45:
		pOpen = 0.15
	default:
		pOpen = 0.005
	}
	var status ticket.Status
	switch {
	case r.Float64() >= pOpen:
		status = ticket.Closed
		if r.IntN(100) == 0 && id > s.firstID+10 && len(s.recent) > 0 {
			status = ticket.Merged
		}
	case age < 1:
		status = pickWeighted(r, []ticket.Status{ticket.Dispatched, ticket.Signed, ticket.Returned}, []int{60, 35, 5})
	default:
		status = pickWeighted(r, []ticket.Status{ticket.Signed, ticket.Replied, ticket.Dispatched, ticket.Returned, ticket.Reopened},
			[]int{62, 18, 8, 3, 9})
	}

	cat := pickWeighted(r, ticket.Categories, []int{35, 25, 15, 10, 15})
	channel := pickWeighted(r, ticket.Channels, []int{55, 30, 10, 5})
	urgency := pickWeighted(r, ticket.Urgencies, []int{88, 10, 2})
	c := s.o.Callers[Skewed(r, len(s.o.Callers), s.o.Skew)]
	var dup *recentTicket
	if status == ticket.Merged {
		// The same enterprise again about the same matter, soon after.
		d := s.recent[r.IntN(len(s.recent))]
		dup, c, cat = &d, d.caller, d.cat
	}
	req := requests[cat][r.IntN(len(requests[cat]))]
	uscc, name := c.USCC, c.Name
	if dup == nil && r.IntN(20) == 0 { // a caller whose enterprise is not registered yet
		uscc, name = "", ""
	}
	created := map[string]struct{ user, role string }{"hotline": {"hotline", string(access.HotlineOperator)},
		"web": {"enterprise", string(access.Enterprise)}, "walk_in": {"street", string(access.StreetStaff)},
		"api": {"hotline", string(access.HotlineOperator)}}[channel]

	first := s.route(cat, c.RegionCode, at)
	route := first
	switch n := r.IntN(100); {
	case first.Assignee.Type == ticket.ToDepartment && n < 40 && len(s.depts) > 1:
		// Returned, and transferred to another department that owns the matter.
		k := (indexOf(s.depts, first.Assignee.Code) + 1 + r.IntN(len(s.depts)-1)) % len(s.depts)
		route = ticket.Routed{Assignee: ticket.Assignee{Type: ticket.ToDepartment, Code: s.depts[k]}}
	case first.Assignee.Type == ticket.ToPlatform && n < 3:
		route = s.district[c.RegionCode] // returned, sent up a tier
	case first.Assignee.Type == ticket.ToPlatform && n < 4:
		route = s.city
	}
	if status == ticket.Merged {
		route = first
	}
	moved := route.Assignee != first.Assignee
	dispatcher := ""
	if route.Path != "" {
		dispatcher, _, _ = strings.Cut(strings.TrimPrefix(route.Path, "/"), "/")
	}

	updated := at
	later := func(t time.Time, d time.Duration) time.Time {
		t = t.Add(d)
		if t.After(now) {
			t = now.Add(-time.Duration(r.IntN(600)) * time.Second)
		}
		if t.Before(updated) {
			t = updated
		}
		t = t.Truncate(time.Microsecond)
		updated = t
		return t
	}
	var evs []event
	add := func(at time.Time, user, role, action string, from, to ticket.Status, note, data string) {
		evs = append(evs, event{at, user, role, action, from, to, note, data})
	}
	createData := map[string]any{"assignee": first.Assignee, "route": first.Reason}
	if dup != nil {
		createData["duplicate_of"] = dup.id
	}
	add(at, created.user, created.role, "create", "", ticket.Dispatched, "", jsonOf(createData))
	dispatched := at
	handler, handlerRole := s.actor(route.Assignee)
	if moved {
		u, role := s.actor(first.Assignee)
		ret := later(at, s.hours(1, 6))
		add(ret, u, role, "return", ticket.Dispatched, ticket.Returned, "该事项不属于本单位职责范围", "")
		dispatched = later(ret, s.hours(1, 4))
		add(dispatched, "admin", string(access.CityAdmin), "transfer", ticket.Returned, ticket.Dispatched, "改派有关单位办理",
			jsonOf(map[string]any{"from": first.Assignee, "to": route.Assignee}))
	}
	signDue, due := s.deadlines(cat, urgency, dispatched)

	var signed, replied, closed, sat, score, dupOf, merged any
	reply, ratedBy := "", ""
	reopen, extended := 0, 0
	var signedAt, repliedAt time.Time
	sign := func(from ticket.Status) {
		signedAt = later(dispatched, s.hours(1, 20))
		signed = signedAt
		add(signedAt, handler, handlerRole, "sign", from, ticket.Signed, "", "")
	}
	extend := func() {
		if r.IntN(10) != 0 {
			return
		}
		extended = 3
		due, _, _ = ticket.Weekdays{}.AddWorkingDays(due.Add(-time.Nanosecond), extended)
		due = due.UTC()
		add(later(signedAt, s.hours(20, 30)), handler, handlerRole, "extend", ticket.Signed, ticket.Signed, "需会同相关部门核实",
			jsonOf(map[string]any{"days": extended, "due_at": due}))
	}
	answer := func(d time.Duration) {
		repliedAt = later(updated, d)
		replied = repliedAt
		reply = replies[r.IntN(len(replies))]
		add(repliedAt, handler, handlerRole, "reply", ticket.Signed, ticket.Replied, reply, "")
	}
	switch status {
	case ticket.Merged:
		dupOf, merged = dup.id, dup.id
		cl := later(at, s.hours(1, 4))
		closed = cl
		add(cl, "hotline", string(access.HotlineOperator), "merge", ticket.Dispatched, ticket.Merged, "重复来电，合并办理",
			jsonOf(map[string]any{"into": ticket.NumberOf(dup.id, dup.at)}))
	case ticket.Closed:
		sign(ticket.Dispatched)
		extend()
		answer(s.hours(24, 120))
		switch n := r.IntN(20); {
		case n < 1: // never rated: closed when the rating window passed
			ratedBy = "not_rated"
			cl := later(repliedAt, s.hours(120, 200))
			closed = cl
			add(cl, "supervision", "system", "auto_close", ticket.Replied, ticket.Closed, "", `{"rated":false}`)
		case n < 3: // unsatisfied, handled again, then satisfied at the return visit
			reopen, ratedBy, sat = 1, "visit", true
			no := later(repliedAt, s.hours(2, 40))
			add(no, "enterprise", string(access.Enterprise), "rate", ticket.Replied, ticket.Reopened, "问题没有解决",
				jsonOf(map[string]any{"satisfied": false, "rated_by": "enterprise"}))
			dispatched = no
			signDue, due = s.deadlines(cat, urgency, dispatched)
			sign(ticket.Reopened)
			answer(s.hours(24, 72))
			cl := later(repliedAt, s.hours(20, 48))
			closed = cl
			add(cl, "hotline", string(access.HotlineOperator), "visit", ticket.Replied, ticket.Closed, "回访企业表示满意",
				jsonOf(map[string]any{"satisfied": true, "rated_by": "visit"}))
		case n < 9: // satisfied at the hotline's return visit
			sc := 3 + r.IntN(3)
			sat, score, ratedBy = true, sc, "visit"
			cl := later(repliedAt, s.hours(20, 48))
			closed = cl
			add(cl, "hotline", string(access.HotlineOperator), "visit", ticket.Replied, ticket.Closed, "回访满意",
				jsonOf(map[string]any{"satisfied": true, "rated_by": "visit", "score": sc}))
		default: // rated by the enterprise
			sc := 3 + r.IntN(3)
			ok := n != 19
			if !ok {
				sc = 1 + r.IntN(2)
			}
			sat, score, ratedBy = ok, sc, "enterprise"
			cl := later(repliedAt, s.hours(2, 40))
			closed = cl
			add(cl, "enterprise", string(access.Enterprise), "rate", ticket.Replied, ticket.Closed, "",
				jsonOf(map[string]any{"satisfied": ok, "rated_by": "enterprise", "score": sc}))
		}
	case ticket.Signed:
		sign(ticket.Dispatched)
		extend()
	case ticket.Returned:
		add(later(dispatched, s.hours(1, 20)), handler, handlerRole, "return", ticket.Dispatched, ticket.Returned,
			"该事项不属于本单位职责范围", "")
	case ticket.Replied:
		sign(ticket.Dispatched)
		extend()
		// Within the rating window: the sweep has nothing to close yet.
		d := now.Add(-s.hours(0, 48)).Sub(updated)
		answer(max(d, 0))
	case ticket.Reopened:
		sign(ticket.Dispatched)
		answer(s.hours(24, 72))
		sat, ratedBy, reopen = false, "enterprise", 1
		no := later(repliedAt, s.hours(2, 40))
		add(no, "enterprise", string(access.Enterprise), "rate", ticket.Replied, ticket.Reopened, "问题没有解决",
			jsonOf(map[string]any{"satisfied": false, "rated_by": "enterprise"}))
		dispatched = no
		signDue, due = s.deadlines(cat, urgency, dispatched)
		signed, replied = nil, nil
	}

	// What the supervision sweep finds: late signing and answering.
	running := status.Running()
	overdue := running && due.Before(now) || replied != nil && repliedAt.After(due)
	signOverdue := signed == nil && running && status != ticket.Returned && signDue.Before(now) ||
		signed != nil && signedAt.After(signDue)
	warned := running && !due.After(now.Add(ticket.DefaultWarnHours*time.Hour)) || overdue
	supervised := overdue && running && r.IntN(10) < 3
	urged := 0
	if supervised {
		urged = 1 + r.IntN(2)
	}
	if status.Open() {
		b.Open++
	}
	b.Tickets = append(b.Tickets, []any{id, channel, cat, urgency, uscc, name, req[0], req[1],
		c.RegionCode, c.ContactName, c.ContactPhone, string(status), status.Open(), string(route.Assignee.Type), route.Assignee.Code,
		route.Path, dispatcher, signDue, due, false, dispatched, signed, replied, closed,
		extended, reply, sat, score, ratedBy, reopen, r.IntN(3) == 0, overdue, signOverdue,
		supervised, urged, warned, dupOf, merged, created.user, at, updated, len(evs)})

	if uscc != "" && status != ticket.Merged {
		s.recent = append(s.recent, recentTicket{id: id, caller: c, cat: cat, at: at})
		if len(s.recent) > 500 {
			s.recent = s.recent[len(s.recent)-400:]
		}
	}
	if !s.o.History {
		return
	}
	b.Parties = append(b.Parties, []any{id, string(first.Assignee.Type), first.Assignee.Code, "handler"})
	if moved {
		b.Parties = append(b.Parties, []any{id, string(route.Assignee.Type), route.Assignee.Code, "handler"})
	}
	for _, e := range evs {
		b.Events = append(b.Events, []any{s.ids.Event, id, e.at, e.actor, e.role, e.action, string(e.from), string(e.to),
			e.note, false, e.data})
		s.ids.Event++
	}
	if status == ticket.Closed && uscc != "" {
		// The record the closing wrote (record.ForTicket).
		cl := closed.(time.Time)
		last := evs[len(evs)-1]
		var platform, department any
		if route.Assignee.Type == ticket.ToDepartment {
			department = route.Assignee.Code
		} else {
			platform = route.Assignee.Code
		}
		b.Records = append(b.Records, []any{s.ids.Record, platform, department, uscc, record.KindTicket,
			record.AreaForTicket(cat, req[0], req[1]), record.Today(cl), "", record.SourceTicket, id, nil, nil,
			last.actor, cl, nil, "", ""})
		s.ids.Record++
	}
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return 0
}
