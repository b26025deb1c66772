package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/api"
	"github.com/qifu/qifu/internal/apptest"
)

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

var (
	docOnce  sync.Once
	docValue map[string]any
	docRaw   *httptest.ResponseRecorder
)

// openAPI fetches the description the way a client does, from a bare API
// (the handler needs no services).
func openAPI(t testing.TB) map[string]any {
	t.Helper()
	docOnce.Do(func() {
		mux := http.NewServeMux()
		api.New(api.Services{}).Mount(mux)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
		docRaw = rec
		_ = json.Unmarshal(rec.Body.Bytes(), &docValue)
	})
	if docValue == nil {
		t.Fatalf("GET /api/v1/openapi.json: status %d, body is not a JSON object: %.200s", docRaw.Code, docRaw.Body.String())
	}
	return docValue
}

// templatePath turns a ServeMux pattern into an OpenAPI path template:
// "{name...}" and "{$}" have no OpenAPI spelling beyond "{name}" and "".
func templatePath(pattern string) string {
	p := strings.ReplaceAll(pattern, "...}", "}")
	return strings.TrimSuffix(p, "{$}")
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// resolve follows a local "$ref" (JSON pointer) to the value it names.
func resolve(doc map[string]any, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deref returns v itself, or what its "$ref" points to.
func deref(doc map[string]any, v any) map[string]any {
	m := obj(v)
	for i := 0; i < 10 && m != nil; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		target, _ := resolve(doc, ref)
		m = obj(target)
	}
	return m
}

func TestOpenAPIIsServedAsOpenAPI3(t *testing.T) {
	doc := openAPI(t)
	if docRaw.Code != http.StatusOK || !strings.HasPrefix(docRaw.Header().Get("Content-Type"), "application/json") {
		t.Errorf("status %d, Content-Type %q", docRaw.Code, docRaw.Header().Get("Content-Type"))
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Errorf("openapi = %q, want 3.x", v)
	}
	info := obj(doc["info"])
	for _, k := range []string{"title", "version", "description"} {
		if s, _ := info[k].(string); s == "" {
			t.Errorf("info.%s is empty", k)
		}
	}
	servers, _ := doc["servers"].([]any)
	if len(servers) == 0 || obj(servers[0])["url"] != "/" {
		t.Errorf("servers = %v, want the relative \"/\"", doc["servers"])
	}
	scheme := obj(obj(obj(doc["components"])["securitySchemes"])["bearerAuth"])
	if scheme["type"] != "http" || scheme["scheme"] != "bearer" {
		t.Errorf("securitySchemes.bearerAuth = %v, want http bearer", scheme)
	}
	global, _ := doc["security"].([]any)
	if len(global) != 1 || obj(global[0])["bearerAuth"] == nil {
		t.Errorf("global security = %v, want bearerAuth", doc["security"])
	}
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc := openAPI(t)
	paths := obj(doc["paths"])
	routes := api.New(api.Services{}).Routes()
	if len(routes) == 0 {
		t.Fatal("no routes registered")
	}
	registered := map[string]api.Route{}
	for _, rt := range routes {
		path, method := templatePath(rt.Pattern), strings.ToLower(rt.Method)
		registered[method+" "+path] = rt
		op := obj(obj(paths[path])[method])
		if op == nil {
			t.Errorf("%s %s is registered but not described in openapi.json", rt.Method, rt.Pattern)
			continue
		}
		sec, hasSec := op["security"]
		list, _ := sec.([]any)
		switch {
		case rt.Public && (!hasSec || len(list) != 0):
			t.Errorf("%s %s is public: want security: [], got %v", rt.Method, rt.Pattern, sec)
		case !rt.Public && hasSec && len(list) == 0:
			t.Errorf("%s %s needs a token but is described with security: []", rt.Method, rt.Pattern)
		}
		checkOperation(t, doc, rt, path, op)
	}
	for path, item := range paths {
		for method := range obj(item) {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			if _, ok := registered[method+" "+path]; !ok {
				t.Errorf("%s %s is described in openapi.json but no such route is registered", strings.ToUpper(method), path)
			}
		}
	}
}

var pathParamRe = regexp.MustCompile(`\{([^}]+)\}`)

// checkOperation checks one operation's parameters and responses against
// what the route does.
func checkOperation(t *testing.T, doc map[string]any, rt api.Route, path string, op map[string]any) {
	t.Helper()
	where := rt.Method + " " + rt.Pattern
	var declared []string
	headers := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		pm := deref(doc, p)
		name, _ := pm["name"].(string)
		switch pm["in"] {
		case "path":
			declared = append(declared, name)
			if pm["required"] != true {
				t.Errorf("%s: path parameter %s must be required", where, name)
			}
		case "header":
			headers[strings.ToLower(name)] = true
		}
	}
	var inPath []string
	for _, m := range pathParamRe.FindAllStringSubmatch(path, -1) {
		inPath = append(inPath, m[1])
	}
	sort.Strings(declared)
	sort.Strings(inPath)
	if !slices.Equal(declared, inPath) {
		t.Errorf("%s: path parameters declared %v, in the path %v", where, declared, inPath)
	}
	if !headers["accept-language"] {
		t.Errorf("%s: Accept-Language is not documented", where)
	}
	if rt.Method == "POST" && !headers["idempotency-key"] {
		t.Errorf("%s: Idempotency-Key is not documented", where)
	}
	responses := obj(op["responses"])
	success := false
	for code, r := range responses {
		rm := deref(doc, r)
		if rm == nil {
			t.Errorf("%s: response %s does not resolve", where, code)
			continue
		}
		schema := obj(obj(obj(rm["content"])["application/json"])["schema"])
		n, _ := strconv.Atoi(code)
		if schema == nil && !(n >= 200 && n < 300 && isFile(rm)) {
			t.Errorf("%s: response %s has no application/json schema", where, code)
		}
		if n >= 200 && n < 300 {
			success = true
		}
		if n >= 400 && schema["$ref"] != "#/components/schemas/Error" {
			t.Errorf("%s: error response %s does not use the Error schema", where, code)
		}
	}
	if !success {
		t.Errorf("%s: no 2xx response described", where)
	}
	if !rt.Public && responses["401"] == nil {
		t.Errorf("%s: needs a token but 401 is not described", where)
	}
	if (rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "PATCH") && rt.Pattern != "/api/v1/users/{username}/tokens" {
		if op["requestBody"] == nil {
			t.Errorf("%s: no request body described", where)
		}
	}
	if op["requestBody"] != nil {
		for _, code := range []string{"400", "413", "422"} {
			if responses[code] == nil {
				t.Errorf("%s: takes a JSON body but %s is not described", where, code)
			}
		}
	}
}

