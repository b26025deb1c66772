package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/notify"
	"github.com/qifu/qifu/internal/ticket"
)

var _ ticket.Tx = (*Tx)(nil)

// ---- routing directory ----

// RouteRegions returns a region and those above it, nearest first.
func (tx *Tx) RouteRegions(ctx context.Context, code string) ([]ticket.Place, error) {
	// One statement: the chain of regions up to the city, each with the
	// comprehensive platform of its tier (intake routes every ticket). A
	// region has at most one platform of a tier other than specialised
	// (index platforms_one_per_region), so the join adds no rows.
	rows, err := tx.query(ctx, `WITH RECURSIVE chain (code, level, parent, depth) AS (
			SELECT code, level, parent_code, 0 FROM regions WHERE code = ?
			UNION ALL
			SELECT r.code, r.level, r.parent_code, c.depth + 1 FROM regions r JOIN chain c ON r.code = c.parent WHERE c.depth < 4)
		SELECT c.code, c.level, COALESCE(p.code, ''), COALESCE(p.path, '')
		FROM chain c LEFT JOIN platforms p ON p.region_code = c.code AND p.tier = c.level AND p.tier <> 'specialised'
		ORDER BY c.depth`, code)
	if err != nil {
		return nil, mapErr(err, "store: route regions")
	}
	out, err := collect(rows, func(s interface{ Scan(...any) error }) (ticket.Place, error) {
		var p ticket.Place
		err := s.Scan(&p.Code, &p.Level, &p.Platform, &p.Path)
		return p, err
	}, "regions")
	if err == nil && len(out) == 0 {
		err = notFound(sql.ErrNoRows, "object.region", code)
	}
	return out, err
}

// RoutePlatformPath returns a platform's path.
func (tx *Tx) RoutePlatformPath(ctx context.Context, code string) (string, error) {
	var path string
	if err := tx.queryRow(ctx, "SELECT path FROM platforms WHERE code = ?", code).Scan(&path); err != nil {
		return "", notFound(err, "object.platform", code)
	}
	return path, nil
}

// RouteDepartments lists the departments owning a category, by code.
func (tx *Tx) RouteDepartments(ctx context.Context, category string) ([]string, error) {
	rows, err := tx.query(ctx, "SELECT department_code FROM department_categories WHERE category = ? ORDER BY department_code", category)
	if err != nil {
		return nil, mapErr(err, "store: route departments")
	}
	return collect(rows, scanString, "departments")
}

func scanString(s interface{ Scan(...any) error }) (string, error) {
	var v string
	err := s.Scan(&v)
	return v, err
}

// RouteDepartmentExists reports whether a department exists.
func (tx *Tx) RouteDepartmentExists(ctx context.Context, code string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, "SELECT COUNT(*) FROM departments WHERE code = ?", code).Scan(&n)
	return n > 0, mapErr(err, "store: department exists")
}

// RoutingRules lists the routing rules.
func (tx *Tx) RoutingRules(ctx context.Context) ([]ticket.Rule, error) {
	rows, err := tx.query(ctx, "SELECT id, category, region_code, target_type, target_code, priority, note, created_at FROM ticket_rules ORDER BY id")
	if err != nil {
		return nil, mapErr(err, "store: routing rules")
	}
	return collect(rows, func(s interface{ Scan(...any) error }) (ticket.Rule, error) {
		var r ticket.Rule
		err := s.Scan(&r.ID, &r.Category, &r.RegionCode, &r.Target.Type, &r.Target.Code, &r.Priority, &r.Note, &r.CreatedAt)
		return r, err
	}, "rules")
}

