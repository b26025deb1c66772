package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
)

// The Enterprises section of API.md: the public credit code check and size
// classification, registering, listing and searching enterprises, reading
// and editing one, and revealing its contact.

// entBody is a POST /api/v1/enterprises body with plausible defaults (all
// three size figures, a mobile contact); kv overrides fields, a nil value
// removes one.
func entBody(code, name, industry, region string, kv ...any) map[string]any {
	b := map[string]any{"uscc": code, "name": name, "industry": industry, "region_code": region,
		"employees": 12, "revenue_wan": 150, "assets_wan": 300,
		"address": "青岛市市南区香港中路8号", "contact_name": "张伟", "contact_phone": "13800138000"}
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

// created is a scenario registering an enterprise as admin.
func created(name string, body map[string]any) scenario {
	return scenario{name: name, as: "admin", method: "POST", path: "/api/v1/enterprises", body: body, status: 201,
		want: []string{`"uscc":"` + strings.ToUpper(body["uscc"].(string)) + `"`}}
}

func usccs(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it["uscc"].(string)
	}
	return out
}

// wantUSCCs checks the credit codes of a list body, in order.
func wantUSCCs(want ...string) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		if got := usccs(r.Items()); !slices.Equal(got, want) {
			t.Errorf("codes %v, want %v", got, want)
		}
	}
}

// wantMatches checks the "match" rank of every item, in order.
func wantMatches(want ...int) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		var got []int
		for _, it := range r.Items() {
			m, _ := it["match"].(float64)
			got = append(got, int(m))
		}
		if !slices.Equal(got, want) {
			t.Errorf("match ranks %v, want %v", got, want)
		}
	}
}

// everyItem checks a non-empty list whose every item satisfies ok.
func everyItem(what string, ok func(it map[string]any) bool) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		items := r.Items()
		if len(items) == 0 {
			t.Fatalf("no items; want items that %s", what)
		}
		for _, it := range items {
			if !ok(it) {
				t.Errorf("item %v %v does not %s", it["uscc"], it["name"], what)
			}
		}
	}
}

func checks(fns ...func(t *testing.T, r *apptest.Response)) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		for _, fn := range fns {
			fn(t, r)
		}
	}
}

func str(it map[string]any, k string) string { s, _ := it[k].(string); return s }

// reason checks the "reason" of a credit code check contains every
// fragment, and is in Chinese (or in English when en is set).
func reason(en bool, fragments ...string) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		s := str(r.JSON, "reason")
		if s == "" || catalogKeyRe.MatchString(s) {
			t.Fatalf("reason %q is not readable text", s)
		}
		if hasHan(s) == en {
			t.Errorf("reason %q is not in the expected language (English: %v)", s, en)
		}
		for _, f := range fragments {
			if !strings.Contains(s, f) {
				t.Errorf("reason %q does not mention %q", s, f)
			}
		}
	}
}

// messageHas checks the error message mentions every fragment.
func messageHas(fragments ...string) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		for _, f := range fragments {
			if m := message(r); !strings.Contains(m, f) {
				t.Errorf("message %q does not mention %q", m, f)
			}
		}
	}
}

// walkEnterprises follows next_cursor from the first page to the last and
// returns every item in order.
func (c *client) walkEnterprises(t *testing.T, as, path string, limit int) []map[string]any {
	t.Helper()
	var seen []map[string]any
	cursor := ""
	for page := 0; ; page++ {
		if page > 300 {
			t.Fatalf("%s: more than 300 pages", path)
		}
		q := url.Values{"limit": {fmt.Sprint(limit)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		r := c.do(as, "GET", path+sep+q.Encode(), nil)
		if r.Status != 200 {
			t.Fatalf("%s page %d: %d %s", path, page, r.Status, r.Body)
		}
		items := r.Items()
		if len(items) > limit {
			t.Fatalf("page of %d items with limit %d", len(items), limit)
		}
		seen = append(seen, items...)
		next, present := r.JSON["next_cursor"]
		if !present {
			t.Fatalf("next_cursor missing: %s", r.Body)
		}
		if next == nil {
			return seen
		}
		s, ok := next.(string)
		if !ok || s == "" {
			t.Fatalf("next_cursor %v is neither a string nor null", next)
		}
		cursor = s
	}
}

// onePage lists with the largest page and fails unless everything fit.
func (c *client) onePage(t *testing.T, as, path string) []map[string]any {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	r := c.do(as, "GET", path+sep+"limit=500", nil)
	if r.Status != 200 {
		t.Fatalf("%s: %d %s", path, r.Status, r.Body)
	}
	if r.JSON["next_cursor"] != nil {
		t.Fatalf("%s: more than one page of 500", path)
	}
	return r.Items()
}

// eachOnce fails when a credit code repeats.
func eachOnce(t *testing.T, items []map[string]any) {
	t.Helper()
	seen := map[string]bool{}
	for _, code := range usccs(items) {
		if seen[code] {
			t.Errorf("%s listed twice", code)
		}
		seen[code] = true
	}
}

// ---- GET /api/v1/uscc/{code} ----

func TestUSCCEndpoint(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		c := newClient(env)
		const (
			published  = "914403001922038216" // printed on a business licence
			published2 = "91350100M000100Y43" // a letter in the organisation code
			// Valid by GB 32100, but positions 9–17 fail GB 11714's own
			// check (common for sole proprietors).
			innerBad = "91370202MA3C8Q1D12"
		)
		en := []string{"Accept-Language", "en"}
		forbidden := func(letter string, pos int) scenario {
			code := published[:pos-1] + letter + published[pos:]
			return scenario{name: "forbidden letter " + letter, method: "GET", path: "/api/v1/uscc/" + code, status: 200,
				want:  []string{`"valid":false`, fmt.Sprintf(`"position":%d`, pos)},
				check: reason(false, fmt.Sprint(pos), letter)}
		}
		c.run(t, []scenario{
			{name: "published code", method: "GET", path: "/api/v1/uscc/" + published, status: 200,
				want: []string{`"valid":true`, `"code":"` + published + `"`}, notWant: []string{`"warning"`}, check: reason(false)},
			{name: "published code with a letter", method: "GET", path: "/api/v1/uscc/" + published2, status: 200,
				want: []string{`"valid":true`}, notWant: []string{`"warning"`}},
			{name: "lower case is normalised", method: "GET", path: "/api/v1/uscc/91350100m000100y43", status: 200,
				want: []string{`"valid":true`, `"code":"` + published2 + `"`}},
			{name: "surrounding spaces are normalised", method: "GET", path: "/api/v1/uscc/%20" + published + "%20%20", status: 200,
				want: []string{`"valid":true`, `"code":"` + published + `"`}},
			{name: "17 characters", method: "GET", path: "/api/v1/uscc/" + published[:17], status: 200,
				want: []string{`"valid":false`}, check: reason(false, "18")},
			{name: "19 characters", method: "GET", path: "/api/v1/uscc/" + published + "1", status: 200,
				want: []string{`"valid":false`}, check: reason(false, "18")},
			{name: "wrong length in English", method: "GET", path: "/api/v1/uscc/9144", headers: en, status: 200,
				want: []string{`"valid":false`}, check: reason(true, "18")},
			forbidden("I", 10),
			forbidden("O", 11),
			forbidden("S", 12),
			forbidden("V", 13),
			forbidden("Z", 17),
			{name: "forbidden letter in lower case", method: "GET", path: "/api/v1/uscc/914403001922038z16", status: 200,
				want: []string{`"valid":false`, `"position":16`}, check: reason(false, "16", "Z")},
			{name: "forbidden letter in English", method: "GET", path: "/api/v1/uscc/914403001O22038216", headers: en, status: 200,
				want: []string{`"valid":false`, `"position":10`}, check: reason(true, "10", `"O"`)},
			{name: "letter at position 3", method: "GET", path: "/api/v1/uscc/91A403001922038216", status: 200,
				want: []string{`"valid":false`, `"position":3`}, check: reason(false, "3", "A")},
			{name: "letter at position 8", method: "GET", path: "/api/v1/uscc/9144030B1922038216", status: 200,
				want: []string{`"valid":false`, `"position":8`}, check: reason(false, "8", "B")},
			{name: "letter among the division digits in English", method: "GET", path: "/api/v1/uscc/9144M3001922038216", headers: en,
				status: 200, want: []string{`"valid":false`, `"position":5`}, check: reason(true, "5", `"M"`)},
			{name: "wrong check character", method: "GET", path: "/api/v1/uscc/914403001922038217", status: 200,
				want: []string{`"valid":false`, `"expected":"6"`, `"position":18`}, check: reason(false, "「6」", "「7」")},
			{name: "wrong check character in English", method: "GET", path: "/api/v1/uscc/91350100M000100Y4A", headers: en, status: 200,
				want: []string{`"valid":false`, `"expected":"3"`}, check: reason(true, `"3"`, `"A"`)},
			{name: "inner check fails: valid with a warning", method: "GET", path: "/api/v1/uscc/" + innerBad, status: 200,
				want: []string{`"valid":true`, `"warning":"`}, check: reason(false)},
			{name: "the warning in English", method: "GET", path: "/api/v1/uscc/" + innerBad, headers: en, status: 200,
				want: []string{`"valid":true`, `"warning":"`},
				check: func(t *testing.T, r *apptest.Response) {
					if w := str(r.JSON, "warning"); hasHan(w) || !strings.Contains(w, "GB 11714") {
						t.Errorf("warning %q is not the English GB 11714 notice", w)
					}
				}},
		})
	})
}

