package ticket

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
)

// Supervision (R3.5) is a sweep the job queue runs once per minute slot,
// on one instance only: it warns assignees before a limit, marks tickets
// whose sign or handling limit passed, tells the assignee's superior tier,
// escalates overdue rights-infringement complaints to the city, closes
// replies left unrated past the rating window as "not rated", and
// recomputes provisional deadlines once the calendar knows their year.
// Every change is a versioned update of one ticket with its event and its
// notices in the same transaction: a sweep that runs twice, or beside a
// staff action, changes each ticket at most once.

// SupervisionKind is the job kind of the sweep.
const SupervisionKind = "ticket.supervise"

// Supervision settings and their defaults.
const (
	settingWarnHours  = "ticket.warn_hours"
	settingRatingDays = "ticket.rating_days"
	DefaultWarnHours  = 24
	DefaultRatingDays = 5
	// The city may warn from 1 hour to 10 days ahead, and leave replies
	// open for rating from 1 to 60 working days.
	MaxWarnHours  = 240
	MaxRatingDays = 60
)

// SupervisionSettings are the sweep's thresholds, edited by the city.
type SupervisionSettings struct {
	// WarnHours: an assignee is warned this many hours before the
	// handling deadline.
	WarnHours int `json:"warn_hours"`
	// RatingDays: a reply not rated within this many working days is
	// closed as "not rated".
	RatingDays int `json:"rating_days"`
}

// Validate checks the settings: invalid out_of_range on warn_hours or
// rating_days, the message giving the range.
func (s SupervisionSettings) Validate() error {
	if s.WarnHours < 1 || s.WarnHours > MaxWarnHours {
		return apperr.Field("warn_hours", "out_of_range", "error.range").With("min", 1).With("max", MaxWarnHours)
	}
	if s.RatingDays < 1 || s.RatingDays > MaxRatingDays {
		return apperr.Field("rating_days", "out_of_range", "error.range").With("min", 1).With("max", MaxRatingDays)
	}
	return nil
}

// SweepQuery selects the open tickets a sweep must look at: any whose
// warning, sign or handling limit is reached, and replies older than
// RepliedBefore (a bound: the rating window is checked in working days).
type SweepQuery struct {
	Now           time.Time
	WarnBy        time.Time
	RepliedBefore time.Time
	AfterID       int64
	Limit         int
}

// SuperviseTx is what the sweep needs from storage beyond Tx.
type SuperviseTx interface {
	SupervisionCandidates(ctx context.Context, q SweepQuery) ([]Ticket, error)
	// ProvisionalTickets lists open tickets with a provisional deadline.
	ProvisionalTickets(ctx context.Context, afterID int64, limit int) ([]Ticket, error)
	// RouteCity returns the city platform's code.
	RouteCity(ctx context.Context) (string, error)
	SetSetting(ctx context.Context, key, value string, at time.Time) error
}

// SweepReport counts what one sweep changed.
type SweepReport struct {
	Warned      int `json:"warned"`
	SignOverdue int `json:"sign_overdue"`
	Overdue     int `json:"overdue"`
	Escalated   int `json:"escalated"`
	AutoClosed  int `json:"auto_closed"`
	Recomputed  int `json:"recomputed"`
	// Skipped: tickets someone changed while the sweep looked at them;
	// the next sweep sees them again.
	Skipped int `json:"skipped"`
}

const sweepBatch = 200

var supervisor = access.SystemActor("supervision")

// SupervisionSettings returns the sweep's thresholds (every staff role).
func (s *Service) SupervisionSettings(ctx context.Context, a access.Actor) (SupervisionSettings, error) {
	if !a.SeesNetwork() {
		return SupervisionSettings{}, apperr.Deny()
	}
	var out SupervisionSettings
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = supervisionSettings(ctx, tx)
		return err
	})
	return out, err
}

// SaveSupervisionSettings changes the thresholds (city admin; audited).
func (s *Service) SaveSupervisionSettings(ctx context.Context, a access.Actor, in SupervisionSettings) (SupervisionSettings, error) {
	if !a.IsAdmin() {
		return SupervisionSettings{}, apperr.Deny()
	}
	if err := in.Validate(); err != nil {
		return SupervisionSettings{}, err
	}
	now := s.clock.Now()
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := supervisionSettings(ctx, tx)
		if err != nil {
			return err
		}
		st := tx.(SuperviseTx)
		if err := st.SetSetting(ctx, settingWarnHours, strconv.Itoa(in.WarnHours), now); err != nil {
			return err
		}
		if err := st.SetSetting(ctx, settingRatingDays, strconv.Itoa(in.RatingDays), now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "supervision.update", "setting", "ticket.supervision", audit.Success).Change(before, in))
	})
	return in, err
}

