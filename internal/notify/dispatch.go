package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/locale"
)

// Rendered is a message ready for a channel: the text in the recipient's
// language and the address to send it to.
type Rendered struct {
	ID        int64
	Channel   Channel
	Recipient Recipient
	// To is the address on the channel: the telephone number of an SMS,
	// the e-mail address; for the inbox the recipient itself.
	To         string
	Lang       locale.Lang
	Text       string
	Link       string
	ObjectType string
	ObjectID   string
}

// Sender delivers rendered messages on one channel. Send must return an
// error unless the message was handed over; an error wrapped with
// Permanent is not retried.
type Sender interface {
	Channel() Channel
	Send(ctx context.Context, m Rendered) error
}

// Address is where a recipient is reached on a channel, and in which
// language.
type Address struct {
	To   string
	Lang locale.Lang // "" when unknown
}

// ErrNoAddress says a recipient cannot be reached on a channel (a user
// without a phone number): retrying does not help.
var ErrNoAddress = errors.New("notify: the recipient has no address on this channel")

// DispatchStore is what the Dispatcher needs from storage. Claimed messages
// are held by pushing next_attempt_at to the lease's end; every later
// change is fenced by owner and attempt (a late owner changes nothing).
type DispatchStore interface {
	// ClaimNotifications takes up to limit pending messages due at now
	// for owner, counting an attempt, held until until.
	ClaimNotifications(ctx context.Context, owner string, now, until time.Time, limit int) ([]Notification, error)
	// Address resolves a recipient on a channel (ErrNoAddress).
	Address(ctx context.Context, r Recipient, c Channel) (Address, error)
	MarkSent(ctx context.Context, n Notification, at time.Time) error
	MarkRetry(ctx context.Context, n Notification, next time.Time, errText string) error
	MarkFailed(ctx context.Context, n Notification, errText string) error
}

// DispatchOptions tune a Dispatcher; zero means the default.
type DispatchOptions struct {
	Instance    string // locked_by of claimed messages (default: host and random suffix)
	MaxAttempts int    // attempts before a message fails (default DefaultMaxAttempts)
	// Backoff is the wait after failed attempt n (default: one minute,
	// doubled per attempt, at most an hour).
	Backoff func(attempt int) time.Duration
	Batch   int           // messages claimed at once (default 20)
	Timeout time.Duration // bound of one Send (default 15s)
	Logger  *slog.Logger
}

// DefaultMaxAttempts is how many attempts a message gets by default.
const DefaultMaxAttempts = 5

