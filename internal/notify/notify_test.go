package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/notify"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

var start = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

var (
	admin = access.Actor{UserID: 1, Username: "admin", Role: access.CityAdmin}
	alice = access.Actor{UserID: 2, Username: "alice", Role: access.StreetStaff, OrgCode: "P370202001"}
	bob   = access.Actor{UserID: 3, Username: "bob", Role: access.DistrictStaff, OrgCode: "P370202"}
	firm  = access.Actor{UserID: 4, Username: "firm", Role: access.Enterprise, OrgCode: "91370202MA3C8Q1D0X"}
)

// fakeSMS records what it is asked to send and fails while fail says so.
type fakeSMS struct {
	mu   sync.Mutex
	sent []notify.Rendered
	fail func(n int) error // n: calls so far, this one included
	n    int
}

func (*fakeSMS) Channel() notify.Channel { return notify.SMS }

func (f *fakeSMS) Send(_ context.Context, m notify.Rendered) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.fail != nil {
		if err := f.fail(f.n); err != nil {
			return err
		}
	}
	f.sent = append(f.sent, m)
	return nil
}

func (f *fakeSMS) delivered() []notify.Rendered {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]notify.Rendered(nil), f.sent...)
}

type env struct {
	db    *store.DB
	clock *clock.Fake
	svc   *notify.Service
	disp  *notify.Dispatcher
	sms   *fakeSMS
}

func newEnv(t *testing.T, db *store.DB) *env {
	fc := clock.NewFake(start)
	e := &env{db: db, clock: fc, sms: &fakeSMS{}}
	e.svc = notify.NewService(store.Repo[notify.Tx]{DB: db}, fc)
	e.disp = notify.NewDispatcher(store.NotifyStore{DB: db}, fc, notify.DispatchOptions{Instance: "test", MaxAttempts: 3, Logger: quiet()})
	e.disp.Register(e.sms)
	return e
}

func (e *env) drain(t *testing.T) int {
	t.Helper()
	n, err := e.disp.Drain(context.Background())
	if err != nil {
		t.Fatalf("dispatch: %v", err)
	}
	return n
}

func (e *env) message(to notify.Recipient, ch notify.Channel, text string) notify.Message {
	return notify.Message{Recipient: to, Channel: ch, Key: "notify.msg.test", Params: map[string]any{"text": text},
		Link: "/inbox", ObjectType: "test", ObjectID: text, At: e.clock.Now()}
}

