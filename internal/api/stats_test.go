package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"testing"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
)

// The statistics of API.md "Service records and statistics": GET
// /api/v1/stats/platforms exactly as the contract has it, within the
// caller's scope, with zeros and nulls for a year without data; and Qifu's
// own routes (one platform's figures, districts, city, departments, the
// network against its targets, the rule for satisfied). Every answer is
// checked against openapi.json.

// statsFixture records services and closes a rated ticket at the street
// login's platform: two enterprises served, one rating with score 3.
func statsFixture(t *testing.T, c *client) {
	t.Helper()
	other := c.otherEnterprise(t)
	c.newRecord(t, "admin", recordBody(streetPlatform, "date", "2026-03-01"))
	c.newRecord(t, "admin", recordBody(streetPlatform, "date", "2026-05-01"))
	c.newRecord(t, "admin", recordBody(streetPlatform, "enterprise_uscc", other, "date", "2026-06-01"))
	c.newRecord(t, "admin", recordBody(districtPlatform, "date", "2025-12-31"))
	r := c.do("hotline", "POST", "/api/v1/tickets", map[string]any{"channel": "hotline", "enterprise_uscc": demo.DemoEnterprise,
		"category": "consult", "title": "咨询政策", "content": "咨询稳岗补贴", "region_code": demo.StreetCode("370202", 0)})
	if r.Status != http.StatusCreated {
		t.Fatalf("file ticket: %d %s", r.Status, r.Body)
	}
	id := idString(r.JSON)
	for _, step := range []struct {
		as   string
		body map[string]any
	}{{"street", map[string]any{"action": "sign"}}, {"street", map[string]any{"action": "reply", "note": "已答复"}},
		{"enterprise", map[string]any{"action": "rate", "satisfied": true, "score": 3}}} {
		if r := c.do(step.as, "POST", "/api/v1/tickets/"+id+"/actions", step.body); r.Status != http.StatusOK {
			t.Fatalf("%v: %d %s", step.body, r.Status, r.Body)
		}
	}
}

func itemCodes(items []map[string]any, key string) []string {
	var out []string
	for _, it := range items {
		out = append(out, it[key].(string))
	}
	sort.Strings(out)
	return out
}

func itemOf(items []map[string]any, key, code string) map[string]any {
	for _, it := range items {
		if it[key] == code {
			return it
		}
	}
	return nil
}

