package store

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements (SQLite). The pure-Go SQLite parses every statement
// it is given; a request that runs a dozen queries spent a third of its CPU
// in the parser. A stmtCache keeps one *sql.Stmt per query text for a pool:
// database/sql prepares it once per connection and reuses it, and a write
// transaction binds it to its connection (Tx.StmtContext) without parsing
// again. PostgreSQL needs none: pgx caches prepared statements per
// connection itself.
//
// The writer has a single connection, which a write transaction holds: a
// statement cannot be prepared on it from inside one (database/sql would
// wait for the connection forever). A query first met inside a transaction
// runs unprepared and is noted; the group committer prepares the noted
// queries between two transactions (prepareWanted), and from the next one
// on the transaction binds the prepared statement to its connection.
type stmtCache struct {
	db   *sql.DB
	mu   sync.RWMutex
	m    map[string]*sql.Stmt
	want map[string]struct{}
}

// maxCachedStmts bounds the cache: query texts are built from a fixed set
// of fragments, but some vary with their input (IN lists of any length);
// those beyond the bound are parsed each time, as without a cache.
const maxCachedStmts = 1024

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, want: map[string]struct{}{}}
}

// get returns the prepared statement of a query, preparing it on first use
// when prepare is true and noting it for prepareWanted otherwise; nil when
// it is not prepared (yet), the cache is full or the query does not prepare
// (the caller runs it unprepared and sees the error there).
func (c *stmtCache) get(ctx context.Context, query string, prepare bool) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.m[query]
	n := len(c.m) + len(c.want)
	c.mu.RUnlock()
	if ok || n >= maxCachedStmts {
		return st
	}
	if !prepare {
		c.mu.Lock()
		c.want[query] = struct{}{}
		c.mu.Unlock()
		return nil
	}
	return c.prepare(ctx, query)
}

// prepareWanted prepares the queries noted inside transactions; the
// caller holds no connection of the pool.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	if len(c.want) == 0 {
		c.mu.Unlock()
		return
	}
	want := c.want
	c.want = map[string]struct{}{}
	c.mu.Unlock()
	for q := range want {
		c.prepare(ctx, q)
	}
}

func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok {
		st.Close()
		return prev
	}
	c.m[query] = st
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}
