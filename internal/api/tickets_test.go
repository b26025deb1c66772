package api_test

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
)

// The Tickets section of API.md (一线一网): intake and routing, reading a
// ticket with its events, listing within scope, every action with its
// refusals, attachments, Idempotency-Key, and the routing rules and time
// limits the city edits. Every answer is checked against openapi.json.

// Places of the demo network and what routing makes of them.
var (
	streetWithPlatform    = demo.StreetCode("370202", 0) // 八大关街道: the "street" login's platform
	streetWithoutPlatform = demo.StreetCode("370202", 4) // 云南路街道: no street platform
	otherDistrict         = "370203"                     // 市北区: outside the district login's scope
)

// ticketBody is the POST /api/v1/tickets body of API.md; kv overrides
// fields, a nil value removes one.
func ticketBody(region, category string, kv ...any) map[string]any {
	b := map[string]any{"channel": "hotline", "enterprise_uscc": demo.DemoEnterprise, "category": category,
		"title": "电子发票无法开具", "content": "企业反映电子发票系统无法开具发票，影响正常经营，请协调解决。",
		"region_code": region, "contact_name": "周明", "contact_phone": "13806390000"}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(b, k)
		} else {
			b[k] = kv[i+1]
		}
	}
	return b
}

// newTicket records a ticket and returns its id.
func (c *client) newTicket(t *testing.T, as string, body map[string]any) string {
	t.Helper()
	r := c.do(as, "POST", "/api/v1/tickets", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create ticket as %s: %d %s", as, r.Status, r.Body)
	}
	return idString(r.JSON)
}

// num is an id as a JSON number.
func num(id string) int64 {
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}

func idString(m map[string]any) string {
	f, _ := m["id"].(float64)
	return jsonNumber(f)
}

// ticket reads a ticket as the admin.
func (c *client) ticket(t *testing.T, id string) map[string]any {
	t.Helper()
	r := c.do("admin", "GET", "/api/v1/tickets/"+id, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET ticket %s: %d %s", id, r.Status, r.Body)
	}
	return r.JSON
}

// actOn is a scenario posting an action.
func actOn(name, as, id string, body any, status int) scenario {
	return scenario{name: name, as: as, method: "POST", path: "/api/v1/tickets/" + id + "/actions", body: body, status: status}
}

// refused is an action answered 403 forbidden.
func refused(name, as, id string, body any) scenario {
	s := actOn(name, as, id, body, http.StatusForbidden)
	s.code = "forbidden"
	return s
}

// badState is an action answered 409 invalid_transition.
func badState(name, as, id string, body any) scenario {
	s := actOn(name, as, id, body, http.StatusConflict)
	s.code = "invalid_transition"
	return s
}

// badField is an action answered 422 naming the field.
func badField(name, as, id string, body any, field string) scenario {
	s := actOn(name, as, id, body, http.StatusUnprocessableEntity)
	s.field = field
	return s
}

// done is an action that succeeds and leaves the ticket in a status, its
// last event recording the step.
func done(name, as, id string, body map[string]any, from, to string, want ...string) scenario {
	s := actOn(name, as, id, body, http.StatusOK)
	s.want = append([]string{`"status":"` + to + `"`}, want...)
	s.check = lastEvent(body["action"].(string), as, from, to)
	return s
}

func events(m map[string]any) []map[string]any {
	list, _ := m["events"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if em, ok := e.(map[string]any); ok {
			out = append(out, em)
		}
	}
	return out
}

// lastEvent checks the newest event of a ticket answer.
func lastEvent(action, actor, from, to string) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		ev := events(r.JSON)
		if len(ev) == 0 {
			t.Fatalf("no events: %s", r.Body)
		}
		e := ev[len(ev)-1]
		if e["action"] != action || e["actor"] != actor || e["from_status"] != from || e["to_status"] != to {
			t.Errorf("last event %v, want %s by %s %s → %s", e, action, actor, from, to)
		}
	}
}

// wantJSON checks top-level fields of the answer (compared as printed).
func wantJSON(kv ...any) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		for i := 0; i+1 < len(kv); i += 2 {
			k := kv[i].(string)
			if got, want := fmt.Sprint(r.JSON[k]), fmt.Sprint(kv[i+1]); got != want {
				t.Errorf("%s = %s, want %s", k, got, want)
			}
		}
	}
}

func both(checks ...func(t *testing.T, r *apptest.Response)) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		for _, c := range checks {
			c(t, r)
		}
	}
}

func assigneeOf(m map[string]any) string {
	a, _ := m["assignee"].(map[string]any)
	return fmt.Sprintf("%v:%v", a["type"], a["code"])
}

// wantAssignee checks the answer's assignee.
func wantAssignee(want string) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		if got := assigneeOf(r.JSON); got != want {
			t.Errorf("assignee %s, want %s", got, want)
		}
	}
}

var (
	numberRe = regexp.MustCompile(`^QF\d{8}-\d{7,}$`)
	offsetRe = regexp.MustCompile(`(Z|[+-]\d\d:\d\d)$`)
)

func timeField(t *testing.T, m map[string]any, k string) time.Time {
	t.Helper()
	s, _ := m[k].(string)
	at, err := time.Parse(time.RFC3339, s)
	if err != nil || !offsetRe.MatchString(s) {
		t.Errorf("%s = %q is not RFC 3339 with an offset", k, s)
	}
	return at
}

var cst = time.FixedZone("CST", 8*3600)

// createdFor checks the answer to POST /api/v1/tickets of API.md: id,
// number, status dispatched, the assignee, and deadlines in RFC 3339 with
// an offset, in the future and the handling one after the signing one.
func createdFor(assignee string) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		if id, _ := r.JSON["id"].(float64); id <= 0 {
			t.Errorf("id %v", r.JSON["id"])
		}
		if n, _ := r.JSON["number"].(string); !numberRe.MatchString(n) || !strings.HasSuffix(n, fmt.Sprintf("%07d", int64(r.JSON["id"].(float64)))) {
			t.Errorf("number %q does not carry the id", n)
		}
		if r.JSON["status"] != "dispatched" {
			t.Errorf("status %v, want dispatched", r.JSON["status"])
		}
		if got := assigneeOf(r.JSON); got != assignee {
			t.Errorf("assignee %s, want %s", got, assignee)
		}
		sign, due := timeField(t, r.JSON, "sign_due_at"), timeField(t, r.JSON, "due_at")
		if !sign.After(apptest.Start) || due.Before(sign) {
			t.Errorf("sign_due_at %v, due_at %v: want both after %v, the handling one last", sign, due, apptest.Start)
		}
	}
}

// ---- intake and routing ----

