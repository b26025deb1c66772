// Package store is the SQL adapter of Qifu: one code path over SQLite (the
// embedded default, pure Go) and PostgreSQL (the scale-out path). Queries are
// written with ? placeholders and rebound for PostgreSQL in one place; where
// the dialects truly differ, both queries stand side by side in dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/qifu/qifu/internal/apperr"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open Qifu database. On SQLite writes go through one connection and
// reads through a pool; on PostgreSQL both share one pool.
type DB struct {
	dialect Dialect
	writer  *sql.DB
	reader  *sql.DB
	dsn     string
	commits *committer // SQLite: group commit of concurrent writes
	// SQLite: prepared statements of the writer connection and the read
	// pool (nil on PostgreSQL).
	writeStmts, readStmts *stmtCache
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// Target describes where the database is, for logs (no password).
func (db *DB) Target() string { return db.dsn }

// ResolveDSN turns the --db / --data options into a dialect and DSN: an
// explicit --db ("postgres://…", "postgresql://…" or "sqlite:PATH") wins;
// otherwise the SQLite file qifu.db inside dataDir.
func ResolveDSN(dbOpt, dataDir string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(dbOpt, "postgres://"), strings.HasPrefix(dbOpt, "postgresql://"):
		return Postgres, dbOpt, nil
	case strings.HasPrefix(dbOpt, "sqlite:"):
		p := strings.TrimPrefix(dbOpt, "sqlite:")
		p = strings.TrimPrefix(p, "//")
		if p == "" {
			return "", "", errors.New("--db sqlite: needs a file path")
		}
		return SQLite, p, nil
	case dbOpt != "":
		return "", "", fmt.Errorf("--db %q: expected postgres://… or sqlite:PATH", dbOpt)
	}
	if dataDir == "" {
		dataDir = "qifu-data"
	}
	return SQLite, filepath.Join(dataDir, "qifu.db"), nil
}

// Open connects to the database and applies pending migrations.
func Open(ctx context.Context, dialect Dialect, dsn string) (*DB, error) {
	db, err := open(ctx, dialect, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func open(ctx context.Context, dialect Dialect, dsn string) (*DB, error) {
	switch dialect {
	case SQLite:
		return openSQLite(ctx, dsn)
	case Postgres:
		return openPostgres(ctx, dsn)
	}
	return nil, fmt.Errorf("store: unknown dialect %q", dialect)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
	}
	// synchronous(FULL): an acknowledged write survives power loss.
	// page_size(16384) applies to a new database only (it must come before
	// WAL is turned on): larger pages mean fewer writes per commit, which
	// made bulk imports 15% faster (BENCHMARKS.md). The writer gets a 64 MB
	// cache and checkpoints the WAL every 4,000 pages (64 MB).
	// temp_store(MEMORY) keeps the savepoint journal of group commit (and
	// sorts) in memory rather than in temporary files: it was a tenth of
	// the writer's time at ticket intake, in write system calls.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_time_format=sqlite"
	w, err := sql.Open("sqlite", "file:"+path+"?_pragma=page_size(16384)&"+common+
		"&_pragma=journal_mode(WAL)&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(4000)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_pragma=query_only(1)&_pragma=cache_size(-16384)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite reader: %w", err)
	}
	n := max(16, runtime.NumCPU()*4)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db := &DB{dialect: SQLite, writer: w, reader: r, dsn: "sqlite:" + path,
		writeStmts: newStmtCache(w), readStmts: newStmtCache(r)}
	db.commits = newCommitter(db)
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(16)
	p.SetConnMaxIdleTime(5 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	return &DB{dialect: Postgres, writer: p, reader: p, dsn: redact(dsn)}, nil
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxx")
		}
	}
	return u.String()
}

// Close releases the connections (after the writes in flight).
func (db *DB) Close() error {
	if db.commits != nil {
		db.commits.close()
	}
	if db.writeStmts != nil {
		db.writeStmts.close()
		db.readStmts.close()
	}
	err := db.writer.Close()
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	return err
}

