package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/jobs"
)

var (
	_ jobs.Store    = JobStore{}
	_ jobs.Enqueuer = (*Tx)(nil)
)

const jobCols = `id, kind, key, payload, run_at, status, attempts, max_attempts, COALESCE(locked_by, ''),
	locked_until, last_error, created_at, finished_at`

func scanJob(s interface{ Scan(...any) error }) (jobs.Job, error) {
	var j jobs.Job
	var payload string
	var runAt, lockedUntil, createdAt, finishedAt nullTime
	err := s.Scan(&j.ID, &j.Kind, &j.Key, &payload, &runAt, &j.Status, &j.Attempts, &j.MaxAttempts, &j.LockedBy,
		&lockedUntil, &j.LastError, &createdAt, &finishedAt)
	j.Payload = []byte(payload)
	j.RunAt, j.CreatedAt = runAt.Time, createdAt.Time
	j.LockedUntil, j.FinishedAt = lockedUntil.Ptr(), finishedAt.Ptr()
	return j, err
}

// EnqueueJob adds a job in the current write transaction, so it commits or
// rolls back with the change it belongs to; a job of the same kind and key
// is left as it is (jobs.Enqueuer).
func (tx *Tx) EnqueueJob(ctx context.Context, j jobs.Job) error {
	_, err := tx.enqueueJob(ctx, j)
	return err
}

func (tx *Tx) enqueueJob(ctx context.Context, j jobs.Job) (bool, error) {
	j, err := j.Normalize()
	if err != nil {
		return false, apperr.Wrap(err, "store: enqueue job")
	}
	res, err := tx.exec(ctx, `INSERT INTO jobs (kind, key, payload, run_at, status, attempts, max_attempts, created_at)
		VALUES (?, ?, ?, ?, 'ready', 0, ?, ?) ON CONFLICT (kind, key) DO NOTHING`,
		j.Kind, j.Key, string(j.Payload), j.RunAt, j.MaxAttempts, j.CreatedAt)
	if err != nil {
		return false, mapErr(err, "store: enqueue job %s", j.Kind)
	}
	n, err := res.RowsAffected()
	return n > 0, mapErr(err, "store: enqueue job %s", j.Kind)
}

// JobStore is the durable job queue (jobs.Store). On PostgreSQL a claim
// locks the rows it takes and skips rows another instance is claiming
// (FOR UPDATE SKIP LOCKED); on SQLite the write transaction is the only
// writer, so the claiming UPDATE … RETURNING is atomic by itself.
type JobStore struct{ DB *DB }

// Enqueue adds a job unless its kind and key exist.
func (s JobStore) Enqueue(ctx context.Context, j jobs.Job) (bool, error) {
	var added bool
	err := s.DB.Write(ctx, func(tx *Tx) error {
		var err error
		added, err = tx.enqueueJob(ctx, j)
		return err
	})
	return added, err
}

// Claim takes due jobs for one worker: ready ones whose run_at has come and
// running ones whose lease ran out.
func (s JobStore) Claim(ctx context.Context, c jobs.Claim) ([]jobs.Job, error) {
	if len(c.Kinds) == 0 || c.Limit <= 0 {
		return nil, nil
	}
	lock := ""
	if s.DB.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	kinds := strings.Repeat("?, ", len(c.Kinds)-1) + "?"
	now := c.Now.UTC()
	// due: the kinds' arguments, then now twice.
	due := make([]any, 0, len(c.Kinds)+2)
	for _, k := range c.Kinds {
		due = append(due, k)
	}
	due = append(due, now, now)
	const dueCond = `((status = 'ready' AND run_at <= ?) OR (status = 'running' AND locked_until <= ?))`
	// Look on the read pool first: an idle instance then takes no write
	// lock (SQLite has one writer for all instances).
	var n int
	err := s.DB.Read(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT id FROM jobs WHERE kind IN (`+kinds+`) AND `+dueCond+` LIMIT 1) due`,
			due...).Scan(&n)
		return mapErr(err, "store: look for due jobs")
	})
	if err != nil || n == 0 {
		return nil, err
	}
	args := append([]any{c.Owner, c.Until.UTC()}, due...)
	args = append(args, c.Limit)
	var out []jobs.Job
	err = s.DB.Write(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?
			WHERE id IN (SELECT id FROM jobs WHERE kind IN (`+kinds+`) AND `+dueCond+`
				ORDER BY run_at, id LIMIT ?`+lock+`)
			RETURNING `+jobCols, args...)
		if err != nil {
			return mapErr(err, "store: claim jobs")
		}
		out, err = collect(rows, scanJob, "jobs")
		return err
	})
	sort.Slice(out, func(i, k int) bool {
		if !out[i].RunAt.Equal(out[k].RunAt) {
			return out[i].RunAt.Before(out[k].RunAt)
		}
		return out[i].ID < out[k].ID
	})
	return out, err
}

