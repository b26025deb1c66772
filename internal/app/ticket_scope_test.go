package app_test

// The ticket part of the scope test. Who may read a ticket, list it and act
// on it is restated here from API.md's roles table, independently of
// internal/ticket:
//
//   - the city admin, auditors and hotline operators read every ticket;
//   - platform staff read the tickets assigned now to their platform or a
//     platform below it, and those their platform handled before or helps
//     with (co-handler); department staff likewise for their department;
//   - an enterprise reads its own;
//   - lists hold, by default, the tickets assigned now to the caller's
//     platform or below, to its department, or about the enterprise; all
//     for those who read everything; institution staff have none (403).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
)

// ticketFix is a ticket the scope test set up, with what it did to it.
type ticketFix struct {
	id, uscc string
	// handlers are the organisations it was assigned to, in order
	// ("platform:CODE", "department:CODE"); the last is the assignee now.
	handlers   []string
	co         []string // co-handlers
	attachment string   // id of an attachment on it
}

func (f ticketFix) assignee() string { return f.handlers[len(f.handlers)-1] }

// org is the login's organisation as an assignee ("" for roles without one).
func (p policy) org() string {
	switch p.login.Role.OrgKind() {
	case access.OrgPlatform:
		return "platform:" + p.login.Org
	case access.OrgDepartment:
		return "department:" + p.login.Org
	}
	return ""
}

// below reports whether an assignee is a platform at or below the login's
// own platform.
func (p policy) below(assignee string) bool {
	code, ok := strings.CutPrefix(assignee, "platform:")
	if !ok || p.login.Role.OrgKind() != access.OrgPlatform {
		return false
	}
	for _, a := range p.w.ancestors(code) {
		if a == p.login.Org {
			return true
		}
	}
	return false
}

// ticketListed: the default list scope of API.md.
func (p policy) ticketListed(assignee, uscc string) bool {
	switch {
	case p.readsAll():
		return true
	case p.login.Role == access.Enterprise:
		return uscc == p.login.Org
	case p.login.Role.OrgKind() == access.OrgPlatform:
		return p.below(assignee)
	case p.login.Role == access.DepartmentStaff:
		return assignee == p.org()
	}
	return false
}

// listsTickets: every role but institution staff has a ticket list.
func (p policy) listsTickets() bool {
	return p.readsAll() || p.login.Role == access.Enterprise || p.login.Role.OrgKind() == access.OrgPlatform ||
		p.login.Role == access.DepartmentStaff
}

// ticketRead: the default list scope, plus what the organisation handled
// before or helps with.
func (p policy) ticketRead(f ticketFix) bool {
	if p.ticketListed(f.assignee(), f.uscc) {
		return true
	}
	me := p.org()
	if me == "" {
		return false
	}
	for _, a := range append(append([]string{}, f.handlers...), f.co...) {
		if a == me {
			return true
		}
	}
	return false
}

// createsTicketIn: the city admin and hotline operators anywhere, an
// enterprise for itself, platform staff at their windows in their own
// platform's region; nobody else.
func (p policy) createsTicketIn(region, uscc string) bool {
	switch {
	case p.login.Role == access.CityAdmin, p.login.Role == access.HotlineOperator:
		return true
	case p.login.Role == access.Enterprise:
		return uscc == p.login.Org
	case p.login.Role.OrgKind() == access.OrgPlatform:
		return strings.HasPrefix(region, access.RegionPrefix(p.w.platRegion[p.login.Org]))
	}
	return false
}

var (
	scopeStreet = demo.StreetCode("370202", 0) // the street login's platform's street
	otherUSCC   = demo.MakeUSCC("91", "370203", "MA3K0001")
	scopePDF    = []byte("%PDF-1.4\n% scope test\n%%EOF\n")
)

func scopeTicketBody(region, category, uscc string) map[string]any {
	return map[string]any{"channel": "hotline", "enterprise_uscc": uscc, "category": category, "title": "范围测试工单",
		"content": "用于检查各角色可见范围的工单。", "region_code": region, "contact_name": "王芳", "contact_phone": "13900000000"}
}

func assigneeString(m map[string]any) string {
	a, _ := m["assignee"].(map[string]any)
	return fmt.Sprintf("%v:%v", a["type"], a["code"])
}

func jsonID(m map[string]any) string {
	f, _ := m["id"].(float64)
	return fmt.Sprintf("%.0f", f)
}