func TestTicketIntakeAndRouting(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		unregistered := demo.MakeUSCC("91", "370202", "TK000001")
		malformed := demo.DemoEnterprise[:17] + map[bool]string{true: "1", false: "0"}[demo.DemoEnterprise[17] == '0']
		var infringementDept, first string
		c.run(t, []scenario{
			{name: "street platform of the region", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "consult"), status: 201, check: both(createdFor("platform:P"+streetWithPlatform),
					func(t *testing.T, r *apptest.Response) {
						first = idString(r.JSON)
						// Five working days counted from the day after receipt
						// (Thursday 26 November 2026): Thursday 3 December, China
						// Standard Time.
						if d := timeField(t, r.JSON, "due_at").Add(-time.Nanosecond).In(cst).Format("2006-01-02"); d != "2026-12-03" {
							t.Errorf("a consultation received on 2026-11-26 is due on %s, want the fifth working day 2026-12-03", d)
						}
					})},
			{name: "street without a platform goes to its district's", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithoutPlatform, "help"), status: 201, check: createdFor("platform:P370202")},
			{name: "a district goes to its platform", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(otherDistrict, "complaint"), status: 201, check: createdFor("platform:P" + otherDistrict)},
			{name: "the city goes to the city platform", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody("370200", "suggestion"), status: 201, check: createdFor("platform:P370200")},
			{name: "rights infringement goes to a department", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "rights_infringement"), status: 201,
				check: func(t *testing.T, r *apptest.Response) {
					a, _ := r.JSON["assignee"].(map[string]any)
					if a["type"] != "department" {
						t.Fatalf("assignee %v, want a department", a)
					}
					infringementDept, _ = a["code"].(string)
				}},
			{name: "very urgent: limits in natural hours", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help", "urgency", "very_urgent"), status: 201, want: []string{`"urgency":"very_urgent"`},
				check: func(t *testing.T, r *apptest.Response) {
					created := timeField(t, r.JSON, "created_at")
					if d := timeField(t, r.JSON, "sign_due_at").Sub(created); d != time.Hour {
						t.Errorf("very urgent: sign within %v, want 1 hour", d)
					}
					if d := timeField(t, r.JSON, "due_at").Sub(created); d != 24*time.Hour {
						t.Errorf("very urgent: handle within %v, want 24 hours", d)
					}
				}},
			{name: "unknown urgency", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help", "urgency", "now"), status: 422, field: "urgency"},
			{name: "the API.md body as sent by a switchboard", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help", "channel", "api"), status: 201,
				want: []string{`"channel":"api"`, `"category":"help"`, `"enterprise_uscc":"` + demo.DemoEnterprise + `"`,
					`"enterprise_name":"` + demo.DemoEnterpriseName + `"`, `"contact_name":"周明"`, `"contact_phone":"13806390000"`}},

			{name: "unknown region", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody("370299001", "help"), status: 422, field: "region_code"},
			{name: "region code that is no code", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody("八大关", "help"), status: 422, field: "region_code"},
			{name: "missing region", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody("", "help"), status: 422, field: "region_code"},
			{name: "unknown category", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "praise"), status: 422, field: "category"},
			{name: "malformed credit code", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help", "enterprise_uscc", malformed), status: 422, code: "invalid_uscc", field: "enterprise_uscc"},
			{name: "credit code too short", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help", "enterprise_uscc", "91370202"), status: 422, field: "enterprise_uscc"},
			{name: "unknown channel", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help", "channel", "fax"), status: 422, field: "channel"},
			{name: "missing title", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help", "title", nil), status: 422, field: "title"},
			{name: "malformed JSON", as: "hotline", method: "POST", path: "/api/v1/tickets", body: `{"channel":`, status: 400, code: "malformed_json"},
			{name: "no token", method: "POST", path: "/api/v1/tickets", body: ticketBody(streetWithPlatform, "help"), status: 401},

			{name: "a well-formed code not yet registered is accepted", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body:   ticketBody(streetWithPlatform, "help", "enterprise_uscc", strings.ToLower(unregistered), "enterprise_name", "青岛未登记贸易有限公司"),
				status: 201, want: []string{`"enterprise_uscc":"` + unregistered + `"`, `"enterprise_name":"青岛未登记贸易有限公司"`},
				check: createdFor("platform:P" + streetWithPlatform)},

			{name: "an enterprise records its own", as: "enterprise", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help", "enterprise_uscc", nil), status: 201,
				want: []string{`"enterprise_uscc":"` + demo.DemoEnterprise + `"`, `"channel":"web"`}},
			{name: "an enterprise may not record another's", as: "enterprise", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help", "enterprise_uscc", unregistered), status: 403, code: "forbidden"},
			{name: "street staff at their window", as: "street", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help", "channel", "walk_in"), status: 201, check: createdFor("platform:P" + streetWithPlatform)},
			{name: "street staff outside their region", as: "street", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(otherDistrict, "help", "channel", "walk_in"), status: 403, code: "forbidden"},
			{name: "the auditor is read-only", as: "auditor", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help"), status: 403, code: "forbidden"},
			{name: "the auditor is refused before the body is judged", as: "auditor", method: "POST", path: "/api/v1/tickets",
				body: ticketBody("370299001", "praise"), status: 403, code: "forbidden"},
			{name: "department staff do not record tickets", as: "department", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help"), status: 403, code: "forbidden"},
			{name: "institution staff do not record tickets", as: "institution", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help"), status: 403, code: "forbidden"},
		})
		if t.Failed() {
			return
		}

		// The department routing chose owns the category.
		dep := c.do("admin", "GET", "/api/v1/departments/"+infringementDept, nil)
		if cats, _ := dep.JSON["categories"].([]any); !slices.Contains(cats, any("rights_infringement")) {
			t.Errorf("rights infringement routed to %s, whose categories are %v", infringementDept, dep.JSON["categories"])
		}

		// The unregistered enterprise registers; its own account then
		// follows the ticket recorded before.
		list := c.do("admin", "GET", "/api/v1/tickets?limit=500", nil)
		var early string
		for _, it := range list.Items() {
			if it["enterprise_uscc"] == unregistered {
				early = idString(it)
			}
		}
		if early == "" {
			t.Fatalf("ticket of the unregistered code not listed")
		}
		if r := c.do("admin", "POST", "/api/v1/enterprises", entBody(unregistered, "青岛未登记贸易有限公司", "retail", streetWithPlatform)); r.Status != 201 {
			t.Fatalf("register: %d %s", r.Status, r.Body)
		}
		if r := c.do("admin", "POST", "/api/v1/users", map[string]any{"username": "late.registrant", "password": "Late-Reg-2026!",
			"role": "enterprise", "org_code": unregistered}); r.Status != 201 {
			t.Fatalf("create the enterprise's user: %d %s", r.Status, r.Body)
		}
		c.run(t, []scenario{
			{name: "the enterprise reads the ticket recorded before it registered", as: "late.registrant", method: "GET",
				path: "/api/v1/tickets/" + early, status: 200, want: []string{`"enterprise_uscc":"` + unregistered + `"`}},
			{name: "and lists it as its own", as: "late.registrant", method: "GET", path: "/api/v1/tickets", status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					items := r.Items()
					if len(items) != 1 || idString(items[0]) != early {
						t.Errorf("the enterprise lists %d tickets, want only %s", len(items), early)
					}
				}},
			{name: "but not the demo enterprise's", as: "late.registrant", method: "GET", path: "/api/v1/tickets/" + first, status: 403},
		})
	})
}

// ---- reading ----

func TestTicketRead(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		id := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "help"))
		number, _ := c.ticket(t, id)["number"].(string)
		env.Clock.Advance(time.Hour)
		c.run(t, []scenario{
			done("sign", "street", id, map[string]any{"action": "sign"}, "dispatched", "signed"),
			actOn("an internal note", "street", id, map[string]any{"action": "note", "note": "已联系税务专管员"}, 200),
		})
		env.Clock.Advance(time.Hour)
		c.run(t, []scenario{
			done("reply", "street", id, map[string]any{"action": "reply", "note": "已协调税务部门恢复开票"}, "signed", "replied"),
		})
		eventsOldestFirst := func(t *testing.T, r *apptest.Response) {
			ev := events(r.JSON)
			var got []string
			for i, e := range ev {
				for _, k := range []string{"at", "actor", "action", "from_status", "to_status", "note"} {
					if _, ok := e[k]; !ok {
						t.Errorf("event %d lacks %q: %v", i, k, e)
					}
				}
				got = append(got, fmt.Sprintf("%v %v %v→%v", e["action"], e["actor"], e["from_status"], e["to_status"]))
				if i > 0 && timeField(t, e, "at").Before(timeField(t, ev[i-1], "at")) {
					t.Errorf("event %d is older than event %d", i, i-1)
				}
			}
			want := []string{"create hotline →dispatched", "sign street dispatched→signed", "note street signed→signed",
				"reply street signed→replied"}
			if !slices.Equal(got, want) {
				t.Errorf("events %q, want %q", got, want)
			}
			if ev[3]["note"] != "已协调税务部门恢复开票" {
				t.Errorf("reply event note %v", ev[3]["note"])
			}
		}
		wrongDate := "QF20200101-" + number[len("QF20261126-"):]
		c.run(t, []scenario{
			{name: "by id, events oldest first", as: "admin", method: "GET", path: "/api/v1/tickets/" + id, status: 200,
				want:  []string{`"id":` + id, `"number":"` + number + `"`, `"status":"replied"`, `"reply":"已协调税务部门恢复开票"`, `"attachments":[]`},
				check: eventsOldestFirst},
			{name: "by number", as: "hotline", method: "GET", path: "/api/v1/tickets/" + number, status: 200,
				want: []string{`"id":` + id}, check: eventsOldestFirst},
			{name: "by number in lower case", as: "street", method: "GET", path: "/api/v1/tickets/" + strings.ToLower(number), status: 200,
				want: []string{`"id":` + id}},
			{name: "a number with another date is not this ticket", as: "admin", method: "GET", path: "/api/v1/tickets/" + wrongDate,
				status: 404, code: "not_found"},
			{name: "unknown id", as: "admin", method: "GET", path: "/api/v1/tickets/99999999", status: 404, code: "not_found"},
			{name: "not an id", as: "admin", method: "GET", path: "/api/v1/tickets/abc", status: 404, code: "not_found"},
			{name: "the enterprise does not see internal notes", as: "enterprise", method: "GET", path: "/api/v1/tickets/" + id, status: 200,
				notWant: []string{"已联系税务专管员"}, check: func(t *testing.T, r *apptest.Response) {
					if n := len(events(r.JSON)); n != 3 {
						t.Errorf("the enterprise sees %d events, want 3 (no internal note)", n)
					}
				}},
			{name: "the assignee sees the contact number", as: "street", method: "GET", path: "/api/v1/tickets/" + id, status: 200,
				want: []string{`"contact_phone":"13806390000"`, "已联系税务专管员"}},
			{name: "the superior platform sees it masked", as: "district", method: "GET", path: "/api/v1/tickets/" + id, status: 200,
				notWant: []string{"13806390000"}},
			{name: "no token", method: "GET", path: "/api/v1/tickets/" + id, status: 401},
		})
	})
}

