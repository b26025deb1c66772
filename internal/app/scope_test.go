package app_test

// The scope test: for every role, nothing outside its scope can be read or
// changed through any API route or page (REQUIREMENTS R6.1, API.md roles).
// The policy below restates API.md's table independently of the code; every
// registered route must have a case here, so a new route cannot skip it.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/notify"
)

// world is the demo network as the city admin sees it through the API.
type world struct {
	platforms   map[string]string // code → parent code
	platRegion  map[string]string // platform code → region code
	enterprises map[string]string // a sample: credit code → region code
	// every enterprise: credit code → region code, filled on demand for
	// those registered during the test (see enterpriseRegion)
	allEnterprises map[string]string
	fetchRegion    func(uscc string) string
	regions        []string
	departments    []string
	institution    []string
	users          []string
	// inbox: one delivered inbox message of each demo login (username →
	// id); failedSMS: a failed message for the outbox page.
	inbox     map[string]string
	failedSMS string
	// tickets the scope test set up, by id; newTicket records a fresh
	// one (dispatched to the street login's platform, about the demo
	// enterprise) and returns its id.
	tickets   map[string]ticketFix
	newTicket func() string
	// pages holds the tickets the page test files (ticket_pages_scope_test.go).
	pages *pageTickets
	// records the scope test set up, by id (record_scope_test.go);
	// newRecord records a fresh one at a platform, fetchRecord reads one
	// made during the test.
	records     map[string]recordFix
	newRecord   func(platform string) string
	fetchRecord func(id string) recordFix
	// recordImport is an import the street login ran (its pages).
	recordImport string
}

// enterpriseRegion is the region of any enterprise, one registered after
// loadWorld included.
func (w world) enterpriseRegion(uscc string) string {
	if r, ok := w.allEnterprises[uscc]; ok {
		return r
	}
	r := w.fetchRegion(uscc)
	w.allEnterprises[uscc] = r
	return r
}

func (w world) ancestors(code string) []string {
	var out []string
	for c := code; c != ""; c = w.platforms[c] {
		out = append(out, c)
	}
	return out
}

// policy answers whether a demo login may read an object.
type policy struct {
	w     world
	login demo.Login
}

func (p policy) readsAll() bool {
	r := p.login.Role
	return r == access.CityAdmin || r == access.Auditor || r == access.HotlineOperator
}

func (p policy) staff() bool { return p.login.Role != access.Enterprise }

func (p policy) platform(code string) bool {
	if p.readsAll() {
		return true
	}
	if p.login.Role.OrgKind() != access.OrgPlatform {
		return false
	}
	for _, a := range p.w.ancestors(code) {
		if a == p.login.Org {
			return true
		}
	}
	return false
}

func (p policy) seesAnyPlatform() bool {
	return p.readsAll() || p.login.Role.OrgKind() == access.OrgPlatform
}

func (p policy) department(code string) bool {
	if p.login.Role == access.DepartmentStaff {
		return code == p.login.Org
	}
	return p.staff()
}

func (p policy) institution(code string) bool {
	if p.login.Role == access.InstitutionStaff {
		return code == p.login.Org
	}
	return p.staff()
}

func (p policy) user(name string) bool {
	return p.login.Role == access.CityAdmin || p.login.Role == access.Auditor || name == p.login.Username
}

func (p policy) audit() bool {
	return p.login.Role == access.CityAdmin || p.login.Role == access.Auditor
}

func (p policy) admin() bool { return p.login.Role == access.CityAdmin }

// enterprise: staff who read everything see all; platform staff the
// enterprises of their platform's region; an enterprise itself.
func (p policy) enterprise(uscc, region string) bool {
	switch {
	case p.readsAll():
		return true
	case p.login.Role == access.Enterprise:
		return uscc == p.login.Org
	case p.login.Role.OrgKind() == access.OrgPlatform:
		return strings.HasPrefix(region, access.RegionPrefix(p.w.platRegion[p.login.Org]))
	}
	return false
}

// writesEnterprise: the city admin and hotline operators register any
// enterprise, platform staff those of their region, an enterprise itself.
func (p policy) writesEnterprise(uscc, region string) bool {
	switch p.login.Role {
	case access.CityAdmin, access.HotlineOperator:
		return true
	case access.Auditor:
		return false
	}
	return p.enterprise(uscc, region)
}

func loadWorld(t *testing.T, api *apptest.APIClient) world {
	t.Helper()
	w := world{platforms: map[string]string{}, platRegion: map[string]string{}, enterprises: map[string]string{},
		allEnterprises: map[string]string{}}
	w.fetchRegion = func(uscc string) string {
		r := api.Do("GET", "/api/v1/enterprises/"+uscc, nil)
		if r.Status != http.StatusOK {
			t.Errorf("GET /api/v1/enterprises/%s = %d", uscc, r.Status)
		}
		region, _ := r.JSON["region_code"].(string)
		return region
	}
	for _, it := range listAll(t, api, "/api/v1/enterprises") {
		w.allEnterprises[it["uscc"].(string)] = it["region_code"].(string)
	}
	for _, it := range listAll(t, api, "/api/v1/platforms") {
		w.platforms[it["code"].(string)] = it["parent_code"].(string)
		w.platRegion[it["code"].(string)] = it["region_code"].(string)
	}
	// Enterprises: the demo login's own and a few in every district.
	w.enterprises[demo.DemoEnterprise] = demo.StreetCode("370202", 0)
	for _, it := range api.Do("GET", "/api/v1/enterprises?limit=500", nil).Items() {
		region := it["region_code"].(string)
		n := 0
		for _, r := range w.enterprises {
			if r[:6] == region[:6] {
				n++
			}
		}
		if n < 4 {
			w.enterprises[it["uscc"].(string)] = region
		}
	}
	for _, it := range listAll(t, api, "/api/v1/regions") {
		w.regions = append(w.regions, it["code"].(string))
	}
	for _, it := range listAll(t, api, "/api/v1/departments") {
		w.departments = append(w.departments, it["code"].(string))
	}
	for _, it := range listAll(t, api, "/api/v1/institutions") {
		w.institution = append(w.institution, it["code"].(string))
	}
	for _, it := range listAll(t, api, "/api/v1/users") {
		w.users = append(w.users, it["username"].(string))
	}
	if len(w.platforms) < 40 || len(w.departments) < 5 || len(w.users) < 9 {
		t.Fatalf("demo world too small: %d platforms, %d departments, %d users", len(w.platforms), len(w.departments), len(w.users))
	}
	return w
}

