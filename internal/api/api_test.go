package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
)

// scenario is one API call and what a client must see in the answer.
type scenario struct {
	name    string
	as      string // username whose token is sent; "" sends no Authorization header
	method  string
	path    string
	body    any      // nil, a raw string, or a value sent as JSON
	headers []string // extra header name, value pairs
	status  int
	code    string   // expected error.code
	field   string   // expected error.field
	want    []string // fragments the compact JSON body must contain
	notWant []string // fragments it must not contain
	check   func(t *testing.T, r *apptest.Response)
}

// client holds one token per user of an environment.
type client struct {
	env    *apptest.Env
	tokens map[string]string
}

func newClient(env *apptest.Env) *client {
	return &client{env: env, tokens: map[string]string{}}
}

func (c *client) token(username string) string {
	if username == "" {
		return ""
	}
	if tok, ok := c.tokens[username]; ok {
		return tok
	}
	tok := c.env.Token(username)
	c.tokens[username] = tok
	return tok
}

// do sends one request as a user and checks the answer is one openapi.json
// describes.
func (c *client) do(as, method, path string, body any, headers ...string) *apptest.Response {
	c.env.T.Helper()
	r := c.env.API(c.token(as)).Do(method, path, body, headers...)
	conformsToOpenAPI(c.env.T, method, path, r)
	return r
}

// run plays the scenarios in order (later ones may rely on earlier ones).
func (c *client) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := c.do(s.as, s.method, s.path, s.body, s.headers...)
			if r.Status != s.status {
				t.Fatalf("%s %s: status %d, want %d; body %s", s.method, s.path, r.Status, s.status, r.Body)
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q, want application/json", r.Header.Get("Content-Type"))
			}
			if r.Status >= 400 {
				checkErrorBody(t, r)
			}
			if got := r.ErrorCode(); s.code != "" && got != s.code {
				t.Errorf("error.code %q, want %q; body %s", got, s.code, r.Body)
			}
			if got := r.ErrorField(); s.field != "" && got != s.field {
				t.Errorf("error.field %q, want %q; body %s", got, s.field, r.Body)
			}
			body := compact(t, r.Body)
			for _, w := range s.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %s; body %s", w, body)
				}
			}
			for _, w := range s.notWant {
				if strings.Contains(body, w) {
					t.Errorf("body contains %s; body %s", w, body)
				}
			}
			if s.check != nil {
				s.check(t, r)
			}
		})
	}
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatalf("body is not JSON: %v; body %s", err, b)
	}
	return buf.String()
}

// checkErrorBody asserts the error body of API.md: exactly
// {"error":{"code","message","field"}}, field only when one is at fault, and
// always for a 422.
func checkErrorBody(t *testing.T, r *apptest.Response) {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil {
		t.Fatalf("error body is not a JSON object: %s", r.Body)
	}
	if len(top) != 1 || top["error"] == nil {
		t.Fatalf("error body must hold only \"error\": %s", r.Body)
	}
	var e map[string]any
	if err := json.Unmarshal(top["error"], &e); err != nil {
		t.Fatalf("error is not an object: %s", r.Body)
	}
	for k, v := range e {
		if k != "code" && k != "message" && k != "field" {
			t.Errorf("unexpected key error.%s in %s", k, r.Body)
		}
		if s, ok := v.(string); !ok || s == "" {
			t.Errorf("error.%s must be a non-empty string: %s", k, r.Body)
		}
	}
	code, _ := e["code"].(string)
	for _, c := range code {
		if !(c >= 'a' && c <= 'z' || c == '_') {
			t.Errorf("error.code %q is not snake_case", code)
			break
		}
	}
	msg, _ := e["message"].(string)
	if msg == "" {
		t.Errorf("error.message missing: %s", r.Body)
	}
	if k := catalogKeyRe.FindString(msg); k != "" {
		t.Errorf("error.message %q shows the untranslated key %s", msg, k)
	}
	if r.Status == http.StatusUnprocessableEntity && e["field"] == nil {
		t.Errorf("a 422 must name the field: %s", r.Body)
	}
	if r.Status == http.StatusUnauthorized && r.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("401 without WWW-Authenticate")
	}
}

// catalogKeyRe matches a locale catalog key left in a message instead of
// its text.
var catalogKeyRe = regexp.MustCompile(`\b(error|object|field|uscc|tier|level|role|status|category)\.[a-z_]+`)

func message(r *apptest.Response) string {
	e, _ := r.JSON["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

func hasHan(s string) bool {
	for _, c := range s {
		if unicode.Is(unicode.Han, c) {
			return true
		}
	}
	return false
}

func codes(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it["code"].(string)
	}
	return out
}

// wantCodes checks the codes of a list body, in order.
func wantCodes(want ...string) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		if got := codes(r.Items()); !slices.Equal(got, want) {
			t.Errorf("codes %v, want %v", got, want)
		}
	}
}

// wantRFC3339 checks the named top-level fields are RFC 3339 times with an offset.
func wantRFC3339(fields ...string) func(t *testing.T, r *apptest.Response) {
	return func(t *testing.T, r *apptest.Response) {
		t.Helper()
		for _, f := range fields {
			s, _ := r.JSON[f].(string)
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				t.Errorf("%s = %q is not RFC 3339: %v", f, s, err)
			}
		}
	}
}

// ---- Conventions ----