// ---- lists ----

func TestTicketList(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		var ids []string
		for i, region := range []string{streetWithPlatform, streetWithPlatform, streetWithoutPlatform, otherDistrict, "370200",
			streetWithPlatform, demo.StreetCode("370202", 1)} {
			ids = append(ids, c.newTicket(t, "hotline", ticketBody(region, "help", "title", fmt.Sprintf("列表测试 %d", i))))
		}
		signed := ids[1]
		c.run(t, []scenario{done("sign", "street", signed, map[string]any{"action": "sign"}, "dispatched", "signed")})

		every := func(what string, ok func(it map[string]any) bool, min int) func(t *testing.T, r *apptest.Response) {
			return func(t *testing.T, r *apptest.Response) {
				t.Helper()
				items := r.Items()
				if len(items) < min {
					t.Errorf("%d items, want at least %d", len(items), min)
				}
				for _, it := range items {
					if !ok(it) {
						t.Errorf("item %v is not %s", idString(it), what)
					}
					if _, has := it["events"]; has {
						t.Errorf("list item %v carries its events", idString(it))
					}
				}
			}
		}
		c.run(t, []scenario{
			{name: "status", as: "admin", method: "GET", path: "/api/v1/tickets?status=signed", status: 200,
				check: both(every("signed", func(it map[string]any) bool { return it["status"] == "signed" }, 1),
					func(t *testing.T, r *apptest.Response) {
						if items := r.Items(); len(items) != 1 || idString(items[0]) != signed {
							t.Errorf("signed tickets %d, want only %s", len(items), signed)
						}
					})},
			{name: "several statuses", as: "admin", method: "GET", path: "/api/v1/tickets?status=dispatched,signed&limit=500", status: 200,
				check: every("dispatched or signed", func(it map[string]any) bool { return it["status"] == "dispatched" || it["status"] == "signed" }, 7)},
			{name: "assignee", as: "admin", method: "GET", path: "/api/v1/tickets?assignee=platform:P" + streetWithPlatform, status: 200,
				check: every("the street platform's", func(it map[string]any) bool { return assigneeOf(it) == "platform:P"+streetWithPlatform }, 3)},
			{name: "assignee and status", as: "hotline", method: "GET", path: "/api/v1/tickets?assignee=platform:P" + streetWithPlatform + "&status=dispatched",
				status: 200, check: every("dispatched to the street platform", func(it map[string]any) bool {
					return assigneeOf(it) == "platform:P"+streetWithPlatform && it["status"] == "dispatched"
				}, 2)},
			{name: "a filter never widens the scope", as: "street", method: "GET", path: "/api/v1/tickets?assignee=platform:P" + otherDistrict,
				status: 200, want: []string{`"items":[]`}},
			{name: "the district lists its own and its streets'", as: "district", method: "GET", path: "/api/v1/tickets", status: 200,
				check: every("in the district", func(it map[string]any) bool {
					a := it["assignee"].(map[string]any)
					return a["type"] == "platform" && strings.HasPrefix(a["code"].(string), "P370202")
				}, 5)},
			{name: "bad status", as: "admin", method: "GET", path: "/api/v1/tickets?status=lost", status: 422, field: "status"},
			{name: "bad assignee", as: "admin", method: "GET", path: "/api/v1/tickets?assignee=P370202", status: 422, field: "assignee"},
			{name: "bad overdue", as: "admin", method: "GET", path: "/api/v1/tickets?overdue=maybe", status: 422, field: "overdue"},
			{name: "bad cursor", as: "admin", method: "GET", path: "/api/v1/tickets?cursor=zzz", status: 422, field: "cursor"},
			{name: "bad limit", as: "admin", method: "GET", path: "/api/v1/tickets?limit=0", status: 422, field: "limit"},
			{name: "institution staff have no tickets", as: "institution", method: "GET", path: "/api/v1/tickets", status: 403, code: "forbidden"},
		})

		// limit and cursor walk every ticket exactly once, in both orders.
		walk := func(t *testing.T, as, query string, limit int) []string {
			t.Helper()
			var seen []string
			cursor := ""
			for page := 0; page < 100; page++ {
				q, _ := url.ParseQuery(query)
				q.Set("limit", fmt.Sprint(limit))
				if cursor != "" {
					q.Set("cursor", cursor)
				}
				r := c.do(as, "GET", "/api/v1/tickets?"+q.Encode(), nil)
				if r.Status != 200 || len(r.Items()) > limit {
					t.Fatalf("page %d: %d, %d items: %s", page, r.Status, len(r.Items()), r.Body)
				}
				for _, it := range r.Items() {
					seen = append(seen, idString(it))
				}
				next, _ := r.JSON["next_cursor"].(string)
				if next == "" {
					return seen
				}
				cursor = next
			}
			t.Fatal("more than 100 pages")
			return nil
		}
		for _, w := range []struct{ as, query string }{{"admin", ""}, {"admin", "sort=due"}, {"district", ""}, {"hotline", "status=dispatched"}} {
			t.Run("walk "+w.as+" "+w.query, func(t *testing.T) {
				q, _ := url.ParseQuery(w.query)
				q.Set("limit", "500")
				one := c.do(w.as, "GET", "/api/v1/tickets?"+q.Encode(), nil)
				var all []string
				for _, it := range one.Items() {
					all = append(all, idString(it))
				}
				if len(all) < 4 {
					t.Fatalf("only %d tickets to walk", len(all))
				}
				got := walk(t, w.as, w.query, 2)
				if !slices.Equal(got, all) {
					t.Errorf("walked %v, one page %v", got, all)
				}
				if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
					t.Errorf("a ticket came twice: %v", got)
				}
			})
		}

		// overdue=true. Nothing marks a ticket overdue when its deadline
		// passes but the supervision job (not part of this API yet), so a
		// late ticket is only checked through the one API path that marks
		// it: extending a ticket whose new deadline has already passed.
		late := ids[5]
		c.run(t, []scenario{done("sign the late one", "street", late, map[string]any{"action": "sign"}, "dispatched", "signed")})
		env.Clock.Advance(30 * 24 * time.Hour)
		c.run(t, []scenario{
			{name: "extend after the deadline passed", as: "street", method: "POST", path: "/api/v1/tickets/" + late + "/actions",
				body: map[string]any{"action": "extend", "days": 1, "note": "等待税务部门回复"}, status: 200, want: []string{`"overdue":true`}},
			{name: "overdue", as: "admin", method: "GET", path: "/api/v1/tickets?overdue=true", status: 200,
				check: both(every("overdue", func(it map[string]any) bool { return it["overdue"] == true || it["sign_overdue"] == true }, 1),
					func(t *testing.T, r *apptest.Response) {
						if !slices.ContainsFunc(r.Items(), func(it map[string]any) bool { return idString(it) == late }) {
							t.Errorf("the overdue ticket %s is not listed", late)
						}
					})},
			{name: "overdue within the street's scope", as: "street", method: "GET", path: "/api/v1/tickets?overdue=true", status: 200,
				check: every("overdue", func(it map[string]any) bool { return it["overdue"] == true || it["sign_overdue"] == true }, 1)},
			// A month after dispatch the two working days to return it are
			// long gone.
			{name: "return after the return window", as: "street", method: "POST", path: "/api/v1/tickets/" + ids[0] + "/actions",
				body: map[string]any{"action": "return", "note": "不属于本街道"}, status: 409, code: "return_window_passed"},
		})
	})
}

