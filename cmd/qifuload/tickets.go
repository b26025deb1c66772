package main

import (
	"context"
	"fmt"
	"time"

	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/demo/synth"
	"github.com/qifu/qifu/internal/store"
)

// insertTickets adds n synthetic tickets (internal/demo/synth, without
// their history) to the database in big transactions. The tickets table's
// secondary indexes are dropped first and built again at the end (faster
// than maintaining them row by row; the indexes end up the same). On
// PostgreSQL the rows go through COPY and the table is vacuumed and
// analysed at the end, as autovacuum would soon do.
func insertTickets(ctx context.Context, db *store.DB, n int, years int, log func(string, ...any)) (open int, err error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	ids, err := synth.NextIDs(ctx, db)
	if err != nil {
		return 0, err
	}
	cs := make([]synth.Caller, len(callers))
	for i, e := range callers {
		cs[i] = synth.Caller{USCC: e.USCC, Name: e.Name, RegionCode: e.RegionCode, ContactName: e.ContactName, ContactPhone: e.ContactPhone}
	}
	s, err := synth.NewTickets(ctx, db, ids, synth.TicketOptions{Seed: 42, Now: now, Years: years, Callers: cs})
	if err != nil {
		return 0, err
	}
	restore, err := db.DeferIndexes(ctx, "tickets")
	if err != nil {
		return 0, err
	}
	start := time.Now()
	const batch = 100_000
	for done := 0; done < n; done += batch {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		b := &synth.Batch{}
		s.Make(b, done, min(done+batch, n), n)
		if err := db.Bulk(ctx, b.Write); err != nil {
			return 0, fmt.Errorf("insert tickets: %w", err)
		}
		open += b.Open
		if (done/batch)%10 == 9 || done+batch >= n {
			log("  %d tickets, %.0f rows/s", done+len(b.Tickets), float64(done+len(b.Tickets))/time.Since(start).Seconds())
		}
	}
	log("building the ticket indexes…")
	t0 := time.Now()
	if err := restore(ctx); err != nil {
		return 0, fmt.Errorf("build ticket indexes: %w", err)
	}
	log("  indexes in %.0fs", time.Since(t0).Seconds())
	t0 = time.Now()
	if err := db.AfterBulk(ctx, "tickets"); err != nil {
		return 0, err
	}
	if db.Dialect() == store.Postgres {
		log("  VACUUM ANALYZE in %.0fs", time.Since(t0).Seconds())
	}
	return open, nil
}

// demoStreetPlatform and demoDistrictPlatform are the platforms of the
// demo's "street" and "district" logins.
var (
	demoStreetPlatform   = demo.PlatformCode(demo.StreetCode("370202", 0))
	demoDistrictPlatform = demo.PlatformCode("370202")
)