// ---- GET /api/v1/sme-size ----

func TestSMESize(t *testing.T) {
	type tc struct {
		industry                   string
		employees, revenue, assets string
		size                       string
	}
	// Floors of the 2011 standard (工信部联企业〔2011〕300号): a case at each
	// floor and one just below.
	cases := []tc{
		{"industry", "300", "2000", "", "medium"},
		{"industry", "300", "1999.99", "", "small"},
		{"industry", "299", "2000", "", "small"},
		{"industry", "1000", "40000", "", "large"},
		{"industry", "1000", "39999.99", "", "medium"},
		{"industry", "999", "40000", "", "medium"},
		{"industry", "20", "300", "", "small"},
		{"industry", "19", "300", "", "micro"},
		{"industry", "20", "299.99", "", "micro"},
		{"agriculture", "", "20000", "", "large"},
		{"agriculture", "", "19999.99", "", "medium"},
		{"agriculture", "", "500", "", "medium"},
		{"agriculture", "", "499.99", "", "small"},
		{"agriculture", "", "50", "", "small"},
		{"agriculture", "", "49.99", "", "micro"},
		{"agriculture", "5000", "600", "1", "medium"}, // revenue only: employees and assets do not count
		{"other", "300", "", "", "large"},
		{"other", "299", "", "", "medium"},
		{"other", "100", "", "", "medium"},
		{"other", "99", "", "", "small"},
		{"other", "10", "", "", "small"},
		{"other", "9", "99999", "99999", "micro"}, // employees only
		{"construction", "", "80000", "80000", "large"},
		{"construction", "", "80000", "79999", "medium"},
		{"construction", "", "6000", "5000", "medium"},
		{"construction", "", "6000", "4999.99", "small"},
		{"construction", "", "5999.99", "5000", "small"},
		{"construction", "", "300", "300", "small"},
		{"construction", "5000", "300", "299", "micro"},
		{"real_estate_dev", "", "200000", "10000", "large"},
		{"real_estate_dev", "", "199999", "10000", "medium"},
		{"real_estate_dev", "", "1000", "5000", "medium"},
		{"real_estate_dev", "", "1000", "4999.99", "small"},
		{"real_estate_dev", "", "100", "2000", "small"},
		{"real_estate_dev", "", "99.99", "2000", "micro"},
		{"real_estate_dev", "", "100", "1999", "micro"},
		{"leasing_business", "300", "", "120000", "large"},
		{"leasing_business", "300", "", "119999", "medium"},
		{"leasing_business", "100", "", "8000", "medium"},
		{"leasing_business", "99", "", "8000", "small"},
		{"leasing_business", "100", "999999", "7999.99", "small"}, // revenue does not count
		{"leasing_business", "10", "", "100", "small"},
		{"leasing_business", "9", "", "100", "micro"},
		{"retail", "50", "500", "", "medium"},
		{"retail", "49", "500", "", "small"},
		{"retail", "300", "20000", "", "large"},
		{"retail", "300", "19999", "", "medium"},
		{"wholesale", "20", "5000", "", "medium"},
		{"wholesale", "20", "4999", "", "small"},
		{"wholesale", "5", "1000", "", "small"},
		{"wholesale", "4", "1000", "", "micro"},
		{"wholesale", "200", "40000", "", "large"},
		{"transport", "300", "3000", "", "medium"},
		{"transport", "300", "2999", "", "small"},
		{"warehousing", "100", "1000", "", "medium"},
		{"warehousing", "20", "99", "", "micro"},
		{"postal", "300", "2000", "", "medium"},
		{"postal", "20", "100", "", "small"},
		{"accommodation", "100", "2000", "", "medium"},
		{"accommodation", "300", "10000", "", "large"},
		{"catering", "10", "100", "", "small"},
		{"catering", "9", "100", "", "micro"},
		{"information_transmission", "2000", "100000", "", "large"},
		{"information_transmission", "1999", "100000", "", "medium"},
		{"software_it", "100", "1000", "", "medium"},
		{"software_it", "10", "50", "", "small"},
		{"software_it", "10", "49.99", "", "micro"},
		{"property_management", "100", "500", "", "small"},
		{"property_management", "99", "500", "", "micro"},
		{"property_management", "1000", "5000", "", "large"},
	}
	path := func(industry, employees, revenue, assets string) string {
		q := url.Values{}
		for k, v := range map[string]string{"industry": industry, "employees": employees, "revenue_wan": revenue, "assets_wan": assets} {
			if v != "" {
				q.Set(k, v)
			}
		}
		return "/api/v1/sme-size?" + q.Encode()
	}
	var scenarios []scenario
	for _, k := range cases {
		scenarios = append(scenarios, scenario{
			name:   fmt.Sprintf("%s e=%s r=%s a=%s", k.industry, k.employees, k.revenue, k.assets),
			method: "GET", path: path(k.industry, k.employees, k.revenue, k.assets), status: 200,
			want: []string{`"size":"` + k.size + `"`, `"standard":"2011-300"`}})
	}
	needs := func(name, industry, employees, revenue, assets, field string) scenario {
		return scenario{name: name, method: "GET", path: path(industry, employees, revenue, assets),
			status: 422, field: field}
	}
	scenarios = append(scenarios,
		needs("retail without revenue", "retail", "60", "", "", "revenue_wan"),
		needs("retail without employees", "retail", "", "600", "", "employees"),
		needs("industry with assets only", "industry", "", "", "5000", "employees"),
		needs("agriculture with employees only", "agriculture", "30", "", "", "revenue_wan"),
		needs("construction without assets", "construction", "", "6000", "", "assets_wan"),
		needs("real estate without revenue", "real_estate_dev", "", "", "5000", "revenue_wan"),
		needs("leasing without assets", "leasing_business", "100", "9000", "", "assets_wan"),
		needs("other without employees", "other", "", "9000", "9000", "employees"),
		needs("unknown industry", "mining", "100", "100", "100", "industry"),
		needs("no industry", "", "100", "100", "100", "industry"),
		needs("employees not a number", "other", "many", "", "", "employees"),
		needs("revenue with a thousands separator", "retail", "60", "1,000", "", "revenue_wan"),
		needs("assets not a number", "construction", "", "6000", "5千", "assets_wan"),
		needs("employees NaN", "other", "NaN", "", "", "employees"),
		needs("assets infinite", "construction", "", "6000", "Inf", "assets_wan"),
		needs("negative employees", "other", "-1", "", "", "employees"),
		needs("negative revenue", "agriculture", "", "-0.01", "", "revenue_wan"),
		scenario{name: "the missing figure is named in Chinese", method: "GET", path: path("retail", "60", "", ""),
			status: 422, code: "required", field: "revenue_wan", check: messageHas("零售业", "营业收入")},
		scenario{name: "the missing figure is named in English", method: "GET", path: path("retail", "60", "", ""),
			headers: []string{"Accept-Language", "en"}, status: 422, field: "revenue_wan", check: messageHas("Retail", "Revenue")},
		scenario{name: "the unknown industry's code", method: "GET", path: path("mining", "1", "", ""),
			status: 422, code: "unknown_industry", field: "industry"},
		scenario{name: "the comparisons that decided it", method: "GET", path: path("industry", "300", "1999.99", ""), status: 200,
			want: []string{`"size":"small"`, `"class":"medium","measure":"revenue","floor":2000,"value":1999.99,"met":false`,
				`"class":"small","measure":"employees","floor":20,"value":300,"met":true`}},
		scenario{name: "a token is neither needed nor checked", method: "GET", path: path("other", "5", "", ""),
			headers: []string{"Authorization", "Bearer qf_no-such-token"}, status: 200, want: []string{`"size":"micro"`}},
	)
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		newClient(env).run(t, scenarios)
	})
}

