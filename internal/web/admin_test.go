package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/org"
)

// formValues collects what a browser would submit from the form with the
// given action: every named input with its value, checked checkboxes only.
func formValues(p *apptest.Page, action string) url.Values {
	v := url.Values{}
	p.Doc.Find(`form[action="` + action + `"] input`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		if name == "" || name == "_csrf" || typ == "file" {
			return
		}
		if _, checked := s.Attr("checked"); typ == "checkbox" && !checked {
			return
		}
		val, _ := s.Attr("value")
		v.Add(name, val)
	})
	return v
}

// errorOf is the error message shown next to a field (ids may hold dots,
// so they are matched as attributes).
func errorOf(p *apptest.Page, field string) string {
	return p.Text(`[id="err-` + field + `"]`)
}

func adminBrowser(env *apptest.Env) *apptest.Browser {
	b := env.Browser()
	b.Login("admin", demo.Password)
	return b
}

// The demo street platform P370202003 has 104 m²: it meets the street
// standard of 100 m² and falls below once the admin raises it to 150 m².
func TestStandardsEditChangesCompliance(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := adminBrowser(env)
		const code = "P370202003"
		if p := b.Get("/platforms/" + code); p.Count("#compliance-area .badge.ok") != 1 {
			t.Fatalf("%s does not meet the 100 m² street standard before the change", code)
		}
		page := b.Get("/standards")
		if page.Status != http.StatusOK {
			t.Fatalf("GET /standards = %d", page.Status)
		}
		v := formValues(page, "/standards")
		if got := v.Get("street.min_area_m2"); got != "100" {
			t.Fatalf("street area in the form = %q, want 100", got)
		}
		if got := v.Get("city.min_satisfaction"); got != "90" {
			t.Errorf("city satisfaction shown as %q, want the percentage 90", got)
		}
		v.Set("street.min_area_m2", "150")
		p := b.Post("/standards", v)
		if p.Status != http.StatusSeeOther || p.Location != "/standards" {
			t.Fatalf("save: status %d location %q alert %q", p.Status, p.Location, p.Text(".alert"))
		}
		page = b.Get("/standards")
		if got := page.Text("#standard-street"); !strings.Contains(got, "150") {
			t.Errorf("street row after the change = %q", got)
		}
		if page.Text(".flash") == "" {
			t.Errorf("no confirmation after saving")
		}
		if p := b.Get("/platforms/" + code); p.Count("#compliance-area .badge.bad") != 1 {
			t.Errorf("%s (104 m²) still shown as meeting a 150 m² standard", code)
		}
		list := b.Get("/platforms?tier=street&q=" + url.QueryEscape("香港中路"))
		row := list.Doc.Find(`tr:has(a[href="/platforms/` + code + `"]) .compliance`)
		if !strings.Contains(row.Text(), "150") || row.Find(".badge.bad").Length() != 1 {
			t.Errorf("platform list compliance = %q, want below 150", strings.TrimSpace(row.Text()))
		}
		stds, err := env.App.Org.Standards(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := stds[org.TierStreet]; got.MinAreaM2 != 150 || got.MinSatisfaction != 0.9 {
			t.Errorf("stored street standard = %+v", got)
		}
		// Only the changed tier is saved and audited.
		entries, _, err := env.App.Audit.List(context.Background(), apptest.System, audit.Filter{Action: "standard.update", Username: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].ObjectID != "street" {
			t.Errorf("standard.update entries = %+v, want one for street", entries)
		}
	})
}

func TestStandardsBadSatisfactionSavesNothing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := adminBrowser(env)
		v := formValues(b.Get("/standards"), "/standards")
		v.Set("city.min_area_m2", "5000")
		v.Set("street.min_satisfaction", "120")
		p := b.Post("/standards", v)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", p.Status)
		}
		if msg := errorOf(p, "street.min_satisfaction"); !strings.Contains(msg, "100") {
			t.Errorf("error next to street satisfaction = %q", msg)
		}
		if n := p.Count(".field-error"); n != 1 {
			t.Errorf("%d field errors shown, want 1", n)
		}
		if got, _ := p.Doc.Find(`[id="f-street.min_satisfaction"]`).Attr("aria-invalid"); got != "true" {
			t.Errorf("field not marked invalid")
		}
		if got, _ := p.Doc.Find(`[id="f-city.min_area_m2"]`).Attr("value"); got != "5000" {
			t.Errorf("typed city area lost: %q", got)
		}
		stds, err := env.App.Org.Standards(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if stds[org.TierCity].MinAreaM2 != 4000 || stds[org.TierStreet].MinSatisfaction != 0.9 {
			t.Errorf("standards changed by a rejected form: city %+v street %+v", stds[org.TierCity], stds[org.TierStreet])
		}
		// A bad number in another tier is reported on that tier's field.
		v.Set("street.min_satisfaction", "90")
		v.Set("district.min_smes_served", "many")
		p = b.Post("/standards", v)
		if p.Status != http.StatusUnprocessableEntity || errorOf(p, "district.min_smes_served") == "" {
			t.Errorf("bad district number: status %d, error %q", p.Status, errorOf(p, "district.min_smes_served"))
		}
	})
}