// isFile reports whether a response is a file: every media type it
// declares is a binary string (a download is not JSON).
func isFile(resp map[string]any) bool {
	content := obj(resp["content"])
	for _, mt := range content {
		s := obj(obj(mt)["schema"])
		if s["type"] != "string" || s["format"] != "binary" {
			return false
		}
	}
	return len(content) > 0
}

func TestOpenAPIReferencesResolve(t *testing.T) {
	doc := openAPI(t)
	n := 0
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				n++
				if _, ok := resolve(doc, ref); !ok {
					t.Errorf("%s: $ref %q does not resolve", at, ref)
				}
			}
			for k, c := range x {
				walk(at+"/"+k, c)
			}
		case []any:
			for i, c := range x {
				walk(at+"/"+strconv.Itoa(i), c)
			}
		}
	}
	walk("#", doc)
	if n == 0 {
		t.Error("no $ref found: the description should share its schemas")
	}
	schemas := obj(obj(doc["components"])["schemas"])
	for _, name := range []string{"Region", "RegionPatch", "Platform", "PlatformPatch", "Compliance", "Department",
		"DepartmentPatch", "Institution", "Standard", "Brand", "NewUser", "User", "UserPatch", "TokenCreated", "Token",
		"AuditEntry", "USCCCheck", "Me", "Error", "Ticket", "Event", "Assignee", "Intake", "Action", "Attachment", "Rule", "Limit", "SupervisionSettings"} {
		if schemas[name] == nil {
			t.Errorf("components.schemas.%s is missing", name)
		}
	}
}

