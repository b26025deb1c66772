package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/demo"
)

func TestRegionCreateThroughForm(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("admin", demo.Password)

		// Coming from a district's page, the form offers districts only as
		// parents and has the district chosen.
		form := b.Get("/regions/new?level=street&parent_code=370202")
		if form.Status != http.StatusOK {
			t.Fatalf("GET /regions/new = %d", form.Status)
		}
		if v, _ := form.Doc.Find(`#f-parent_code option[selected]`).Attr("value"); v != "370202" {
			t.Errorf("parent preselected = %q, want 370202", v)
		}
		if form.Count(`#f-parent_code option[value="370200"]`) != 0 {
			t.Errorf("the city is offered as the parent of a street")
		}

		p := b.Post("/regions", url.Values{"code": {"370202007"}, "name": {"金门路街道"}, "level": {"street"},
			"parent_code": {"370202"}, "key_street": {"on"}})
		if p.Status != http.StatusSeeOther || p.Location != "/regions/370202007" {
			t.Fatalf("create: status %d location %q alert %q", p.Status, p.Location, p.Text(".alert"))
		}
		view := b.Get(p.Location)
		if got := view.Text("h1"); !strings.Contains(got, "金门路街道") || !strings.Contains(got, "重点街道") {
			t.Errorf("region page h1 = %q, want the name and the key-street badge", got)
		}
		if view.Text(".flash") == "" {
			t.Errorf("no confirmation after creating the region")
		}
		if view.Count(`nav a[href="/regions/370202"]`) == 0 || view.Count(`nav a[href="/regions/370200"]`) == 0 {
			t.Errorf("the chain of parent regions does not link to 市南区 and 青岛市")
		}
		// A new street has no platform yet; the admin is offered to add one.
		if view.Text(`section:has(#platforms-h) .empty`) == "" {
			t.Errorf("the new street's page does not say it has no platform yet")
		}
		if view.Count(`a[href="/platforms/new?region_code=370202007"]`) != 1 {
			t.Errorf("no link to set up a platform in the new street")
		}

		list := b.Get("/regions?parent_code=370202")
		if list.Count(`a[href="/regions/370202007"]`) == 0 {
			t.Errorf("new street not listed under 市南区")
		}
		// The list shows the comprehensive platform of each street, or that
		// there is none.
		if list.Count(`a[href="/platforms/P370202001"]`) != 1 {
			t.Errorf("the street platform of 八大关街道 is not shown in the list")
		}
		row := list.Doc.Find(`tr:has(a[href="/regions/370202004"])`)
		if !strings.Contains(row.Text(), "未建平台") {
			t.Errorf("a street without a platform is not marked so: %q", strings.TrimSpace(row.Text()))
		}
	})
}

func TestRegionFormErrorsNameTheField(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("admin", demo.Password)
		b.Get("/regions/new")

		// Eight digits: neither a district nor a street code.
		p := b.Post("/regions", url.Values{"code": {"37020207"}, "name": {"错码街道"}, "level": {"street"}, "parent_code": {"370202"}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", p.Status)
		}
		if msg := p.Text("#err-code"); !strings.Contains(msg, "9位") {
			t.Errorf("#err-code = %q, want the 9-digit rule; alert %q", msg, p.Text(".alert"))
		}
		if v, _ := p.Doc.Find("#f-code").Attr("aria-invalid"); v != "true" {
			t.Errorf("the code input is not marked invalid")
		}
		if v, _ := p.Doc.Find("#f-code").Attr("value"); v != "37020207" {
			t.Errorf("typed code lost: %q", v)
		}
		if v, _ := p.Doc.Find("#f-name").Attr("value"); v != "错码街道" {
			t.Errorf("typed name lost: %q", v)
		}
		if v, _ := p.Doc.Find("#f-level option[selected]").Attr("value"); v != "street" {
			t.Errorf("chosen level lost: %q", v)
		}
		if v, _ := p.Doc.Find("#f-parent_code option[selected]").Attr("value"); v != "370202" {
			t.Errorf("chosen parent lost: %q", v)
		}
		if got := b.Get("/regions/37020207"); got.Status != http.StatusNotFound {
			t.Errorf("rejected region exists: GET = %d", got.Status)
		}

		// A code that exists already.
		p = b.Post("/regions", url.Values{"code": {"370202001"}, "name": {"重复街道"}, "level": {"street"}, "parent_code": {"370202"}})
		if p.Status != http.StatusConflict {
			t.Fatalf("duplicate: status %d, want 409", p.Status)
		}
		if p.Text("#err-code") == "" || p.Text(".alert") == "" {
			t.Errorf("duplicate code: no message (field %q, alert %q)", p.Text("#err-code"), p.Text(".alert"))
		}
		if got := b.Get("/regions/370202001"); !strings.Contains(got.Text("h1"), "八大关街道") {
			t.Errorf("the existing region changed: h1 %q", got.Text("h1"))
		}
	})
}

