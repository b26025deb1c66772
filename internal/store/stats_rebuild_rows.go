package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/stats"
	"github.com/qifu/qifu/internal/ticket"
)

// byTicket holds a small value per ticket id: in a slice when the ids are
// dense (they are, unless rows were deleted by hand), in a map otherwise.
type byTicket struct {
	base   int64
	dense  []int32
	sparse map[int64]int32
}

func newByTicket(lo, hi, n int64) *byTicket {
	if n > 0 && hi-lo+1 <= 4*n+1024 {
		return &byTicket{base: lo, dense: make([]int32, hi-lo+1)}
	}
	return &byTicket{sparse: map[int64]int32{}}
}

func (b *byTicket) get(id int64) int32 {
	if b.dense != nil {
		if i := id - b.base; i >= 0 && i < int64(len(b.dense)) {
			return b.dense[i]
		}
		return 0
	}
	return b.sparse[id]
}

func (b *byTicket) set(id int64, v int32) {
	if b.dense != nil {
		if i := id - b.base; i >= 0 && i < int64(len(b.dense)) {
			b.dense[i] = v
			return
		}
		// An id beyond the range read first (written meanwhile by no one:
		// the rebuild holds the write lock); kept all the same.
		b.dense, b.sparse = nil, b.toMap()
	}
	b.sparse[id] = v
}

func (b *byTicket) toMap() map[int64]int32 {
	m := make(map[int64]int32, len(b.dense))
	for i, v := range b.dense {
		if v != 0 {
			m[b.base+int64(i)] = v
		}
	}
	return m
}

// idScanner scans a row whose first column is an id, then the rest.
type idScanner struct {
	s  interface{ Scan(...any) error }
	id *int64
}

func (x idScanner) Scan(dst ...any) error { return x.s.Scan(append([]any{x.id}, dst...)...) }

// rebuildTicketState counts every ticket's present state for its handler,
// and returns the month each ticket was created in (year*12 + month - 1),
// by id, for the history.
func (tx *Tx) rebuildTicketState(ctx context.Context, acc *statsAcc, rep *stats.RebuildReport) (*byTicket, error) {
	var lo, hi, n int64
	if err := tx.queryRow(ctx, "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0), COUNT(*) FROM tickets").Scan(&lo, &hi, &n); err != nil {
		return nil, mapErr(err, "store: rebuild ticket state")
	}
	months := newByTicket(lo, hi, n)
	rows, err := tx.query(ctx, "SELECT id, "+statTicketCols+" FROM tickets")
	if err != nil {
		return nil, mapErr(err, "store: rebuild ticket state")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		t, err := scanStatTicket(idScanner{rows, &id})
		if err != nil {
			return nil, mapErr(err, "store: rebuild ticket state")
		}
		rep.Tickets++
		y, m := stats.YearMonth(t.CreatedAt)
		months.set(id, int32(y*12+m-1))
		c, ok := stats.TicketState(t)
		if !ok {
			continue
		}
		acc.add(stats.Change{Owner: stats.OwnerOf(t), Year: y, Month: m, Counts: c, Items: []stats.Item{
			{Dim: stats.DimChannel, Key: t.Channel, N: 1}, {Dim: stats.DimCategory, Key: t.Category, N: 1}}})
	}
	return months, mapErr(rows.Err(), "store: rebuild ticket state")
}