// ---- actions ----

func TestTicketActions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		yes, no := true, false
		act := func(action string, kv ...any) map[string]any {
			b := map[string]any{"action": action}
			for i := 0; i+1 < len(kv); i += 2 {
				b[kv[i].(string)] = kv[i+1]
			}
			return b
		}
		to := func(typ, code string) map[string]any { return map[string]any{"type": typ, "code": code} }

		// a: the full cycle — sign, extend, reply, rated unsatisfied,
		// reopened, signed and replied again, closed by a return visit.
		a := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "help"))
		dueBefore := timeField(t, c.ticket(t, a), "due_at")
		c.run(t, []scenario{
			refused("the hotline never signs", "hotline", a, act("sign")),
			refused("the superior platform does not sign", "district", a, act("sign")),
			refused("the enterprise does not sign", "enterprise", a, act("sign")),
			refused("the auditor does not sign", "auditor", a, act("sign")),
			refused("another street does not sign", "street", c.newTicket(t, "hotline", ticketBody(otherDistrict, "help")), act("sign")),
			badState("extend before signing", "street", a, act("extend", "days", 2, "note", "需要协调")),
			badState("reply before signing", "street", a, act("reply", "note", "已办理")),
			badState("rate before a reply", "enterprise", a, act("rate", "satisfied", true)),
			badState("visit before a reply", "hotline", a, act("visit", "satisfied", true, "note", "回访")),
			badState("close before a reply", "admin", a, act("close")),
			done("sign", "street", a, act("sign"), "dispatched", "signed"),
			badState("sign twice", "street", a, act("sign")),
			badState("return after signing", "street", a, act("return", "note", "不属于本街道")),
			badState("merge after signing", "hotline", a, act("merge", "into", 1)),
			refused("the superior platform does not extend", "district", a, act("extend", "days", 2, "note", "需要协调")),
			badField("extend without a note", "street", a, act("extend", "days", 2), "note"),
			badField("extend by no days", "street", a, act("extend", "days", 0, "note", "需要协调"), "days"),
			badField("extend beyond the maximum", "street", a, act("extend", "days", 11, "note", "需要协调"), "days"),
			badField("days as text", "street", a, act("extend", "days", "two", "note", "需要协调"), "days"),
			{name: "extend", as: "street", method: "POST", path: "/api/v1/tickets/" + a + "/actions",
				body: act("extend", "days", 2, "note", "需要协调税务部门"), status: 200, want: []string{`"status":"signed"`, `"extended_days":2`},
				check: both(lastEvent("extend", "street", "signed", "signed"), func(t *testing.T, r *apptest.Response) {
					if d := timeField(t, r.JSON, "due_at").Sub(dueBefore); d < 48*time.Hour || d > 4*24*time.Hour {
						t.Errorf("two working days moved due_at by %v", d)
					}
				})},
			badField("extend beyond what is left", "street", a, act("extend", "days", 9, "note", "需要协调"), "days"),
			refused("the hotline never replies", "hotline", a, act("reply", "note", "已办理")),
			badField("reply without a note", "street", a, act("reply"), "note"),
			done("reply", "street", a, act("reply", "note", "已协调税务部门恢复开票"), "signed", "replied", `"reply":"已协调税务部门恢复开票"`),
			badState("reply twice", "street", a, act("reply", "note", "再次答复")),
			badState("extend after the reply", "street", a, act("extend", "days", 1, "note", "x")),
			refused("the assignee does not rate", "street", a, act("rate", "satisfied", true)),
			refused("the auditor does not rate", "auditor", a, act("rate", "satisfied", true)),
			refused("the enterprise does not visit", "enterprise", a, act("visit", "satisfied", true, "note", "回访")),
			badField("rate without satisfied", "enterprise", a, act("rate", "score", 3), "satisfied"),
			badField("score above 5", "enterprise", a, act("rate", "satisfied", true, "score", 6), "score"),
			badField("score below 1", "enterprise", a, act("rate", "satisfied", true, "score", 0), "score"),
			done("rated unsatisfied", "enterprise", a, act("rate", "satisfied", no, "score", 2, "note", "问题没有解决"), "replied", "reopened",
				`"satisfied":false`, `"score":2`, `"reopen_count":1`, `"rated_by":"enterprise"`),
			{name: "reopened with the same assignee", as: "admin", method: "GET", path: "/api/v1/tickets/" + a, status: 200,
				check: wantAssignee("platform:P" + streetWithPlatform)},
			badState("rate the reopened ticket", "enterprise", a, act("rate", "satisfied", yes)),
			done("sign again", "street", a, act("sign"), "reopened", "signed"),
			done("reply again", "street", a, act("reply", "note", "已现场办结"), "signed", "replied"),
			refused("a district may not visit", "district", a, act("visit", "satisfied", true, "note", "回访")),
			badField("visit without a note", "hotline", a, act("visit", "satisfied", true), "note"),
			badField("visit without satisfied", "hotline", a, act("visit", "note", "回访"), "satisfied"),
			done("return visit, satisfied", "hotline", a, act("visit", "satisfied", yes, "note", "企业表示满意"), "replied", "closed",
				`"rated_by":"visit"`, `"satisfied":true`),
			badState("close a closed ticket", "admin", a, act("close")),
			badState("supervise a closed ticket", "admin", a, act("supervise", "note", "督办")),
			badState("urge a closed ticket", "admin", a, act("urge")),
			badState("sign a closed ticket", "street", a, act("sign")),
			badState("transfer a closed ticket", "admin", a, act("transfer", "to", to("platform", "P370202002"), "note", "x")),
			badState("co-handle a closed ticket", "street", a, act("co_handler", "to", to("department", "SCJGJ"))),
			{name: "a note on a closed ticket", as: "street", method: "POST", path: "/api/v1/tickets/" + a + "/actions",
				body: act("note", "note", "归档备注"), status: 200, want: []string{`"status":"closed"`}, check: lastEvent("note", "street", "closed", "closed")},
		})

		// b: return to the dispatcher, then transfers.
		b := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "help", "title", "厂房租赁纠纷"))
		c.run(t, []scenario{
			refused("the hotline does not return", "hotline", b, act("return", "note", "x")),
			refused("the superior platform does not return", "district", b, act("return", "note", "x")),
			badField("return without a reason", "street", b, act("return"), "note"),
			done("return", "street", b, act("return", "note", "不属于本街道职责"), "dispatched", "returned"),
			badState("return twice", "street", b, act("return", "note", "x")),
			badState("sign a returned ticket", "street", b, act("sign")),
			refused("the assignee may transfer only below its platform", "street", b, act("transfer", "to", to("platform", "P370202"), "note", "x")),
			refused("refused before the missing reason is judged", "street", b, act("transfer", "to", to("platform", "P370202"))),
			refused("the enterprise does not transfer", "enterprise", b, act("transfer", "to", to("platform", "P370202002"), "note", "x")),
			refused("the hotline does not transfer", "hotline", b, act("transfer", "to", to("platform", "P370202002"), "note", "x")),
			badField("transfer without a reason", "admin", b, act("transfer", "to", to("platform", "P370202002")), "note"),
			badField("transfer without a target", "admin", b, act("transfer", "note", "改派"), "to"),
			badField("transfer to an unknown platform", "admin", b, act("transfer", "to", to("platform", "P-NOPE"), "note", "改派"), "to"),
			badField("transfer to an unknown kind", "admin", b, act("transfer", "to", to("region", "370202"), "note", "改派"), "to"),
			badField("transfer to the same assignee", "admin", b, act("transfer", "to", to("platform", "P"+streetWithPlatform), "note", "改派"), "to"),
			{name: "the city transfers to a department", as: "admin", method: "POST", path: "/api/v1/tickets/" + b + "/actions",
				body: act("transfer", "to", to("department", "SCJGJ"), "note", "属市场监管职责"), status: 200,
				want: []string{`"status":"dispatched"`}, check: both(wantAssignee("department:SCJGJ"), lastEvent("transfer", "admin", "returned", "dispatched"))},
			{name: "the former handler still reads it", as: "street", method: "GET", path: "/api/v1/tickets/" + b, status: 200},
			{name: "but no longer lists it", as: "street", method: "GET", path: "/api/v1/tickets?limit=500", status: 200,
				notWant: []string{`"id":` + b + `,`}},
			refused("the former handler may not sign", "street", b, act("sign")),
			done("the department signs", "department", b, act("sign"), "dispatched", "signed"),
			refused("a department does not transfer", "department", b, act("transfer", "to", to("platform", "P370202002"), "note", "x")),
			{name: "the city transfers a signed ticket", as: "admin", method: "POST", path: "/api/v1/tickets/" + b + "/actions",
				body: act("transfer", "to", to("platform", "P370202002"), "note", "改由湛山街道办理"), status: 200,
				want: []string{`"status":"dispatched"`, `"signed_at":null`}, check: wantAssignee("platform:P370202002")},
			{name: "the superior platform transfers below it", as: "district", method: "POST", path: "/api/v1/tickets/" + b + "/actions",
				body: act("transfer", "to", to("platform", "P370202003"), "note", "改由香港中路街道办理"), status: 200,
				check: wantAssignee("platform:P370202003")},
			refused("but not outside its network", "district", b, act("transfer", "to", to("platform", "P"+otherDistrict), "note", "x")),
			refused("nor to a department", "district", b, act("transfer", "to", to("department", "FGW"), "note", "x")),
		})

		// c: closed unrated by the city; d: rated by the hotline.
		cc := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "consult", "title", "政策咨询"))
		d := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "consult", "title", "补贴申报"))
		c.run(t, []scenario{
			done("sign c", "street", cc, act("sign"), "dispatched", "signed"),
			done("reply c", "street", cc, act("reply", "note", "已解答"), "signed", "replied"),
			refused("the assignee does not close", "street", cc, act("close")),
			refused("the superior platform does not close", "district", cc, act("close")),
			refused("the hotline does not close", "hotline", cc, act("close")),
			done("the city closes it unrated", "admin", cc, act("close"), "replied", "closed", `"rated_by":"not_rated"`, `"satisfied":null`, `"score":null`),
			done("sign d", "street", d, act("sign"), "dispatched", "signed"),
			done("reply d", "street", d, act("reply", "note", "已解答"), "signed", "replied"),
			done("the hotline rates on the enterprise's behalf", "hotline", d, act("rate", "satisfied", yes, "score", 5), "replied", "closed",
				`"rated_by":"hotline"`, `"score":5`),
		})

		// e: supervision, urging, notes and co-handlers on an open ticket.
		e := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "help", "title", "用工招聘困难"))
		c.run(t, []scenario{
			refused("the superior platform does not supervise", "district", e, act("supervise", "note", "督办")),
			refused("the hotline does not supervise", "hotline", e, act("supervise", "note", "督办")),
			badField("supervise without a note", "admin", e, act("supervise"), "note"),
			{name: "the city supervises", as: "admin", method: "POST", path: "/api/v1/tickets/" + e + "/actions",
				body: act("supervise", "note", "请三日内办结"), status: 200, want: []string{`"supervised":true`, `"status":"dispatched"`},
				check: lastEvent("supervise", "admin", "dispatched", "dispatched")},
			refused("the assignee does not urge itself", "street", e, act("urge")),
			refused("the enterprise does not urge", "enterprise", e, act("urge")),
			{name: "the superior platform urges", as: "district", method: "POST", path: "/api/v1/tickets/" + e + "/actions",
				body: act("urge", "note", "请尽快签收"), status: 200, want: []string{`"urged":1`}},
			{name: "the city urges", as: "admin", method: "POST", path: "/api/v1/tickets/" + e + "/actions",
				body: act("urge"), status: 200, want: []string{`"urged":2`}},
			refused("the auditor writes no notes", "auditor", e, act("note", "note", "x")),
			refused("the enterprise writes no internal notes", "enterprise", e, act("note", "note", "x")),
			refused("a department outside the ticket writes no notes", "department", e, act("note", "note", "x")),
			badField("an empty note", "street", e, act("note", "note", "  "), "note"),
			refused("the hotline does not add co-handlers", "hotline", e, act("co_handler", "to", to("department", "SCJGJ"))),
			badField("co-handler without a target", "street", e, act("co_handler"), "to"),
			badField("an unknown co-handler", "street", e, act("co_handler", "to", to("department", "NOPE")), "to"),
			badField("the assignee as its own co-handler", "street", e, act("co_handler", "to", to("platform", "P"+streetWithPlatform)), "to"),
			{name: "a department helps", as: "street", method: "POST", path: "/api/v1/tickets/" + e + "/actions",
				body: act("co_handler", "to", to("department", "SCJGJ")), status: 200,
				want: []string{`"co_handlers":[{"type":"department","code":"SCJGJ"}]`}},
			badField("the same co-handler twice", "street", e, act("co_handler", "to", to("department", "SCJGJ")), "to"),
			{name: "a list shows the co-handler too", as: "street", method: "GET", path: "/api/v1/tickets?q=" + url.QueryEscape("用工招聘困难"),
				status: 200, want: []string{`"id":` + e + `,`, `"co_handlers":[{"type":"department","code":"SCJGJ"}]`}},
			{name: "the co-handler reads it", as: "department", method: "GET", path: "/api/v1/tickets/" + e, status: 200},
			{name: "and adds a note", as: "department", method: "POST", path: "/api/v1/tickets/" + e + "/actions",
				body: act("note", "note", "已提供招聘会信息"), status: 200, check: lastEvent("note", "department", "dispatched", "dispatched")},
			refused("but does not sign", "department", e, act("sign")),
		})

		// f, g: a duplicate merged into the first ticket.
		f := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "complaint", "title", "园区停车收费不合理"))
		g := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "complaint", "title", "园区停车收费不合理"))
		other := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "complaint", "enterprise_uscc", nil, "enterprise_name", "青岛某某商贸有限公司"))
		fNumber, _ := c.ticket(t, f)["number"].(string)
		c.run(t, []scenario{
			{name: "the second is flagged as a duplicate", as: "hotline", method: "GET", path: "/api/v1/tickets/" + g, status: 200,
				want: []string{`"duplicate_of":` + f}},
			refused("the enterprise does not merge", "enterprise", g, act("merge", "into", num(f))),
			refused("the superior platform does not merge", "district", g, act("merge", "into", num(f))),
			badField("merge without a target", "hotline", g, act("merge"), "into"),
			badField("merge into itself", "hotline", g, act("merge", "into", num(g)), "into"),
			badField("merge into an unknown ticket", "hotline", g, act("merge", "into", 99999999), "into"),
			badField("merge into another enterprise's ticket", "hotline", g, act("merge", "into", num(other)), "into"),
			badField("merge into a closed ticket", "hotline", g, act("merge", "into", num(a)), "into"),
			done("merge", "hotline", g, act("merge", "into", num(f), "note", "重复来电"), "dispatched", "merged", `"merged_into":`+f),
			{name: "the first records the merge", as: "hotline", method: "GET", path: "/api/v1/tickets/" + f, status: 200,
				want: []string{`"status":"dispatched"`}, check: lastEvent("merged_in", "hotline", "dispatched", "dispatched")},
			badState("merge a merged ticket", "hotline", g, act("merge", "into", num(f))),
			badState("sign a merged ticket", "street", g, act("sign")),
			{name: "the merged ticket keeps its history", as: "admin", method: "GET", path: "/api/v1/tickets/" + g, status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					if n := len(events(r.JSON)); n != 2 {
						t.Errorf("%d events on the merged ticket, want create and merge", n)
					}
					if !strings.Contains(string(r.Body), fNumber) {
						t.Errorf("the merge event does not name %s", fNumber)
					}
				}},
		})

		// The city admin may take every action (API.md roles table).
		h := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "help", "title", "城市管理员代办"))
		c.run(t, []scenario{
			done("the city signs", "admin", h, act("sign"), "dispatched", "signed"),
			done("the city extends", "admin", h, act("extend", "days", 1, "note", "节前顺延"), "signed", "signed"),
			done("the city replies", "admin", h, act("reply", "note", "已答复"), "signed", "replied"),
			done("the city records the rating", "admin", h, act("rate", "satisfied", yes), "replied", "closed"),
		})

		// Malformed and unknown actions.
		c.run(t, []scenario{
			badField("no action", "admin", h, map[string]any{"note": "x"}, "action"),
			badField("unknown action", "admin", h, act("approve"), "action"),
			{name: "malformed JSON", as: "admin", method: "POST", path: "/api/v1/tickets/" + h + "/actions", body: `{"action":`, status: 400, code: "malformed_json"},
			{name: "unknown ticket", as: "admin", method: "POST", path: "/api/v1/tickets/99999999/actions", body: act("sign"), status: 404, code: "not_found"},
			{name: "by ticket number", as: "street", method: "POST", path: "/api/v1/tickets/" + fNumber + "/actions", body: act("sign"), status: 200,
				want: []string{`"status":"signed"`, `"id":` + f}},
			{name: "no token", method: "POST", path: "/api/v1/tickets/" + h + "/actions", body: act("note", "note", "x"), status: 401},
		})

		// Refusals changed nothing: every event of every ticket is one of
		// the successes above.
		for _, id := range []string{a, b, cc, d, e, f, g, h} {
			for _, ev := range events(c.ticket(t, id)) {
				if ev["actor"] == "auditor" || ev["actor"] == "enterprise" && ev["action"] != "rate" && ev["action"] != "create" {
					t.Errorf("ticket %s: a refused action left an event %v", id, ev)
				}
			}
		}
	})
}

