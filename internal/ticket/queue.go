package ticket

import (
	"context"
	"time"

	"github.com/qifu/qifu/internal/access"
)

// CountTx counts tickets for the head of a work queue.
type CountTx interface {
	// CountTickets counts the open tickets matching f by status
	// (f.Statuses, the cursor and the order are ignored).
	CountTickets(ctx context.Context, f Filter) (map[Status]int, error)
}

// Counts returns how many open tickets there are in each status within the
// actor's default scope (see List) and f's other filters. Errors: forbidden.
func (s *Service) Counts(ctx context.Context, a access.Actor, f Filter) (map[Status]int, error) {
	if err := scope(a, &f); err != nil {
		return nil, err
	}
	f.Statuses = nil
	var out map[Status]int
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.(CountTx).CountTickets(ctx, f)
		return err
	})
	return out, err
}

// NearDue is the moment up to which a deadline counts as near: the end of
// the next working day from now.
func (s *Service) NearDue() (time.Time, error) {
	at, _, err := s.cal.AddWorkingDays(s.clock.Now(), 1)
	return at, err
}

// Running reports whether a deadline runs in the status: the ticket waits
// for an organisation to act (not for the enterprise, and not finished).
func (s Status) Running() bool {
	return s == Dispatched || s == Signed || s == Returned || s == Reopened
}

// Late reports whether the ticket is past a limit at now: flagged by the
// supervision job, or its sign-off or handling deadline passed before the
// job noticed.
func (t Ticket) Late(now time.Time) bool {
	if !t.Status.Open() {
		return false
	}
	if t.Overdue || t.SignOverdue {
		return true
	}
	if !t.Status.Running() {
		return false
	}
	return now.After(t.DueAt) || (t.Status == Dispatched || t.Status == Reopened) && now.After(t.SignDueAt)
}

// Near reports whether a running ticket that is not late falls due by soon
// (see NearDue).
func (t Ticket) Near(now, soon time.Time) bool {
	return t.Status.Running() && !t.Late(now) && !t.DueAt.After(soon)
}
