// Package storetest gives tests a fresh, migrated database on every engine:
// SQLite always, and PostgreSQL when QIFU_TEST_POSTGRES holds a DSN (each test
// gets its own schema, dropped afterwards). Without the DSN the PostgreSQL
// runs are skipped with a message saying so.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/qifu/qifu/internal/store"
)

// EnvPostgres names the environment variable holding the PostgreSQL DSN.
const EnvPostgres = "QIFU_TEST_POSTGRES"

// Engines lists the engines a storage test runs on.
var Engines = []store.Dialect{store.SQLite, store.Postgres}

// Each runs fn as a subtest on every engine, with a fresh database each.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Engines {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated database of the dialect, closed and removed
// when the test ends. A PostgreSQL test without a DSN is skipped.
func Open(tb testing.TB, d store.Dialect) *store.DB {
	tb.Helper()
	dialect, dsn := DSN(tb, d)
	db, err := store.Open(context.Background(), dialect, dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", d, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Raw is a plain database/sql connection to a test database, outside the
// store: what someone editing the database by hand would use.
type Raw struct {
	*sql.DB
	Dialect store.Dialect
}

// Exec runs one statement written with ? placeholders.
func (r Raw) Exec(tb testing.TB, query string, args ...any) {
	tb.Helper()
	if _, err := r.DB.Exec(store.Rebind(r.Dialect, query), args...); err != nil {
		tb.Fatalf("raw exec %q: %v", query, err)
	}
}

// EachRaw is Each with a raw connection to the same database.
func EachRaw(t *testing.T, fn func(t *testing.T, db *store.DB, raw Raw)) {
	t.Helper()
	for _, d := range Engines {
		t.Run(string(d), func(t *testing.T) {
			dialect, dsn := DSN(t, d)
			db, err := store.Open(context.Background(), dialect, dsn)
			if err != nil {
				t.Fatalf("open %s: %v", d, err)
			}
			t.Cleanup(func() { db.Close() })
			driver, rawDSN := "pgx", dsn
			if dialect == store.SQLite {
				driver, rawDSN = "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)"
			}
			conn, err := sql.Open(driver, rawDSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close() })
			fn(t, db, Raw{DB: conn, Dialect: dialect})
		})
	}
}

// DSN prepares an empty database of the dialect and returns its DSN without
// opening it (for tests that start the whole app or a second instance).
func DSN(tb testing.TB, d store.Dialect) (store.Dialect, string) {
	tb.Helper()
	switch d {
	case store.SQLite:
		return store.SQLite, filepath.Join(tb.TempDir(), "qifu.db")
	case store.Postgres:
		return store.Postgres, PostgresSchema(tb)
	}
	tb.Fatalf("unknown dialect %q", d)
	return "", ""
}

// PostgresSchema creates a fresh schema in the QIFU_TEST_POSTGRES database and
// returns a DSN whose search_path is that schema. It skips the test when no
// DSN is set.
func PostgresSchema(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		tb.Skipf("PostgreSQL not tested: set %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run this test on PostgreSQL too", EnvPostgres)
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("%s must be a postgres:// URL, got %q", EnvPostgres, base)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "qifu_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		tb.Fatalf("postgres: create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Logf("postgres: drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Name is a readable engine label for benchmark and test names.
func Name(d store.Dialect) string { return fmt.Sprint(d) }
