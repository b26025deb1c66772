package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

// TestGroupCommitIsolatesFailures: many concurrent writes, some of which
// fail (an error or a panic) after writing; the failed ones leave nothing,
// every acknowledged one is there, and they did share transactions.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	storetest.EachRaw(t, func(t *testing.T, db *store.DB, raw storetest.Raw) {
		ctx := context.Background()
		raw.Exec(t, "CREATE TABLE gc (k TEXT PRIMARY KEY, at TEXT)")
		var wg sync.WaitGroup
		var mu sync.Mutex
		acked, failed := map[string]bool{}, map[string]bool{}
		for i := 0; i < 400; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				k := fmt.Sprintf("k%03d", i)
				err := db.Write(ctx, func(tx *store.Tx) error {
					if err := tx.ExecForTesting(ctx, "INSERT INTO gc (k, at) VALUES (?, ?)", k, time.Now().String()); err != nil {
						return err
					}
					switch i % 10 {
					case 3:
						return errors.New("refused after writing")
					case 7:
						panic("a bug in a handler")
					}
					return nil
				})
				mu.Lock()
				if err == nil {
					acked[k] = true
				} else {
					failed[k] = true
				}
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		if len(acked) != 320 || len(failed) != 80 {
			t.Fatalf("%d acknowledged, %d failed; want 320 and 80", len(acked), len(failed))
		}
		rows, err := raw.Query("SELECT k FROM gc")
		if err != nil {
			t.Fatal(err)
		}
		stored := map[string]bool{}
		for rows.Next() {
			var k string
			rows.Scan(&k)
			stored[k] = true
		}
		rows.Close()
		for k := range acked {
			if !stored[k] {
				t.Errorf("acknowledged %s is missing", k)
			}
		}
		for k := range failed {
			if stored[k] {
				t.Errorf("failed %s was kept", k)
			}
		}
		// An error inside a later statement of a batch member (a duplicate
		// key) also stays its own.
		err = db.Write(ctx, func(tx *store.Tx) error {
			return tx.ExecForTesting(ctx, "INSERT INTO gc (k, at) VALUES (?, ?)", "k000", "again")
		})
		if err == nil {
			t.Error("duplicate key accepted")
		}
	})
}
