package notify

import (
	"context"
	"strconv"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
)

// InboxFilter selects delivered inbox messages of some recipients, newest
// first.
type InboxFilter struct {
	Recipients []Recipient
	Before     int64 // cursor: ids below this
	Unread     bool  // only unread ones
	Limit      int
}

// Filter selects outbox messages for administrators, newest first.
type Filter struct {
	Status      Status
	MinAttempts int // with at least this many attempts (retrying: pending and 1)
	Before      int64
	Limit       int
}

// Count is the number of messages of a channel in a status.
type Count struct {
	Channel Channel
	Status  Status
	N       int
}

// Tx is what the notify service needs from storage, in one write
// transaction or against the read pool.
type Tx interface {
	audit.Appender
	Outbox
	// Notification returns one message, or an apperr not_found.
	Notification(ctx context.Context, id int64) (Notification, error)
	Inbox(ctx context.Context, f InboxFilter) ([]Notification, error)
	UnreadCount(ctx context.Context, rs []Recipient) (int, error)
	// MarkRead sets read_at of an unread delivered inbox message.
	MarkRead(ctx context.Context, id int64, at time.Time) error
	// MarkAllRead sets read_at of every unread inbox message of the
	// recipients and reports how many.
	MarkAllRead(ctx context.Context, rs []Recipient, at time.Time) (int64, error)
	OutboxCounts(ctx context.Context) ([]Count, error)
	Notifications(ctx context.Context, f Filter) ([]Notification, error)
	// RetryNotification makes a failed message pending again, due at, with
	// its attempts reset.
	RetryNotification(ctx context.Context, id int64, at time.Time) error
}

// Store runs functions on a Tx.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Service is the notifications' domain service: the inbox of every user and
// the outbox for administrators. Every method takes the acting user and
// enforces role and scope itself.
type Service struct {
	store Store
	clock clock.Clock
}

// NewService makes the notify service.
func NewService(s Store, c clock.Clock) *Service { return &Service{store: s, clock: c} }

const (
	defaultLimit = 50
	maxLimit     = 200
)

func clampLimit(n int) int {
	if n <= 0 {
		return defaultLimit
	}
	return min(n, maxLimit)
}

// Mailbox is what an actor's inbox holds: messages to the user, and for an
// enterprise's user also those to its enterprise.
func Mailbox(a access.Actor) []Recipient {
	if a.Username == "" || a.System {
		return nil
	}
	rs := []Recipient{User(a.Username)}
	if a.Role == access.Enterprise && a.OrgCode != "" {
		rs = append(rs, Enterprise(a.OrgCode))
	}
	return rs
}

func addressedTo(a access.Actor, r Recipient) bool {
	for _, m := range Mailbox(a) {
		if m == r {
			return true
		}
	}
	return false
}

// Send puts messages into the outbox in a transaction of their own, for
// callers that have no transaction open; a domain service that changes data
// uses its Tx's EnqueueNotification instead. At defaults to now.
func (s *Service) Send(ctx context.Context, msgs ...Message) error {
	now := s.clock.Now()
	return s.store.Write(ctx, func(tx Tx) error {
		for _, m := range msgs {
			if m.At.IsZero() {
				m.At = now
			}
			if err := tx.EnqueueNotification(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// Inbox lists the actor's delivered inbox messages, newest first, and
// returns the cursor of the next page ("" on the last).
func (s *Service) Inbox(ctx context.Context, a access.Actor, f InboxFilter) ([]Notification, string, error) {
	f.Recipients = Mailbox(a)
	if len(f.Recipients) == 0 {
		return nil, "", nil
	}
	limit := clampLimit(f.Limit)
	f.Limit = limit + 1
	var items []Notification
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		items, err = tx.Inbox(ctx, f)
		return err
	})
	if len(items) > limit {
		items = items[:limit]
		return items, strconv.FormatInt(items[limit-1].ID, 10), err
	}
	return items, "", err
}

// Unread counts the actor's unread inbox messages.
func (s *Service) Unread(ctx context.Context, a access.Actor) (int, error) {
	rs := Mailbox(a)
	if len(rs) == 0 {
		return 0, nil
	}
	var n int
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		n, err = tx.UnreadCount(ctx, rs)
		return err
	})
	return n, err
}

// MarkRead marks one of the actor's inbox messages read (reading it twice
// changes nothing). Errors: not_found (no such delivered inbox message),
// forbidden (someone else's).
func (s *Service) MarkRead(ctx context.Context, a access.Actor, id int64) (Notification, error) {
	var out Notification
	err := s.store.Write(ctx, func(tx Tx) error {
		n, err := tx.Notification(ctx, id)
		if err != nil {
			return err
		}
		if n.Channel != Inbox || n.Status != Sent {
			return apperr.NotFoundOf("object.notification", strconv.FormatInt(id, 10))
		}
		if !addressedTo(a, n.Recipient) {
			return apperr.Deny()
		}
		if n.ReadAt == nil {
			now := s.clock.Now()
			if err := tx.MarkRead(ctx, id, now); err != nil {
				return err
			}
			n.ReadAt = &now
		}
		out = n
		return nil
	})
	return out, err
}

// MarkAllRead marks every unread message of the actor's inbox read and
// reports how many.
func (s *Service) MarkAllRead(ctx context.Context, a access.Actor) (int64, error) {
	rs := Mailbox(a)
	if len(rs) == 0 {
		return 0, nil
	}
	var n int64
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		n, err = tx.MarkAllRead(ctx, rs, s.clock.Now())
		return err
	})
	return n, err
}

// Counts reports the outbox per channel and status (city admin; forbidden
// otherwise).
func (s *Service) Counts(ctx context.Context, a access.Actor) ([]Count, error) {
	if !a.IsAdmin() {
		return nil, apperr.Deny()
	}
	var out []Count
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.OutboxCounts(ctx)
		return err
	})
	return out, err
}

// List lists outbox messages for the city admin, newest first, with the
// next cursor. Errors: forbidden.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) ([]Notification, string, error) {
	if !a.IsAdmin() {
		return nil, "", apperr.Deny()
	}
	limit := clampLimit(f.Limit)
	f.Limit = limit + 1
	var items []Notification
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		items, err = tx.Notifications(ctx, f)
		return err
	})
	if len(items) > limit {
		items = items[:limit]
		return items, strconv.FormatInt(items[limit-1].ID, 10), err
	}
	return items, "", err
}

// Retry sends a failed message again from now, with a fresh set of
// attempts (city admin; audited). Errors: forbidden; not_found; conflict
// not_failed when the message has not failed.
func (s *Service) Retry(ctx context.Context, a access.Actor, id int64) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	return s.store.Write(ctx, func(tx Tx) error {
		n, err := tx.Notification(ctx, id)
		if err != nil {
			return err
		}
		if n.Status != Failed {
			return apperr.New(apperr.Conflict, "not_failed", "error.notification_not_failed")
		}
		now := s.clock.Now()
		if err := tx.RetryNotification(ctx, id, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "notification.retry", "notification", strconv.FormatInt(id, 10), audit.Success))
	})
}