func TestAuthentication(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		wwwAuth := func(t *testing.T, r *apptest.Response) {
			if h := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", h)
			}
		}
		c.run(t, []scenario{
			{name: "no token", method: "GET", path: "/api/v1/me", status: 401, code: "unauthorized", check: wwwAuth},
			{name: "no token on a list", method: "GET", path: "/api/v1/regions", status: 401, code: "unauthorized", check: wwwAuth},
			{name: "no token on a POST", method: "POST", path: "/api/v1/regions",
				body:   map[string]any{"code": "370299", "name": "新区", "level": "district", "parent_code": "370200"},
				status: 401, code: "unauthorized", check: wwwAuth},
			{name: "basic scheme", method: "GET", path: "/api/v1/me", headers: []string{"Authorization", "Basic YWRtaW46eA=="},
				status: 401, code: "unauthorized", check: wwwAuth},
			{name: "bearer without token", method: "GET", path: "/api/v1/me", headers: []string{"Authorization", "Bearer "},
				status: 401, code: "unauthorized", check: wwwAuth},
			{name: "token without scheme", method: "GET", path: "/api/v1/me", headers: []string{"Authorization", "qf_abcdef"},
				status: 401, code: "unauthorized", check: wwwAuth},
			{name: "unknown token", method: "GET", path: "/api/v1/me", headers: []string{"Authorization", "Bearer qf_no-such-token"},
				status: 401, code: "invalid_token", check: wwwAuth},
			{name: "valid token", as: "admin", method: "GET", path: "/api/v1/me", status: 200,
				want: []string{`"username":"admin"`, `"role":"city_admin"`}},
			{name: "lower-case scheme", method: "GET", path: "/api/v1/me", headers: []string{"Authorization", "bearer " + c.token("auditor")},
				status: 200, want: []string{`"username":"auditor"`, `"role":"auditor"`}},
			{name: "openapi is public", method: "GET", path: "/api/v1/openapi.json", status: 200, want: []string{`"openapi":"3.`}},
			{name: "uscc check is public", method: "GET", path: "/api/v1/uscc/" + demo.DemoEnterprise, status: 200, want: []string{`"valid":true`}},
		})

		// A revoked token stops working at once.
		tok := env.Token("hotline")
		if r := env.API(tok).Do("GET", "/api/v1/me", nil); r.Status != 200 {
			t.Fatalf("fresh token: status %d", r.Status)
		}
		list := c.do("admin", "GET", "/api/v1/users/hotline/tokens", nil)
		items := list.Items()
		if list.Status != 200 || len(items) == 0 {
			t.Fatalf("list tokens: %d %s", list.Status, list.Body)
		}
		id := items[len(items)-1]["id"].(float64)
		if r := c.do("admin", "DELETE", "/api/v1/users/hotline/tokens/"+jsonNumber(id), nil); r.Status != 200 {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		revoked := env.API(tok).Do("GET", "/api/v1/me", nil)
		if revoked.Status != 401 || revoked.ErrorCode() != "invalid_token" {
			t.Errorf("revoked token: %d %s, want 401 invalid_token", revoked.Status, revoked.Body)
		}
	})
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func TestRequestBodies(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		region := `{"code":"370299","name":"新区","level":"district","parent_code":"370200"}`
		big := `{"code":"370299","name":"` + strings.Repeat("长", 400_000) + `","level":"district","parent_code":"370200"}`
		c.run(t, []scenario{
			{name: "broken JSON", as: "admin", method: "POST", path: "/api/v1/regions", body: `{"code":"370299",`,
				status: 400, code: "malformed_json"},
			{name: "not JSON at all", as: "admin", method: "POST", path: "/api/v1/regions", body: `code=370299`,
				status: 400, code: "malformed_json"},
			{name: "empty body", as: "admin", method: "POST", path: "/api/v1/regions", body: ``,
				status: 400, code: "malformed_json"},
			{name: "trailing word", as: "admin", method: "POST", path: "/api/v1/regions", body: region + ` xyz`,
				status: 400, code: "malformed_json"},
			{name: "trailing brace", as: "admin", method: "POST", path: "/api/v1/regions", body: region + `}`,
				status: 400, code: "malformed_json"},
			{name: "trailing bracket", as: "admin", method: "POST", path: "/api/v1/regions", body: region + `]`,
				status: 400, code: "malformed_json"},
			{name: "second object", as: "admin", method: "POST", path: "/api/v1/regions", body: region + region,
				status: 400, code: "malformed_json"},
			{name: "nothing was created", as: "admin", method: "GET", path: "/api/v1/regions/370299", status: 404, code: "not_found"},
			{name: "string for a number", as: "admin", method: "POST", path: "/api/v1/platforms",
				body:   `{"code":"P370202004","name":"八大峡街道中小企业服务站","tier":"street","region_code":"370202004","area_m2":"big"}`,
				status: 422, code: "invalid_type", field: "area_m2"},
			{name: "number for a string", as: "admin", method: "POST", path: "/api/v1/regions",
				body: `{"code":370299,"name":"新区","level":"district","parent_code":"370200"}`, status: 422, code: "invalid_type", field: "code"},
			{name: "string for a list", as: "admin", method: "POST", path: "/api/v1/departments",
				body: `{"code":"JYJ","name":"市教育局","categories":"complaint"}`, status: 422, code: "invalid_type", field: "categories"},
			{name: "fraction for an integer", as: "admin", method: "POST", path: "/api/v1/platforms",
				body:   `{"code":"P370202004","name":"八大峡街道中小企业服务站","tier":"street","region_code":"370202004","staff_count":2.5}`,
				status: 422, code: "invalid_type", field: "staff_count"},
			{name: "body over 1 MiB", as: "admin", method: "POST", path: "/api/v1/regions", body: big, status: 413, code: "body_too_large"},
			{name: "body over 1 MiB with an Idempotency-Key", as: "admin", method: "POST", path: "/api/v1/regions", body: big,
				headers: []string{"Idempotency-Key", "big-1"}, status: 413, code: "body_too_large"},
			{name: "still nothing created", as: "admin", method: "GET", path: "/api/v1/regions/370299", status: 404},
			{name: "well-formed body", as: "admin", method: "POST", path: "/api/v1/regions", body: region, status: 201,
				want: []string{`"code":"370299"`}},
		})
	})
}

