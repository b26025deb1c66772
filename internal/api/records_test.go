package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
)

// The service records of API.md "Service records and statistics": recording
// a service with its validation and scope, listing and reading within
// scope, corrections (cancel and replace, both audited), and the record a
// closing ticket writes for the platform or department that handled it.
// Every answer is checked against openapi.json.

var (
	streetPlatform   = demo.PlatformCode(demo.StreetCode("370202", 0)) // the "street" login's
	districtPlatform = demo.PlatformCode("370202")                     // the "district" login's
	otherStreet      = demo.PlatformCode(demo.StreetCode("370203", 0)) // 市北区: outside both
)

// recordBody is a POST /api/v1/service-records body; kv overrides fields,
// a nil value removes one.
func recordBody(platform string, kv ...any) map[string]any {
	b := map[string]any{"platform_code": platform, "enterprise_uscc": demo.DemoEnterprise, "kind": "consultation",
		"service_area": "information", "date": "2026-11-20", "note": "解读高新技术企业认定政策"}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(b, kv[i].(string))
		} else {
			b[kv[i].(string)] = kv[i+1]
		}
	}
	return b
}

// newRecord records a service and returns its id.
func (c *client) newRecord(t *testing.T, as string, body map[string]any) string {
	t.Helper()
	r := c.do(as, "POST", "/api/v1/service-records", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("record a service as %s: %d %s", as, r.Status, r.Body)
	}
	return idString(r.JSON)
}

// records lists every record a login sees at path, following the cursor.
func (c *client) records(t *testing.T, as, path string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	next := ""
	for i := 0; i < 100; i++ {
		p := path + sep + "limit=2"
		if next != "" {
			p += "&cursor=" + next
		}
		r := c.do(as, "GET", p, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s as %s: %d %s", p, as, r.Status, r.Body)
		}
		out = append(out, r.Items()...)
		n, _ := r.JSON["next_cursor"].(string)
		if n == "" {
			return out
		}
		next = n
	}
	t.Fatal("no end to the pages")
	return nil
}

// badCheck is a credit code with a wrong check character.
func badCheck(code string) string {
	last := "0"
	if strings.HasSuffix(code, "0") {
		last = "1"
	}
	return code[:17] + last
}

func ids(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = idString(it)
	}
	return out
}

// otherEnterprise is a registered enterprise of 市北区.
func (c *client) otherEnterprise(t *testing.T) string {
	t.Helper()
	items := c.do("admin", "GET", "/api/v1/enterprises?region_code=370203&limit=1", nil).Items()
	if len(items) == 0 {
		t.Fatal("no enterprise in 市北区")
	}
	return items[0]["uscc"].(string)
}