// InsertRule stores a routing rule and sets its id.
func (tx *Tx) InsertRule(ctx context.Context, r *ticket.Rule) error {
	err := tx.queryRow(ctx, `INSERT INTO ticket_rules (category, region_code, target_type, target_code, priority, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.Category, r.RegionCode, r.Target.Type, r.Target.Code, r.Priority, r.Note, r.CreatedAt).Scan(&r.ID)
	return mapErr(err, "store: insert rule")
}

// DeleteRule removes a routing rule (not_found when none).
func (tx *Tx) DeleteRule(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, "DELETE FROM ticket_rules WHERE id = ?", id)
	if err != nil {
		return mapErr(err, "store: delete rule")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundOf("object.rule", strconv.FormatInt(id, 10))
	}
	return nil
}

// ---- limits ----

// TicketLimit returns the time limit of a category and urgency: the city's
// own setting, or the default.
func (tx *Tx) TicketLimit(ctx context.Context, category, urgency string) (ticket.Limit, error) {
	l := ticket.Limit{Category: category, Urgency: urgency}
	err := tx.queryRow(ctx, `SELECT sign_hours, sign_days, handle_hours, handle_days, max_extension_days, return_days
		FROM ticket_limits WHERE category = ? AND urgency = ?`, category, urgency).Scan(
		&l.SignHours, &l.SignDays, &l.HandleHours, &l.HandleDays, &l.MaxExtensionDays, &l.ReturnDays)
	if errors.Is(err, sql.ErrNoRows) {
		for _, d := range ticket.DefaultLimits() {
			if d.Category == category && d.Urgency == urgency {
				return d, nil
			}
		}
		return l, apperr.Field("category", "invalid_category", "error.invalid_choice")
	}
	return l, mapErr(err, "store: ticket limit")
}

// SaveTicketLimit stores one limit.
func (tx *Tx) SaveTicketLimit(ctx context.Context, l ticket.Limit, at time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO ticket_limits (category, urgency, sign_hours, sign_days, handle_hours, handle_days,
		max_extension_days, return_days, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (category, urgency) DO UPDATE SET sign_hours = excluded.sign_hours, sign_days = excluded.sign_days,
		handle_hours = excluded.handle_hours, handle_days = excluded.handle_days, max_extension_days = excluded.max_extension_days,
		return_days = excluded.return_days, updated_at = excluded.updated_at`,
		l.Category, l.Urgency, l.SignHours, l.SignDays, l.HandleHours, l.HandleDays, l.MaxExtensionDays, l.ReturnDays, at)
	return mapErr(err, "store: save ticket limit")
}

// ---- tickets ----

const ticketCols = `t.id, t.channel, t.category, t.urgency, t.enterprise_uscc, t.enterprise_name, t.title, t.content,
	t.region_code, t.contact_name, t.contact_phone, t.status, t.assignee_type, t.assignee_code, t.assignee_path,
	t.dispatcher, t.sign_due_at, t.due_at, t.due_provisional, t.dispatched_at, t.signed_at, t.replied_at, t.closed_at,
	t.extended_days, t.reply, t.satisfied, t.score, t.rated_by, t.reopen_count, t.public, t.overdue, t.sign_overdue,
	t.supervised, t.urged, t.warned, t.duplicate_of, t.merged_into, t.created_by, t.created_at, t.updated_at, t.version`

func scanTicket(s interface{ Scan(...any) error }) (ticket.Ticket, error) {
	var t ticket.Ticket
	var signed, replied, closed nullTime
	var sat sql.NullBool
	var score, dup, merged sql.NullInt64
	err := s.Scan(&t.ID, &t.Channel, &t.Category, &t.Urgency, &t.EnterpriseUSCC, &t.EnterpriseName, &t.Title, &t.Content,
		&t.RegionCode, &t.ContactName, &t.ContactPhone, &t.Status, &t.Assignee.Type, &t.Assignee.Code, &t.AssigneePath,
		&t.Dispatcher, &t.SignDueAt, &t.DueAt, &t.DueProvisional, &t.DispatchedAt, &signed, &replied, &closed,
		&t.ExtendedDays, &t.Reply, &sat, &score, &t.RatedBy, &t.ReopenCount, &t.Public, &t.Overdue, &t.SignOverdue,
		&t.Supervised, &t.Urged, &t.Warned, &dup, &merged, &t.CreatedBy, &t.CreatedAt, &t.UpdatedAt, &t.Version)
	t.SignedAt, t.RepliedAt, t.ClosedAt = signed.Ptr(), replied.Ptr(), closed.Ptr()
	if sat.Valid {
		t.Satisfied = &sat.Bool
	}
	if score.Valid {
		v := int(score.Int64)
		t.Score = &v
	}
	if dup.Valid {
		t.DuplicateOf = &dup.Int64
	}
	if merged.Valid {
		t.MergedInto = &merged.Int64
	}
	t.Number = ticket.NumberOf(t.ID, t.CreatedAt)
	return t, err
}