func TestErrorBody(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		inChinese := func(t *testing.T, r *apptest.Response) {
			if m := message(r); !hasHan(m) {
				t.Errorf("message %q is not in Chinese", m)
			}
		}
		inEnglish := func(t *testing.T, r *apptest.Response) {
			if m := message(r); hasHan(m) || m == "" {
				t.Errorf("message %q is not in English", m)
			}
		}
		noField := func(t *testing.T, r *apptest.Response) {
			if r.ErrorField() != "" {
				t.Errorf("error.field %q where no field is at fault", r.ErrorField())
			}
		}
		badLevel := map[string]any{"code": "370299", "name": "新区", "level": "county", "parent_code": "370200"}
		c.run(t, []scenario{
			{name: "401 default language", method: "GET", path: "/api/v1/me", status: 401, check: inChinese},
			{name: "401 in English", method: "GET", path: "/api/v1/me", headers: []string{"Accept-Language", "en"}, status: 401, check: inEnglish},
			{name: "404 default language", as: "admin", method: "GET", path: "/api/v1/regions/999999", status: 404, code: "not_found",
				check: func(t *testing.T, r *apptest.Response) { inChinese(t, r); noField(t, r) }},
			{name: "404 in English", as: "admin", method: "GET", path: "/api/v1/regions/999999", headers: []string{"Accept-Language", "en-US,en;q=0.9"},
				status: 404, code: "not_found", check: inEnglish},
			{name: "unknown API path", as: "admin", method: "GET", path: "/api/v1/no-such-thing", status: 404, code: "not_found", check: inChinese},
			{name: "422 default language", as: "admin", method: "POST", path: "/api/v1/regions", body: badLevel,
				status: 422, code: "invalid_level", field: "level", check: inChinese},
			{name: "422 in English", as: "admin", method: "POST", path: "/api/v1/regions", body: badLevel, headers: []string{"Accept-Language", "en"},
				status: 422, code: "invalid_level", field: "level", check: inEnglish},
			{name: "422 asking for Chinese", as: "admin", method: "POST", path: "/api/v1/regions", body: badLevel,
				headers: []string{"Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"}, status: 422, field: "level", check: inChinese},
			{name: "403 default language", as: "street", method: "POST", path: "/api/v1/regions", body: badLevel,
				status: 403, code: "forbidden", check: func(t *testing.T, r *apptest.Response) { inChinese(t, r); noField(t, r) }},
			{name: "403 in English", as: "street", method: "POST", path: "/api/v1/regions", body: badLevel,
				headers: []string{"Accept-Language", "en"}, status: 403, code: "forbidden", check: inEnglish},
			{name: "400 in English", as: "admin", method: "POST", path: "/api/v1/regions", body: `{`,
				headers: []string{"Accept-Language", "en"}, status: 400, code: "malformed_json", check: inEnglish},
			{name: "409 names the field", as: "admin", method: "POST", path: "/api/v1/regions",
				body:   map[string]any{"code": "370202", "name": "市南区", "level": "district", "parent_code": "370200"},
				status: 409, code: "duplicate_code", field: "code", check: inChinese},
		})
	})
}

// ---- Organisation ----

func TestRegions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		region := func(code, name, level, parent string) map[string]any {
			return map[string]any{"code": code, "name": name, "level": level, "parent_code": parent}
		}
		c.run(t, []scenario{
			{name: "city", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370300", "淄博市", "city", ""),
				status: 201, want: []string{`"code":"370300"`, `"name":"淄博市"`, `"level":"city"`, `"parent_code":""`},
				check: wantRFC3339("created_at", "updated_at")},
			{name: "district", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370302", "淄川区", "district", "370300"),
				status: 201, want: []string{`"code":"370302"`, `"name":"淄川区"`, `"level":"district"`, `"parent_code":"370300"`}},
			{name: "street", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370302001", "般阳路街道", "street", "370302"),
				status: 201, want: []string{`"code":"370302001"`, `"name":"般阳路街道"`, `"level":"street"`, `"parent_code":"370302"`}},
			{name: "created region reads back", as: "street", method: "GET", path: "/api/v1/regions/370302001", status: 200,
				want: []string{`"code":"370302001"`, `"level":"street"`, `"parent_code":"370302"`}},
			{name: "names are trimmed", as: "admin", method: "POST", path: "/api/v1/regions", body: region(" 370303 ", " 张店区 ", "district", "370300"),
				status: 201, want: []string{`"code":"370303"`, `"name":"张店区"`}},

			{name: "five digits", as: "admin", method: "POST", path: "/api/v1/regions", body: region("37030", "区", "district", "370300"),
				status: 422, code: "invalid_region_code", field: "code"},
			{name: "seven digits for a district", as: "admin", method: "POST", path: "/api/v1/regions", body: region("3703041", "区", "district", "370300"),
				status: 422, field: "code"},
			{name: "letters", as: "admin", method: "POST", path: "/api/v1/regions", body: region("37030A", "区", "district", "370300"),
				status: 422, field: "code"},
			{name: "district ending 00", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370400", "区", "district", "370300"),
				status: 422, code: "invalid_region_code", field: "code"},
			{name: "city not ending 00", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370301", "市", "city", ""),
				status: 422, field: "code"},
			{name: "province code as a city", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370000", "省", "city", ""),
				status: 422, field: "code"},
			{name: "street of six digits", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370302", "街道", "street", "370302"),
				status: 422, field: "code"},
			{name: "street not nested in its district", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370202999", "街道", "street", "370302"),
				status: 422, code: "invalid_region_code", field: "code"},
			{name: "district not nested in its city", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370205", "区", "district", "370300"),
				status: 422, code: "invalid_region_code", field: "code"},
			{name: "unknown parent", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370305", "区", "district", "370399"),
				status: 422, code: "unknown_reference", field: "parent_code"},
			{name: "street under a city", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370300001", "街道", "street", "370300"),
				status: 422, field: "parent_code"},
			{name: "district without parent", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370306", "区", "district", ""),
				status: 422, code: "required", field: "parent_code"},
			{name: "city with a parent", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370500", "东营市", "city", "370200"),
				status: 422, field: "parent_code"},
			{name: "unknown level", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370306", "区", "county", "370300"),
				status: 422, code: "invalid_level", field: "level"},
			{name: "missing name", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370306", "", "district", "370300"),
				status: 422, code: "required", field: "name"},
			{name: "duplicate", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370302", "淄川区", "district", "370300"),
				status: 409, code: "duplicate_code", field: "code"},
			{name: "duplicate of a demo street", as: "admin", method: "POST", path: "/api/v1/regions", body: region("370202001", "八大关街道", "street", "370202"),
				status: 409, code: "duplicate_code"},

			{name: "street staff may not create", as: "street", method: "POST", path: "/api/v1/regions", body: region("370307", "区", "district", "370300"),
				status: 403, code: "forbidden"},
			{name: "district staff may not create", as: "district", method: "POST", path: "/api/v1/regions", body: region("370307", "区", "district", "370300"),
				status: 403, code: "forbidden"},
			{name: "auditor may not create", as: "auditor", method: "POST", path: "/api/v1/regions", body: region("370307", "区", "district", "370300"),
				status: 403, code: "forbidden"},
			{name: "refused region was not created", as: "admin", method: "GET", path: "/api/v1/regions/370307", status: 404},

			{name: "children of a district", as: "auditor", method: "GET", path: "/api/v1/regions?parent_code=370302", status: 200,
				check: wantCodes("370302001")},
			{name: "unknown region", as: "admin", method: "GET", path: "/api/v1/regions/370399", status: 404, code: "not_found"},
		})
	})
}