func supervisionSettings(ctx context.Context, tx Tx) (SupervisionSettings, error) {
	out := SupervisionSettings{WarnHours: DefaultWarnHours, RatingDays: DefaultRatingDays}
	for key, dst := range map[string]*int{settingWarnHours: &out.WarnHours, settingRatingDays: &out.RatingDays} {
		v, ok, err := tx.Setting(ctx, key)
		if err != nil {
			return out, err
		}
		if n, err := strconv.Atoi(v); ok && err == nil && n > 0 {
			*dst = n
		}
	}
	return out, nil
}

// Supervise runs one sweep at the clock's now.
func (s *Service) Supervise(ctx context.Context) (SweepReport, error) {
	now := s.clock.Now()
	var rep SweepReport
	var set SupervisionSettings
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		set, err = supervisionSettings(ctx, tx)
		return err
	}); err != nil {
		return rep, err
	}
	q := SweepQuery{Now: now, WarnBy: now.Add(time.Duration(set.WarnHours) * time.Hour),
		// n working days are at least n calendar days.
		RepliedBefore: now.AddDate(0, 0, -set.RatingDays), Limit: sweepBatch}
	for {
		var batch []Ticket
		if err := s.store.Read(ctx, func(tx Tx) error {
			var err error
			batch, err = tx.(SuperviseTx).SupervisionCandidates(ctx, q)
			return err
		}); err != nil {
			return rep, err
		}
		for _, t := range batch {
			if err := s.superviseOne(ctx, t.ID, now, set, &rep); err != nil {
				return rep, err
			}
		}
		if len(batch) < q.Limit {
			break
		}
		q.AfterID = batch[len(batch)-1].ID
	}
	err := s.recomputeProvisional(ctx, now, &rep)
	return rep, err
}

// handling reports whether a ticket in status st is waiting for its
// assignee's work (the handling limit runs).
func handling(st Status) bool {
	return st == Dispatched || st == Signed || st == Returned || st == Reopened
}

// superviseOne applies every rule that is due to one ticket, re-read in
// the write transaction.
func (s *Service) superviseOne(ctx context.Context, id int64, now time.Time, set SupervisionSettings, rep *SweepReport) error {
	var r SweepReport
	err := s.store.Write(ctx, func(tx Tx) error {
		r = SweepReport{}
		t, err := tx.Ticket(ctx, id)
		if err != nil {
			return err
		}
		version := t.Version
		c := &actCtx{s: s, tx: tx, a: supervisor, t: &t, now: now, act: Action{}}
		if handling(t.Status) && !t.Overdue && !now.Before(t.DueAt) {
			t.Overdue = true
			r.Overdue++
			if err := s.systemEvent(ctx, tx, t, "overdue", map[string]any{"due_at": t.DueAt}); err != nil {
				return err
			}
			if err := c.notifyOrg(ctx, t.Assignee, "notice.overdue"); err != nil {
				return err
			}
			if sup, ok, err := s.superior(ctx, tx, t); err != nil {
				return err
			} else if ok {
				if err := c.notifyOrg(ctx, sup, "notice.overdue_superior"); err != nil {
					return err
				}
			}
			if t.Category == "rights_infringement" && !t.Supervised {
				city, err := tx.(SuperviseTx).RouteCity(ctx)
				if err != nil {
					return err
				}
				t.Supervised = true
				r.Escalated++
				if err := s.systemEvent(ctx, tx, t, "escalate", map[string]any{"to": Assignee{ToPlatform, city}}); err != nil {
					return err
				}
				if err := c.notifyOrg(ctx, Assignee{ToPlatform, city}, "notice.escalated"); err != nil {
					return err
				}
			}
		} else if handling(t.Status) && !t.Overdue && !t.Warned && !now.Add(time.Duration(set.WarnHours)*time.Hour).Before(t.DueAt) {
			t.Warned = true
			r.Warned++
			if err := s.systemEvent(ctx, tx, t, "warn", map[string]any{"due_at": t.DueAt}); err != nil {
				return err
			}
			if err := c.notifyOrg(ctx, t.Assignee, "notice.warning"); err != nil {
				return err
			}
		}
		if (t.Status == Dispatched || t.Status == Reopened) && !t.SignOverdue && !now.Before(t.SignDueAt) {
			t.SignOverdue = true
			r.SignOverdue++
			if err := s.systemEvent(ctx, tx, t, "sign_overdue", map[string]any{"sign_due_at": t.SignDueAt}); err != nil {
				return err
			}
			if err := c.notifyOrg(ctx, t.Assignee, "notice.sign_overdue"); err != nil {
				return err
			}
		}
		if t.Status == Replied && t.RepliedAt != nil {
			due, _, err := s.cal.AddWorkingDays(*t.RepliedAt, set.RatingDays)
			if err != nil {
				return err
			}
			if !now.Before(due) {
				t.Status, t.ClosedAt, t.RatedBy, t.Satisfied, t.Score = Closed, &now, "not_rated", nil, nil
				r.AutoClosed++
				e := Event{TicketID: t.ID, At: now, Actor: supervisor.Username, ActorRole: "system", Action: "auto_close",
					FromStatus: Replied, ToStatus: Closed, Data: `{"rated":false}`}
				if err := tx.AppendEvent(ctx, e); err != nil {
					return err
				}
				if err := s.writeRecord(ctx, tx, supervisor, t); err != nil {
					return err
				}
				if err := s.tellEnterprise(ctx, tx, t, "notice.closed_unrated", ""); err != nil {
					return err
				}
			}
		}
		if r == (SweepReport{}) {
			return nil
		}
		t.UpdatedAt, t.Version = now, version+1
		return tx.UpdateTicket(ctx, t, version)
	})
	if apperr.Is(err, apperr.Conflict) {
		rep.Skipped++ // someone acted first: the next sweep sees it again
		return nil
	}
	if err != nil {
		return err
	}
	rep.Warned += r.Warned
	rep.SignOverdue += r.SignOverdue
	rep.Overdue += r.Overdue
	rep.Escalated += r.Escalated
	rep.AutoClosed += r.AutoClosed
	return nil
}