func TestRegionEditKeepsCodeFixed(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("admin", demo.Password)

		form := b.Get("/regions/370202001/edit")
		if form.Status != http.StatusOK {
			t.Fatalf("GET edit = %d", form.Status)
		}
		if _, ro := form.Doc.Find("#f-code").Attr("readonly"); !ro {
			t.Errorf("the code is editable")
		}
		if _, ro := form.Doc.Find("#f-level").Attr("readonly"); !ro {
			t.Errorf("the level is editable")
		}
		if form.Count(`#f-key_street[checked]`) != 1 {
			t.Errorf("the key-street box does not show the stored flag")
		}
		// A tampered code is ignored; the box left unticked clears the flag.
		p := b.Post("/regions/370202001", url.Values{"code": {"370202999"}, "name": {"八大关街道办事处"}})
		if p.Status != http.StatusSeeOther || p.Location != "/regions/370202001" {
			t.Fatalf("update: status %d location %q alert %q", p.Status, p.Location, p.Text(".alert"))
		}
		view := b.Get(p.Location)
		if got := view.Text("h1"); !strings.Contains(got, "八大关街道办事处") || strings.Contains(got, "重点街道") {
			t.Errorf("after edit h1 = %q, want the new name without the key-street badge", got)
		}
		if got := b.Get("/regions/370202999"); got.Status != http.StatusNotFound {
			t.Errorf("the code changed: GET new code = %d", got.Status)
		}

		// An empty name is refused next to the field, the stored name kept.
		p = b.Post("/regions/370202001", url.Values{"name": {" "}})
		if p.Status != http.StatusUnprocessableEntity || p.Text("#err-name") == "" {
			t.Errorf("empty name: status %d, #err-name %q", p.Status, p.Text("#err-name"))
		}
		if v, _ := p.Doc.Find("#f-code").Attr("value"); v != "370202001" {
			t.Errorf("re-rendered edit form shows code %q", v)
		}
	})
}

func TestDepartmentCreateThroughForm(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("admin", demo.Password)
		if form := b.Get("/departments/new"); form.Count(`input[type="checkbox"][name="categories"]`) != 5 {
			t.Fatalf("department form: %d category boxes, want 5", form.Count(`input[name="categories"]`))
		}

		p := b.Post("/departments", url.Values{"code": {"!"}, "name": {"市应急管理局"}, "categories": {"complaint"}})
		if p.Status != http.StatusUnprocessableEntity || p.Text("#err-code") == "" {
			t.Fatalf("bad code: status %d, #err-code %q", p.Status, p.Text("#err-code"))
		}
		if p.Count(`input[name="categories"][value="complaint"][checked]`) != 1 {
			t.Errorf("ticked category lost on the rejected form")
		}

		p = b.Post("/departments", url.Values{"code": {"YJJ"}, "name": {"市应急管理局"},
			"categories": {"rights_infringement", "complaint"}})
		if p.Status != http.StatusSeeOther || p.Location != "/departments/YJJ" {
			t.Fatalf("create: status %d location %q alert %q", p.Status, p.Location, p.Text(".alert"))
		}
		view := b.Get(p.Location)
		if got := view.Text("#categories"); !strings.Contains(got, "投诉") || !strings.Contains(got, "侵害企业权益") {
			t.Errorf("categories shown %q, want 投诉 and 侵害企业权益", got)
		}
		list := b.Get("/departments?category=complaint")
		if list.Count(`a[href="/departments/YJJ"]`) == 0 {
			t.Errorf("new department not listed under its category")
		}
		if list.Count(`a[href="/departments/KJJ"]`) != 0 {
			t.Errorf("category filter lists 市科学技术局, which handles no complaints")
		}

		// Unticking every box removes the categories.
		p = b.Post("/departments/YJJ", url.Values{"name": {"市应急管理局"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("update: status %d alert %q", p.Status, p.Text(".alert"))
		}
		if got := b.Get("/departments/YJJ"); got.Count("#categories li") != 0 {
			t.Errorf("categories still shown after clearing them: %q", got.Text("#categories"))
		}

		p = b.Post("/departments", url.Values{"code": {"YJJ"}, "name": {"另一个部门"}})
		if p.Status != http.StatusConflict || p.Text("#err-code") == "" {
			t.Errorf("duplicate department: status %d, #err-code %q", p.Status, p.Text("#err-code"))
		}
	})
}

