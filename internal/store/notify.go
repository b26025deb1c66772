package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/notify"
)

var (
	_ notify.Tx            = (*Tx)(nil)
	_ notify.DispatchStore = NotifyStore{}
)

const notificationCols = `id, channel, recipient, lang, msg_key, params, link, object_type, object_id, status, attempts,
	next_attempt_at, COALESCE(locked_by, ''), last_error, created_at, sent_at, read_at`

func scanNotification(s interface{ Scan(...any) error }) (notify.Notification, error) {
	var n notify.Notification
	var recipient, lang, params string
	var next, created, sent, read nullTime
	err := s.Scan(&n.ID, &n.Channel, &recipient, &lang, &n.Key, &params, &n.Link, &n.ObjectType, &n.ObjectID, &n.Status,
		&n.Attempts, &next, &n.LockedBy, &n.LastError, &created, &sent, &read)
	if err != nil {
		return n, err
	}
	if n.Recipient, err = notify.ParseRecipient(recipient); err != nil {
		return n, err
	}
	if n.Params, err = notify.DecodeParams(params); err != nil {
		return n, err
	}
	n.Lang = locale.Lang(lang)
	n.At, n.CreatedAt, n.NextAttemptAt = created.Time, created.Time, next.Time
	n.SentAt, n.ReadAt = sent.Ptr(), read.Ptr()
	return n, nil
}

// EnqueueNotification puts a message into the outbox in the current write
// transaction (notify.Outbox): it is sent only if the transaction commits.
func (tx *Tx) EnqueueNotification(ctx context.Context, m notify.Message) error {
	return tx.EnqueueNotifications(ctx, []notify.Message{m})
}

// EnqueueNotifications puts messages into the outbox with one statement.
func (tx *Tx) EnqueueNotifications(ctx context.Context, ms []notify.Message) error {
	if len(ms) == 0 {
		return nil
	}
	const cols = 10
	args := make([]any, 0, cols*len(ms))
	values := make([]string, 0, len(ms))
	for _, m := range ms {
		if err := m.Validate(); err != nil {
			return apperr.Wrap(err, "store: enqueue notification")
		}
		params, err := notify.EncodeParams(m.Params)
		if err != nil {
			return apperr.Wrap(err, "store: enqueue notification")
		}
		at := m.At.UTC()
		values = append(values, "(?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)")
		args = append(args, m.Channel, m.Recipient.String(), string(m.Lang), m.Key, params, m.Link, m.ObjectType, m.ObjectID, at, at)
	}
	_, err := tx.exec(ctx, `INSERT INTO notifications (channel, recipient, lang, msg_key, params, link, object_type, object_id,
		status, attempts, next_attempt_at, created_at) VALUES `+strings.Join(values, ", "), args...)
	return mapErr(err, "store: enqueue notification")
}

// Notification returns one message or not_found.
func (tx *Tx) Notification(ctx context.Context, id int64) (notify.Notification, error) {
	n, err := scanNotification(tx.queryRow(ctx, "SELECT "+notificationCols+" FROM notifications WHERE id = ?", id))
	if err != nil {
		return notify.Notification{}, notFound(err, "object.notification", strconv.FormatInt(id, 10))
	}
	return n, nil
}

// inboxOf is the condition on delivered inbox messages of some recipients.
func inboxOf(w *where, rs []notify.Recipient) {
	w.add("channel = 'inbox'")
	w.add("status = 'sent'")
	args := make([]any, len(rs))
	for i, r := range rs {
		args[i] = r.String()
	}
	w.add("recipient IN ("+strings.Repeat("?, ", len(rs)-1)+"?)", args...)
}

// Inbox lists delivered inbox messages of the recipients, newest first.
func (tx *Tx) Inbox(ctx context.Context, f notify.InboxFilter) ([]notify.Notification, error) {
	if len(f.Recipients) == 0 {
		return nil, nil
	}
	var w where
	inboxOf(&w, f.Recipients)
	if f.Unread {
		w.add("read_at IS NULL")
	}
	if f.Before > 0 {
		w.add("id < ?", f.Before)
	}
	rows, err := tx.query(ctx, "SELECT "+notificationCols+" FROM notifications"+w.String()+" ORDER BY id DESC LIMIT ?",
		append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: inbox")
	}
	return collect(rows, scanNotification, "inbox")
}

// UnreadCount counts unread delivered inbox messages of the recipients.
func (tx *Tx) UnreadCount(ctx context.Context, rs []notify.Recipient) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	var w where
	inboxOf(&w, rs)
	w.add("read_at IS NULL")
	var n int
	err := tx.queryRow(ctx, "SELECT COUNT(*) FROM notifications"+w.String(), w.args...).Scan(&n)
	return n, mapErr(err, "store: unread count")
}

// MarkRead sets read_at of an unread message.
func (tx *Tx) MarkRead(ctx context.Context, id int64, at time.Time) error {
	_, err := tx.exec(ctx, "UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL", at.UTC(), id)
	return mapErr(err, "store: mark read")
}

// MarkAllRead sets read_at of every unread inbox message of the recipients.
func (tx *Tx) MarkAllRead(ctx context.Context, rs []notify.Recipient, at time.Time) (int64, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	var w where
	inboxOf(&w, rs)
	w.add("read_at IS NULL")
	res, err := tx.exec(ctx, "UPDATE notifications SET read_at = ?"+w.String(), append([]any{at.UTC()}, w.args...)...)
	if err != nil {
		return 0, mapErr(err, "store: mark all read")
	}
	n, err := res.RowsAffected()
	return n, mapErr(err, "store: mark all read")
}

