package cli_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/store"
)

// A record written behind Qifu's back (straight into the database) is not
// in the statistics until `qifu stats rebuild` recounts them from the raw
// rows.
func TestStatsRebuildCountsRowsWrittenBehindQifusBack(t *testing.T) {
	each(t, func(t *testing.T, db string, raw *sql.DB, d store.Dialect) {
		if r := run(nil, "demo", "--db", db, "--tickets", "0", "--records", "0"); r.err != nil {
			t.Fatalf("demo: %v %s", r.err, r.errOut)
		}
		street := demo.PlatformCode(demo.StreetCode("370202", 0))
		served := func() int {
			var n int
			err := raw.QueryRow(store.Rebind(d, `SELECT COALESCE(SUM(smes_new), 0) FROM stats_reach
				WHERE scope_type = 'platform' AND scope_code = ? AND year = 2025`), street).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if _, err := raw.Exec(store.Rebind(d, `INSERT INTO service_records (platform_code, enterprise_uscc, kind, service_area,
			served_on, source, created_by, created_at) VALUES (?, ?, 'training', 'talent_training', '2025-05-05', 'manual', 'dba', ?)`),
			street, demo.DemoEnterprise, "2025-05-05 10:00:00+00:00"); err != nil {
			t.Fatal(err)
		}
		if n := served(); n != 0 {
			t.Fatalf("before the rebuild the rollups count %d: the row went around them?", n)
		}
		r := run(nil, "stats", "rebuild", "--db", db)
		if r.err != nil || !strings.Contains(r.out, "statistics rebuilt from 1 service records") {
			t.Fatalf("stats rebuild: %q %v %s", r.out, r.err, r.errOut)
		}
		if n := served(); n != 1 {
			t.Errorf("after the rebuild the street platform served %d SMEs in 2025, want 1", n)
		}
		if r := run(nil, "stats", "--db", db); r.err == nil {
			t.Error("qifu stats without rebuild succeeded")
		}
	})
}
