package record_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/tabular"
)

var (
	street0        = demo.StreetCode("370202", 0)
	streetPlatform = demo.PlatformCode(street0)
	admin          = access.SystemActor("test-admin")
)

// streetActor is the street login as a session resolves it.
func streetActor(t *testing.T, env *apptest.Env) access.Actor {
	t.Helper()
	p, err := env.App.Org.Platform(context.Background(), admin, streetPlatform)
	if err != nil {
		t.Fatal(err)
	}
	return access.Actor{Username: "street", Role: access.StreetStaff, OrgCode: p.Code, PlatformPath: p.Path, RegionCode: p.RegionCode}
}

func open(t *testing.T, content string) tabular.Reader {
	t.Helper()
	r, err := tabular.Open(strings.NewReader(content), int64(len(content)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func describe(err error) string { return apperr.As(err).ErrorCode() + ":" + apperr.As(err).Field }

// problems lists a result's problems as "row column reason", warnings
// marked.
func problems(res record.ImportResult) []string {
	var out []string
	for _, p := range res.Problems {
		s := strings.Join([]string{itoa(p.Row), p.Column, p.Reason}, " ")
		if p.Warning {
			s += " (warning)"
		}
		out = append(out, s)
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func auditFilter(action string) audit.Filter { return audit.Filter{Action: action} }

func TestImportLedger(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		ctx := context.Background()
		unregistered := demo.MakeUSCC("91", "370202", "MA7QWE03")
		e := demo.DemoEnterprise
		ledger := "服务平台,统一社会信用代码,企业名称,服务类型,功能服务区,服务日期,服务内容,经办人\n" +
			streetPlatform + "," + e + ",演示企业,咨询服务,信息服务,2026/3/5,政策解读,张三\n" + // 2 created
			"八大关街道中小企业服务站," + e + ",演示企业,培训,人才培训,2026年4月1日,技能培训,李四\n" + // 3 created (platform by name)
			"不存在的平台," + e + ",演示企业,咨询服务,信息服务,2026-03-05,,\n" + // 4 unknown platform
			streetPlatform + ",91370202MA3C8Q1D0Q,某企业,咨询服务,信息服务,2026-03-05,,\n" + // 5 bad code
			streetPlatform + "," + unregistered + ",未登记企业,咨询服务,信息服务,2026-03-05,,\n" + // 6 not registered
			streetPlatform + "," + e + ",演示企业,走访,信息服务,2026-03-05,,\n" + // 7 unknown kind
			streetPlatform + "," + e + ",演示企业,咨询服务,税务,2026-03-05,,\n" + // 8 unknown area
			streetPlatform + "," + e + ",演示企业,咨询服务,信息服务,2026-12-01,,\n" + // 9 future
			streetPlatform + "," + e + ",演示企业,咨询服务,信息服务,2017-12-31,,\n" + // 10 before the platform
			streetPlatform + "," + e + ",演示企业,咨询服务,信息服务,2026-03-05,政策解读,\n" // 11 same as row 2
		res, err := env.App.Record.Import(ctx, admin, open(t, ledger), record.ImportOptions{Name: "ledger.csv", Describe: describe})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 10 || res.Created != 2 || res.Rejected != 7 || res.Skipped != 1 {
			t.Errorf("rows %d created %d rejected %d skipped %d; problems %v", res.Rows, res.Created, res.Rejected, res.Skipped, problems(res))
		}
		want := []string{
			"4 服务平台 unknown_reference:platform_code", "5 统一社会信用代码 invalid_uscc:enterprise_uscc",
			"7 服务类型 invalid_kind:kind", "8 功能服务区 invalid_service_area:service_area", "9 服务日期 date_in_future:date",
			"10 服务日期 date_before_platform:date", "11 统一社会信用代码 duplicate_in_file:enterprise_uscc (warning)",
			"6 统一社会信用代码 unknown_enterprise:enterprise_uscc",
		}
		if got := problems(res); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("problems\n got %v\nwant %v", got, want)
		}
		if len(res.Unknown) != 1 || res.Unknown[0] != "经办人" {
			t.Errorf("unknown columns %v", res.Unknown)
		}
		items, _, err := env.App.Record.List(ctx, admin, record.Filter{Platform: streetPlatform})
		if err != nil || len(items) != 2 {
			t.Fatalf("imported records: %v %v", items, err)
		}
		for i, want := range []struct{ date, kind, area string }{{"2026-04-01", "training", "talent_training"},
			{"2026-03-05", "consultation", "information"}} {
			if r := items[i]; r.Date != want.date || r.Kind != want.kind || r.ServiceArea != want.area || r.Source != "import" {
				t.Errorf("record %d: %+v", i, r)
			}
		}
		// Importing the same ledger again adds nothing.
		again, err := env.App.Record.Import(ctx, admin, open(t, ledger), record.ImportOptions{Name: "ledger.csv", Describe: describe})
		if err != nil {
			t.Fatal(err)
		}
		if again.Created != 0 || again.Skipped != 3 || again.Rejected != 7 {
			t.Errorf("again: created %d skipped %d rejected %d", again.Created, again.Skipped, again.Rejected)
		}
		// The report names every problem row, in the user's language.
		var buf bytes.Buffer
		if err := tabular.WriteReport(&buf, record.ReportLabels(locale.NewPrinter(locale.ZH), "ledger.csv", again, env.Clock.Now()),
			again.Problems); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetName(0))
		if len(rows) != 4+len(again.Problems) || rows[0][0] != "服务记录导入报告" || !strings.Contains(rows[1][0], "跳过（已记录）3") {
			t.Errorf("report rows %v", rows[:min(3, len(rows))])
		}
		// One audit entry per batch written.
		entries, _, err := env.App.Audit.List(ctx, admin, auditFilter("service_record.import"))
		if err != nil || len(entries) != 1 || entries[0].ObjectID != "ledger.csv" {
			t.Errorf("audit entries of the import: %v %v", entries, err)
		}
	})
}

func TestImportByPlatformStaff(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		ctx := context.Background()
		street := streetActor(t, env)
		// Without a platform column, every row is the staff's own platform.
		own := "credit code,kind,service area,date,note\n" + demo.DemoEnterprise + ",training,talent_training,2026-05-06,workshop\n"
		res, err := env.App.Record.Import(ctx, street, open(t, own), record.ImportOptions{Name: "own.csv", Describe: describe})
		if err != nil || res.Created != 1 {
			t.Fatalf("own ledger: %+v %v", res, err)
		}
		items, _, err := env.App.Record.List(ctx, street, record.Filter{})
		if err != nil || len(items) != 1 || items[0].PlatformCode != streetPlatform || items[0].CreatedBy != "street" {
			t.Fatalf("street's records: %+v %v", items, err)
		}
		// A row for another district's platform is refused, the others kept.
		mixed := "平台编码,统一社会信用代码,服务类型,功能服务区,服务日期\n" +
			demo.PlatformCode(demo.StreetCode("370203", 0)) + "," + demo.DemoEnterprise + ",咨询,信息服务,2026-05-07\n" +
			streetPlatform + "," + demo.DemoEnterprise + ",咨询,信息服务,2026-05-07\n"
		res, err = env.App.Record.Import(ctx, street, open(t, mixed), record.ImportOptions{Name: "mixed.csv", Describe: describe})
		if err != nil || res.Created != 1 || res.Rejected != 1 || !strings.Contains(problems(res)[0], "outside_scope:platform_code") {
			t.Errorf("mixed ledger: %+v %v %v", res.ImportProgress, problems(res), err)
		}
		// The city admin must say which platform.
		_, err = env.App.Record.Import(ctx, admin, open(t, own), record.ImportOptions{Name: "own.csv"})
		if !apperr.HasCode(err, "missing_columns") {
			t.Errorf("admin without a platform column: %v", err)
		}
		// Roles that record nothing import nothing.
		for _, a := range []access.Actor{{Username: "hotline", Role: access.HotlineOperator}, {Username: "auditor", Role: access.Auditor}} {
			if _, err := env.App.Record.Import(ctx, a, open(t, own), record.ImportOptions{}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s import: %v", a.Role, err)
			}
		}
	})
}