func TestServiceRecordCreate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		unregistered := demo.MakeUSCC("91", "370202", "MA7QWE01")
		bad := func(name string, body map[string]any, field, code string) scenario {
			return scenario{name: name, as: "admin", method: "POST", path: "/api/v1/service-records", body: body,
				status: http.StatusUnprocessableEntity, field: field, code: code}
		}
		refused := func(name, as string, body map[string]any) scenario {
			return scenario{name: name, as: as, method: "POST", path: "/api/v1/service-records", body: body,
				status: http.StatusForbidden, code: "forbidden"}
		}
		c.run(t, []scenario{
			{name: "the city admin records a consultation", as: "admin", method: "POST", path: "/api/v1/service-records",
				body: recordBody(streetPlatform), status: http.StatusCreated,
				want: []string{`"platform_code":"` + streetPlatform + `"`, `"department_code":""`, `"enterprise_uscc":"` + demo.DemoEnterprise + `"`,
					`"enterprise_name":"` + demo.DemoEnterpriseName + `"`, `"kind":"consultation"`, `"service_area":"information"`,
					`"date":"2026-11-20"`, `"source":"manual"`, `"cancelled":false`, `"created_by":"admin"`, `"ticket_id":null`}},
			{name: "street staff record for their own platform", as: "street", method: "POST", path: "/api/v1/service-records",
				body: recordBody(streetPlatform, "kind", "training", "service_area", "talent_training"), status: http.StatusCreated},
			{name: "district staff record for a street platform below", as: "district", method: "POST", path: "/api/v1/service-records",
				body: recordBody(streetPlatform, "kind", "event"), status: http.StatusCreated},
			{name: "a date written the Chinese way is read", as: "district", method: "POST", path: "/api/v1/service-records",
				body: recordBody(districtPlatform, "date", "2026年3月5日"), status: http.StatusCreated, want: []string{`"date":"2026-03-05"`}},
			refused("street staff for the district above", "street", recordBody(districtPlatform)),
			refused("street staff for another district's street", "street", recordBody(otherStreet)),
			refused("district staff for another district", "district", recordBody(otherStreet)),
			refused("hotline operators record tickets, not services", "hotline", recordBody(streetPlatform)),
			refused("auditors only read", "auditor", recordBody(streetPlatform)),
			refused("an enterprise does not record its own services", "enterprise", recordBody(streetPlatform)),
			refused("departments' records come from tickets", "department", recordBody(streetPlatform)),
			refused("institutions", "institution", recordBody(streetPlatform)),
			refused("refused before the body is judged", "hotline", recordBody(streetPlatform, "kind", "bogus")),
			bad("unknown platform", recordBody("P999999"), "platform_code", "unknown_reference"),
			bad("no platform", recordBody("", "platform_code", nil), "platform_code", "required"),
			bad("malformed credit code", recordBody(streetPlatform, "enterprise_uscc", badCheck(demo.DemoEnterprise)), "enterprise_uscc", "invalid_uscc"),
			bad("unregistered enterprise", recordBody(streetPlatform, "enterprise_uscc", unregistered), "enterprise_uscc", "unknown_enterprise"),
			bad("unknown kind", recordBody(streetPlatform, "kind", "visit"), "kind", "invalid_kind"),
			bad("no kind", recordBody(streetPlatform, "kind", nil), "kind", "required"),
			bad("unknown service area", recordBody(streetPlatform, "service_area", "tax"), "service_area", "invalid_service_area"),
			bad("no date", recordBody(streetPlatform, "date", nil), "date", "required"),
			bad("not a date", recordBody(streetPlatform, "date", "2026-02-30"), "date", "invalid_date"),
			bad("tomorrow", recordBody(streetPlatform, "date", "2026-11-27"), "date", "date_in_future"),
			bad("before the city platform was established (2012-03-01)", recordBody("P370200", "date", "2012-02-29"),
				"date", "date_before_platform"),
			bad("before the street platform was established (2018-01-01)", recordBody(streetPlatform, "date", "2017-12-31"),
				"date", "date_before_platform"),
			bad("note too long", recordBody(streetPlatform, "note", strings.Repeat("长", 1001)), "note", "too_long"),
			{name: "a wrong type names the field", as: "admin", method: "POST", path: "/api/v1/service-records",
				body: recordBody(streetPlatform, "date", 20261120), status: http.StatusUnprocessableEntity, field: "date", code: "invalid_type"},
			{name: "malformed JSON", as: "admin", method: "POST", path: "/api/v1/service-records", body: `{"platform_code":`,
				status: http.StatusBadRequest, code: "malformed_json"},
			{name: "no token", method: "POST", path: "/api/v1/service-records", body: recordBody(streetPlatform), status: http.StatusUnauthorized},
			{name: "messages in English name the field in the record's words", as: "admin", method: "POST",
				path: "/api/v1/service-records", body: recordBody("P999999"), headers: []string{"Accept-Language", "en"},
				status: http.StatusUnprocessableEntity, field: "platform_code",
				want: []string{`"message":"Service platform refers to something that does not exist"`}},
			{name: "and in Chinese by default", as: "admin", method: "POST", path: "/api/v1/service-records",
				body: recordBody(streetPlatform, "date", "2017-12-31"), status: http.StatusUnprocessableEntity, field: "date",
				want: []string{`2018-01-01`, `八大关街道中小企业服务站`}},
		})
		// The same key with the same body creates one record.
		key := []string{"Idempotency-Key", "record-once"}
		first := c.do("street", "POST", "/api/v1/service-records", recordBody(streetPlatform, "note", "幂等"), key...)
		again := c.do("street", "POST", "/api/v1/service-records", recordBody(streetPlatform, "note", "幂等"), key...)
		if first.Status != http.StatusCreated || again.Status != http.StatusCreated || idString(first.JSON) != idString(again.JSON) ||
			again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay: %d %s, then %d %s", first.Status, first.Body, again.Status, again.Body)
		}
		if n := len(c.records(t, "admin", "/api/v1/service-records?platform_code="+streetPlatform)); n != 4 {
			t.Errorf("the street platform has %d records, want 4 (three recorded, one replayed)", n)
		}
	})
}

func TestServiceRecordListAndReadWithinScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		other := c.otherEnterprise(t)
		street := c.newRecord(t, "street", recordBody(streetPlatform, "date", "2025-12-31"))
		district := c.newRecord(t, "district", recordBody(districtPlatform, "kind", "training", "service_area", "talent_training"))
		north := c.newRecord(t, "admin", recordBody(otherStreet, "enterprise_uscc", other, "date", "2026-01-01"))
		city := c.newRecord(t, "admin", recordBody("P370200", "enterprise_uscc", other, "kind", "financing",
			"service_area", "financing_guarantee", "date", "2026-06-30"))
		cases := []struct {
			as, query string
			want      []string // newest date first, then newest record
		}{
			{"admin", "", []string{district, city, north, street}},
			{"auditor", "", []string{district, city, north, street}},
			{"hotline", "", []string{district, city, north, street}},
			{"district", "", []string{district, street}},
			{"street", "", []string{street}},
			{"specialised", "", nil},
			{"department", "", nil},
			{"enterprise", "", []string{district, street}},
			{"admin", "?year=2026", []string{district, city, north}},
			{"admin", "?year=2025", []string{street}},
			{"admin", "?year=2024", nil},
			{"admin", "?kind=training", []string{district}},
			{"admin", "?service_area=financing_guarantee", []string{city}},
			{"admin", "?platform_code=" + streetPlatform, []string{street}},
			{"admin", "?enterprise_uscc=" + strings.ToLower(other), []string{city, north}},
			{"district", "?enterprise_uscc=" + other, nil},                         // a filter never widens
			{"street", "?platform_code=" + otherStreet, nil},                       // nor does naming another platform
			{"enterprise", "?enterprise_uscc=" + other, nil},                       // nor another enterprise
			{"district", "?platform_code=" + districtPlatform, []string{district}}, // the district platform's own only
		}
		for _, tc := range cases {
			got := ids(c.records(t, tc.as, "/api/v1/service-records"+tc.query))
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("%s GET %s: %v, want %v", tc.as, tc.query, got, tc.want)
			}
		}
		c.run(t, []scenario{
			{name: "institutions read no records", as: "institution", method: "GET", path: "/api/v1/service-records", status: http.StatusForbidden},
			{name: "bad year", as: "admin", method: "GET", path: "/api/v1/service-records?year=twenty", status: http.StatusUnprocessableEntity, field: "year"},
			{name: "year out of range", as: "admin", method: "GET", path: "/api/v1/service-records?year=1900", status: http.StatusUnprocessableEntity, field: "year"},
			{name: "bad kind", as: "admin", method: "GET", path: "/api/v1/service-records?kind=visit", status: http.StatusUnprocessableEntity, field: "kind"},
			{name: "bad area", as: "admin", method: "GET", path: "/api/v1/service-records?service_area=x", status: http.StatusUnprocessableEntity, field: "service_area"},
			{name: "bad cursor", as: "admin", method: "GET", path: "/api/v1/service-records?cursor=abc", status: http.StatusUnprocessableEntity, field: "cursor"},
			{name: "bad flag", as: "admin", method: "GET", path: "/api/v1/service-records?include_cancelled=maybe", status: http.StatusUnprocessableEntity, field: "include_cancelled"},
			{name: "street reads its record", as: "street", method: "GET", path: "/api/v1/service-records/" + street, status: http.StatusOK,
				want: []string{`"id":` + street, `"date":"2025-12-31"`}},
			{name: "the district reads its street's", as: "district", method: "GET", path: "/api/v1/service-records/" + street, status: http.StatusOK},
			{name: "street may not read the district's", as: "street", method: "GET", path: "/api/v1/service-records/" + district, status: http.StatusForbidden},
			{name: "nor another district's", as: "district", method: "GET", path: "/api/v1/service-records/" + north, status: http.StatusForbidden},
			{name: "the enterprise reads the services it received", as: "enterprise", method: "GET", path: "/api/v1/service-records/" + district, status: http.StatusOK},
			{name: "not another enterprise's", as: "enterprise", method: "GET", path: "/api/v1/service-records/" + city, status: http.StatusForbidden},
			{name: "the auditor reads all", as: "auditor", method: "GET", path: "/api/v1/service-records/" + north, status: http.StatusOK},
			{name: "unknown id", as: "admin", method: "GET", path: "/api/v1/service-records/999999", status: http.StatusNotFound, code: "not_found"},
			{name: "not an id", as: "admin", method: "GET", path: "/api/v1/service-records/abc", status: http.StatusNotFound},
		})
	})
}