func TestPlatforms(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		// The body of API.md, with parent_code left to be derived.
		street := func(code, region string, area float64) map[string]any {
			return map[string]any{"code": code, "name": "街道中小企业服务站", "tier": "street", "region_code": region,
				"parent_code": "", "area_m2": area, "staff_count": 4, "hotline": "0532-83880001"}
		}
		c.run(t, []scenario{
			{name: "street platform below the area standard", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: street("P370202004", "370202004", 60), status: 201,
				want: []string{`"code":"P370202004"`, `"tier":"street"`, `"region_code":"370202004"`, `"parent_code":"P370202"`,
					`"area_m2":60`, `"staff_count":4`, `"hotline":"0532-83880001"`, `"compliance":{`, `"area":false`, `"min_area_m2":100`},
				check: wantRFC3339("created_at", "updated_at")},
			{name: "street platform meeting the area standard", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: map[string]any{"code": "P370202005", "name": "云南路街道中小企业服务站", "tier": "street", "region_code": "370202005",
					"parent_code": "P370202", "area_m2": 150, "staff_count": 5, "hotline": "0532-83880002"},
				status: 201, want: []string{`"parent_code":"P370202"`, `"area_m2":150`, `"area":true`}},
			{name: "area exactly at the standard", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: street("P370203004", "370203004", 100), status: 201, want: []string{`"parent_code":"P370203"`, `"area":true`}},
			{name: "second district platform in a district", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: map[string]any{"code": "P370299", "name": "新区中小企业公共服务平台", "tier": "district", "region_code": "370202",
					"area_m2": 500, "staff_count": 9, "hotline": "0532-80000000"},
				status: 409, code: "duplicate_platform_region", field: "region_code"},
			{name: "specialised platform", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: map[string]any{"code": "S-IP", "name": "知识产权服务平台", "tier": "specialised", "region_code": "370200",
					"area_m2": 150, "staff_count": 6, "hotline": "0532-80000001"},
				status: 201, want: []string{`"tier":"specialised"`, `"parent_code":"P370200"`, `"area":false`, `"min_area_m2":200`}},
			{name: "platform reads back", as: "admin", method: "GET", path: "/api/v1/platforms/P370202004", status: 200,
				want: []string{`"code":"P370202004"`, `"parent_code":"P370202"`, `"area":false`}},

			{name: "street platform in a district region", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: street("P-WRONG", "370202", 120), status: 422, code: "region_tier_mismatch", field: "region_code"},
			{name: "district platform in a street region", as: "admin", method: "POST", path: "/api/v1/platforms",
				body:   map[string]any{"code": "P-WRONG", "name": "错误平台", "tier": "district", "region_code": "370202006"},
				status: 422, code: "region_tier_mismatch", field: "region_code"},
			{name: "unknown region", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: street("P-WRONG", "370202999", 120), status: 422, code: "unknown_reference", field: "region_code"},
			{name: "unknown parent", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: map[string]any{"code": "P370202006", "name": "隐珠街道中小企业服务站", "tier": "street", "region_code": "370202006",
					"parent_code": "P-NOPE"},
				status: 422, code: "unknown_reference", field: "parent_code"},
			{name: "parent of the wrong tier", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: map[string]any{"code": "P370202006", "name": "隐珠街道中小企业服务站", "tier": "street", "region_code": "370202006",
					"parent_code": "P370200"},
				status: 422, code: "invalid_parent", field: "parent_code"},
			{name: "parent in another district", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: map[string]any{"code": "P370202006", "name": "隐珠街道中小企业服务站", "tier": "street", "region_code": "370202006",
					"parent_code": "P370203"},
				status: 422, code: "invalid_parent", field: "parent_code"},
			{name: "unknown tier", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: map[string]any{"code": "P-X", "name": "平台", "tier": "county", "region_code": "370202"}, status: 422, code: "invalid_tier", field: "tier"},
			{name: "negative area", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: street("P370202006", "370202006", -1), status: 422, code: "out_of_range", field: "area_m2"},
			{name: "bad hotline", as: "admin", method: "POST", path: "/api/v1/platforms",
				body:   map[string]any{"code": "P370202006", "name": "站", "tier": "street", "region_code": "370202006", "hotline": "call us"},
				status: 422, code: "invalid_phone", field: "hotline"},
			{name: "bad code", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: street("P 1", "370202006", 120), status: 422, field: "code"},
			{name: "duplicate code", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: street("P370202", "370202006", 120), status: 409, code: "duplicate_code", field: "code"},
			{name: "second street platform in one street", as: "admin", method: "POST", path: "/api/v1/platforms",
				body: street("P370202001-B", "370202001", 120), status: 409, code: "duplicate_platform_region", field: "region_code"},
			{name: "street staff may not create", as: "street", method: "POST", path: "/api/v1/platforms",
				body: street("P370202006", "370202006", 120), status: 403, code: "forbidden"},
			{name: "district staff may not create", as: "district", method: "POST", path: "/api/v1/platforms",
				body: street("P370202006", "370202006", 120), status: 403, code: "forbidden"},
			{name: "refused platform was not created", as: "admin", method: "GET", path: "/api/v1/platforms/P370202006", status: 404, code: "not_found"},

			{name: "list filtered by tier and parent", as: "admin", method: "GET", path: "/api/v1/platforms?tier=street&parent_code=P370202",
				status: 200, check: wantCodes("P370202001", "P370202002", "P370202003", "P370202004", "P370202005")},
			{name: "list filter with a bad tier", as: "admin", method: "GET", path: "/api/v1/platforms?tier=county",
				status: 422, code: "invalid_tier", field: "tier"},
			{name: "listed platforms carry compliance", as: "admin", method: "GET", path: "/api/v1/platforms?region_code=370202004",
				status: 200, want: []string{`"code":"P370202004"`, `"area":false`}},
			{name: "patch the area", as: "admin", method: "PATCH", path: "/api/v1/platforms/P370202004", body: map[string]any{"area_m2": 120},
				status: 200, want: []string{`"area_m2":120`, `"area":true`}},
			{name: "tier is fixed", as: "admin", method: "PATCH", path: "/api/v1/platforms/P370202004", body: map[string]any{"tier": "district"},
				status: 422, code: "tier_fixed", field: "tier"},
		})
	})
}

