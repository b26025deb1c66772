package app_test

// The ticket pages' part of the page scope test (REQUIREMENTS R6.1): who may
// open the hotline console, the work queue, a ticket page, the portal, the
// supervision board and the routing and limit settings, restated from
// API.md's roles independently of internal/ticket.

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/ticket"
)

// pageTickets are the tickets the page test files, and those its form
// posts file, fetched when a page links to them.
type pageTickets struct {
	byID        map[string]ticketParties
	ids         []string // in filing order
	attachments []string // "ID/attachments/AID"
	fetch       func(id string) ticketParties
	// rule: a routing rule the admin deletes through the page, made
	// before the scope test takes its snapshot.
	rule string
}

// ticketParties is who stands to a ticket: its assignee and the
// organisations that handled it before ("platform:CODE",
// "department:CODE"), and its enterprise.
type ticketParties struct {
	assignee string
	former   []string
	uscc     string
}

func (pt *pageTickets) of(id string) ticketParties {
	if tp, ok := pt.byID[id]; ok {
		return tp
	}
	tp := pt.fetch(id)
	pt.byID[id] = tp
	return tp
}

// first is the demo enterprise's ticket in 八大关街道.
func (pt *pageTickets) first() string { return pt.ids[0] }

// pageTicket: those who read everything; platform staff when the assignee
// is their platform or below it, or their platform handled it before; a
// department when it handles or handled it; the enterprise its own.
func (p policy) pageTicket(id string) bool {
	tp := p.w.pages.of(id)
	if p.readsAll() {
		return true
	}
	switch kind := p.login.Role.OrgKind(); kind {
	case access.OrgEnterprise:
		return tp.uscc != "" && tp.uscc == p.login.Org
	case access.OrgPlatform, access.OrgDepartment:
		if code, ok := strings.CutPrefix(tp.assignee, "platform:"); ok && kind == access.OrgPlatform && p.platform(code) {
			return true
		}
		me := string(kind) + ":" + p.login.Org
		for _, o := range append([]string{tp.assignee}, tp.former...) {
			if o == me {
				return true
			}
		}
	}
	return false
}

// notesOn: who may add an internal note: the city admin and hotline
// operators, and staff other than auditors who may read the ticket.
func (p policy) notesOn(id string) bool {
	r := p.login.Role
	if r == access.CityAdmin || r == access.HotlineOperator {
		return true
	}
	return r != access.Auditor && r != access.Enterprise && p.pageTicket(id)
}

// attachesTo: who may add a file: the city admin, hotline operators, the
// assignee and the enterprise itself (the test's tickets have no
// co-handlers).
func (p policy) attachesTo(id string) bool {
	tp := p.w.pages.of(id)
	switch r := p.login.Role; {
	case r == access.CityAdmin || r == access.HotlineOperator:
		return true
	case r == access.Enterprise:
		return tp.uscc == p.login.Org
	case r.OrgKind() == access.OrgPlatform || r == access.DepartmentStaff:
		return tp.assignee == string(r.OrgKind())+":"+p.login.Org
	}
	return false
}

func (p policy) console() bool {
	return p.login.Role == access.CityAdmin || p.login.Role == access.HotlineOperator
}

// queue: the roles with a work queue; an enterprise is sent to its portal.
func (p policy) queue() bool {
	return p.readsAll() || p.login.Role.OrgKind() == access.OrgPlatform || p.login.Role == access.DepartmentStaff
}

func (p policy) enterpriseLogin() bool { return p.login.Role == access.Enterprise }

func (p policy) supervises() bool {
	return p.login.Role == access.CityAdmin || p.login.Role == access.Auditor
}