func TestUserCreatedByAdminMustChangePassword(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := adminBrowser(env)
		form := b.Get("/users/new")
		if form.Status != http.StatusOK || form.Count(`select[name="role"] option[value="street_staff"]`) != 1 {
			t.Fatalf("GET /users/new = %d, role choices missing", form.Status)
		}
		street := demo.PlatformCode(demo.StreetCode("370202", 0))
		p := b.Post("/users", url.Values{"username": {"wang.fang"}, "display_name": {"王芳"}, "role": {"street_staff"},
			"org_code": {street}, "password": {"Initial-Pass-2026"}})
		if p.Status != http.StatusSeeOther || p.Location != "/users/wang.fang" {
			t.Fatalf("create: status %d location %q alert %q", p.Status, p.Location, p.Text(".alert"))
		}
		view := b.Get(p.Location)
		if !strings.Contains(view.Text("#user-props"), "王芳") {
			t.Errorf("new user page lacks the display name")
		}
		if list := b.Get("/users?role=street_staff&q=wang"); list.Count(`a[href="/users/wang.fang"]`) != 1 {
			t.Errorf("new user not in the filtered list")
		}

		u := env.Browser()
		u.Get("/login")
		login := u.Post("/login", url.Values{"username": {"wang.fang"}, "password": {"Initial-Pass-2026"}, "next": {"/"}})
		if login.Status != http.StatusSeeOther || !strings.HasPrefix(login.Location, "/account/password") {
			t.Fatalf("first login: status %d location %q, want the password change", login.Status, login.Location)
		}
		if home := u.Get("/"); home.Status != http.StatusSeeOther || !strings.HasPrefix(home.Location, "/account/password") {
			t.Fatalf("app usable before the password change: %d %q", home.Status, home.Location)
		}
		u.Get("/account/password")
		ch := u.Post("/account/password", url.Values{"current_password": {"Initial-Pass-2026"}, "password": {"Own-Secret-2026!"},
			"password_confirm": {"Own-Secret-2026!"}, "next": {"/"}})
		if ch.Status != http.StatusSeeOther || ch.Location != "/" {
			t.Fatalf("password change: status %d location %q alert %q", ch.Status, ch.Location, ch.Text(".alert"))
		}
		if home := u.Get("/"); home.Status != http.StatusOK {
			t.Errorf("home after the change = %d", home.Status)
		}
		if own := u.Get("/platforms/" + street); own.Status != http.StatusOK {
			t.Errorf("new street user cannot open its platform: %d", own.Status)
		}
	})
}

func TestUserCreateWeakPassword(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := adminBrowser(env)
		b.Get("/users/new")
		p := b.Post("/users", url.Values{"username": {"li.lei"}, "role": {"hotline_operator"}, "password": {"password"}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", p.Status)
		}
		if p.Text("#err-password") == "" {
			t.Errorf("no error next to the password")
		}
		if v, _ := p.Doc.Find("#f-username").Attr("value"); v != "li.lei" {
			t.Errorf("typed username lost: %q", v)
		}
		if v, _ := p.Doc.Find("#f-password").Attr("value"); v != "" {
			t.Errorf("typed password sent back to the browser")
		}
		if got := b.Get("/users/li.lei"); got.Status != http.StatusNotFound {
			t.Errorf("rejected user exists: GET = %d", got.Status)
		}
	})
}