func listAll(t *testing.T, api *apptest.APIClient, path string) []map[string]any {
	t.Helper()
	var out []map[string]any
	cursor := ""
	for {
		u := path + "?limit=200"
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		r := api.Do("GET", u, nil)
		if r.Status != 200 {
			t.Fatalf("GET %s = %d %s", u, r.Status, r.Body)
		}
		out = append(out, r.Items()...)
		next, _ := r.JSON["next_cursor"].(string)
		if next == "" {
			return out
		}
		cursor = next
	}
}

// seedNotifications gives every demo login an inbox message (the
// enterprise login one more, to its enterprise) and the outbox a failed SMS
// (users have no phone number), all dispatched.
func seedNotifications(t *testing.T, env *apptest.Env, w *world) {
	t.Helper()
	ctx := context.Background()
	at := env.Clock.Now()
	var msgs []notify.Message
	for _, l := range demo.Logins {
		msgs = append(msgs, notify.Message{Recipient: notify.User(l.Username), Channel: notify.Inbox, Key: "notify.msg.test",
			Params: map[string]any{"text": l.Username}, Link: "/inbox", At: at})
		if l.Role == access.Enterprise {
			msgs = append(msgs, notify.Message{Recipient: notify.Enterprise(l.Org), Channel: notify.Inbox, Key: "notify.msg.test",
				Params: map[string]any{"text": l.Org}, At: at})
		}
	}
	msgs = append(msgs, notify.Message{Recipient: notify.User("admin"), Channel: notify.SMS, Key: "notify.msg.test", At: at})
	if err := env.App.Notify.Send(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Dispatcher.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	w.inbox = map[string]string{}
	for _, l := range demo.Logins {
		items, _, err := env.App.Notify.Inbox(ctx, access.Actor{Username: l.Username, Role: l.Role, OrgCode: l.Org}, notify.InboxFilter{})
		if err != nil || len(items) == 0 {
			t.Fatalf("inbox of %s: %v %v", l.Username, items, err)
		}
		w.inbox[l.Username] = fmt.Sprint(items[len(items)-1].ID)
	}
	failed, _, err := env.App.Notify.List(ctx, access.SystemActor("test"), notify.Filter{Status: notify.Failed})
	if err != nil || len(failed) != 1 {
		t.Fatalf("failed SMS: %v %v", failed, err)
	}
	w.failedSMS = fmt.Sprint(failed[0].ID)
}

// loginIndex is the position of a demo login.
func loginIndex(l demo.Login) int {
	for i, x := range demo.Logins {
		if x.Username == l.Username {
			return i
		}
	}
	return -1
}

// inboxTarget: even logins mark their own message, odd ones the next
// login's, which they may not.
func inboxTarget(w world, l demo.Login) (owner string, own bool) {
	i := loginIndex(l)
	if i%2 == 0 {
		return l.Username, true
	}
	return demo.Logins[(i+1)%len(demo.Logins)].Username, false
}

// snapshot is everything the admin can list, to prove denied writes changed
// nothing.
func snapshot(t *testing.T, api *apptest.APIClient) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/api/v1/regions", "/api/v1/platforms", "/api/v1/departments", "/api/v1/institutions", "/api/v1/users",
		"/api/v1/standards", "/api/v1/ticket-rules", "/api/v1/ticket-limits", "/api/v1/stats/network-targets",
		"/api/v1/stats/demonstration-platforms"} {
		for _, it := range listAll(t, api, p) {
			delete(it, "last_login_at")
			j, _ := json.Marshal(it)
			b.Write(j)
		}
	}
	r := api.Do("GET", "/api/v1/brand", nil)
	b.Write(r.Body)
	r = api.Do("GET", "/api/v1/calendar?from=2026-07-01&to=2027-06-30", nil)
	b.Write(r.Body)
	r = api.Do("GET", "/api/v1/ticket-supervision", nil)
	b.Write(r.Body)
	r = api.Do("GET", "/api/v1/stats/settings", nil)
	b.Write(r.Body)
	return b.String()
}

