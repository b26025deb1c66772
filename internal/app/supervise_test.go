package app_test

import (
	"context"
	"database/sql"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/cli"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
	"github.com/qifu/qifu/internal/ticket"
)

// TestSupervisionRunsOnceWithTwoInstances is issue 4's "done when": two
// app instances on one database, each with its own connection pool and job
// workers, run their queues at the same moments over several minute slots.
// Each slot's sweep runs once, and each late ticket is marked, recorded and
// notified exactly once. Then both instances sweep directly at the same
// instant, outside the queue: still one change per ticket.
func TestSupervisionRunsOnceWithTwoInstances(t *testing.T) {
	for _, d := range storetest.Engines {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbArg(t, d)
			if err := cli.Run(ctx, []string{"demo", "--tickets", "0", "--db", db}, func(string) string { return "" }, io.Discard, io.Discard); err != nil {
				t.Fatal(err)
			}
			fc := clock.NewFake(apptest.Start)
			var apps []*app.App
			for range 2 {
				a, err := app.Open(ctx, app.Config{DB: db, Clock: fc, Logger: quiet(), NoJobs: true})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				apps = append(apps, a)
			}
			if apps[0].Queue.Instance() == apps[1].Queue.Instance() {
				t.Fatal("both instances have one name")
			}
			file := func(n int) []ticket.Ticket {
				var out []ticket.Ticket
				for i := range n {
					tk, err := apps[i%2].Ticket.Create(ctx, access.SystemActor("hotline-test"), ticket.Intake{Channel: "hotline", EnterpriseUSCC: demo.DemoEnterprise,
						Category: "help", Title: "用工补贴咨询", Content: "企业咨询稳岗补贴申领。", RegionCode: demo.StreetCode("370202", 0),
						ContactName: "王女士", ContactPhone: "13905320000"})
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, tk)
				}
				return out
			}
			both := func(fn func(a *app.App) error) {
				var wg sync.WaitGroup
				for _, a := range apps {
					wg.Go(func() {
						if err := fn(a); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
			}
			count := func(q string, args ...any) int {
				var n int
				err := apps[0].DB.Raw(ctx, func(tx *sql.Tx) error {
					return tx.QueryRowContext(ctx, store.Rebind(apps[0].DB.Dialect(), q), args...).Scan(&n)
				})
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			streetStaff := count("SELECT COUNT(*) FROM users WHERE org_code = ?", demo.PlatformCode(demo.StreetCode("370202", 0)))
			if streetStaff == 0 {
				t.Fatal("no staff on the street platform")
			}

			late := file(12)
			fc.Set(late[len(late)-1].DueAt.Add(time.Hour))
			const rounds = 4
			for range rounds {
				both(func(a *app.App) error { _, err := a.Queue.Drain(ctx); return err })
				fc.Advance(time.Minute)
			}
			if got := count("SELECT COUNT(*) FROM jobs WHERE kind = ? AND status = 'done'", ticket.SupervisionKind); got != rounds {
				t.Errorf("%d sweeps ran over %d slots", got, rounds)
			}
			if got := count("SELECT MAX(attempts) FROM jobs WHERE kind = ?", ticket.SupervisionKind); got != 1 {
				t.Errorf("a sweep was attempted %d times", got)
			}
			check := func(what string, n int) {
				t.Helper()
				for action, want := range map[string]int{"overdue": n, "sign_overdue": n} {
					if got := count("SELECT COUNT(*) FROM ticket_events WHERE action = ?", action); got != want {
						t.Errorf("%s: %d %s events, want %d", what, got, action, want)
					}
				}
				if got := count("SELECT COUNT(*) FROM notifications WHERE msg_key = 'notice.overdue'"); got != n*streetStaff {
					t.Errorf("%s: %d overdue notices, want %d", what, got, n*streetStaff)
				}
				if got := count("SELECT COUNT(*) FROM tickets WHERE overdue = ?", true); got != n {
					t.Errorf("%s: %d tickets marked overdue, want %d", what, got, n)
				}
			}
			check("through the queue", len(late))

			more := file(12)
			fc.Set(more[len(more)-1].DueAt.Add(time.Hour))
			both(func(a *app.App) error { _, err := a.Ticket.Supervise(ctx); return err })
			check("two direct sweeps at once", len(late)+len(more))
		})
	}
}