// DefaultBackoff waits a minute after the first failure, doubling after
// each further one, at most an hour.
func DefaultBackoff(attempt int) time.Duration {
	d := time.Minute
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Dispatcher sends pending messages. Several app instances may dispatch at
// once: each message is claimed by one of them.
type Dispatcher struct {
	store   DispatchStore
	clock   clock.Clock
	opt     DispatchOptions
	log     *slog.Logger
	senders map[Channel]Sender
}

// NewDispatcher makes a dispatcher with the inbox sender registered; add
// the SMS and e-mail senders with Register.
func NewDispatcher(s DispatchStore, c clock.Clock, opt DispatchOptions) *Dispatcher {
	if opt.Instance == "" {
		host, _ := os.Hostname()
		var b [4]byte
		rand.Read(b[:])
		opt.Instance = host + "-" + hex.EncodeToString(b[:])
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = DefaultMaxAttempts
	}
	if opt.Backoff == nil {
		opt.Backoff = DefaultBackoff
	}
	if opt.Batch <= 0 {
		opt.Batch = 20
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 15 * time.Second
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	d := &Dispatcher{store: s, clock: c, opt: opt, log: log, senders: map[Channel]Sender{}}
	d.Register(InboxSender{})
	return d
}

// Register sets the sender of its channel, replacing the one before.
func (d *Dispatcher) Register(s Sender) { d.senders[s.Channel()] = s }

// MaxAttempts is how many attempts a message gets.
func (d *Dispatcher) MaxAttempts() int { return d.opt.MaxAttempts }

// Lease is how long a claimed batch stays with this dispatcher: long enough
// to send every message of it one after the other.
func (d *Dispatcher) Lease() time.Duration {
	return time.Duration(d.opt.Batch)*d.opt.Timeout + 30*time.Second
}

// Dispatch claims one batch of due messages and sends them; it reports how
// many it claimed.
func (d *Dispatcher) Dispatch(ctx context.Context) (int, error) {
	now := d.clock.Now()
	batch, err := d.store.ClaimNotifications(ctx, d.opt.Instance, now, now.Add(d.Lease()), d.opt.Batch)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, n := range batch {
		if ctx.Err() != nil {
			// The rest come due again when the lease ends.
			break
		}
		errs = append(errs, d.send(ctx, n))
	}
	return len(batch), errors.Join(errs...)
}

// Drain dispatches until no message is due (retries due later wait).
func (d *Dispatcher) Drain(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := d.Dispatch(ctx)
		total += n
		if err != nil || n < d.opt.Batch {
			return total, err
		}
	}
}

// send delivers one claimed message and records the outcome; the error is
// about recording it, a failed delivery is recorded, not returned.
func (d *Dispatcher) send(ctx context.Context, n Notification) error {
	log := d.log.With("notification", n.ID, "channel", n.Channel, "attempt", n.Attempts)
	err := d.deliver(ctx, n)
	sctx := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		return d.store.MarkSent(sctx, n, d.clock.Now())
	case errors.Is(err, errPermanent) || n.Attempts >= d.opt.MaxAttempts:
		log.Error("notify: failed", "err", err)
		return d.store.MarkFailed(sctx, n, err.Error())
	default:
		next := d.clock.Now().Add(d.opt.Backoff(n.Attempts))
		log.Warn("notify: will retry", "err", err, "at", next)
		return d.store.MarkRetry(sctx, n, next, err.Error())
	}
}

func (d *Dispatcher) deliver(ctx context.Context, n Notification) (err error) {
	s, ok := d.senders[n.Channel]
	if !ok {
		return Permanent(fmt.Errorf("notify: no sender for channel %s", n.Channel))
	}
	addr, err := d.store.Address(ctx, n.Recipient, n.Channel)
	if errors.Is(err, ErrNoAddress) {
		return Permanent(err)
	}
	if err != nil {
		return err
	}
	lang := n.Lang
	if lang == "" {
		lang = addr.Lang
	}
	p := locale.NewPrinter(lang)
	r := Rendered{ID: n.ID, Channel: n.Channel, Recipient: n.Recipient, To: addr.To, Lang: p.Lang, Text: n.Text(p),
		Link: n.Link, ObjectType: n.ObjectType, ObjectID: n.ObjectID}
	sctx, cancel := context.WithTimeout(ctx, d.opt.Timeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("notify: %s sender panicked: %v", n.Channel, v)
		}
	}()
	return s.Send(sctx, r)
}

var errPermanent = errors.New("permanent")

type permanentError struct{ err error }

func (p permanentError) Error() string   { return p.err.Error() }
func (p permanentError) Unwrap() []error { return []error{p.err, errPermanent} }

// Permanent wraps a send error that retrying cannot cure (an invalid
// number): the message fails at once.
func Permanent(err error) error { return permanentError{err} }

// InboxSender delivers inbox messages: a message marked sent is in its
// recipient's inbox, rendered in the reader's language when read.
type InboxSender struct{}

func (InboxSender) Channel() Channel                     { return Inbox }
func (InboxSender) Send(context.Context, Rendered) error { return nil }

// LogSMS is the default SMS sender: it writes the masked number and the
// text to the log instead of sending (no SMS gateway configured).
type LogSMS struct{ Log *slog.Logger }

func (LogSMS) Channel() Channel { return SMS }

func (s LogSMS) Send(_ context.Context, m Rendered) error {
	s.Log.Info("sms (not sent: no gateway configured)", "to", MaskNumber(m.To), "lang", m.Lang, "text", m.Text,
		"notification", m.ID)
	return nil
}

// MaskNumber hides a telephone number but its last four digits, for logs
// and pages that only need to tell numbers apart.
func MaskNumber(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	b := []byte(s)
	for i := 0; i < len(b)-4; i++ {
		if b[i] >= '0' && b[i] <= '9' {
			b[i] = '*'
		}
	}
	return string(b)
}
