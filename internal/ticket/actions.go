package ticket

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
)

func invalidTransition(action string, s Status) error {
	return (&apperr.Error{Kind: apperr.Conflict, Code: "invalid_transition", Key: "error.invalid_transition"}).
		With("action", action).With("status", s)
}

func needNote(note string) error {
	if strings.TrimSpace(note) == "" {
		return apperr.Required("note")
	}
	if utf8.RuneCountInString(note) > 5000 {
		return apperr.Field("note", "too_long", "error.too_long").With("max", 5000)
	}
	return nil
}

// Act applies an action to a ticket (API.md POST …/actions). It checks, in
// order: that the actor may read the ticket (403), that its role and
// relation allow the action (403), that the action is allowed from the
// ticket's status (409 invalid_transition), the action's own fields (422).
// Two people acting at once: one wins, the other gets 409.
func (s *Service) Act(ctx context.Context, a access.Actor, id int64, act Action) (Ticket, error) {
	act.Action = strings.TrimSpace(act.Action)
	act.Note = strings.TrimSpace(act.Note)
	if act.Action == "" {
		return Ticket{}, apperr.Required("action")
	}
	if _, known := transitions[act.Action]; !known {
		return Ticket{}, apperr.Field("action", "unknown_action", "error.invalid_choice")
	}
	var out Ticket
	err := s.store.Write(ctx, func(tx Tx) error {
		t, r, err := s.load(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !MayAct(a, r, act.Action) {
			return apperr.Deny()
		}
		if !allowedFrom(act.Action, t.Status) {
			return invalidTransition(act.Action, t.Status)
		}
		version, from := t.Version, t.Status
		now := s.clock.Now()
		c := actCtx{s: s, tx: tx, a: a, t: &t, act: act, now: now, from: from}
		if err := c.apply(ctx); err != nil {
			return err
		}
		t.UpdatedAt, t.Version = now, version+1
		if err := tx.UpdateTicket(ctx, t, version); err != nil {
			return err
		}
		out = t
		return tx.AppendAudit(ctx, audit.New(a, now, "ticket."+act.Action, "ticket", t.Number, audit.Success))
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Get(ctx, a, out.ID)
}

// actCtx carries one action being applied inside its transaction.
type actCtx struct {
	s    *Service
	tx   Tx
	a    access.Actor
	t    *Ticket
	act  Action
	now  time.Time
	from Status
}

func (c *actCtx) event(ctx context.Context, to Status, internal bool, data map[string]any) error {
	return c.s.event(ctx, c.tx, c.a, *c.t, c.act.Action, c.from, to, c.act.Note, internal, data)
}

func (c *actCtx) notifyOrg(ctx context.Context, org Assignee, key string) error {
	return c.tx.Notify(ctx, Notice{ToOrg: &org, Key: key, TicketID: c.t.ID, Link: link(*c.t), At: c.now,
		Params: map[string]any{"number": c.t.Number, "title": c.t.Title, "note": c.act.Note, "due": c.t.DueAt}})
}

func (c *actCtx) apply(ctx context.Context) error {
	t := c.t
	switch c.act.Action {
	case "sign":
		t.Status, t.SignedAt = Signed, &c.now
		if err := c.event(ctx, Signed, false, nil); err != nil {
			return err
		}
		return c.s.tellEnterprise(ctx, c.tx, *t, "notice.signed", c.act.Note)

	case "return":
		if err := needNote(c.act.Note); err != nil {
			return err
		}
		l, err := c.tx.TicketLimit(ctx, t.Category, t.Urgency)
		if err != nil {
			return err
		}
		if l.ReturnDays > 0 {
			window, _, err := c.s.cal.AddWorkingDays(t.DispatchedAt, l.ReturnDays)
			if err != nil {
				return err
			}
			if c.now.After(window) {
				return (&apperr.Error{Kind: apperr.Conflict, Code: "return_window_passed", Key: "error.return_window_passed"}).
					With("days", l.ReturnDays)
			}
		}
		t.Status = Returned
		if err := c.event(ctx, Returned, false, nil); err != nil {
			return err
		}
		if t.Dispatcher != "" {
			return c.notifyOrg(ctx, Assignee{ToPlatform, t.Dispatcher}, "notice.returned")
		}
		return nil

	case "transfer":
		return c.transfer(ctx)

	case "extend":
		if err := needNote(c.act.Note); err != nil {
			return err
		}
		l, err := c.tx.TicketLimit(ctx, t.Category, t.Urgency)
		if err != nil {
			return err
		}
		if left := l.MaxExtensionDays - t.ExtendedDays; c.act.Days < 1 || c.act.Days > left {
			return apperr.Field("days", "out_of_range", "error.extension_range").With("max", max(left, 0))
		}
		due, prov, err := c.s.cal.AddWorkingDays(t.DueAt.Add(-time.Nanosecond), c.act.Days)
		if err != nil {
			return err
		}
		t.DueAt, t.DueProvisional = due, t.DueProvisional || prov
		t.ExtendedDays += c.act.Days
		t.Overdue, t.Warned = c.now.After(due), false
		if err := c.event(ctx, Signed, false, map[string]any{"days": c.act.Days, "due_at": due}); err != nil {
			return err
		}
		return c.s.tellEnterprise(ctx, c.tx, *t, "notice.extended", c.act.Note)

	case "reply":
		if err := needNote(c.act.Note); err != nil {
			return err
		}
		t.Status, t.Reply, t.RepliedAt = Replied, c.act.Note, &c.now
		if err := c.event(ctx, Replied, false, nil); err != nil {
			return err
		}
		return c.s.tellEnterprise(ctx, c.tx, *t, "notice.replied", c.act.Note)

	case "rate", "visit":
		return c.rate(ctx)

	case "close":
		t.Status, t.ClosedAt, t.RatedBy, t.Satisfied, t.Score = Closed, &c.now, "not_rated", nil, nil
		if err := c.event(ctx, Closed, false, map[string]any{"rated": false}); err != nil {
			return err
		}
		if err := c.s.writeRecord(ctx, c.tx, c.a, *t); err != nil {
			return err
		}
		return c.s.tellEnterprise(ctx, c.tx, *t, "notice.closed", c.act.Note)

	case "supervise":
		if err := needNote(c.act.Note); err != nil {
			return err
		}
		t.Supervised = true
		if err := c.event(ctx, t.Status, false, nil); err != nil {
			return err
		}
		return c.notifyOrg(ctx, t.Assignee, "notice.supervised")

	case "urge":
		t.Urged++
		if err := c.event(ctx, t.Status, false, nil); err != nil {
			return err
		}
		return c.notifyOrg(ctx, t.Assignee, "notice.urged")

	case "note":
		if err := needNote(c.act.Note); err != nil {
			return err
		}
		return c.event(ctx, t.Status, true, nil)

	case "co_handler":
		to, err := c.target(ctx)
		if err != nil {
			return err
		}
		if to.Assignee == t.Assignee {
			return apperr.Field("to", "is_assignee", "error.co_handler_is_assignee")
		}
		for _, x := range t.CoHandlers {
			if x == to.Assignee {
				return apperr.Field("to", "already_co_handler", "error.already_co_handler")
			}
		}
		if err := c.tx.AddParty(ctx, t.ID, to.Assignee, "co_handler"); err != nil {
			return err
		}
		t.CoHandlers = append(t.CoHandlers, to.Assignee)
		if err := c.event(ctx, t.Status, true, map[string]any{"co_handler": to.Assignee}); err != nil {
			return err
		}
		return c.notifyOrg(ctx, to.Assignee, "notice.co_handler")

	case "merge":
		return c.merge(ctx)
	}
	return invalidTransition(c.act.Action, t.Status)
}

// target resolves and checks the organisation an action names in "to".
func (c *actCtx) target(ctx context.Context) (Routed, error) {
	to := c.act.To
	if to == nil || to.Code == "" {
		return Routed{}, apperr.Required("to")
	}
	switch to.Type {
	case ToPlatform:
		path, err := c.tx.RoutePlatformPath(ctx, to.Code)
		if apperr.Is(err, apperr.NotFound) {
			return Routed{}, apperr.Field("to", "unknown_reference", "error.unknown_reference")
		}
		return Routed{Assignee: *to, Path: path}, err
	case ToDepartment:
		ok, err := c.tx.RouteDepartmentExists(ctx, to.Code)
		if err == nil && !ok {
			err = apperr.Field("to", "unknown_reference", "error.unknown_reference")
		}
		return Routed{Assignee: *to}, err
	}
	return Routed{}, apperr.Field("to", "invalid_target", "error.invalid_choice")
}

// transfer sends the ticket to another platform or department: the city
// admin anywhere, platform staff only to platforms below their own.
func (c *actCtx) transfer(ctx context.Context) error {
	t := c.t
	to, err := c.target(ctx)
	if err != nil {
		return err
	}
	// A target outside the actor's reach is refused before the rest of
	// the request is judged (403 before 422).
	if !c.a.IsAdmin() {
		below := to.Assignee.Type == ToPlatform && c.a.PlatformPath != "" &&
			strings.HasPrefix(to.Path, c.a.PlatformPath) && to.Path != c.a.PlatformPath
		if !below {
			return &apperr.Error{Kind: apperr.Forbidden, Code: "forbidden", Field: "to", Key: "error.transfer_below_only"}
		}
	}
	if err := needNote(c.act.Note); err != nil {
		return err
	}
	if to.Assignee == t.Assignee {
		return apperr.Field("to", "same_assignee", "error.transfer_same")
	}
	old := t.Assignee
	t.Assignee, t.AssigneePath, t.Status = to.Assignee, to.Path, Dispatched
	t.DispatchedAt, t.SignedAt = c.now, nil
	t.Overdue, t.SignOverdue, t.Warned = false, false, false
	if err := c.s.setDeadlines(ctx, c.tx, t, c.now); err != nil {
		return err
	}
	if err := c.tx.AddParty(ctx, t.ID, to.Assignee, "handler"); err != nil {
		return err
	}
	if err := c.event(ctx, Dispatched, false, map[string]any{"from": old, "to": to.Assignee}); err != nil {
		return err
	}
	return c.notifyOrg(ctx, to.Assignee, "notice.dispatched")
}

// rate records the enterprise's satisfaction (or the hotline's return
// visit): satisfied closes the ticket, unsatisfied reopens it with the same
// assignee and new deadlines, counted as re-handled.
func (c *actCtx) rate(ctx context.Context) error {
	t := c.t
	if c.act.Satisfied == nil {
		return apperr.Required("satisfied")
	}
	if c.act.Score != nil && (*c.act.Score < 1 || *c.act.Score > 5) {
		return apperr.Field("score", "out_of_range", "error.range").With("min", 1).With("max", 5)
	}
	if c.act.Action == "visit" {
		if err := needNote(c.act.Note); err != nil {
			return err
		}
	}
	by := "enterprise"
	switch {
	case c.act.Action == "visit":
		by = "visit"
	case c.a.Role == access.HotlineOperator:
		by = "hotline"
	case c.a.IsAdmin():
		by = "admin" // the city admin recording the enterprise's answer
	}
	sat := *c.act.Satisfied
	t.Satisfied, t.Score, t.RatedBy = &sat, c.act.Score, by
	data := map[string]any{"satisfied": sat, "rated_by": by}
	if c.act.Score != nil {
		data["score"] = *c.act.Score
	}
	if sat {
		t.Status, t.ClosedAt = Closed, &c.now
		if err := c.event(ctx, Closed, false, data); err != nil {
			return err
		}
		if err := c.s.writeRecord(ctx, c.tx, c.a, *t); err != nil {
			return err
		}
		return c.s.tellEnterprise(ctx, c.tx, *t, "notice.closed", c.act.Note)
	}
	t.Status, t.ReopenCount = Reopened, t.ReopenCount+1
	t.DispatchedAt, t.SignedAt, t.RepliedAt = c.now, nil, nil
	t.Overdue, t.SignOverdue, t.Warned = false, false, false
	if err := c.s.setDeadlines(ctx, c.tx, t, c.now); err != nil {
		return err
	}
	if err := c.event(ctx, Reopened, false, data); err != nil {
		return err
	}
	if err := c.notifyOrg(ctx, t.Assignee, "notice.reopened"); err != nil {
		return err
	}
	return c.s.tellEnterprise(ctx, c.tx, *t, "notice.reopened", c.act.Note)
}

// merge folds a duplicate into the earlier ticket of the same enterprise:
// both keep their history; the caller is told.
func (c *actCtx) merge(ctx context.Context) error {
	t := c.t
	if c.act.Into == nil {
		return apperr.Required("into")
	}
	if *c.act.Into == t.ID {
		return apperr.Field("into", "self", "error.merge_self")
	}
	first, err := c.tx.Ticket(ctx, *c.act.Into)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field("into", "unknown_reference", "error.unknown_reference")
	}
	if err != nil {
		return err
	}
	if first.EnterpriseUSCC == "" || first.EnterpriseUSCC != t.EnterpriseUSCC || !first.Status.Open() {
		return apperr.Field("into", "not_mergeable", "error.not_mergeable")
	}
	t.Status, t.MergedInto, t.ClosedAt = Merged, &first.ID, &c.now
	if err := c.event(ctx, Merged, false, map[string]any{"into": first.Number}); err != nil {
		return err
	}
	if err := c.s.event(ctx, c.tx, c.a, first, "merged_in", first.Status, first.Status, c.act.Note, false,
		map[string]any{"from": t.Number}); err != nil {
		return err
	}
	return c.s.tellEnterprise(ctx, c.tx, *t, "notice.merged", c.act.Note)
}