func TestPlatformStatsContract(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		statsFixture(t, c)

		all := c.do("admin", "GET", "/api/v1/stats/platforms?year=2026", nil)
		if all.Status != http.StatusOK {
			t.Fatalf("%d %s", all.Status, all.Body)
		}
		var top map[string]json.RawMessage
		_ = json.Unmarshal(all.Body, &top)
		if len(top) != 1 || top["items"] == nil {
			t.Errorf("the body is {\"items\": […]} and nothing else: %s", all.Body)
		}
		platforms := c.do("admin", "GET", "/api/v1/platforms?limit=200", nil).Items()
		if got, want := len(all.Items()), len(platforms); got != want {
			t.Errorf("the city admin sees %d platforms' figures, want every one of %d", got, want)
		}
		street := itemOf(all.Items(), "platform_code", streetPlatform)
		keys := make([]string, 0, len(street))
		for k := range street {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		want := []string{"area_m2", "compliant", "name", "on_time_rate", "platform_code", "rated_count", "satisfaction_rate",
			"smes_served", "target_smes", "tier"}
		if !slices.Equal(keys, want) {
			t.Errorf("item fields %v, want %v", keys, want)
		}
		if street["tier"] != "street" || street["smes_served"] != 2.0 || street["target_smes"] != 100.0 ||
			street["rated_count"] != 1.0 || street["satisfaction_rate"] != 1.0 || street["on_time_rate"] != 1.0 {
			t.Errorf("street platform: %v", street)
		}
		comp := street["compliant"].(map[string]any)
		if comp["smes_served"] != false || comp["satisfaction"] != true || comp["area"] != false {
			t.Errorf("the street platform (2 of 100 SMEs, satisfied, 80 m² of 100) is compliant %v", comp)
		}
		// The district's record of 31 December 2025 is 2025's.
		if d := itemOf(all.Items(), "platform_code", districtPlatform); d["smes_served"] != 0.0 || d["satisfaction_rate"] != nil {
			t.Errorf("district platform in 2026: %v", d)
		}
		if d := itemOf(c.do("admin", "GET", "/api/v1/stats/platforms?year=2025", nil).Items(), "platform_code", districtPlatform); d["smes_served"] != 1.0 {
			t.Errorf("district platform in 2025: %v", d)
		}
		// A year without data: zeros and nulls.
		for _, it := range c.do("admin", "GET", "/api/v1/stats/platforms?year=2019", nil).Items() {
			comp := it["compliant"].(map[string]any)
			if it["smes_served"] != 0.0 || it["rated_count"] != 0.0 || it["satisfaction_rate"] != nil || it["on_time_rate"] != nil ||
				comp["satisfaction"] != nil || comp["smes_served"] != false {
				t.Errorf("2019: %v", it)
			}
		}
		// Without a year: this year's (the fake clock is in 2026).
		if r := c.do("admin", "GET", "/api/v1/stats/platforms", nil); itemOf(r.Items(), "platform_code", streetPlatform)["smes_served"] != 2.0 {
			t.Errorf("no year given: %s", r.Body)
		}
		// Scope: a street sees itself, a district itself and its streets.
		if got := itemCodes(c.do("street", "GET", "/api/v1/stats/platforms?year=2026", nil).Items(), "platform_code"); !slices.Equal(got, []string{streetPlatform}) {
			t.Errorf("street login sees %v", got)
		}
		got := itemCodes(c.do("district", "GET", "/api/v1/stats/platforms?year=2026", nil).Items(), "platform_code")
		if len(got) != 4 || got[0] != districtPlatform {
			t.Errorf("district login sees %v", got)
		}
		for _, as := range []string{"department", "institution", "enterprise"} {
			if r := c.do(as, "GET", "/api/v1/stats/platforms?year=2026", nil); r.Status != http.StatusForbidden {
				t.Errorf("%s: %d", as, r.Status)
			}
		}
		// Filters narrow, never widen.
		if got := itemCodes(c.do("admin", "GET", "/api/v1/stats/platforms?year=2026&tier=street&region_code=370202", nil).Items(), "platform_code"); len(got) != 3 {
			t.Errorf("streets of 市南区: %v", got)
		}
		if got := c.do("district", "GET", "/api/v1/stats/platforms?region_code=370203", nil); got.Status != http.StatusOK || len(got.Items()) != 0 {
			t.Errorf("another district's region for the district login: %d %s", got.Status, got.Body)
		}
		if got := itemCodes(c.do("admin", "GET", "/api/v1/stats/platforms?parent_code="+districtPlatform, nil).Items(), "platform_code"); len(got) != 3 {
			t.Errorf("below 市南区's platform: %v", got)
		}
		c.run(t, []scenario{
			{name: "a year that is not a number", as: "admin", method: "GET", path: "/api/v1/stats/platforms?year=abc",
				status: http.StatusUnprocessableEntity, field: "year", code: "invalid_number"},
			{name: "a year out of range", as: "admin", method: "GET", path: "/api/v1/stats/platforms?year=1800",
				status: http.StatusUnprocessableEntity, field: "year", code: "out_of_range"},
			{name: "an unknown tier", as: "admin", method: "GET", path: "/api/v1/stats/platforms?tier=village",
				status: http.StatusUnprocessableEntity, field: "tier"},
			{name: "an unknown region", as: "admin", method: "GET", path: "/api/v1/stats/platforms?region_code=999999",
				status: http.StatusUnprocessableEntity, field: "region_code"},
		})
	})
}

