package open311_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/open311"
	"github.com/qifu/qifu/internal/ticket"
)

// client calls /open311/v2 without an Authorization header.
type client struct {
	t   *testing.T
	env *apptest.Env
}

func (c client) get(path string, headers ...string) *apptest.Response {
	c.t.Helper()
	return c.env.API("").Do("GET", "/open311/v2/"+path, nil, headers...)
}

func (c client) post(path string, form url.Values, headers ...string) *apptest.Response {
	c.t.Helper()
	return c.env.API("").Do("POST", "/open311/v2/"+path, form.Encode(),
		append([]string{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, headers...)...)
}

// decode reads a JSON body into v, failing the test if it is not JSON of
// that shape.
func decode(t *testing.T, r *apptest.Response, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, r.Body)
	}
}

// decodeXML reads an XML body into v after checking the declaration the
// standard requires.
func decodeXML(t *testing.T, r *apptest.Response, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "text/xml; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.HasPrefix(string(r.Body), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.80s", r.Body)
	}
	if err := xml.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode XML %T: %v\n%s", v, err, r.Body)
	}
}

// The XML shapes of the specification's examples, written here apart from
// the package so the test checks the names, not the code against itself.
type xmlErrors struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []struct {
		Code        int    `xml:"code"`
		Description string `xml:"description"`
	} `xml:"error"`
}

type xmlServices struct {
	XMLName  xml.Name `xml:"services"`
	Services []struct {
		Code        string `xml:"service_code"`
		Name        string `xml:"service_name"`
		Description string `xml:"description"`
		Metadata    bool   `xml:"metadata"`
		Type        string `xml:"type"`
		Keywords    string `xml:"keywords"`
		Group       string `xml:"group"`
	} `xml:"service"`
}

type xmlDefinition struct {
	XMLName    xml.Name `xml:"service_definition"`
	Code       string   `xml:"service_code"`
	Attributes []struct {
		Variable            bool   `xml:"variable"`
		Code                string `xml:"code"`
		Datatype            string `xml:"datatype"`
		Required            bool   `xml:"required"`
		DatatypeDescription string `xml:"datatype_description"`
		Order               int    `xml:"order"`
		Description         string `xml:"description"`
	} `xml:"attributes>attribute"`
}

type xmlRequest struct {
	ID          string `xml:"service_request_id"`
	Status      string `xml:"status"`
	StatusNotes string `xml:"status_notes"`
	ServiceName string `xml:"service_name"`
	ServiceCode string `xml:"service_code"`
	Description string `xml:"description"`
	Agency      string `xml:"agency_responsible"`
	Notice      string `xml:"service_notice"`
	Requested   string `xml:"requested_datetime"`
	Updated     string `xml:"updated_datetime"`
	Expected    string `xml:"expected_datetime"`
	Address     string `xml:"address"`
	AddressID   string `xml:"address_id"`
	Zipcode     string `xml:"zipcode"`
	MediaURL    string `xml:"media_url"`
}

func (x xmlRequest) fields() map[string]string {
	return map[string]string{"service_request_id": x.ID, "status": x.Status, "status_notes": x.StatusNotes,
		"service_name": x.ServiceName, "service_code": x.ServiceCode, "description": x.Description,
		"agency_responsible": x.Agency, "service_notice": x.Notice, "requested_datetime": x.Requested,
		"updated_datetime": x.Updated, "expected_datetime": x.Expected, "address": x.Address,
		"address_id": x.AddressID, "zipcode": x.Zipcode, "media_url": x.MediaURL}
}

type xmlRequests struct {
	XMLName  xml.Name     `xml:"service_requests"`
	Requests []xmlRequest `xml:"request"`
}

type xmlCreated struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []struct {
		ID        string  `xml:"service_request_id"`
		Token     *string `xml:"token"`
		Notice    string  `xml:"service_notice"`
		AccountID *string `xml:"account_id"`
	} `xml:"request"`
}

type xmlDiscovery struct {
	XMLName    xml.Name `xml:"discovery"`
	Changeset  string   `xml:"changeset"`
	Contact    string   `xml:"contact"`
	KeyService string   `xml:"key_service"`
	Endpoints  []struct {
		Specification string   `xml:"specification"`
		URL           string   `xml:"url"`
		Type          string   `xml:"type"`
		Formats       []string `xml:"formats>format"`
	} `xml:"endpoints>endpoint"`
}