func TestServiceRecordCorrection(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		old := c.newRecord(t, "street", recordBody(streetPlatform))
		north := c.newRecord(t, "admin", recordBody(otherStreet, "enterprise_uscc", c.otherEnterprise(t)))
		path := "/api/v1/service-records/" + old + "/correction"
		correct := func(name, as, id string, body map[string]any, status int, field, code string) scenario {
			return scenario{name: name, as: as, method: "POST", path: "/api/v1/service-records/" + id + "/correction",
				body: body, status: status, field: field, code: code}
		}
		var replacement string
		c.run(t, []scenario{
			correct("the auditor may not", "auditor", old, map[string]any{"reason": "x", "service_area": "legal_aid"}, http.StatusForbidden, "", "forbidden"),
			correct("nor the enterprise", "enterprise", old, map[string]any{"reason": "x", "service_area": "legal_aid"}, http.StatusForbidden, "", "forbidden"),
			correct("nor another district's staff", "street", north, map[string]any{"reason": "x", "service_area": "legal_aid"}, http.StatusForbidden, "", "forbidden"),
			correct("a reason is required", "street", old, map[string]any{"service_area": "legal_aid"}, http.StatusUnprocessableEntity, "reason", "required"),
			correct("a correction must change something", "street", old, map[string]any{"reason": "核对", "kind": "consultation"},
				http.StatusUnprocessableEntity, "reason", "no_change"),
			correct("the new record is checked like a new one", "street", old, map[string]any{"reason": "日期写错", "date": "2026-12-01"},
				http.StatusUnprocessableEntity, "date", "date_in_future"),
			correct("nor moved to a platform outside the actor's", "street", old, map[string]any{"reason": "记错平台", "platform_code": districtPlatform},
				http.StatusForbidden, "", "forbidden"),
			{name: "street staff correct the area", as: "street", method: "POST", path: path,
				body: map[string]any{"reason": "应为法律援助", "service_area": "legal_aid"}, status: http.StatusCreated,
				want: []string{`"cancelled":{`, `"cancel_reason":"应为法律援助"`, `"cancelled_by":"street"`, `"corrects":` + old},
				check: func(t *testing.T, r *apptest.Response) {
					was, _ := r.JSON["cancelled"].(map[string]any)
					now, _ := r.JSON["record"].(map[string]any)
					if was["cancelled"] != true || was["service_area"] != "information" || was["cancelled_at"] == nil {
						t.Errorf("cancelled: %v", was)
					}
					if now["cancelled"] != false || now["service_area"] != "legal_aid" || now["source"] != "correction" ||
						now["note"] != "解读高新技术企业认定政策" || now["date"] != "2026-11-20" {
						t.Errorf("replacement: %v", now)
					}
					replacement = idString(now)
					if fmt.Sprint(was["corrected_by"]) != fmt.Sprint(now["id"]) {
						t.Errorf("corrected_by %v, want %v", was["corrected_by"], now["id"])
					}
				}},
			correct("a cancelled record is not corrected again", "street", old, map[string]any{"reason": "再改", "note": "x"},
				http.StatusConflict, "", "already_cancelled"),
		})
		// Both are kept: the list shows the live one, and both with
		// include_cancelled; the old one still reads, marked.
		if got := ids(c.records(t, "street", "/api/v1/service-records")); strings.Join(got, ",") != replacement {
			t.Errorf("live records %v, want [%s]", got, replacement)
		}
		if got := ids(c.records(t, "street", "/api/v1/service-records?include_cancelled=true")); strings.Join(got, ",") != replacement+","+old {
			t.Errorf("with cancelled %v, want [%s %s]", got, replacement, old)
		}
		c.run(t, []scenario{
			{name: "the cancelled record still reads", as: "street", method: "GET", path: "/api/v1/service-records/" + old,
				status: http.StatusOK, want: []string{`"cancelled":true`, `"corrected_by":` + replacement}},
			{name: "withdrawing a record replaces it with nothing", as: "district", method: "POST",
				path: "/api/v1/service-records/" + replacement + "/correction", body: map[string]any{"reason": "重复登记", "cancel": true},
				status: http.StatusOK, want: []string{`"record":null`, `"cancel_reason":"重复登记"`}},
		})
		if got := c.records(t, "street", "/api/v1/service-records"); len(got) != 0 {
			t.Errorf("after withdrawal %d live records, want none", len(got))
		}
		// Both steps of each correction are in the audit log.
		entries := c.do("auditor", "GET", "/api/v1/audit?object_type=service_record&limit=50", nil).Items()
		seen := map[string]int{}
		for _, e := range entries {
			seen[fmt.Sprint(e["action"], " ", e["object_id"], " ", e["username"])]++
		}
		for _, want := range []string{"service_record.create " + old + " street", "service_record.cancel " + old + " street",
			"service_record.create " + replacement + " street", "service_record.cancel " + replacement + " district"} {
			if seen[want] != 1 {
				t.Errorf("audit log lacks %q: %v", want, seen)
			}
		}
	})
}

