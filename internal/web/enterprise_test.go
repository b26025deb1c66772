package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/enterprise"
)

// newEnterprise is a valid registration: an industrial firm in 八大关街道
// with 150 employees and 5,000 万元 revenue, small under the 2011 standard
// (the medium floor is 300 employees).
func newEnterprise() url.Values {
	return url.Values{
		"uscc": {demo.MakeUSCC("91", "370202", "MA7QHN2K")}, "name": {"青岛蓝湾海洋装备有限公司"}, "industry": {"industry"},
		"employees": {"150"}, "revenue_wan": {"5000"}, "region_code": {demo.StreetCode("370202", 0)},
		"address": {"青岛市市南区东海西路5号"}, "contact_name": {"陈海"}, "contact_phone": {"13912345678"},
	}
}

func TestEnterpriseRegisterThroughForm(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("admin", demo.Password)

		form := b.Get("/enterprises/new")
		if form.Status != http.StatusOK {
			t.Fatalf("GET /enterprises/new = %d", form.Status)
		}
		// The needs of every industry are on the page: retail reads
		// employees and revenue, construction revenue and assets.
		retail := form.Doc.Find(`#needs tr:has(th:contains("零售业"))`)
		if got := retail.Find(`td .sr-only:contains("不需要")`).Length(); got != 1 {
			t.Errorf("needs table: retail has %d measures not needed, want 1 (assets)", got)
		}
		if form.Count(`#f-region_code optgroup[label="市南区"] option[value="370202001"]`) != 1 {
			t.Errorf("八大关街道 is not offered under 市南区")
		}

		in := newEnterprise()
		code := in.Get("uscc")
		p := b.Post("/enterprises", in)
		if p.Status != http.StatusSeeOther || p.Location != "/enterprises/"+code {
			t.Fatalf("create: status %d location %q alert %q", p.Status, p.Location, p.Text(".alert"))
		}
		view := b.Get(p.Location)
		if view.Text(".flash") == "" {
			t.Errorf("no confirmation after registering")
		}
		if got := view.Text("h1"); !strings.Contains(got, "青岛蓝湾海洋装备有限公司") || !strings.Contains(got, "小型") {
			t.Errorf("profile h1 = %q, want the name and 小型", got)
		}
		if got := view.Text("#region-chain"); !strings.Contains(got, "青岛市") || !strings.Contains(got, "市南区") || !strings.Contains(got, "八大关街道") {
			t.Errorf("region chain = %q", got)
		}
		// The size is explained: the standard and the comparisons, those
		// that failed for large and medium and those met for small.
		if got := view.Text("#size-standard"); !strings.Contains(got, "2011") {
			t.Errorf("size standard = %q, want the 2011 standard", got)
		}
		medium := view.Doc.Find(`#size-checks tbody tr:has(td:contains("中型"))`)
		if medium.Length() != 1 || !strings.Contains(medium.Text(), "从业人员") || !strings.Contains(medium.Text(), "300") ||
			!strings.Contains(medium.Text(), "150") || medium.Find(".badge.bad").Length() != 1 {
			t.Errorf("medium row = %q, want employees 150 below the floor of 300", strings.TrimSpace(medium.Text()))
		}
		if n := view.Count(`#size-checks tbody tr:has(td:contains("小型")) .badge.ok`); n != 2 {
			t.Errorf("small rows met = %d, want 2 (employees and revenue)", n)
		}
		if view.Count("#not-sme") != 0 {
			t.Errorf("a small enterprise is flagged as outside the SME counts")
		}
		if view.Text("#tickets .empty") == "" || view.Text("#records .empty") == "" {
			t.Errorf("tickets and service records sections lack their empty state")
		}

		list := b.Get("/enterprises?q=" + url.QueryEscape("蓝湾"))
		row := list.Doc.Find(`tr:has(a[href="/enterprises/` + code + `"])`)
		if row.Length() != 1 {
			t.Fatalf("new enterprise not found by 蓝湾 (status %d)", list.Status)
		}
		if got := strings.TrimSpace(row.Find(".match").Text()); got != "名称包含" {
			t.Errorf("match shown %q, want 名称包含", got)
		}
		if got := strings.TrimSpace(row.Find(".size").Text()); got != "小型" {
			t.Errorf("size shown %q, want 小型", got)
		}
		if got := strings.TrimSpace(row.Find(".phone").Text()); got != "139****5678" {
			t.Errorf("phone in the list = %q, want it masked", got)
		}
		byCode := b.Get("/enterprises?q=" + code[:10])
		if got := strings.TrimSpace(byCode.Doc.Find(`tr:has(a[href="/enterprises/` + code + `"]) .match`).Text()); got != "代码开头" {
			t.Errorf("search by code prefix: match %q, want 代码开头", got)
		}
	})
}