// jsonText is a JSON field as XML carries it: null is an empty element.
func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// sameRequests fails unless the XML answer carries the JSON answer's data.
func sameRequests(t *testing.T, js []map[string]any, xs []xmlRequest) {
	t.Helper()
	if len(js) != len(xs) {
		t.Fatalf("JSON has %d requests, XML %d", len(js), len(xs))
	}
	for i := range js {
		for k, xv := range xs[i].fields() {
			if jv := jsonText(js[i][k]); jv != xv {
				t.Errorf("request %d %s: JSON %q, XML %q", i, k, jv, xv)
			}
		}
	}
}

// wantErrors checks an error answer in both formats: the status, the
// standard's list with that code, and a description containing want.
func wantErrors(t *testing.T, s schemas, r *apptest.Response, status int, want string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	var descs []string
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		s.check(t, "errors.json", r.Body)
		var list []open311.Error
		decode(t, r, &list)
		for _, e := range list {
			if e.Code != status {
				t.Errorf("error code %d in a %d answer", e.Code, status)
			}
			descs = append(descs, e.Description)
		}
	} else {
		var x xmlErrors
		decodeXML(t, r, &x)
		for _, e := range x.Errors {
			if e.Code != status {
				t.Errorf("error code %d in a %d answer", e.Code, status)
			}
			descs = append(descs, e.Description)
		}
	}
	if len(descs) == 0 || !strings.Contains(strings.Join(descs, "\n"), want) {
		t.Errorf("errors %q do not mention %q", descs, want)
	}
}

// other is a well-formed credit code of an enterprise in 黄岛区 that is not
// registered.
var other = demo.MakeUSCC("91", "370211", "MA7X2K9P")

var (
	street    = demo.StreetCode("370202", 0) // 八大关街道, with a street platform
	farStreet = demo.StreetCode("370211", 0) // 黄岛街道, another district
)

// Personal data the tickets carry; none of it may show without a key.
const (
	name1, phone1, email1 = "周明", "13806390000", "zhou.ming@example.com"
	desc1                 = "电子发票平台无法开具专票，影响正常经营。\n请尽快协调税务部门。"
	desc2                 = "园区物业违规收取停车费，多次反映无果。"
	name3, phone3         = "李华", "13900000001"
	desc3                 = "建议政务服务大厅周末开放半天，方便企业办事。"
	reply3                = "已采纳：自下月起周六上午开放。"
	desc6                 = "想了解科技型中小企业评价的申报流程。"
)

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// fixture is the demo network with tickets made through Open311, through
// the API and through the ticket service, in every kind of state.
type fixture struct {
	env    *apptest.Env
	c      client
	tokens map[string]string
	ids    map[string]string // t1 … t6 → service_request_id
}