// Two staff sign one ticket at once: exactly one wins, the other gets 409,
// and the ticket has one sign event.
func TestTicketConcurrentActions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		env.CreateUser("street.two", "Street-Two-Pass-2026!", access.StreetStaff, "P"+streetWithPlatform)
		c := newClient(env)
		tokens := []string{c.token("street"), c.token("street.two")}
		for round := 0; round < 5; round++ {
			id := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "help", "title", fmt.Sprintf("并发签收 %d", round)))
			var wg sync.WaitGroup
			start := make(chan struct{})
			answers := make([]*apptest.Response, 2)
			for i := range tokens {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					answers[i] = env.API(tokens[i]).Do("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "sign"})
				}()
			}
			close(start)
			wg.Wait()
			var statuses []int
			for _, r := range answers {
				conformsToOpenAPI(t, "POST", "/api/v1/tickets/"+id+"/actions", r)
				statuses = append(statuses, r.Status)
				if r.Status == http.StatusConflict && r.ErrorCode() != "invalid_transition" && r.ErrorCode() != "concurrent_update" {
					t.Errorf("the loser got %s", r.Body)
				}
			}
			slices.Sort(statuses)
			if !slices.Equal(statuses, []int{200, 409}) {
				t.Errorf("round %d: statuses %v, want one 200 and one 409", round, statuses)
			}
			signs := 0
			for _, e := range events(c.ticket(t, id)) {
				if e["action"] == "sign" {
					signs++
				}
			}
			if signs != 1 {
				t.Errorf("round %d: %d sign events, want 1", round, signs)
			}
		}
	})
}