func (e *env) outbox(t *testing.T, status notify.Status) []notify.Notification {
	t.Helper()
	items, _, err := e.svc.List(context.Background(), admin, notify.Filter{Status: status, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// The outbox commits with the event: a message of a rolled-back transaction
// is never sent, a committed one is sent once.
func TestOutboxCommitsWithTheTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		boom := errors.New("the ticket could not be saved")
		err := db.Write(ctx, func(tx *store.Tx) error {
			var out notify.Outbox = tx // what a domain package's Tx interface embeds
			if err := out.EnqueueNotification(ctx, e.message(notify.Phone("13800138000"), notify.SMS, "rolled back")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("write: %v", err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			return tx.EnqueueNotification(ctx, e.message(notify.Phone("13800138000"), notify.SMS, "committed"))
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := e.drain(t); n != 1 {
			t.Errorf("dispatched %d, want 1", n)
		}
		e.clock.Advance(24 * time.Hour)
		if n := e.drain(t); n != 0 {
			t.Errorf("dispatched %d more later, want none", n)
		}
		got := e.sms.delivered()
		if len(got) != 1 || got[0].Text != "测试消息：committed" || got[0].To != "13800138000" {
			t.Fatalf("sent %+v, want the committed message once", got)
		}
		sent := e.outbox(t, notify.Sent)
		if len(sent) != 1 || sent[0].Attempts != 1 || sent[0].SentAt == nil || !sent[0].SentAt.Equal(e.clock.Now().Add(-24*time.Hour)) {
			t.Errorf("outbox after sending: %+v", sent)
		}
		// A message that could not be read back correctly never enters.
		bad := e.message(notify.Phone("13800138000"), notify.Inbox, "x")
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.EnqueueNotification(ctx, bad) }); err == nil {
			t.Error("an inbox message to a phone number was accepted")
		}
		bad = e.message(notify.User("alice"), notify.Inbox, "x")
		bad.Lang = "en-US" // would be rendered in zh-CN
		if err := e.svc.Send(ctx, bad); err == nil {
			t.Error("a message in an unsupported language tag was accepted")
		}
		bad = e.message(notify.User("alice"), notify.Inbox, "x")
		bad.Key = "notify.no_such_message"
		if err := e.svc.Send(ctx, bad); err == nil {
			t.Error("a message with a key outside the catalog was accepted")
		}
	})
}

// An SMS gateway failing twice is retried after one minute, then two; the
// third attempt succeeds and the message ends sent.
func TestFailingSMSIsRetriedWithGrowingDelays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.sms.fail = func(n int) error {
			if n <= 2 {
				return fmt.Errorf("gateway busy (%d)", n)
			}
			return nil
		}
		if err := e.svc.Send(ctx, e.message(notify.Phone("13800138000"), notify.SMS, "retry")); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			advance  time.Duration
			sends    int // gateway calls so far
			attempts int
			status   notify.Status
			next     time.Duration // next attempt after start
		}{
			{0, 1, 1, notify.Pending, time.Minute},
			{59 * time.Second, 1, 1, notify.Pending, time.Minute},
			{time.Second, 2, 2, notify.Pending, 3 * time.Minute},
			{119 * time.Second, 2, 2, notify.Pending, 3 * time.Minute},
			{time.Second, 3, 3, notify.Sent, 0},
		}
		for i, s := range steps {
			e.clock.Advance(s.advance)
			e.drain(t)
			items, _, err := e.svc.List(ctx, admin, notify.Filter{Limit: 10})
			if err != nil || len(items) != 1 {
				t.Fatalf("step %d: %v %v", i, items, err)
			}
			n := items[0]
			if e.sms.n != s.sends || n.Attempts != s.attempts || n.Status != s.status {
				t.Errorf("step %d: %d gateway calls, attempts %d, status %s; want %d, %d, %s", i, e.sms.n, n.Attempts, n.Status,
					s.sends, s.attempts, s.status)
			}
			if s.status == notify.Pending && !n.NextAttemptAt.Equal(start.Add(s.next)) {
				t.Errorf("step %d: next attempt %v, want %v", i, n.NextAttemptAt, start.Add(s.next))
			}
			if s.status == notify.Pending && !strings.HasPrefix(n.LastError, "gateway busy") {
				t.Errorf("step %d: last error %q", i, n.LastError)
			}
		}
		if got := e.sms.delivered(); len(got) != 1 {
			t.Errorf("delivered %d times, want once", len(got))
		}
	})
}

// After its last attempt a message is failed; the city admin sees it with
// its error and sends it again; others may not.
func TestFailedSendIsShownToAdminAndRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		down := true
		e.sms.fail = func(int) error {
			if down {
				return errors.New("gateway down")
			}
			return nil
		}
		msgs := []notify.Message{
			e.message(notify.Phone("13800138000"), notify.SMS, "down"),
			// Users have no phone number on record: failed at once.
			e.message(notify.User("alice"), notify.SMS, "no phone"),
			// No e-mail sender configured: failed at once.
			e.message(notify.User("alice"), notify.Email, "no sender"),
		}
		if err := e.svc.Send(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
		for range e.disp.MaxAttempts() {
			e.drain(t)
			e.clock.Advance(time.Hour)
		}
		failed := e.outbox(t, notify.Failed)
		if len(failed) != 3 {
			t.Fatalf("failed %d, want 3: %+v", len(failed), failed)
		}
		byText := map[string]notify.Notification{}
		for _, n := range failed {
			byText[n.Params["text"].(string)] = n
		}
		if n := byText["down"]; n.Attempts != 3 || n.LastError != "gateway down" {
			t.Errorf("gateway failure: attempts %d, error %q", n.Attempts, n.LastError)
		}
		if n := byText["no phone"]; n.Attempts != 1 || !strings.Contains(n.LastError, "no address") {
			t.Errorf("no phone: attempts %d, error %q", n.Attempts, n.LastError)
		}
		if n := byText["no sender"]; n.Attempts != 1 || !strings.Contains(n.LastError, "no sender") {
			t.Errorf("no sender: attempts %d, error %q", n.Attempts, n.LastError)
		}
		counts, err := e.svc.Counts(ctx, admin)
		if err != nil || len(counts) != 2 {
			t.Errorf("counts %+v %v", counts, err)
		}
		for _, a := range []access.Actor{alice, firm, {Username: "auditor", Role: access.Auditor}} {
			if _, _, err := e.svc.List(ctx, a, notify.Filter{Status: notify.Failed}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s lists the outbox: %v", a.Username, err)
			}
			if err := e.svc.Retry(ctx, a, byText["down"].ID); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s retries: %v", a.Username, err)
			}
		}
		down = false
		if err := e.svc.Retry(ctx, admin, byText["down"].ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Retry(ctx, admin, byText["down"].ID); !apperr.HasCode(err, "not_failed") {
			t.Errorf("retry of a pending message: %v", err)
		}
		if err := e.svc.Retry(ctx, admin, 999999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("retry of an unknown message: %v", err)
		}
		if n := e.drain(t); n != 1 {
			t.Errorf("dispatched %d after the retry, want 1", n)
		}
		sent := e.outbox(t, notify.Sent)
		if len(sent) != 1 || sent[0].ID != byText["down"].ID || sent[0].Attempts != 1 || sent[0].LastError != "" {
			t.Errorf("sent after retry: %+v", sent)
		}
		entries, err := store.AuditStore{DB: db}.ListAudit(ctx, audit.Filter{Action: "notification.retry", Limit: 10})
		if err != nil || len(entries) != 1 || entries[0].Username != "admin" {
			t.Errorf("audit of the retry: %+v %v", entries, err)
		}
	})
}