func TestDepartmentStaffSeesOnlyItsDepartment(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("department", demo.Password) // 市市场监督管理局 (SCJGJ)

		list := b.Get("/departments")
		if list.Status != http.StatusOK {
			t.Fatalf("GET /departments = %d", list.Status)
		}
		if n := list.Count("table.data tbody tr"); n != 1 || list.Count(`a[href="/departments/SCJGJ"]`) == 0 {
			t.Errorf("department user sees %d rows, want only its own department", n)
		}
		if list.Count(`a[href="/departments/new"]`) != 0 {
			t.Errorf("department user is offered to create departments")
		}
		if own := b.Get("/departments/SCJGJ"); own.Status != http.StatusOK {
			t.Errorf("own department page = %d", own.Status)
		}
		for _, path := range []string{"/departments/FGW", "/departments/new", "/departments/SCJGJ/edit"} {
			if p := b.Get(path); p.Status != http.StatusForbidden {
				t.Errorf("department user GET %s = %d, want 403", path, p.Status)
			}
		}
		if p := b.Post("/departments/SCJGJ", url.Values{"name": {"改名"}}); p.Status != http.StatusForbidden {
			t.Errorf("department user POST edit = %d, want 403", p.Status)
		}
	})
}

func TestStaffReadRegionsButOnlyAdminEdits(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("street", demo.Password)

		list := b.Get("/regions?level=district")
		if list.Status != http.StatusOK || list.Count(`a[href="/regions/370202"]`) == 0 {
			t.Fatalf("street user: GET /regions = %d, 市南区 listed %d", list.Status, list.Count(`a[href="/regions/370202"]`))
		}
		if list.Count(`a[href="/regions/new"]`) != 0 {
			t.Errorf("street user is offered to create regions")
		}
		if view := b.Get("/regions/370202"); view.Status != http.StatusOK || view.Count(`a[href$="/edit"]`) != 0 {
			t.Errorf("street user region page: status %d, edit links %d", view.Status, view.Count(`a[href$="/edit"]`))
		}
		for _, path := range []string{"/regions/new", "/regions/370202/edit"} {
			if p := b.Get(path); p.Status != http.StatusForbidden {
				t.Errorf("street user GET %s = %d, want 403", path, p.Status)
			}
		}
		p := b.Post("/regions", url.Values{"code": {"370202008"}, "name": {"越权街道"}, "level": {"street"}, "parent_code": {"370202"}})
		if p.Status != http.StatusForbidden {
			t.Errorf("street user POST /regions = %d, want 403", p.Status)
		}
	})
}

func TestEnterpriseRefusedReferencePages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("enterprise", demo.Password)
		for _, path := range []string{"/regions", "/regions/370202", "/departments", "/departments/FGW", "/institutions"} {
			if p := b.Get(path); p.Status != http.StatusForbidden {
				t.Errorf("enterprise GET %s = %d, want 403", path, p.Status)
			}
		}
		if home := b.Get("/"); home.Count(`a[href="/regions"]`)+home.Count(`a[href="/departments"]`) != 0 {
			t.Errorf("enterprise home links to the reference pages")
		}
	})
}