// setupTickets records the tickets of the scope test: assigned to the
// street login's platform, to a platform of another district, to the
// department login's department, handled before by the street and the
// department, helped by the specialised platform, at the city, and at a
// street without a platform. Each gets an attachment. A routing rule is
// added so the rule list is not empty.
func setupTickets(t *testing.T, admin, hotline *apptest.APIClient, w *world) {
	t.Helper()
	w.tickets = map[string]ticketFix{}
	create := func(region, category, uscc string) ticketFix {
		t.Helper()
		r := hotline.Do("POST", "/api/v1/tickets", scopeTicketBody(region, category, uscc))
		if r.Status != http.StatusCreated {
			t.Fatalf("create ticket in %s: %d %s", region, r.Status, r.Body)
		}
		return ticketFix{id: jsonID(r.JSON), uscc: uscc, handlers: []string{assigneeString(r.JSON)}}
	}
	act := func(f *ticketFix, body map[string]any) {
		t.Helper()
		r := admin.Do("POST", "/api/v1/tickets/"+f.id+"/actions", body)
		if r.Status != http.StatusOK {
			t.Fatalf("%v on %s: %d %s", body, f.id, r.Status, r.Body)
		}
		if a := assigneeString(r.JSON); a != f.assignee() {
			f.handlers = append(f.handlers, a)
		}
	}
	transfer := func(f *ticketFix, typ, code string) {
		if f.assignee() != typ+":"+code {
			act(f, map[string]any{"action": "transfer", "to": map[string]any{"type": typ, "code": code}, "note": "范围测试改派"})
		}
	}

	street := create(scopeStreet, "help", demo.DemoEnterprise)
	other := create("370203", "help", otherUSCC)
	dept := create(scopeStreet, "rights_infringement", demo.DemoEnterprise)
	transfer(&dept, "department", "SCJGJ")
	handledByStreet := create(scopeStreet, "help", demo.DemoEnterprise)
	transfer(&handledByStreet, "platform", "P370203001")
	handledByDept := create(scopeStreet, "rights_infringement", otherUSCC)
	transfer(&handledByDept, "department", "SCJGJ")
	transfer(&handledByDept, "department", "FGW")
	helped := create("370203", "help", otherUSCC)
	act(&helped, map[string]any{"action": "co_handler", "to": map[string]any{"type": "platform", "code": "S-FIN"}})
	helped.co = append(helped.co, "platform:S-FIN")
	city := create("370200", "suggestion", demo.DemoEnterprise)
	noPlatform := create(demo.StreetCode("370202", 4), "help", otherUSCC)

	for _, f := range []ticketFix{street, other, dept, handledByStreet, handledByDept, helped, city, noPlatform} {
		r := admin.Do("POST", "/api/v1/tickets/"+f.id+"/attachments?name=scope.pdf", scopePDF)
		if r.Status != http.StatusCreated {
			t.Fatalf("attach to %s: %d %s", f.id, r.Status, r.Body)
		}
		f.attachment = jsonID(r.JSON)
		w.tickets[f.id] = f
	}
	// The fixtures route as API.md says, or the policy above means little.
	for f, want := range map[*ticketFix]string{&street: "platform:P" + scopeStreet, &other: "platform:P370203",
		&city: "platform:P370200", &noPlatform: "platform:P370202", &dept: "department:SCJGJ"} {
		if f.assignee() != want {
			t.Fatalf("ticket %s assigned to %s, want %s", f.id, f.assignee(), want)
		}
	}
	r := admin.Do("POST", "/api/v1/ticket-rules", map[string]any{"category": "suggestion", "region_code": "370211",
		"target": map[string]any{"type": "department", "code": "GXJ"}, "priority": 1})
	if r.Status != http.StatusCreated {
		t.Fatalf("add rule: %d %s", r.Status, r.Body)
	}
	w.newTicket = func() string {
		return create(scopeStreet, "help", demo.DemoEnterprise).id
	}
}

// ticketSnapshot is every set-up ticket as the admin reads it, with its
// events and attachments, to prove refused writes changed nothing.
func ticketSnapshot(t *testing.T, admin *apptest.APIClient, w world) string {
	t.Helper()
	var b strings.Builder
	for _, id := range ticketIDs(w) {
		r := admin.Do("GET", "/api/v1/tickets/"+id, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET ticket %s: %d", id, r.Status)
		}
		b.Write(r.Body)
	}
	return b.String()
}