// OutboxCounts counts messages per channel and status.
func (tx *Tx) OutboxCounts(ctx context.Context) ([]notify.Count, error) {
	rows, err := tx.query(ctx, "SELECT channel, status, COUNT(*) FROM notifications GROUP BY channel, status ORDER BY channel, status")
	if err != nil {
		return nil, mapErr(err, "store: outbox counts")
	}
	return collect(rows, func(s interface{ Scan(...any) error }) (notify.Count, error) {
		var c notify.Count
		err := s.Scan(&c.Channel, &c.Status, &c.N)
		return c, err
	}, "outbox counts")
}

// Notifications lists outbox messages, newest first.
func (tx *Tx) Notifications(ctx context.Context, f notify.Filter) ([]notify.Notification, error) {
	var w where
	w.addIf(string(f.Status), "status = ?")
	if f.MinAttempts > 0 {
		w.add("attempts >= ?", f.MinAttempts)
	}
	if f.Before > 0 {
		w.add("id < ?", f.Before)
	}
	rows, err := tx.query(ctx, "SELECT "+notificationCols+" FROM notifications"+w.String()+" ORDER BY id DESC LIMIT ?",
		append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: list notifications")
	}
	return collect(rows, scanNotification, "notifications")
}

// RetryNotification makes a failed message pending again from at.
func (tx *Tx) RetryNotification(ctx context.Context, id int64, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = ?, locked_by = NULL
		WHERE id = ? AND status = 'failed'`, at.UTC(), id)
	return mapErr(err, "store: retry notification")
}

// NotifyStore is the outbox as the dispatcher sees it (notify.DispatchStore).
// A claim pushes next_attempt_at to the end of the lease, so the message is
// not due for anyone else meanwhile, and comes due again if its dispatcher
// dies. On PostgreSQL the claim skips rows another instance is claiming; on
// SQLite the single writer makes it atomic.
type NotifyStore struct{ DB *DB }

// ClaimNotifications takes due pending messages for owner.
func (s NotifyStore) ClaimNotifications(ctx context.Context, owner string, now, until time.Time, limit int) ([]notify.Notification, error) {
	// Look on the read pool first: an idle dispatcher takes no write lock.
	var due int
	err := s.DB.Read(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT id FROM notifications
			WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1) due`, now.UTC()).Scan(&due)
		return mapErr(err, "store: look for due notifications")
	})
	if err != nil || due == 0 {
		return nil, err
	}
	lock := ""
	if s.DB.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []notify.Notification
	err = s.DB.Write(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?, locked_by = ?
			WHERE id IN (SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_at <= ?
				ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
			RETURNING `+notificationCols, until.UTC(), owner, now.UTC(), limit)
		if err != nil {
			return mapErr(err, "store: claim notifications")
		}
		out, err = collect(rows, scanNotification, "notifications")
		return err
	})
	return out, err
}

// settle changes a claimed message if this dispatcher still holds it.
func (s NotifyStore) settle(ctx context.Context, n notify.Notification, set string, args ...any) error {
	return s.DB.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "UPDATE notifications SET "+set+`, locked_by = NULL
			WHERE id = ? AND status = 'pending' AND locked_by = ? AND attempts = ?`, append(args, n.ID, n.LockedBy, n.Attempts)...)
		return mapErr(err, "store: settle notification %d", n.ID)
	})
}

// MarkSent records a delivered message.
func (s NotifyStore) MarkSent(ctx context.Context, n notify.Notification, at time.Time) error {
	return s.settle(ctx, n, "status = 'sent', sent_at = ?, last_error = ''", at.UTC())
}

// MarkRetry records a failed attempt and when to try again.
func (s NotifyStore) MarkRetry(ctx context.Context, n notify.Notification, next time.Time, errText string) error {
	return s.settle(ctx, n, "next_attempt_at = ?, last_error = ?", next.UTC(), clip(errText))
}

// MarkFailed records a message that will not be tried again.
func (s NotifyStore) MarkFailed(ctx context.Context, n notify.Notification, errText string) error {
	return s.settle(ctx, n, "status = 'failed', last_error = ?", clip(errText))
}

// Address resolves a recipient on a channel: an inbox message goes to the
// recipient itself, an SMS to a telephone number or an enterprise's contact
// phone. Users have no telephone number or e-mail address on record yet.
func (s NotifyStore) Address(ctx context.Context, r notify.Recipient, c notify.Channel) (notify.Address, error) {
	switch {
	case c == notify.Inbox:
		return notify.Address{To: r.ID}, nil
	case c == notify.SMS && r.Kind == notify.ToPhone:
		return notify.Address{To: r.ID}, nil
	case c == notify.SMS && r.Kind == notify.ToEnterprise:
		var phone string
		err := s.DB.Read(ctx, func(tx *Tx) error {
			return tx.queryRow(ctx, "SELECT contact_phone FROM enterprises WHERE uscc = ?", r.ID).Scan(&phone)
		})
		if errors.Is(err, sql.ErrNoRows) || err == nil && phone == "" {
			return notify.Address{}, notify.ErrNoAddress
		}
		return notify.Address{To: phone}, mapErr(err, "store: enterprise phone")
	}
	return notify.Address{}, notify.ErrNoAddress
}