func newFixture(t *testing.T, env *apptest.Env, s schemas) *fixture {
	t.Helper()
	env.LoadDemo()
	fx := &fixture{env: env, c: client{t, env}, tokens: map[string]string{}, ids: map[string]string{}}
	for _, l := range demo.Logins {
		fx.tokens[l.Username] = env.Token(l.Username)
	}
	post := func(key, path string, f url.Values) string {
		t.Helper()
		f.Set("api_key", fx.tokens[key])
		r := fx.c.post(path, f)
		if r.Status != http.StatusOK {
			t.Fatalf("POST %s as %s: %d %s", path, key, r.Status, r.Body)
		}
		if strings.HasSuffix(path, ".json") {
			s.check(t, "created.json", r.Body)
			var list []open311.Created
			decode(t, r, &list)
			return list[0].ServiceRequestID
		}
		var x xmlCreated
		decodeXML(t, r, &x)
		if len(x.Requests) != 1 || x.Requests[0].Token != nil || x.Requests[0].AccountID == nil || *x.Requests[0].AccountID != "" ||
			!strings.Contains(x.Requests[0].Notice, "QF2026") {
			t.Fatalf("XML POST answer %s", r.Body)
		}
		return x.Requests[0].ID
	}
	act := func(who, id string, body map[string]any) {
		t.Helper()
		if r := env.API(fx.tokens[who]).Do("POST", "/api/v1/tickets/"+id+"/actions", body); r.Status != http.StatusOK {
			t.Fatalf("%v by %s on %s: %d %s", body["action"], who, id, r.Status, r.Body)
		}
	}
	// t1: the hotline, in JSON, with every personal field.
	fx.ids["t1"] = post("hotline", "requests.json", form("service_code", "consult", "lat", "36.0566", "long", "120.3525",
		"address_string", "香港中路 10 号", "email", email1, "first_name", "明", "last_name", "周", "phone", phone1,
		"description", desc1, "media_url", "https://example.com/p/1.jpg", "device_id", "d-1",
		"attribute[uscc]", demo.DemoEnterprise, "attribute[region_code]", street, "jurisdiction_id", "370200"))
	// t2: in XML, an enterprise not registered, in another district.
	fx.ids["t2"] = post("hotline", "requests.xml", form("service_code", "complaint", "address_string", "黄岛区某产业园",
		"description", desc2, "first_name", "Wei", "last_name", "Zhang", "phone", "13700000002",
		"attribute[uscc]", other, "attribute[region_code]", farStreet))
	// t3: public, made through the ticket service, answered.
	hot, err := env.App.Auth.User(context.Background(), apptest.System, "hotline")
	if err != nil {
		t.Fatal(err)
	}
	tk, err := env.App.Ticket.Create(context.Background(), hot.Actor(), ticket.Intake{Channel: "hotline",
		EnterpriseUSCC: demo.DemoEnterprise, Category: "suggestion", Title: "周末开放", Content: desc3, RegionCode: "370202",
		ContactName: name3, ContactPhone: phone3, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	fx.ids["t3"] = strconv.FormatInt(tk.ID, 10)
	act("district", fx.ids["t3"], map[string]any{"action": "sign"})
	act("district", fx.ids["t3"], map[string]any{"action": "reply", "note": reply3})
	// t4: the enterprise's own, handled and rated: closed.
	fx.ids["t4"] = post("enterprise", "requests.json", form("service_code", "help", "address_string", "八大关",
		"description", "申请稳岗补贴遇到困难。", "attribute[uscc]", demo.DemoEnterprise, "attribute[region_code]", street))
	act("street", fx.ids["t4"], map[string]any{"action": "sign"})
	act("street", fx.ids["t4"], map[string]any{"action": "reply", "note": "已指导线上申报。"})
	act("enterprise", fx.ids["t4"], map[string]any{"action": "rate", "satisfied": true, "score": 5})
	// t5: an infringement, which goes to a department.
	fx.ids["t5"] = post("hotline", "requests.json", form("service_code", "rights_infringement", "address_string", "市南区",
		"description", "政府采购项目尾款拖欠一年。", "attribute[uscc]", demo.DemoEnterprise, "attribute[region_code]", street))
	// t6: a month later.
	env.Clock.Advance(30 * 24 * time.Hour)
	fx.ids["t6"] = post("hotline", "requests.json", form("service_code", "consult", "lat", "36.07", "long", "120.38",
		"description", desc6, "attribute[uscc]", demo.DemoEnterprise, "attribute[region_code]", demo.StreetCode("370203", 0)))
	env.Clock.Advance(time.Hour)
	return fx
}

func (fx *fixture) ticket(t *testing.T, key string) ticket.Ticket {
	t.Helper()
	id, _ := strconv.ParseInt(fx.ids[key], 10, 64)
	tk, err := fx.env.App.Ticket.Get(context.Background(), apptest.System, id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// idsOf lists the ids of a JSON requests answer, sorted.
func idsOf(list []map[string]any) []string {
	out := make([]string, 0, len(list))
	for _, it := range list {
		out = append(out, jsonText(it["service_request_id"]))
	}
	sort.Strings(out)
	return out
}

func (fx *fixture) want(keys ...string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, fx.ids[k])
	}
	sort.Strings(out)
	return out
}

func TestOpen311(t *testing.T) {
	s := loadSchemas(t)
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		fx := newFixture(t, env, s)
		c := fx.c
		t.Run("discovery", func(t *testing.T) { testDiscovery(t, s, c) })
		t.Run("services", func(t *testing.T) { testServices(t, s, c) })
		t.Run("intake", func(t *testing.T) { testIntake(t, fx) })
		t.Run("refusals", func(t *testing.T) { testRefusals(t, s, fx) })
		t.Run("public reads", func(t *testing.T) { testPublicReads(t, s, fx) })
		t.Run("filters", func(t *testing.T) { testFilters(t, s, fx) })
		t.Run("keyed reads", func(t *testing.T) { testKeyedReads(t, s, fx) })
		t.Run("same routing as the API", func(t *testing.T) { testSameRouting(t, fx) })
	})
}

