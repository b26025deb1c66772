package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/stats"
	"github.com/qifu/qifu/internal/ticket"
)

func concurrentUpdate() error {
	return &apperr.Error{Kind: apperr.Conflict, Code: "concurrent_update", Key: "error.concurrent_update"}
}

// RebuildStats recomputes every statistics rollup from the raw rows, in the
// write transaction: the records' counts and memberships in SQL, the
// tickets' state and history in Go by the rules of internal/stats (the
// history replayed from the events: who held the ticket when it was
// dispatched, returned, extended or reopened). Nothing it reads is written
// while it reads: each result is complete before the next statement (one
// connection on PostgreSQL cannot do both at once).
func (tx *Tx) RebuildStats(ctx context.Context) (stats.RebuildReport, error) {
	var rep stats.RebuildReport
	for _, t := range []string{"stats_activity", "stats_breakdown", "stats_members", "stats_reach"} {
		if _, err := tx.exec(ctx, "DELETE FROM "+t); err != nil {
			return rep, mapErr(err, "store: rebuild stats")
		}
	}
	acc := newStatsAcc()
	if err := tx.rebuildRecordCounts(ctx, acc, &rep); err != nil {
		return rep, err
	}
	if err := tx.rebuildTicketState(ctx, acc, &rep); err != nil {
		return rep, err
	}
	if err := tx.rebuildTicketHistory(ctx, acc, &rep); err != nil {
		return rep, err
	}
	if err := tx.writeStatsAcc(ctx, acc); err != nil {
		return rep, err
	}
	if err := tx.rebuildMembers(ctx); err != nil {
		return rep, err
	}
	if err := tx.statsReachFromMembers(ctx, ""); err != nil {
		return rep, err
	}
	err := tx.queryRow(ctx, "SELECT COUNT(*) FROM stats_members").Scan(&rep.Members)
	return rep, mapErr(err, "store: rebuild stats")
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

// rebuildRecordCounts counts the live records by handler, month, kind and
// service area.
func (tx *Tx) rebuildRecordCounts(ctx context.Context, acc *statsAcc, rep *stats.RebuildReport) error {
	rows, err := tx.query(ctx, `SELECT COALESCE(platform_code, ''), COALESCE(department_code, ''), SUBSTR(served_on, 1, 7), kind,
		service_area, COUNT(*) FROM service_records WHERE cancelled_at IS NULL
		GROUP BY platform_code, department_code, SUBSTR(served_on, 1, 7), kind, service_area`)
	if err != nil {
		return mapErr(err, "store: rebuild record counts")
	}
	defer rows.Close()
	for rows.Next() {
		var r record.Record
		var n int64
		if err := rows.Scan(&r.PlatformCode, &r.DepartmentCode, &r.Date, &r.Kind, &r.ServiceArea, &n); err != nil {
			return mapErr(err, "store: rebuild record counts")
		}
		acc.add(stats.RecordChange(r, n))
		rep.Records += n
	}
	return mapErr(rows.Err(), "store: rebuild record counts")
}

// rebuildTicketState counts every ticket's present state for its handler.
func (tx *Tx) rebuildTicketState(ctx context.Context, acc *statsAcc, rep *stats.RebuildReport) error {
	rows, err := tx.query(ctx, "SELECT "+statTicketCols+" FROM tickets")
	if err != nil {
		return mapErr(err, "store: rebuild ticket state")
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanStatTicket(rows)
		if err != nil {
			return mapErr(err, "store: rebuild ticket state")
		}
		rep.Tickets++
		c, ok := stats.TicketState(t)
		if !ok {
			continue
		}
		y, m := stats.YearMonth(t.CreatedAt)
		acc.add(stats.Change{Owner: stats.OwnerOf(t), Year: y, Month: m, Counts: c, Items: []stats.Item{
			{Dim: stats.DimChannel, Key: t.Channel, N: 1}, {Dim: stats.DimCategory, Key: t.Category, N: 1}}})
	}
	return mapErr(rows.Err(), "store: rebuild ticket state")
}

// rebuildTicketHistory replays every ticket's events in order, following
// who held it: a dispatch for the holder at creation and at each transfer,
// a return, an extension, a reopen for the holder at the time.
func (tx *Tx) rebuildTicketHistory(ctx context.Context, acc *statsAcc, rep *stats.RebuildReport) error {
	rows, err := tx.query(ctx, `SELECT e.ticket_id, e.action, e.to_status, e.data, t.created_at FROM ticket_events e
		JOIN tickets t ON t.id = e.ticket_id
		WHERE e.action IN ('create', 'transfer', 'return', 'extend', 'rate', 'visit') ORDER BY e.ticket_id, e.id`)
	if err != nil {
		return mapErr(err, "store: rebuild ticket history")
	}
	defer rows.Close()
	var current int64
	var holder stats.Owner
	for rows.Next() {
		var id int64
		var action, to, data string
		var created time.Time
		if err := rows.Scan(&id, &action, &to, &data, &created); err != nil {
			return mapErr(err, "store: rebuild ticket history")
		}
		rep.Events++
		if id != current {
			current, holder = id, stats.Owner{}
		}
		var d struct {
			Assignee *ticket.Assignee `json:"assignee"`
			To       *ticket.Assignee `json:"to"`
		}
		if strings.HasPrefix(data, "{") {
			_ = json.Unmarshal([]byte(data), &d)
		}
		var c stats.Counts
		switch {
		case action == "create" && d.Assignee != nil:
			holder = stats.OwnerOf(ticket.Ticket{Assignee: *d.Assignee})
			c.Dispatched = 1
		case action == "transfer" && d.To != nil:
			holder = stats.OwnerOf(ticket.Ticket{Assignee: *d.To})
			c.Dispatched = 1
		case action == "return":
			c.Returns = 1
		case action == "extend":
			c.Extensions = 1
		case (action == "rate" || action == "visit") && to == string(ticket.Reopened):
			c.Reopens = 1
		default:
			continue
		}
		y, m := stats.YearMonth(created)
		acc.add(stats.Change{Owner: holder, Year: y, Month: m, Counts: c})
	}
	return mapErr(rows.Err(), "store: rebuild ticket history")
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

// rebuildMembers counts who each scope served from the live records: each
// platform's and department's own, then each tree from the platforms in it,
// and the city from every platform and department.
func (tx *Tx) rebuildMembers(ctx context.Context) error {
	year := "CAST(SUBSTR(r.served_on, 1, 4) AS INTEGER)"
	for _, q := range []string{
		`INSERT INTO stats_members (scope_type, scope_code, year, enterprise_uscc, n, first_on)
		SELECT 'platform', r.platform_code, ` + year + `, r.enterprise_uscc, COUNT(*), MIN(r.served_on) FROM service_records r
		WHERE r.cancelled_at IS NULL AND r.platform_code IS NOT NULL GROUP BY r.platform_code, ` + year + `, r.enterprise_uscc`,
		`INSERT INTO stats_members (scope_type, scope_code, year, enterprise_uscc, n, first_on)
		SELECT 'department', r.department_code, ` + year + `, r.enterprise_uscc, COUNT(*), MIN(r.served_on) FROM service_records r
		WHERE r.cancelled_at IS NULL AND r.department_code IS NOT NULL GROUP BY r.department_code, ` + year + `, r.enterprise_uscc`,
	} {
		if _, err := tx.exec(ctx, q); err != nil {
			return mapErr(err, "store: rebuild members")
		}
	}
	rows, err := tx.query(ctx, "SELECT code FROM platforms WHERE tier IN ('city', 'district') ORDER BY code")
	if err != nil {
		return mapErr(err, "store: rebuild members")
	}
	trees, err := collect(rows, scanString, "platforms")
	if err != nil {
		return err
	}
	for _, code := range trees {
		if err := tx.statsRecountTreeMembers(ctx, code); err != nil {
			return err
		}
	}
	_, err = tx.exec(ctx, `INSERT INTO stats_members (scope_type, scope_code, year, enterprise_uscc, n, first_on)
		SELECT 'city', '', m.year, m.enterprise_uscc, SUM(m.n), MIN(m.first_on) FROM stats_members m
		WHERE m.scope_type IN ('platform', 'department') GROUP BY m.year, m.enterprise_uscc`)
	return mapErr(err, "store: rebuild members")
}