// apiCase tells how to exercise one API route.
type apiCase struct {
	// read: the objects to fill the path with and who may read each.
	objects func(w world) []string
	allowed func(p policy, obj string) bool
	// list: which item key names the object and who may see it; nil
	// allowedAny means the list is refused to roles that see none.
	listKey    string
	allowedAny func(p policy) bool
	// write: a path and body that the city admin may send successfully.
	write func(w world) (path string, body any)
	// roleWrite: a write several roles may make; each login sends its own
	// request and succeeds exactly when writeBy allows it.
	roleWrite func(w world, l demo.Login, i int) (path string, body any)
	writeBy   func(p policy, w world) bool
	// path, for a route that needs query parameters; allowedAny, when
	// set, says who may call it (everyone otherwise).
	path string
	// listItem, when set, decides a list item by its fields.
	listItem func(p policy, it map[string]any) bool
	// listComplete: the list holds every item of the admin's list that
	// listItem admits, not only a subset.
	listComplete bool
	// pathOf, when set, is the path of a read object (default: the
	// pattern with the object in its one parameter).
	pathOf func(w world, obj string) string
}

func apiCases() map[string]apiCase {
	all := func(p policy, _ string) bool { return true }
	staffOnly := func(p policy) bool { return p.staff() }
	cases := map[string]apiCase{
		"GET /api/v1/openapi.json": {},
		"GET /api/v1/uscc/{code}":  {},
		"GET /api/v1/me":           {},
		"GET /api/v1/regions": {listKey: "code", allowedAny: func(policy) bool { return true },
			allowed: all},
		"GET /api/v1/regions/{code}": {objects: func(w world) []string { return w.regions }, allowed: all},
		"GET /api/v1/platforms": {listKey: "code", allowedAny: policy.seesAnyPlatform,
			allowed: func(p policy, o string) bool { return p.platform(o) }},
		"GET /api/v1/platforms/{code}": {objects: func(w world) []string { return keys(w.platforms) },
			allowed: func(p policy, o string) bool { return p.platform(o) }},
		"GET /api/v1/departments": {listKey: "code", allowedAny: staffOnly,
			allowed: func(p policy, o string) bool { return p.department(o) }},
		"GET /api/v1/departments/{code}": {objects: func(w world) []string { return w.departments },
			allowed: func(p policy, o string) bool { return p.department(o) }},
		"GET /api/v1/institutions": {listKey: "code", allowedAny: func(p policy) bool { return p.staff() },
			allowed: func(p policy, o string) bool { return p.institution(o) }},
		"GET /api/v1/institutions/{code}": {objects: func(w world) []string { return w.institution },
			allowed: func(p policy, o string) bool { return p.institution(o) }},
		"GET /api/v1/standards": {listKey: "tier", allowedAny: staffOnly, allowed: all},
		"GET /api/v1/brand":     {},
		"GET /api/v1/users": {listKey: "username", allowedAny: func(p policy) bool { return p.user("") },
			allowed: func(p policy, o string) bool { return p.user(o) }},
		"GET /api/v1/users/{username}": {objects: func(w world) []string { return w.users },
			allowed: func(p policy, o string) bool { return p.user(o) }},
		"GET /api/v1/users/{username}/tokens": {objects: func(w world) []string { return w.users },
			allowed: func(p policy, o string) bool { return p.user(o) }},
		"GET /api/v1/audit": {listKey: "id", allowedAny: policy.audit, allowed: all},

		"POST /api/v1/regions": {write: func(world) (string, any) {
			return "/api/v1/regions", map[string]any{"code": "370202099", "name": "新街道", "level": "street", "parent_code": "370202"}
		}},
		"PATCH /api/v1/regions/{code}": {write: func(world) (string, any) {
			return "/api/v1/regions/370202001", map[string]any{"name": "改名街道"}
		}},
		"POST /api/v1/platforms": {write: func(world) (string, any) {
			return "/api/v1/platforms", map[string]any{"code": "PNEW", "name": "新平台", "tier": "street", "region_code": "370202004"}
		}},
		"PATCH /api/v1/platforms/{code}": {write: func(world) (string, any) {
			return "/api/v1/platforms/" + demo.PlatformCode(demo.StreetCode("370202", 0)), map[string]any{"area_m2": 999}
		}},
		"POST /api/v1/departments": {write: func(world) (string, any) {
			return "/api/v1/departments", map[string]any{"code": "NEWDEPT", "name": "新部门", "categories": []string{"complaint"}}
		}},
		"PATCH /api/v1/departments/{code}": {write: func(world) (string, any) {
			return "/api/v1/departments/SCJGJ", map[string]any{"name": "改名"}
		}},
		"POST /api/v1/institutions": {write: func(world) (string, any) {
			return "/api/v1/institutions", map[string]any{"code": "I-NEW", "name": "新机构", "kind": "bank"}
		}},
		"PUT /api/v1/standards/{tier}": {write: func(world) (string, any) {
			return "/api/v1/standards/street", map[string]any{"min_area_m2": 1, "min_smes_served": 1, "min_satisfaction": 0.1}
		}},
		"PUT /api/v1/brand": {write: func(world) (string, any) {
			return "/api/v1/brand", map[string]any{"name": "被篡改", "domain": "evil.example.com", "hotline": "110"}
		}},
		"POST /api/v1/users": {write: func(world) (string, any) {
			return "/api/v1/users", map[string]any{"username": "intruder", "password": "Strong-Pass-2026!", "role": "city_admin"}
		}},
		"PATCH /api/v1/users/{username}": {write: func(world) (string, any) {
			return "/api/v1/users/admin", map[string]any{"display_name": "hijacked"}
		}},
		"POST /api/v1/users/{username}/tokens": {write: func(world) (string, any) {
			return "/api/v1/users/admin/tokens", map[string]any{"name": "stolen"}
		}},
		"DELETE /api/v1/users/{username}/tokens/{id}": {write: func(world) (string, any) {
			return "/api/v1/users/hotline/tokens/1", nil
		}},

		"GET /api/v1/sme-size": {path: "/api/v1/sme-size?industry=retail&employees=12&revenue_wan=150"},
		"GET /api/v1/enterprises": {listKey: "uscc", allowedAny: func(p policy) bool { return !p.enterpriseScopeNone() },
			listItem: func(p policy, it map[string]any) bool {
				return p.enterprise(it["uscc"].(string), it["region_code"].(string))
			}},
		"GET /api/v1/enterprises/{uscc}": {objects: func(w world) []string { return keys(w.enterprises) },
			allowed: func(p policy, o string) bool { return p.enterprise(o, p.w.enterprises[o]) }},
		"GET /api/v1/enterprises/{uscc}/contact": {objects: func(w world) []string { return keys(w.enterprises) },
			allowed: func(p policy, o string) bool { return p.writesEnterprise(o, p.w.enterprises[o]) }},
		"POST /api/v1/enterprises": {
			roleWrite: func(_ world, l demo.Login, i int) (string, any) {
				return "/api/v1/enterprises", map[string]any{"uscc": demo.MakeUSCC("91", "370202", fmt.Sprintf("RANGE%03d", i)),
					"name": "范围测试" + l.Username + "有限公司", "industry": "other", "employees": 3, "region_code": demo.StreetCode("370202", 0)}
			},
			writeBy: func(p policy, _ world) bool {
				return p.writesEnterprise("a new one", demo.StreetCode("370202", 0)) && p.login.Role != access.Enterprise
			}},
		"PATCH /api/v1/enterprises/{uscc}": {
			roleWrite: func(_ world, l demo.Login, _ int) (string, any) {
				return "/api/v1/enterprises/" + demo.DemoEnterprise, map[string]any{"address": "青岛市市南区" + l.Username + "路1号"}
			},
			writeBy: func(p policy, _ world) bool {
				return p.writesEnterprise(demo.DemoEnterprise, demo.StreetCode("370202", 0))
			}},

		// The working-day calendar: every staff role reads it, the city
		// admin changes it (the admin's override is added, then deleted).
		"GET /api/v1/calendar": {path: "/api/v1/calendar?from=2026-01-01&to=2026-12-31", allowedAny: staffOnly},
		"GET /api/v1/calendar/deadline": {path: "/api/v1/calendar/deadline?from=2026-12-28T09:00:00%2B08:00&working_days=5",
			allowedAny: staffOnly},
		"POST /api/v1/calendar/overrides": {write: func(world) (string, any) {
			return "/api/v1/calendar/overrides", map[string]any{"date": "2026-12-31", "off": true, "reason": "台风停工"}
		}},
		"DELETE /api/v1/calendar/overrides/{date}": {write: func(world) (string, any) {
			return "/api/v1/calendar/overrides/2026-12-31", nil
		}},
		"POST /api/v1/calendar/years": {write: func(world) (string, any) {
			return "/api/v1/calendar/years", map[string]any{"year": 2027,
				"days": []map[string]any{{"name": "元旦", "date": "2027-01-01", "isOffDay": true}}}
		}},
		// The inbox: everyone reads and marks only their own messages
		// (an enterprise's user also its enterprise's).
		"GET /api/v1/inbox": {listKey: "id", allowedAny: func(policy) bool { return true },
			listItem: func(p policy, it map[string]any) bool {
				r, _ := it["recipient"].(map[string]any)
				id, _ := r["id"].(string)
				switch r["type"] {
				case "user":
					return id == p.login.Username
				case "enterprise":
					return p.login.Role == access.Enterprise && id == p.login.Org
				}
				return false
			}},
		"POST /api/v1/inbox/{id}/read": {
			roleWrite: func(w world, l demo.Login, _ int) (string, any) {
				owner, _ := inboxTarget(w, l)
				return "/api/v1/inbox/" + w.inbox[owner] + "/read", nil
			},
			writeBy: func(p policy, w world) bool {
				_, own := inboxTarget(w, p.login)
				return own
			}},
	}
	for k, c := range ticketAPICases() {
		cases[k] = c
	}
	for k, c := range recordAPICases() {
		cases[k] = c
	}
	for k, c := range statsAPICases() {
		cases[k] = c
	}
	return cases
}