func TestDepartments(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		c.run(t, []scenario{
			{name: "create", as: "admin", method: "POST", path: "/api/v1/departments",
				body:   map[string]any{"code": "JYJ", "name": "市教育局", "categories": []string{"rights_infringement", "complaint"}},
				status: 201, want: []string{`"code":"JYJ"`, `"name":"市教育局"`, `"categories":["complaint","rights_infringement"]`},
				check: wantRFC3339("created_at", "updated_at")},
			{name: "create without categories", as: "admin", method: "POST", path: "/api/v1/departments",
				body: map[string]any{"code": "WLJ", "name": "市文化和旅游局"}, status: 201, want: []string{`"categories":[]`}},
			{name: "reads back", as: "hotline", method: "GET", path: "/api/v1/departments/JYJ", status: 200,
				want: []string{`"categories":["complaint","rights_infringement"]`}},
			{name: "listed by category", as: "admin", method: "GET", path: "/api/v1/departments?category=complaint", status: 200,
				check: wantCodes("JYJ", "RSJ", "SCJGJ")},
			{name: "unknown category", as: "admin", method: "POST", path: "/api/v1/departments",
				body:   map[string]any{"code": "ZJJ", "name": "市住房和城乡建设局", "categories": []string{"complaint", "bribery"}},
				status: 422, code: "invalid_category", field: "categories"},
			{name: "missing name", as: "admin", method: "POST", path: "/api/v1/departments",
				body: map[string]any{"code": "ZJJ", "categories": []string{"complaint"}}, status: 422, code: "required", field: "name"},
			{name: "duplicate", as: "admin", method: "POST", path: "/api/v1/departments",
				body: map[string]any{"code": "FGW", "name": "发改委", "categories": []string{"complaint"}}, status: 409, code: "duplicate_code", field: "code"},
			{name: "department staff may not create", as: "department", method: "POST", path: "/api/v1/departments",
				body: map[string]any{"code": "ZJJ", "name": "市住房和城乡建设局"}, status: 403, code: "forbidden"},
			{name: "refused department was not created", as: "admin", method: "GET", path: "/api/v1/departments/ZJJ", status: 404},
		})
	})
}

