package apptest

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/qifu/qifu/internal/stats"
	"github.com/qifu/qifu/internal/store"
)

// Rows runs a query on the database directly (? placeholders on either
// engine) and returns every value as text, failing the test on error.
// Tests use it to compute a figure independently of the code under test.
func (e *Env) Rows(query string, args ...any) [][]string {
	e.T.Helper()
	var out [][]string
	err := e.App.DB.Raw(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query(store.Rebind(e.App.DB.Dialect(), query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			row := make([]string, len(cols))
			for i, v := range vals {
				row[i] = v.String
			}
			out = append(out, row)
		}
		return rows.Err()
	})
	if err != nil {
		e.T.Fatalf("%s: %v", query, err)
	}
	return out
}

// Rollups dumps every statistics rollup row that counts something, one
// sorted line each, so that two states can be compared (incremental and
// rebuilt). Counters spread over slots (PostgreSQL) appear as their sums.
func (e *Env) Rollups() string {
	e.T.Helper()
	var lines []string
	queries := map[string]string{
		"stats_activity": "SELECT owner_type, owner_code, year, month, SUM(" + strings.Join(stats.Columns, "), SUM(") + ")" +
			" FROM stats_activity GROUP BY owner_type, owner_code, year, month",
		"stats_breakdown": "SELECT owner_type, owner_code, year, dim, item, SUM(n) FROM stats_breakdown" +
			" GROUP BY owner_type, owner_code, year, dim, item HAVING SUM(n) <> 0",
		"stats_members": "SELECT scope_type, scope_code, year, enterprise_uscc, n, first_on FROM stats_members",
		"stats_reach":   "SELECT scope_type, scope_code, year, month, smes_new FROM stats_reach WHERE smes_new <> 0",
	}
	for table, q := range queries {
		for _, row := range e.Rows(q) {
			if table == "stats_activity" && strings.Trim(strings.Join(row[4:], ""), "0") == "" {
				continue
			}
			lines = append(lines, table+" "+strings.Join(row, " "))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// DiffLines lists the lines only in a ("- ") and only in b ("+ "), sorted,
// the first 40 of them.
func DiffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for l := range ma {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range mb {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	if len(out) > 40 {
		out = append(out[:40], fmt.Sprintf("… and %d more", len(out)-40))
	}
	return strings.Join(out, "\n")
}