// ---- POST /api/v1/enterprises ----

func TestEnterpriseCreate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		const (
			medium   = "91370202MA7QK1A172"
			own      = "91370202MA7QK1A25W" // registers itself
			byStreet = "91370202MA7QK1A33P"
			byDist   = "91370202MA7QK1A41J"
			byHot    = "91370202MA7QK1A5XA"
			bySpec   = "91370202MA7QK1A68A"
			other    = "91370202MA7QK1A765"
			idem     = "91370202MA7QK1A840"
			bad      = "91370202MA7QK1A84X" // check character should be 0
		)
		env.CreateUser("acme", "Qingdao-Soft-2026!", access.Enterprise, own)
		c := newClient(env)
		street1, street2 := demo.StreetCode("370202", 0), demo.StreetCode("370202", 1)
		full := entBody(medium, "青岛海纳精密机械有限公司", "industry", street1, "employees", 300, "revenue_wan", 2000, "assets_wan", 1500)
		hasID := func(t *testing.T, r *apptest.Response) {
			if id, ok := r.JSON["id"].(float64); !ok || id <= 0 {
				t.Errorf("id %v, want a positive number", r.JSON["id"])
			}
		}
		nothing := func(code string) scenario {
			return scenario{name: "nothing registered under " + code, as: "admin", method: "GET",
				path: "/api/v1/enterprises/" + code, status: 404, code: "not_found"}
		}
		post := func(name, as string, body map[string]any, status int, code, field string) scenario {
			return scenario{name: name, as: as, method: "POST", path: "/api/v1/enterprises", body: body, status: status, code: code, field: field}
		}
		c.run(t, []scenario{
			{name: "the API.md body", as: "admin", method: "POST", path: "/api/v1/enterprises", body: full, status: 201,
				want: []string{`"uscc":"` + medium + `"`, `"size":"medium"`, `"size_standard":"2011-300"`, `"contact_phone":"138****8000"`,
					`"name":"青岛海纳精密机械有限公司"`, `"region_code":"` + street1 + `"`},
				notWant: []string{"13800138000"}, check: checks(hasID, wantRFC3339("created_at", "updated_at"))},
			{name: "it can be read back", as: "admin", method: "GET", path: "/api/v1/enterprises/" + medium, status: 200,
				want: []string{`"size":"medium"`, `"employees":300`, `"revenue_wan":2000`, `"contact_phone":"138****8000"`}},
			{name: "other industry with employees only", as: "admin", method: "POST", path: "/api/v1/enterprises",
				body:   entBody(other, "青岛琴岛文化传媒有限公司", "other", street1, "employees", 15, "revenue_wan", nil, "assets_wan", nil),
				status: 201, want: []string{`"size":"small"`, `"revenue_wan":null`, `"assets_wan":null`}, check: hasID},

			post("industry without revenue", "admin", entBody(idem, "青岛某某制造有限公司", "industry", street1, "revenue_wan", nil), 422, "required", "revenue_wan"),
			post("construction without assets", "admin", entBody(idem, "青岛某某建设有限公司", "construction", street1, "assets_wan", nil), 422, "required", "assets_wan"),
			{name: "bad check character", as: "admin", method: "POST", path: "/api/v1/enterprises",
				body: entBody(bad, "青岛某某有限公司", "other", street1), status: 422, code: "invalid_uscc", field: "uscc",
				check: messageHas("「0」", "「X」")},
			{name: "bad length, in English", as: "admin", method: "POST", path: "/api/v1/enterprises", headers: []string{"Accept-Language", "en"},
				body: entBody("91370202MA7QK1A8", "青岛某某有限公司", "other", street1), status: 422, code: "invalid_uscc", field: "uscc",
				check: messageHas("18")},
			post("forbidden letter", "admin", entBody("91370202MA7QKIA840", "青岛某某有限公司", "other", street1), 422, "invalid_uscc", "uscc"),
			post("no code", "admin", entBody("", "青岛某某有限公司", "other", street1), 422, "", "uscc"),
			post("duplicate", "admin", full, 409, "duplicate_uscc", ""),
			post("duplicate in lower case", "admin", entBody(strings.ToLower(medium), "别的名字有限公司", "other", street2), 409, "duplicate_uscc", ""),
			post("duplicate of a demo enterprise", "hotline", entBody(demo.DemoEnterprise, "别的名字有限公司", "other", street2), 409, "duplicate_uscc", ""),
			post("unknown region", "admin", entBody(idem, "青岛某某有限公司", "other", "370202999"), 422, "", "region_code"),
			post("no region", "admin", entBody(idem, "青岛某某有限公司", "other", ""), 422, "", "region_code"),
			post("employees above ten million", "admin", entBody(idem, "青岛某某有限公司", "other", street1, "employees", 10_000_001), 422, "", "employees"),
			post("negative employees", "admin", entBody(idem, "青岛某某有限公司", "other", street1, "employees", -1), 422, "", "employees"),
			post("negative revenue", "admin", entBody(idem, "青岛某某有限公司", "retail", street1, "revenue_wan", -5), 422, "", "revenue_wan"),
			post("negative assets", "admin", entBody(idem, "青岛某某有限公司", "construction", street1, "assets_wan", -0.5), 422, "", "assets_wan"),
			post("revenue as a string", "admin", entBody(idem, "青岛某某有限公司", "retail", street1, "revenue_wan", "2000"), 422, "invalid_type", "revenue_wan"),
			post("employees as a fraction", "admin", entBody(idem, "青岛某某有限公司", "other", street1, "employees", 12.5), 422, "invalid_type", "employees"),
			post("unknown industry", "admin", entBody(idem, "青岛某某有限公司", "mining", street1), 422, "unknown_industry", "industry"),
			post("no industry", "admin", entBody(idem, "青岛某某有限公司", "", street1), 422, "", "industry"),
			post("no name", "admin", entBody(idem, "", "other", street1), 422, "", "name"),
			post("blank name", "admin", entBody(idem, "   ", "other", street1), 422, "", "name"),
			post("name too long", "admin", entBody(idem, strings.Repeat("长", 101), "other", street1), 422, "", "name"),
			post("bad telephone", "admin", entBody(idem, "青岛某某有限公司", "other", street1, "contact_phone", "call me"), 422, "", "contact_phone"),
			{name: "broken JSON", as: "admin", method: "POST", path: "/api/v1/enterprises", body: `{"uscc":"` + idem + `",`,
				status: 400, code: "malformed_json"},
			nothing(idem),
			{name: "exactly ten million employees", as: "admin", method: "POST", path: "/api/v1/enterprises",
				body: entBody(idem, "青岛万人集团有限公司", "other", street1, "employees", 10_000_000), status: 201,
				headers: []string{"Idempotency-Key", "ent-1"}, want: []string{`"size":"large"`}},
			{name: "the same key and body replay the answer", as: "admin", method: "POST", path: "/api/v1/enterprises",
				body: entBody(idem, "青岛万人集团有限公司", "other", street1, "employees", 10_000_000), status: 201,
				headers: []string{"Idempotency-Key", "ent-1"}, want: []string{`"uscc":"` + idem + `"`, `"size":"large"`}},

			// Who may register.
			post("street staff outside their street", "street", entBody(byStreet, "青岛某某有限公司", "other", street2), 403, "forbidden", ""),
			post("street staff in another district", "street", entBody(byStreet, "青岛某某有限公司", "other", "370203001"), 403, "forbidden", ""),
			created("street staff in their street", entBody(byStreet, "青岛八大关咖啡有限公司", "catering", street1)),
			post("district staff in another district", "district", entBody(byDist, "青岛某某有限公司", "other", "370203001"), 403, "forbidden", ""),
			{name: "district staff in a street of theirs", as: "district", method: "POST", path: "/api/v1/enterprises",
				body: entBody(byDist, "青岛湛山建材有限公司", "wholesale", demo.StreetCode("370202", 2)), status: 201,
				want: []string{`"size":"micro"`, `"contact_phone":"138****8000"`}},
			{name: "hotline anywhere", as: "hotline", method: "POST", path: "/api/v1/enterprises",
				body: entBody(byHot, "莱西市院上镇果蔬种植专业合作社", "agriculture", "370285006", "revenue_wan", 60), status: 201,
				want: []string{`"size":"small"`}},
			{name: "a city-wide specialised platform anywhere in the city", as: "specialised", method: "POST", path: "/api/v1/enterprises",
				body: entBody(bySpec, "青岛黄岛供应链管理有限公司", "wholesale", "370211001"), status: 201},
			post("an enterprise registers another", "enterprise", entBody("91370211MA7QK3C23H", "青岛某某有限公司", "other", street1), 403, "forbidden", ""),
			post("department staff", "department", entBody("91370202MA7QK1A92T", "青岛某某有限公司", "other", street1), 403, "forbidden", ""),
			post("auditor", "auditor", entBody("91370202MA7QK1A92T", "青岛某某有限公司", "other", street1), 403, "forbidden", ""),
			post("institution staff", "institution", entBody("91370202MA7QK1A92T", "青岛某某有限公司", "other", street1), 403, "forbidden", ""),
			nothing("91370202MA7QK1A92T"),
			{name: "an enterprise registers itself and sees its own number", as: "acme", method: "POST", path: "/api/v1/enterprises",
				body: entBody(strings.ToLower(own), "青岛阿克米软件有限公司", "software_it", street2, "employees", 10, "revenue_wan", 50), status: 201,
				want: []string{`"uscc":"` + own + `"`, `"size":"small"`, `"contact_phone":"13800138000"`}},
			{name: "others see it masked", as: "hotline", method: "GET", path: "/api/v1/enterprises/" + own, status: 200,
				want: []string{`"contact_phone":"138****8000"`}},
			{name: "a landline keeps its area code", as: "admin", method: "POST", path: "/api/v1/enterprises",
				body: entBody("91370202MA7QK1A92T", "青岛固话测试有限公司", "other", street1, "contact_phone", "0532-88886666"), status: 201,
				want: []string{`"contact_phone":"0532-****6666"`}, notWant: []string{"88886666"}},
		})
	})
}

