package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/notify"
)

// inboxIDs are the ids of a user's delivered inbox messages, newest first.
func inboxIDs(t *testing.T, env *apptest.Env, a access.Actor) []string {
	t.Helper()
	items, _, err := env.App.Notify.Inbox(context.Background(), a, notify.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range items {
		ids = append(ids, fmt.Sprint(n.ID))
	}
	return ids
}

func TestInboxAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		ctx := context.Background()
		msg := func(to notify.Recipient, text string) notify.Message {
			return notify.Message{Recipient: to, Channel: notify.Inbox, Key: "notify.msg.test", Params: map[string]any{"text": text},
				Link: "/inbox", ObjectType: "test", ObjectID: text}
		}
		err := env.App.Notify.Send(ctx, msg(notify.User("street"), "one"), msg(notify.User("street"), "two"),
			msg(notify.User("street"), "three"), msg(notify.User("district"), "district's"),
			msg(notify.User("enterprise"), "to the user"), msg(notify.Enterprise(demo.DemoEnterprise), "to the enterprise"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Dispatcher.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		street := inboxIDs(t, env, access.Actor{Username: "street", Role: access.StreetStaff})
		district := inboxIDs(t, env, access.Actor{Username: "district", Role: access.DistrictStaff})
		c := newClient(env)

		first := c.do("street", "GET", "/api/v1/inbox?limit=2", nil)
		items := first.Items()
		next, _ := first.JSON["next_cursor"].(string)
		if first.Status != http.StatusOK || len(items) != 2 || items[0]["text"] != "测试消息：three" || next == "" {
			t.Fatalf("first page: %d %s", first.Status, first.Body)
		}
		second := c.do("street", "GET", "/api/v1/inbox?limit=2&cursor="+url.QueryEscape(next), nil)
		if items := second.Items(); len(items) != 1 || items[0]["text"] != "测试消息：one" || second.JSON["next_cursor"] != nil {
			t.Errorf("second page: %s", second.Body)
		}

		c.run(t, []scenario{
			{name: "in English", as: "street", method: "GET", path: "/api/v1/inbox?limit=1", headers: []string{"Accept-Language", "en"},
				status: 200, want: []string{`"text":"Test message: three"`, `"key":"notify.msg.test"`, `"recipient":{"type":"user","id":"street"}`,
					`"link":"/inbox"`, `"read_at":null`}},
			{name: "enterprise reads its own and its enterprise's", as: "enterprise", method: "GET", path: "/api/v1/inbox", status: 200,
				want: []string{`"recipient":{"type":"enterprise","id":"` + demo.DemoEnterprise + `"}`, `to the user`}},
			{name: "others' messages are not listed", as: "district", method: "GET", path: "/api/v1/inbox", status: 200,
				notWant: []string{"three", "enterprise"}},
			{name: "no token", method: "GET", path: "/api/v1/inbox", status: 401},
			{name: "bad unread", as: "street", method: "GET", path: "/api/v1/inbox?unread=maybe", status: 422, field: "unread"},
			{name: "bad cursor", as: "street", method: "GET", path: "/api/v1/inbox?cursor=zzz", status: 422, field: "cursor"},
			{name: "read own", as: "street", method: "POST", path: "/api/v1/inbox/" + street[0] + "/read", status: 200,
				want: []string{`"read_at":"2026-11-26T09:00:00Z"`}},
			{name: "read own with an empty object", as: "street", method: "POST", path: "/api/v1/inbox/" + street[1] + "/read", body: map[string]any{},
				status: 200, notWant: []string{`"read_at":null`}},
			{name: "read again changes nothing", as: "street", method: "POST", path: "/api/v1/inbox/" + street[0] + "/read", status: 200,
				want: []string{`"read_at":"2026-11-26T09:00:00Z"`}},
			{name: "unread only", as: "street", method: "GET", path: "/api/v1/inbox?unread=true", status: 200,
				want: []string{"测试消息：one"}, notWant: []string{"three", "two"}},
			{name: "another's message", as: "street", method: "POST", path: "/api/v1/inbox/" + district[0] + "/read", status: 403, code: "forbidden"},
			{name: "unknown message", as: "street", method: "POST", path: "/api/v1/inbox/999999/read", status: 404, code: "not_found"},
			{name: "not an id", as: "street", method: "POST", path: "/api/v1/inbox/abc/read", status: 404, code: "not_found"},
			{name: "malformed body", as: "street", method: "POST", path: "/api/v1/inbox/" + street[2] + "/read", body: "{", status: 400,
				code: "malformed_json"},
		})
		if r := c.do("district", "GET", "/api/v1/inbox?unread=true", nil); len(r.Items()) != 1 {
			t.Errorf("district's message was marked read by someone else: %s", r.Body)
		}
	})
}