func TestTokenShownOnceThenRevoked(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := adminBrowser(env)
		b.Get("/users/hotline")
		p := b.Post("/users/hotline/tokens", url.Values{"name": {"switchboard"}})
		if p.Status != http.StatusOK {
			t.Fatalf("create token: status %d alert %q", p.Status, p.Text(".alert"))
		}
		token := p.Text("#new-token")
		if !strings.HasPrefix(token, "qf_") {
			t.Fatalf("token shown = %q", token)
		}
		if p.Text("#token-once .notice") == "" {
			t.Errorf("no warning that the token is shown once")
		}
		me := env.API(token).Do("GET", "/api/v1/me", nil)
		if me.Status != http.StatusOK || me.JSON["username"] != "hotline" {
			t.Fatalf("GET /api/v1/me with the new token: %d %s", me.Status, me.Body)
		}
		again := b.Get("/users/hotline")
		if again.Count("#new-token") != 0 || strings.Contains(again.Body, token) {
			t.Errorf("token shown a second time")
		}
		row := again.Doc.Find(`#tokens tr:contains("switchboard")`)
		if row.Length() != 1 {
			t.Fatalf("token not listed")
		}
		action, _ := row.Find("form").Attr("action")
		if confirm, _ := row.Find("button").Attr("data-confirm"); confirm == "" {
			t.Errorf("revoke button asks no confirmation")
		}
		rv := b.Post(action, nil)
		if rv.Status != http.StatusSeeOther {
			t.Fatalf("revoke %s: status %d", action, rv.Status)
		}
		if me := env.API(token).Do("GET", "/api/v1/me", nil); me.Status != http.StatusUnauthorized {
			t.Errorf("revoked token: status %d, want 401", me.Status)
		}
		if after := b.Get("/users/hotline"); after.Doc.Find(`#tokens tr:contains("switchboard") .badge.bad`).Length() != 1 {
			t.Errorf("token not shown as revoked")
		}
	})
}

func TestDisableEndsSessionsAndEnableRestores(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		street := env.Browser()
		street.Login("street", demo.Password)
		if p := street.Get("/"); p.Status != http.StatusOK {
			t.Fatalf("street home = %d", p.Status)
		}
		b := adminBrowser(env)
		view := b.Get("/users/street")
		if confirm, _ := view.Doc.Find(`form[action="/users/street/disable"] button`).Attr("data-confirm"); confirm == "" {
			t.Errorf("disable button missing or asks no confirmation")
		}
		if p := b.Post("/users/street/disable", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("disable: status %d alert %q", p.Status, p.Text(".alert"))
		}
		if p := street.Get("/"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
			t.Errorf("disabled user's session still works: %d %q", p.Status, p.Location)
		}
		if got := b.Get("/users/street").Text("#user-disabled"); got == "" || got == b.Get("/users/admin").Text("#user-disabled") {
			t.Errorf("disabled state not shown: %q", got)
		}
		if p := b.Post("/users/street/enable", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("enable: status %d", p.Status)
		}
		env.Browser().Login("street", demo.Password)

		// The admin cannot lock themself out.
		self := b.Get("/users/admin")
		if self.Count(`form[action="/users/admin/disable"]`) != 0 {
			t.Errorf("admin offered to disable their own account")
		}
		p := b.Post("/users/admin/disable", nil)
		if p.Status != http.StatusUnprocessableEntity || p.Text("#err-disabled") == "" {
			t.Errorf("self-disable: status %d error %q", p.Status, p.Text("#err-disabled"))
		}
	})
}

func TestUnlockLockedUser(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		bad := env.Browser()
		bad.Get("/login")
		for range 5 {
			bad.Post("/login", url.Values{"username": {"district"}, "password": {"wrong-password-1A!"}, "next": {"/"}})
		}
		if p := bad.Post("/login", url.Values{"username": {"district"}, "password": {demo.Password}}); p.Status != http.StatusTooManyRequests {
			t.Fatalf("district not locked after 5 failures: status %d", p.Status)
		}
		b := adminBrowser(env)
		view := b.Get("/users/district")
		if got := view.Text("#user-locked"); got == "" || got == "—" {
			t.Errorf("lock end not shown: %q", got)
		}
		if list := b.Get("/users?q=district"); list.Count(`#users .badge.warn`) != 1 {
			t.Errorf("list does not mark the locked user")
		}
		if p := b.Post("/users/district/unlock", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("unlock: status %d", p.Status)
		}
		if got := b.Get("/users/district").Text("#user-locked"); got != "—" {
			t.Errorf("still shown locked: %q", got)
		}
		env.Browser().Login("district", demo.Password)
	})
}