// finish changes a claimed job if this worker still holds it.
func (s JobStore) finish(ctx context.Context, j jobs.Job, set string, args ...any) error {
	return s.DB.Write(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "UPDATE jobs SET "+set+`, locked_by = NULL, locked_until = NULL
			WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?`,
			append(args, j.ID, j.LockedBy, j.Attempts)...)
		if err != nil {
			return mapErr(err, "store: update job %d", j.ID)
		}
		if n, err := res.RowsAffected(); err != nil {
			return mapErr(err, "store: update job %d", j.ID)
		} else if n == 0 {
			return jobs.ErrLostLease
		}
		return nil
	})
}

// Complete marks a claimed job done.
func (s JobStore) Complete(ctx context.Context, j jobs.Job, at time.Time) error {
	return s.finish(ctx, j, "status = 'done', finished_at = ?, last_error = ''", at.UTC())
}

// Retry puts a claimed job back to ready at runAt.
func (s JobStore) Retry(ctx context.Context, j jobs.Job, runAt time.Time, errText string) error {
	return s.finish(ctx, j, "status = 'ready', run_at = ?, last_error = ?", runAt.UTC(), clip(errText))
}

// Fail marks a claimed job failed.
func (s JobStore) Fail(ctx context.Context, j jobs.Job, at time.Time, errText string) error {
	return s.finish(ctx, j, "status = 'failed', finished_at = ?, last_error = ?", at.UTC(), clip(errText))
}

// Release puts a claimed job back to ready without counting the attempt.
func (s JobStore) Release(ctx context.Context, j jobs.Job) error {
	return s.finish(ctx, j, "status = 'ready', attempts = attempts - 1")
}

// Job returns one job by kind and key.
func (s JobStore) Job(ctx context.Context, kind, key string) (jobs.Job, error) {
	var j jobs.Job
	err := s.DB.Read(ctx, func(tx *Tx) error {
		var err error
		j, err = scanJob(tx.queryRow(ctx, "SELECT "+jobCols+" FROM jobs WHERE kind = ? AND key = ?", kind, key))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundOf("object.job", kind+" "+key)
		}
		return mapErr(err, "store: job")
	})
	return j, err
}

// Count reports the number of jobs per status.
func (s JobStore) Count(ctx context.Context) (map[jobs.Status]int, error) {
	out := map[jobs.Status]int{}
	err := s.DB.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT status, COUNT(*) FROM jobs GROUP BY status")
		if err != nil {
			return mapErr(err, "store: count jobs")
		}
		defer rows.Close()
		for rows.Next() {
			var st jobs.Status
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				return mapErr(err, "store: count jobs")
			}
			out[st] = n
		}
		return mapErr(rows.Err(), "store: count jobs")
	})
	return out, err
}

// Purge deletes finished jobs older than the given times.
func (s JobStore) Purge(ctx context.Context, doneBefore, failedBefore time.Time) (int64, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM jobs WHERE (status = 'done' AND finished_at < ?) OR (status = 'failed' AND finished_at < ?)`,
			doneBefore.UTC(), failedBefore.UTC())
		if err != nil {
			return mapErr(err, "store: purge jobs")
		}
		n, err = res.RowsAffected()
		return mapErr(err, "store: purge jobs")
	})
	return n, err
}

// clip bounds an error text kept in the database.
func clip(s string) string {
	const max = 2000
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