// ---- GET /api/v1/enterprises: search ----

// The search set: names, contacts and codes chosen so that each query below
// matches at known ranks. Nothing in the demo network contains 琴, starts
// its code with 92, or has an 8-digit telephone number, so the demo's 3,001
// enterprises are present but never match.
const (
	sLogistics = "91370211MA7QK3C23H" // contact telephone 92370202
	sSeafood   = "91370202MA7QK1A41J" // 青岛琴岛湾…: name contains 琴岛
	sGuarantee = "91370202MA7QK1A5XA" // 琴岛融资…: name starts with 琴岛
	sSoftware  = "91370202MA7QK1A68A" // contact 王琴岛
	sHotel     = "91370202MA7QK1A765" // 琴岛之家…: name starts with 琴岛
	sGroup     = "91370203MA7QK3C154" // 山东琴岛（集团）…: name and contact contain 琴岛
	sCanteen   = "92370202MA7QK2B16Q" // a sole proprietor of 市南区
	sShop      = "92370202MA7QK2B24K" // a sole proprietor of 市南区, name contains 琴岛
	sGarage    = "92370203MA7QK2B32W" // a sole proprietor of 市北区
)

func searchSet() []scenario {
	return []scenario{
		created("logistics", entBody(sLogistics, "青岛港湾物流有限公司", "transport", "370211001", "contact_phone", "92370202")),
		created("seafood", entBody(sSeafood, "青岛琴岛湾海鲜楼有限公司", "catering", "370202001")),
		created("guarantee", entBody(sGuarantee, "琴岛融资担保有限公司", "leasing_business", "370202002")),
		created("software", entBody(sSoftware, "青岛蓝海信息技术有限公司", "software_it", "370202003", "contact_name", "王琴岛")),
		created("hotel", entBody(sHotel, "琴岛之家（青岛）酒店管理有限公司", "accommodation", "370202001")),
		created("group", entBody(sGroup, "山东琴岛（集团）股份有限公司", "industry", "370203001", "contact_name", "李琴岛")),
		created("canteen", entBody(sCanteen, "市南区老王家常菜馆", "catering", "370202003")),
		created("shop", entBody(sShop, "市南区琴岛便利店", "retail", "370202001")),
		created("garage", entBody(sGarage, "市北区小李修车铺", "other", "370203002")),
	}
}

