package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/demo"
)

// uploadFile builds a multipart body with one file in a field.
func uploadFile(t *testing.T, field, name string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &body, mw.FormDataContentType()
}

// dayCell is the text and class of one day of the month grids.
func dayCell(p *apptest.Page, date string) (text, class string) {
	s := p.Doc.Find(`#d-` + date)
	class, _ = s.Attr("class")
	return strings.Join(strings.Fields(s.Text()), " "), class
}

// The fake clock stands at 2026-11-26 (a Thursday); 2027's schedule is not
// in the shipped data.
func TestCalendarPageShowsTheYear(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("street", demo.Password)
		p := b.Get("/settings/calendar")
		if p.Status != http.StatusOK {
			t.Fatalf("street staff: status %d", p.Status)
		}
		if n := p.Count("table.month"); n != 12 {
			t.Errorf("%d month tables, want 12", n)
		}
		if got := p.Text("table.month caption"); got != "2026 年 1 月" {
			t.Errorf("first caption %q", got)
		}
		if got := p.Text("table.month th abbr"); got != "一" {
			t.Errorf("weeks start on %q, want Monday", got)
		}
		for date, want := range map[string][2]string{
			"2026-02-17": {"17 休 春节", "k-holiday"},
			"2026-02-14": {"14 班 春节", "k-makeup_workday"},
			"2026-01-04": {"4 班 元旦", "k-makeup_workday"},
			"2026-10-01": {"1 休 国庆节", "k-holiday"},
			"2026-09-25": {"25 休 中秋节", "k-holiday"},
			"2026-03-07": {"7", "k-weekend"},
			"2026-03-09": {"9", "k-workday"},
		} {
			text, class := dayCell(p, date)
			if text != want[0] || !strings.Contains(class, want[1]) || strings.Contains(class, "unknown") {
				t.Errorf("%s: %q class %q, want %q %s", date, text, class, want[0], want[1])
			}
		}
		// 2026-02-01 is a Sunday: six padding cells before it.
		if n := p.Doc.Find("table.month").Eq(1).Find("tbody tr").First().Find("td:empty").Length(); n != 6 {
			t.Errorf("February starts after %d empty cells, want 6", n)
		}
		if cur, _ := p.Doc.Find(`[aria-current="date"]`).Attr("id"); cur != "d-2026-11-26" {
			t.Errorf("today marked on %q", cur)
		}
		if got := p.Text("#unpublished"); !strings.Contains(got, "2027") {
			t.Errorf("no warning that 2027 is not published: %q", got)
		}
		if got := p.Text("#known-years"); !strings.Contains(got, "2024") || !strings.Contains(got, "2026") || strings.Contains(got, "2027") {
			t.Errorf("known years %q", got)
		}
		if p.Count(`form[action="/settings/calendar/overrides"]`)+p.Count(`form[action="/settings/calendar/years"]`) != 0 {
			t.Errorf("street staff sees the admin forms")
		}
		if p.Count(`a[href="/settings"]`) != 0 {
			t.Errorf("street staff is offered the settings page it may not open")
		}

		p = b.Get("/settings/calendar?year=2027")
		if p.Text("#year-unknown") == "" {
			t.Errorf("2027 shown without saying its schedule is unknown")
		}
		if _, class := dayCell(p, "2027-01-01"); !strings.Contains(class, "k-workday") || !strings.Contains(class, "unknown") {
			t.Errorf("2027-01-01 class %q, want an assumed working day", class)
		}
		if p.Count(`a[rel="prev"][href="/settings/calendar?year=2026"]`) != 1 {
			t.Errorf("no link back to 2026")
		}
		if p := b.Get("/settings/calendar?year=1999"); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("year 1999: status %d", p.Status)
		}

		b.Lang = "en"
		p = b.Get("/settings/calendar?year=2025")
		if got := p.Text("table.month caption"); got != "January 2025" {
			t.Errorf("English caption %q", got)
		}
		if text, _ := dayCell(p, "2025-10-06"); text != "6 Off National Day / Mid-Autumn Festival" {
			t.Errorf("English 2025-10-06: %q", text)
		}

		e := env.Browser()
		e.Login("enterprise", demo.Password)
		if p := e.Get("/settings/calendar"); p.Status != http.StatusForbidden {
			t.Errorf("enterprise: status %d, want 403", p.Status)
		}
	})
}