// registersEnterprises: who may open the form for a new enterprise and
// send it (in a region it serves): the city admin, hotline operators and
// platform staff. An enterprise's own account does not register others.
func (p policy) registersEnterprises() bool {
	r := p.login.Role
	return r == access.CityAdmin || r == access.HotlineOperator || r.OrgKind() == access.OrgPlatform
}

// enterpriseScopeNone: roles that see no enterprise at all.
func (p policy) enterpriseScopeNone() bool {
	r := p.login.Role
	return r == access.DepartmentStaff || r == access.InstitutionStaff
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestEveryAPIRouteRespectsScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		tokens := map[string]string{}
		for _, l := range demo.Logins {
			tokens[l.Username] = env.Token(l.Username)
		}
		admin := env.API(tokens["admin"])
		w := loadWorld(t, admin)
		seedNotifications(t, env, &w)
		setupTickets(t, admin, env.API(tokens["hotline"]), &w)
		setupRecords(t, admin, &w)
		cases := apiCases()
		before := snapshot(t, admin)
		ticketsBefore := ticketSnapshot(t, admin, w)
		var writes []string
		for _, rt := range env.App.API.Routes() {
			key := rt.Method + " " + rt.Pattern
			c, ok := cases[key]
			if !ok {
				t.Errorf("route %s has no case in the scope test: add one", key)
				continue
			}
			if c.write != nil {
				writes = append(writes, key)
			}
			for i, l := range demo.Logins {
				p := policy{w: w, login: l}
				api := env.API(tokens[l.Username])
				switch {
				case c.roleWrite != nil:
					path, body := c.roleWrite(w, l, i)
					r := api.Do(rt.Method, path, body)
					if ok := c.writeBy(p, w); ok && r.Status >= 300 || !ok && r.Status != http.StatusForbidden {
						t.Errorf("%s: %s %s = %d (allowed %v) %s", l.Username, rt.Method, path, r.Status, ok, r.Body)
					}
				case c.write != nil:
					if p.admin() {
						continue // the admin's writes run last, below
					}
					path, body := c.write(w)
					if r := api.Do(rt.Method, path, body); r.Status != http.StatusForbidden {
						t.Errorf("%s: %s %s = %d, want 403", l.Username, rt.Method, path, r.Status)
					}
				case c.objects != nil:
					for _, o := range c.objects(w) {
						path := strings.NewReplacer("{code}", o, "{username}", o, "{uscc}", o, "{id}", o).Replace(rt.Pattern)
						if c.pathOf != nil {
							path = c.pathOf(w, o)
						}
						r := api.Do("GET", path, nil)
						want := http.StatusForbidden
						if c.allowed(p, o) {
							want = http.StatusOK
						}
						if r.Status != want {
							t.Errorf("%s: GET %s = %d, want %d", l.Username, path, r.Status, want)
						}
					}
				case c.listKey != "":
					r := api.Do("GET", rt.Pattern+"?limit=500", nil)
					if !c.allowedAny(p) {
						if r.Status != http.StatusForbidden {
							t.Errorf("%s: GET %s = %d, want 403", l.Username, rt.Pattern, r.Status)
						}
						continue
					}
					if r.Status != http.StatusOK {
						t.Errorf("%s: GET %s = %d, want 200", l.Username, rt.Pattern, r.Status)
						continue
					}
					for _, it := range r.Items() {
						o := fmt.Sprint(it[c.listKey])
						if c.listItem != nil && !c.listItem(p, it) || c.listItem == nil && !c.allowed(p, o) {
							t.Errorf("%s: GET %s lists %s outside its scope", l.Username, rt.Pattern, o)
						}
					}
					if c.listComplete {
						var got, want []string
						for _, it := range r.Items() {
							got = append(got, fmt.Sprint(it[c.listKey]))
						}
						for _, it := range listAll(t, admin, rt.Pattern) {
							if c.listItem(p, it) {
								want = append(want, fmt.Sprint(it[c.listKey]))
							}
						}
						sort.Strings(got)
						sort.Strings(want)
						if strings.Join(got, ",") != strings.Join(want, ",") {
							t.Errorf("%s: GET %s lists %v, want exactly %v", l.Username, rt.Pattern, got, want)
						}
					}
				default:
					path := c.path
					if path == "" {
						path = strings.ReplaceAll(rt.Pattern, "{code}", "91350100M000100Y43")
					}
					want := http.StatusOK
					if c.allowedAny != nil && !c.allowedAny(p) {
						want = http.StatusForbidden
					}
					if r := api.Do("GET", path, nil); r.Status != want {
						t.Errorf("%s: GET %s = %d, want %d", l.Username, rt.Pattern, r.Status, want)
					}
				}
			}
		}
		if after := snapshot(t, admin); after != before {
			t.Errorf("denied writes changed the data")
		}
		if after := ticketSnapshot(t, admin, w); after != ticketsBefore {
			t.Errorf("denied writes changed the tickets")
		}
		// The same writes succeed for the city admin: the 403s above were
		// about role and scope, not about a bad request.
		for _, key := range writes {
			path, body := cases[key].write(w)
			method := strings.SplitN(key, " ", 2)[0]
			if key == "DELETE /api/v1/users/{username}/tokens/{id}" {
				// A token of hotline's to revoke.
				r := admin.Do("POST", "/api/v1/users/hotline/tokens", map[string]any{"name": "x"})
				path = fmt.Sprintf("/api/v1/users/hotline/tokens/%v", r.JSON["id"])
			}
			if r := admin.Do(method, path, body); r.Status >= 300 {
				t.Errorf("admin %s %s = %d %s", method, path, r.Status, r.Body)
			}
		}
	})
}