func search(q string, extra ...string) string {
	v := url.Values{"q": {q}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/api/v1/enterprises?" + v.Encode()
}

// The same enterprises give the same ordered results on both engines: the
// expected lists are literals, and the test runs on SQLite and PostgreSQL.
func TestEnterpriseSearchSameOnBothEngines(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		c.run(t, searchSet())
		found := func(name, q string, codes []string, ranks []int, extra ...string) scenario {
			return scenario{name: name, as: "admin", method: "GET", path: search(q, extra...), status: 200,
				want: []string{`"next_cursor":null`}, check: checks(wantUSCCs(codes...), wantMatches(ranks...))}
		}
		c.run(t, []scenario{
			found("two Chinese characters: name prefix, name contains, contact", "琴岛",
				[]string{sGuarantee, sHotel, sSeafood, sGroup, sShop, sSoftware}, []int{3, 3, 4, 4, 4, 5}),
			found("a code prefix before a telephone number", "92370202",
				[]string{sCanteen, sShop, sLogistics}, []int{2, 2, 5}),
			found("a shorter code prefix", "923702", []string{sCanteen, sShop, sGarage}, []int{2, 2, 2}),
			found("the exact code, in lower case", strings.ToLower(sHotel), []string{sHotel}, []int{1}),
			found("the exact code with spaces", " "+sGroup[:6]+" "+sGroup[6:]+" ", []string{sGroup}, []int{1}),
			found("four characters", "琴岛融资", []string{sGuarantee}, []int{3}),
			found("a phrase inside the name", "岛湾海鲜", []string{sSeafood}, []int{4}),
			found("punctuation is ignored", "琴岛（集团）", []string{sGroup}, []int{4}),
			found("a contact's full name", "王琴岛", []string{sSoftware}, []int{5}),
			found("with a district filter", "琴岛", []string{sGuarantee, sHotel, sSeafood, sShop, sSoftware}, []int{3, 3, 4, 4, 5},
				"region_code", "370202"),
			found("with a street filter", "琴岛", []string{sHotel, sSeafood, sShop}, []int{3, 4, 4}, "region_code", "370202001"),
			found("with an industry filter", "琴岛", []string{sSeafood}, []int{4}, "industry", "catering"),
			found("nothing matches", "琴海", nil, nil),
		})
		t.Run("pages of two", func(t *testing.T) {
			got := c.walkEnterprises(t, "admin", search("琴岛"), 2)
			want := []string{sGuarantee, sHotel, sSeafood, sGroup, sShop, sSoftware}
			if codes := usccs(got); !slices.Equal(codes, want) {
				t.Errorf("walked %v, want %v", codes, want)
			}
		})
		t.Run("pages of one", func(t *testing.T) {
			got := c.walkEnterprises(t, "admin", search("92370202"), 1)
			if codes := usccs(got); !slices.Equal(codes, []string{sCanteen, sShop, sLogistics}) {
				t.Errorf("walked %v", codes)
			}
		})
	})
}

// ---- GET /api/v1/enterprises: lists, filters, pages and scope ----