func TestCalendarOverrideForms(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := adminBrowser(env)
		if p := b.Get("/settings"); p.Count(`.tiles a[href="/settings/calendar"]`) != 1 {
			t.Errorf("no link to the calendar on the settings page")
		}
		page := b.Get("/settings/calendar")
		if page.Count(`form[action="/settings/calendar/overrides"] select[name="off"]`) != 1 {
			t.Fatalf("no override form for the admin")
		}

		// "off" must be chosen; what was typed comes back.
		p := b.Post("/settings/calendar/overrides", url.Values{"date": {"2026-12-10"}, "reason": {"台风“海葵”停工"}})
		if p.Status != http.StatusUnprocessableEntity || errorOf(p, "off") == "" {
			t.Fatalf("no choice: status %d error %q", p.Status, errorOf(p, "off"))
		}
		if v, _ := p.Doc.Find("#f-reason").Attr("value"); v != "台风“海葵”停工" {
			t.Errorf("typed reason lost: %q", v)
		}
		p = b.Post("/settings/calendar/overrides", url.Values{"date": {"2026-12-32"}, "off": {"true"}, "reason": {"台风"}})
		if p.Status != http.StatusUnprocessableEntity || errorOf(p, "date") == "" {
			t.Errorf("bad date: status %d error %q", p.Status, errorOf(p, "date"))
		}

		p = b.Post("/settings/calendar/overrides", url.Values{"date": {"2026-12-10"}, "off": {"true"}, "reason": {"台风“海葵”停工"}})
		if p.Status != http.StatusSeeOther || p.Location != "/settings/calendar?year=2026" {
			t.Fatalf("add: status %d location %q alert %q", p.Status, p.Location, p.Text(".alert"))
		}
		page = b.Get(p.Location)
		if page.Text(".flash") == "" {
			t.Errorf("no confirmation")
		}
		if text, class := dayCell(page, "2026-12-10"); !strings.Contains(class, "k-closed") || !strings.Contains(text, "停") {
			t.Errorf("closed day shown %q class %q", text, class)
		}
		row := page.Doc.Find("#override-2026-12-10")
		if !strings.Contains(row.Text(), "台风“海葵”停工") || !strings.Contains(row.Text(), "admin") {
			t.Errorf("override row %q", strings.TrimSpace(row.Text()))
		}
		if confirm, _ := row.Find("button").Attr("data-confirm"); !strings.Contains(confirm, "2026-12-10") {
			t.Errorf("delete button asks %q", confirm)
		}

		// A weekend day made a working day, in another year.
		p = b.Post("/settings/calendar/overrides", url.Values{"date": {"2027-01-09"}, "off": {"false"}, "reason": {"补班"}})
		if p.Status != http.StatusSeeOther || p.Location != "/settings/calendar?year=2027" {
			t.Fatalf("add 2027: status %d location %q", p.Status, p.Location)
		}
		if _, class := dayCell(b.Get(p.Location), "2027-01-09"); !strings.Contains(class, "k-extra_workday") || strings.Contains(class, "unknown") {
			t.Errorf("2027-01-09 class %q", class)
		}

		b.Get("/settings/calendar")
		p = b.Post("/settings/calendar/overrides", url.Values{"date": {"2026-12-10"}, "off": {"false"}, "reason": {"再来一次"}})
		if p.Status != http.StatusConflict || p.Text(".alert") == "" || errorOf(p, "date") == "" {
			t.Errorf("second override of a day: status %d alert %q", p.Status, p.Text(".alert"))
		}

		p = b.Post("/settings/calendar/overrides/2026-12-10/delete", url.Values{})
		if p.Status != http.StatusSeeOther || p.Location != "/settings/calendar?year=2026" {
			t.Fatalf("delete: status %d location %q", p.Status, p.Location)
		}
		page = b.Get(p.Location)
		if page.Count("#override-2026-12-10") != 0 {
			t.Errorf("deleted override still listed")
		}
		if _, class := dayCell(page, "2026-12-10"); !strings.Contains(class, "k-workday") {
			t.Errorf("2026-12-10 after the delete: class %q", class)
		}
		if p := b.Post("/settings/calendar/overrides/2026-12-10/delete", url.Values{}); p.Status != http.StatusNotFound {
			t.Errorf("delete twice: status %d", p.Status)
		}

		entries, _, err := env.App.Audit.List(context.Background(), apptest.System, audit.Filter{Action: "calendar_override."})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 3 || entries[0].Action != "calendar_override.delete" || entries[0].Username != "admin" {
			t.Errorf("audit %+v", entries)
		}

		// Other staff read the overrides but get no delete button.
		s := env.Browser()
		s.Login("auditor", demo.Password)
		p = s.Get("/settings/calendar?year=2027")
		if p.Count("#override-2027-01-09") != 1 || p.Count("#override-2027-01-09 button") != 0 {
			t.Errorf("auditor's view of the overrides")
		}
		if p := s.Post("/settings/calendar/overrides/2027-01-09/delete", url.Values{}); p.Status != http.StatusForbidden {
			t.Errorf("auditor deletes: status %d", p.Status)
		}
	})
}

