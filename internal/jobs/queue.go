package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/qifu/qifu/internal/clock"
)

// Handler runs one job. It must be idempotent: a job runs again when its
// instance dies before marking it done, and after an error. It should
// return when ctx ends (shutdown, or the job's time-out).
type Handler func(ctx context.Context, j Job) error

// Options tune a Queue; the zero value of each field means its default.
type Options struct {
	// Instance names this app instance in locked_by (default: host name
	// and a random suffix).
	Instance string
	// Concurrency is how many jobs this instance runs at once (default 4).
	Concurrency int
	// Poll is how long an idle worker pool waits before it looks for due
	// jobs again (default 1s).
	Poll time.Duration
	// Timeout bounds one run of a handler (default 5m). The lease, after
	// which another instance may claim the job, is Timeout plus LeaseGrace.
	Timeout time.Duration
	// Backoff is the wait before attempt n+1 after attempt n failed
	// (default: 30s doubled per attempt, at most one hour).
	Backoff func(attempt int) time.Duration
	Logger  *slog.Logger
}

// LeaseGrace is how much longer than the handler time-out a claim is held,
// so that a job is never claimed again while its handler may still run.
const LeaseGrace = 30 * time.Second

// DefaultBackoff waits 30 seconds after the first failure, doubling after
// each further one, at most an hour.
func DefaultBackoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Queue is the durable job queue of one app instance: it enqueues jobs,
// enqueues scheduled ones once per time slot, and runs due jobs with a pool
// of workers. Any number of instances may share one database: each job runs
// on one of them at a time, and is done once.
type Queue struct {
	store Store
	clock clock.Clock
	opt   Options
	log   *slog.Logger

	mu        sync.Mutex
	handlers  map[string]Handler
	schedules []*schedule
}

type schedule struct {
	kind  string
	every time.Duration
	last  time.Time // the slot this instance enqueued last
}

// permanent marks an error that retrying cannot cure.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps a handler error so the job is failed at once instead of
// retried (bad payload, an object that no longer exists).
func Permanent(err error) error { return permanent{err} }

// New makes the queue of one instance.
func New(s Store, c clock.Clock, opt Options) *Queue {
	if opt.Instance == "" {
		host, _ := os.Hostname()
		var b [4]byte
		rand.Read(b[:])
		opt.Instance = host + "-" + hex.EncodeToString(b[:])
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	if opt.Poll <= 0 {
		opt.Poll = time.Second
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 5 * time.Minute
	}
	if opt.Backoff == nil {
		opt.Backoff = DefaultBackoff
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Queue{store: s, clock: c, opt: opt, log: log, handlers: map[string]Handler{}}
}

// Instance is the id this queue claims jobs under.
func (q *Queue) Instance() string { return q.opt.Instance }

// Lease is how long a claimed job stays with this instance.
func (q *Queue) Lease() time.Duration { return q.opt.Timeout + LeaseGrace }

// Handle registers the handler of a kind. Only kinds with a handler are
// claimed by this instance. Registering a kind twice panics.
func (q *Queue) Handle(kind string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, dup := q.handlers[kind]; dup {
		panic("jobs: handler for " + kind + " registered twice")
	}
	q.handlers[kind] = h
}

// Schedule enqueues a job of kind once per time slot of length every
// (slots start at multiples of every since the zero time, in UTC: a daily
// slot starts at 00:00 UTC). Each instance tries to enqueue the current
// slot's job; its key, SlotKey(kind, slot start), makes it one job. A slot
// that passed while no instance ran is not made up.
func (q *Queue) Schedule(kind string, every time.Duration) {
	if every <= 0 {
		panic("jobs: schedule of " + kind + " needs a positive interval")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.schedules = append(q.schedules, &schedule{kind: kind, every: every})
}

// SlotKey is the key of the scheduled job of a kind for the slot starting
// at start.
func SlotKey(kind string, start time.Time) string {
	return kind + "@" + start.UTC().Format(time.RFC3339)
}

// Enqueue adds a job; RunAt defaults to now. It reports false when a job of
// the kind and key exists already (which is not an error).
func (q *Queue) Enqueue(ctx context.Context, j Job) (bool, error) {
	now := q.clock.Now()
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = now
	}
	j, err := j.Normalize()
	if err != nil {
		return false, err
	}
	return q.store.Enqueue(ctx, j)
}

// EnqueueTx adds a job inside an open write transaction (RunAt defaults to
// now): it is enqueued only if the transaction commits.
func (q *Queue) EnqueueTx(ctx context.Context, tx Enqueuer, j Job) error {
	now := q.clock.Now()
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = now
	}
	return tx.EnqueueJob(ctx, j)
}

// KeepFinished schedules, hourly, the deletion of done jobs older than
// done and failed ones older than failed.
func (q *Queue) KeepFinished(done, failed time.Duration) {
	const kind = "jobs.purge"
	q.Handle(kind, func(ctx context.Context, _ Job) error {
		now := q.clock.Now()
		n, err := q.store.Purge(ctx, now.Add(-done), now.Add(-failed))
		if n > 0 {
			q.log.Info("jobs purged", "count", n)
		}
		return err
	})
	q.Schedule(kind, time.Hour)
}

func (q *Queue) kinds() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	kinds := make([]string, 0, len(q.handlers))
	for k := range q.handlers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// enqueueSchedules enqueues the current slot of every schedule this
// instance has not enqueued yet.
func (q *Queue) enqueueSchedules(ctx context.Context, now time.Time) error {
	q.mu.Lock()
	schedules := slices.Clone(q.schedules)
	q.mu.Unlock()
	var errs []error
	for _, s := range schedules {
		slot := now.Truncate(s.every)
		q.mu.Lock()
		seen := s.last.Equal(slot)
		q.mu.Unlock()
		if seen {
			continue
		}
		if _, err := q.store.Enqueue(ctx, Job{Kind: s.kind, Key: SlotKey(s.kind, slot), Payload: []byte("{}"),
			RunAt: slot, MaxAttempts: DefaultMaxAttempts, CreatedAt: now}); err != nil {
			errs = append(errs, fmt.Errorf("jobs: schedule %s: %w", s.kind, err))
			continue
		}
		q.mu.Lock()
		s.last = slot
		q.mu.Unlock()
	}
	return errors.Join(errs...)
}

func (q *Queue) claim(ctx context.Context, limit int) ([]Job, error) {
	kinds := q.kinds()
	if len(kinds) == 0 || limit <= 0 {
		return nil, nil
	}
	now := q.clock.Now()
	return q.store.Claim(ctx, Claim{Owner: q.opt.Instance, Kinds: kinds, Now: now, Until: now.Add(q.Lease()), Limit: limit})
}

// RunOnce enqueues the due scheduled jobs, then claims up to Concurrency
// due jobs and runs them, waiting for all of them. It returns how many it
// ran (tests, the CLI).
func (q *Queue) RunOnce(ctx context.Context) (int, error) {
	serr := q.enqueueSchedules(ctx, q.clock.Now())
	jobs, err := q.claim(ctx, q.opt.Concurrency)
	if err != nil {
		return 0, errors.Join(serr, err)
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.execute(ctx, j)
		}()
	}
	wg.Wait()
	return len(jobs), serr
}