// ---- attachments ----

func multipartFile(t *testing.T, field, name string, data []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data)
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

func TestTicketAttachments(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		id := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "help"))
		other := c.newTicket(t, "hotline", ticketBody(otherDistrict, "help"))
		base := "/api/v1/tickets/" + id + "/attachments"
		pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
		png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 64)...)
		exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 64)...)
		html := []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
		tooLarge := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{'a'}, 10<<20+1-9)...)  // 10 MiB + 1 byte
		overRoute := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{'a'}, 11<<20+1-9)...) // over the route's 11 MiB

		pdfBody, pdfType := multipartFile(t, "file", "营业执照.pdf", pdf)
		bigBody, bigType := multipartFile(t, "file", "big.pdf", tooLarge)
		hugeBody, hugeType := multipartFile(t, "file", "huge.pdf", overRoute)
		exeBody, exeType := multipartFile(t, "file", "setup.exe", exe)
		htmlBody, htmlType := multipartFile(t, "file", "page.html", html)
		wrongField, wrongFieldType := multipartFile(t, "upload", "a.pdf", pdf)
		raw := []string{"Content-Type", "application/octet-stream"}

		var pdfID, pngID string
		keep := func(dst *string) func(t *testing.T, r *apptest.Response) {
			return func(t *testing.T, r *apptest.Response) { *dst = idString(r.JSON) }
		}
		c.run(t, []scenario{
			{name: "a PDF as multipart", as: "street", method: "POST", path: base, body: pdfBody, headers: []string{"Content-Type", pdfType},
				status: 201, want: []string{`"name":"营业执照.pdf"`, `"content_type":"application/pdf"`, fmt.Sprintf(`"size":%d`, len(pdf)), `"uploaded_by":"street"`},
				check: keep(&pdfID)},
			{name: "a PNG as the raw body", as: "enterprise", method: "POST", path: base + "?name=" + url.QueryEscape("现场照片 @2026=1;(2).png"), body: png, headers: raw,
				status: 201, want: []string{`"name":"现场照片 @2026=1;(2).png"`, `"content_type":"image/png"`}, check: keep(&pngID)},
			{name: "10 MiB and one byte", as: "street", method: "POST", path: base + "?name=big.pdf", body: tooLarge, headers: raw,
				status: 422, code: "too_large", field: "file"},
			{name: "10 MiB and one byte as multipart", as: "street", method: "POST", path: base, body: bigBody, headers: []string{"Content-Type", bigType},
				status: 422, code: "too_large", field: "file"},
			{name: "a body over the route's limit", as: "street", method: "POST", path: base + "?name=huge.pdf", body: overRoute, headers: raw,
				status: 413, code: "body_too_large", check: func(t *testing.T, r *apptest.Response) {
					if m := message(r); !strings.Contains(m, "11 MiB") {
						t.Errorf("message %q does not name the route's 11 MiB limit", m)
					}
				}},
			{name: "a multipart body over the route's limit", as: "street", method: "POST", path: base, body: hugeBody,
				headers: []string{"Content-Type", hugeType}, status: 413, code: "body_too_large"},
			{name: "a program", as: "street", method: "POST", path: base, body: exeBody, headers: []string{"Content-Type", exeType},
				status: 422, code: "invalid_type", field: "file"},
			{name: "HTML", as: "street", method: "POST", path: base, body: htmlBody, headers: []string{"Content-Type", htmlType},
				status: 422, code: "invalid_type", field: "file"},
			{name: "HTML named as a PDF", as: "street", method: "POST", path: base + "?name=notice.pdf", body: html, headers: raw,
				status: 422, code: "invalid_type", field: "file"},
			{name: "a program named as a text file", as: "street", method: "POST", path: base + "?name=readme.txt", body: exe, headers: raw,
				status: 422, code: "invalid_type", field: "file"},
			{name: "an empty body", as: "street", method: "POST", path: base + "?name=a.pdf", body: []byte{}, headers: raw,
				status: 422, code: "required", field: "file"},
			{name: "multipart without the file field", as: "street", method: "POST", path: base, body: wrongField,
				headers: []string{"Content-Type", wrongFieldType}, status: 422, field: "file"},
			{name: "the auditor attaches nothing", as: "auditor", method: "POST", path: base + "?name=a.pdf", body: pdf, headers: raw,
				status: 403, code: "forbidden"},
			{name: "the superior platform reads but does not attach", as: "district", method: "POST", path: base + "?name=a.pdf", body: pdf, headers: raw,
				status: 403, code: "forbidden"},
			{name: "outside the scope", as: "street", method: "POST", path: "/api/v1/tickets/" + other + "/attachments?name=a.pdf", body: pdf, headers: raw,
				status: 403, code: "forbidden"},
			{name: "unknown ticket", as: "admin", method: "POST", path: "/api/v1/tickets/99999999/attachments?name=a.pdf", body: pdf, headers: raw,
				status: 404, code: "not_found"},
		})
		if t.Failed() {
			return
		}
		c.run(t, []scenario{
			{name: "the ticket lists its attachments and records them", as: "street", method: "GET", path: "/api/v1/tickets/" + id, status: 200,
				want:  []string{`"id":` + pdfID + `,"name":"营业执照.pdf"`, `"id":` + pngID + `,"name":"现场照片 @2026=1;(2).png"`},
				check: lastEvent("attach", "enterprise", "dispatched", "dispatched")},
		})

		download := func(as, path string) *apptest.Response {
			return c.do(as, "GET", path, nil)
		}
		for _, f := range []struct {
			as, id, name, ctype string
			data                []byte
		}{{"district", pdfID, "营业执照.pdf", "application/pdf", pdf}, {"enterprise", pngID, "现场照片 @2026=1;(2).png", "image/png", png}} {
			r := download(f.as, base+"/"+f.id)
			if r.Status != 200 || !bytes.Equal(r.Body, f.data) {
				t.Errorf("download %s as %s: %d, %d bytes, want the %d bytes sent", f.name, f.as, r.Status, len(r.Body), len(f.data))
			}
			if ct := r.Header.Get("Content-Type"); ct != f.ctype {
				t.Errorf("download %s: Content-Type %q, want %q", f.name, ct, f.ctype)
			}
			// A client reads the name back from the header (RFC 6266).
			cd := r.Header.Get("Content-Disposition")
			if kind, params, err := mime.ParseMediaType(cd); err != nil || kind != "attachment" || params["filename"] != f.name {
				t.Errorf("download %s: Content-Disposition %q reads as %q %v (%v)", f.name, cd, kind, params, err)
			}
			if r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("download %s without X-Content-Type-Options: nosniff", f.name)
			}
		}
		c.run(t, []scenario{
			{name: "download outside the scope", as: "department", method: "GET", path: base + "/" + pdfID, status: 403, code: "forbidden"},
			{name: "download unknown", as: "admin", method: "GET", path: base + "/99999999", status: 404, code: "not_found"},
			{name: "download through another ticket", as: "admin", method: "GET", path: "/api/v1/tickets/" + other + "/attachments/" + pdfID,
				status: 404, code: "not_found"},
		})
	})
}