func TestInstitutionRegisterAndEdit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("admin", demo.Password)
		b.Get("/institutions/new")

		p := b.Post("/institutions", url.Values{"code": {"I-NEWLAW"}, "name": {"青岛新锐律师事务所"}, "kind": {"lawyer"}, "platform_code": {"S-LAW"}})
		if p.Status != http.StatusUnprocessableEntity || p.Text("#err-kind") == "" {
			t.Fatalf("unknown kind: status %d, #err-kind %q", p.Status, p.Text("#err-kind"))
		}
		if v, _ := p.Doc.Find("#f-platform_code option[selected]").Attr("value"); v != "S-LAW" {
			t.Errorf("chosen platform lost: %q", v)
		}

		p = b.Post("/institutions", url.Values{"code": {"I-NEWLAW"}, "name": {"青岛新锐律师事务所"}, "kind": {"legal"}, "platform_code": {"S-LAW"}})
		if p.Status != http.StatusSeeOther || p.Location != "/institutions/I-NEWLAW" {
			t.Fatalf("create: status %d location %q alert %q", p.Status, p.Location, p.Text(".alert"))
		}
		view := b.Get(p.Location)
		if view.Count(`#institution-platform a[href="/platforms/S-LAW"]`) != 1 || !strings.Contains(view.Text("h1"), "法律服务") {
			t.Errorf("institution page: platform %q, h1 %q", view.Text("#institution-platform"), view.Text("h1"))
		}
		if list := b.Get("/institutions?kind=legal"); list.Count(`a[href="/institutions/I-NEWLAW"]`) == 0 || list.Count(`a[href="/institutions/I-QDBANK"]`) != 0 {
			t.Errorf("kind filter does not list exactly the legal institutions")
		}

		if form := b.Get("/institutions/I-NEWLAW/edit"); form.Count(`#f-platform_code option[value="S-LAW"][selected]`) != 1 {
			t.Errorf("edit form does not show the current platform")
		}
		p = b.Post("/institutions/I-NEWLAW", url.Values{"name": {"青岛新锐律师事务所"}, "kind": {"consulting"}, "platform_code": {"S-FIN"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("update: status %d alert %q", p.Status, p.Text(".alert"))
		}
		if list := b.Get("/institutions?platform_code=S-FIN"); list.Count(`a[href="/institutions/I-NEWLAW"]`) == 0 {
			t.Errorf("moved institution not listed under its new platform")
		}
		entries, _, err := env.App.Audit.List(context.Background(), apptest.System, audit.Filter{Action: "institution.update", ObjectID: "I-NEWLAW"})
		if err != nil || len(entries) != 1 || entries[0].Username != "admin" {
			t.Errorf("institution edit audit entries = %+v (err %v), want one by admin", entries, err)
		}

		p = b.Post("/institutions/I-NEWLAW", url.Values{"name": {"青岛新锐律师事务所"}, "kind": {"consulting"}, "platform_code": {"NOPE"}})
		if p.Status != http.StatusUnprocessableEntity || p.Text("#err-platform_code") == "" {
			t.Errorf("unknown platform: status %d, #err-platform_code %q", p.Status, p.Text("#err-platform_code"))
		}
	})
}

func TestInstitutionStaffSeesItsOwnInstitution(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("institution", demo.Password) // 海纳融资担保 (I-HAINA)
		list := b.Get("/institutions")
		if n := list.Count("table.data tbody tr"); list.Status != http.StatusOK || n != 1 || list.Count(`a[href="/institutions/I-HAINA"]`) == 0 {
			t.Errorf("institution user: status %d, %d rows, want its own institution only", list.Status, n)
		}
		if p := b.Get("/institutions/I-QDBANK"); p.Status != http.StatusForbidden {
			t.Errorf("institution user GET another institution = %d, want 403", p.Status)
		}
	})
}

func TestReferencePagesInEnglish(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Lang = "en"
		b.Login("admin", demo.Password)

		regions := b.Get("/regions?level=district")
		if lang, _ := regions.Doc.Find("html").Attr("lang"); lang != "en" {
			t.Errorf(`<html lang=%q>, want "en"`, lang)
		}
		if got := regions.Text("h1"); got != "Regions" {
			t.Errorf("regions h1 = %q", got)
		}
		if got := regions.Text(`label[for="level"]`); got != "Level" {
			t.Errorf("level filter label = %q", got)
		}
		if got := regions.Text("tbody .tag"); got != "district" {
			t.Errorf("level tag = %q, want district", got)
		}
		if got := b.Get("/departments/FGW").Text("#categories"); !strings.Contains(got, "Infringement of rights") {
			t.Errorf("department categories in English = %q", got)
		}
		if got := b.Get("/institutions?kind=bank").Text("tbody .tag"); got != "Bank" {
			t.Errorf("institution kind in English = %q", got)
		}
		form := b.Get("/regions/new")
		if got := form.Text(`label[for="f-key_street"]`); got != "Key street" {
			t.Errorf("key street label = %q", got)
		}
		p := b.Post("/regions", url.Values{"code": {"12"}, "name": {"Nowhere"}, "level": {"district"}, "parent_code": {"370200"}})
		if msg := p.Text("#err-code"); !strings.Contains(msg, "6-digit") {
			t.Errorf("English error next to the code = %q", msg)
		}
	})
}