func TestEnterpriseList(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		const (
			haina   = "91370202MA7QK1A840"
			leasing = "91370202MA7QK1A92T"
			atDist  = "91370202MA7QK1A172"
		)
		street1 := demo.StreetCode("370202", 0)
		c.run(t, searchSet())
		c.run(t, []scenario{
			created("海纳", entBody(haina, "青岛海纳融资担保有限公司", "leasing_business", street1)),
			created("a name starting with 融资", entBody(leasing, "融资租赁服务（青岛）有限公司", "leasing_business", "370202002")),
			created("registered at the district itself", entBody(atDist, "市南区区属国有资产运营有限公司", "other", "370202")),
		})
		nameHas := func(s string) func(it map[string]any) bool {
			return func(it map[string]any) bool { return strings.Contains(str(it, "name"), s) }
		}
		masked := func(it map[string]any) bool {
			p := str(it, "contact_phone")
			return p == "" || strings.Contains(p, "****")
		}
		c.run(t, []scenario{
			{name: "融资 finds names containing it", as: "hotline", method: "GET", path: search("融资", "limit", "500"), status: 200,
				check: checks(everyItem("contain 融资 in the name", nameHas("融资")), everyItem("mask the telephone", masked),
					func(t *testing.T, r *apptest.Response) {
						items := r.Items()
						if len(items) < 10 {
							t.Fatalf("%d results; the demo alone has dozens of 融资担保 companies", len(items))
						}
						if str(items[0], "uscc") != leasing || items[0]["match"] != 3.0 {
							t.Errorf("first result %v (match %v), want the name starting with 融资", items[0]["uscc"], items[0]["match"])
						}
						var hit bool
						for _, it := range items[1:] {
							if it["match"] != 4.0 {
								t.Errorf("%v %v: match %v, want 4 (name contains)", it["uscc"], it["name"], it["match"])
							}
							hit = hit || str(it, "uscc") == haina
						}
						if !hit {
							t.Errorf("青岛海纳融资担保有限公司 not found")
						}
					})},
			{name: "a query with spaces", as: "admin", method: "GET", path: search(" 海纳 融资 "), status: 200,
				check: everyItem("contain 海纳融资", nameHas("海纳融资"))},
			{name: "search within a district", as: "admin", method: "GET", path: search("融资", "region_code", "370202", "limit", "500"), status: 200,
				check: checks(everyItem("lie in 市南区", func(it map[string]any) bool { return strings.HasPrefix(str(it, "region_code"), "370202") }),
					everyItem("contain 融资", nameHas("融资")))},
			{name: "code prefix of the demo's street", as: "admin", method: "GET", path: search("91370202", "limit", "500"), status: 200,
				check: everyItem("have a code starting with the query and match 2", func(it map[string]any) bool {
					return strings.HasPrefix(str(it, "uscc"), "91370202") && it["match"] == 2.0
				})},
			{name: "one Chinese character", as: "admin", method: "GET", path: search("融"), status: 422, field: "q"},
			{name: "one letter with spaces", as: "admin", method: "GET", path: search(" a "), status: 422, field: "q"},
			{name: "one character and punctuation", as: "admin", method: "GET", path: search("（融）"), status: 422, field: "q"},
			{name: "unknown industry", as: "admin", method: "GET", path: "/api/v1/enterprises?industry=mining", status: 422, field: "industry"},
			{name: "unknown size", as: "admin", method: "GET", path: "/api/v1/enterprises?size=huge", status: 422, field: "size"},
			{name: "unknown sort", as: "admin", method: "GET", path: "/api/v1/enterprises?sort=revenue", status: 422, field: "sort"},
			{name: "garbage cursor", as: "admin", method: "GET", path: "/api/v1/enterprises?cursor=zzz", status: 422, field: "cursor"},
			{name: "garbage cursor on a search", as: "admin", method: "GET", path: search("融资", "cursor", "not-a-cursor"), status: 422, field: "cursor"},
			// "azo5" is the base64 of "k:9": well encoded, but no rank and id.
			{name: "a cursor of the wrong shape", as: "admin", method: "GET", path: search("融资", "cursor", "azo5"), status: 422, field: "cursor"},
			{name: "limit 0", as: "admin", method: "GET", path: "/api/v1/enterprises?limit=0", status: 422, field: "limit"},
			{name: "industry filter", as: "admin", method: "GET", path: "/api/v1/enterprises?industry=retail&limit=500", status: 200,
				check: everyItem("be retail", func(it map[string]any) bool { return it["industry"] == "retail" })},
			{name: "size filter", as: "admin", method: "GET", path: "/api/v1/enterprises?size=medium&limit=500", status: 200,
				check: everyItem("be medium", func(it map[string]any) bool { return it["size"] == "medium" })},
			{name: "industry and size", as: "admin", method: "GET", path: "/api/v1/enterprises?industry=industry&size=small&limit=500", status: 200,
				check: everyItem("be small industry", func(it map[string]any) bool { return it["industry"] == "industry" && it["size"] == "small" })},
			{name: "an unknown region lists nothing", as: "admin", method: "GET", path: "/api/v1/enterprises?region_code=370299", status: 200,
				want: []string{`"items":[]`, `"next_cursor":null`}},
		})

		t.Run("a district code includes its streets", func(t *testing.T) {
			district := c.onePage(t, "admin", "/api/v1/enterprises?region_code=370202")
			sum := 0
			for i := 0; i < 6; i++ {
				street := demo.StreetCode("370202", i)
				items := c.onePage(t, "admin", "/api/v1/enterprises?region_code="+street)
				if len(items) == 0 {
					t.Errorf("street %s lists nothing", street)
				}
				for _, it := range items {
					if it["region_code"] != street {
						t.Errorf("street %s lists %v of %v", street, it["uscc"], it["region_code"])
					}
				}
				sum += len(items)
			}
			if len(district) != sum+1 {
				t.Errorf("district lists %d, its streets %d plus 1 at the district itself", len(district), sum)
			}
			if !slices.Contains(usccs(district), atDist) || !slices.Contains(usccs(district), demo.DemoEnterprise) {
				t.Errorf("district list lacks %s or %s", atDist, demo.DemoEnterprise)
			}
			for _, it := range district {
				if !strings.HasPrefix(str(it, "region_code"), "370202") {
					t.Errorf("district lists %v of %v", it["uscc"], it["region_code"])
				}
			}
			north := usccs(c.onePage(t, "admin", "/api/v1/enterprises?region_code=370203"))
			if !slices.Contains(north, sGroup) || slices.Contains(north, atDist) {
				t.Errorf("市北区 lists %d, with %s: %v, with %s: %v", len(north), sGroup, slices.Contains(north, sGroup),
					atDist, slices.Contains(north, atDist))
			}
		})

		t.Run("plain list: every item once across pages", func(t *testing.T) {
			all := c.onePage(t, "admin", "/api/v1/enterprises?region_code=370202")
			got := c.walkEnterprises(t, "admin", "/api/v1/enterprises?region_code=370202", 37)
			eachOnce(t, got)
			if !slices.Equal(usccs(got), usccs(all)) {
				t.Errorf("walk of %d differs from the one page of %d", len(got), len(all))
			}
			// Newest first by default: the last registered comes first.
			if len(all) > 0 && str(all[0], "uscc") != atDist {
				t.Errorf("newest first: got %v first, want %s", all[0]["uscc"], atDist)
			}
		})
		t.Run("the whole registry once", func(t *testing.T) {
			got := c.walkEnterprises(t, "auditor", "/api/v1/enterprises", 500)
			eachOnce(t, got)
			if want := 3001 + len(searchSet()) + 3; len(got) != want {
				t.Errorf("%d enterprises, want %d", len(got), want)
			}
		})
		t.Run("sort by name across pages", func(t *testing.T) {
			got := c.walkEnterprises(t, "admin", "/api/v1/enterprises?sort=name&region_code=370202", 23)
			eachOnce(t, got)
			if n := len(c.onePage(t, "admin", "/api/v1/enterprises?region_code=370202")); len(got) != n {
				t.Errorf("%d by name, %d in all", len(got), n)
			}
			for i := 1; i < len(got); i++ {
				if str(got[i-1], "name") > str(got[i], "name") {
					t.Errorf("%q before %q", got[i-1]["name"], got[i]["name"])
				}
			}
		})
		t.Run("sort by code across pages", func(t *testing.T) {
			got := c.walkEnterprises(t, "admin", "/api/v1/enterprises?sort=uscc&region_code=370203", 19)
			eachOnce(t, got)
			if n := len(c.onePage(t, "admin", "/api/v1/enterprises?region_code=370203")); len(got) != n {
				t.Errorf("%d by code, %d in all", len(got), n)
			}
			for i := 1; i < len(got); i++ {
				if str(got[i-1], "uscc") >= str(got[i], "uscc") {
					t.Errorf("%v before %v", got[i-1]["uscc"], got[i]["uscc"])
				}
			}
		})
		t.Run("search: every item once across pages", func(t *testing.T) {
			all := c.onePage(t, "admin", search("融资"))
			got := c.walkEnterprises(t, "admin", search("融资"), 4)
			eachOnce(t, got)
			if !slices.Equal(usccs(got), usccs(all)) {
				t.Errorf("walk of %d differs from the one page of %d", len(got), len(all))
			}
		})

		// Scope: the caller's region, its own enterprise, or nothing.
		t.Run("street staff see their street only", func(t *testing.T) {
			got := c.walkEnterprises(t, "street", "/api/v1/enterprises", 50)
			eachOnce(t, got)
			if len(got) != len(c.onePage(t, "admin", "/api/v1/enterprises?region_code="+street1)) {
				t.Errorf("street sees %d", len(got))
			}
			for _, it := range got {
				if it["region_code"] != street1 {
					t.Errorf("street sees %v of %v", it["uscc"], it["region_code"])
				}
			}
			if !slices.Contains(usccs(got), demo.DemoEnterprise) {
				t.Errorf("street does not see the demo enterprise of its street")
			}
		})
		t.Run("district staff see their district", func(t *testing.T) {
			got := c.walkEnterprises(t, "district", "/api/v1/enterprises", 100)
			if len(got) != len(c.onePage(t, "admin", "/api/v1/enterprises?region_code=370202")) {
				t.Errorf("district sees %d", len(got))
			}
			for _, it := range got {
				if !strings.HasPrefix(str(it, "region_code"), "370202") {
					t.Errorf("district sees %v of %v", it["uscc"], it["region_code"])
				}
			}
		})
		c.run(t, []scenario{
			{name: "street search stays in the street", as: "street", method: "GET", path: search("琴岛"), status: 200,
				check: wantUSCCs(sHotel, sSeafood, sShop)},
			{name: "street filter cannot widen the scope", as: "street", method: "GET", path: "/api/v1/enterprises?region_code=370203", status: 200,
				want: []string{`"items":[]`}},
			{name: "district search", as: "district", method: "GET", path: search("琴岛"), status: 200,
				check: wantUSCCs(sGuarantee, sHotel, sSeafood, sShop, sSoftware)},
			{name: "enterprise sees itself only", as: "enterprise", method: "GET", path: "/api/v1/enterprises", status: 200,
				check: checks(wantUSCCs(demo.DemoEnterprise), everyItem("show its own full number", func(it map[string]any) bool {
					return it["contact_phone"] == "13806390000"
				}))},
			{name: "enterprise search finds only itself", as: "enterprise", method: "GET", path: search("青岛"), status: 200,
				check: wantUSCCs(demo.DemoEnterprise)},
			{name: "enterprise search for others finds nothing", as: "enterprise", method: "GET", path: search("琴岛"), status: 200,
				want: []string{`"items":[]`}},
			{name: "department staff may not list", as: "department", method: "GET", path: "/api/v1/enterprises", status: 403, code: "forbidden"},
			{name: "department staff may not search", as: "department", method: "GET", path: search("融资"), status: 403},
			{name: "institution staff may not list", as: "institution", method: "GET", path: "/api/v1/enterprises", status: 403},
			{name: "no token", method: "GET", path: "/api/v1/enterprises", status: 401, code: "unauthorized"},
			{name: "auditor lists, masked", as: "auditor", method: "GET", path: "/api/v1/enterprises?limit=50", status: 200,
				check: everyItem("mask the telephone", masked)},
		})
	})
}