// ---- answers against the description ----

// operationFor finds the described operation of a concrete request path,
// literal segments winning over templated ones.
func operationFor(doc map[string]any, method, rawPath string) (string, map[string]any) {
	path, _, _ := strings.Cut(rawPath, "?")
	segs := strings.Split(path, "/")
	best, bestScore := "", -1
	for tmpl, item := range obj(doc["paths"]) {
		if obj(item)[strings.ToLower(method)] == nil {
			continue
		}
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		score := 0
		for i := range ts {
			switch {
			case ts[i] == segs[i]:
				score++
			case strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}"):
			default:
				score = -1
			}
			if score < 0 {
				break
			}
		}
		if score > bestScore {
			best, bestScore = tmpl, score
		}
	}
	if best == "" {
		return "", nil
	}
	return best, obj(obj(obj(doc["paths"])[best])[strings.ToLower(method)])
}

// conformsToOpenAPI checks an answer is one the description promises: its
// status is described for the operation and its body fits the schema.
func conformsToOpenAPI(t testing.TB, method, path string, r *apptest.Response) {
	t.Helper()
	doc := openAPI(t)
	tmpl, op := operationFor(doc, method, path)
	if op == nil {
		if r.Status != http.StatusNotFound {
			t.Errorf("%s %s answered %d but is not described", method, path, r.Status)
		}
		return
	}
	resp := deref(doc, obj(op["responses"])[strconv.Itoa(r.Status)])
	if resp == nil {
		t.Errorf("%s %s: status %d is not described; body %s", method, tmpl, r.Status, r.Body)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		// A file: its media type must be one the answer declares.
		mt, _, _ := strings.Cut(ct, ";")
		if s := obj(obj(obj(resp["content"])[strings.TrimSpace(mt)])["schema"]); s["format"] != "binary" {
			t.Errorf("%s %s %d: Content-Type %q is not described", method, tmpl, r.Status, ct)
		}
		return
	}
	schema := obj(obj(obj(resp["content"])["application/json"])["schema"])
	var body any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Errorf("%s %s: body is not JSON: %v", method, tmpl, err)
		return
	}
	for _, problem := range validate(doc, schema, body, "body") {
		t.Errorf("%s %s %d: %s", method, tmpl, r.Status, problem)
	}
}

// validate checks a decoded JSON value against a schema of the
// description. It is stricter than OpenAPI: a property the schema does not
// declare is a problem, so the description cannot fall behind the Go
// structs, and writeOnly properties must not appear in answers.
func validate(doc map[string]any, schema map[string]any, v any, at string) []string {
	schema = deref(doc, schema)
	if schema == nil {
		return []string{at + ": no schema"}
	}
	if v == nil {
		if schema["nullable"] == true {
			return nil
		}
		return []string{at + ": null but not nullable"}
	}
	if parts, ok := schema["allOf"].([]any); ok {
		schema = mergeAllOf(doc, parts)
	}
	var out []string
	bad := func(format string, args ...any) { out = append(out, at+": "+fmt.Sprintf(format, args...)) }
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		bad("%v not in %v", v, enum)
	}
	switch schema["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			bad("want an object, got %T", v)
			return out
		}
		props := obj(schema["properties"])
		for _, req := range asStrings(schema["required"]) {
			if _, ok := m[req]; !ok {
				bad("required property %q missing", req)
			}
		}
		if props == nil {
			return out
		}
		for k, val := range m {
			ps, ok := props[k]
			if !ok {
				bad("property %q is not described", k)
				continue
			}
			if deref(doc, ps)["writeOnly"] == true {
				bad("writeOnly property %q in an answer", k)
			}
			out = append(out, validate(doc, obj(ps), val, at+"."+k)...)
		}
	case "array":
		list, ok := v.([]any)
		if !ok {
			bad("want an array, got %T", v)
			return out
		}
		for i, item := range list {
			out = append(out, validate(doc, obj(schema["items"]), item, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			bad("want a string, got %T", v)
			return out
		}
		if schema["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				bad("%q is not an RFC 3339 time", s)
			}
		}
		if p, ok := schema["pattern"].(string); ok && s != "" && !regexp.MustCompile(p).MatchString(s) {
			bad("%q does not match %s", s, p)
		}
	case "integer":
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) {
			bad("want an integer, got %v", v)
		}
	case "number":
		if _, ok := v.(float64); !ok {
			bad("want a number, got %T", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want a boolean, got %T", v)
		}
	}
	return out
}