func testDiscovery(t *testing.T, s schemas, c client) {
	r := c.get("discovery.json")
	s.check(t, "discovery.json", r.Body)
	var d open311.Discovery
	decode(t, r, &d)
	var x xmlDiscovery
	decodeXML(t, c.get("discovery.xml"), &x)
	if len(d.Endpoints) != 1 || len(x.Endpoints) != 1 {
		t.Fatalf("endpoints: %+v / %+v", d, x)
	}
	e := x.Endpoints[0]
	if e.Specification != "http://wiki.open311.org/GeoReport_v2" || !strings.HasSuffix(e.URL, "/open311/v2") ||
		e.URL != d.Endpoints[0].URL || strings.Join(e.Formats, ",") != "text/xml,application/json" || e.Type != "production" {
		t.Errorf("endpoint %+v", e)
	}
	if x.Contact != d.Contact || !strings.Contains(x.Contact, "0532-96633") || x.KeyService == "" || x.Changeset != d.Changeset {
		t.Errorf("discovery XML %+v, JSON %+v", x, d)
	}
}

func testServices(t *testing.T, s schemas, c client) {
	r := c.get("services.json")
	s.check(t, "services.json", r.Body)
	var list []open311.Service
	decode(t, r, &list)
	var x xmlServices
	decodeXML(t, c.get("services.xml"), &x)
	if len(list) != len(ticket.Categories) || len(x.Services) != len(list) {
		t.Fatalf("%d services in JSON, %d in XML, want %d", len(list), len(x.Services), len(ticket.Categories))
	}
	for i, sv := range list {
		xs := x.Services[i]
		if sv.ServiceCode != ticket.Categories[i] || !sv.Metadata || sv.Type != "realtime" || sv.Group == "" ||
			xs.Code != sv.ServiceCode || xs.Name != sv.ServiceName || xs.Description != string(sv.Description) ||
			!xs.Metadata || xs.Type != "realtime" || xs.Group != string(sv.Group) || xs.Keywords != string(sv.Keywords) {
			t.Errorf("service %d: JSON %+v, XML %+v", i, sv, xs)
		}
	}
	if list[0].ServiceName != "咨询" {
		t.Errorf("zh-CN name of consult: %q", list[0].ServiceName)
	}
	var en []open311.Service
	decode(t, c.get("services.json", "Accept-Language", "en-US,en;q=0.9"), &en)
	if en[0].ServiceName != "Enquiry" || hasHan(string(en[0].Description)) || hasHan(string(en[0].Group)) {
		t.Errorf("English service: %+v", en[0])
	}

	for _, code := range ticket.Categories {
		r := c.get("services/" + code + ".json")
		s.check(t, "service-definition.json", r.Body)
		var d open311.ServiceDefinition
		decode(t, r, &d)
		var xd xmlDefinition
		decodeXML(t, c.get("services/"+code+".xml"), &xd)
		if d.ServiceCode != code || xd.Code != code || len(d.Attributes) != 2 || len(xd.Attributes) != 2 {
			t.Fatalf("definition of %s: %+v / %+v", code, d, xd)
		}
		for i, want := range []string{"uscc", "region_code"} {
			a, xa := d.Attributes[i], xd.Attributes[i]
			if a.Code != want || !a.Required || !a.Variable || a.Datatype != "string" || a.Order != i+1 || a.Description == "" ||
				xa.Code != a.Code || xa.Required != a.Required || xa.Datatype != a.Datatype || xa.Order != a.Order ||
				xa.Description != string(a.Description) || xa.DatatypeDescription != string(a.DatatypeDescription) {
				t.Errorf("%s attribute %d: JSON %+v, XML %+v", code, i, a, xa)
			}
		}
	}
	wantErrors(t, s, c.get("services/praise.json"), 404, "praise")
	wantErrors(t, s, c.get("services/praise.xml"), 404, "praise")
	wantErrors(t, s, c.get("services.json?jurisdiction_id=110000"), 404, "110000")
	if r := c.get("services.json?jurisdiction_id=370200"); r.Status != 200 {
		t.Errorf("the city's own jurisdiction_id: %d", r.Status)
	}
}

func hasHan(s string) bool { return regexp.MustCompile(`\p{Han}`).MatchString(s) }