func ticketArgs(t ticket.Ticket) []any {
	var sat, score, dup, merged any
	if t.Satisfied != nil {
		sat = *t.Satisfied
	}
	if t.Score != nil {
		score = *t.Score
	}
	if t.DuplicateOf != nil {
		dup = *t.DuplicateOf
	}
	if t.MergedInto != nil {
		merged = *t.MergedInto
	}
	return []any{t.Channel, t.Category, t.Urgency, t.EnterpriseUSCC, t.EnterpriseName, t.Title, t.Content,
		t.RegionCode, t.ContactName, t.ContactPhone, string(t.Status), t.Status.Open(), string(t.Assignee.Type), t.Assignee.Code,
		t.AssigneePath, t.Dispatcher, t.SignDueAt, t.DueAt, t.DueProvisional, t.DispatchedAt, timePtr(t.SignedAt),
		timePtr(t.RepliedAt), timePtr(t.ClosedAt), t.ExtendedDays, t.Reply, sat, score, t.RatedBy, t.ReopenCount,
		t.Public, t.Overdue, t.SignOverdue, t.Supervised, t.Urged, t.Warned, dup, merged, t.CreatedBy, t.CreatedAt,
		t.UpdatedAt, t.Version}
}

const ticketWriteCols = `channel, category, urgency, enterprise_uscc, enterprise_name, title, content, region_code,
	contact_name, contact_phone, status, open, assignee_type, assignee_code, assignee_path, dispatcher, sign_due_at,
	due_at, due_provisional, dispatched_at, signed_at, replied_at, closed_at, extended_days, reply, satisfied, score,
	rated_by, reopen_count, public, overdue, sign_overdue, supervised, urged, warned, duplicate_of, merged_into,
	created_by, created_at, updated_at, version`

// InsertTicket stores a new ticket and sets its id and number.
func (tx *Tx) InsertTicket(ctx context.Context, t *ticket.Ticket) error {
	err := tx.queryRow(ctx, "INSERT INTO tickets ("+ticketWriteCols+") VALUES ("+placeholders(41)+") RETURNING id",
		ticketArgs(*t)...).Scan(&t.ID)
	if err != nil {
		return mapErr(err, "store: insert ticket")
	}
	t.Number = ticket.NumberOf(t.ID, t.CreatedAt)
	return tx.statsTicket(ctx, nil, *t)
}

// Ticket returns one ticket, or not_found.
func (tx *Tx) Ticket(ctx context.Context, id int64) (ticket.Ticket, error) {
	t, err := scanTicket(tx.queryRow(ctx, "SELECT "+ticketCols+" FROM tickets t WHERE t.id = ?", id))
	if err != nil {
		return ticket.Ticket{}, notFound(err, "object.ticket", strconv.FormatInt(id, 10))
	}
	return t, nil
}

var ticketUpdateSet = func() string {
	cols := strings.Split(strings.Join(strings.Fields(ticketWriteCols), ""), ",")
	for i, c := range cols {
		cols[i] = c + " = ?"
	}
	return strings.Join(cols, ", ")
}()

// UpdateTicket stores t when the stored version is still version;
// otherwise someone acted first: conflict.
func (tx *Tx) UpdateTicket(ctx context.Context, t ticket.Ticket, version int64) error {
	before, err := tx.statsTicketBefore(ctx, t.ID, version)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "UPDATE tickets SET "+ticketUpdateSet+" WHERE id = ? AND version = ?",
		append(ticketArgs(t), t.ID, version)...)
	if err != nil {
		return mapErr(err, "store: update ticket")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &apperr.Error{Kind: apperr.Conflict, Code: "concurrent_update", Key: "error.concurrent_update"}
	}
	return tx.statsTicket(ctx, &before, t)
}

