package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// migrationLockKey is the PostgreSQL advisory lock that keeps two app
// instances starting together from migrating at the same time.
const migrationLockKey = 7302_2001

// Migrate applies, in name order, every embedded migration of the dialect
// not yet recorded in schema_migrations, each in its own transaction.
// Migrations are forward-only: a recorded one is never run again.
func (db *DB) Migrate(ctx context.Context) error {
	names, err := migrationNames(db.dialect)
	if err != nil {
		return err
	}
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	if db.dialect == Postgres {
		// Keyed by schema too, like every lock of Qifu's.
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1, hashtext(current_schema()))", migrationLockKey); err != nil {
			return fmt.Errorf("store: migrate lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1, hashtext(current_schema()))", migrationLockKey)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: create schema_migrations: %w", err)
	}
	done := map[string]bool{}
	rows, err := conn.QueryContext(ctx, "SELECT name FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("store: migrate: list applied: %w", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return fmt.Errorf("store: migrate: %w", err)
		}
		done[n] = true
	}
	rows.Close()
	for _, name := range names {
		if done[name] {
			continue
		}
		body, err := migrationFS.ReadFile("migrations/" + string(db.dialect) + "/" + name)
		if err != nil {
			return fmt.Errorf("store: migrate: read %s: %w", name, err)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migrate %s: %w", name, err)
		}
		if fill := backfills[name]; fill != nil {
			if err := fill(ctx, &Tx{q: tx, dialect: db.dialect, write: true}); err != nil {
				tx.Rollback()
				return fmt.Errorf("store: migrate %s: backfill: %w", name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, rebind(db.dialect, "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)"),
			name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migrate %s: record: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migrate %s: commit: %w", name, err)
		}
	}
	return nil
}

// backfills run in a migration's transaction after its SQL: what it
// derives from the rows already there by rules written in Go. The
// statistics rollups (0009) start from every record and ticket kept before
// them.
var backfills = map[string]func(ctx context.Context, tx *Tx) error{
	"0009_stats.sql": func(ctx context.Context, tx *Tx) error {
		_, err := tx.RebuildStats(ctx)
		return err
	},
	// SQLite's search entries gain a head token (0011): written anew for
	// every enterprise.
	"0011_enterprise_search_head.sql": func(ctx context.Context, tx *Tx) error {
		if tx.dialect != SQLite {
			return nil
		}
		return tx.rebuildEnterpriseSearch(ctx)
	},
}

// MigrationStatus lists the embedded migrations and whether each is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	names, err := migrationNames(db.dialect)
	if err != nil {
		return nil, err
	}
	applied := map[string]string{}
	rows, err := db.reader.QueryContext(ctx, "SELECT name, applied_at FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, at string
		if err := rows.Scan(&n, &at); err != nil {
			return nil, fmt.Errorf("store: migration status: %w", err)
		}
		applied[n] = at
	}
	out := make([]Migration, 0, len(names))
	for _, n := range names {
		out = append(out, Migration{Name: n, AppliedAt: applied[n]})
	}
	return out, rows.Err()
}

// Migration is one embedded migration; AppliedAt is empty when pending.
type Migration struct {
	Name      string
	AppliedAt string
}

func migrationNames(d Dialect) ([]string, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations/"+string(d))
	if err != nil {
		return nil, fmt.Errorf("store: migrations for %s: %w", d, err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}