// testIntake: a POST makes a real ticket, routed as POST /api/v1/tickets
// routes the same request.
func testIntake(t *testing.T, fx *fixture) {
	t1 := fx.ticket(t, "t1")
	if t1.Channel != "api" || t1.Category != "consult" || t1.EnterpriseUSCC != demo.DemoEnterprise ||
		t1.RegionCode != street || t1.ContactName != name1 || t1.ContactPhone != phone1 ||
		t1.Assignee != (ticket.Assignee{Type: "platform", Code: demo.PlatformCode(street)}) || t1.Status != ticket.Dispatched {
		t.Errorf("t1 = %+v", t1)
	}
	if t1.Title != "电子发票平台无法开具专票，影响正常经营。" || open311.DescriptionOf(t1.Content) != desc1 {
		t.Errorf("t1 title %q, content %q", t1.Title, t1.Content)
	}
	for _, want := range []string{email1, "香港中路 10 号", "36.0566, 120.3525", "https://example.com/p/1.jpg"} {
		if !strings.Contains(t1.Content, want) {
			t.Errorf("t1 content lacks %q for its handlers: %q", want, t1.Content)
		}
	}
	if t2 := fx.ticket(t, "t2"); t2.ContactName != "Wei Zhang" || t2.EnterpriseUSCC != other ||
		t2.Assignee.Code != demo.PlatformCode(farStreet) {
		t.Errorf("t2 = %+v", t2)
	}
	if t4 := fx.ticket(t, "t4"); t4.Status != ticket.Closed {
		t.Errorf("t4 status %s", t4.Status)
	}
}

// testSameRouting: the same requests through POST /api/v1/tickets land
// with the same assignees (run last: it adds tickets).
func testSameRouting(t *testing.T, fx *fixture) {
	api := fx.env.API(fx.tokens["hotline"])
	for _, key := range []string{"t1", "t2", "t5", "t6"} {
		tk := fx.ticket(t, key)
		r := api.Do("POST", "/api/v1/tickets", map[string]any{"channel": "api", "enterprise_uscc": tk.EnterpriseUSCC,
			"category": tk.Category, "title": "对照", "content": "对照工单 " + key, "region_code": tk.RegionCode})
		if r.Status != http.StatusCreated {
			t.Fatalf("API create: %d %s", r.Status, r.Body)
		}
		a, _ := r.JSON["assignee"].(map[string]any)
		if a["type"] != string(tk.Assignee.Type) || a["code"] != tk.Assignee.Code {
			t.Errorf("%s: Open311 routed to %v, the API to %v", key, tk.Assignee, a)
		}
	}
}