// rebuildTicketHistory replays the events in the order they happened,
// following who held each ticket: a dispatch for the holder at creation
// and at each transfer, a return, an extension, a reopen for the holder at
// the time, each in the month the ticket was created. Read in id order (a
// ticket's events keep theirs), the events need neither a join nor a sort.
func (tx *Tx) rebuildTicketHistory(ctx context.Context, acc *statsAcc, months *byTicket, rep *stats.RebuildReport) error {
	rows, err := tx.query(ctx, `SELECT ticket_id, action, to_status, data FROM ticket_events
		WHERE action IN ('create', 'transfer', 'return', 'extend', 'rate', 'visit') ORDER BY id`)
	if err != nil {
		return mapErr(err, "store: rebuild ticket history")
	}
	defer rows.Close()
	// Holders are numbered from 1 (0: none yet).
	var owners []stats.Owner
	index := map[stats.Owner]int32{}
	holders := &byTicket{base: months.base, sparse: map[int64]int32{}}
	if months.dense != nil {
		holders = &byTicket{base: months.base, dense: make([]int32, len(months.dense))}
	}
	for rows.Next() {
		var id int64
		var action, to, data string
		if err := rows.Scan(&id, &action, &to, &data); err != nil {
			return mapErr(err, "store: rebuild ticket history")
		}
		rep.Events++
		var d struct {
			Assignee *ticket.Assignee `json:"assignee"`
			To       *ticket.Assignee `json:"to"`
		}
		if (action == "create" || action == "transfer") && strings.HasPrefix(data, "{") {
			_ = json.Unmarshal([]byte(data), &d)
		}
		var c stats.Counts
		switch {
		case action == "create" && d.Assignee != nil || action == "transfer" && d.To != nil:
			a := d.Assignee
			if action == "transfer" {
				a = d.To
			}
			o := stats.OwnerOf(ticket.Ticket{Assignee: *a})
			k, ok := index[o]
			if !ok {
				owners = append(owners, o)
				k = int32(len(owners))
				index[o] = k
			}
			holders.set(id, k)
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
		var holder stats.Owner
		if k := holders.get(id); k > 0 {
			holder = owners[k-1]
		}
		ym := months.get(id)
		acc.add(stats.Change{Owner: holder, Year: int(ym / 12), Month: int(ym%12) + 1, Counts: c})
	}
	return mapErr(rows.Err(), "store: rebuild ticket history")
}

// member is who a scope served in the year being rebuilt: how many live
// records, the first on month*100+day.
type member struct {
	n     int32
	first int32
}

type memberKey struct {
	scope int32 // into the scopes
	ent   int32 // into the year's enterprises
}

// rebuildRecords counts the live records year by year: each handler's by
// month, kind and service area, and who each scope served — the
// platform's own, the tree of each city or district platform above it (or
// itself), the department's, the city's — with the SMEs among them by the
// month of their first service (an enterprise large now counts in no
// month; its months are written all the same, for the size trigger).
func (tx *Tx) rebuildRecords(ctx context.Context, acc *statsAcc, rep *stats.RebuildReport) error {
	// The scopes each handler's records count in.
	var scopes []stats.Scope
	scopeIndex := map[stats.Scope]int32{}
	scopeOf := func(s stats.Scope) int32 {
		k, ok := scopeIndex[s]
		if !ok {
			k = int32(len(scopes))
			scopes = append(scopes, s)
			scopeIndex[s] = k
		}
		return k
	}
	type platformRef struct{ code, path, tier string }
	rows, err := tx.query(ctx, "SELECT code, path, tier FROM platforms")
	if err != nil {
		return mapErr(err, "store: rebuild records")
	}
	plats, err := collect(rows, func(s interface{ Scan(...any) error }) (platformRef, error) {
		var p platformRef
		return p, s.Scan(&p.code, &p.path, &p.tier)
	}, "platforms")
	if err != nil {
		return err
	}
	handlerScopes := map[stats.Owner][]int32{}
	city := scopeOf(stats.Scope{Type: stats.ScopeCity})
	for _, p := range plats {
		list := []int32{scopeOf(stats.Scope{Type: stats.ScopePlatform, Code: p.code})}
		for _, x := range plats {
			if stats.HasTree(x.tier) && strings.HasPrefix(p.path, x.path) {
				list = append(list, scopeOf(stats.Scope{Type: stats.ScopeTree, Code: x.code}))
			}
		}
		handlerScopes[stats.Owner{Type: stats.OwnerPlatform, Code: p.code}] = append(list, city)
	}
	large := map[string]bool{}
	rows, err = tx.query(ctx, "SELECT uscc FROM enterprises WHERE size = 'large'")
	if err != nil {
		return mapErr(err, "store: rebuild records")
	}
	codes, err := collect(rows, scanString, "enterprises")
	if err != nil {
		return err
	}
	for _, c := range codes {
		large[c] = true
	}
	var lo, hi sql.NullString
	if err := tx.queryRow(ctx, "SELECT MIN(served_on) FROM service_records").Scan(&lo); err != nil {
		return mapErr(err, "store: rebuild records")
	}
	if err := tx.queryRow(ctx, "SELECT MAX(served_on) FROM service_records").Scan(&hi); err != nil {
		return mapErr(err, "store: rebuild records")
	}
	first, _ := stats.DateYearMonth(lo.String)
	last, _ := stats.DateYearMonth(hi.String)
	if !lo.Valid || first == 0 || last < first {
		return nil
	}
	type countKey struct {
		owner             stats.Owner
		month             string // YYYY-MM
		kind, serviceArea string
	}
	for year := first; year <= last; year++ {
		counts := map[countKey]int64{}
		members := map[memberKey]member{}
		ents := map[string]int32{}
		var usccs []string
		rows, err := tx.query(ctx, `SELECT COALESCE(platform_code, ''), COALESCE(department_code, ''), served_on, kind, service_area,
			enterprise_uscc FROM service_records WHERE served_on >= ? AND served_on < ? AND cancelled_at IS NULL`,
			fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1))
		if err != nil {
			return mapErr(err, "store: rebuild records")
		}
		for rows.Next() {
			var platform, department, on, kind, area, uscc string
			if err := rows.Scan(&platform, &department, &on, &kind, &area, &uscc); err != nil {
				rows.Close()
				return mapErr(err, "store: rebuild records")
			}
			rep.Records++
			owner := stats.RecordOwner(record.Record{PlatformCode: platform, DepartmentCode: department})
			counts[countKey{owner, on[:min(7, len(on))], kind, area}]++
			list, ok := handlerScopes[owner]
			if !ok {
				list = []int32{scopeOf(stats.Scope{Type: stats.ScopeDepartment, Code: department}), city}
				handlerScopes[owner] = list
			}
			e, ok := ents[uscc]
			if !ok {
				e = int32(len(usccs))
				usccs = append(usccs, uscc)
				ents[uscc] = e
			}
			day := monthDay(on)
			for _, s := range list {
				k := memberKey{s, e}
				m := members[k]
				if m.n == 0 || day < m.first {
					m.first = day
				}
				m.n++
				members[k] = m
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return mapErr(err, "store: rebuild records")
		}
		for k, n := range counts {
			r := record.Record{PlatformCode: k.owner.Code, Date: k.month, Kind: k.kind, ServiceArea: k.serviceArea}
			if k.owner.Type == stats.OwnerDepartment {
				r = record.Record{DepartmentCode: k.owner.Code, Date: k.month, Kind: k.kind, ServiceArea: k.serviceArea}
			}
			acc.add(stats.RecordChange(r, n))
		}
		if err := tx.writeMembers(ctx, year, scopes, usccs, members, large); err != nil {
			return err
		}
		rep.Members += int64(len(members))
	}
	return nil
}

// monthDay is month*100+day of a YYYY-MM-DD date.
func monthDay(date string) int32 {
	if len(date) < 10 {
		return 0
	}
	m, _ := strconv.Atoi(date[5:7])
	d, _ := strconv.Atoi(date[8:10])
	return int32(m*100 + d)
}

// writeMembers writes a year's memberships in key order, and the SMEs the
// scopes first served in each month.
func (tx *Tx) writeMembers(ctx context.Context, year int, scopes []stats.Scope, usccs []string, members map[memberKey]member,
	large map[string]bool) error {
	keys := make([]memberKey, 0, len(members))
	reach := map[[2]int32]int64{} // scope, month
	for k, m := range members {
		keys = append(keys, k)
		r := [2]int32{k.scope, m.first / 100}
		if large[usccs[k.ent]] {
			reach[r] += 0
		} else {
			reach[r]++
		}
	}
	rank := make([]int, len(scopes))
	order := make([]int, len(scopes))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := scopes[order[i]], scopes[order[j]]
		return a.Type < b.Type || a.Type == b.Type && a.Code < b.Code
	})
	for r, i := range order {
		rank[i] = r
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.scope != b.scope {
			return rank[a.scope] < rank[b.scope]
		}
		return usccs[a.ent] < usccs[b.ent]
	})
	date := func(md int32) string { return fmt.Sprintf("%04d-%02d-%02d", year, md/100, md%100) }
	if tx.dialect == Postgres {
		// Arrays of 20,000 rows a statement, unnested into rows.
		const chunk = 20_000
		for start := 0; start < len(keys); start += chunk {
			part := keys[start:min(start+chunk, len(keys))]
			types, codes, ents, firsts := make([]string, len(part)), make([]string, len(part)), make([]string, len(part)), make([]string, len(part))
			ns := make([]int64, len(part))
			for i, k := range part {
				m := members[k]
				types[i], codes[i], ents[i], ns[i], firsts[i] = scopes[k.scope].Type, scopes[k.scope].Code, usccs[k.ent], int64(m.n), date(m.first)
			}
			_, err := tx.exec(ctx, `INSERT INTO stats_members (scope_type, scope_code, year, enterprise_uscc, n, first_on)
				SELECT t, c, CAST(? AS INTEGER), e, n, f FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[]) AS x (t, c, e, n, f)`,
				year, types, codes, ents, ns, firsts)
			if err != nil {
				return mapErr(err, "store: rebuild members")
			}
		}
	} else {
		const per = 1000 // × 6 parameters, under SQLite's limit
		row := "(?, ?, ?, ?, ?, ?)"
		full := "INSERT INTO stats_members (scope_type, scope_code, year, enterprise_uscc, n, first_on) VALUES " +
			strings.TrimSuffix(strings.Repeat(row+", ", per), ", ")
		args := make([]any, 0, 6*per)
		for start := 0; start < len(keys); start += per {
			part := keys[start:min(start+per, len(keys))]
			args = args[:0]
			for _, k := range part {
				m := members[k]
				args = append(args, scopes[k.scope].Type, scopes[k.scope].Code, year, usccs[k.ent], int64(m.n), date(m.first))
			}
			q := full
			if len(part) < per {
				q = "INSERT INTO stats_members (scope_type, scope_code, year, enterprise_uscc, n, first_on) VALUES " +
					strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", ")
			}
			if _, err := tx.exec(ctx, q, args...); err != nil {
				return mapErr(err, "store: rebuild members")
			}
		}
	}
	return tx.writeReach(ctx, year, scopes, reach)
}

// writeReach writes a year's SMEs first served by scope and month.
func (tx *Tx) writeReach(ctx context.Context, year int, scopes []stats.Scope, reach map[[2]int32]int64) error {
	const per = 200
	var vals []string
	var args []any
	flush := func() error {
		if len(vals) == 0 {
			return nil
		}
		_, err := tx.exec(ctx, "INSERT INTO stats_reach (scope_type, scope_code, year, month, smes_new) VALUES "+strings.Join(vals, ", "), args...)
		vals, args = vals[:0], args[:0]
		return mapErr(err, "store: rebuild reach")
	}
	for k, n := range reach {
		vals = append(vals, "(?, ?, ?, ?, ?)")
		args = append(args, scopes[k[0]].Type, scopes[k[0]].Code, year, int(k[1]), n)
		if len(vals) == per {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