func ticketPageCases() map[string]pageCase {
	street0 := demo.StreetCode("370202", 0)
	return map[string]pageCase{
		"GET /console":             {open: policy.console},
		"GET /console/enterprises": {open: policy.console},
		"GET /console/tickets":     {open: policy.console},
		"POST /console": {
			roleWrite: func(_ world, l demo.Login, _ int) (string, url.Values) {
				return "/console", url.Values{"enterprise_uscc": {demo.DemoEnterprise}, "category": {"consult"},
					"urgency": {"normal"}, "title": {"范围测试来电 " + l.Username}, "content": {"热线受理范围测试"},
					"region_code": {street0}}
			},
			writeBy: policy.console},
		"GET /queue": {open: policy.queue, redirect: policy.enterpriseLogin},
		"GET /tickets/{id}": {objects: func(w world) []string { return w.pages.ids },
			allowed: func(p policy, o string) bool { return p.pageTicket(o) }},
		// An internal note on the ticket of 八大关街道.
		"POST /tickets/{id}/actions": {
			roleWrite: func(w world, l demo.Login, _ int) (string, url.Values) {
				return "/tickets/" + w.pages.first() + "/actions", url.Values{"action": {"note"}, "note": {"范围测试 " + l.Username}}
			},
			writeBy: func(p policy) bool { return p.notesOn(p.w.pages.first()) }},
		// The form carries no file: those allowed are told it is missing.
		"POST /tickets/{id}/attachments": {roleStatus: http.StatusUnprocessableEntity,
			roleWrite: func(w world, _ demo.Login, _ int) (string, url.Values) {
				return "/tickets/" + w.pages.first() + "/attachments", url.Values{}
			},
			writeBy: func(p policy) bool { return p.attachesTo(p.w.pages.first()) }},
		"GET /tickets/{id}/attachments/{aid}": {objects: func(w world) []string { return w.pages.attachments },
			allowed: func(p policy, o string) bool { id, _, _ := strings.Cut(o, "/"); return p.pageTicket(id) }},
		"GET /portal":     {open: policy.enterpriseLogin},
		"GET /portal/new": {open: policy.enterpriseLogin},
		"POST /portal": {
			roleWrite: func(_ world, l demo.Login, _ int) (string, url.Values) {
				return "/portal", url.Values{"category": {"suggestion"}, "title": {"范围测试建议 " + l.Username},
					"content": {"网站提交范围测试"}, "region_code": {street0}}
			},
			writeBy: policy.enterpriseLogin},
		"GET /supervision":      {open: policy.supervises},
		"GET /settings/routing": {open: policy.staff},
		"POST /settings/routing": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/settings/routing", url.Values{"category": {"suggestion"}, "region_code": {"370285"},
				"target": {"platform:P370285"}, "priority": {"1"}}
		}},
		"POST /settings/routing/{id}/delete": {write: func(w world, _ *apptest.APIClient) (string, url.Values) {
			return "/settings/routing/" + w.pages.rule + "/delete", url.Values{}
		}},
		"GET /settings/limits": {open: policy.staff},
		// The table as it stands, saved unchanged.
		"POST /settings/limits": {write: func(world, *apptest.APIClient) (string, url.Values) {
			v := url.Values{}
			for _, l := range ticket.DefaultLimits() {
				for name, n := range map[string]int{"sign_hours": l.SignHours, "sign_days": l.SignDays, "handle_hours": l.HandleHours,
					"handle_days": l.HandleDays, "max_extension_days": l.MaxExtensionDays, "return_days": l.ReturnDays} {
					v.Set(l.Category+"."+l.Urgency+"."+name, strconv.Itoa(n))
				}
			}
			return "/settings/limits", v
		}},
		// New supervision thresholds: a denied post would show in the
		// snapshot, which holds them.
		"POST /settings/supervision": {write: func(world, *apptest.APIClient) (string, url.Values) {
			return "/settings/supervision", url.Values{"warn_hours": {"12"}, "rating_days": {"3"}}
		}},
	}
}

// filePageTickets files the page test's tickets as the city admin: one in
// 八大关街道 (with an attachment), one in 市北区, an infringement of rights
// moved from one department to another, and one moved from a street of
// 黄岛区 to the financing platform; all but the 市北区 one are the demo
// enterprise's.
func filePageTickets(t *testing.T, admin *apptest.APIClient) *pageTickets {
	t.Helper()
	pt := &pageTickets{byID: map[string]ticketParties{}}
	pt.fetch = func(id string) ticketParties {
		r := admin.Do("GET", "/api/v1/tickets/"+id, nil)
		if r.Status != http.StatusOK {
			t.Errorf("GET /api/v1/tickets/%s = %d", id, r.Status)
			return ticketParties{}
		}
		a, _ := r.JSON["assignee"].(map[string]any)
		uscc, _ := r.JSON["enterprise_uscc"].(string)
		return ticketParties{assignee: fmt.Sprintf("%v:%v", a["type"], a["code"]), uscc: uscc}
	}
	file := func(region, category, uscc string, moveTo ...string) string {
		r := admin.Do("POST", "/api/v1/tickets", map[string]any{"channel": "hotline", "enterprise_uscc": uscc,
			"category": category, "title": "范围测试工单", "content": "范围测试", "region_code": region})
		if r.Status != http.StatusCreated {
			t.Fatalf("file ticket: %d %s", r.Status, r.Body)
		}
		id := fmt.Sprint(r.JSON["id"])
		a := r.JSON["assignee"].(map[string]any)
		tp := ticketParties{assignee: fmt.Sprintf("%v:%v", a["type"], a["code"]), uscc: uscc}
		if len(moveTo) == 2 {
			r := admin.Do("POST", "/api/v1/tickets/"+id+"/actions", map[string]any{"action": "transfer",
				"to": map[string]string{"type": moveTo[0], "code": moveTo[1]}, "note": "范围测试转办"})
			if r.Status != http.StatusOK {
				t.Fatalf("transfer %s: %d %s", id, r.Status, r.Body)
			}
			tp.former, tp.assignee = []string{tp.assignee}, moveTo[0]+":"+moveTo[1]
		}
		pt.byID[id] = tp
		pt.ids = append(pt.ids, id)
		return id
	}
	own := demo.DemoEnterprise
	id := file(demo.StreetCode("370202", 0), "consult", own)
	r := admin.Do("POST", "/api/v1/tickets/"+id+"/attachments?name=scope.txt", "范围测试附件")
	if r.Status != http.StatusCreated {
		t.Fatalf("attach: %d %s", r.Status, r.Body)
	}
	pt.attachments = append(pt.attachments, fmt.Sprintf("%s/attachments/%v", id, r.JSON["id"]))
	file(demo.StreetCode("370203", 0), "help", demo.MakeUSCC("91", "370203", "MA2CP003"))
	file(demo.StreetCode("370202", 1), "rights_infringement", own, "department", "SCJGJ")
	file(demo.StreetCode("370211", 0), "consult", own, "platform", "S-FIN")
	r = admin.Do("POST", "/api/v1/ticket-rules", map[string]any{"category": "suggestion", "region_code": "370285",
		"target": map[string]string{"type": "platform", "code": "P370285"}, "priority": 2})
	if r.Status != http.StatusCreated {
		t.Fatalf("POST /api/v1/ticket-rules = %d %s", r.Status, r.Body)
	}
	pt.rule = fmt.Sprint(r.JSON["id"])
	return pt
}