func (fx *fixture) count(t *testing.T) int {
	t.Helper()
	items, _, err := fx.env.App.Ticket.List(context.Background(), apptest.System, ticket.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return len(items)
}

func testRefusals(t *testing.T, s schemas, fx *fixture) {
	c := fx.c
	before := fx.count(t)
	good := func(kv ...string) url.Values {
		f := form("api_key", fx.tokens["hotline"], "service_code", "help", "address_string", "中山路", "description", "求助",
			"attribute[uscc]", demo.DemoEnterprise, "attribute[region_code]", street)
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				f.Del(kv[i])
			} else {
				f.Set(kv[i], kv[i+1])
			}
		}
		return f
	}
	en := []string{"Accept-Language", "en"}
	cases := []struct {
		name   string
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"missing uscc", "requests.json", good("attribute[uscc]", ""), 400, "attribute[uscc]"},
		{"missing uscc (XML)", "requests.xml", good("attribute[uscc]", ""), 400, "attribute[uscc]"},
		{"malformed uscc", "requests.json", good("attribute[uscc]", "91370202MA3C8Q1D0Z"), 400, "attribute[uscc]"},
		{"missing region", "requests.json", good("attribute[region_code]", ""), 400, "attribute[region_code]"},
		{"unknown region", "requests.json", good("attribute[region_code]", "370299001"), 400, "attribute[region_code]"},
		{"no location", "requests.json", good("address_string", ""), 400, "address_string"},
		{"half a location", "requests.json", good("address_string", "", "lat", "36.1"), 400, "long"},
		{"no description", "requests.json", good("description", ""), 400, "description"},
		{"missing service code", "requests.json", good("service_code", ""), 400, "service_code"},
		{"unknown service code", "requests.json", good("service_code", "praise"), 404, "praise"},
		{"unknown service code (XML)", "requests.xml", good("service_code", "praise"), 404, "praise"},
		{"no api_key", "requests.json", good("api_key", ""), 403, "api_key"},
		{"bad api_key", "requests.json", good("api_key", "qf_not-a-token"), 403, "api_key"},
		{"bad api_key (XML)", "requests.xml", good("api_key", "qf_not-a-token"), 403, "api_key"},
		{"another jurisdiction", "requests.json", good("jurisdiction_id", "110000"), 404, "110000"},
		{"outside the key's scope", "requests.json", good("api_key", fx.tokens["enterprise"], "attribute[uscc]", other), 403, ""},
		{"institution may not create", "requests.json", good("api_key", fx.tokens["institution"]), 403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantErrors(t, s, c.post(tc.path, tc.form), tc.status, tc.want)
			r := c.post(tc.path, tc.form, en...)
			wantErrors(t, s, r, tc.status, tc.want)
			if hasHan(string(r.Body)) {
				t.Errorf("English error in Chinese: %s", r.Body)
			}
		})
	}
	// Several problems are reported together.
	r := c.post("requests.json", good("attribute[uscc]", "", "attribute[region_code]", "", "description", ""))
	var list []open311.Error
	decode(t, r, &list)
	if r.Status != 400 || len(list) != 3 {
		t.Errorf("three missing parameters: %d %s", r.Status, r.Body)
	}
	if n := fx.count(t); n != before {
		t.Errorf("refused requests created %d tickets", n-before)
	}

	wantErrors(t, s, c.get("requests/99999999.json"), 404, "99999999")
	wantErrors(t, s, c.get("requests/99999999.xml"), 404, "99999999")
	wantErrors(t, s, c.get("requests/nonsense.json"), 404, "nonsense")
	wantErrors(t, s, c.get("requests.json?api_key=qf_not-a-token"), 403, "api_key")
	wantErrors(t, s, c.get("requests/"+fx.ids["t1"]+".json?api_key=qf_not-a-token"), 403, "api_key")
	wantErrors(t, s, c.get("requests.json?jurisdiction_id=110000"), 404, "110000")
	wantErrors(t, s, c.get("tokens/abc123.json"), 404, "abc123")
	wantErrors(t, s, c.get("tokens/abc123.xml"), 404, "abc123")
	wantErrors(t, s, c.get("nothing.json"), 404, "discovery")
	wantErrors(t, s, c.get("services.yaml"), 404, "discovery")
	r = fx.env.API("").Do("DELETE", "/open311/v2/requests.json", nil)
	wantErrors(t, s, r, 405, "DELETE")
	if r.Header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("Allow %q", r.Header.Get("Allow"))
	}
	wantErrors(t, s, c.post("services.xml", url.Values{}), 405, "POST")
}

// personal is what no keyless answer may contain.
var personal = []string{name1, phone1, email1, "香港中路 10", "Wei", "13700000002", name3, phone3, "电子发票", desc2,
	"稳岗补贴", "尾款拖欠", desc6, "2.jpg", "example.com/p"}

