// Package notify tells enterprises and staff what they must know (issue 4
// item 6). Every notification goes through an outbox: a domain service adds
// Messages inside the write transaction of the event they announce, so the
// event and its notifications commit together or not at all. A Dispatcher
// then sends pending messages through pluggable Senders (in-app inbox, SMS,
// e-mail), rendering the text from a catalog key in the recipient's
// language at send time, retrying failures with growing delays and marking
// them failed, for an administrator to see and retry, after the last
// attempt.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/locale"
)

// Channel is how a message reaches its recipient.
type Channel string

const (
	Inbox Channel = "inbox" // the in-app inbox (站内消息)
	SMS   Channel = "sms"
	Email Channel = "email"
)

// Channels lists the channels.
var Channels = []Channel{Inbox, SMS, Email}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c == Inbox || c == SMS || c == Email }

// Status is where a message is in the outbox.
type Status string

const (
	Pending Status = "pending" // waiting to be sent, or to be tried again
	Sent    Status = "sent"    // delivered to the channel (an inbox message is then readable)
	Failed  Status = "failed"  // every attempt failed; an administrator may retry
)

// Statuses lists the statuses.
var Statuses = []Status{Pending, Sent, Failed}

// RecipientKind says what a recipient names.
type RecipientKind string

const (
	ToUser       RecipientKind = "user"       // a user, by username
	ToEnterprise RecipientKind = "enterprise" // an enterprise, by credit code: its users and its contact
	ToPhone      RecipientKind = "phone"      // a telephone number (SMS only)
)

// Recipient is who a message is for.
type Recipient struct {
	Kind RecipientKind `json:"type"`
	ID   string        `json:"id"`
}

// User is the recipient for a user.
func User(username string) Recipient { return Recipient{Kind: ToUser, ID: username} }

// Enterprise is the recipient for an enterprise (its users' inbox, its
// contact phone).
func Enterprise(uscc string) Recipient { return Recipient{Kind: ToEnterprise, ID: uscc} }

// Phone is the recipient for a telephone number.
func Phone(number string) Recipient { return Recipient{Kind: ToPhone, ID: number} }

// String is the stored form: "user:alice", "enterprise:9137…", "phone:138…".
func (r Recipient) String() string { return string(r.Kind) + ":" + r.ID }

// ParseRecipient reads the stored form of a recipient.
func ParseRecipient(s string) (Recipient, error) {
	kind, id, ok := strings.Cut(s, ":")
	r := Recipient{Kind: RecipientKind(kind), ID: id}
	if !ok {
		return Recipient{}, fmt.Errorf("notify: recipient %q has no kind", s)
	}
	return r, r.Validate()
}

var phoneRe = regexp.MustCompile(`^\+?[0-9][0-9-]{2,19}$`)

// Validate checks the recipient's form.
func (r Recipient) Validate() error {
	if r.ID == "" || strings.ContainsAny(r.ID, " \t\r\n") {
		return fmt.Errorf("notify: recipient %q: empty or spaced id", r.String())
	}
	switch r.Kind {
	case ToUser, ToEnterprise:
		return nil
	case ToPhone:
		if !phoneRe.MatchString(r.ID) {
			return fmt.Errorf("notify: %q is not a telephone number", r.ID)
		}
		return nil
	}
	return fmt.Errorf("notify: unknown recipient kind %q", r.Kind)
}

// Message is one notification to one recipient on one channel. Its text is
// a catalog key with parameters, rendered when it is sent (the inbox renders
// it when it is read), in the recipient's language.
type Message struct {
	Recipient Recipient
	Channel   Channel
	// Key is the catalog key of the text; Params fill its placeholders (a
	// locale.Key value is itself translated).
	Key    string
	Params map[string]any
	// Link is the page the message is about ("/tickets/12"), if any.
	Link       string
	ObjectType string
	ObjectID   string
	// Lang is the recipient's language when the sender of the event knows
	// it (an enterprise that wrote in English); empty means zh-CN.
	Lang locale.Lang
	// At is when the event happened: the message is due from then.
	At time.Time
}

// Via returns the message once per channel (an event told in the inbox and
// by SMS).
func (m Message) Via(channels ...Channel) []Message {
	out := make([]Message, len(channels))
	for i, c := range channels {
		out[i] = m
		out[i].Channel = c
	}
	return out
}

// Validate checks a message before it enters the outbox. A bad message is a
// programming error, not a user's: the errors are plain.
func (m Message) Validate() error {
	if err := m.Recipient.Validate(); err != nil {
		return err
	}
	switch m.Channel {
	case Inbox:
		if m.Recipient.Kind == ToPhone {
			return errors.New("notify: an inbox message needs a user or an enterprise")
		}
	case Email:
		if m.Recipient.Kind == ToPhone {
			return errors.New("notify: an e-mail needs a user or an enterprise")
		}
	case SMS:
	default:
		return fmt.Errorf("notify: unknown channel %q", m.Channel)
	}
	if m.Key == "" || !locale.NewPrinter(locale.ZH).Has(m.Key) {
		return fmt.Errorf("notify: message key %q is not in the catalog", m.Key)
	}
	if m.Link != "" && (!strings.HasPrefix(m.Link, "/") || strings.HasPrefix(m.Link, "//") || strings.HasPrefix(m.Link, "/\\")) {
		return fmt.Errorf("notify: link %q is not a path of this site", m.Link)
	}
	if m.Lang != "" && !slices.Contains(locale.Langs, m.Lang) {
		return fmt.Errorf("notify: unsupported language %q", m.Lang)
	}
	if m.At.IsZero() {
		return errors.New("notify: a message needs the time of its event")
	}
	_, err := EncodeParams(m.Params)
	return err
}

// Outbox takes messages inside an open write transaction; the store's write
// transaction implements it, and a domain package that notifies embeds it
// in its own Tx interface. A message is sent only if the transaction
// commits. The message must be valid (Validate).
type Outbox interface {
	EnqueueNotification(ctx context.Context, m Message) error
}

// Notification is a message in the outbox, with its delivery state.
type Notification struct {
	ID int64
	Message
	Status        Status
	Attempts      int
	NextAttemptAt time.Time
	LockedBy      string
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
	ReadAt        *time.Time // inbox messages: when the recipient read it
}

// Text renders the message in a printer's language.
func (n Notification) Text(p *locale.Printer) string { return p.TMap(n.Key, n.Params) }

// keyParam marks a parameter that is a catalog key in the stored JSON.
const keyParam = "$key"

// EncodeParams is the stored JSON of message parameters; locale.Key values
// keep their kind.
func EncodeParams(params map[string]any) (string, error) {
	if len(params) == 0 {
		return "{}", nil
	}
	out := make(map[string]any, len(params))
	for k, v := range params {
		if key, ok := v.(locale.Key); ok {
			out[k] = map[string]string{keyParam: string(key)}
			continue
		}
		out[k] = v
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("notify: parameters: %w", err)
	}
	return string(b), nil
}

// DecodeParams reads stored parameters back.
func DecodeParams(s string) (map[string]any, error) {
	var raw map[string]any
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("notify: parameters: %w", err)
	}
	for k, v := range raw {
		if m, ok := v.(map[string]any); ok && len(m) == 1 {
			if key, ok := m[keyParam].(string); ok {
				raw[k] = locale.Key(key)
			}
		}
	}
	return raw, nil
}
