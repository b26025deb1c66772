package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/jobs"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

var start = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newQueue(db *store.DB, c clock.Clock, instance string, opt jobs.Options) *jobs.Queue {
	opt.Instance = instance
	opt.Logger = quiet()
	return jobs.New(store.JobStore{DB: db}, c, opt)
}

// counter counts handler calls per job key, across instances.
type counter struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *counter) add(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[key]++
	return c.calls[key]
}

func (c *counter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[key]
}

func job(t *testing.T, db *store.DB, kind, key string) jobs.Job {
	t.Helper()
	j, err := store.JobStore{DB: db}.Job(context.Background(), kind, key)
	if err != nil {
		t.Fatalf("job %s %s: %v", kind, key, err)
	}
	return j
}

func runOnce(t *testing.T, q *jobs.Queue) int {
	t.Helper()
	n, err := q.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("run once: %v", err)
	}
	return n
}

func TestEnqueueOncePerKindAndKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fc := clock.NewFake(start)
		q := newQueue(db, fc, "a", jobs.Options{})
		var c counter
		q.Handle("report", func(_ context.Context, j jobs.Job) error {
			var p struct{ Year int }
			if err := j.Decode(&p); err != nil {
				return jobs.Permanent(err)
			}
			c.add(fmt.Sprintf("%s/%d", j.Key, p.Year))
			return nil
		})
		first, err := jobs.NewJob("report", "district:370202", map[string]int{"year": 2026}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if added, err := q.Enqueue(ctx, first); err != nil || !added {
			t.Fatalf("first enqueue: added %v, %v", added, err)
		}
		again, _ := jobs.NewJob("report", "district:370202", map[string]int{"year": 1999}, time.Time{})
		if added, err := q.Enqueue(ctx, again); err != nil || added {
			t.Fatalf("second enqueue of the same key: added %v, %v", added, err)
		}
		// The same key of another kind is another job.
		if added, err := q.Enqueue(ctx, jobs.Job{Kind: "other", Key: "district:370202"}); err != nil || !added {
			t.Fatalf("same key, other kind: added %v, %v", added, err)
		}
		if n := runOnce(t, q); n != 1 {
			t.Errorf("ran %d jobs, want 1 (no handler for kind other here)", n)
		}
		if got := c.get("district:370202/2026"); got != 1 {
			t.Errorf("the first payload ran %d times, want 1 (calls %v)", got, c.calls)
		}
		if n := runOnce(t, q); n != 0 {
			t.Errorf("a done job ran again: %d", n)
		}
		if added, _ := q.Enqueue(ctx, first); added {
			t.Error("a done job's key was enqueued again")
		}
		if j := job(t, db, "report", "district:370202"); j.Status != jobs.Done || j.Attempts != 1 || j.FinishedAt == nil {
			t.Errorf("job after its run: %+v", j)
		}
		// Jobs without a key are never duplicates.
		for range 2 {
			if added, err := q.Enqueue(ctx, jobs.Job{Kind: "other"}); err != nil || !added {
				t.Fatalf("keyless enqueue: %v %v", added, err)
			}
		}
		if _, err := q.Enqueue(ctx, jobs.Job{Key: "x"}); err == nil {
			t.Error("a job without a kind was enqueued")
		}
	})
}

// A job enqueued in a transaction commits and rolls back with it.
func TestEnqueueInTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fc := clock.NewFake(start)
		q := newQueue(db, fc, "a", jobs.Options{})
		var c counter
		q.Handle("welcome", func(_ context.Context, j jobs.Job) error { c.add(j.Key); return nil })
		boom := errors.New("the change failed")
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := q.EnqueueTx(ctx, tx, jobs.Job{Kind: "welcome", Key: "user:rolled-back"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("write: %v", err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			var e jobs.Enqueuer = tx // what a domain package's Tx interface embeds
			return e.EnqueueJob(ctx, jobs.Job{Kind: "welcome", Key: "user:committed", RunAt: fc.Now()})
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := q.Drain(ctx); err != nil || n != 1 {
			t.Fatalf("drain: %d %v", n, err)
		}
		if c.get("user:committed") != 1 || c.get("user:rolled-back") != 0 {
			t.Errorf("calls %v, want only the committed job", c.calls)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.EnqueueJob(ctx, jobs.Job{Kind: "welcome"}) }); err == nil {
			t.Error("a job without run_at was enqueued in a transaction")
		}
	})
}

