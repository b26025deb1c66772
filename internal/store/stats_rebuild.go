package store

import (
	"context"
	"strings"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/stats"
)

func concurrentUpdate() error {
	return &apperr.Error{Kind: apperr.Conflict, Code: "concurrent_update", Key: "error.concurrent_update"}
}

// RebuildStats recomputes every statistics rollup from the raw rows, in the
// write transaction, in Go by the rules of internal/stats: the tickets'
// state, their history replayed from the events (who held the ticket when
// it was dispatched, returned, extended or reopened), then the records year
// by year — their counts, and who each scope served (its memberships, and
// the SMEs among them by month of first service). It reads each table once
// (the records once a year, so that one year's memberships are what it
// holds in memory) and writes the memberships in key order, the index by
// enterprise built after them: at 20,000,000 records that is minutes, not
// the tens of minutes the same counts took as GROUP BYs. Nothing it reads
// is written while it reads: each result is complete before the next
// statement (one connection on PostgreSQL cannot do both at once).
func (tx *Tx) RebuildStats(ctx context.Context) (stats.RebuildReport, error) {
	var rep stats.RebuildReport
	for _, t := range []string{"stats_activity", "stats_breakdown", "stats_reach"} {
		if _, err := tx.exec(ctx, "DELETE FROM "+t); err != nil {
			return rep, mapErr(err, "store: rebuild stats")
		}
	}
	// No dashboard reads the memberships: on PostgreSQL they are emptied
	// at once, leaving no dead rows behind, at the price of a lock no
	// reader of the figures waits for.
	clear := "DELETE FROM stats_members"
	if tx.dialect == Postgres {
		clear = "TRUNCATE stats_members"
	}
	if _, err := tx.exec(ctx, clear); err != nil {
		return rep, mapErr(err, "store: rebuild stats")
	}
	acc := newStatsAcc()
	months, err := tx.rebuildTicketState(ctx, acc, &rep)
	if err != nil {
		return rep, err
	}
	if err := tx.rebuildTicketHistory(ctx, acc, months, &rep); err != nil {
		return rep, err
	}
	// The memberships go in key order, their index by enterprise built
	// once after them rather than entry by entry in random order.
	names, defs, err := indexDefs(ctx, tx.q, tx.dialect, "stats_members")
	if err != nil {
		return rep, mapErr(err, "store: rebuild stats")
	}
	for _, name := range names {
		if _, err := tx.exec(ctx, "DROP INDEX "+name); err != nil {
			return rep, mapErr(err, "store: rebuild stats")
		}
	}
	if err := tx.rebuildRecords(ctx, acc, &rep); err != nil {
		return rep, err
	}
	for _, def := range defs {
		if _, err := tx.exec(ctx, def); err != nil {
			return rep, mapErr(err, "store: rebuild stats")
		}
	}
	return rep, tx.writeStatsAcc(ctx, acc)
}

type accKey struct {
	owner       stats.Owner
	year, month int
}

type itemKey struct {
	owner    stats.Owner
	year     int
	dim, key string
}

// statsAcc gathers counts and volumes before they are written.
type statsAcc struct {
	counts map[accKey]*stats.Counts
	items  map[itemKey]int64
}

func newStatsAcc() *statsAcc {
	return &statsAcc{counts: map[accKey]*stats.Counts{}, items: map[itemKey]int64{}}
}

func (a *statsAcc) add(c stats.Change) {
	if c.Year == 0 || c.Owner.Code == "" {
		return
	}
	k := accKey{c.Owner, c.Year, c.Month}
	if a.counts[k] == nil {
		a.counts[k] = &stats.Counts{}
	}
	a.counts[k].Add(c.Counts)
	for _, it := range c.Items {
		a.items[itemKey{c.Owner, c.Year, it.Dim, it.Key}] += it.N
	}
}

// writeStatsAcc writes the gathered counts and volumes, many rows a
// statement.
func (tx *Tx) writeStatsAcc(ctx context.Context, acc *statsAcc) error {
	const perStmt = 200
	cols := "owner_type, owner_code, year, month, " + strings.Join(stats.Columns, ", ")
	row := "(" + placeholders(4+len(stats.Columns)) + ")"
	var vals []string
	var args []any
	flush := func(table, cols string) error {
		if len(vals) == 0 {
			return nil
		}
		_, err := tx.exec(ctx, "INSERT INTO "+table+" ("+cols+") VALUES "+strings.Join(vals, ", "), args...)
		vals, args = vals[:0], args[:0]
		return mapErr(err, "store: rebuild stats")
	}
	for k, c := range acc.counts {
		if c.IsZero() {
			continue
		}
		vals = append(vals, row)
		args = append(append(args, k.owner.Type, k.owner.Code, k.year, k.month), ptrValues(c.Fields())...)
		if len(vals) == perStmt {
			if err := flush("stats_activity", cols); err != nil {
				return err
			}
		}
	}
	if err := flush("stats_activity", cols); err != nil {
		return err
	}
	for k, n := range acc.items {
		if n == 0 {
			continue
		}
		vals = append(vals, "(?, ?, ?, ?, ?, ?)")
		args = append(args, k.owner.Type, k.owner.Code, k.year, k.dim, k.key, n)
		if len(vals) == perStmt {
			if err := flush("stats_breakdown", "owner_type, owner_code, year, dim, item, n"); err != nil {
				return err
			}
		}
	}
	return flush("stats_breakdown", "owner_type, owner_code, year, dim, item, n")
}

func ptrValues(fields []*int64) []any {
	out := make([]any, len(fields))
	for i, f := range fields {
		out[i] = *f
	}
	return out
}
