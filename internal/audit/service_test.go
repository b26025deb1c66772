package audit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

func newService(db *store.DB) (*audit.Service, *clock.Fake) {
	c := clock.NewFake(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC))
	return audit.NewService(store.AuditStore{DB: db}, c), c
}

func record(t *testing.T, s *audit.Service, c *clock.Fake, n int) {
	t.Helper()
	actor := access.Actor{UserID: 7, Username: "li", Role: access.CityAdmin, IP: "10.1.2.3", RequestID: "r1"}
	for i := 0; i < n; i++ {
		e := audit.New(actor, c.Now(), "platform.update", "platform", fmt.Sprintf("P%d", i), audit.Success).
			Change(map[string]int{"area": i}, map[string]int{"area": i + 1})
		if err := s.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Hour)
	}
}

func TestChainSealsAndVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := newService(db)
		ctx := context.Background()
		record(t, s, c, 30)
		rep, err := s.Verify(ctx)
		if err != nil || !rep.OK() || rep.Unsealed != 30 || rep.Checked != 0 {
			t.Fatalf("before sealing: %+v %v", rep, err)
		}
		if n, err := s.Seal(ctx); err != nil || n != 30 {
			t.Fatalf("sealed %d: %v", n, err)
		}
		record(t, s, c, 5)
		s.Seal(ctx)
		rep, err = s.Verify(ctx)
		if err != nil || !rep.OK() || rep.Checked != 35 || rep.Unsealed != 0 {
			t.Fatalf("after sealing: %+v %v", rep, err)
		}
	})
}

func TestVerifyFindsTheFirstEditedRow(t *testing.T) {
	edits := []struct {
		name, sql, reason string
	}{
		{"detail rewritten", "UPDATE audit_entries SET detail = 'nothing happened' WHERE seq = 12", "hash"},
		{"result flipped", "UPDATE audit_entries SET result = 'success', action = 'login' WHERE seq = 12", "hash"},
		{"row deleted", "DELETE FROM audit_entries WHERE seq = 12", "gap"},
		{"rehashed but not relinked", "UPDATE audit_entries SET prev_hash = 'x' WHERE seq = 12", "prev_hash"},
	}
	for _, ed := range edits {
		t.Run(ed.name, func(t *testing.T) {
			// The edit is made by hand, through a separate connection, as
			// an intruder with database access would.
			storetest.EachRaw(t, func(t *testing.T, db *store.DB, raw storetest.Raw) {
				s, c := newService(db)
				ctx := context.Background()
				record(t, s, c, 20)
				s.Seal(ctx)
				raw.Exec(t, ed.sql)
				rep, err := s.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				wantSeq := int64(12)
				if ed.reason == "gap" {
					wantSeq = 13
				}
				if rep.OK() || rep.Broken.Seq != wantSeq || rep.Broken.Reason != ed.reason {
					t.Fatalf("report %+v broken=%+v, want break at seq %d (%s)", rep, rep.Broken, wantSeq, ed.reason)
				}
			})
		})
	}
}

func TestPurgeKeepsTheChainVerifiable(t *testing.T) {
	storetest.EachRaw(t, func(t *testing.T, db *store.DB, raw storetest.Raw) {
		s, c := newService(db)
		ctx := context.Background()
		// 300 daily entries starting 2026-05-01.
		for i := 0; i < 300; i++ {
			record(t, s, c, 1)
			c.Advance(23 * time.Hour)
		}
		s.Seal(ctx)
		n, err := s.Purge(ctx) // keeps DefaultRetentionDays (190)
		if err != nil {
			t.Fatal(err)
		}
		if n < 100 || n > 115 {
			t.Fatalf("purged %d entries, want the ~110 older than 190 days", n)
		}
		record(t, s, c, 3)
		s.Seal(ctx)
		rep, err := s.Verify(ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("after purge: %+v %+v %v", rep, rep.Broken, err)
		}
		if rep.Checked != int64(303)-n {
			t.Errorf("checked %d, want %d", rep.Checked, 303-n)
		}
		// Deleting the first remaining entry is still detected.
		raw.Exec(t, "DELETE FROM audit_entries WHERE seq = ?", n+1)
		if rep, _ := s.Verify(ctx); rep.OK() {
			t.Error("deleting the oldest remaining entry went unnoticed")
		}
	})
}

func TestConcurrentSealersNeverFork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := newService(db)
		ctx := context.Background()
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					s.Record(ctx, audit.New(access.SystemActor("job"), c.Now(), "x", "y", "z", audit.Success))
					if _, err := s.Seal(ctx); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		s.Seal(ctx)
		rep, err := s.Verify(ctx)
		if err != nil || !rep.OK() || rep.Checked != 100 {
			t.Fatalf("report %+v broken %+v err %v, want 100 entries in one chain", rep, rep.Broken, err)
		}
	})
}

func TestListIsForAuditorsAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := newService(db)
		ctx := context.Background()
		record(t, s, c, 5)
		s.Denied(ctx, access.Actor{Username: "street", Role: access.StreetStaff}, "api.GET", "path", "/api/v1/platforms/P370200")
		if _, _, err := s.List(ctx, access.Actor{Role: access.StreetStaff}, audit.Filter{}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("street staff read the audit log: %v", err)
		}
		aud := access.Actor{Role: access.Auditor}
		items, _, err := s.List(ctx, aud, audit.Filter{Result: audit.Denied})
		if err != nil || len(items) != 1 || items[0].ObjectID != "/api/v1/platforms/P370200" {
			t.Fatalf("denied entries = %+v, %v", items, err)
		}
		page1, next, _ := s.List(ctx, aud, audit.Filter{Action: "platform.", Limit: 3})
		page2, next2, _ := s.List(ctx, aud, audit.Filter{Action: "platform.", Limit: 3, BeforeID: next})
		if len(page1) != 3 || len(page2) != 2 || next2 != 0 || page1[0].ID <= page2[0].ID {
			t.Errorf("pages %d + %d (next %d, %d), want 3 + 2 newest first", len(page1), len(page2), next, next2)
		}
	})
}