// repliedTicket files a ticket about an enterprise and takes it to replied as
// its assignee's login.
func (c *client) repliedTicket(t *testing.T, handler string, body map[string]any) string {
	t.Helper()
	id := c.newTicket(t, "hotline", body)
	for _, act := range []map[string]any{{"action": "sign"}, {"action": "reply", "note": "已答复企业"}} {
		if r := c.do(handler, "POST", "/api/v1/tickets/"+id+"/actions", act); r.Status != http.StatusOK {
			t.Fatalf("%s %v: %d %s", handler, act, r.Status, r.Body)
		}
	}
	return id
}

func (c *client) act(t *testing.T, as, id string, body map[string]any) {
	t.Helper()
	if r := c.do(as, "POST", "/api/v1/tickets/"+id+"/actions", body); r.Status != http.StatusOK {
		t.Fatalf("%s %v on %s: %d %s", as, body, id, r.Status, r.Body)
	}
}

func TestClosedTicketWritesItsRecord(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		street0 := demo.StreetCode("370202", 0)
		yes, no := true, false
		ofTicket := func(id string) []map[string]any {
			return c.records(t, "admin", "/api/v1/service-records?include_cancelled=true&ticket_id="+id)
		}

		// Rated satisfied by the enterprise: one record for the street
		// platform, dated the day it closed, area from its words.
		rated := c.repliedTicket(t, "street", ticketBody(street0, "help", "title", "融资需求对接", "content", "企业有三百万元流动资金需求"))
		if got := ofTicket(rated); len(got) != 0 {
			t.Fatalf("a replied ticket has records %v", got)
		}
		c.act(t, "enterprise", rated, map[string]any{"action": "rate", "satisfied": yes, "score": 5})
		got := ofTicket(rated)
		if len(got) != 1 {
			t.Fatalf("records of the closed ticket: %v", got)
		}
		r := got[0]
		number := c.ticket(t, rated)["number"]
		for k, want := range map[string]any{"platform_code": streetPlatform, "department_code": "", "enterprise_uscc": demo.DemoEnterprise,
			"kind": "ticket", "service_area": "financing_guarantee", "date": "2026-11-26", "source": "ticket", "ticket_number": number,
			"created_by": "enterprise", "cancelled": false} {
			if r[k] != want {
				t.Errorf("record %s = %v, want %v", k, r[k], want)
			}
		}
		// The street's staff see it among their records.
		if got := ids(c.records(t, "street", "/api/v1/service-records?kind=ticket")); len(got) != 1 || got[0] != idString(r) {
			t.Errorf("street's ticket records %v", got)
		}

		// Reopened (unsatisfied), handled again, then closed by a return
		// visit: one record, not two.
		again := c.repliedTicket(t, "street", ticketBody(street0, "consult"))
		c.act(t, "enterprise", again, map[string]any{"action": "rate", "satisfied": no, "note": "没有解决"})
		if got := ofTicket(again); len(got) != 0 {
			t.Errorf("a reopened ticket has records %v", got)
		}
		c.act(t, "street", again, map[string]any{"action": "sign"})
		c.act(t, "street", again, map[string]any{"action": "reply", "note": "再次答复"})
		c.act(t, "hotline", again, map[string]any{"action": "visit", "satisfied": yes, "note": "回访满意"})
		if got := ofTicket(again); len(got) != 1 || got[0]["service_area"] != "information" || got[0]["created_by"] != "hotline" {
			t.Errorf("records of the reopened ticket: %v", got)
		}

		// Closed unrated by the city admin, for a department: the record
		// is the department's.
		dept := c.newTicket(t, "hotline", ticketBody(street0, "rights_infringement"))
		handler := c.ticket(t, dept)["assignee"].(map[string]any)
		if handler["type"] != "department" {
			t.Fatalf("rights infringement routed to %v", handler)
		}
		code := handler["code"].(string)
		if code != "SCJGJ" { // to the department login's
			c.act(t, "admin", dept, map[string]any{"action": "transfer", "to": map[string]string{"type": "department", "code": "SCJGJ"}, "note": "市场监管"})
		}
		c.act(t, "department", dept, map[string]any{"action": "sign"})
		c.act(t, "department", dept, map[string]any{"action": "reply", "note": "已督促付款"})
		c.act(t, "admin", dept, map[string]any{"action": "close"})
		got = ofTicket(dept)
		if len(got) != 1 || got[0]["department_code"] != "SCJGJ" || got[0]["platform_code"] != "" || got[0]["service_area"] != "legal_aid" {
			t.Errorf("department's record: %v (first routed to %s)", got, code)
		}
		if got := ids(c.records(t, "department", "/api/v1/service-records")); len(got) != 1 {
			t.Errorf("the department sees %v, want its one record", got)
		}
		if got := c.records(t, "street", "/api/v1/service-records?kind=ticket"); len(got) != 2 {
			t.Errorf("the street sees %d ticket records, want its 2", len(got))
		}

		// A ticket about an enterprise not registered writes none.
		stranger := c.repliedTicket(t, "street", ticketBody(street0, "consult", "enterprise_uscc", demo.MakeUSCC("91", "370202", "MA7QWE02")))
		c.act(t, "hotline", stranger, map[string]any{"action": "visit", "satisfied": yes, "note": "回访满意"})
		if got := ofTicket(stranger); len(got) != 0 {
			t.Errorf("an unregistered enterprise's ticket wrote %v", got)
		}

		// Left unrated past the rating window: the supervision sweep
		// closes it and writes the record.
		late := c.repliedTicket(t, "street", ticketBody(street0, "suggestion"))
		env.Clock.Advance(10 * 24 * time.Hour)
		if _, err := env.App.Ticket.Supervise(t.Context()); err != nil {
			t.Fatal(err)
		}
		got = ofTicket(late)
		if len(got) != 1 || got[0]["created_by"] != "supervision" || got[0]["date"] != "2026-12-06" {
			t.Errorf("auto-closed ticket's record: %v", got)
		}

		// Its ticket's facts stay; its area may be corrected, and the
		// ticket still has one live record.
		rid := idString(got[0])
		c.run(t, []scenario{
			{name: "a ticket's date is fixed", as: "street", method: "POST", path: "/api/v1/service-records/" + rid + "/correction",
				body: map[string]any{"reason": "x", "date": "2026-12-01"}, status: http.StatusUnprocessableEntity, field: "date", code: "fixed_by_ticket"},
			{name: "and its enterprise", as: "street", method: "POST", path: "/api/v1/service-records/" + rid + "/correction",
				body: map[string]any{"reason": "x", "enterprise_uscc": c.otherEnterprise(t)}, status: http.StatusUnprocessableEntity,
				field: "enterprise_uscc", code: "fixed_by_ticket"},
			{name: "its area is corrected", as: "street", method: "POST", path: "/api/v1/service-records/" + rid + "/correction",
				body: map[string]any{"reason": "实为管理咨询", "service_area": "management_consulting"}, status: http.StatusCreated,
				want: []string{`"kind":"ticket"`, `"service_area":"management_consulting"`, `"date":"2026-12-06"`}},
			{name: "the department's record is the city's to correct", as: "department", method: "POST",
				path: "/api/v1/service-records/" + idString(ofTicket(dept)[0]) + "/correction",
				body: map[string]any{"reason": "x", "service_area": "information"}, status: http.StatusForbidden},
		})
		live := c.records(t, "admin", "/api/v1/service-records?ticket_id="+late)
		if len(live) != 1 || live[0]["service_area"] != "management_consulting" || fmt.Sprint(live[0]["ticket_id"]) != late {
			t.Errorf("live records of the ticket after correction: %v", live)
		}
	})
}
