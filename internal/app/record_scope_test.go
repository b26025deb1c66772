package app_test

// The service records' part of the scope test (REQUIREMENTS R4.3, R6.1).
// Who may read, record and correct a record is restated here independently
// of internal/record:
//
//   - the city admin, auditors and hotline operators read every record;
//     platform staff those of their platform and the platforms below it;
//     department staff their department's (from the tickets it closed); an
//     enterprise the services it received; institution staff none (403);
//   - the city admin records and corrects services of any platform,
//     platform staff of theirs and those below it; nobody else does, and a
//     department's record is corrected by the city admin only.

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/tabular"
)

// recordFix is a record the scope test set up: its platform or department
// and its enterprise.
type recordFix struct {
	id, platform, department, uscc string
}

// readsRecords: every role but institution staff has records to list.
func (p policy) readsRecords() bool { return p.login.Role != access.InstitutionStaff }

// record: whether the login may read a record.
func (p policy) record(f recordFix) bool {
	switch r := p.login.Role; {
	case p.readsAll():
		return true
	case r.OrgKind() == access.OrgPlatform:
		return f.platform != "" && p.platform(f.platform)
	case r == access.DepartmentStaff:
		return f.department != "" && f.department == p.login.Org
	case r == access.Enterprise:
		return f.uscc == p.login.Org
	}
	return false
}

// recordsFor: whether the login may record (and correct) services of a
// platform.
func (p policy) recordsFor(platform string) bool {
	switch r := p.login.Role; {
	case r == access.CityAdmin:
		return true
	case r.OrgKind() == access.OrgPlatform:
		return p.platform(platform)
	}
	return false
}

// recordsAny: whether the login records services at all.
func (p policy) recordsAny() bool {
	return p.login.Role == access.CityAdmin || p.login.Role.OrgKind() == access.OrgPlatform
}

// recordOf reads a record's facts from a list item or a record answer.
func recordOf(it map[string]any) recordFix {
	s := func(k string) string { v, _ := it[k].(string); return v }
	return recordFix{id: jsonID(it), platform: s("platform_code"), department: s("department_code"), uscc: s("enterprise_uscc")}
}

// setupRecords records the scope test's services: at the street login's
// platform, at its district's platform, at a street of another district, at
// the financing platform, and a department's from a ticket it closed.
// w.newRecord records one more at a platform, for a correction.
func setupRecords(t *testing.T, admin *apptest.APIClient, w *world) {
	t.Helper()
	w.records = map[string]recordFix{}
	other := ""
	for _, code := range keys(w.enterprises) {
		if strings.HasPrefix(w.enterprises[code], "370203") {
			other = code
			break
		}
	}
	if other == "" {
		t.Fatal("no registered enterprise in 市北区")
	}
	create := func(platform, uscc string) string {
		t.Helper()
		r := admin.Do("POST", "/api/v1/service-records", map[string]any{"platform_code": platform, "enterprise_uscc": uscc,
			"kind": "consultation", "service_area": "information", "date": "2026-11-20", "note": "范围测试服务"})
		if r.Status != http.StatusCreated {
			t.Fatalf("record a service at %s: %d %s", platform, r.Status, r.Body)
		}
		f := recordOf(r.JSON)
		w.records[f.id] = f
		return f.id
	}
	create(demo.PlatformCode(scopeStreet), demo.DemoEnterprise)
	create("P370202", other)
	create("P370203001", other)
	create("S-FIN", demo.DemoEnterprise)
	// A department's record: a ticket it handled, closed by the city.
	r := admin.Do("POST", "/api/v1/tickets", scopeTicketBody(scopeStreet, "rights_infringement", demo.DemoEnterprise))
	if r.Status != http.StatusCreated {
		t.Fatalf("file ticket: %d %s", r.Status, r.Body)
	}
	id := jsonID(r.JSON)
	steps := []map[string]any{{"action": "sign"}, {"action": "reply", "note": "已答复"}, {"action": "close"}}
	if assigneeString(r.JSON) != "department:SCJGJ" {
		steps = append([]map[string]any{{"action": "transfer", "to": map[string]any{"type": "department", "code": "SCJGJ"},
			"note": "范围测试改派"}}, steps...)
	}
	for _, body := range steps {
		if r := admin.Do("POST", "/api/v1/tickets/"+id+"/actions", body); r.Status != http.StatusOK {
			t.Fatalf("%v on %s: %d %s", body, id, r.Status, r.Body)
		}
	}
	items := admin.Do("GET", "/api/v1/service-records?ticket_id="+id, nil).Items()
	if len(items) != 1 || items[0]["department_code"] != "SCJGJ" {
		t.Fatalf("the closed ticket's record: %v", items)
	}
	f := recordOf(items[0])
	w.records[f.id] = f
	w.newRecord = func(platform string) string { return create(platform, demo.DemoEnterprise) }
	w.fetchRecord = func(id string) recordFix {
		r := admin.Do("GET", "/api/v1/service-records/"+id, nil)
		if r.Status != http.StatusOK {
			t.Errorf("GET /api/v1/service-records/%s = %d", id, r.Status)
		}
		return recordOf(r.JSON)
	}
}