func TestUsersAndTokens(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		user := func(username, password string, role access.Role, org string) map[string]any {
			return map[string]any{"username": username, "password": password, "role": role, "org_code": org}
		}
		ent := demo.MakeUSCC("91", "370203", "MA3C8Q2E")
		badEnt := ent[:17] + "0"
		if ent[17] == '0' {
			badEnt = ent[:17] + "1"
		}
		var issued string
		c.run(t, []scenario{
			{name: "street staff", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("liming", "Ba-da-guan-2026", access.StreetStaff, "P370202002"), status: 201,
				want:    []string{`"username":"liming"`, `"role":"street_staff"`, `"org_code":"P370202002"`, `"must_change_password":true`},
				notWant: []string{`"password"`, `Ba-da-guan-2026`, `argon2`}},
			{name: "enterprise with an 8-character password", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("ent2", "Qd-2026x", access.Enterprise, ent), status: 201, want: []string{`"role":"enterprise"`, `"org_code":"` + ent + `"`}},
			{name: "city admin without org", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("admin2", "Second-Admin-2026", access.CityAdmin, ""), status: 201, want: []string{`"role":"city_admin"`, `"org_code":""`}},

			{name: "staff password of 11 characters", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "Abc-1234567", access.StreetStaff, "P370202002"), status: 422, code: "weak_password", field: "password"},
			{name: "enterprise password of 7 characters", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("ent3", "Qd-202x", access.Enterprise, ent), status: 422, code: "weak_password", field: "password"},
			{name: "two character classes", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "badaguanjiedao2026", access.StreetStaff, "P370202002"), status: 422, code: "weak_password", field: "password"},
			{name: "two classes, upper and symbols", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "BADAGUAN-JIEDAO", access.StreetStaff, "P370202002"), status: 422, code: "weak_password", field: "password"},
			{name: "password containing the username", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "Xx-WangFang-2026", access.StreetStaff, "P370202002"), status: 422, code: "weak_password", field: "password"},
			{name: "non-admin may not create users", as: "district", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "Ba-da-guan-2026", access.StreetStaff, "P370202002"), status: 403, code: "forbidden"},
			{name: "auditor may not create users", as: "auditor", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "Ba-da-guan-2026", access.StreetStaff, "P370202002"), status: 403, code: "forbidden"},
			{name: "street staff on a district platform", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "Ba-da-guan-2026", access.StreetStaff, "P370202"), status: 422, code: "org_tier_mismatch", field: "org_code"},
			{name: "district staff on a street platform", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "Ba-da-guan-2026", access.DistrictStaff, "P370202002"), status: 422, code: "org_tier_mismatch", field: "org_code"},
			{name: "unknown platform", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "Ba-da-guan-2026", access.StreetStaff, "P-NOPE"), status: 422, code: "unknown_org", field: "org_code"},
			{name: "unknown department", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "Ba-da-guan-2026", access.DepartmentStaff, "NOPE"), status: 422, code: "unknown_org", field: "org_code"},
			{name: "department staff on a platform", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "Ba-da-guan-2026", access.DepartmentStaff, "P370202"), status: 422, field: "org_code"},
			{name: "platform role without org", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "Ba-da-guan-2026", access.StreetStaff, ""), status: 422, field: "org_code"},
			{name: "enterprise with a bad credit code", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("ent4", "Qd-2026xyz", access.Enterprise, badEnt), status: 422, field: "org_code"},
			{name: "unknown role", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("wangfang", "Ba-da-guan-2026", "mayor", ""), status: 422, code: "invalid_role", field: "role"},
			{name: "duplicate username", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("street", "Ba-da-guan-2026", access.StreetStaff, "P370202002"), status: 409, code: "duplicate_username", field: "username"},
			{name: "duplicate username in another case", as: "admin", method: "POST", path: "/api/v1/users",
				body: user("LiMing", "Ba-da-guan-2026", access.StreetStaff, "P370202002"), status: 409, code: "duplicate_username"},
			{name: "refused user was not created", as: "admin", method: "GET", path: "/api/v1/users/wangfang", status: 404, code: "not_found"},

			{name: "token for the new user", as: "admin", method: "POST", path: "/api/v1/users/liming/tokens", status: 201,
				want: []string{`"token":"`}, notWant: []string{`"token":""`},
				check: func(t *testing.T, r *apptest.Response) { issued, _ = r.JSON["token"].(string) }},
			{name: "named token", as: "admin", method: "POST", path: "/api/v1/users/liming/tokens", body: map[string]any{"name": "总机"},
				status: 201, want: []string{`"token":"`, `"name":"总机"`}},
			{name: "non-admin may not issue tokens", as: "street", method: "POST", path: "/api/v1/users/street/tokens", status: 403, code: "forbidden"},
			{name: "hotline may not issue tokens", as: "hotline", method: "POST", path: "/api/v1/users/liming/tokens", status: 403, code: "forbidden"},
			{name: "token for an unknown user", as: "admin", method: "POST", path: "/api/v1/users/nobody/tokens", status: 404, code: "not_found"},
			{name: "tokens are listed without secrets", as: "admin", method: "GET", path: "/api/v1/users/liming/tokens", status: 200,
				notWant: []string{`"token"`, `"hash"`}, check: func(t *testing.T, r *apptest.Response) {
					if n := len(r.Items()); n != 2 {
						t.Errorf("%d tokens listed, want 2", n)
					}
				}},
		})

		if issued == "" {
			t.Fatal("no token issued")
		}
		me := env.API(issued).Do("GET", "/api/v1/me", nil)
		if me.Status != 200 || me.JSON["username"] != "liming" || me.JSON["role"] != "street_staff" || me.JSON["org_code"] != "P370202002" {
			t.Errorf("GET /api/v1/me with the issued token: %d %s", me.Status, me.Body)
		}
		// The new user is bounded by its organisation at once.
		list := env.API(issued).Do("GET", "/api/v1/platforms", nil)
		if got := codes(list.Items()); list.Status != 200 || !slices.Equal(got, []string{"P370202002"}) {
			t.Errorf("platforms of the new street user: %d %v", list.Status, got)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		env.CreateUser("admin2", "Second-Admin-2026", access.CityAdmin, "")
		c := newClient(env)
		dept := map[string]any{"code": "JYJ", "name": "市教育局", "categories": []string{"complaint"}}
		key := []string{"Idempotency-Key", "7f0c-create-jyj"}

		first := c.do("admin", "POST", "/api/v1/departments", dept, key...)
		if first.Status != 201 {
			t.Fatalf("first: %d %s", first.Status, first.Body)
		}
		again := c.do("admin", "POST", "/api/v1/departments", dept, key...)
		if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) {
			t.Errorf("repeat: %d %s, want %d %s", again.Status, again.Body, first.Status, first.Body)
		}
		list := c.do("admin", "GET", "/api/v1/departments?q=JYJ", nil)
		if got := codes(list.Items()); !slices.Equal(got, []string{"JYJ"}) {
			t.Errorf("departments after two keyed POSTs: %v, want one JYJ", got)
		}

		c.run(t, []scenario{
			{name: "same key, other body", as: "admin", method: "POST", path: "/api/v1/departments",
				body: map[string]any{"code": "WLJ", "name": "市文化和旅游局"}, headers: key, status: 409, code: "idempotency_key_reused"},
			{name: "same key, other path", as: "admin", method: "POST", path: "/api/v1/regions",
				body: map[string]any{"code": "370299", "name": "新区", "level": "district", "parent_code": "370200"}, headers: key,
				status: 409, code: "idempotency_key_reused"},
			{name: "other body was not created", as: "admin", method: "GET", path: "/api/v1/departments/WLJ", status: 404},
			{name: "another user, same key", as: "admin2", method: "POST", path: "/api/v1/departments",
				body: map[string]any{"code": "WLJ", "name": "市文化和旅游局"}, headers: key, status: 201, want: []string{`"code":"WLJ"`}},
			{name: "another user, same key and the first body", as: "admin2", method: "POST", path: "/api/v1/regions",
				body:    map[string]any{"code": "370299", "name": "新区", "level": "district", "parent_code": "370200"},
				headers: []string{"Idempotency-Key", "7f0c-create-jyj-2"}, status: 201},
			{name: "first user's key is unaffected", as: "admin", method: "POST", path: "/api/v1/departments", body: dept, headers: key,
				status: 201, want: []string{`"code":"JYJ"`}},
			{name: "no key: a second POST is a duplicate", as: "admin", method: "POST", path: "/api/v1/departments", body: dept,
				status: 409, code: "duplicate_code"},
		})

		// An error answer is remembered too: the repeat does not slip through.
		bad := map[string]any{"code": "ZJJ", "name": "市住建局", "categories": []string{"bribery"}}
		k2 := []string{"Idempotency-Key", "bad-1"}
		e1 := c.do("admin", "POST", "/api/v1/departments", bad, k2...)
		e2 := c.do("admin", "POST", "/api/v1/departments", bad, k2...)
		if e1.Status != 422 || e2.Status != 422 || !bytes.Equal(e1.Body, e2.Body) {
			t.Errorf("keyed 422 twice: %d %s / %d %s", e1.Status, e1.Body, e2.Status, e2.Body)
		}

		// A keyed user creation with a token issued in between: one user.
		u := map[string]any{"username": "zhaolei", "password": "Zhao-Lei-2026x", "role": "hotline_operator"}
		k3 := []string{"Idempotency-Key", "user-zhaolei"}
		u1 := c.do("admin", "POST", "/api/v1/users", u, k3...)
		u2 := c.do("admin", "POST", "/api/v1/users", u, k3...)
		if u1.Status != 201 || u2.Status != 201 || !bytes.Equal(u1.Body, u2.Body) {
			t.Errorf("keyed user twice: %d / %d", u1.Status, u2.Status)
		}
		users := c.do("admin", "GET", "/api/v1/users?q=zhaolei", nil)
		if n := len(users.Items()); n != 1 {
			t.Errorf("%d users zhaolei, want 1", n)
		}

		// Over-long keys are refused, naming the header.
		long := c.do("admin", "POST", "/api/v1/departments", map[string]any{"code": "ZJJ", "name": "市住建局"},
			"Idempotency-Key", strings.Repeat("k", 201))
		if long.Status != 422 || long.ErrorField() != "Idempotency-Key" {
			t.Errorf("long key: %d %s", long.Status, long.Body)
		}
	})
}