func TestResetPasswordAndTwoFactor(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := adminBrowser(env)
		b.Get("/users/department")
		if p := b.Post("/users/department/password", url.Values{"password": {"short"}}); p.Status != http.StatusUnprocessableEntity || p.Text("#err-password") == "" {
			t.Errorf("weak reset: status %d error %q", p.Status, p.Text("#err-password"))
		}
		if p := b.Post("/users/department/password", url.Values{"password": {"Handed-Over-2026"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("reset: status %d alert %q", p.Status, p.Text(".alert"))
		}
		u := env.Browser()
		if p := u.Login("department", "Handed-Over-2026"); !strings.HasPrefix(p.Location, "/account/password") {
			t.Errorf("after a reset the user is not asked to change the password: %q", p.Location)
		}
		if p := b.Post("/users/department/2fa/reset", nil); p.Status != http.StatusSeeOther {
			t.Errorf("reset two-factor: status %d", p.Status)
		}
	})
}

func TestSecuritySettings(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		ctx := context.Background()
		b := adminBrowser(env)
		page := b.Get("/settings")
		if page.Count(`a[href="/settings/brand"]`) == 0 {
			t.Errorf("no link to the brand page")
		}
		v := formValues(page, "/settings/security")
		if v.Get("retention_days") != "190" || v.Has("require_totp") {
			t.Fatalf("settings form = %v, want 190 days and two-factor off (demo)", v)
		}
		p := b.Post("/settings/security", url.Values{"require_totp": {"on"}, "retention_days": {"100"}})
		if p.Status != http.StatusUnprocessableEntity || p.Text("#err-retention_days") == "" {
			t.Fatalf("retention 100: status %d error %q", p.Status, p.Text("#err-retention_days"))
		}
		if on, _ := env.App.Auth.RequireTOTP(ctx); on {
			t.Errorf("two-factor turned on by a rejected form")
		}
		if p := b.Post("/settings/security", url.Values{"retention_days": {"365"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("retention 365: status %d alert %q", p.Status, p.Text(".alert"))
		}
		if days, _ := env.App.Audit.Retention(ctx); days != 365 {
			t.Errorf("retention = %d, want 365", days)
		}
		if p := b.Post("/settings/security", url.Values{"require_totp": {"on"}, "retention_days": {"365"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("two-factor on: status %d", p.Status)
		}
		staff := env.Browser()
		if p := staff.Login("district", demo.Password); !strings.HasPrefix(p.Location, "/account/2fa/enrol") {
			t.Errorf("staff login with two-factor required goes to %q, want the enrolment", p.Location)
		}
		entries, _, err := env.App.Audit.List(ctx, apptest.System, audit.Filter{Action: "settings.update", Username: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 {
			t.Errorf("settings.update entries by admin = %d, want 2 (retention, two-factor)", len(entries))
		}
		// The auditor reads the settings without a form.
		aud := env.Browser()
		aud.Login("auditor", demo.Password)
		// Two-factor is now required: the auditor is sent to enrol first.
		if p := aud.Get("/settings"); p.Status != http.StatusSeeOther {
			t.Errorf("auditor without two-factor reached /settings: %d", p.Status)
		}
	})
}

func TestAdminPagesRefuseOtherRoles(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		street := env.Browser()
		street.Login("street", demo.Password)
		for _, path := range []string{"/audit", "/audit/export.xlsx", "/users", "/users/admin", "/users/new", "/settings", "/settings/brand"} {
			if p := street.Get(path); p.Status != http.StatusForbidden {
				t.Errorf("street GET %s = %d, want 403", path, p.Status)
			}
		}
		std := street.Get("/standards")
		if std.Status != http.StatusOK || std.Count(`form[action="/standards"]`) != 0 {
			t.Errorf("street /standards: status %d, %d edit forms", std.Status, std.Count(`form[action="/standards"]`))
		}
		for _, path := range []string{"/standards", "/users", "/users/street/disable", "/settings/security", "/settings/brand"} {
			if p := street.Post(path, url.Values{"retention_days": {"365"}}); p.Status != http.StatusForbidden {
				t.Errorf("street POST %s = %d, want 403", path, p.Status)
			}
		}

		aud := env.Browser()
		aud.Login("auditor", demo.Password)
		for _, path := range []string{"/users", "/users/street", "/audit", "/settings", "/settings/brand"} {
			if p := aud.Get(path); p.Status != http.StatusOK {
				t.Errorf("auditor GET %s = %d", path, p.Status)
			}
		}
		if n := aud.Get("/users/street").Count(`main form`); n != 0 {
			t.Errorf("auditor sees %d action forms on a user page", n)
		}
		if n := aud.Get("/settings").Count(`main form`); n != 0 {
			t.Errorf("auditor sees %d forms on the settings page", n)
		}
		if p := aud.Post("/users/street/disable", nil); p.Status != http.StatusForbidden {
			t.Errorf("auditor disabling a user = %d, want 403", p.Status)
		}
	})
}

func TestAuditPageFilters(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := adminBrowser(env)
		b.Get("/users/new")
		b.Post("/users", url.Values{"username": {"zhao.lei"}, "role": {"hotline_operator"}, "password": {"Initial-Pass-2026"}})
		b.Get("/users/zhao.lei")
		b.Post("/users/zhao.lei/disable", nil)
		street := env.Browser()
		street.Login("street", demo.Password)
		street.Get("/audit")
		street.Get("/users")

		p := b.Get("/audit?action=user.")
		if p.Status != http.StatusOK {
			t.Fatalf("GET /audit = %d", p.Status)
		}
		actions := p.Doc.Find("#audit td.action").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		if len(actions) == 0 {
			t.Fatalf("no user. entries")
		}
		for _, a := range actions {
			if !strings.HasPrefix(a, "user.") {
				t.Errorf("action filter user. shows %q", a)
			}
		}
		all := strings.Join(actions, " ")
		if !strings.Contains(all, "user.create") || !strings.Contains(all, "user.update") {
			t.Errorf("user actions listed: %v", actions)
		}
		if first := p.Doc.Find("#audit tbody tr").First(); !strings.Contains(first.Text(), "user.update") || !strings.Contains(first.Text(), "zhao.lei") {
			t.Errorf("newest entry first: got %q", strings.Join(strings.Fields(first.Text()), " "))
		}
		if v, _ := p.Doc.Find("#f-action").Attr("value"); v != "user." {
			t.Errorf("filter not echoed: %q", v)
		}

		d := b.Get("/audit?result=denied")
		users := d.Doc.Find("#audit td.user").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		if len(users) < 2 {
			t.Errorf("denied entries = %d, want the street user's two refusals", len(users))
		}
		for _, u := range users {
			if u != "street" {
				t.Errorf("denied filter shows an entry by %q", u)
			}
		}
		if d.Count("#audit .result .badge.bad") != len(users) {
			t.Errorf("denied entries without the denied badge")
		}

		// The id cursor pages through the demo's many entries.
		first := b.Get("/audit")
		if n := first.Count("#audit tbody tr"); n != 50 {
			t.Errorf("first page rows = %d, want 50", n)
		}
		next, ok := first.Doc.Find(`.pager a[rel="next"]`).Attr("href")
		if !ok {
			t.Fatalf("no next page link")
		}
		lastID, _ := first.Doc.Find("#audit tbody tr").Last().Attr("id")
		second := b.Get(next)
		firstID, _ := second.Doc.Find("#audit tbody tr").First().Attr("id")
		if second.Count("#audit tbody tr") == 0 || firstID == lastID {
			t.Errorf("second page starts at %q after %q", firstID, lastID)
		}

		if bad := b.Get("/audit?from=yesterday"); bad.Status != http.StatusUnprocessableEntity || bad.Text("#err-from") == "" {
			t.Errorf("bad date: status %d error %q", bad.Status, bad.Text("#err-from"))
		}
	})
}

