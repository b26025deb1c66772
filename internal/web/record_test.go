package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/demo"
)

var recordStreet = demo.PlatformCode(demo.StreetCode("370202", 0)) // the street login's platform

// recordForm is a valid entry of the record form.
func recordForm(kv ...string) url.Values {
	v := url.Values{"platform_code": {recordStreet}, "enterprise_uscc": {demo.DemoEnterprise}, "kind": {"training"},
		"service_area": {"talent_training"}, "date": {"2026-11-20"}, "note": {"数控技能培训班"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestRecordAServiceThroughTheForm(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("street", demo.Password)

		form := b.Get("/records/new")
		if form.Status != http.StatusOK {
			t.Fatalf("GET /records/new = %d", form.Status)
		}
		if v, _ := form.Doc.Find(`#f-platform_code option[selected]`).Attr("value"); v != recordStreet {
			t.Errorf("platform preselected %q, want the street's own", v)
		}
		if form.Count(`#f-platform_code option`) != 1 {
			t.Errorf("a street platform is offered %d platforms, want its own only", form.Count(`#f-platform_code option`))
		}
		if v, _ := form.Doc.Find(`#f-date`).Attr("value"); v != "2026-11-26" {
			t.Errorf("date defaults to %q, want today", v)
		}
		if form.Count(`#record-q[autofocus][data-pick="/records/enterprises"]`) != 1 || form.Count(`input[name=kind][type=radio]`) != 7 {
			t.Errorf("the form lacks the enterprise search or the kinds")
		}
		// The search works without JavaScript too.
		hits := b.Get("/records/new?q=" + url.QueryEscape("演示科技"))
		link, ok := hits.Doc.Find(`#hits a`).First().Attr("href")
		if !ok || !strings.Contains(link, "uscc="+demo.DemoEnterprise) {
			t.Fatalf("search hits: %q", hits.Text("#hits"))
		}
		picked := b.Get(link)
		if v, _ := picked.Doc.Find(`#f-enterprise_uscc`).Attr("value"); v != demo.DemoEnterprise || picked.Text("#picked") != demo.DemoEnterpriseName {
			t.Errorf("picked: code %q name %q", v, picked.Text("#picked"))
		}
		// And as one types.
		r := b.Get("/records/enterprises?q=" + url.QueryEscape("演示科技"))
		var sugg struct{ Items []map[string]string }
		if err := json.Unmarshal([]byte(r.Body), &sugg); err != nil || len(sugg.Items) == 0 || sugg.Items[0]["uscc"] != demo.DemoEnterprise {
			t.Errorf("suggestions: %d %s", r.Status, r.Body)
		}

		saved := b.Post("/records", recordForm())
		if saved.Status != http.StatusSeeOther || !strings.HasPrefix(saved.Location, "/records/new?") {
			t.Fatalf("save: %d %q %q", saved.Status, saved.Location, saved.Text(".alert"))
		}
		next := b.Get(saved.Location)
		if !strings.Contains(next.Text("#saved"), demo.DemoEnterpriseName) || next.Text(".flash") == "" {
			t.Errorf("after saving: %q", next.Text("#saved"))
		}
		// Ready for the next attendee: the context kept, the enterprise not.
		if !next.Doc.Find(`input[name=kind][value=training]`).Is("[checked]") {
			t.Errorf("the kind is not kept")
		}
		if !next.Doc.Find(`input[name=service_area][value=talent_training]`).Is("[checked]") {
			t.Errorf("the area is not kept")
		}
		if v, _ := next.Doc.Find(`#f-enterprise_uscc`).Attr("value"); v != "" {
			t.Errorf("the enterprise is kept: %q", v)
		}

		// A bad entry comes back with the message next to the field.
		bad := b.Post("/records", recordForm("date", "2026-12-01"))
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Text("#err-date"), "2026-11-26") {
			t.Errorf("future date: %d %q", bad.Status, bad.Text("#err-date"))
		}
		if v, _ := bad.Doc.Find(`#f-note`).Html(); v != "数控技能培训班" {
			t.Errorf("the note is lost: %q", v)
		}
		outside := b.Post("/records", recordForm("platform_code", "P370202"))
		if outside.Status != http.StatusForbidden || outside.Text(".alert") == "" {
			t.Errorf("a platform above: %d %q", outside.Status, outside.Text(".alert"))
		}

		// The list shows it, filtered and in English.
		list := b.Get("/records?year=2026&kind=training")
		if list.Count("#records tbody tr") != 1 || !strings.Contains(list.Text("#records tbody tr"), "数控技能培训班") {
			t.Errorf("list: %q", list.Text("#records"))
		}
		if b.Get("/records?year=2025").Count("#records-empty") != 1 {
			t.Errorf("an empty year is not said to be empty")
		}
		if got := b.Get("/records?year=abc"); got.Status != http.StatusUnprocessableEntity || got.Text("#err-year") == "" {
			t.Errorf("bad year: %d", got.Status)
		}
		b.Lang = "en"
		if en := b.Get("/records"); !strings.Contains(en.Text("#records thead"), "Service area") ||
			!strings.Contains(en.Text("#records tbody"), "Talent and training") {
			t.Errorf("English list: %q", en.Text("#records"))
		}
	})
}