// ---- one enterprise: read, edit, reveal ----

func TestEnterpriseReadEditReveal(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		const (
			code    = "91370202MA7QK1A172" // street 1 of 市南区
			far     = "91370202MA7QK1A25W" // street 2 of 市南区
			unknown = "91370202MA7QK1A33P" // valid, never registered
			north   = "91370203MA7QK3C154" // 市北区
		)
		street1, street2 := demo.StreetCode("370202", 0), demo.StreetCode("370202", 1)
		c.run(t, []scenario{
			created("small industrial enterprise", entBody(code, "青岛海纳精密机械有限公司", "industry", street1,
				"employees", 20, "revenue_wan", 300, "assets_wan", nil, "contact_phone", "13912345678")),
			created("one in the next street", entBody(far, "青岛湛山商贸有限公司", "wholesale", street2)),
			created("one in another district", entBody(north, "青岛辽宁路商贸有限公司", "wholesale", "370203001")),

			{name: "read by code", as: "admin", method: "GET", path: "/api/v1/enterprises/" + code, status: 200,
				want: []string{`"uscc":"` + code + `"`, `"size":"small"`, `"contact_phone":"139****5678"`}, notWant: []string{"13912345678"}},
			{name: "read in lower case", as: "hotline", method: "GET", path: "/api/v1/enterprises/" + strings.ToLower(code), status: 200,
				want: []string{`"uscc":"` + code + `"`}},
			{name: "unknown code", as: "admin", method: "GET", path: "/api/v1/enterprises/" + unknown, status: 404, code: "not_found"},
			{name: "not a code at all", as: "admin", method: "GET", path: "/api/v1/enterprises/nonsense", status: 404},
			{name: "street reads its own street's", as: "street", method: "GET", path: "/api/v1/enterprises/" + code, status: 200},
			{name: "street may not read the next street's", as: "street", method: "GET", path: "/api/v1/enterprises/" + far, status: 403, code: "forbidden"},
			{name: "district reads both", as: "district", method: "GET", path: "/api/v1/enterprises/" + far, status: 200},
			{name: "another district's staff may not", as: "district", method: "GET", path: "/api/v1/enterprises/" + north, status: 403},
			{name: "auditor reads, masked", as: "auditor", method: "GET", path: "/api/v1/enterprises/" + code, status: 200,
				want: []string{`"contact_phone":"139****5678"`}},
			{name: "department may not read", as: "department", method: "GET", path: "/api/v1/enterprises/" + code, status: 403},
			{name: "enterprise may not read another", as: "enterprise", method: "GET", path: "/api/v1/enterprises/" + code, status: 403},
			{name: "enterprise reads itself, unmasked", as: "enterprise", method: "GET", path: "/api/v1/enterprises/" + demo.DemoEnterprise, status: 200,
				want: []string{`"contact_phone":"13806390000"`}},

			// Editing recomputes the size.
			{name: "grow to medium", as: "admin", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"employees": 300, "revenue_wan": 2000}, status: 200,
				want: []string{`"size":"medium"`, `"employees":300`, `"revenue_wan":2000`, `"contact_phone":"139****5678"`}},
			{name: "the new size is stored", as: "auditor", method: "GET", path: "/api/v1/enterprises/" + code, status: 200,
				want: []string{`"size":"medium"`}},
			{name: "just below the revenue floor", as: "street", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"revenue_wan": 1999.99}, status: 200, want: []string{`"size":"small"`, `"employees":300`}},
			{name: "another industry's rule", as: "hotline", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"industry": "other"}, status: 200, want: []string{`"size":"large"`, `"industry":"other"`}},
			{name: "back, with a lower-case code in the path", as: "admin", method: "PATCH", path: "/api/v1/enterprises/" + strings.ToLower(code),
				body: map[string]any{"industry": "industry", "employees": 20, "revenue_wan": 300}, status: 200, want: []string{`"size":"small"`}},
			{name: "the same code may be sent", as: "admin", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"uscc": strings.ToLower(code), "address": "青岛市市南区湛山路1号"}, status: 200,
				want: []string{`"address":"青岛市市南区湛山路1号"`}},
			{name: "changing the code", as: "admin", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"uscc": unknown}, status: 422, code: "uscc_fixed", field: "uscc"},
			{name: "the code did not change", as: "admin", method: "GET", path: "/api/v1/enterprises/" + unknown, status: 404},
			{name: "negative employees", as: "admin", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"employees": -3}, status: 422, field: "employees"},
			{name: "revenue as a string", as: "admin", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"revenue_wan": "many"}, status: 422, code: "invalid_type", field: "revenue_wan"},
			{name: "a rule needing a figure it lacks", as: "admin", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"industry": "construction"}, status: 422, field: "assets_wan"},
			{name: "empty name", as: "admin", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"name": " "}, status: 422, field: "name"},
			{name: "unknown region", as: "admin", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"region_code": "370202999"}, status: 422, field: "region_code"},
			{name: "street may not move it out of its street", as: "street", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"region_code": street2}, status: 422, field: "region_code"},
			{name: "street may not edit the next street's", as: "street", method: "PATCH", path: "/api/v1/enterprises/" + far,
				body: map[string]any{"employees": 30}, status: 403},
			{name: "auditor may not edit", as: "auditor", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"employees": 30}, status: 403},
			{name: "department may not edit", as: "department", method: "PATCH", path: "/api/v1/enterprises/" + code,
				body: map[string]any{"employees": 30}, status: 403},
			{name: "edit an unknown code", as: "admin", method: "PATCH", path: "/api/v1/enterprises/" + unknown,
				body: map[string]any{"employees": 30}, status: 404},
			{name: "nothing changed by the refusals", as: "admin", method: "GET", path: "/api/v1/enterprises/" + code, status: 200,
				want: []string{`"size":"small"`, `"employees":20`, `"revenue_wan":300`, `"industry":"industry"`, `"region_code":"` + street1 + `"`}},

			// Revealing the contact.
			{name: "admin reveals", as: "admin", method: "GET", path: "/api/v1/enterprises/" + code + "/contact", status: 200,
				want: []string{`"uscc":"` + code + `"`, `"contact_phone":"13912345678"`, `"contact_name":"张伟"`}},
			{name: "hotline reveals, lower-case code", as: "hotline", method: "GET", path: "/api/v1/enterprises/" + strings.ToLower(code) + "/contact",
				status: 200, want: []string{`"uscc":"` + code + `"`, `"contact_phone":"13912345678"`}},
			{name: "street reveals in its street", as: "street", method: "GET", path: "/api/v1/enterprises/" + code + "/contact", status: 200,
				want: []string{`"contact_phone":"13912345678"`}},
			{name: "district reveals in its district", as: "district", method: "GET", path: "/api/v1/enterprises/" + code + "/contact", status: 200,
				want: []string{`"contact_phone":"13912345678"`}},
			{name: "auditor may not reveal", as: "auditor", method: "GET", path: "/api/v1/enterprises/" + code + "/contact", status: 403, code: "forbidden"},
			{name: "department may not reveal", as: "department", method: "GET", path: "/api/v1/enterprises/" + code + "/contact", status: 403},
			{name: "street may not reveal outside its street", as: "street", method: "GET", path: "/api/v1/enterprises/" + far + "/contact", status: 403},
			{name: "enterprise may not reveal another's", as: "enterprise", method: "GET", path: "/api/v1/enterprises/" + code + "/contact", status: 403},
			{name: "unknown code", as: "admin", method: "GET", path: "/api/v1/enterprises/" + unknown + "/contact", status: 404},
			{name: "enterprise reads its own contact", as: "enterprise", method: "GET", path: "/api/v1/enterprises/" + demo.DemoEnterprise + "/contact",
				status: 200, want: []string{`"contact_phone":"13806390000"`}},
		})

		t.Run("each reveal is an audit entry", func(t *testing.T) {
			r := c.do("admin", "GET", "/api/v1/audit?action=enterprise.reveal_contact&limit=100", nil)
			if r.Status != 200 {
				t.Fatalf("audit: %d %s", r.Status, r.Body)
			}
			var who []string
			for _, it := range r.Items() {
				if it["action"] != "enterprise.reveal_contact" || it["result"] != "success" {
					t.Errorf("entry %v", it)
				}
				if it["object_id"] != code {
					t.Errorf("reveal of %v; only %s was revealed to staff", it["object_id"], code)
				}
				who = append(who, str(it, "username"))
			}
			slices.Sort(who)
			if want := []string{"admin", "district", "hotline", "street"}; !slices.Equal(who, want) {
				t.Errorf("reveals by %v, want %v", who, want)
			}
			// A refused reveal is recorded as a denial, not as a reveal.
			denied := c.do("admin", "GET", "/api/v1/audit?username=auditor&result=denied&limit=100", nil)
			if len(denied.Items()) == 0 {
				t.Errorf("the auditor's refused reveal left no denial entry")
			}
		})
	})
}
