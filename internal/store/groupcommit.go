package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/qifu/qifu/internal/apperr"
)

// Group commit (SQLite). SQLite has one writer and synchronous=FULL makes
// every commit wait for the disk; committing each request alone would cap
// the server at a few hundred writes a second. Instead, the write functions
// that arrive while a transaction is being committed wait, and the next
// transaction runs them all, each inside its own savepoint, then commits
// once: a function that fails rolls back to its savepoint and fails alone;
// the others are acknowledged only after the shared commit is durable.
// Each function still sees a consistent database: everything committed or
// earlier in its batch, in order, as if the writes had run one by one.

// maxBatch bounds the functions of one transaction, so that a burst does
// not make the first of them wait for the last.
const maxBatch = 256

type writeReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

type committer struct {
	db      *DB
	mu      sync.Mutex
	pending []*writeReq
	wake    chan struct{}
	stop    chan struct{}
	stopped chan struct{}
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, wake: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
	go c.loop()
	return c
}

// submit queues fn and waits for its outcome: nil once its batch is
// committed.
func (c *committer) submit(ctx context.Context, fn func(*Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	c.mu.Lock()
	select {
	case <-c.stop:
		c.mu.Unlock()
		return apperr.Wrap(errors.New("database closed"), "store: write")
	default:
	}
	c.pending = append(c.pending, req)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	// The outcome is awaited even if ctx ends meanwhile: a write may be
	// committed, and the caller must not believe otherwise.
	return <-req.done
}

func (c *committer) loop() {
	defer close(c.stopped)
	for {
		select {
		case <-c.wake:
		case <-c.stop:
			c.drain(errors.New("database closed"))
			return
		}
		for {
			c.mu.Lock()
			n := min(len(c.pending), maxBatch)
			batch := c.pending[:n:n]
			c.pending = c.pending[n:]
			c.mu.Unlock()
			if n == 0 {
				break
			}
			c.run(batch)
		}
	}
}

// run executes one batch in one transaction.
func (c *committer) run(batch []*writeReq) {
	ctx := context.Background()
	c.db.writeStmts.prepareWanted(ctx)
	sqlTx, err := c.db.writer.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- apperr.Wrap(err, "store: begin")
		}
		return
	}
	tx := &Tx{q: sqlTx, dialect: c.db.dialect, write: true, stmts: c.db.writeStmts, sqlTx: sqlTx}
	results := make([]error, len(batch))
	ok := 0
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if len(batch) == 1 {
			results[i] = runFn(r.fn, tx)
		} else {
			results[i] = runInSavepoint(r, tx)
		}
		if results[i] == nil {
			ok++
		}
	}
	if len(batch) == 1 && results[0] != nil {
		sqlTx.Rollback()
		batch[0].done <- results[0]
		return
	}
	if ok == 0 {
		sqlTx.Rollback()
	} else if err := sqlTx.Commit(); err != nil {
		err = apperr.Wrap(err, "store: commit")
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

// runFn runs a write function, turning a panic into an error so one bad
// request cannot take the batch (or the server) down.
func runFn(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = apperr.Wrap(fmt.Errorf("panic: %v", v), "store: write")
		}
	}()
	return fn(tx)
}

func runInSavepoint(r *writeReq, tx *Tx) error {
	// Through tx: the statements are prepared once, not parsed per write.
	ctx := context.Background()
	if _, err := tx.exec(ctx, "SAVEPOINT w"); err != nil {
		return apperr.Wrap(err, "store: savepoint")
	}
	if err := runFn(r.fn, tx); err != nil {
		if _, rerr := tx.exec(ctx, "ROLLBACK TO w"); rerr != nil {
			return errors.Join(err, apperr.Wrap(rerr, "store: rollback to savepoint"))
		}
		tx.exec(ctx, "RELEASE w")
		return err
	}
	if _, err := tx.exec(ctx, "RELEASE w"); err != nil {
		return apperr.Wrap(err, "store: release savepoint")
	}
	return nil
}

// drain fails every waiting request.
func (c *committer) drain(err error) {
	c.mu.Lock()
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, r := range pending {
		r.done <- apperr.Wrap(err, "store: write")
	}
}

func (c *committer) close() {
	c.mu.Lock()
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.mu.Unlock()
	<-c.stopped
}