// testPublicReads: without a key every ticket shows, with no personal data;
// the description and the reply only where the ticket is marked public.
func testPublicReads(t *testing.T, s schemas, fx *fixture) {
	c := fx.c
	r := c.get("requests.json")
	s.check(t, "requests.json", r.Body)
	var list []map[string]any
	decode(t, r, &list)
	if got, want := idsOf(list), fx.want("t1", "t2", "t3", "t4", "t5", "t6"); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("keyless list %v, want %v", got, want)
	}
	for _, p := range personal {
		if strings.Contains(string(r.Body), p) {
			t.Errorf("keyless list shows %q", p)
		}
	}
	byID := map[string]map[string]any{}
	for _, it := range list {
		byID[jsonText(it["service_request_id"])] = it
	}
	t1, t3, t4 := byID[fx.ids["t1"]], byID[fx.ids["t3"]], byID[fx.ids["t4"]]
	tk1 := fx.ticket(t, "t1")
	if t1["status"] != "open" || t1["description"] != nil || t1["status_notes"] != "待签收" || t1["service_code"] != "consult" ||
		t1["service_name"] != "咨询" || t1["address"] != "八大关街道, 市南区, 青岛市" || t1["address_id"] != street ||
		t1["agency_responsible"] != "八大关街道中小企业服务站" || t1["lat"] != nil || t1["media_url"] != nil ||
		!strings.Contains(jsonText(t1["service_notice"]), tk1.Number) {
		t.Errorf("keyless t1 = %v", t1)
	}
	for k, want := range map[string]time.Time{"requested_datetime": tk1.CreatedAt, "updated_datetime": tk1.UpdatedAt,
		"expected_datetime": tk1.DueAt} {
		got, err := time.Parse(time.RFC3339, jsonText(t1[k]))
		if err != nil || !got.Equal(want) || !strings.HasSuffix(jsonText(t1[k]), "+08:00") {
			t.Errorf("%s = %v, want %v with its offset", k, t1[k], want)
		}
	}
	if t3["description"] != desc3 || t3["status_notes"] != reply3 || t3["status"] != "open" {
		t.Errorf("public t3 = %v", t3)
	}
	tk4 := fx.ticket(t, "t4")
	if t4["status"] != "closed" || t4["updated_datetime"] != tk4.ClosedAt.In(time.FixedZone("", 8*3600)).Format(time.RFC3339) {
		t.Errorf("closed t4 = %v (closed at %v)", t4, tk4.ClosedAt)
	}
	if t5 := byID[fx.ids["t5"]]; !strings.HasPrefix(jsonText(t5["agency_responsible"]), "市") {
		t.Errorf("t5 agency %v, want a department's name", t5["agency_responsible"])
	}

	var x xmlRequests
	xr := c.get("requests.xml")
	decodeXML(t, xr, &x)
	sameRequests(t, list, x.Requests)
	for _, p := range personal {
		if strings.Contains(string(xr.Body), p) {
			t.Errorf("keyless XML list shows %q", p)
		}
	}

	for _, key := range []string{"t1", "t2", "t3", "t4", "t5", "t6"} {
		for _, id := range []string{fx.ids[key], fx.ticket(t, key).Number} {
			r := c.get("requests/" + id + ".json")
			s.check(t, "requests.json", r.Body)
			var one []map[string]any
			decode(t, r, &one)
			var xone xmlRequests
			decodeXML(t, c.get("requests/"+id+".xml"), &xone)
			if len(one) != 1 || jsonText(one[0]["service_request_id"]) != fx.ids[key] {
				t.Fatalf("GET requests/%s: %s", id, r.Body)
			}
			if fmt.Sprint(one[0]) != fmt.Sprint(byID[fx.ids[key]]) {
				t.Errorf("GET requests/%s differs from the list: %v / %v", id, one[0], byID[fx.ids[key]])
			}
			sameRequests(t, one, xone.Requests)
			for _, p := range personal {
				if strings.Contains(string(r.Body), p) {
					t.Errorf("keyless %s shows %q", key, p)
				}
			}
		}
	}
	var en []map[string]any
	decode(t, c.get("requests/"+fx.ids["t1"]+".json", "Accept-Language", "en"), &en)
	if en[0]["service_name"] != "Enquiry" || en[0]["status_notes"] != "Awaiting acceptance" || hasHan(jsonText(en[0]["service_notice"])) {
		t.Errorf("English t1: %v", en[0])
	}
}

