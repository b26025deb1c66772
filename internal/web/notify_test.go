package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/notify"
)

func send(t *testing.T, env *apptest.Env, msgs ...notify.Message) {
	t.Helper()
	if err := env.App.Notify.Send(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
}

func dispatch(t *testing.T, env *apptest.Env) {
	t.Helper()
	if _, err := env.App.Dispatcher.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func testMessage(to notify.Recipient, ch notify.Channel, text, link string) notify.Message {
	return notify.Message{Recipient: to, Channel: ch, Key: "notify.msg.test", Params: map[string]any{"text": text}, Link: link}
}

// The header counts unread messages; the inbox shows them in the page's
// language, newest first; reading one, opening one and reading all clear
// the count.
func TestInboxPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("street", demo.Password)
		send(t, env, testMessage(notify.User("street"), notify.Inbox, "第一条", ""),
			testMessage(notify.User("street"), notify.Inbox, "second", "/platforms"),
			testMessage(notify.User("district"), notify.Inbox, "not for street", ""))
		if p := b.Get("/"); p.Count("#inbox-link .badge") != 0 {
			t.Errorf("a badge before delivery: %q", p.Text("#inbox-link"))
		}
		dispatch(t, env)
		p := b.Get("/")
		if got := p.Text("#inbox-link .badge"); got != "2" {
			t.Errorf("unread badge %q, want 2", got)
		}
		p = b.Get("/inbox")
		rows := p.Doc.Find("#inbox tbody tr")
		if rows.Length() != 2 || !strings.Contains(rows.Eq(0).Text(), "测试消息：second") || !strings.Contains(rows.Eq(1).Text(), "测试消息：第一条") {
			t.Fatalf("inbox rows: %q", p.Text("#inbox tbody"))
		}
		if strings.Contains(p.Body, "not for street") {
			t.Error("the inbox shows another user's message")
		}
		b.Lang = "en"
		if p := b.Get("/inbox"); !strings.Contains(p.Text("#inbox tbody"), "Test message: second") {
			t.Errorf("inbox in English: %q", p.Text("#inbox tbody"))
		}
		b.Lang = ""
		// Open: marks read and goes to the page the message is about.
		id, _ := rows.Eq(0).Attr("id")
		id = strings.TrimPrefix(id, "msg-")
		if p := b.Post("/inbox/"+id+"/read", url.Values{"next": {"/platforms"}}); p.Status != http.StatusSeeOther || p.Location != "/platforms" {
			t.Fatalf("open: %d %q", p.Status, p.Location)
		}
		p = b.Get("/inbox")
		if got := p.Text("#inbox-link .badge"); got != "1" {
			t.Errorf("badge after reading one: %q", got)
		}
		if p.Count("#inbox tr.unread") != 1 || p.Count("#msg-"+id+".unread") != 0 {
			t.Errorf("unread rows %d", p.Count("#inbox tr.unread"))
		}
		if p := b.Get("/inbox?unread=1"); p.Count("#inbox tbody tr") != 1 {
			t.Errorf("unread filter shows %d rows", p.Count("#inbox tbody tr"))
		}
		b.Get("/inbox")
		if p := b.Post("/inbox/read-all", nil); p.Status != http.StatusSeeOther || p.Location != "/inbox" {
			t.Fatalf("read all: %d %q", p.Status, p.Location)
		}
		p = b.Get("/inbox")
		if p.Count("#inbox-link .badge") != 0 || p.Count("#inbox tr.unread") != 0 || p.Text(".flash") == "" {
			t.Errorf("after reading all: badge %q, %d unread rows, flash %q", p.Text("#inbox-link .badge"),
				p.Count("#inbox tr.unread"), p.Text(".flash"))
		}
		// The district user still has its message unread.
		d := env.Browser()
		d.Login("district", demo.Password)
		if got := d.Get("/").Text("#inbox-link .badge"); got != "1" {
			t.Errorf("district's badge %q, want 1", got)
		}
		b.Get("/inbox")
		if p := b.Post("/inbox/999999/read", nil); p.Status != http.StatusNotFound {
			t.Errorf("reading an unknown message: %d", p.Status)
		}
	})
}

// failingSMS fails every send while down.
type failingSMS struct{ down *bool }

func (failingSMS) Channel() notify.Channel { return notify.SMS }

func (f failingSMS) Send(context.Context, notify.Rendered) error {
	if *f.down {
		return errors.New("短信网关超时")
	}
	return nil
}

// The city admin sees the outbox: counts, sends being retried and failed
// ones with their error, and sends a failed one again.
func TestOutboxPageShowsFailuresAndRetries(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		down := true
		env.App.Dispatcher.Register(failingSMS{&down})
		send(t, env, testMessage(notify.Phone("13800138000"), notify.SMS, "gateway", ""),
			testMessage(notify.User("street"), notify.Inbox, "delivered", ""))
		dispatch(t, env)
		b := adminBrowser(env)
		p := b.Get("/settings/notifications")
		if p.Status != http.StatusOK {
			t.Fatalf("outbox page: %d", p.Status)
		}
		if got := p.Text(`#outbox-counts tr[data-channel="sms"] td[data-status="pending"]`); got != "1" {
			t.Errorf("pending SMS count %q", got)
		}
		if got := p.Text(`#outbox-counts tr[data-channel="inbox"] td[data-status="sent"]`); got != "1" {
			t.Errorf("sent inbox count %q", got)
		}
		retrying := p.Text("#outbox-retrying tbody")
		if !strings.Contains(retrying, "短信网关超时") || !strings.Contains(retrying, "*******8000") || strings.Contains(p.Body, "13800138000") {
			t.Errorf("retrying: %q", retrying)
		}
		for range env.App.Dispatcher.MaxAttempts() {
			env.Clock.Advance(2 * time.Hour)
			dispatch(t, env)
		}
		b = adminBrowser(env) // the session timed out meanwhile
		p = b.Get("/settings/notifications")
		row := p.Doc.Find("#outbox-failed tbody tr")
		if row.Length() != 1 || !strings.Contains(row.Text(), "短信网关超时") || !strings.Contains(row.Text(), "测试消息：gateway") {
			t.Fatalf("failed sends: %q", p.Text("#outbox-failed"))
		}
		if p.Count("#outbox-retrying") != 0 {
			t.Error("a failed send is still listed as being retried")
		}
		action, _ := row.Find("form").Attr("action")
		down = false
		if r := b.Post(action, nil); r.Status != http.StatusSeeOther || r.Location != "/settings/notifications" {
			t.Fatalf("retry: %d %q", r.Status, r.Location)
		}
		dispatch(t, env)
		p = b.Get("/settings/notifications")
		if p.Count("#outbox-failed") != 0 || p.Text(`#outbox-counts tr[data-channel="sms"] td[data-status="sent"]`) != "1" {
			t.Errorf("after the retry: failed %q, sent %q", p.Text("#outbox-failed"),
				p.Text(`#outbox-counts tr[data-channel="sms"] td[data-status="sent"]`))
		}
		if !strings.Contains(b.Get("/settings").Body, `href="/settings/notifications"`) {
			t.Error("the settings page does not link to the outbox")
		}
	})
}