// workbookRows reads the first sheet of an XLSX body.
func workbookRows(t *testing.T, body string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestRecordExport(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("district", demo.Password)
		b.Get("/records/new")
		for _, v := range []url.Values{recordForm(), recordForm("kind", "consultation", "service_area", "information"),
			recordForm("platform_code", "P370202", "date", "2026-01-05")} {
			if p := b.Post("/records", v); p.Status != http.StatusSeeOther {
				t.Fatalf("save: %d %q", p.Status, p.Text(".alert"))
			}
			b.Get("/records")
		}
		page := b.Get("/records?year=2026")
		href, _ := page.Doc.Find("#record-export").Attr("href")
		if href != "/records/export.xlsx?year=2026" {
			t.Errorf("export link %q", href)
		}
		x := b.Get(href)
		if x.Status != http.StatusOK || !strings.Contains(x.Header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("export: %d %v", x.Status, x.Header)
		}
		rows := workbookRows(t, x.Body)
		if len(rows) != 4+3+1 {
			t.Fatalf("rows %d: %v", len(rows), rows)
		}
		if !strings.Contains(rows[0][0], "服务记录") || !strings.Contains(rows[1][0], "市南区") || !strings.Contains(rows[1][0], "2026") ||
			!strings.Contains(rows[2][0], "district") {
			t.Errorf("title rows %v", rows[:3])
		}
		if rows[3][0] != "序号" || rows[4][1] != "2026-11-20" || rows[6][1] != "2026-01-05" || rows[6][3] != demo.DemoEnterpriseName {
			t.Errorf("data rows %v", rows[3:7])
		}
		if total := strings.Join(rows[7], " "); !strings.Contains(total, "合计") || !strings.Contains(total, "有效记录 3 条，服务企业 1 家") {
			t.Errorf("totals row %v", rows[7])
		}
		entries, _, err := env.App.Audit.List(t.Context(), apptest.System, auditFilter("service_record.export"))
		if err != nil || len(entries) != 1 || entries[0].Username != "district" {
			t.Errorf("export audit: %v %v", entries, err)
		}
		// An institution has no records to export.
		ib := env.Browser()
		ib.Login("institution", demo.Password)
		if p := ib.Get("/records/export.xlsx"); p.Status != http.StatusForbidden {
			t.Errorf("institution export: %d", p.Status)
		}
	})
}

func TestRecordCorrectionPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("street", demo.Password)
		b.Get("/records/new")
		saved := b.Post("/records", recordForm())
		loc, _ := url.Parse(saved.Location)
		id := loc.Query().Get("saved")
		view := b.Get("/records/" + id)
		if view.Status != http.StatusOK || view.Text("#record-state") != "有效" || view.Count("#correct-link") != 1 {
			t.Fatalf("view: %d %q", view.Status, view.Text("#record-state"))
		}
		form := b.Get("/records/" + id + "/correct")
		if v, _ := form.Doc.Find(`#f-service_area option[selected]`).Attr("value"); v != "talent_training" {
			t.Errorf("correction form not filled: area %q", v)
		}
		v := recordForm("service_area", "entrepreneurship")
		if p := b.Post("/records/"+id+"/correct", v); p.Status != http.StatusUnprocessableEntity || p.Text("#err-reason") == "" {
			t.Errorf("no reason: %d %q", p.Status, p.Text("#err-reason"))
		}
		v.Set("reason", "实为创业辅导")
		done := b.Post("/records/"+id+"/correct", v)
		if done.Status != http.StatusSeeOther || done.Location == "/records/"+id {
			t.Fatalf("correct: %d %q %q", done.Status, done.Location, done.Text(".alert"))
		}
		now := b.Get(done.Location)
		if !strings.Contains(now.Text("#record-details .area"), "创业辅导") || now.Count("#history tbody tr") != 2 {
			t.Errorf("corrected: %q, history %d rows", now.Text("#record-details .area"), now.Count("#history tbody tr"))
		}
		old := b.Get("/records/" + id)
		if old.Text("#record-state") != "已作废" || !strings.Contains(old.Text("#cancel-note"), "实为创业辅导") || old.Count("#corrected-by") != 1 ||
			old.Count("#correct-link") != 0 {
			t.Errorf("old: %q %q", old.Text("#record-state"), old.Text("#cancel-note"))
		}
		if p := b.Get("/records/" + id + "/correct"); p.Status != http.StatusConflict {
			t.Errorf("correcting a cancelled record: %d", p.Status)
		}
		// The list shows only the live one, both with the cancelled.
		if n := b.Get("/records").Count("#records tbody tr"); n != 1 {
			t.Errorf("live rows %d", n)
		}
		if n := b.Get("/records?include_cancelled=true").Count("#records tbody tr.cancelled"); n != 1 {
			t.Errorf("cancelled rows %d", n)
		}
		// Withdrawn: nothing counts.
		newID := strings.TrimPrefix(done.Location, "/records/")
		b.Get(done.Location + "/correct")
		w := b.Post("/records/"+newID+"/correct", url.Values{"reason": {"重复登记"}, "withdraw": {"1"}})
		if w.Status != http.StatusSeeOther || w.Location != "/records/"+newID {
			t.Fatalf("withdraw: %d %q %q", w.Status, w.Location, w.Text(".alert"))
		}
		if b.Get("/records").Count("#records-empty") != 1 {
			t.Errorf("a withdrawn record still listed")
		}
		// The auditor reads, never corrects.
		ab := env.Browser()
		ab.Login("auditor", demo.Password)
		if p := ab.Get("/records/" + id); p.Status != http.StatusOK || p.Count("#correct-link") != 0 {
			t.Errorf("auditor view: %d", p.Status)
		}
		if p := ab.Get("/records/new"); p.Status != http.StatusForbidden {
			t.Errorf("auditor form: %d", p.Status)
		}
	})
}

func TestTicketRecordCorrectsOnlyAreaAndNote(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		api := env.API(env.Token("admin"))
		r := api.Do("POST", "/api/v1/tickets", map[string]any{"channel": "hotline", "enterprise_uscc": demo.DemoEnterprise,
			"category": "consult", "title": "咨询稳岗补贴", "content": "咨询稳岗补贴申领", "region_code": demo.StreetCode("370202", 0)})
		id := jsonID(r.JSON)
		for _, act := range []map[string]any{{"action": "sign"}, {"action": "reply", "note": "已答复"}, {"action": "close"}} {
			if r := api.Do("POST", "/api/v1/tickets/"+id+"/actions", act); r.Status != http.StatusOK {
				t.Fatalf("%v: %d %s", act, r.Status, r.Body)
			}
		}
		rec := api.Do("GET", "/api/v1/service-records?ticket_id="+id, nil).Items()[0]
		b := env.Browser()
		b.Login("street", demo.Password)
		view := b.Get("/records/" + jsonID(rec))
		if href, _ := view.Doc.Find("#record-details .source a").Attr("href"); href != "/tickets/"+id {
			t.Errorf("the record does not link its ticket: %q", href)
		}
		form := b.Get("/records/" + jsonID(rec) + "/correct")
		if form.Count("#ticket-fixed") != 1 || form.Count("#correct-form #f-date") != 0 || form.Count("#correct-form #f-service_area") != 1 {
			t.Errorf("the ticket record's form offers what the ticket fixed")
		}
		done := b.Post("/records/"+jsonID(rec)+"/correct", url.Values{"service_area": {"management_consulting"}, "note": {"协调补贴申领"},
			"reason": {"实为管理咨询"}})
		if done.Status != http.StatusSeeOther {
			t.Fatalf("correct: %d %q", done.Status, done.Text(".alert"))
		}
		if now := b.Get(done.Location); !strings.Contains(now.Text("#record-details .kind"), "工单办理") ||
			!strings.Contains(now.Text("#record-details .area"), "管理咨询") {
			t.Errorf("after: %q %q", now.Text("#record-details .kind"), now.Text("#record-details .area"))
		}
	})
}