func testFilters(t *testing.T, s schemas, fx *fixture) {
	start := apptest.Start
	stamp := func(d time.Duration) string { return start.Add(d).In(time.FixedZone("", 8*3600)).Format(time.RFC3339) }
	cases := []struct {
		query string
		want  []string
	}{
		{"service_code=consult", []string{"t1", "t6"}},
		{"service_code=consult,complaint", []string{"t1", "t2", "t6"}},
		{"service_code=consult&service_code=help", []string{"t1", "t4", "t6"}},
		{"status=closed", []string{"t4"}},
		{"status=open", []string{"t1", "t2", "t3", "t5", "t6"}},
		{"status=open,closed", []string{"t1", "t2", "t3", "t4", "t5", "t6"}},
		{"status=open&service_code=consult", []string{"t1", "t6"}},
		{"service_request_id=" + fx.ids["t1"] + "," + fx.ids["t3"] + ",99999999&status=closed", []string{"t1", "t3"}},
		{"service_request_id=nonsense", nil},
		{"start_date=" + url.QueryEscape(stamp(24*time.Hour)), []string{"t6"}},
		{"end_date=" + url.QueryEscape(stamp(24*time.Hour)), []string{"t1", "t2", "t3", "t4", "t5"}},
		{"end_date=" + url.QueryEscape(stamp(24*time.Hour)) + "&service_code=complaint", []string{"t2"}},
		{"start_date=" + url.QueryEscape(stamp(-time.Hour)) + "&end_date=" + url.QueryEscape(stamp(time.Hour)), []string{"t1", "t2", "t3", "t4", "t5"}},
		{"end_date=" + url.QueryEscape(stamp(-time.Hour)), nil},
		// An unescaped "+" arrives as a space and is still read.
		{"start_date=" + stamp(24*time.Hour), []string{"t6"}},
		{"start_date=2026-12-01", []string{"t6"}},
	}
	for _, tc := range cases {
		r := fx.c.get("requests.json?" + tc.query)
		if r.Status != 200 {
			t.Errorf("%s: %d %s", tc.query, r.Status, r.Body)
			continue
		}
		s.check(t, "requests.json", r.Body)
		var list []map[string]any
		decode(t, r, &list)
		if got, want := idsOf(list), fx.want(tc.want...); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, want %v", tc.query, got, want)
		}
	}
	for _, q := range []struct{ query, want string }{
		{"status=pending", "pending"},
		{"service_code=praise", "praise"},
		{"start_date=yesterday", "start_date"},
		{"start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "90"},
		{"start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "end_date"},
	} {
		wantErrors(t, s, fx.c.get("requests.json?"+q.query), 400, q.want)
	}
}

// testKeyedReads: with a key, every demo role reads through Open311 exactly
// the tickets it reads through /api/v1, with their descriptions.
func testKeyedReads(t *testing.T, s schemas, fx *fixture) {
	all := []string{"t1", "t2", "t3", "t4", "t5", "t6"}
	for _, l := range demo.Logins {
		t.Run(l.Username, func(t *testing.T) {
			key := fx.tokens[l.Username]
			api := fx.env.API(key)
			ar := api.Do("GET", "/api/v1/tickets?limit=500", nil)
			or := fx.c.get("requests.json?api_key=" + url.QueryEscape(key))
			if ar.Status != http.StatusOK {
				wantErrors(t, s, or, http.StatusForbidden, "")
				if ar.Status != http.StatusForbidden {
					t.Errorf("API list %d", ar.Status)
				}
				return
			}
			s.check(t, "requests.json", or.Body)
			var list []map[string]any
			decode(t, or, &list)
			var apiIDs []string
			for _, it := range ar.Items() {
				apiIDs = append(apiIDs, strconv.FormatInt(int64(it["id"].(float64)), 10))
			}
			var got []string
			for _, it := range list {
				id := jsonText(it["service_request_id"])
				tk := fx.byID(t, id)
				got = append(got, id)
				if it["description"] != open311.DescriptionOf(tk.Content) {
					t.Errorf("%s keyed description %v, want the ticket's", id, it["description"])
				}
			}
			sort.Strings(got)
			sort.Strings(apiIDs)
			if strings.Join(got, ",") != strings.Join(apiIDs, ",") {
				t.Errorf("Open311 lists %v, the API %v", got, apiIDs)
			}
			if l.Role == access.Enterprise || l.Role == access.StreetStaff || l.Role == access.DistrictStaff {
				if len(got) == 0 || len(got) == len(all) {
					t.Errorf("%s sees %d of %d tickets: the scope is not applied", l.Username, len(got), len(all))
				}
			}
			for _, k := range all {
				id := fx.ids[k]
				ar := api.Do("GET", "/api/v1/tickets/"+id, nil)
				or := fx.c.get("requests/" + id + ".json?api_key=" + url.QueryEscape(key))
				switch ar.Status {
				case http.StatusOK:
					if or.Status != http.StatusOK {
						t.Errorf("%s: API reads it, Open311 answers %d", k, or.Status)
						continue
					}
					s.check(t, "requests.json", or.Body)
					var one []map[string]any
					decode(t, or, &one)
					if one[0]["description"] == nil {
						t.Errorf("%s: keyed read without the description", k)
					}
				case http.StatusForbidden:
					wantErrors(t, s, or, http.StatusForbidden, "")
				default:
					t.Errorf("%s: API %d", k, ar.Status)
				}
			}
		})
	}
}

func (fx *fixture) byID(t *testing.T, id string) ticket.Ticket {
	t.Helper()
	n, _ := strconv.ParseInt(id, 10, 64)
	tk, err := fx.env.App.Ticket.Get(context.Background(), apptest.System, n)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}