// pageCase tells how to exercise one page route.
type pageCase struct {
	objects func(w world) []string
	allowed func(p policy, obj string) bool
	// list pages: who may open it, and which links it may show.
	open func(p policy) bool
	// write: a form post the admin may make (non-admins get 403), and
	// what the admin gets (default 303, a redirect after success).
	write       func(w world, admin *apptest.APIClient) (path string, form url.Values)
	adminStatus int
	// roleWrite: a form post several roles may make; each login sends its
	// own and gets roleStatus (default 303) exactly when writeBy allows
	// it, 403 otherwise.
	roleWrite  func(w world, l demo.Login, i int) (path string, form url.Values)
	writeBy    func(p policy) bool
	roleStatus int
	// own: a form post every login may make on its own data (303);
	// foreign, when set, the same on another's data (403).
	own     func(w world, l demo.Login) (path string, form url.Values)
	foreign func(w world, l demo.Login) (path string, form url.Values)
	// skip marks routes outside the scope question (login steps, assets).
	skip bool
	// redirect: roles sent elsewhere (303) instead of refused.
	redirect func(p policy) bool
}

func pageCases() map[string]pageCase {
	cases := corePageCases()
	for k, c := range ticketPageCases() {
		cases[k] = c
	}
	for k, c := range recordPageCases() {
		cases[k] = c
	}
	for k, c := range dashboardPageCases() {
		cases[k] = c
	}
	return cases
}

