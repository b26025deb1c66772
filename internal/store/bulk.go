package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Bulk loading, for generated data (the city-scale demo, the benchmarks):
// rows written many a statement in big transactions — multi-row INSERTs on
// SQLite, COPY on PostgreSQL — bypassing the domain services and the
// statistics hooks. Whoever bulk-loads rows the rollups count rebuilds them
// afterwards (stats.Service.Rebuild).

// BulkTx is one bulk-load transaction.
type BulkTx struct {
	ctx     context.Context
	dialect Dialect
	sqlTx   *sql.Tx // SQLite
	pgTx    pgx.Tx  // PostgreSQL
	stmts   map[string]*sql.Stmt
}

// Bulk runs fn in one write transaction for bulk inserts: committed when fn
// returns nil, rolled back otherwise. Nothing else should write meanwhile
// (on SQLite it holds the writer connection).
func (db *DB) Bulk(ctx context.Context, fn func(*BulkTx) error) error {
	if db.dialect == SQLite {
		return db.Raw(ctx, func(tx *sql.Tx) error {
			b := &BulkTx{ctx: ctx, dialect: SQLite, sqlTx: tx, stmts: map[string]*sql.Stmt{}}
			defer func() {
				for _, s := range b.stmts {
					s.Close()
				}
			}()
			return fn(b)
		})
	}
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: bulk: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		tx, err := c.Begin(ctx)
		if err != nil {
			return fmt.Errorf("store: bulk: %w", err)
		}
		if err := fn(&BulkTx{ctx: ctx, dialect: Postgres, pgTx: tx}); err != nil {
			tx.Rollback(ctx)
			return err
		}
		return tx.Commit(ctx)
	})
}

// sqliteMaxVars is SQLite's limit on the parameters of one statement.
const sqliteMaxVars = 32766

// Insert writes rows (values in the order of cols; times are stored in
// UTC, as every other write does) into table.
func (b *BulkTx) Insert(table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if b.dialect == Postgres {
		_, err := b.pgTx.CopyFrom(b.ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("store: copy into %s: %w", table, err)
		}
		return nil
	}
	per := min(500, sqliteMaxVars/len(cols))
	args := make([]any, 0, per*len(cols))
	for len(rows) > 0 {
		k := min(per, len(rows))
		args = args[:0]
		for _, r := range rows[:k] {
			if len(r) != len(cols) {
				return fmt.Errorf("store: insert into %s: a row of %d values for %d columns", table, len(r), len(cols))
			}
			for _, v := range r {
				if t, ok := v.(time.Time); ok {
					v = t.UTC()
				}
				args = append(args, v)
			}
		}
		stmt, err := b.insertStmt(table, cols, k)
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(b.ctx, args...); err != nil {
			return fmt.Errorf("store: insert into %s: %w", table, err)
		}
		rows = rows[k:]
	}
	return nil
}

// insertStmt is the prepared INSERT of n rows into table.
func (b *BulkTx) insertStmt(table string, cols []string, n int) (*sql.Stmt, error) {
	key := table + "(" + strings.Join(cols, ",") + ")" + strconv.Itoa(n)
	if s, ok := b.stmts[key]; ok {
		return s, nil
	}
	one := "(" + placeholders(len(cols)) + ")"
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
	s, err := b.sqlTx.PrepareContext(b.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: insert into %s: %w", table, err)
	}
	b.stmts[key] = s
	return s, nil
}

// DeferIndexes drops the secondary indexes of the tables (and, on
// PostgreSQL, their foreign keys), for a bulk load that builds them once
// at the end — faster than maintaining them row by row, with the same
// result. It returns the function that builds them again (and checks every
// foreign key at once). A load interrupted before that leaves the tables
// without them: load into a fresh database and start over.
func (db *DB) DeferIndexes(ctx context.Context, tables ...string) (restore func(context.Context) error, err error) {
	var drops, creates []string
	err = db.Raw(ctx, func(tx *sql.Tx) error {
		for _, table := range tables {
			names, defs, err := indexDefs(ctx, tx, db.dialect, table)
			if err != nil {
				return err
			}
			for i := range names {
				drops, creates = append(drops, "DROP INDEX "+names[i]), append(creates, defs[i])
			}
			if db.dialect != Postgres {
				continue
			}
			rows, err := tx.QueryContext(ctx, rebind(db.dialect, `SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
				WHERE contype = 'f' AND conrelid = to_regclass(?) ORDER BY conname`), table)
			if err != nil {
				return err
			}
			for rows.Next() {
				var name, def string
				if err := rows.Scan(&name, &def); err != nil {
					rows.Close()
					return err
				}
				drops = append(drops, "ALTER TABLE "+table+" DROP CONSTRAINT "+name)
				creates = append(creates, "ALTER TABLE "+table+" ADD CONSTRAINT "+name+" "+def)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for _, q := range drops {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: defer indexes: %w", err)
	}
	return func(ctx context.Context) error {
		for _, q := range creates {
			err := db.Raw(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, q)
				return err
			})
			if err != nil {
				return fmt.Errorf("store: %s: %w", q, err)
			}
		}
		return nil
	}, nil
}

// AfterBulk makes the tables ready for use after a bulk load: on
// PostgreSQL, their identity sequences continue after the largest id
// written, and VACUUM ANALYZE gives the planner its statistics and the
// index-only scans their visibility map (what autovacuum would do soon).
// SQLite needs nothing (Qifu never runs ANALYZE on it).
func (db *DB) AfterBulk(ctx context.Context, tables ...string) error {
	if db.dialect != Postgres {
		return nil
	}
	for _, t := range tables {
		var seq sql.NullString
		err := db.writer.QueryRowContext(ctx, `SELECT pg_get_serial_sequence(table_name, 'id') FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'`, t).Scan(&seq)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: after bulk %s: %w", t, err)
		}
		if seq.Valid {
			if _, err := db.writer.ExecContext(ctx, "SELECT setval($1, GREATEST((SELECT MAX(id) FROM "+t+"), 1))", seq.String); err != nil {
				return fmt.Errorf("store: after bulk %s: %w", t, err)
			}
		}
		if _, err := db.writer.ExecContext(ctx, "VACUUM ANALYZE "+t); err != nil {
			return fmt.Errorf("store: vacuum %s: %w", t, err)
		}
	}
	return nil
}

// indexDefs lists the secondary indexes of a table (not those behind a
// primary key or a constraint) and the statements that create them.
func indexDefs(ctx context.Context, q queryer, d Dialect, table string) (names, defs []string, err error) {
	query := "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name"
	if d == Postgres {
		query = `SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = ?
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname
				AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))
			ORDER BY i.indexname`
	}
	rows, err := q.QueryContext(ctx, rebind(d, query), table)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	return names, defs, rows.Err()
}
