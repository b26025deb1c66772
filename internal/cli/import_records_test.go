package cli_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/store"
)

func TestImportRecords(t *testing.T) {
	each(t, func(t *testing.T, db string, raw *sql.DB, d store.Dialect) {
		if r := run(nil, "demo", "--db", db, "--tickets", "0", "--records", "0"); r.err != nil {
			t.Fatalf("demo: %v %s", r.err, r.errOut)
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "台账.csv")
		ledger := "服务平台,统一社会信用代码,服务类型,功能服务区,服务日期,服务内容\n" +
			"P370202001," + demo.DemoEnterprise + ",咨询服务,信息服务,2025-03-05,政策解读\n" +
			"P370202001," + demo.DemoEnterprise + ",培训,人才培训,2025-13-05,技能培训\n"
		if err := os.WriteFile(file, []byte(ledger), 0o600); err != nil {
			t.Fatal(err)
		}
		en := map[string]string{"QIFU_LANG": "en"}
		r := run(en, "import", "records", file, "--db", db)
		if r.err != nil {
			t.Fatalf("import: %v %s", r.err, r.errOut)
		}
		if !strings.Contains(r.out, "2 rows, 1 service records added, 0 skipped (recorded already), 1 rejected") ||
			!strings.Contains(r.out, file+".report.xlsx") {
			t.Errorf("summary %q", r.out)
		}
		f, err := excelize.OpenFile(file + ".report.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetName(0))
		f.Close()
		if len(rows) != 5 || rows[4][0] != "3" || rows[4][1] != "服务日期" {
			t.Errorf("report rows %v", rows)
		}
		var n int
		raw.QueryRow(store.Rebind(d, "SELECT COUNT(*) FROM service_records WHERE source = ? AND served_on = ?"), "import", "2025-03-05").Scan(&n)
		if n != 1 {
			t.Errorf("%d records stored, want 1", n)
		}
		// Again: nothing new.
		r = run(en, "import", "records", file, "--db", db, "--report", filepath.Join(dir, "again.xlsx"))
		if r.err != nil || !strings.Contains(r.out, "0 service records added, 1 skipped") {
			t.Errorf("again: %q %v", r.out, r.err)
		}
		if r := run(en, "import", "records", filepath.Join(dir, "missing.csv"), "--db", db); r.err == nil {
			t.Error("a missing file imported")
		}
	})
}