// A failing job is retried after growing delays and failed after its last
// attempt; a permanent error fails it at once.
func TestRetryWithBackoffThenFail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fc := clock.NewFake(start)
		q := newQueue(db, fc, "a", jobs.Options{})
		var c counter
		q.Handle("flaky", func(_ context.Context, j jobs.Job) error {
			if n := c.add(j.Key); j.Key == "recovers" && n == 3 {
				return nil
			}
			return errors.New("gateway timeout")
		})
		q.Handle("broken", func(_ context.Context, j jobs.Job) error {
			c.add(j.Key)
			return jobs.Permanent(errors.New("enterprise deleted"))
		})
		for _, j := range []jobs.Job{{Kind: "flaky", Key: "recovers"}, {Kind: "flaky", Key: "never", MaxAttempts: 3}, {Kind: "broken", Key: "b"}} {
			if _, err := q.Enqueue(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		if n := runOnce(t, q); n != 3 {
			t.Fatalf("first round ran %d, want 3", n)
		}
		if j := job(t, db, "broken", "b"); j.Status != jobs.Failed || j.Attempts != 1 || j.LastError != "enterprise deleted" {
			t.Errorf("permanent error: %+v", j)
		}
		j := job(t, db, "flaky", "never")
		if j.Status != jobs.Ready || j.Attempts != 1 || j.LastError != "gateway timeout" || !j.RunAt.Equal(start.Add(30*time.Second)) {
			t.Errorf("after attempt 1: status %s attempts %d error %q run_at %v", j.Status, j.Attempts, j.LastError, j.RunAt)
		}
		// Not before the delay: 30 s, then 60 s.
		fc.Advance(29 * time.Second)
		if n := runOnce(t, q); n != 0 {
			t.Errorf("ran %d jobs before the back-off passed", n)
		}
		fc.Advance(time.Second)
		if n := runOnce(t, q); n != 2 {
			t.Errorf("second round ran %d, want 2", n)
		}
		j = job(t, db, "flaky", "never")
		if want := fc.Now().Add(60 * time.Second); !j.RunAt.Equal(want) || j.Attempts != 2 {
			t.Errorf("after attempt 2: run_at %v attempts %d, want %v and 2", j.RunAt, j.Attempts, want)
		}
		fc.Advance(59 * time.Second)
		if n := runOnce(t, q); n != 0 {
			t.Errorf("ran %d jobs before the doubled back-off passed", n)
		}
		fc.Advance(time.Second)
		if n := runOnce(t, q); n != 2 {
			t.Errorf("third round ran %d, want 2", n)
		}
		if j := job(t, db, "flaky", "recovers"); j.Status != jobs.Done || j.Attempts != 3 || j.LastError != "" {
			t.Errorf("recovering job: %+v", j)
		}
		if j := job(t, db, "flaky", "never"); j.Status != jobs.Failed || j.Attempts != 3 || j.FinishedAt == nil {
			t.Errorf("job after max attempts: %+v", j)
		}
		fc.Advance(24 * time.Hour)
		if n := runOnce(t, q); n != 0 {
			t.Errorf("a failed job ran again: %d", n)
		}
		if got := c.get("never"); got != 3 {
			t.Errorf("the failing job ran %d times, want 3", got)
		}
	})
}

func TestDefaultBackoffGrows(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := jobs.DefaultBackoff(i + 1); got != w {
			t.Errorf("attempt %d: %v, want %v", i+1, got, w)
		}
	}
	if got := jobs.DefaultBackoff(50); got != time.Hour {
		t.Errorf("attempt 50: %v, want the one-hour cap", got)
	}
}