// ---- Idempotency-Key ----

func TestTicketIdempotencyKey(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		count := func() int {
			return len(c.do("admin", "GET", "/api/v1/tickets?limit=500", nil).Items())
		}
		before := count()
		body := ticketBody(streetWithPlatform, "help", "title", "幂等测试")
		first := c.do("hotline", "POST", "/api/v1/tickets", body, "Idempotency-Key", "call-20261126-001")
		again := c.do("hotline", "POST", "/api/v1/tickets", body, "Idempotency-Key", "call-20261126-001")
		if first.Status != 201 || again.Status != 201 {
			t.Fatalf("statuses %d, %d: %s", first.Status, again.Status, again.Body)
		}
		if idString(first.JSON) != idString(again.JSON) || first.JSON["number"] != again.JSON["number"] {
			t.Errorf("the repeat answered ticket %s, the first %s", idString(again.JSON), idString(first.JSON))
		}
		if again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("the repeat is not marked replayed")
		}
		if n := count(); n != before+1 {
			t.Errorf("%d tickets after two keyed posts, want %d", n, before+1)
		}
		other := c.do("hotline", "POST", "/api/v1/tickets", ticketBody(streetWithPlatform, "help", "title", "另一件事"), "Idempotency-Key", "call-20261126-001")
		if other.Status != 409 || other.ErrorCode() != "idempotency_key_reused" {
			t.Errorf("another body with the same key: %d %s", other.Status, other.Body)
		}
		// Another user's key is their own.
		mine := c.do("admin", "POST", "/api/v1/tickets", body, "Idempotency-Key", "call-20261126-001")
		if mine.Status != 201 || idString(mine.JSON) == idString(first.JSON) {
			t.Errorf("the admin's own key: %d %s", mine.Status, mine.Body)
		}
		// An action with a key happens once.
		id := idString(first.JSON)
		note := map[string]any{"action": "urge", "note": "请尽快办理"}
		for i := 0; i < 2; i++ {
			if r := c.do("admin", "POST", "/api/v1/tickets/"+id+"/actions", note, "Idempotency-Key", "urge-1"); r.Status != 200 {
				t.Fatalf("keyed urge: %d %s", r.Status, r.Body)
			}
		}
		if got := c.ticket(t, id)["urged"]; got != 1.0 {
			t.Errorf("urged %v after a repeated keyed urge, want 1", got)
		}
	})
}

// ---- routing rules and time limits ----

func TestTicketRulesAndLimits(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		rule := map[string]any{"category": "rights_infringement", "region_code": "370202",
			"target": map[string]any{"type": "department", "code": "SCJGJ"}, "priority": 10, "note": "市南区侵权投诉由市场监管局办理"}
		var ruleID string
		var refusals []scenario
		for _, as := range []string{"district", "street", "specialised", "department", "hotline", "institution", "enterprise", "auditor"} {
			refusals = append(refusals,
				scenario{name: as + " may not add a rule", as: as, method: "POST", path: "/api/v1/ticket-rules", body: rule, status: 403, code: "forbidden"},
				scenario{name: as + " may not set a limit", as: as, method: "PUT", path: "/api/v1/ticket-limits/consult/normal",
					body: map[string]any{"sign_days": 1, "handle_days": 1}, status: 403, code: "forbidden"})
		}
		c.run(t, refusals)
		c.run(t, []scenario{
			{name: "no rules yet", as: "admin", method: "GET", path: "/api/v1/ticket-rules", status: 200, want: []string{`"items":[]`, `"next_cursor":null`}},
			{name: "unknown target", as: "admin", method: "POST", path: "/api/v1/ticket-rules",
				body: map[string]any{"target": map[string]any{"type": "department", "code": "NOPE"}}, status: 422, field: "target"},
			{name: "target of no kind", as: "admin", method: "POST", path: "/api/v1/ticket-rules",
				body: map[string]any{"target": map[string]any{"type": "person", "code": "x"}}, status: 422, field: "target"},
			{name: "unknown category", as: "admin", method: "POST", path: "/api/v1/ticket-rules",
				body: map[string]any{"category": "praise", "target": map[string]any{"type": "department", "code": "SCJGJ"}}, status: 422, field: "category"},
			{name: "unknown region", as: "admin", method: "POST", path: "/api/v1/ticket-rules",
				body: map[string]any{"region_code": "370299", "target": map[string]any{"type": "department", "code": "SCJGJ"}}, status: 422, field: "region_code"},
			{name: "priority out of range", as: "admin", method: "POST", path: "/api/v1/ticket-rules",
				body: map[string]any{"priority": 5000, "target": map[string]any{"type": "department", "code": "SCJGJ"}}, status: 422, field: "priority"},
			{name: "add a rule", as: "admin", method: "POST", path: "/api/v1/ticket-rules", body: rule, status: 201,
				want:  []string{`"category":"rights_infringement"`, `"region_code":"370202"`, `"target":{"type":"department","code":"SCJGJ"}`, `"priority":10`},
				check: func(t *testing.T, r *apptest.Response) { ruleID = idString(r.JSON) }},
			{name: "staff read the rules", as: "street", method: "GET", path: "/api/v1/ticket-rules", status: 200, want: []string{`"code":"SCJGJ"`}},
			{name: "the enterprise does not", as: "enterprise", method: "GET", path: "/api/v1/ticket-rules", status: 403, code: "forbidden"},
			{name: "the rule routes a ticket", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "rights_infringement"), status: 201, check: createdFor("department:SCJGJ")},
			{name: "but not outside its region", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(otherDistrict, "rights_infringement"), status: 201,
				check: func(t *testing.T, r *apptest.Response) {
					if a := assigneeOf(r.JSON); a == "department:SCJGJ" || !strings.HasPrefix(a, "department:") {
						t.Errorf("assignee %s, want the default department", a)
					}
				}},
			{name: "nor another category", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "help"), status: 201, check: createdFor("platform:P" + streetWithPlatform)},
		})
		c.run(t, []scenario{
			{name: "street may not delete a rule", as: "street", method: "DELETE", path: "/api/v1/ticket-rules/" + ruleID, status: 403, code: "forbidden"},
			{name: "the auditor may not delete a rule", as: "auditor", method: "DELETE", path: "/api/v1/ticket-rules/" + ruleID, status: 403},
			{name: "delete the rule", as: "admin", method: "DELETE", path: "/api/v1/ticket-rules/" + ruleID, status: 200, want: []string{`"deleted":true`}},
			{name: "delete it again", as: "admin", method: "DELETE", path: "/api/v1/ticket-rules/" + ruleID, status: 404, code: "not_found"},
			{name: "delete no rule", as: "admin", method: "DELETE", path: "/api/v1/ticket-rules/abc", status: 404},
			{name: "without the rule, the default department", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "rights_infringement"), status: 201,
				check: func(t *testing.T, r *apptest.Response) {
					if a := assigneeOf(r.JSON); a == "department:SCJGJ" {
						t.Errorf("the deleted rule still routes")
					}
				}},

			{name: "every limit", as: "district", method: "GET", path: "/api/v1/ticket-limits", status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					if n := len(r.Items()); n != 15 {
						t.Errorf("%d limits, want 5 categories × 3 urgencies", n)
					}
				}},
			{name: "the enterprise does not read limits", as: "enterprise", method: "GET", path: "/api/v1/ticket-limits", status: 403},
			{name: "a limit of no category", as: "admin", method: "PUT", path: "/api/v1/ticket-limits/praise/normal",
				body: map[string]any{"sign_days": 1, "handle_days": 2}, status: 422, field: "category"},
			{name: "a limit of no urgency", as: "admin", method: "PUT", path: "/api/v1/ticket-limits/consult/soon",
				body: map[string]any{"sign_days": 1, "handle_days": 2}, status: 422, field: "urgency"},
			{name: "no handling time", as: "admin", method: "PUT", path: "/api/v1/ticket-limits/consult/normal",
				body: map[string]any{"sign_days": 1}, status: 422, field: "handle_days"},
			{name: "set a limit", as: "admin", method: "PUT", path: "/api/v1/ticket-limits/consult/normal",
				body: map[string]any{"sign_days": 1, "handle_days": 2, "max_extension_days": 3, "return_days": 1}, status: 200,
				want: []string{`"category":"consult"`, `"urgency":"normal"`, `"handle_days":2`}},
			{name: "it reads back", as: "admin", method: "GET", path: "/api/v1/ticket-limits", status: 200,
				want: []string{`{"category":"consult","urgency":"normal","sign_hours":0,"sign_days":1,"handle_hours":0,"handle_days":2,"max_extension_days":3,"return_days":1}`}},
			{name: "new tickets use it", as: "hotline", method: "POST", path: "/api/v1/tickets",
				body: ticketBody(streetWithPlatform, "consult"), status: 201, check: func(t *testing.T, r *apptest.Response) {
					// Two working days from Thursday 26 November: Monday 30 November.
					if d := timeField(t, r.JSON, "due_at").Add(-time.Nanosecond).In(cst).Format("2006-01-02"); d != "2026-11-30" {
						t.Errorf("due on %s with a limit of 2 working days, want 2026-11-30", d)
					}
				}},
		})
	})
}