func TestAuditExportXLSX(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		ctx := context.Background()
		b := adminBrowser(env)
		b.Get("/users/new")
		b.Post("/users", url.Values{"username": {"sun.li"}, "role": {"auditor"}, "password": {"Initial-Pass-2026"}})

		p := b.Get("/audit/export.xlsx?action=user.&result=success")
		if p.Status != http.StatusOK {
			t.Fatalf("export: status %d %s", p.Status, p.Body)
		}
		if ct := p.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Errorf("Content-Type = %q", ct)
		}
		if cd := p.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, ".xlsx") {
			t.Errorf("Content-Disposition = %q", cd)
		}
		f, err := excelize.OpenReader(strings.NewReader(p.Body))
		if err != nil {
			t.Fatalf("open export: %v", err)
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 5 {
			t.Fatalf("export has %d rows", len(rows))
		}
		if got := rows[0][0]; !strings.Contains(got, "青岛市中小企业公共服务平台") || !strings.Contains(got, "审计日志") {
			t.Errorf("title row = %q", got)
		}
		if got := rows[1][0]; !strings.Contains(got, "user.") {
			t.Errorf("filter row = %q", got)
		}
		if got := rows[3]; len(got) < 9 || got[4] != "操作" {
			t.Errorf("header row = %q", got)
		}
		want, _, err := env.App.Audit.List(ctx, apptest.System, audit.Filter{Action: "user.", Result: audit.Success, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		data := rows[4:]
		if len(data) != len(want) {
			t.Fatalf("data rows = %d, want %d", len(data), len(want))
		}
		for i, r := range data {
			if r[1] != want[i].Username || r[4] != want[i].Action || r[6] != want[i].ObjectID {
				t.Errorf("row %d = %q, want %s %s %s", i, r, want[i].Username, want[i].Action, want[i].ObjectID)
			}
		}
		if data[0][6] != "sun.li" || data[0][4] != "user.create" {
			t.Errorf("newest row first: %q", data[0])
		}

		// The export itself is audited.
		logged := b.Get("/audit?action=audit.export")
		if n := logged.Count("#audit tbody tr"); n != 1 {
			t.Errorf("audit.export entries = %d, want 1", n)
		}
		if !strings.Contains(logged.Text("#audit td.detail"), "rows=") {
			t.Errorf("export detail = %q", logged.Text("#audit td.detail"))
		}
	})
}