func recordIDs(w world) []string {
	out := make([]string, 0, len(w.records))
	for id := range w.records {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func recordAPICases() map[string]apiCase {
	streetPlatform := demo.PlatformCode(scopeStreet)
	return map[string]apiCase{
		"GET /api/v1/service-records": {listKey: "id", allowedAny: policy.readsRecords, listComplete: true,
			listItem: func(p policy, it map[string]any) bool { return p.record(recordOf(it)) }},
		"GET /api/v1/service-records/{id}": {objects: recordIDs,
			allowed: func(p policy, o string) bool { return p.record(p.w.records[o]) }},
		"POST /api/v1/service-records": {
			roleWrite: func(_ world, l demo.Login, _ int) (string, any) {
				return "/api/v1/service-records", map[string]any{"platform_code": streetPlatform, "enterprise_uscc": demo.DemoEnterprise,
					"kind": "training", "service_area": "talent_training", "date": "2026-11-25", "note": "范围测试 " + l.Username}
			},
			writeBy: func(p policy, _ world) bool { return p.recordsFor(streetPlatform) }},
		// Each login corrects a fresh record of the street login's platform.
		"POST /api/v1/service-records/{id}/correction": {
			roleWrite: func(w world, l demo.Login, _ int) (string, any) {
				return "/api/v1/service-records/" + w.newRecord(streetPlatform) + "/correction",
					map[string]any{"reason": "范围测试 " + l.Username, "service_area": "legal_aid"}
			},
			writeBy: func(p policy, _ world) bool { return p.recordsFor(streetPlatform) }},
	}
}

// recordLink is the scope rule of links to /records/ID on pages.
func (p policy) recordLink(id string) bool {
	if strings.Trim(id, "0123456789") != "" {
		return true // /records/new, /records/import …
	}
	f, ok := p.w.records[id]
	if !ok {
		f = p.w.fetchRecord(id)
		p.w.records[id] = f
	}
	return p.record(f)
}

// setupRecordImport keeps an import the street login ran (with a rejected
// row, so it has a report) for the import pages.
func setupRecordImport(t *testing.T, env *apptest.Env, w *world) {
	t.Helper()
	ctx := t.Context()
	p, err := env.App.Org.Platform(ctx, apptest.System, demo.PlatformCode(scopeStreet))
	if err != nil {
		t.Fatal(err)
	}
	street := access.Actor{Username: "street", Role: access.StreetStaff, OrgCode: p.Code, PlatformPath: p.Path, RegionCode: p.RegionCode}
	ledger := "统一社会信用代码,服务类型,功能服务区,服务日期\n" + demo.DemoEnterprise + ",培训,人才培训,2026-10-09\n" +
		demo.DemoEnterprise + ",走访,信息服务,2026-10-09\n"
	r, err := tabular.Open(strings.NewReader(ledger), int64(len(ledger)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := env.App.Record.Import(ctx, street, r, record.ImportOptions{Name: "scope.csv"})
	if err != nil || res.Rejected != 1 {
		t.Fatalf("import: %+v %v", res.ImportProgress, err)
	}
	run, err := env.App.Record.KeepImport(ctx, street, "scope.csv", res, []byte("report"))
	if err != nil {
		t.Fatal(err)
	}
	w.recordImport = jsonNumberOf(run.ID)
}

func jsonNumberOf(id int64) string { return strconv.FormatInt(id, 10) }

// readsImport: the one who ran an import (the street login here), the city
// admin and auditors.
func (p policy) readsImport() bool {
	return p.login.Username == "street" || p.login.Role == access.CityAdmin || p.login.Role == access.Auditor
}

// correctsRecord: the city admin any record; platform staff those of their
// platform and below; a department's record only the city admin.
func (p policy) correctsRecord(f recordFix) bool {
	if f.department != "" {
		return p.admin()
	}
	return p.recordsFor(f.platform)
}

func recordPageCases() map[string]pageCase {
	streetPlatform := demo.PlatformCode(scopeStreet)
	imports := func(w world) []string { return []string{w.recordImport} }
	return map[string]pageCase{
		"GET /records":             {open: policy.readsRecords},
		"GET /records/export.xlsx": {open: policy.readsRecords},
		"GET /records/new":         {open: policy.recordsAny},
		"GET /records/enterprises": {open: policy.recordsAny},
		"GET /records/import":      {open: policy.recordsAny},
		"POST /records": {
			roleWrite: func(_ world, l demo.Login, _ int) (string, url.Values) {
				return "/records", url.Values{"platform_code": {streetPlatform}, "enterprise_uscc": {demo.DemoEnterprise},
					"kind": {"event"}, "service_area": {"market_expansion"}, "date": {"2026-11-24"}, "note": {"范围测试 " + l.Username}}
			},
			writeBy: func(p policy) bool { return p.recordsFor(streetPlatform) }},
		"GET /records/{id}": {objects: recordIDs,
			allowed: func(p policy, o string) bool { return p.record(p.w.records[o]) }},
		"GET /records/{id}/correct": {objects: recordIDs,
			allowed: func(p policy, o string) bool { return p.correctsRecord(p.w.records[o]) }},
		// Each login corrects a fresh record of the street login's platform.
		"POST /records/{id}/correct": {
			roleWrite: func(w world, l demo.Login, _ int) (string, url.Values) {
				return "/records/" + w.newRecord(streetPlatform) + "/correct",
					url.Values{"reason": {"范围测试 " + l.Username}, "service_area": {"legal_aid"}}
			},
			writeBy: func(p policy) bool { return p.recordsFor(streetPlatform) }},
		// The form carries no file: those allowed are told it is missing.
		"POST /records/import": {roleStatus: http.StatusUnprocessableEntity,
			roleWrite: func(world, demo.Login, int) (string, url.Values) { return "/records/import", url.Values{} },
			writeBy:   policy.recordsAny},
		"GET /record-imports/{id}":             {objects: imports, allowed: func(p policy, _ string) bool { return p.readsImport() }},
		"GET /record-imports/{id}/report.xlsx": {objects: imports, allowed: func(p policy, _ string) bool { return p.readsImport() }},
	}
}