func TestImportXLSXDates(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		f := excelize.NewFile()
		sh := f.GetSheetName(0)
		f.SetSheetRow(sh, "A1", &[]any{"2026年服务台账"})
		f.SetSheetRow(sh, "A3", &[]any{"服务平台", "统一社会信用代码", "服务类型", "功能服务区", "服务日期"})
		f.SetSheetRow(sh, "A4", &[]any{streetPlatform, demo.DemoEnterprise, "培训", "人才培训", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)})
		style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		f.SetCellStyle(sh, "E5", "E5", style)
		f.SetSheetRow(sh, "A5", &[]any{streetPlatform, demo.DemoEnterprise, "融资对接", "融资担保", 46117})
		f.SetCellStyle(sh, "E5", "E5", style)
		f.SetSheetRow(sh, "A6", &[]any{streetPlatform, demo.DemoEnterprise, "活动", "市场开拓", "2026/4/6"})
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		r, err := tabular.Open(&buf, int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		res, err := env.App.Record.Import(context.Background(), admin, r, record.ImportOptions{Name: "ledger.xlsx", Describe: describe})
		if err != nil || res.Created != 3 {
			t.Fatalf("xlsx: %+v %v %v", res.ImportProgress, problems(res), err)
		}
		items, _, _ := env.App.Record.List(context.Background(), admin, record.Filter{Platform: streetPlatform})
		var dates []string
		for _, it := range items {
			dates = append(dates, it.Date+" "+it.Kind)
		}
		if want := "2026-04-06 event,2026-04-05 financing,2026-03-05 training"; strings.Join(dates, ",") != want {
			t.Errorf("dates %v, want %s", dates, want)
		}
	})
}