// systemEvent records a supervision step that changes no status.
func (s *Service) systemEvent(ctx context.Context, tx Tx, t Ticket, action string, data map[string]any) error {
	return s.event(ctx, tx, supervisor, t, action, t.Status, t.Status, "", false, data)
}

// superior is the tier above a ticket's assignee: the parent platform of a
// platform, the city platform for a department; none for the city itself.
func (s *Service) superior(ctx context.Context, tx Tx, t Ticket) (Assignee, bool, error) {
	if t.Assignee.Type == ToDepartment {
		city, err := tx.(SuperviseTx).RouteCity(ctx)
		if err != nil {
			return Assignee{}, false, err
		}
		return Assignee{ToPlatform, city}, true, nil
	}
	segs := strings.Split(strings.Trim(t.AssigneePath, "/"), "/")
	if len(segs) < 2 {
		return Assignee{}, false, nil
	}
	return Assignee{ToPlatform, segs[len(segs)-2]}, true, nil
}

// recomputeProvisional recomputes the deadlines of open tickets whose
// deadline was provisional (a year with no official schedule yet): from
// their dispatch time with their limit, plus the extensions granted.
func (s *Service) recomputeProvisional(ctx context.Context, now time.Time, rep *SweepReport) error {
	var after int64
	for {
		var batch []Ticket
		if err := s.store.Read(ctx, func(tx Tx) error {
			var err error
			batch, err = tx.(SuperviseTx).ProvisionalTickets(ctx, after, sweepBatch)
			return err
		}); err != nil {
			return err
		}
		for _, b := range batch {
			err := s.store.Write(ctx, func(tx Tx) error {
				t, err := tx.Ticket(ctx, b.ID)
				if err != nil || !t.Status.Open() || !t.DueProvisional {
					return err
				}
				version, sign, due := t.Version, t.SignDueAt, t.DueAt
				if err := s.setDeadlines(ctx, tx, &t, t.DispatchedAt); err != nil {
					return err
				}
				if t.ExtendedDays > 0 {
					d, prov, err := s.cal.AddWorkingDays(t.DueAt.Add(-time.Nanosecond), t.ExtendedDays)
					if err != nil {
						return err
					}
					t.DueAt, t.DueProvisional = d, t.DueProvisional || prov
				}
				if t.DueProvisional && t.DueAt.Equal(due) && t.SignDueAt.Equal(sign) {
					return nil // nothing new is known yet
				}
				if t.SignedAt != nil {
					t.SignDueAt = sign // a signed ticket's sign limit is history
				}
				t.Overdue = t.Overdue && !now.Before(t.DueAt)
				t.Warned = t.Warned && t.DueAt.Equal(due)
				rep.Recomputed++
				if err := s.systemEvent(ctx, tx, t, "recompute", map[string]any{"due_at": t.DueAt, "was": due,
					"provisional": t.DueProvisional}); err != nil {
					return err
				}
				t.UpdatedAt, t.Version = now, version+1
				return tx.UpdateTicket(ctx, t, version)
			})
			if apperr.Is(err, apperr.Conflict) {
				rep.Skipped++
				continue
			}
			if err != nil {
				return err
			}
		}
		if len(batch) < sweepBatch {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
}
