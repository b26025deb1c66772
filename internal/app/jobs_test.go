package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/jobs"
	"github.com/qifu/qifu/internal/notify"
	"github.com/qifu/qifu/internal/store/storetest"
)

// TestRunWorksQueueAndOutbox: two running app instances on one database
// share the job queue and the notification outbox. A job enqueued on one
// runs once, on either; an inbox message is delivered; shutdown stops both.
func TestRunWorksQueueAndOutbox(t *testing.T) {
	for _, d := range storetest.Engines {
		t.Run(string(d), func(t *testing.T) {
			db := dbArg(t, d)
			var mu sync.Mutex
			runs := map[string]int{}
			ctx, cancel := context.WithCancel(context.Background())
			var done []chan error
			var apps []*app.App
			for range 2 {
				a, err := app.Open(context.Background(), app.Config{DB: db, Addr: "127.0.0.1:0", Logger: quiet()})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				a.Queue.Handle("test.ping", func(_ context.Context, j jobs.Job) error {
					mu.Lock()
					runs[a.Queue.Instance()]++
					mu.Unlock()
					return nil
				})
				ready := make(chan string, 1)
				errc := make(chan error, 1)
				go func() { errc <- a.Run(ctx, func(addr string) { ready <- addr }) }()
				<-ready
				apps = append(apps, a)
				done = append(done, errc)
			}
			if _, err := apps[0].Queue.Enqueue(ctx, jobs.Job{Kind: "test.ping", Key: "once"}); err != nil {
				t.Fatal(err)
			}
			if _, err := apps[1].Queue.Enqueue(ctx, jobs.Job{Kind: "test.ping", Key: "once"}); err != nil {
				t.Fatal(err)
			}
			msg := notify.Message{Recipient: notify.User("someone"), Channel: notify.Inbox, Key: "notify.msg.test",
				Params: map[string]any{"text": "hello"}}
			if err := apps[1].Notify.Send(ctx, msg); err != nil {
				t.Fatal(err)
			}
			someone := access.Actor{Username: "someone", Role: access.Auditor}
			deadline := time.Now().Add(15 * time.Second)
			for {
				mu.Lock()
				total := 0
				for _, n := range runs {
					total += n
				}
				mu.Unlock()
				unread, err := apps[0].Notify.Unread(ctx, someone)
				if err != nil {
					t.Fatal(err)
				}
				if total == 1 && unread == 1 {
					break
				}
				if total > 1 || time.Now().After(deadline) {
					t.Fatalf("job runs %v, unread %d: want one run and one message", runs, unread)
				}
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			for _, errc := range done {
				select {
				case err := <-errc:
					if err != nil {
						t.Errorf("Run: %v", err)
					}
				case <-time.After(20 * time.Second):
					t.Fatal("Run did not return after the context ended")
				}
			}
		})
	}
}