func TestBrandAndLogo(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := adminBrowser(env)
		page := b.Get("/settings/brand")
		if page.Status != http.StatusOK {
			t.Fatalf("GET /settings/brand = %d", page.Status)
		}
		v := formValues(page, "/settings/brand")
		v.Set("hotline", "0532-12345")
		if p := b.Post("/settings/brand", v); p.Status != http.StatusSeeOther {
			t.Fatalf("save brand: status %d alert %q", p.Status, p.Text(".alert"))
		}
		if got := b.Get("/").Text(".hotline"); got != "0532-12345" {
			t.Errorf("header hotline = %q", got)
		}
		v.Set("domain", "not a domain")
		if p := b.Post("/settings/brand", v); p.Status != http.StatusUnprocessableEntity || p.Text("#err-domain") == "" {
			t.Errorf("bad domain: status %d error %q", p.Status, p.Text("#err-domain"))
		}

		img := image.NewRGBA(image.Rect(0, 0, 8, 8))
		img.Set(1, 1, color.RGBA{R: 200, A: 255})
		var pngData bytes.Buffer
		if err := png.Encode(&pngData, img); err != nil {
			t.Fatal(err)
		}
		b.Get("/settings/brand")
		body, ct := upload(t, "logo.png", pngData.Bytes())
		p := b.PostMultipart("/settings/brand/logo", body, ct)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("upload PNG: status %d error %q", p.Status, p.Text("#err-logo"))
		}
		logo := env.Browser().Get("/brand/logo")
		if logo.Status != http.StatusOK || logo.Header.Get("Content-Type") != "image/png" || logo.Body != pngData.String() {
			t.Errorf("/brand/logo: status %d type %q, %d bytes", logo.Status, logo.Header.Get("Content-Type"), len(logo.Body))
		}
		if src, _ := b.Get("/settings/brand").Doc.Find("#current-logo").Attr("src"); !strings.HasPrefix(src, "/brand/logo") {
			t.Errorf("brand page shows logo %q", src)
		}

		body, ct = upload(t, "logo.png", []byte("just some text, not an image"))
		p = b.PostMultipart("/settings/brand/logo", body, ct)
		if p.Status != http.StatusUnprocessableEntity || p.Text("#err-logo") == "" {
			t.Errorf("text file: status %d error %q", p.Status, p.Text("#err-logo"))
		}
		if logo := env.Browser().Get("/brand/logo"); logo.Body != pngData.String() {
			t.Errorf("refused upload replaced the logo")
		}
	})
}

// upload builds a multipart body with one file in the field "logo".
func upload(t *testing.T, name string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("logo", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &body, mw.FormDataContentType()
}