func TestStatsRoutes(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		statsFixture(t, c)
		c.run(t, []scenario{
			{name: "a street platform's figures, months and volumes", as: "street", method: "GET",
				path: "/api/v1/stats/platforms/" + streetPlatform + "?year=2026", status: http.StatusOK,
				want: []string{`"subtree":null`, `"smes_served":2`, `{"key":"consultation","count":3}`, `{"key":"ticket","count":1}`},
				check: func(t *testing.T, r *apptest.Response) {
					own := r.JSON["own"].(map[string]any)
					months := own["months"].([]any)
					if len(months) != 12 {
						t.Fatalf("%d months", len(months))
					}
					// Served in March (one), June (another): 1 by March, 2 by June.
					for m, want := range map[int]float64{2: 1, 4: 1, 5: 2, 11: 2} {
						if got := months[m].(map[string]any)["smes_served"]; got != want {
							t.Errorf("month %d: %v SMEs served, want %v", m+1, got, want)
						}
					}
				}},
			{name: "a district platform's own and its tree's", as: "district", method: "GET",
				path: "/api/v1/stats/platforms/" + districtPlatform + "?year=2026", status: http.StatusOK,
				check: func(t *testing.T, r *apptest.Response) {
					own, sub := r.JSON["own"].(map[string]any), r.JSON["subtree"].(map[string]any)
					if own["smes_served"] != 0.0 || sub["smes_served"] != 2.0 || sub["records"] != 4.0 {
						t.Errorf("own %v, subtree %v", own["smes_served"], sub)
					}
				}},
			{name: "another district's platform is out of scope", as: "district", method: "GET",
				path: "/api/v1/stats/platforms/" + otherStreet, status: http.StatusForbidden},
			{name: "an unknown platform", as: "admin", method: "GET", path: "/api/v1/stats/platforms/NOPE", status: http.StatusNotFound},
			{name: "districts for the city", as: "admin", method: "GET", path: "/api/v1/stats/districts?year=2026", status: http.StatusOK,
				check: func(t *testing.T, r *apptest.Response) {
					if n := len(r.Items()); n != 10 {
						t.Errorf("%d districts", n)
					}
					var d map[string]any
					for _, it := range r.Items() {
						if it["platform"].(map[string]any)["code"] == districtPlatform {
							d = it
						}
					}
					if d["subtree"].(map[string]any)["smes_served"] != 2.0 {
						t.Errorf("市南区: %v", d)
					}
				}},
			{name: "a street sees no district's totals", as: "street", method: "GET", path: "/api/v1/stats/districts", status: http.StatusOK,
				want: []string{`{"items":[]}`}},
			{name: "the city's totals", as: "auditor", method: "GET", path: "/api/v1/stats/city?year=2026", status: http.StatusOK,
				want: []string{`"smes_served":2`, `"rated_count":1`, `"year":2026`}},
			{name: "the city's totals are not a district's", as: "district", method: "GET", path: "/api/v1/stats/city", status: http.StatusForbidden},
			{name: "departments for the city", as: "hotline", method: "GET", path: "/api/v1/stats/departments", status: http.StatusOK,
				check: func(t *testing.T, r *apptest.Response) {
					if n := len(r.Items()); n != 8 {
						t.Errorf("%d departments", n)
					}
				}},
			{name: "a department sees its own", as: "department", method: "GET", path: "/api/v1/stats/departments", status: http.StatusOK,
				check: func(t *testing.T, r *apptest.Response) {
					if n := len(r.Items()); n != 1 || r.Items()[0]["department"].(map[string]any)["code"] != "SCJGJ" {
						t.Errorf("%s", r.Body)
					}
				}},
			{name: "a department's figures", as: "department", method: "GET", path: "/api/v1/stats/departments/SCJGJ", status: http.StatusOK},
			{name: "not another department's", as: "department", method: "GET", path: "/api/v1/stats/departments/FGW", status: http.StatusForbidden},
			{name: "nor a street's", as: "street", method: "GET", path: "/api/v1/stats/departments", status: http.StatusForbidden},
		})
	})
}