// Ping checks the database answers (health checks).
func (db *DB) Ping(ctx context.Context) error {
	return db.reader.PingContext(ctx)
}

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is the handle repository methods run on: a write transaction, or the
// read pool. It carries the dialect so queries can be rebound.
type Tx struct {
	q       queryer
	dialect Dialect
	write   bool
	// stmts prepares the queries of the pool q runs on (SQLite); sqlTx is
	// the transaction they are bound to, nil on the read pool.
	stmts *stmtCache
	sqlTx *sql.Tx
	// slot is the statistics counter slot this transaction writes, plus
	// one (0: not chosen yet); see statsSlot.
	slot int
}

// Write runs fn in a write transaction: its changes are committed when fn
// returns nil and rolled back otherwise (a failed request writes nothing).
// When Write returns nil the changes are durable. On SQLite, concurrent
// writes share one transaction and one commit (see groupcommit.go). fn must
// not call Write itself.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	if db.commits != nil {
		return db.commits.submit(ctx, fn)
	}
	sqlTx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return apperr.Wrap(err, "store: begin")
	}
	tx := &Tx{q: sqlTx, dialect: db.dialect, write: true, stmts: db.writeStmts, sqlTx: sqlTx}
	if err := runFn(fn, tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return apperr.Wrap(err, "store: commit")
	}
	return nil
}

// Raw runs fn in a plain write transaction on the writer connection, for
// tools and benchmarks that measure the driver itself.
func (db *DB) Raw(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Read runs fn against the read pool (no transaction: each query sees the
// latest committed state).
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return fn(&Tx{q: db.reader, dialect: db.dialect, stmts: db.readStmts})
}

// Dialect reports the engine of the transaction.
func (tx *Tx) Dialect() Dialect { return tx.dialect }

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = rebind(tx.dialect, query)
	if st := tx.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, utcArgs(args)...)
	}
	return tx.q.ExecContext(ctx, query, utcArgs(args)...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = rebind(tx.dialect, query)
	if st := tx.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, utcArgs(args)...)
	}
	return tx.q.QueryContext(ctx, query, utcArgs(args)...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = rebind(tx.dialect, query)
	if st := tx.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, utcArgs(args)...)
	}
	return tx.q.QueryRowContext(ctx, query, utcArgs(args)...)
}

// prepared is the cached statement of a query, bound to the transaction
// when there is one; nil to run the query unprepared.
func (tx *Tx) prepared(ctx context.Context, query string) *sql.Stmt {
	if tx.stmts == nil {
		return nil
	}
	st := tx.stmts.get(ctx, query, tx.sqlTx == nil)
	if st == nil || tx.sqlTx == nil {
		return st
	}
	return tx.sqlTx.StmtContext(ctx, st)
}

// utcArgs stores and compares every time in UTC, whatever zone the domain
// computed it in (deadlines come in Asia/Shanghai): SQLite compares
// timestamps as text, so one zone everywhere keeps ORDER BY and range
// conditions right, and PostgreSQL's timestamp columns hold no zone.
func utcArgs(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = v.UTC()
		case *time.Time:
			if v != nil {
				u := v.UTC()
				args[i] = &u
			}
		}
	}
	return args
}

// Rebind is rebind for tools and tests that write their own SQL.
func Rebind(d Dialect, query string) string { return rebind(d, query) }

// rebind turns ? placeholders into $1, $2 … for PostgreSQL. Question marks
// inside quoted strings are left alone.
func rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	inQuote := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ExecForTesting runs one statement written with ? placeholders in the
// transaction (tests of the store's own machinery).
func (tx *Tx) ExecForTesting(ctx context.Context, query string, args ...any) error {
	_, err := tx.exec(ctx, query, args...)
	return err
}