// mergeAllOf is the object schema an allOf of object schemas describes:
// every part's properties and required names together, so the answer is
// checked as strictly as a plain object.
func mergeAllOf(doc map[string]any, parts []any) map[string]any {
	props := map[string]any{}
	var required []any
	for _, p := range parts {
		ps := deref(doc, p)
		if inner, ok := ps["allOf"].([]any); ok {
			ps = mergeAllOf(doc, inner)
		}
		for k, v := range obj(ps["properties"]) {
			props[k] = v
		}
		if r, ok := ps["required"].([]any); ok {
			required = append(required, r...)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required}
}

func asStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// TestOpenAPISchemasMatchAnswers reads one object of every kind and checks
// the answers against the described schemas (the scenario tests check every
// answer they get the same way).
func TestOpenAPISchemasMatchAnswers(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		// Every answer c.do gets is checked against the description.
		created := c.do("admin", "POST", "/api/v1/users/hotline/tokens", map[string]any{"name": "switchboard"})
		if created.Status != http.StatusCreated {
			t.Fatalf("create token: %d %s", created.Status, created.Body)
		}
		id := jsonNumber(created.JSON["id"].(float64))
		if r := c.do("admin", "PATCH", "/api/v1/users/hotline", map[string]any{"disabled": true, "display_name": "坐席"}); r.Status != http.StatusOK {
			t.Fatalf("patch user: %d %s", r.Status, r.Body)
		}
		calls := []struct{ as, method, path string }{
			{"admin", "GET", "/api/v1/me"},
			{"admin", "GET", "/api/v1/regions?limit=3"},
			{"admin", "GET", "/api/v1/regions/370202001"},
			{"admin", "GET", "/api/v1/platforms?limit=60"},
			{"admin", "GET", "/api/v1/platforms/P370200"},
			{"admin", "GET", "/api/v1/departments"},
			{"admin", "GET", "/api/v1/departments/FGW"},
			{"admin", "GET", "/api/v1/institutions"},
			{"admin", "GET", "/api/v1/institutions/I-HAINA"},
			{"admin", "GET", "/api/v1/standards"},
			{"admin", "GET", "/api/v1/brand"},
			{"admin", "GET", "/api/v1/users"},
			{"admin", "GET", "/api/v1/users/hotline"},
			{"admin", "GET", "/api/v1/users/hotline/tokens"},
			{"admin", "DELETE", "/api/v1/users/hotline/tokens/" + id},
			{"auditor", "GET", "/api/v1/audit?limit=200"},
			{"", "GET", "/api/v1/uscc/91370202MA3C8Q1D0X"},
			{"", "GET", "/api/v1/openapi.json"},
		}
		for _, call := range calls {
			if r := c.do(call.as, call.method, call.path, nil); r.Status != http.StatusOK {
				t.Errorf("%s %s: %d %s", call.method, call.path, r.Status, r.Body)
			}
		}
		if t.Failed() {
			return
		}
		// The validator itself must catch a field the description lacks.
		doc := openAPI(t)
		if problems := validate(doc, map[string]any{"$ref": "#/components/schemas/Region"},
			map[string]any{"code": "370200", "name": "青岛市", "level": "city", "unknown": 1}, "body"); len(problems) == 0 {
			t.Error("validate accepted an undescribed property")
		}
		// Also through an allOf (a search hit is an enterprise plus its rank).
		hit := map[string]any{"uscc": "914403001922038216", "name": "某公司", "industry": "other", "region_code": "370202001",
			"match": 3.0, "unknown": 1.0}
		if problems := validate(doc, map[string]any{"$ref": "#/components/schemas/EnterpriseHit"}, hit, "body"); len(problems) != 1 {
			t.Errorf("validate through allOf: %v, want exactly the undescribed property", problems)
		}
	})
}