// AppendEvent adds an event to a ticket's history.
func (tx *Tx) AppendEvent(ctx context.Context, e ticket.Event) error {
	_, err := tx.exec(ctx, `INSERT INTO ticket_events (ticket_id, at, actor, actor_role, action, from_status, to_status, note, internal, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.TicketID, e.At, e.Actor, e.ActorRole, e.Action, string(e.FromStatus),
		string(e.ToStatus), e.Note, e.Internal, e.Data)
	return mapErr(err, "store: append ticket event")
}

// Events returns a ticket's events, oldest first.
func (tx *Tx) Events(ctx context.Context, ticketID int64) ([]ticket.Event, error) {
	rows, err := tx.query(ctx, `SELECT id, ticket_id, at, actor, actor_role, action, from_status, to_status, note, internal, data
		FROM ticket_events WHERE ticket_id = ? ORDER BY id`, ticketID)
	if err != nil {
		return nil, mapErr(err, "store: ticket events")
	}
	return collect(rows, func(s interface{ Scan(...any) error }) (ticket.Event, error) {
		var e ticket.Event
		err := s.Scan(&e.ID, &e.TicketID, &e.At, &e.Actor, &e.ActorRole, &e.Action, &e.FromStatus, &e.ToStatus, &e.Note, &e.Internal, &e.Data)
		return e, err
	}, "events")
}

// Parties returns the organisations that handled a ticket and those
// helping with it.
func (tx *Tx) Parties(ctx context.Context, ticketID int64) ([]ticket.Assignee, []ticket.Assignee, error) {
	rows, err := tx.query(ctx, "SELECT party_type, party_code, role FROM ticket_parties WHERE ticket_id = ? ORDER BY party_type, party_code", ticketID)
	if err != nil {
		return nil, nil, mapErr(err, "store: ticket parties")
	}
	defer rows.Close()
	var former, co []ticket.Assignee
	for rows.Next() {
		var a ticket.Assignee
		var role string
		if err := rows.Scan(&a.Type, &a.Code, &role); err != nil {
			return nil, nil, mapErr(err, "store: ticket parties")
		}
		if role == "co_handler" {
			co = append(co, a)
		} else {
			former = append(former, a)
		}
	}
	return former, co, mapErr(rows.Err(), "store: ticket parties")
}

// CoHandlersOf returns the co-handlers of several tickets, by ticket.
func (tx *Tx) CoHandlersOf(ctx context.Context, ticketIDs []int64) (map[int64][]ticket.Assignee, error) {
	out := map[int64][]ticket.Assignee{}
	if len(ticketIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(ticketIDs))
	for i, id := range ticketIDs {
		args[i] = id
	}
	rows, err := tx.query(ctx, "SELECT ticket_id, party_type, party_code FROM ticket_parties WHERE role = 'co_handler' AND ticket_id IN ("+
		placeholders(len(args))+") ORDER BY ticket_id, party_type, party_code", args...)
	if err != nil {
		return nil, mapErr(err, "store: co-handlers")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a ticket.Assignee
		if err := rows.Scan(&id, &a.Type, &a.Code); err != nil {
			return nil, mapErr(err, "store: co-handlers")
		}
		out[id] = append(out[id], a)
	}
	return out, mapErr(rows.Err(), "store: co-handlers")
}

// AddParty records an organisation's part in a ticket.
func (tx *Tx) AddParty(ctx context.Context, ticketID int64, a ticket.Assignee, role string) error {
	_, err := tx.exec(ctx, `INSERT INTO ticket_parties (ticket_id, party_type, party_code, role) VALUES (?, ?, ?, ?)
		ON CONFLICT (ticket_id, party_type, party_code, role) DO NOTHING`, ticketID, string(a.Type), a.Code, role)
	return mapErr(err, "store: add ticket party")
}

// Tickets lists tickets by the filter: newest first, or by deadline.
func (tx *Tx) Tickets(ctx context.Context, f ticket.Filter) ([]ticket.Ticket, error) {
	w := ticketWhere(tx.dialect, f)
	if len(f.Statuses) > 0 {
		args := make([]any, len(f.Statuses))
		for i, s := range f.Statuses {
			args[i] = string(s)
		}
		w.add("t.status IN ("+placeholders(len(args))+")", args...)
	}
	if f.Open || f.Sort == "due" {
		w.add("t.open = ?", true)
	}
	order := " ORDER BY t.id DESC"
	if f.Sort == "due" {
		order = " ORDER BY t.due_at, t.id"
		if f.AfterID != 0 {
			w.add("(t.due_at > ? OR (t.due_at = ? AND t.id > ?))", f.AfterAt, f.AfterAt, f.AfterID)
		}
	} else if f.AfterID != 0 {
		w.add("t.id < ?", f.AfterID)
	}
	rows, err := tx.query(ctx, "SELECT "+ticketCols+" FROM tickets t"+w.String()+order+" LIMIT ?", append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: list tickets")
	}
	return collect(rows, scanTicket, "tickets")
}

// CountTickets counts the open tickets matching the filter by status.
func (tx *Tx) CountTickets(ctx context.Context, f ticket.Filter) (map[ticket.Status]int, error) {
	w := ticketWhere(tx.dialect, f)
	w.add("t.open = ?", true)
	out := map[ticket.Status]int{}
	if (f.All || f.PathPrefix != "") && f.Assignee == nil && f.USCC == "" && f.Number == 0 {
		// A subtree of platforms, or everyone's: the open statuses are
		// named too (the same tickets: open mirrors the status), so that
		// the index on (open, status, assignee_path) is sought status by
		// status and read alone.
		w.add("t.status IN ("+placeholders(len(openStatuses))+")", openStatuses...)
		rows, err := tx.query(ctx, "SELECT t.status, COUNT(*) FROM tickets t"+w.String()+" GROUP BY t.status", w.args...)
		if err != nil {
			return nil, mapErr(err, "store: count tickets")
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				return nil, mapErr(err, "store: count tickets")
			}
			out[ticket.Status(s)] = n
		}
		return out, mapErr(rows.Err(), "store: count tickets")
	}
	// A department, an enterprise or one assignee: their own index finds
	// their open tickets, but grouping by status would draw SQLite's
	// planner to the status index above for its order (and every open
	// ticket be read); one row of counts does not.
	cols := make([]string, len(openStatuses))
	n := make([]int, len(openStatuses))
	dest := make([]any, len(openStatuses))
	for i := range cols {
		cols[i], dest[i] = "COUNT(CASE WHEN t.status = ? THEN 1 END)", &n[i]
	}
	err := tx.queryRow(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM tickets t"+w.String(),
		append(append([]any{}, openStatuses...), w.args...)...).Scan(dest...)
	if err != nil {
		return nil, mapErr(err, "store: count tickets")
	}
	for i, s := range openStatuses {
		if n[i] > 0 {
			out[ticket.Status(s.(string))] = n[i]
		}
	}
	return out, nil
}

// openStatuses are the statuses with work left.
var openStatuses = func() []any {
	var out []any
	for _, s := range ticket.Statuses {
		if s.Open() {
			out = append(out, string(s))
		}
	}
	return out
}()

// ticketWhere holds the conditions of a filter shared by lists and counts:
// scope and the filters other than status, cursor and order.
func ticketWhere(d Dialect, f ticket.Filter) where {
	var w where
	switch {
	case f.All:
	case f.PathPrefix != "":
		cond, args := pathPrefix(d, "t.assignee_path", f.PathPrefix)
		w.add(cond, args...)
	case f.Department != "":
		w.add("t.assignee_type = 'department' AND t.assignee_code = ?", f.Department)
	case f.Enterprise != "":
		w.add("t.enterprise_uscc = ?", f.Enterprise)
	default:
		w.add("1 = 0")
	}
	if f.Assignee != nil {
		w.add("t.assignee_type = ? AND t.assignee_code = ?", string(f.Assignee.Type), f.Assignee.Code)
	}
	switch {
	case f.Overdue && !f.Now.IsZero():
		// Deadlines passed before the supervision job flagged them.
		w.add(`(t.overdue = ? OR t.sign_overdue = ? OR (t.status IN (?, ?, ?, ?) AND t.due_at < ?)
			OR (t.status IN (?, ?) AND t.sign_due_at < ?))`, true, true,
			string(ticket.Dispatched), string(ticket.Signed), string(ticket.Returned), string(ticket.Reopened), f.Now,
			string(ticket.Dispatched), string(ticket.Reopened), f.Now)
	case f.Overdue:
		w.add("(t.overdue = ? OR t.sign_overdue = ?)", true, true)
	}
	if f.Supervised {
		w.add("t.supervised = ?", true)
	}
	w.addIf(f.Category, "t.category = ?")
	w.addIf(f.USCC, "t.enterprise_uscc = ?")
	if f.Number != 0 {
		w.add("t.id = ?", f.Number)
	}
	w.addSearch(f.Q, "t.title", "t.enterprise_name")
	return w
}

// RecentSimilarCandidates lists the latest open tickets (at most 20) of an
// enterprise and category created since a time, newest first: a walk down
// the index, however many tickets the enterprise has.
func (tx *Tx) RecentSimilarCandidates(ctx context.Context, uscc, category string, since time.Time) ([]ticket.Ticket, error) {
	// Only what the comparison needs: the id, title and content.
	rows, err := tx.query(ctx, `SELECT t.id, t.title, t.content FROM tickets t WHERE t.enterprise_uscc = ? AND t.category = ?
		AND t.created_at >= ? AND t.open = ? ORDER BY t.created_at DESC LIMIT 20`, uscc, category, since, true)
	if err != nil {
		return nil, mapErr(err, "store: similar tickets")
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (ticket.Ticket, error) {
		var t ticket.Ticket
		return t, r.Scan(&t.ID, &t.Title, &t.Content)
	}, "tickets")
}

// EnterpriseName returns the registered name of a credit code.
func (tx *Tx) EnterpriseName(ctx context.Context, uscc string) (string, bool, error) {
	var name string
	err := tx.queryRow(ctx, "SELECT name FROM enterprises WHERE uscc = ?", uscc).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return name, err == nil, mapErr(err, "store: enterprise name")
}

// Notify queues a notice about a ticket in the outbox, in the current
// transaction.
func (tx *Tx) Notify(ctx context.Context, n ticket.Notice) error {
	m := notify.Message{Key: n.Key, Params: n.Params, Link: n.Link, ObjectType: "ticket",
		ObjectID: strconv.FormatInt(n.TicketID, 10), At: n.At}
	var to []notify.Message
	if n.ToOrg != nil {
		// Every active staff user of the platform or department.
		roles := []any{string(access.CityAdmin), string(access.DistrictStaff), string(access.StreetStaff),
			string(access.SpecialisedStaff), string(access.HotlineOperator)}
		if n.ToOrg.Type == ticket.ToDepartment {
			roles = []any{string(access.DepartmentStaff)}
		}
		// The city platform's people are the city admins and the hotline's
		// operators, who belong to no platform.
		args := append([]any{n.ToOrg.Code, string(n.ToOrg.Type), n.ToOrg.Code, false}, roles...)
		rows, err := tx.query(ctx, `SELECT username FROM users WHERE (org_code = ? OR (org_code = '' AND ? = 'platform'
			AND EXISTS (SELECT 1 FROM platforms WHERE code = ? AND tier = 'city'))) AND disabled = ?
			AND role IN (`+placeholders(len(roles))+`) ORDER BY username`, args...)
		if err != nil {
			return mapErr(err, "store: notice recipients")
		}
		users, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
			var u string
			return u, r.Scan(&u)
		}, "notice recipients")
		if err != nil {
			return err
		}
		for _, u := range users {
			m.Recipient, m.Channel = notify.User(u), notify.Inbox
			to = append(to, m)
		}
	}
	if n.ToEnterprise != "" {
		m.Recipient, m.Channel = notify.Enterprise(n.ToEnterprise), notify.Inbox
		to = append(to, m)
	}
	if n.ToPhone != "" {
		m.Recipient, m.Channel, m.Link = notify.Phone(n.ToPhone), notify.SMS, ""
		// A contact number no SMS can reach is skipped: the inbox still tells.
		if m.Recipient.Validate() == nil {
			to = append(to, m)
		}
	}
	return tx.EnqueueNotifications(ctx, to)
}

// InsertAttachment stores an attachment and sets its id.
func (tx *Tx) InsertAttachment(ctx context.Context, a *ticket.Attachment) error {
	err := tx.queryRow(ctx, `INSERT INTO ticket_attachments (ticket_id, name, content_type, size, sha256, data, uploaded_by, uploaded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.TicketID, a.Name, a.ContentType, a.Size, a.SHA256, a.Data,
		a.UploadedBy, a.UploadedAt).Scan(&a.ID)
	return mapErr(err, "store: insert attachment")
}

// Attachments lists a ticket's attachments without their data.
func (tx *Tx) Attachments(ctx context.Context, ticketID int64) ([]ticket.Attachment, error) {
	rows, err := tx.query(ctx, `SELECT id, ticket_id, name, content_type, size, sha256, uploaded_by, uploaded_at
		FROM ticket_attachments WHERE ticket_id = ? ORDER BY id`, ticketID)
	if err != nil {
		return nil, mapErr(err, "store: attachments")
	}
	return collect(rows, func(s interface{ Scan(...any) error }) (ticket.Attachment, error) {
		var a ticket.Attachment
		err := s.Scan(&a.ID, &a.TicketID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.UploadedBy, &a.UploadedAt)
		return a, err
	}, "attachments")
}

// Attachment returns one attachment of a ticket with its data.
func (tx *Tx) Attachment(ctx context.Context, ticketID, id int64) (ticket.Attachment, error) {
	var a ticket.Attachment
	err := tx.queryRow(ctx, `SELECT id, ticket_id, name, content_type, size, sha256, data, uploaded_by, uploaded_at
		FROM ticket_attachments WHERE ticket_id = ? AND id = ?`, ticketID, id).Scan(
		&a.ID, &a.TicketID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.Data, &a.UploadedBy, &a.UploadedAt)
	if err != nil {
		return ticket.Attachment{}, notFound(err, "object.attachment", strconv.FormatInt(id, 10))
	}
	return a, nil
}

// ---- supervision ----

// SupervisionCandidates lists, by id, the open tickets a supervision sweep
// must look at: a handling limit reached or about to be, a sign limit
// passed, or a reply older than the bound of the rating window.
func (tx *Tx) SupervisionCandidates(ctx context.Context, q ticket.SweepQuery) ([]ticket.Ticket, error) {
	// Three parts, each led by an index: open tickets by deadline (warned
	// or late), waiting ones by status (late to sign), replies by status
	// (rating window). A ticket in two parts comes once (UNION).
	rows, err := tx.query(ctx, "SELECT "+ticketCols+` FROM tickets t WHERE t.id IN (
		SELECT id FROM tickets WHERE open = ? AND due_at <= ? AND id > ?
			AND status IN ('dispatched', 'signed', 'returned', 'reopened') AND overdue = ? AND (due_at <= ? OR warned = ?)
		UNION SELECT id FROM tickets WHERE open = ? AND status IN ('dispatched', 'reopened') AND id > ?
			AND sign_overdue = ? AND sign_due_at <= ?
		UNION SELECT id FROM tickets WHERE open = ? AND status = 'replied' AND id > ? AND replied_at <= ?)
		ORDER BY t.id LIMIT ?`, true, q.WarnBy, q.AfterID, false, q.Now, false,
		true, q.AfterID, false, q.Now,
		true, q.AfterID, q.RepliedBefore, q.Limit)
	if err != nil {
		return nil, mapErr(err, "store: supervision candidates")
	}
	return collect(rows, scanTicket, "tickets")
}

// ProvisionalTickets lists open tickets whose deadline is provisional.
func (tx *Tx) ProvisionalTickets(ctx context.Context, afterID int64, limit int) ([]ticket.Ticket, error) {
	rows, err := tx.query(ctx, "SELECT "+ticketCols+` FROM tickets t WHERE t.open = ? AND t.due_provisional = ? AND t.id > ?
		ORDER BY t.id LIMIT ?`, true, true, afterID, limit)
	if err != nil {
		return nil, mapErr(err, "store: provisional tickets")
	}
	return collect(rows, scanTicket, "tickets")
}

// RouteCity returns the city platform's code.
func (tx *Tx) RouteCity(ctx context.Context) (string, error) {
	var code string
	if err := tx.queryRow(ctx, "SELECT code FROM platforms WHERE tier = 'city' ORDER BY code LIMIT 1").Scan(&code); err != nil {
		return "", notFound(err, "object.platform", "city")
	}
	return code, nil
}
