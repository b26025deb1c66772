// Package jobs runs Qifu's background work, two ways.
//
// The Queue (queue.go) is durable: jobs live in the database, are enqueued
// once per kind and key (also inside another change's transaction), run on
// one of any number of app instances, are retried with growing delays and
// survive a crash. Work that must happen once goes there.
//
// The Runner (this file) ticks in every instance: light maintenance that is
// safe to run on all of them at once because each task takes its own
// database lock or claims its rows (sealing the audit chain, ending stale
// sessions, purging expired data, dispatching the notification outbox), and
// that runs too often to leave a job row each time.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Task is one periodic job.
type Task struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Runner runs tasks on their intervals until its context ends.
type Runner struct {
	Log   *slog.Logger
	tasks []Task
	wg    sync.WaitGroup
}

// Add registers a task.
func (r *Runner) Add(t Task) { r.tasks = append(r.tasks, t) }

// Start launches every task in its own goroutine; Wait waits for them to
// stop after ctx is cancelled.
func (r *Runner) Start(ctx context.Context) {
	for _, t := range r.tasks {
		r.wg.Add(1)
		go func(t Task) {
			defer r.wg.Done()
			tick := time.NewTicker(t.Every)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					r.runOnce(ctx, t)
				}
			}
		}(t)
	}
}

// RunAll runs every task once, now (shutdown, tests, CLI).
func (r *Runner) RunAll(ctx context.Context) {
	for _, t := range r.tasks {
		r.runOnce(ctx, t)
	}
}

func (r *Runner) runOnce(ctx context.Context, t Task) {
	defer func() {
		if v := recover(); v != nil {
			r.Log.Error("job panic", "job", t.Name, "panic", v)
		}
	}()
	if err := t.Run(ctx); err != nil && ctx.Err() == nil {
		r.Log.Error("job failed", "job", t.Name, "err", err)
	}
}

// Wait blocks until every task goroutine has returned.
func (r *Runner) Wait() { r.wg.Wait() }