func TestEnterpriseFormErrors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("admin", demo.Password)
		b.Get("/enterprises/new")

		in := newEnterprise()
		good := in.Get("uscc")
		bad := good[:17] + map[bool]string{true: "1", false: "2"}[good[17] != '1']
		in.Set("uscc", bad)
		p := b.Post("/enterprises", in)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad credit code: status %d, want 422", p.Status)
		}
		if msg := p.Text("#err-uscc"); !strings.Contains(msg, "校验码") || !strings.Contains(msg, string(good[17])) {
			t.Errorf("#err-uscc = %q, want the check character reason naming %q", msg, good[17])
		}
		if v, _ := p.Doc.Find("#f-uscc").Attr("value"); v != bad {
			t.Errorf("typed code lost: %q", v)
		}
		if v, _ := p.Doc.Find("#f-name").Attr("value"); v != "青岛蓝湾海洋装备有限公司" {
			t.Errorf("typed name lost: %q", v)
		}
		if v, _ := p.Doc.Find("#f-industry option[selected]").Attr("value"); v != "industry" {
			t.Errorf("chosen industry lost: %q", v)
		}
		if v, _ := p.Doc.Find("#f-region_code option[selected]").Attr("value"); v != "370202001" {
			t.Errorf("chosen region lost: %q", v)
		}
		if got := b.Get("/enterprises/" + bad); got.Status != http.StatusNotFound {
			t.Errorf("rejected enterprise stored: GET = %d", got.Status)
		}

		// A figure the industry's rule reads, missing: named next to it.
		in = newEnterprise()
		in.Set("industry", "retail")
		in.Del("revenue_wan")
		p = b.Post("/enterprises", in)
		if msg := p.Text("#err-revenue_wan"); p.Status != http.StatusUnprocessableEntity || !strings.Contains(msg, "营业收入") {
			t.Errorf("missing revenue: status %d, #err-revenue_wan %q", p.Status, msg)
		}
		if got := p.Text("#chosen-needs"); !strings.Contains(got, "零售业") || !strings.Contains(got, "营业收入") {
			t.Errorf("hint for the chosen industry = %q", got)
		}

		in = newEnterprise()
		in.Set("employees", "many")
		if p = b.Post("/enterprises", in); p.Status != http.StatusUnprocessableEntity || p.Text("#err-employees") == "" {
			t.Errorf("non-numeric employees: status %d, #err-employees %q", p.Status, p.Text("#err-employees"))
		}

		// The demo enterprise exists already.
		in = newEnterprise()
		in.Set("uscc", demo.DemoEnterprise)
		p = b.Post("/enterprises", in)
		if p.Status != http.StatusConflict || p.Text("#err-uscc") == "" {
			t.Errorf("duplicate: status %d, #err-uscc %q", p.Status, p.Text("#err-uscc"))
		}
		if got := b.Get("/enterprises/" + demo.DemoEnterprise); !strings.Contains(got.Text("h1"), demo.DemoEnterpriseName) {
			t.Errorf("the existing enterprise changed: h1 %q", got.Text("h1"))
		}
	})
}