// Inbox messages reach their recipient once dispatched: a user sees what is
// addressed to them, an enterprise's user also what is addressed to the
// enterprise, and nobody sees or marks another's.
func TestInboxReadAndUnread(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		var msgs []notify.Message
		for i := range 3 {
			msgs = append(msgs, e.message(notify.User("alice"), notify.Inbox, fmt.Sprintf("alice %d", i)))
		}
		msgs = append(msgs, e.message(notify.User("bob"), notify.Inbox, "bob"),
			e.message(notify.User("firm"), notify.Inbox, "firm user"),
			e.message(notify.Enterprise(firm.OrgCode), notify.Inbox, "firm enterprise"),
			e.message(notify.Enterprise("91370202MA3C8Q1D1Y"), notify.Inbox, "another enterprise"))
		if err := e.svc.Send(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
		unread := func(a access.Actor) int {
			n, err := e.svc.Unread(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := unread(alice); n != 0 {
			t.Errorf("alice has %d unread before delivery", n)
		}
		e.drain(t)
		texts := func(a access.Actor, f notify.InboxFilter) ([]string, string) {
			items, next, err := e.svc.Inbox(ctx, a, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, n := range items {
				out = append(out, n.Params["text"].(string))
			}
			return out, next
		}
		page, next := texts(alice, notify.InboxFilter{Limit: 2})
		if strings.Join(page, ",") != "alice 2,alice 1" || next == "" {
			t.Errorf("alice's first page %v next %q", page, next)
		}
		var before int64
		fmt.Sscan(next, &before)
		if page, next = texts(alice, notify.InboxFilter{Limit: 2, Before: before}); strings.Join(page, ",") != "alice 0" || next != "" {
			t.Errorf("alice's second page %v next %q", page, next)
		}
		if got, _ := texts(firm, notify.InboxFilter{}); strings.Join(got, ",") != "firm enterprise,firm user" {
			t.Errorf("the enterprise user's inbox: %v", got)
		}
		if got, _ := texts(access.SystemActor("cli"), notify.InboxFilter{}); len(got) != 0 {
			t.Errorf("the system actor's inbox: %v", got)
		}
		if unread(alice) != 3 || unread(bob) != 1 || unread(firm) != 2 {
			t.Errorf("unread: alice %d bob %d firm %d", unread(alice), unread(bob), unread(firm))
		}
		items, _, _ := e.svc.Inbox(ctx, alice, notify.InboxFilter{})
		if _, err := e.svc.MarkRead(ctx, bob, items[0].ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("bob marks alice's message: %v", err)
		}
		if _, err := e.svc.MarkRead(ctx, alice, 999999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an unknown message: %v", err)
		}
		e.clock.Advance(time.Minute)
		n, err := e.svc.MarkRead(ctx, alice, items[0].ID)
		if err != nil || n.ReadAt == nil || !n.ReadAt.Equal(e.clock.Now()) {
			t.Fatalf("mark read: %+v %v", n.ReadAt, err)
		}
		e.clock.Advance(time.Minute)
		if n, err = e.svc.MarkRead(ctx, alice, items[0].ID); err != nil || !n.ReadAt.Equal(e.clock.Now().Add(-time.Minute)) {
			t.Errorf("marking twice moved read_at: %v %v", n.ReadAt, err)
		}
		if unread(alice) != 2 {
			t.Errorf("alice unread %d after reading one, want 2", unread(alice))
		}
		if got, _ := texts(alice, notify.InboxFilter{Unread: true}); strings.Join(got, ",") != "alice 1,alice 0" {
			t.Errorf("alice's unread: %v", got)
		}
		if n, err := e.svc.MarkAllRead(ctx, firm); err != nil || n != 2 {
			t.Errorf("firm marks all read: %d %v", n, err)
		}
		if unread(firm) != 0 || unread(alice) != 2 || unread(bob) != 1 {
			t.Errorf("after firm's mark-all: firm %d alice %d bob %d", unread(firm), unread(alice), unread(bob))
		}
		// The other enterprise's message is still unread.
		other := access.Actor{Username: "other", Role: access.Enterprise, OrgCode: "91370202MA3C8Q1D1Y"}
		if unread(other) != 1 {
			t.Errorf("the other enterprise has %d unread, want 1", unread(other))
		}
	})
}

// The text is rendered in the recipient's language when it is sent; a key
// parameter is translated too. The inbox renders in the reader's language.
func TestRenderedInRecipientLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		zh := e.message(notify.Phone("13800138000"), notify.SMS, "")
		zh.Params = map[string]any{"text": locale.Key("notify.channel.sms")}
		en := zh
		en.Recipient, en.Lang = notify.Phone("13900139000"), locale.EN
		in := zh.Via(notify.Inbox)[0]
		in.Recipient = notify.User("alice")
		if err := e.svc.Send(ctx, zh, en, in); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		got := map[string]string{}
		for _, m := range e.sms.delivered() {
			got[m.To] = string(m.Lang) + " " + m.Text
		}
		if got["13800138000"] != "zh-CN 测试消息：短信" || got["13900139000"] != "en Test message: SMS" {
			t.Errorf("rendered %q", got)
		}
		items, _, err := e.svc.Inbox(ctx, alice, notify.InboxFilter{})
		if err != nil || len(items) != 1 {
			t.Fatalf("inbox %v %v", items, err)
		}
		if s := items[0].Text(locale.NewPrinter(locale.EN)); s != "Test message: SMS" {
			t.Errorf("inbox in English: %q", s)
		}
		if s := items[0].Text(locale.NewPrinter(locale.ZH)); s != "测试消息：短信" {
			t.Errorf("inbox in Chinese: %q", s)
		}
	})
}