// The job of an instance that died while running it is claimed again by
// another instance once the lease has passed, and only then.
func TestLeaseExpiryRecoversJobOfCrashedInstance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fc := clock.NewFake(start)
		survivor := newQueue(db, fc, "survivor", jobs.Options{Timeout: time.Minute})
		var c counter
		survivor.Handle("close", func(_ context.Context, j jobs.Job) error { c.add(j.Key); return nil })
		for _, j := range []jobs.Job{{Kind: "close", Key: "ticket:1"}, {Kind: "close", Key: "ticket:2", MaxAttempts: 1}} {
			if _, err := survivor.Enqueue(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		// The crashed instance claimed both and never came back.
		js := store.JobStore{DB: db}
		claimed, err := js.Claim(ctx, jobs.Claim{Owner: "crashed", Kinds: []string{"close"}, Now: fc.Now(),
			Until: fc.Now().Add(survivor.Lease()), Limit: 10})
		if err != nil || len(claimed) != 2 {
			t.Fatalf("crashed instance claimed %d: %v", len(claimed), err)
		}
		if j := job(t, db, "close", "ticket:1"); j.Status != jobs.Running || j.LockedBy != "crashed" {
			t.Errorf("claimed job: %+v", j)
		}
		if n := runOnce(t, survivor); n != 0 {
			t.Errorf("survivor took %d jobs under another instance's lease", n)
		}
		fc.Advance(survivor.Lease() - time.Second)
		if n := runOnce(t, survivor); n != 0 {
			t.Errorf("survivor took %d jobs a second before the lease ran out", n)
		}
		fc.Advance(time.Second)
		if n := runOnce(t, survivor); n != 2 {
			t.Fatalf("survivor took %d jobs after the lease, want 2", n)
		}
		if j := job(t, db, "close", "ticket:1"); j.Status != jobs.Done || j.Attempts != 2 || c.get("ticket:1") != 1 {
			t.Errorf("recovered job: %+v, ran %d times here", j, c.get("ticket:1"))
		}
		// Its only attempt was the crashed one: failed, not run again.
		if j := job(t, db, "close", "ticket:2"); j.Status != jobs.Failed || c.get("ticket:2") != 0 || j.LastError == "" {
			t.Errorf("job whose last attempt expired: %+v, ran %d times", j, c.get("ticket:2"))
		}
		// The crashed instance, back from the dead, changes nothing.
		if err := js.Complete(ctx, claimed[0], fc.Now()); !errors.Is(err, jobs.ErrLostLease) {
			t.Errorf("late completion: %v, want ErrLostLease", err)
		}
	})
}

// A handler cut short by shutdown gives its job back without using up an
// attempt.
func TestShutdownReleasesRunningJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fc := clock.NewFake(start)
		q := newQueue(db, fc, "a", jobs.Options{Poll: time.Millisecond})
		started := make(chan struct{})
		q.Handle("long", func(ctx context.Context, _ jobs.Job) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		if _, err := q.Enqueue(context.Background(), jobs.Job{Kind: "long", Key: "k"}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { q.Run(ctx); close(done) }()
		<-started
		cancel()
		<-done
		if j := job(t, db, "long", "k"); j.Status != jobs.Ready || j.Attempts != 0 || j.LockedBy != "" {
			t.Errorf("job after shutdown: %+v", j)
		}
	})
}

func TestScheduleEnqueuesOneJobPerSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fc := clock.NewFake(start.Add(90 * time.Second)) // 09:01:30
		a := newQueue(db, fc, "a", jobs.Options{})
		b := newQueue(db, fc, "b", jobs.Options{})
		var c counter
		for _, q := range []*jobs.Queue{a, b} {
			q.Handle("tick", func(_ context.Context, j jobs.Job) error { c.add(j.Key); return nil })
			q.Schedule("tick", time.Minute)
		}
		runOnce(t, a)
		runOnce(t, b)
		slot := jobs.SlotKey("tick", start.Add(time.Minute))
		if j := job(t, db, "tick", slot); !j.RunAt.Equal(start.Add(time.Minute)) || j.Status != jobs.Done {
			t.Errorf("slot job: %+v", j)
		}
		fc.Advance(20 * time.Second) // same slot
		runOnce(t, a)
		runOnce(t, b)
		fc.Advance(20 * time.Second) // 09:02:10, the next slot
		runOnce(t, b)
		runOnce(t, a)
		next := jobs.SlotKey("tick", start.Add(2*time.Minute))
		if c.get(slot) != 1 || c.get(next) != 1 || len(c.calls) != 2 {
			t.Errorf("calls %v, want one per slot", c.calls)
		}
		counts, err := store.JobStore{DB: db}.Count(ctx)
		if err != nil || counts[jobs.Done] != 2 || len(counts) != 1 {
			t.Errorf("counts %v %v", counts, err)
		}
	})
}