func TestSatisfactionRuleAndNetworkTargets(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		statsFixture(t, c)
		rate := func() any {
			return itemOf(c.do("admin", "GET", "/api/v1/stats/platforms?year=2026", nil).Items(), "platform_code", streetPlatform)["satisfaction_rate"]
		}
		c.run(t, []scenario{
			{name: "the default rule", as: "street", method: "GET", path: "/api/v1/stats/settings", status: http.StatusOK,
				want: []string{`{"satisfied_min_score":3}`}},
			{name: "only the city sets it", as: "district", method: "PUT", path: "/api/v1/stats/settings",
				body: map[string]any{"satisfied_min_score": 4}, status: http.StatusForbidden},
			{name: "a score out of range", as: "admin", method: "PUT", path: "/api/v1/stats/settings",
				body: map[string]any{"satisfied_min_score": 6}, status: http.StatusUnprocessableEntity, field: "satisfied_min_score"},
			{name: "basically satisfied no longer counts", as: "admin", method: "PUT", path: "/api/v1/stats/settings",
				body: map[string]any{"satisfied_min_score": 4}, status: http.StatusOK},
		})
		if got := rate(); got != 0.0 {
			t.Errorf("a score of 3 under the rule 4 and up: satisfaction %v, want 0", got)
		}
		c.do("admin", "PUT", "/api/v1/stats/settings", map[string]any{"satisfied_min_score": 0})
		if got := rate(); got != 1.0 {
			t.Errorf("the satisfied answer deciding: satisfaction %v, want 1", got)
		}

		c.run(t, []scenario{
			{name: "no targets yet", as: "district", method: "GET", path: "/api/v1/stats/network-targets", status: http.StatusOK,
				want: []string{`{"items":[]}`}},
			{name: "set 2026's targets", as: "admin", method: "PUT", path: "/api/v1/stats/network-targets/2026",
				body: map[string]any{"demonstration_platforms": 2, "key_street_coverage": 0.6}, status: http.StatusOK,
				want: []string{`"year":2026`, `"demonstration_platforms":2`, `"key_street_coverage":0.6`, `"updated_by":"admin"`}},
			{name: "a coverage over 100 %", as: "admin", method: "PUT", path: "/api/v1/stats/network-targets/2027",
				body: map[string]any{"key_street_coverage": 60}, status: http.StatusUnprocessableEntity, field: "key_street_coverage"},
			{name: "a year that is not one", as: "admin", method: "PUT", path: "/api/v1/stats/network-targets/next",
				body: map[string]any{}, status: http.StatusNotFound},
			{name: "only the city sets targets", as: "auditor", method: "PUT", path: "/api/v1/stats/network-targets/2026",
				body: map[string]any{"demonstration_platforms": 1}, status: http.StatusForbidden},
			{name: "certify the financing platform", as: "admin", method: "PUT", path: "/api/v1/stats/demonstration-platforms/S-FIN",
				body: map[string]any{"certified_on": "2025-06-01", "note": "青经信〔2025〕12号"}, status: http.StatusOK,
				want: []string{`"name":"青岛市中小企业融资服务平台"`, `"revoked_on":""`}},
			{name: "one certified and revoked", as: "admin", method: "PUT", path: "/api/v1/stats/demonstration-platforms/S-LAW",
				body: map[string]any{"certified_on": "2024-06-01", "revoked_on": "2025-06-01"}, status: http.StatusOK},
			{name: "a street platform is not a specialised one", as: "admin", method: "PUT",
				path: "/api/v1/stats/demonstration-platforms/" + streetPlatform, body: map[string]any{"certified_on": "2025-06-01"},
				status: http.StatusUnprocessableEntity, field: "platform_code", code: "not_specialised"},
			{name: "a certification in the future", as: "admin", method: "PUT", path: "/api/v1/stats/demonstration-platforms/S-TEST",
				body: map[string]any{"certified_on": "2027-01-01"}, status: http.StatusUnprocessableEntity, field: "certified_on"},
			{name: "revoked before certified", as: "admin", method: "PUT", path: "/api/v1/stats/demonstration-platforms/S-TEST",
				body: map[string]any{"certified_on": "2025-01-01", "revoked_on": "2024-01-01"}, status: http.StatusUnprocessableEntity, field: "revoked_on"},
			{name: "an unknown platform", as: "admin", method: "PUT", path: "/api/v1/stats/demonstration-platforms/NOPE",
				body: map[string]any{"certified_on": "2025-01-01"}, status: http.StatusNotFound},
			{name: "the list", as: "street", method: "GET", path: "/api/v1/stats/demonstration-platforms", status: http.StatusOK,
				check: func(t *testing.T, r *apptest.Response) {
					if got := itemCodes(r.Items(), "platform_code"); !slices.Equal(got, []string{"S-FIN", "S-LAW"}) {
						t.Errorf("%v", got)
					}
				}},
			// The demo marks two streets in three as key streets (40) and
			// has platforms in the first three of each district's six:
			// 20 key streets covered.
			{name: "the city against its targets", as: "admin", method: "GET", path: "/api/v1/stats/network?year=2026", status: http.StatusOK,
				want: []string{`"demonstration_platforms":1`, `"key_streets":40`, `"key_streets_covered":20`, `"key_street_coverage":0.5`,
					`"met":{"demonstration_platforms":false,"key_street_coverage":false}`, `"region_code":"370200"`}},
			{name: "2024: the revoked one still held", as: "admin", method: "GET", path: "/api/v1/stats/network?year=2024", status: http.StatusOK,
				want: []string{`"demonstration_platforms":1`, `"met":{"demonstration_platforms":null,"key_street_coverage":null}`}},
			{name: "a district's own key streets", as: "district", method: "GET", path: "/api/v1/stats/network?year=2026", status: http.StatusOK,
				want: []string{`"region_code":"370202"`, `"key_streets":4`, `"key_streets_covered":2`, `"demonstration_platforms":0`}},
			{name: "nothing for an enterprise", as: "enterprise", method: "GET", path: "/api/v1/stats/network", status: http.StatusForbidden},
		})
	})
}