// upload builds a multipart body with one file in the field "file".
func uploadLedger(t *testing.T, name, content string) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	return &body, mw.FormDataContentType()
}

func TestRecordImportPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("street", demo.Password)
		page := b.Get("/records/import")
		if page.Status != http.StatusOK || page.Count("#import-form input[type=file][name=file]") != 1 {
			t.Fatalf("import page: %d", page.Status)
		}
		// No platform column: the street's own platform.
		ledger := "统一社会信用代码,服务类型,功能服务区,服务日期,服务内容\n" +
			demo.DemoEnterprise + ",培训,人才培训,2026/10/9,技能培训\n" +
			demo.DemoEnterprise + ",走访,信息服务,2026/10/9,\n"
		body, ct := uploadLedger(t, "台账.csv", ledger)
		done := b.PostMultipart("/records/import", body, ct)
		if done.Status != http.StatusSeeOther || !strings.HasPrefix(done.Location, "/record-imports/") {
			t.Fatalf("import: %d %q %q", done.Status, done.Location, done.Text(".field-error"))
		}
		run := b.Get(done.Location)
		if run.Text("#count-rows") != "2" || run.Text("#count-created") != "1" || run.Text("#count-rejected") != "1" ||
			!strings.Contains(run.Text("#problems tbody"), "走访") {
			t.Errorf("result: rows %s created %s rejected %s problems %q", run.Text("#count-rows"), run.Text("#count-created"),
				run.Text("#count-rejected"), run.Text("#problems tbody"))
		}
		href, _ := run.Doc.Find("#report-link").Attr("href")
		report := b.Get(href)
		rows := workbookRows(t, report.Body)
		if report.Status != http.StatusOK || len(rows) != 5 || rows[4][1] != "服务类型" || rows[4][2] != "走访" {
			t.Errorf("report: %d %v", report.Status, rows)
		}
		if n := b.Get("/records").Count("#records tbody tr"); n != 1 {
			t.Errorf("imported rows listed: %d", n)
		}
		// Another staff member does not see this import.
		db := env.Browser()
		db.Login("district", demo.Password)
		if p := db.Get(done.Location); p.Status != http.StatusForbidden {
			t.Errorf("another user's import: %d", p.Status)
		}
		// A file that is no table comes back with the reason.
		b.Get("/records/import")
		body, ct = uploadLedger(t, "photo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
		if p := b.PostMultipart("/records/import", body, ct); p.Status != http.StatusUnprocessableEntity || p.Text("#err-file") == "" {
			t.Errorf("not a table: %d %q", p.Status, p.Text("#err-file"))
		}
		body, ct = uploadLedger(t, "x.csv", "名称,地址\n甲,乙\n")
		if p := b.PostMultipart("/records/import", body, ct); p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#err-file"), "统一社会信用代码") {
			t.Errorf("missing columns: %d %q", p.Status, p.Text("#err-file"))
		}
	})
}

func TestEnterpriseReadsItsOwnRecords(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		sb := env.Browser()
		sb.Login("street", demo.Password)
		sb.Get("/records/new")
		if p := sb.Post("/records", recordForm()); p.Status != http.StatusSeeOther {
			t.Fatalf("save: %d", p.Status)
		}
		b := env.Browser()
		b.Login("enterprise", demo.Password)
		home := b.Get("/")
		if home.Count(`nav a[href="/records"]`) != 1 {
			t.Errorf("no records in the enterprise's navigation")
		}
		list := b.Get("/records")
		if list.Count("#records tbody tr") != 1 || list.Count("#record-new") != 0 || list.Count("#platform_code") != 0 {
			t.Errorf("enterprise list: %d rows, record button %d", list.Count("#records tbody tr"), list.Count("#record-new"))
		}
		if p := b.Get("/records/new"); p.Status != http.StatusForbidden {
			t.Errorf("enterprise form: %d", p.Status)
		}
		ib := env.Browser()
		ib.Login("institution", demo.Password)
		if ib.Get("/").Count(`nav a[href="/records"]`) != 0 || ib.Get("/records").Status != http.StatusForbidden {
			t.Errorf("institutions have no records")
		}
	})
}

func jsonID(m map[string]any) string {
	f, _ := m["id"].(float64)
	return strconv.FormatInt(int64(f), 10)
}

func auditFilter(action string) audit.Filter { return audit.Filter{Action: action} }