func TestCursorPagination(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)

		walk := func(t *testing.T, as, path string, limit int) []string {
			t.Helper()
			var seen []string
			cursor := ""
			for page := 0; ; page++ {
				if page > 200 {
					t.Fatalf("%s: more than 200 pages", path)
				}
				q := url.Values{"limit": {jsonNumber(float64(limit))}}
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
				seen = append(seen, codes(items)...)
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
		once := func(t *testing.T, got []string, wantN int) {
			t.Helper()
			set := map[string]bool{}
			for _, code := range got {
				if set[code] {
					t.Errorf("%s returned twice", code)
				}
				set[code] = true
			}
			if len(set) != wantN {
				t.Errorf("%d distinct items, want %d", len(set), wantN)
			}
		}

		t.Run("every region once", func(t *testing.T) {
			all := c.do("admin", "GET", "/api/v1/regions?limit=500", nil)
			total := len(all.Items())
			if total != 71 || all.JSON["next_cursor"] != nil {
				t.Fatalf("one page of regions: %d items, next_cursor %v", total, all.JSON["next_cursor"])
			}
			got := walk(t, "admin", "/api/v1/regions", 2)
			once(t, got, total)
			if !slices.Equal(got, codes(all.Items())) {
				t.Errorf("walked order differs from the one-page order")
			}
		})
		t.Run("filtered walk", func(t *testing.T) {
			got := walk(t, "street", "/api/v1/regions?level=district", 3)
			once(t, got, 10)
		})
		t.Run("every platform once", func(t *testing.T) {
			once(t, walk(t, "auditor", "/api/v1/platforms", 7), 46)
		})
		t.Run("scope holds across pages", func(t *testing.T) {
			got := walk(t, "district", "/api/v1/platforms", 1)
			if !slices.Equal(got, []string{"P370202", "P370202001", "P370202002", "P370202003"}) {
				t.Errorf("district walk %v", got)
			}
		})
		t.Run("every department once", func(t *testing.T) {
			once(t, walk(t, "hotline", "/api/v1/departments", 3), 8)
		})
		t.Run("a page that ends exactly", func(t *testing.T) {
			r := c.do("admin", "GET", "/api/v1/regions?level=district&limit=10", nil)
			if len(r.Items()) != 10 || r.JSON["next_cursor"] != nil {
				t.Errorf("10 districts with limit=10: %d items, next_cursor %v", len(r.Items()), r.JSON["next_cursor"])
			}
			if !strings.Contains(compact(t, r.Body), `"next_cursor":null`) {
				t.Errorf("last page lacks next_cursor null: %s", r.Body)
			}
		})

		c.run(t, []scenario{
			{name: "garbage cursor", as: "admin", method: "GET", path: "/api/v1/regions?cursor=not-a-cursor", status: 422, field: "cursor"},
			{name: "cursor of bad base64", as: "admin", method: "GET", path: "/api/v1/regions?cursor=%25%25%25", status: 422, field: "cursor"},
			{name: "garbage cursor on platforms", as: "admin", method: "GET", path: "/api/v1/platforms?cursor=zzz", status: 422, field: "cursor"},
			{name: "garbage cursor on users", as: "admin", method: "GET", path: "/api/v1/users?cursor=zzz", status: 422, field: "cursor"},
			{name: "garbage cursor on audit", as: "admin", method: "GET", path: "/api/v1/audit?cursor=zzz", status: 422, field: "cursor"},
			{name: "limit 0", as: "admin", method: "GET", path: "/api/v1/regions?limit=0", status: 422, field: "limit"},
			{name: "negative limit", as: "admin", method: "GET", path: "/api/v1/regions?limit=-3", status: 422, field: "limit"},
			{name: "limit not a number", as: "admin", method: "GET", path: "/api/v1/regions?limit=ten", status: 422, field: "limit"},
			{name: "limit 0 on departments", as: "admin", method: "GET", path: "/api/v1/departments?limit=0", status: 422, field: "limit"},
			{name: "limit 1", as: "admin", method: "GET", path: "/api/v1/regions?limit=1", status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					if len(r.Items()) != 1 || r.JSON["next_cursor"] == nil {
						t.Errorf("limit=1: %d items, next_cursor %v", len(r.Items()), r.JSON["next_cursor"])
					}
				}},
			{name: "empty page", as: "admin", method: "GET", path: "/api/v1/regions?parent_code=999999", status: 200,
				want: []string{`"items":[]`, `"next_cursor":null`}},
		})
	})
}

func TestReadScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		count := func(n int) func(t *testing.T, r *apptest.Response) {
			return func(t *testing.T, r *apptest.Response) {
				if got := len(r.Items()); got != n {
					t.Errorf("%d items, want %d", got, n)
				}
			}
		}
		c.run(t, []scenario{
			{name: "street lists its own platform", as: "street", method: "GET", path: "/api/v1/platforms", status: 200,
				check: wantCodes("P370202001")},
			{name: "street reads its own platform", as: "street", method: "GET", path: "/api/v1/platforms/P370202001", status: 200},
			{name: "street may not read the city platform", as: "street", method: "GET", path: "/api/v1/platforms/P370200", status: 403, code: "forbidden"},
			{name: "street may not read its district's platform", as: "street", method: "GET", path: "/api/v1/platforms/P370202", status: 403},
			{name: "street may not read a sibling street", as: "street", method: "GET", path: "/api/v1/platforms/P370202002", status: 403},
			{name: "street filter cannot widen the scope", as: "street", method: "GET", path: "/api/v1/platforms?tier=city", status: 200,
				want: []string{`"items":[]`}},

			{name: "district lists itself and its streets", as: "district", method: "GET", path: "/api/v1/platforms", status: 200,
				check: wantCodes("P370202", "P370202001", "P370202002", "P370202003")},
			{name: "district reads a street below it", as: "district", method: "GET", path: "/api/v1/platforms/P370202003", status: 200},
			{name: "district may not read another district", as: "district", method: "GET", path: "/api/v1/platforms/P370203", status: 403},
			{name: "district may not read another district's street", as: "district", method: "GET", path: "/api/v1/platforms/P370203001", status: 403},
			{name: "district may not read the city platform", as: "district", method: "GET", path: "/api/v1/platforms/P370200", status: 403},

			{name: "specialised lists its own platform", as: "specialised", method: "GET", path: "/api/v1/platforms", status: 200,
				check: wantCodes("S-FIN")},
			{name: "department may not list platforms", as: "department", method: "GET", path: "/api/v1/platforms", status: 403, code: "forbidden"},
			{name: "department may not read a platform", as: "department", method: "GET", path: "/api/v1/platforms/P370200", status: 403},
			{name: "enterprise may not list platforms", as: "enterprise", method: "GET", path: "/api/v1/platforms", status: 403},
			{name: "institution may not list platforms", as: "institution", method: "GET", path: "/api/v1/platforms", status: 403},
			{name: "auditor lists all platforms", as: "auditor", method: "GET", path: "/api/v1/platforms?limit=100", status: 200, check: count(46)},
			{name: "hotline lists all platforms", as: "hotline", method: "GET", path: "/api/v1/platforms?limit=100", status: 200, check: count(46)},
			{name: "admin lists all platforms", as: "admin", method: "GET", path: "/api/v1/platforms?limit=100", status: 200, check: count(46)},
			{name: "hotline reads any platform", as: "hotline", method: "GET", path: "/api/v1/platforms/P370285003", status: 200},

			{name: "enterprise may not list departments", as: "enterprise", method: "GET", path: "/api/v1/departments", status: 403, code: "forbidden"},
			{name: "enterprise may not read a department", as: "enterprise", method: "GET", path: "/api/v1/departments/FGW", status: 403},
			{name: "department lists only itself", as: "department", method: "GET", path: "/api/v1/departments", status: 200,
				check: wantCodes("SCJGJ")},
			{name: "department may not read another", as: "department", method: "GET", path: "/api/v1/departments/FGW", status: 403},
			{name: "street lists all departments", as: "street", method: "GET", path: "/api/v1/departments", status: 200, check: count(8)},

			{name: "street may not read the audit log", as: "street", method: "GET", path: "/api/v1/audit", status: 403},
			{name: "auditor reads the audit log", as: "auditor", method: "GET", path: "/api/v1/audit?limit=5", status: 200, check: count(5)},
			{name: "street may not list users", as: "street", method: "GET", path: "/api/v1/users", status: 403},
			{name: "street reads itself", as: "street", method: "GET", path: "/api/v1/users/street", status: 200, want: []string{`"username":"street"`}},
			{name: "street may not read another user", as: "street", method: "GET", path: "/api/v1/users/district", status: 403},
			{name: "institution lists only itself", as: "institution", method: "GET", path: "/api/v1/institutions", status: 200,
				check: wantCodes("I-HAINA")},
		})
	})
}