func TestEnterpriseEditKeepsCodeAndPhone(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("admin", demo.Password)
		path := "/enterprises/" + demo.DemoEnterprise

		form := b.Get(path + "/edit")
		if form.Status != http.StatusOK {
			t.Fatalf("GET edit = %d", form.Status)
		}
		if _, ro := form.Doc.Find("#f-uscc").Attr("readonly"); !ro {
			t.Errorf("the credit code is editable")
		}
		if v, _ := form.Doc.Find("#f-contact_phone").Attr("value"); v != "" {
			t.Errorf("the edit form shows the telephone %q; it should stay hidden", v)
		}
		if got := form.Text("#stored-phone"); !strings.Contains(got, "138****0000") {
			t.Errorf("stored-phone hint = %q, want the masked number", got)
		}
		v := url.Values{}
		form.Doc.Find("form[action='" + path + "'] input, form[action='" + path + "'] select").Each(func(_ int, s *goquery.Selection) {
			name, _ := s.Attr("name")
			val, _ := s.Attr("value")
			if s.Is("select") {
				val, _ = s.Find("option[selected]").Attr("value")
			}
			v.Set(name, val)
		})
		v.Set("employees", "400")
		v.Set("revenue_wan", "12000")
		p := b.Post(path, v)
		if p.Status != http.StatusSeeOther || p.Location != path {
			t.Fatalf("update: status %d location %q alert %q", p.Status, p.Location, p.Text(".alert"))
		}
		// 400 employees and 12,000 万元 in software: large.
		view := b.Get(path)
		if !strings.Contains(view.Text("h1"), "大型") || view.Count("#not-sme") != 1 {
			t.Errorf("after edit h1 = %q, not-sme flag %d; want large and outside the SME counts", view.Text("h1"), view.Count("#not-sme"))
		}
		_, phone, err := env.App.Enterprise.RevealContact(context.Background(), apptest.System, demo.DemoEnterprise)
		if err != nil || phone != "13806390000" {
			t.Errorf("telephone after an edit that left it empty = %q (err %v), want it kept", phone, err)
		}
		if list := b.Get("/enterprises?size=large&q=" + url.QueryEscape("演示")); list.Count(`tbody .size:contains("不计入中小企业统计")`) != 1 {
			t.Errorf("large enterprise not marked outside the SME counts in the list")
		}
	})
}

func TestEnterpriseSearch(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("hotline", demo.Password)

		// 融资担保 is a trade of the demo's leasing and business services.
		list := b.Get("/enterprises?q=" + url.QueryEscape("融资"))
		if list.Status != http.StatusOK {
			t.Fatalf("search 融资 = %d", list.Status)
		}
		rows := list.Doc.Find("table.data tbody tr")
		if rows.Length() == 0 {
			t.Fatalf("two-character search 融资 found nothing")
		}
		rows.Each(func(_ int, s *goquery.Selection) {
			if name := s.Find("td a").First().Text(); !strings.Contains(name, "融资") {
				t.Errorf("search 融资 lists %q", name)
			}
		})
		if list.Count(`a[href="/enterprises/new"]`) != 1 {
			t.Errorf("the hotline operator is not offered to register an enterprise")
		}

		// One character is too short to search: the field says so.
		p := b.Get("/enterprises?q=" + url.QueryEscape("融"))
		if p.Status != http.StatusUnprocessableEntity || p.Text("#err-q") == "" {
			t.Errorf("one-character search: status %d, #err-q %q", p.Status, p.Text("#err-q"))
		}
		if v, _ := p.Doc.Find("#q").Attr("value"); v != "融" {
			t.Errorf("typed query lost: %q", v)
		}
		if p.Count(".empty") != 0 {
			t.Errorf("a refused search says nothing was found: %q", p.Text(".empty"))
		}

		// Filters: a district includes its streets; industry and size.
		f := b.Get("/enterprises?region_code=370203&industry=retail&size=micro")
		if f.Count("tbody tr") == 0 {
			t.Fatalf("no micro retailers in 市北区")
		}
		f.Doc.Find("tbody tr").Each(func(_ int, s *goquery.Selection) {
			region, _ := s.Find("td.region").Attr("data-region")
			if !strings.HasPrefix(region, "370203") || strings.TrimSpace(s.Find(".size").Text()) != "微型" ||
				strings.TrimSpace(s.Find("td").Eq(2).Text()) != "零售业" {
				t.Errorf("filtered list shows %q", strings.Join(strings.Fields(s.Text()), " "))
			}
		})

		// Pages follow the cursor without repeating an enterprise.
		seen := map[string]bool{}
		page := b.Get("/enterprises?sort=name")
		for i := 0; i < 3; i++ {
			page.Doc.Find("tbody td:first-child a").Each(func(_ int, s *goquery.Selection) {
				href, _ := s.Attr("href")
				if seen[href] {
					t.Errorf("page %d repeats %s", i+1, href)
				}
				seen[href] = true
			})
			next, ok := page.Doc.Find(`a[rel="next"]`).Attr("href")
			if !ok {
				t.Fatalf("page %d has no next link", i+1)
			}
			page = b.Get(next)
		}
		if len(seen) != 150 {
			t.Errorf("three pages listed %d enterprises, want 150", len(seen))
		}
	})
}

func TestEnterpriseScopeOnPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		ctx := context.Background()
		others, _, err := env.App.Enterprise.List(ctx, apptest.System, enterprise.Filter{RegionPrefix: "370203", Limit: 1})
		if err != nil || len(others) == 0 {
			t.Fatalf("an enterprise of 市北区: %v", err)
		}
		other := "/enterprises/" + others[0].USCC
		own := "/enterprises/" + demo.DemoEnterprise

		street := env.Browser()
		street.Login("street", demo.Password) // 八大关街道
		list := street.Get("/enterprises")
		if list.Status != http.StatusOK || list.Count("tbody tr") == 0 {
			t.Fatalf("street user: GET /enterprises = %d with %d rows", list.Status, list.Count("tbody tr"))
		}
		list.Doc.Find("tbody td.region").Each(func(_ int, s *goquery.Selection) {
			if r, _ := s.Attr("data-region"); r != "370202001" {
				t.Errorf("street user's list shows an enterprise of region %s", r)
			}
		})
		if n := list.Count("#region_code option[value]"); n != 2 { // "all" and its street
			t.Errorf("street user's region filter offers %d choices, want its street only", n)
		}
		if p := street.Get(other); p.Status != http.StatusForbidden {
			t.Errorf("street user GET another district's enterprise = %d, want 403", p.Status)
		}
		if p := street.Get(own); p.Status != http.StatusOK || p.Count("#reveal") != 1 || p.Count(`a[href="`+own+`/edit"]`) != 1 {
			t.Errorf("street user on an enterprise of its street: status %d, reveal %d, edit %d", p.Status, p.Count("#reveal"), p.Count(`a[href="`+own+`/edit"]`))
		}

		ent := env.Browser()
		ent.Login("enterprise", demo.Password)
		if home := ent.Get("/"); home.Count(`main a[href="`+own+`"]`) == 0 {
			t.Errorf("enterprise home page does not link to its own profile")
		}
		p := ent.Get(own)
		if p.Status != http.StatusOK || !strings.Contains(p.Text("h1"), demo.DemoEnterpriseName) {
			t.Errorf("enterprise user own profile: status %d h1 %q", p.Status, p.Text("h1"))
		}
		if got := p.Text("#contact-phone .phone"); got != "13806390000" || p.Count("#reveal") != 0 {
			t.Errorf("enterprise user sees its own number as %q (reveal button %d)", got, p.Count("#reveal"))
		}
		if p := ent.Get(other); p.Status != http.StatusForbidden {
			t.Errorf("enterprise user GET another enterprise = %d, want 403", p.Status)
		}
		if p := ent.Get("/enterprises/new"); p.Status != http.StatusForbidden {
			t.Errorf("enterprise user GET /enterprises/new = %d, want 403", p.Status)
		}

		dept := env.Browser()
		dept.Login("department", demo.Password)
		if p := dept.Get("/enterprises"); p.Status != http.StatusForbidden {
			t.Errorf("department GET /enterprises = %d, want 403", p.Status)
		}
		if p := dept.Get("/enterprises?q=x"); p.Status != http.StatusForbidden {
			t.Errorf("department GET /enterprises?q=x = %d, want 403", p.Status)
		}
		if home := dept.Get("/"); home.Count(`a[href^="/enterprises"]`) != 0 {
			t.Errorf("department navigation offers the enterprise pages")
		}
	})
}