// Drain runs due jobs until none is due (jobs retried later are not waited
// for) and returns how many runs it made.
func (q *Queue) Drain(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := q.RunOnce(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}

// Run works until ctx ends: it enqueues scheduled jobs and keeps up to
// Concurrency due jobs running, looking for more when one finishes and
// every Poll otherwise. On return every handler it started has returned;
// jobs cut short by the shutdown are released for another instance.
func (q *Queue) Run(ctx context.Context) {
	busy := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	wake := make(chan struct{}, 1)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-timer.C:
		case <-wake:
		}
		mu.Lock()
		free := q.opt.Concurrency - busy
		mu.Unlock()
		if free <= 0 {
			continue // a finishing worker wakes the loop
		}
		if err := q.enqueueSchedules(ctx, q.clock.Now()); err != nil && ctx.Err() == nil {
			q.log.Error("jobs: schedule", "err", err)
		}
		jobs, err := q.claim(ctx, free)
		if err != nil && ctx.Err() == nil {
			q.log.Error("jobs: claim", "err", err, "instance", q.opt.Instance)
		}
		mu.Lock()
		busy += len(jobs)
		mu.Unlock()
		for _, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q.execute(ctx, j)
				mu.Lock()
				busy--
				mu.Unlock()
				select {
				case wake <- struct{}{}:
				default:
				}
			}()
		}
		if len(jobs) < free {
			timer.Reset(q.opt.Poll)
		}
	}
}

// execute runs one claimed job and records the outcome.
func (q *Queue) execute(ctx context.Context, j Job) {
	log := q.log.With("job", j.Kind, "key", j.Key, "attempt", j.Attempts, "instance", q.opt.Instance)
	if j.Attempts > j.MaxAttempts {
		// Claimed again after its lease ran out on the last attempt: the
		// instance running it died, or the handler overran its time-out.
		q.record(log, q.store.Fail(context.WithoutCancel(ctx), j, q.clock.Now(), "lease expired on the last attempt"))
		return
	}
	q.mu.Lock()
	h := q.handlers[j.Kind]
	q.mu.Unlock()
	err := q.call(ctx, h, j)
	sctx := context.WithoutCancel(ctx)
	now := q.clock.Now()
	var perm permanent
	switch {
	case err == nil:
		q.record(log, q.store.Complete(sctx, j, now))
	case ctx.Err() != nil:
		log.Info("jobs: released at shutdown", "err", err)
		q.record(log, q.store.Release(sctx, j))
	case errors.As(err, &perm) || j.Attempts >= j.MaxAttempts:
		log.Error("jobs: failed", "err", err)
		q.record(log, q.store.Fail(sctx, j, now, err.Error()))
	default:
		next := now.Add(q.opt.Backoff(j.Attempts))
		log.Warn("jobs: will retry", "err", err, "at", next)
		q.record(log, q.store.Retry(sctx, j, next, err.Error()))
	}
}

// call runs the handler with the time-out, turning a panic into an error.
func (q *Queue) call(ctx context.Context, h Handler, j Job) (err error) {
	if h == nil {
		return Permanent(fmt.Errorf("jobs: no handler for %s", j.Kind))
	}
	hctx, cancel := context.WithTimeout(ctx, q.opt.Timeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("jobs: %s panicked: %v", j.Kind, v)
		}
	}()
	return h(hctx, j)
}

func (q *Queue) record(log *slog.Logger, err error) {
	switch {
	case err == nil:
	case errors.Is(err, ErrLostLease):
		log.Warn("jobs: lease lost before the outcome was recorded")
	default:
		log.Error("jobs: record outcome", "err", err)
	}
}