// TestTwoInstancesRunEachJobOnce is issue 4's "done when": two app
// instances on one database (two connection pools, two worker pools with
// their own instance ids, running at once) over many time slots. Every
// slot's scheduled job and every object job that both instances enqueue
// runs exactly once, failing ones are retried to the end, and nothing is
// left behind.
func TestTwoInstancesRunEachJobOnce(t *testing.T) {
	for _, d := range storetest.Engines {
		t.Run(string(d), func(t *testing.T) {
			dialect, dsn := storetest.DSN(t, d)
			ctx := context.Background()
			fc := clock.NewFake(start)
			var ran, succeeded, byInstance counter
			var queues []*jobs.Queue
			var stores []store.JobStore
			for _, name := range []string{"instance-a", "instance-b"} {
				db, err := store.Open(ctx, dialect, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				// A long time-out: the fake clock runs far ahead of the
				// handlers, and no lease may expire under them here.
				// No back-off: a failed job is due again at once, whenever
				// its first attempt happens.
				q := newQueue(db, fc, name, jobs.Options{Concurrency: 3, Poll: time.Millisecond, Timeout: 48 * time.Hour,
					Backoff: func(int) time.Duration { return 0 }})
				handler := func(_ context.Context, j jobs.Job) error {
					byInstance.add(j.LockedBy)
					n := ran.add(j.Key)
					var p struct{ FailFirst bool }
					if err := j.Decode(&p); err != nil {
						return jobs.Permanent(err)
					}
					if p.FailFirst && n == 1 {
						return errors.New("first attempt fails")
					}
					succeeded.add(j.Key)
					return nil
				}
				q.Handle("tick", handler)
				q.Handle("object", handler)
				q.Schedule("tick", time.Minute)
				queues = append(queues, q)
				stores = append(stores, store.JobStore{DB: db})
			}
			runCtx, stop := context.WithCancel(ctx)
			var wg sync.WaitGroup
			for _, q := range queues {
				wg.Add(1)
				go func() { defer wg.Done(); q.Run(runCtx) }()
			}
			defer func() { stop(); wg.Wait() }()

			const slots, objects = 40, 60
			want := map[string]int{} // handler calls per key
			for i := range slots {
				slot := start.Add(time.Duration(i) * time.Minute)
				fc.Set(slot.Add(time.Second))
				// Both instances enqueue this slot's object jobs, and the
				// previous slot's again (done or not, they stay one job).
				for n := max(0, i*objects/slots-1); n < (i+1)*objects/slots; n++ {
					key := fmt.Sprintf("enterprise:%d", n)
					want[key] = 1
					if n%7 == 0 {
						want[key] = 2
					}
					j, _ := jobs.NewJob("object", key, map[string]bool{"failfirst": n%7 == 0}, slot)
					for _, q := range queues {
						if _, err := q.Enqueue(ctx, j); err != nil {
							t.Fatal(err)
						}
					}
				}
				key := jobs.SlotKey("tick", slot)
				want[key] = 1
				// Move on once an instance has enqueued this slot (a slot
				// passed over by every instance is not made up).
				waitFor(t, func() bool { _, err := stores[i%2].Job(ctx, "tick", key); return err == nil }, "slot "+key, nil)
			}
			waitFor(t, func() bool {
				counts, err := stores[0].Count(ctx)
				return err == nil && counts[jobs.Done] == len(want) && len(counts) == 1
			}, "every job done", func() string {
				counts, _ := stores[0].Count(ctx)
				return fmt.Sprintf("%v of %d", counts, len(want))
			})
			stop()
			wg.Wait()
			for key, w := range want {
				if got := succeeded.get(key); got != 1 {
					t.Errorf("%s succeeded %d times, want exactly once", key, got)
				}
				if got := ran.get(key); got != w {
					t.Errorf("%s ran %d times, want %d", key, got, w)
				}
			}
			if byInstance.get("instance-a") == 0 || byInstance.get("instance-b") == 0 {
				t.Errorf("runs per instance %v: both should have worked", byInstance.calls)
			}
			counts, _ := stores[1].Count(ctx)
			if counts[jobs.Done] != len(want) || len(counts) != 1 {
				t.Errorf("job counts %v, want %d done and nothing else", counts, len(want))
			}
		})
	}
}

// waitFor polls cond for up to 20 s of real time.
func waitFor(t *testing.T, cond func() bool, what string, state func() string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			if state != nil {
				what += ": " + state()
			}
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