func TestEnterpriseContactReveal(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		path := "/enterprises/" + demo.DemoEnterprise
		b := env.Browser()
		b.Login("admin", demo.Password)

		list := b.Get("/enterprises?q=" + demo.DemoEnterprise)
		if got := strings.TrimSpace(list.Doc.Find(`tr:has(a[href="` + path + `"]) .phone`).Text()); got != "138****0000" {
			t.Errorf("phone in the list = %q, want 138****0000", got)
		}
		view := b.Get(path)
		if got := view.Text("#contact-phone .phone"); got != "138****0000" || view.Count("#reveal") != 1 {
			t.Fatalf("profile phone %q, reveal button %d", got, view.Count("#reveal"))
		}
		p := b.Post(path+"/contact", nil)
		if p.Status != http.StatusOK || p.Text("#contact-phone .phone") != "13806390000" {
			t.Fatalf("reveal: status %d phone %q", p.Status, p.Text("#contact-phone .phone"))
		}
		if p.Count("#reveal") != 0 || p.Text("#contact-phone [role=status]") == "" {
			t.Errorf("after revealing: button %d, note %q", p.Count("#reveal"), p.Text("#contact-phone [role=status]"))
		}
		entries, _, err := env.App.Audit.List(context.Background(), apptest.System,
			audit.Filter{Action: "enterprise.reveal_contact", ObjectID: demo.DemoEnterprise})
		if err != nil || len(entries) != 1 || entries[0].Username != "admin" {
			t.Errorf("reveal audit entries = %+v (err %v), want one by admin", entries, err)
		}

		aud := env.Browser()
		aud.Login("auditor", demo.Password)
		view = aud.Get(path)
		if view.Status != http.StatusOK || view.Count("#reveal") != 0 || view.Count(`a[href="`+path+`/edit"]`) != 0 {
			t.Errorf("auditor: status %d, reveal button %d, edit link %d", view.Status, view.Count("#reveal"), view.Count(`a[href="`+path+`/edit"]`))
		}
		if p := aud.Post(path+"/contact", nil); p.Status != http.StatusForbidden || strings.Contains(p.Body, "13806390000") {
			t.Errorf("auditor reveal POST = %d, want 403 without the number", p.Status)
		}
		if p := aud.Get(path + "/edit"); p.Status != http.StatusForbidden {
			t.Errorf("auditor GET edit = %d, want 403", p.Status)
		}
		if p := aud.Post(path, url.Values{"name": {"改名"}, "employees": {"x"}}); p.Status != http.StatusForbidden {
			t.Errorf("auditor POST edit = %d, want 403", p.Status)
		}
	})
}

func TestEnterprisePagesInEnglish(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Lang = "en"
		b.Login("admin", demo.Password)

		list := b.Get("/enterprises?industry=retail&size=micro")
		if lang, _ := list.Doc.Find("html").Attr("lang"); lang != "en" {
			t.Errorf(`<html lang=%q>, want "en"`, lang)
		}
		if got := list.Text("h1"); got != "Enterprises" {
			t.Errorf("list h1 = %q", got)
		}
		if got := list.Text(`label[for="industry"]`); got != "Industry" {
			t.Errorf("industry filter label = %q", got)
		}
		if got := list.Text("tbody .size"); got != "micro" {
			t.Errorf("size badge = %q, want micro", got)
		}
		if got := list.Text(`.mainnav a[href="/enterprises"]`); got != "Enterprises" {
			t.Errorf("navigation entry = %q", got)
		}
		view := b.Get("/enterprises/" + demo.DemoEnterprise)
		if got := view.Text("#size-checks caption"); got != "The comparisons that decided the size" {
			t.Errorf("size table caption = %q", got)
		}
		if got := view.Text("#size-standard"); !strings.Contains(got, "SME classification rules") {
			t.Errorf("standard in English = %q", got)
		}
		if got := view.Text("#reveal"); got != "Show full number" {
			t.Errorf("reveal button = %q", got)
		}
		b.Get("/enterprises/new")
		in := newEnterprise()
		in.Set("uscc", "12345")
		if msg := b.Post("/enterprises", in).Text("#err-uscc"); !strings.Contains(msg, "18") {
			t.Errorf("English error next to the credit code = %q", msg)
		}
	})
}