func corePageCases() map[string]pageCase {
	always := func(policy) bool { return true }
	return map[string]pageCase{
		"GET /static/{hash}/{name...}": {skip: true},
		"GET /brand/logo":              {skip: true},
		"GET /login":                   {skip: true},
		"POST /login":                  {skip: true},
		"POST /logout":                 {skip: true},
		"GET /account/password":        {skip: true},
		"POST /account/password":       {skip: true},
		"GET /account/2fa/enrol":       {skip: true},
		"GET /account/2fa/qr.png":      {skip: true},
		"POST /account/2fa/enrol":      {skip: true},
		"GET /account/2fa":             {skip: true},
		"POST /account/2fa":            {skip: true},
		"GET /{$}":                     {open: always},
		"GET /network":                 {open: policy.seesAnyPlatform},
		"GET /platforms":               {open: policy.seesAnyPlatform},
		"GET /platforms/new":           {open: policy.admin},
		"GET /platforms/{code}": {objects: func(w world) []string { return keys(w.platforms) },
			allowed: func(p policy, o string) bool { return p.platform(o) }},
		"GET /platforms/{code}/edit": {objects: func(w world) []string { return keys(w.platforms) },
			allowed: func(p policy, o string) bool { return p.admin() }},
		"POST /platforms": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/platforms", url.Values{"code": {"PWEB"}, "name": {"网页平台"}, "tier": {"street"}, "region_code": {"370202005"}}
		}},
		"POST /platforms/{code}": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/platforms/P370202", url.Values{"name": {"改名"}, "area_m2": {"1"}}
		}},

		// Regions are public reference data; their pages are staff tools.
		"GET /regions":     {open: policy.staff},
		"GET /regions/new": {open: policy.admin},
		"GET /regions/{code}": {objects: func(w world) []string { return w.regions },
			allowed: func(p policy, _ string) bool { return p.staff() }},
		"GET /regions/{code}/edit": {objects: func(w world) []string { return w.regions[:5] },
			allowed: func(p policy, _ string) bool { return p.admin() }},
		"POST /regions": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/regions", url.Values{"code": {"370202098"}, "name": {"网页街道"}, "level": {"street"}, "parent_code": {"370202"}}
		}},
		"POST /regions/{code}": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/regions/370202002", url.Values{"name": {"改名街道"}}
		}},

		"GET /departments":     {open: policy.staff},
		"GET /departments/new": {open: policy.admin},
		"GET /departments/{code}": {objects: func(w world) []string { return w.departments },
			allowed: func(p policy, o string) bool { return p.department(o) }},
		"GET /departments/{code}/edit": {objects: func(w world) []string { return w.departments },
			allowed: func(p policy, _ string) bool { return p.admin() }},
		"POST /departments": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/departments", url.Values{"code": {"WEBDEPT"}, "name": {"网页部门"}, "categories": {"complaint"}}
		}},
		"POST /departments/{code}": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/departments/KJJ", url.Values{"name": {"改名"}, "categories": {"rights_infringement"}}
		}},

		"GET /institutions":     {open: policy.staff},
		"GET /institutions/new": {open: policy.admin},
		"GET /institutions/{code}": {objects: func(w world) []string { return w.institution },
			allowed: func(p policy, o string) bool { return p.institution(o) }},
		"GET /institutions/{code}/edit": {objects: func(w world) []string { return w.institution },
			allowed: func(p policy, _ string) bool { return p.admin() }},
		"POST /institutions": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/institutions", url.Values{"code": {"I-WEB"}, "name": {"网页机构"}, "kind": {"bank"}}
		}},
		"POST /institutions/{code}": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/institutions/I-LAW", url.Values{"name": {"改名律所"}, "kind": {"legal"}, "platform_code": {"S-LAW"}}
		}},

		"GET /standards": {open: policy.staff},
		"POST /standards": {write: func(world, *apptest.APIClient) (string, url.Values) {
			v := url.Values{}
			for _, tier := range []string{"city", "district", "street", "specialised"} {
				v.Set(tier+".min_area_m2", "50")
				v.Set(tier+".min_smes_served", "10")
				v.Set(tier+".min_satisfaction", "80")
			}
			return "/standards", v
		}},
		"GET /settings":       {open: func(p policy) bool { return p.audit() }},
		"GET /settings/brand": {open: func(p policy) bool { return p.audit() }},
		"POST /settings/security": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/settings/security", url.Values{"retention_days": {"200"}}
		}},
		"POST /settings/brand": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/settings/brand", url.Values{"name": {"被改的名称"}, "domain": {"x.example.gov.cn"}, "hotline": {"0532-1"}}
		}},
		// The admin passes the permission check and is told the file is missing.
		"POST /settings/brand/logo": {adminStatus: http.StatusUnprocessableEntity, write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/settings/brand/logo", url.Values{}
		}},
		"GET /users":     {open: func(p policy) bool { return p.user("") }},
		"GET /users/new": {open: policy.admin},
		"GET /users/{username}": {objects: func(w world) []string { return w.users },
			allowed: func(p policy, o string) bool { return p.user(o) }},
		"POST /users": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/users", url.Values{"username": {"web.intruder"}, "password": {"Strong-Web-Pass-2026"}, "role": {"auditor"}}
		}},
		"POST /users/{username}/disable": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/users/institution/disable", url.Values{}
		}},
		"POST /users/{username}/enable": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/users/institution/enable", url.Values{}
		}},
		"POST /users/{username}/unlock": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/users/institution/unlock", url.Values{}
		}},
		"POST /users/{username}/password": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/users/institution/password", url.Values{"password": {"Reset-By-Web-2026"}}
		}},
		"POST /users/{username}/2fa/reset": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/users/institution/2fa/reset", url.Values{}
		}},
		// Token creation answers with the token on the page, once.
		"POST /users/{username}/tokens": {adminStatus: http.StatusOK, write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/users/hotline/tokens", url.Values{"name": {"web"}}
		}},
		"POST /users/{username}/tokens/{id}/revoke": {write: func(_ world, admin *apptest.APIClient) (string, url.Values) {
			r := admin.Do("POST", "/api/v1/users/hotline/tokens", map[string]any{"name": "to revoke"})
			return fmt.Sprintf("/users/hotline/tokens/%v/revoke", r.JSON["id"]), url.Values{}
		}},
		"GET /audit":             {open: policy.audit},
		"GET /audit/export.xlsx": {open: policy.audit},

		"GET /enterprises":     {open: func(p policy) bool { return !p.enterpriseScopeNone() }},
		"GET /enterprises/new": {open: policy.registersEnterprises},
		"POST /enterprises": {
			roleWrite: func(_ world, l demo.Login, i int) (string, url.Values) {
				return "/enterprises", url.Values{"uscc": {demo.MakeUSCC("91", "370202", fmt.Sprintf("WEBPG%03d", i))},
					"name": {"网页范围测试" + l.Username + "有限公司"}, "industry": {"other"}, "employees": {"3"},
					"region_code": {demo.StreetCode("370202", 0)}}
			},
			writeBy: policy.registersEnterprises},
		"GET /enterprises/{uscc}": {objects: func(w world) []string { return keys(w.enterprises) },
			allowed: func(p policy, o string) bool { return p.enterprise(o, p.w.enterprises[o]) }},
		"GET /enterprises/{uscc}/edit": {objects: func(w world) []string { return keys(w.enterprises) },
			allowed: func(p policy, o string) bool { return p.writesEnterprise(o, p.w.enterprises[o]) }},
		"POST /enterprises/{uscc}": {
			roleWrite: func(_ world, l demo.Login, _ int) (string, url.Values) {
				return "/enterprises/" + demo.DemoEnterprise, url.Values{"name": {demo.DemoEnterpriseName}, "industry": {"software_it"},
					"employees": {"36"}, "revenue_wan": {"1200"}, "region_code": {demo.StreetCode("370202", 0)},
					"address": {"青岛市市南区" + l.Username + "路2号"}}
			},
			writeBy: func(p policy) bool { return p.writesEnterprise(demo.DemoEnterprise, demo.StreetCode("370202", 0)) }},
		// Revealing a telephone number answers the profile page, number shown.
		"POST /enterprises/{uscc}/contact": {roleStatus: http.StatusOK,
			roleWrite: func(world, demo.Login, int) (string, url.Values) {
				return "/enterprises/" + demo.DemoEnterprise + "/contact", url.Values{}
			},
			writeBy: func(p policy) bool { return p.writesEnterprise(demo.DemoEnterprise, demo.StreetCode("370202", 0)) }},
		"GET /settings/calendar": {open: policy.staff},
		"POST /settings/calendar/overrides": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/settings/calendar/overrides", url.Values{"date": {"2026-12-30"}, "off": {"true"}, "reason": {"台风停工"}}
		}},
		"POST /settings/calendar/overrides/{date}/delete": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/settings/calendar/overrides/2026-12-30/delete", url.Values{}
		}},
		// The admin passes the permission check and is told the file is missing.
		"POST /settings/calendar/years": {adminStatus: http.StatusUnprocessableEntity, write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/settings/calendar/years", url.Values{}
		}},
		"GET /inbox": {open: always},
		"POST /inbox/read-all": {own: func(world, demo.Login) (string, url.Values) {
			return "/inbox/read-all", url.Values{}
		}},
		"POST /inbox/{id}/read": {
			own: func(w world, l demo.Login) (string, url.Values) {
				return "/inbox/" + w.inbox[l.Username] + "/read", url.Values{}
			},
			foreign: func(w world, l demo.Login) (string, url.Values) {
				other := demo.Logins[(loginIndex(l)+1)%len(demo.Logins)].Username
				return "/inbox/" + w.inbox[other] + "/read", url.Values{}
			}},
		"GET /settings/notifications": {open: policy.admin},
		"POST /settings/notifications/{id}/retry": {write: func(w world, _ *apptest.APIClient) (string, url.Values) {
			return "/settings/notifications/" + w.failedSMS + "/retry", url.Values{}
		}},
	}
}