// Platform codes are case-sensitive: a second network whose codes differ
// only in case stays outside the demo staff's scope, also when a platform
// of the demo network is moved.
func TestScopeIsCaseSensitive(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		post := func(name, path string, body map[string]any) scenario {
			return scenario{name: name, as: "admin", method: "POST", path: path, body: body, status: 201}
		}
		c.run(t, []scenario{
			post("city", "/api/v1/regions", map[string]any{"code": "370300", "name": "淄博市", "level": "city"}),
			post("district", "/api/v1/regions", map[string]any{"code": "370302", "name": "淄川区", "level": "district", "parent_code": "370300"}),
			post("street", "/api/v1/regions", map[string]any{"code": "370302001", "name": "般阳路街道", "level": "street", "parent_code": "370302"}),
			post("city platform", "/api/v1/platforms", map[string]any{"code": "p370200", "name": "淄博市平台", "tier": "city", "region_code": "370300"}),
			post("district platform", "/api/v1/platforms", map[string]any{"code": "p370202", "name": "淄川区平台", "tier": "district", "region_code": "370302"}),
			post("street platform", "/api/v1/platforms", map[string]any{"code": "p370202001", "name": "般阳路平台", "tier": "street", "region_code": "370302001"}),
			post("specialised platform", "/api/v1/platforms", map[string]any{"code": "S-X", "name": "市南区专业平台", "tier": "specialised", "region_code": "370202", "parent_code": "P370200"}),
			post("its twin", "/api/v1/platforms", map[string]any{"code": "s-x", "name": "淄川区专业平台", "tier": "specialised", "region_code": "370302"}),

			{name: "district sees only its own network", as: "district", method: "GET", path: "/api/v1/platforms", status: 200,
				check: wantCodes("P370202", "P370202001", "P370202002", "P370202003")},
			{name: "street sees only its own platform", as: "street", method: "GET", path: "/api/v1/platforms", status: 200,
				check: wantCodes("P370202001")},
			{name: "move the specialised platform under the district", as: "admin", method: "PATCH", path: "/api/v1/platforms/S-X",
				body: map[string]any{"parent_code": "P370202"}, status: 200, want: []string{`"parent_code":"P370202"`}},
			{name: "the district sees the moved platform, not its twin", as: "district", method: "GET", path: "/api/v1/platforms", status: 200,
				check: wantCodes("P370202", "P370202001", "P370202002", "P370202003", "S-X")},
			{name: "the twin stays under its own city", as: "district", method: "GET", path: "/api/v1/platforms/s-x", status: 403},
		})
	})
}

func TestUSCCCheck(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		c := newClient(env)
		good := demo.DemoEnterprise
		want := good[17:]
		wrong := "0"
		if want == "0" {
			wrong = "1"
		}
		bad := good[:17] + wrong
		// Every reason is text, never a catalog key.
		readable := func(t *testing.T, r *apptest.Response) {
			reason, _ := r.JSON["reason"].(string)
			if reason == "" || catalogKeyRe.MatchString(reason) {
				t.Errorf("reason %q is not readable text", reason)
			}
		}
		c.run(t, []scenario{
			{name: "valid", method: "GET", path: "/api/v1/uscc/" + good, status: 200,
				want: []string{`"valid":true`, `"code":"` + good + `"`}, check: readable},
			{name: "wrong check character", method: "GET", path: "/api/v1/uscc/" + bad, status: 200,
				want: []string{`"valid":false`, `"expected":"` + want + `"`},
				check: func(t *testing.T, r *apptest.Response) {
					reason, _ := r.JSON["reason"].(string)
					if !strings.Contains(reason, want) || !hasHan(reason) {
						t.Errorf("reason %q does not name the expected character %q in Chinese", reason, want)
					}
				}},
			{name: "wrong check character in English", method: "GET", path: "/api/v1/uscc/" + bad, headers: []string{"Accept-Language", "en"},
				status: 200, want: []string{`"valid":false`},
				check: func(t *testing.T, r *apptest.Response) {
					reason, _ := r.JSON["reason"].(string)
					if !strings.Contains(reason, `"`+want+`"`) || hasHan(reason) {
						t.Errorf("reason %q does not name the expected character %q in English", reason, want)
					}
				}},
			{name: "lower case", method: "GET", path: "/api/v1/uscc/" + strings.ToLower(good), status: 200,
				want: []string{`"valid":true`, `"code":"` + good + `"`}},
			{name: "surrounding spaces", method: "GET", path: "/api/v1/uscc/%20%20" + strings.ToLower(good) + "%20", status: 200,
				want: []string{`"valid":true`, `"code":"` + good + `"`}},
			{name: "too short", method: "GET", path: "/api/v1/uscc/91370202", status: 200, want: []string{`"valid":false`}, check: readable},
			{name: "forbidden letter", method: "GET", path: "/api/v1/uscc/" + good[:10] + "O" + good[11:], status: 200,
				want: []string{`"valid":false`, `"position":11`}, check: readable},
			{name: "letter among the division digits", method: "GET", path: "/api/v1/uscc/" + good[:4] + "A" + good[5:], status: 200,
				want: []string{`"valid":false`, `"position":5`}, check: readable},
			{name: "a token is not needed and not checked", method: "GET", path: "/api/v1/uscc/" + good,
				headers: []string{"Authorization", "Bearer qf_no-such-token"}, status: 200, want: []string{`"valid":true`}},
		})
	})
}