func TestCalendarYearUpload(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := adminBrowser(env)
		b.Get("/settings/calendar")
		bad := `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"元旦","date":"2026-12-31","isOffDay":true}]}`
		body, ct := uploadFile(t, "file", "2027.json", []byte(bad))
		p := b.PostMultipart("/settings/calendar/years", body, ct)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(errorOf(p, "file"), "2026-12-31") {
			t.Fatalf("day of another year: status %d error %q", p.Status, errorOf(p, "file"))
		}
		body, ct = uploadFile(t, "file", "2027.json", []byte("not json"))
		if p := b.PostMultipart("/settings/calendar/years", body, ct); p.Status != http.StatusUnprocessableEntity || errorOf(p, "file") == "" {
			t.Errorf("not JSON: status %d error %q", p.Status, errorOf(p, "file"))
		}

		good := `{"year":2027,"papers":[],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"春节","date":"2027-02-20","isOffDay":false}]}`
		body, ct = uploadFile(t, "file", "2027.json", []byte(good))
		p = b.PostMultipart("/settings/calendar/years", body, ct)
		if p.Status != http.StatusSeeOther || p.Location != "/settings/calendar?year=2027" {
			t.Fatalf("upload: status %d location %q error %q", p.Status, p.Location, errorOf(p, "file"))
		}
		page := b.Get(p.Location)
		if page.Text(".flash") == "" || page.Text("#year-unknown") != "" || page.Count("#unpublished") != 0 {
			t.Errorf("after loading 2027: flash %q, unknown %q, unpublished %d", page.Text(".flash"), page.Text("#year-unknown"), page.Count("#unpublished"))
		}
		if text, class := dayCell(page, "2027-01-01"); text != "1 休 元旦" || !strings.Contains(class, "k-holiday") {
			t.Errorf("2027-01-01: %q %q", text, class)
		}
		if got := page.Text("#year-2027"); !strings.Contains(got, "admin") {
			t.Errorf("loaded year listed as %q", got)
		}

		s := env.Browser()
		s.Login("district", demo.Password)
		s.Get("/settings/calendar")
		body, ct = uploadFile(t, "file", "2027.json", []byte(good))
		if p := s.PostMultipart("/settings/calendar/years", body, ct); p.Status != http.StatusForbidden {
			t.Errorf("district staff uploads: status %d", p.Status)
		}
	})
}