func ticketIDs(w world) []string {
	out := make([]string, 0, len(w.tickets))
	for id := range w.tickets {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func ticketAPICases() map[string]apiCase {
	readable := func(p policy, o string) bool { return p.ticketRead(p.w.tickets[o]) }
	staffOnly := func(p policy) bool { return p.staff() }
	all := func(policy, string) bool { return true }
	return map[string]apiCase{
		"GET /api/v1/tickets": {listKey: "id", allowedAny: policy.listsTickets, listComplete: true,
			listItem: func(p policy, it map[string]any) bool {
				uscc, _ := it["enterprise_uscc"].(string)
				return p.ticketListed(assigneeString(it), uscc)
			}},
		"GET /api/v1/tickets/{id}": {objects: ticketIDs, allowed: readable},
		"GET /api/v1/tickets/{id}/attachments/{attachment}": {objects: ticketIDs, allowed: readable,
			pathOf: func(w world, o string) string {
				return "/api/v1/tickets/" + o + "/attachments/" + w.tickets[o].attachment
			}},
		"POST /api/v1/tickets": {
			roleWrite: func(world, demo.Login, int) (string, any) {
				return "/api/v1/tickets", scopeTicketBody(scopeStreet, "consult", demo.DemoEnterprise)
			},
			writeBy: func(p policy, _ world) bool { return p.createsTicketIn(scopeStreet, demo.DemoEnterprise) }},
		// Signing a fresh ticket: its assignee, and the city admin who
		// may take every action.
		"POST /api/v1/tickets/{id}/actions": {
			roleWrite: func(w world, _ demo.Login, _ int) (string, any) {
				return "/api/v1/tickets/" + w.newTicket() + "/actions", map[string]any{"action": "sign"}
			},
			writeBy: func(p policy, _ world) bool { return p.admin() || p.org() == "platform:P"+scopeStreet }},
		// Attaching to a fresh ticket: the city admin, hotline operators,
		// the assignee and the enterprise itself (not the platforms above,
		// not the auditor).
		"POST /api/v1/tickets/{id}/attachments": {
			roleWrite: func(w world, _ demo.Login, _ int) (string, any) {
				return "/api/v1/tickets/" + w.newTicket() + "/attachments?name=scope.pdf", scopePDF
			},
			writeBy: func(p policy, _ world) bool {
				return p.admin() || p.login.Role == access.HotlineOperator || p.org() == "platform:P"+scopeStreet ||
					p.login.Org == demo.DemoEnterprise
			}},
		"GET /api/v1/ticket-rules":  {listKey: "id", allowedAny: staffOnly, allowed: all},
		"GET /api/v1/ticket-limits": {listKey: "category", allowedAny: staffOnly, allowed: all},
		"POST /api/v1/ticket-rules": {write: func(world) (string, any) {
			return "/api/v1/ticket-rules", map[string]any{"category": "complaint", "region_code": "370202",
				"target": map[string]any{"type": "platform", "code": "P370202"}, "priority": 99}
		}},
		"DELETE /api/v1/ticket-rules/{id}": {write: func(world) (string, any) {
			return "/api/v1/ticket-rules/1", nil
		}},
		"PUT /api/v1/ticket-limits/{category}/{urgency}": {write: func(world) (string, any) {
			return "/api/v1/ticket-limits/complaint/normal", map[string]any{"sign_days": 1, "handle_days": 1}
		}},
		// The supervision thresholds: staff read them, the city sets them.
		"GET /api/v1/ticket-supervision": {allowedAny: staffOnly},
		"PUT /api/v1/ticket-supervision": {write: func(world) (string, any) {
			return "/api/v1/ticket-supervision", map[string]any{"warn_hours": 12, "rating_days": 3}
		}},
	}
}

// ---- actions by role ----

// mayAct restates who may take each action on a ticket assigned to
// assignee, about the enterprise uscc (API.md roles and transitions tables,
// and Qifu's additions); target is where a transfer sends it.
func (p policy) mayAct(action string, assignee, uscc, target string) bool {
	if p.admin() {
		return true // every action
	}
	isAssignee := p.org() != "" && p.org() == assignee
	superior := !isAssignee && p.below(assignee)
	hotline := p.login.Role == access.HotlineOperator
	own := p.login.Role == access.Enterprise && uscc == p.login.Org
	switch action {
	case "sign", "return", "extend", "reply":
		return isAssignee
	case "transfer":
		// platform staff, on their own platform's tickets or those below
		// it, to platforms below their own
		return (isAssignee || superior) && p.login.Role.OrgKind() == access.OrgPlatform && p.below(target) &&
			target != p.org()
	case "rate":
		return own || hotline
	case "visit":
		return hotline
	case "close", "supervise":
		return false // the city admin only
	case "urge":
		return superior
	case "note":
		return hotline || isAssignee || superior
	case "co_handler":
		return isAssignee
	case "merge":
		return hotline || isAssignee
	}
	return false
}

// TestTicketActionsByRole sends every action as every demo login to a
// street platform's ticket and to a department's, each in a status the
// action is allowed from: it succeeds exactly for those the roles table
// allows; everyone else gets 403 and the ticket is unchanged.
func TestTicketActionsByRole(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		clients := map[string]*apptest.APIClient{}
		for _, l := range demo.Logins {
			clients[l.Username] = env.API(env.Token(l.Username))
		}
		admin := clients["admin"]
		w := loadWorld(t, admin)
		// Rights infringements in the street go to the department login's
		// department.
		if r := admin.Do("POST", "/api/v1/ticket-rules", map[string]any{"category": "rights_infringement", "region_code": scopeStreet,
			"target": map[string]any{"type": "department", "code": "SCJGJ"}, "priority": 10}); r.Status != http.StatusCreated {
			t.Fatalf("rule: %d %s", r.Status, r.Body)
		}
		kinds := []struct{ category, assignee string }{
			{"help", "platform:P" + scopeStreet},
			{"rights_infringement", "department:SCJGJ"},
		}
		const target = "P370202002" // a street platform under the district login's
		statusFor := map[string]string{"sign": "dispatched", "return": "dispatched", "transfer": "dispatched",
			"extend": "signed", "reply": "signed", "rate": "replied", "visit": "replied", "close": "replied",
			"supervise": "dispatched", "urge": "dispatched", "note": "dispatched", "co_handler": "dispatched", "merge": "dispatched"}
		do := func(id string, body map[string]any) map[string]any {
			t.Helper()
			r := admin.Do("POST", "/api/v1/tickets/"+id+"/actions", body)
			if r.Status != http.StatusOK {
				t.Fatalf("prepare %s: %v: %d %s", id, body, r.Status, r.Body)
			}
			return r.JSON
		}
		for _, k := range kinds {
			fresh := func(status string) string {
				t.Helper()
				r := clients["hotline"].Do("POST", "/api/v1/tickets", scopeTicketBody(scopeStreet, k.category, demo.DemoEnterprise))
				if r.Status != http.StatusCreated || assigneeString(r.JSON) != k.assignee {
					t.Fatalf("create: %d %s, want assigned to %s", r.Status, r.Body, k.assignee)
				}
				id := jsonID(r.JSON)
				if status == "signed" || status == "replied" {
					do(id, map[string]any{"action": "sign"})
				}
				if status == "replied" {
					do(id, map[string]any{"action": "reply", "note": "已答复"})
				}
				return id
			}
			first := fresh("dispatched") // what merges go into
			shared := map[string]string{}
			for _, action := range ticketActions {
				body := map[string]any{"action": action, "note": "范围测试"}
				switch action {
				case "transfer":
					body["to"] = map[string]any{"type": "platform", "code": target}
				case "extend":
					body["days"] = 1
				case "rate", "visit":
					body["satisfied"] = true
				case "co_handler":
					body["to"] = map[string]any{"type": "department", "code": "FGW"}
				case "merge":
					body["into"] = json.Number(first)
				}
				for _, l := range demo.Logins {
					p := policy{w: w, login: l}
					allowed := p.mayAct(action, k.assignee, demo.DemoEnterprise, "platform:"+target)
					status := statusFor[action]
					var id string
					if allowed {
						id = fresh(status)
					} else {
						if shared[status] == "" {
							shared[status] = fresh(status)
						}
						id = shared[status]
					}
					before := admin.Do("GET", "/api/v1/tickets/"+id, nil)
					r := clients[l.Username].Do("POST", "/api/v1/tickets/"+id+"/actions", body)
					switch {
					case allowed && r.Status != http.StatusOK:
						t.Errorf("%s on a %s ticket by %s: %d %s, want 200", action, k.assignee, l.Username, r.Status, r.Body)
					case !allowed && r.Status != http.StatusForbidden:
						t.Errorf("%s on a %s ticket by %s: %d %s, want 403", action, k.assignee, l.Username, r.Status, r.Body)
					case !allowed:
						if after := admin.Do("GET", "/api/v1/tickets/"+id, nil); string(after.Body) != string(before.Body) {
							t.Errorf("%s by %s was refused but changed the ticket", action, l.Username)
						}
					}
				}
			}
		}
	})
}

var ticketActions = []string{"sign", "transfer", "return", "extend", "reply", "close", "rate", "visit", "supervise",
	"urge", "note", "co_handler", "merge"}