// ---- supervision thresholds ----

func TestTicketSupervisionSettings(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		path := "/api/v1/ticket-supervision"
		settings := func(warn, rating any) map[string]any {
			return map[string]any{"warn_hours": warn, "rating_days": rating}
		}
		var scenarios []scenario
		for _, as := range []string{"district", "street", "specialised", "department", "hotline", "institution", "auditor"} {
			scenarios = append(scenarios,
				scenario{name: as + " reads them", as: as, method: "GET", path: path, status: 200,
					want: []string{`{"warn_hours":24,"rating_days":5}`}},
				scenario{name: as + " may not change them", as: as, method: "PUT", path: path, body: settings(48, 7),
					status: 403, code: "forbidden"})
		}
		scenarios = append(scenarios,
			scenario{name: "the enterprise does not read them", as: "enterprise", method: "GET", path: path, status: 403, code: "forbidden"},
			scenario{name: "nor change them", as: "enterprise", method: "PUT", path: path, body: settings(48, 7), status: 403, code: "forbidden"},
			scenario{name: "no token", method: "GET", path: path, status: 401},
			scenario{name: "no warning at all", as: "admin", method: "PUT", path: path, body: settings(0, 5),
				status: 422, code: "out_of_range", field: "warn_hours", check: messageHas("临期提醒提前小时数", "1", "240")},
			scenario{name: "a warning more than ten days ahead", as: "admin", method: "PUT", path: path, body: settings(241, 5),
				status: 422, code: "out_of_range", field: "warn_hours"},
			scenario{name: "a rating window of more than 60 working days", as: "admin", method: "PUT", path: path, body: settings(24, 61),
				status: 422, code: "out_of_range", field: "rating_days", check: messageHas("答复后评价期限", "60")},
			scenario{name: "in English", as: "admin", method: "PUT", path: path, body: settings(24, -1), headers: []string{"Accept-Language", "en"},
				status: 422, field: "rating_days", check: both(wantEnglish, messageHas("Rating window"))},
			scenario{name: "a field left out", as: "admin", method: "PUT", path: path, body: map[string]any{"warn_hours": 48},
				status: 422, field: "rating_days"},
			scenario{name: "hours as text", as: "admin", method: "PUT", path: path, body: settings("48", 7),
				status: 422, code: "invalid_type", field: "warn_hours"},
			scenario{name: "malformed JSON", as: "admin", method: "PUT", path: path, body: `{"warn_hours":48,`, status: 400, code: "malformed_json"},
			scenario{name: "refusals changed nothing", as: "street", method: "GET", path: path, status: 200,
				want: []string{`{"warn_hours":24,"rating_days":5}`}},
		)
		c.run(t, scenarios)

		// What the thresholds change: a ticket still being handled is
		// warned, a reply left unrated is closed as not rated.
		handled := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "help"))
		replied := c.newTicket(t, "hotline", ticketBody(streetWithPlatform, "consult"))
		for _, id := range []string{handled, replied} {
			if r := c.do("street", "POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "sign"}); r.Status != 200 {
				t.Fatalf("sign %s: %d %s", id, r.Status, r.Body)
			}
		}
		if r := c.do("street", "POST", "/api/v1/tickets/"+replied+"/actions", map[string]any{"action": "reply", "note": "已电话告知办理流程"}); r.Status != 200 {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		sweep := func() {
			t.Helper()
			if _, err := env.App.Ticket.Supervise(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		warned := func(id string) bool {
			for _, e := range events(c.ticket(t, id)) {
				if e["action"] == "warn" {
					return true
				}
			}
			return false
		}
		// Monday 30 November, 10:00: 86 hours before the handling limit
		// (Thursday 3 December, 24:00); the reply's first working day,
		// Friday, has passed.
		env.Clock.Set(time.Date(2026, 11, 30, 10, 0, 0, 0, cst))
		sweep()
		if warned(handled) || c.ticket(t, replied)["status"] != "replied" {
			t.Fatalf("with 24 hours and 5 working days: warned %v, reply %v", warned(handled), c.ticket(t, replied)["status"])
		}
		c.run(t, []scenario{
			{name: "set them", as: "admin", method: "PUT", path: path, body: settings(120, 1), status: 200,
				want: []string{`{"warn_hours":120,"rating_days":1}`}},
			{name: "staff read the new values", as: "department", method: "GET", path: path, status: 200,
				want: []string{`{"warn_hours":120,"rating_days":1}`}},
		})
		sweep()
		if !warned(handled) {
			t.Errorf("86 hours before its limit, a ticket is not warned with a 120-hour warning")
		}
		if tk := c.ticket(t, replied); tk["status"] != "closed" || tk["rated_by"] != "not_rated" {
			t.Errorf("a reply unrated for a working day, with a window of one: status %v, rated_by %v; want closed, not_rated", tk["status"], tk["rated_by"])
		}
	})
}