// The default SMS sender writes the text and a masked number to the log.
func TestLogSMSMasksTheNumber(t *testing.T) {
	var buf bytes.Buffer
	s := notify.LogSMS{Log: slog.New(slog.NewTextHandler(&buf, nil))}
	if err := s.Send(context.Background(), notify.Rendered{ID: 7, To: "13800138000", Text: "测试消息：x", Lang: locale.ZH}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "13800138000") || !strings.Contains(out, "*******8000") || !strings.Contains(out, "测试消息：x") {
		t.Errorf("log line %q: want the text and a masked number", out)
	}
}

// Two dispatchers on two connections to one database send each message
// once.
func TestTwoDispatchersSendEachMessageOnce(t *testing.T) {
	for _, d := range storetest.Engines {
		t.Run(string(d), func(t *testing.T) {
			dialect, dsn := storetest.DSN(t, d)
			ctx := context.Background()
			fc := clock.NewFake(start)
			var mu sync.Mutex
			sends := map[int64]int{}
			var dispatchers []*notify.Dispatcher
			var svc *notify.Service
			for _, name := range []string{"a", "b"} {
				db, err := store.Open(ctx, dialect, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				disp := notify.NewDispatcher(store.NotifyStore{DB: db}, fc, notify.DispatchOptions{Instance: name, Batch: 7, Logger: quiet()})
				disp.Register(senderFunc(func(m notify.Rendered) error {
					mu.Lock()
					sends[m.ID]++
					mu.Unlock()
					return nil
				}))
				dispatchers = append(dispatchers, disp)
				svc = notify.NewService(store.Repo[notify.Tx]{DB: db}, fc)
			}
			const total = 150
			var msgs []notify.Message
			for i := range total {
				msgs = append(msgs, notify.Message{Recipient: notify.Phone(fmt.Sprintf("1380013%04d", i)), Channel: notify.SMS,
					Key: "notify.msg.test", Params: map[string]any{"text": i}})
			}
			if err := svc.Send(ctx, msgs...); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for _, disp := range dispatchers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 100 {
						if _, err := disp.Drain(ctx); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if len(sends) != total {
				t.Errorf("%d messages sent, want %d", len(sends), total)
			}
			for id, n := range sends {
				if n != 1 {
					t.Errorf("message %d sent %d times", id, n)
				}
			}
		})
	}
}

type senderFunc func(notify.Rendered) error

func (senderFunc) Channel() notify.Channel                           { return notify.SMS }
func (f senderFunc) Send(_ context.Context, m notify.Rendered) error { return f(m) }