// checkLinks fails when a page a role may open links to an object outside
// the role's scope.
func checkLinks(t *testing.T, p policy, path string, pg *apptest.Page) {
	t.Helper()
	rules := map[string]func(string) bool{
		"/platforms/":           p.platform,
		"/departments/":         p.department,
		"/institutions/":        p.institution,
		"/users/":               p.user,
		"/enterprises/":         func(o string) bool { return p.enterprise(o, p.w.enterpriseRegion(o)) },
		"/tickets/":             p.pageTicket,
		"/records/":             p.recordLink,
		"/dashboard/platforms/": func(o string) bool { return o == "export.xlsx" || p.platform(o) },
		"/dashboard/departments/": func(o string) bool {
			return o == "export.xlsx" || p.departmentFigures(o)
		},
	}
	if pg.Doc == nil {
		return
	}
	pg.Doc.Find("main a[href]").Each(func(_ int, s *goqSelection) {
		href, _ := s.Attr("href")
		for prefix, ok := range rules {
			o, found := strings.CutPrefix(href, prefix)
			if !found || o == "" || o == "new" {
				continue
			}
			o, _, _ = strings.Cut(o, "/")
			o, _, _ = strings.Cut(o, "?")
			o, _, _ = strings.Cut(o, "#")
			if !ok(o) {
				t.Errorf("%s: %s links to %s outside its scope", p.login.Username, path, href)
			}
		}
	})
}

func TestEveryPageRespectsScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		admin := env.API(env.Token("admin"))
		w := loadWorld(t, admin)
		seedNotifications(t, env, &w)
		w.pages = filePageTickets(t, admin)
		setupRecords(t, admin, &w)
		setupRecordImport(t, env, &w)
		cases := pageCases()
		browsers := map[string]*apptest.Browser{}
		for _, l := range demo.Logins {
			b := env.Browser()
			b.Login(l.Username, demo.Password)
			browsers[l.Username] = b
		}
		before := snapshot(t, admin)
		var writes []string
		for _, route := range env.App.Web.Routes() {
			c, ok := cases[route]
			if !ok {
				t.Errorf("page %s has no case in the scope test: add one", route)
				continue
			}
			if c.skip {
				continue
			}
			method, pattern, _ := strings.Cut(route, " ")
			if c.write != nil {
				writes = append(writes, route)
			}
			for i, l := range demo.Logins {
				p := policy{w: w, login: l}
				b := browsers[l.Username]
				b.Get("/") // a fresh CSRF token
				switch {
				case c.roleWrite != nil:
					path, form := c.roleWrite(w, l, i)
					want := http.StatusForbidden
					if c.writeBy(p) {
						want = c.roleStatus
						if want == 0 {
							want = http.StatusSeeOther
						}
					}
					if pg := b.Post(path, form); pg.Status != want {
						t.Errorf("%s: POST %s = %d, want %d (alert %q)", l.Username, path, pg.Status, want, pg.Text(".alert"))
					}
				case c.own != nil:
					if c.foreign != nil {
						path, form := c.foreign(w, l)
						if pg := b.Post(path, form); pg.Status != http.StatusForbidden {
							t.Errorf("%s: POST %s (another's) = %d, want 403", l.Username, path, pg.Status)
						}
						b.Get("/")
					}
					path, form := c.own(w, l)
					if pg := b.Post(path, form); pg.Status != http.StatusSeeOther {
						t.Errorf("%s: POST %s (its own) = %d, want 303", l.Username, path, pg.Status)
					}
				case c.write != nil:
					if p.admin() {
						continue
					}
					path, form := c.write(w, admin)
					if pg := b.Post(path, form); pg.Status != http.StatusForbidden {
						t.Errorf("%s: POST %s = %d, want 403", l.Username, path, pg.Status)
					}
				case c.objects != nil:
					for _, o := range c.objects(w) {
						path := strings.NewReplacer("{code}", o, "{username}", o, "{uscc}", o,
							"{id}/attachments/{aid}", o, "{id}", o).Replace(pattern)
						want := http.StatusForbidden
						if c.allowed(p, o) {
							want = http.StatusOK
						}
						pg := b.Get(path)
						if pg.Status != want {
							t.Errorf("%s: GET %s = %d, want %d", l.Username, path, pg.Status, want)
						} else if want == http.StatusOK {
							checkLinks(t, p, path, pg)
						}
					}
				default:
					path := strings.TrimSuffix(pattern, "{$}")
					pg := b.Get(path)
					want := http.StatusForbidden
					if c.open(p) {
						want = http.StatusOK
					} else if c.redirect != nil && c.redirect(p) {
						want = http.StatusSeeOther
					}
					if pg.Status != want {
						t.Errorf("%s: %s %s = %d, want %d", l.Username, method, path, pg.Status, want)
						continue
					}
					if want == http.StatusOK {
						checkLinks(t, p, path, pg)
					}
				}
			}
		}
		if after := snapshot(t, admin); after != before {
			i := 0
			for i < len(after) && i < len(before) && after[i] == before[i] {
				i++
			}
			t.Errorf("denied form posts changed the data: before …%s…, after …%s…", before[max(0, i-200):min(len(before), i+200)],
				after[max(0, i-200):min(len(after), i+200)])
		}
		ab := browsers["admin"]
		for _, route := range writes {
			c := cases[route]
			path, form := c.write(w, admin)
			want := c.adminStatus
			if want == 0 {
				want = http.StatusSeeOther
			}
			ab.Get("/")
			if pg := ab.Post(path, form); pg.Status != want {
				t.Errorf("admin POST %s = %d, want %d (alert %q)", path, pg.Status, want, pg.Text(".alert"))
			}
		}
	})
}

type goqSelection = goquery.Selection
