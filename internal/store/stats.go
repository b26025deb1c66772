package store

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/stats"
	"github.com/qifu/qifu/internal/ticket"
)

var _ stats.Tx = (*Tx)(nil)

// The statistics rollups (see internal/stats and migration 0009): the
// record and ticket writes call the hooks below in their own transaction;
// the readers serve the statistics service; RebuildStats recomputes it all.

// lockClause is the row lock a read inside a write transaction takes on
// PostgreSQL, where writers run side by side (SQLite has one writer).
func (tx *Tx) lockClause(mode string) string {
	if tx.dialect == Postgres && tx.write {
		return " FOR " + mode
	}
	return ""
}

// ---- applying changes ----

// statsApply adds a change to its handler's month and yearly volumes.
func (tx *Tx) statsApply(ctx context.Context, c stats.Change) error {
	if c.Year == 0 || c.Owner.Code == "" {
		return nil
	}
	fields := c.Counts.Fields()
	cols := make([]string, 0, len(fields))
	set := make([]string, 0, len(fields))
	slot := tx.statsSlot()
	args := []any{c.Owner.Type, c.Owner.Code, c.Year, c.Month, slot}
	for i, f := range fields {
		if *f != 0 {
			col := stats.Columns[i]
			cols = append(cols, col)
			set = append(set, col+" = stats_activity."+col+" + excluded."+col)
			args = append(args, *f)
		}
	}
	if len(cols) > 0 {
		_, err := tx.exec(ctx, "INSERT INTO stats_activity (owner_type, owner_code, year, month, slot, "+strings.Join(cols, ", ")+
			") VALUES ("+placeholders(len(args))+") ON CONFLICT (owner_type, owner_code, year, month, slot) DO UPDATE SET "+
			strings.Join(set, ", "), args...)
		if err != nil {
			return mapErr(err, "store: stats activity")
		}
	}
	// The volumes in one statement (each item is its own row).
	values := make([]string, 0, len(c.Items))
	args = args[:0]
	for _, it := range c.Items {
		if it.N == 0 {
			continue
		}
		values = append(values, "(?, ?, ?, ?, ?, ?, ?)")
		args = append(args, c.Owner.Type, c.Owner.Code, c.Year, it.Dim, it.Key, slot, it.N)
	}
	if len(values) > 0 {
		_, err := tx.exec(ctx, `INSERT INTO stats_breakdown (owner_type, owner_code, year, dim, item, slot, n) VALUES `+
			strings.Join(values, ", ")+` ON CONFLICT (owner_type, owner_code, year, dim, item, slot) DO UPDATE SET n = stats_breakdown.n + excluded.n`,
			args...)
		if err != nil {
			return mapErr(err, "store: stats breakdown")
		}
	}
	return nil
}

// statsSlots is how many rows a handler's counts are spread over on
// PostgreSQL (migration 0010): concurrent transactions that add to the same
// handler's counts mostly take different row locks instead of queuing on
// one until each commits. Readers sum the slots.
const statsSlots = 16

// statsSlot is the slot this transaction adds to: one per transaction,
// chosen at random on PostgreSQL; always 0 on SQLite, whose single writer
// never waits on a row.
func (tx *Tx) statsSlot() int {
	if tx.dialect != Postgres {
		return 0
	}
	if tx.slot == 0 {
		tx.slot = 1 + rand.IntN(statsSlots)
	}
	return tx.slot - 1
}

// statsReach adds n to the SMEs a scope first served in a month (the row is
// written even for 0: the enterprise-size trigger updates it in place).
func (tx *Tx) statsReach(ctx context.Context, s stats.Scope, year, month int, n int64) error {
	_, err := tx.exec(ctx, `INSERT INTO stats_reach (scope_type, scope_code, year, month, smes_new) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (scope_type, scope_code, year, month) DO UPDATE SET smes_new = stats_reach.smes_new + excluded.smes_new`,
		s.Type, s.Code, year, month, n)
	return mapErr(err, "store: stats reach")
}

// statsRecord applies a record's insertion (sign 1) or cancellation (-1):
// its handler's counts and volumes, and its enterprise's membership of
// every scope it counts in.
func (tx *Tx) statsRecord(ctx context.Context, r record.Record, sign int64) error {
	if err := tx.statsApply(ctx, stats.RecordChange(r, sign)); err != nil {
		return err
	}
	var path, tier string
	if r.PlatformCode != "" {
		err := tx.queryRow(ctx, "SELECT path, tier FROM platforms WHERE code = ?", r.PlatformCode).Scan(&path, &tier)
		if err != nil {
			return mapErr(err, "store: stats record platform")
		}
	}
	// A size being changed at the same time waits for this transaction
	// (PostgreSQL), so its trigger sees the memberships written here.
	var size string
	err := tx.queryRow(ctx, "SELECT size FROM enterprises WHERE uscc = ?"+tx.lockClause("SHARE"), r.EnterpriseUSCC).Scan(&size)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return mapErr(err, "store: stats record enterprise")
	}
	year, _ := stats.DateYearMonth(r.Date)
	for _, s := range stats.ReachScopes(r, path, tier) {
		if err := tx.statsMember(ctx, s, year, r.EnterpriseUSCC, r.Date, size == "large", sign > 0); err != nil {
			return err
		}
	}
	return nil
}

func monthOf(date string) int {
	_, m := stats.DateYearMonth(date)
	return m
}

// statsMember adds a record dated date to (add) or takes one from the
// enterprise's membership of a scope in a year, moving the scope's SMEs
// served when the enterprise joins or leaves it or its first service moves
// to another month.
func (tx *Tx) statsMember(ctx context.Context, s stats.Scope, year int, uscc, date string, large, add bool) error {
	key := []any{s.Type, s.Code, year, uscc}
	if add {
		// The row exists (and, on PostgreSQL, is ours to change) before
		// it is read.
		if _, err := tx.exec(ctx, `INSERT INTO stats_members (scope_type, scope_code, year, enterprise_uscc, n, first_on)
			VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (scope_type, scope_code, year, enterprise_uscc) DO NOTHING`,
			append(key, date)...); err != nil {
			return mapErr(err, "store: stats member")
		}
	}
	var n int64
	var first string
	err := tx.queryRow(ctx, `SELECT n, first_on FROM stats_members WHERE scope_type = ? AND scope_code = ? AND year = ?
		AND enterprise_uscc = ?`+tx.lockClause("UPDATE"), key...).Scan(&n, &first)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // a cancellation the rollups never counted: nothing to take
	}
	if err != nil {
		return mapErr(err, "store: stats member")
	}
	counted := int64(1)
	if large {
		counted = 0
	}
	switch {
	case add && n == 0:
		if err := tx.setMember(ctx, key, 1, date); err != nil {
			return err
		}
		return tx.statsReach(ctx, s, year, monthOf(date), counted)
	case add:
		next := min(first, date)
		if err := tx.setMember(ctx, key, n+1, next); err != nil {
			return err
		}
		return tx.moveFirst(ctx, s, year, first, next, counted)
	case n <= 1:
		if _, err := tx.exec(ctx, `DELETE FROM stats_members WHERE scope_type = ? AND scope_code = ? AND year = ?
			AND enterprise_uscc = ?`, key...); err != nil {
			return mapErr(err, "store: stats member")
		}
		return tx.statsReach(ctx, s, year, monthOf(first), -counted)
	default:
		next := first
		if date == first {
			if next, err = tx.firstServed(ctx, s, year, uscc); err != nil {
				return err
			}
		}
		if err := tx.setMember(ctx, key, n-1, next); err != nil {
			return err
		}
		return tx.moveFirst(ctx, s, year, first, next, counted)
	}
}

func (tx *Tx) setMember(ctx context.Context, key []any, n int64, first string) error {
	_, err := tx.exec(ctx, `UPDATE stats_members SET n = ?, first_on = ? WHERE scope_type = ? AND scope_code = ? AND year = ?
		AND enterprise_uscc = ?`, append([]any{n, first}, key...)...)
	return mapErr(err, "store: stats member")
}

// moveFirst moves a member from the month of its old first service to that
// of its new one.
func (tx *Tx) moveFirst(ctx context.Context, s stats.Scope, year int, was, now string, counted int64) error {
	if monthOf(was) == monthOf(now) {
		return nil
	}
	if err := tx.statsReach(ctx, s, year, monthOf(was), -counted); err != nil {
		return err
	}
	return tx.statsReach(ctx, s, year, monthOf(now), counted)
}

// firstServed is the date of the enterprise's first live record in a
// scope in a year (read from the records: a cancellation of the first one
// is rare, and the enterprise's index holds only its own).
func (tx *Tx) firstServed(ctx context.Context, s stats.Scope, year int, uscc string) (string, error) {
	q := "SELECT MIN(r.served_on) FROM service_records r"
	cond := " WHERE r.enterprise_uscc = ? AND r.served_on >= ? AND r.served_on < ? AND r.cancelled_at IS NULL"
	args := []any{uscc, strconv.Itoa(year) + "-01-01", strconv.Itoa(year+1) + "-01-01"}
	switch s.Type {
	case stats.ScopePlatform:
		cond += " AND r.platform_code = ?"
		args = append(args, s.Code)
	case stats.ScopeDepartment:
		cond += " AND r.department_code = ?"
		args = append(args, s.Code)
	case stats.ScopeTree:
		q += " JOIN platforms p ON p.code = r.platform_code JOIN platforms x ON x.code = ?"
		cond += " AND SUBSTR(p.path, 1, LENGTH(x.path)) = x.path"
		args = append([]any{s.Code}, args...)
	}
	var first sql.NullString
	if err := tx.queryRow(ctx, q+cond, args...).Scan(&first); err != nil {
		return "", mapErr(err, "store: first service")
	}
	return first.String, nil
}

// statTicketCols are the columns of a ticket its statistics depend on.
const statTicketCols = `status, assignee_type, assignee_code, channel, category, created_at, signed_at, sign_due_at,
	replied_at, due_at, overdue, sign_overdue, extended_days, reopen_count, satisfied, score, rated_by`

func scanStatTicket(s interface{ Scan(...any) error }) (ticket.Ticket, error) {
	var t ticket.Ticket
	var signed, replied nullTime
	var sat sql.NullBool
	var score sql.NullInt64
	err := s.Scan(&t.Status, &t.Assignee.Type, &t.Assignee.Code, &t.Channel, &t.Category, &t.CreatedAt, &signed, &t.SignDueAt,
		&replied, &t.DueAt, &t.Overdue, &t.SignOverdue, &t.ExtendedDays, &t.ReopenCount, &sat, &score, &t.RatedBy)
	t.SignedAt, t.RepliedAt = signed.Ptr(), replied.Ptr()
	if sat.Valid {
		t.Satisfied = &sat.Bool
	}
	if score.Valid {
		v := int(score.Int64)
		t.Score = &v
	}
	return t, err
}

// statsTicket applies a ticket's change (old is nil for a new ticket).
func (tx *Tx) statsTicket(ctx context.Context, old *ticket.Ticket, t ticket.Ticket) error {
	for _, c := range stats.TicketChanges(old, t) {
		if err := tx.statsApply(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// statsTicketBefore reads a ticket as stored at a version, for the change
// an update makes; conflict when it is at another version.
func (tx *Tx) statsTicketBefore(ctx context.Context, id, version int64) (ticket.Ticket, error) {
	t, err := scanStatTicket(tx.queryRow(ctx, "SELECT "+statTicketCols+" FROM tickets WHERE id = ? AND version = ?", id, version))
	if errors.Is(err, sql.ErrNoRows) {
		return t, concurrentUpdate()
	}
	return t, mapErr(err, "store: ticket before update")
}

// ---- moving platforms ----

// statsMoveTrees recounts the trees a subtree moved out of and into: the
// platforms above it before and after, except those above it both times.
func (tx *Tx) statsMoveTrees(ctx context.Context, oldPrefix, newPrefix string) error {
	above := func(p string) map[string]bool {
		segs := strings.Split(strings.Trim(p, "/"), "/")
		out := map[string]bool{}
		for _, s := range segs[:max(len(segs)-1, 0)] {
			out[s] = true
		}
		return out
	}
	was, now := above(oldPrefix), above(newPrefix)
	for code := range was {
		if !now[code] {
			if err := tx.statsRecountTree(ctx, code); err != nil {
				return err
			}
		}
	}
	for code := range now {
		if !was[code] {
			if err := tx.statsRecountTree(ctx, code); err != nil {
				return err
			}
		}
	}
	return nil
}

// statsRecountTree recounts a tree's memberships from those of the
// platforms in it, and its SMEs served from its memberships.
func (tx *Tx) statsRecountTree(ctx context.Context, code string) error {
	for _, q := range []string{"DELETE FROM stats_members WHERE scope_type = 'tree' AND scope_code = ?",
		"DELETE FROM stats_reach WHERE scope_type = 'tree' AND scope_code = ?"} {
		if _, err := tx.exec(ctx, q, code); err != nil {
			return mapErr(err, "store: recount tree")
		}
	}
	if err := tx.statsRecountTreeMembers(ctx, code); err != nil {
		return err
	}
	return tx.statsReachFromMembers(ctx, " AND m.scope_type = 'tree' AND m.scope_code = ?", code)
}

// statsRecountTreeMembers writes a tree's memberships: those of the
// platforms whose path starts with the tree's platform's.
func (tx *Tx) statsRecountTreeMembers(ctx context.Context, code string) error {
	var path string
	if err := tx.queryRow(ctx, "SELECT path FROM platforms WHERE code = ?", code).Scan(&path); err != nil {
		return mapErr(err, "store: recount tree")
	}
	cond, args := hasPrefix("path", path)
	_, err := tx.exec(ctx, `INSERT INTO stats_members (scope_type, scope_code, year, enterprise_uscc, n, first_on)
		SELECT 'tree', ?, m.year, m.enterprise_uscc, SUM(m.n), MIN(m.first_on) FROM stats_members m
		WHERE m.scope_type = 'platform' AND m.scope_code IN (SELECT code FROM platforms WHERE `+cond+`)
		GROUP BY m.year, m.enterprise_uscc`, append([]any{code}, args...)...)
	return mapErr(err, "store: recount tree")
}

// statsReachFromMembers writes the SMEs served by month of the memberships
// the condition selects.
func (tx *Tx) statsReachFromMembers(ctx context.Context, cond string, args ...any) error {
	_, err := tx.exec(ctx, `INSERT INTO stats_reach (scope_type, scope_code, year, month, smes_new)
		SELECT m.scope_type, m.scope_code, m.year, CAST(SUBSTR(m.first_on, 6, 2) AS INTEGER),
			SUM(CASE WHEN e.size = 'large' THEN 0 ELSE 1 END)
		FROM stats_members m JOIN enterprises e ON e.uscc = m.enterprise_uscc WHERE m.n > 0`+cond+`
		GROUP BY m.scope_type, m.scope_code, m.year, CAST(SUBSTR(m.first_on, 6, 2) AS INTEGER)`, args...)
	return mapErr(err, "store: stats reach")
}

// ---- reading ----

// StatsPlatformRefs lists every platform, by code.
func (tx *Tx) StatsPlatformRefs(ctx context.Context) ([]stats.PlatformRef, error) {
	rows, err := tx.query(ctx, `SELECT code, name, tier, region_code, COALESCE(parent_code, ''), path, area_m2, established_on,
		created_at FROM platforms ORDER BY code`)
	if err != nil {
		return nil, mapErr(err, "store: stats platforms")
	}
	return collect(rows, func(s interface{ Scan(...any) error }) (stats.PlatformRef, error) {
		var p stats.PlatformRef
		var est string
		var created time.Time
		err := s.Scan(&p.Code, &p.Name, &p.Tier, &p.RegionCode, &p.ParentCode, &p.Path, &p.AreaM2, &est, &created)
		p.Since = record.PlatformRef{EstablishedOn: est, CreatedAt: created}.Since()
		return p, err
	}, "platforms")
}

// StatsDepartmentRefs lists every department, by code.
func (tx *Tx) StatsDepartmentRefs(ctx context.Context) ([]stats.DepartmentRef, error) {
	rows, err := tx.query(ctx, "SELECT code, name FROM departments ORDER BY code")
	if err != nil {
		return nil, mapErr(err, "store: stats departments")
	}
	return collect(rows, func(s interface{ Scan(...any) error }) (stats.DepartmentRef, error) {
		var d stats.DepartmentRef
		return d, s.Scan(&d.Code, &d.Name)
	}, "departments")
}

// sumCols sums every counter column.
var sumCols = func() string {
	parts := make([]string, len(stats.Columns))
	for i, c := range stats.Columns {
		parts[i] = "SUM(" + c + ")"
	}
	return strings.Join(parts, ", ")
}()

// ownersWhere is the condition selecting handlers.
func ownersWhere(year int, o stats.Owners) (string, []any) {
	cond := " WHERE year = ? AND owner_type = ?"
	args := []any{year, o.Type}
	switch {
	case o.Code != "":
		cond += " AND owner_code = ?"
		args = append(args, o.Code)
	case o.PathPrefix != "":
		c, a := hasPrefix("path", o.PathPrefix)
		cond += " AND owner_code IN (SELECT code FROM platforms WHERE " + c + ")"
		args = append(args, a...)
	}
	return cond, args
}

// StatsCountsByOwner sums the year's months of every handler of a type.
func (tx *Tx) StatsCountsByOwner(ctx context.Context, year int, ownerType string) (map[string]stats.Counts, error) {
	rows, err := tx.query(ctx, "SELECT owner_code, "+sumCols+" FROM stats_activity WHERE year = ? AND owner_type = ? GROUP BY owner_code",
		year, ownerType)
	if err != nil {
		return nil, mapErr(err, "store: stats counts")
	}
	defer rows.Close()
	out := map[string]stats.Counts{}
	for rows.Next() {
		var code string
		var c stats.Counts
		dst := append([]any{&code}, ptrs(c.Fields())...)
		if err := rows.Scan(dst...); err != nil {
			return nil, mapErr(err, "store: stats counts")
		}
		out[code] = c
	}
	return out, mapErr(rows.Err(), "store: stats counts")
}

func ptrs(fields []*int64) []any {
	out := make([]any, len(fields))
	for i, f := range fields {
		out[i] = f
	}
	return out
}

// StatsCountsByMonth sums the selected handlers' counts month by month.
func (tx *Tx) StatsCountsByMonth(ctx context.Context, year int, o stats.Owners) ([12]stats.Counts, error) {
	var out [12]stats.Counts
	cond, args := ownersWhere(year, o)
	rows, err := tx.query(ctx, "SELECT month, "+sumCols+" FROM stats_activity"+cond+" GROUP BY month", args...)
	if err != nil {
		return out, mapErr(err, "store: stats months")
	}
	defer rows.Close()
	for rows.Next() {
		var m int
		var c stats.Counts
		if err := rows.Scan(append([]any{&m}, ptrs(c.Fields())...)...); err != nil {
			return out, mapErr(err, "store: stats months")
		}
		if m >= 1 && m <= 12 {
			out[m-1] = c
		}
	}
	return out, mapErr(rows.Err(), "store: stats months")
}

// StatsBreakdown sums the selected handlers' yearly volumes.
func (tx *Tx) StatsBreakdown(ctx context.Context, year int, o stats.Owners) (map[string]map[string]int64, error) {
	cond, args := ownersWhere(year, o)
	rows, err := tx.query(ctx, "SELECT dim, item, SUM(n) FROM stats_breakdown"+cond+" GROUP BY dim, item", args...)
	if err != nil {
		return nil, mapErr(err, "store: stats breakdown")
	}
	defer rows.Close()
	out := map[string]map[string]int64{}
	for rows.Next() {
		var dim, item string
		var n int64
		if err := rows.Scan(&dim, &item, &n); err != nil {
			return nil, mapErr(err, "store: stats breakdown")
		}
		if out[dim] == nil {
			out[dim] = map[string]int64{}
		}
		out[dim][item] = n
	}
	return out, mapErr(rows.Err(), "store: stats breakdown")
}

// StatsReachByScope returns the SMEs served in a year by every scope of a
// type.
func (tx *Tx) StatsReachByScope(ctx context.Context, year int, scopeType string) (map[string]int64, error) {
	rows, err := tx.query(ctx, `SELECT scope_code, SUM(smes_new) FROM stats_reach WHERE year = ? AND scope_type = ?
		GROUP BY scope_code`, year, scopeType)
	if err != nil {
		return nil, mapErr(err, "store: stats reach")
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var code string
		var n int64
		if err := rows.Scan(&code, &n); err != nil {
			return nil, mapErr(err, "store: stats reach")
		}
		out[code] = n
	}
	return out, mapErr(rows.Err(), "store: stats reach")
}

// StatsReachByMonth returns the SMEs a scope first served in each month.
func (tx *Tx) StatsReachByMonth(ctx context.Context, year int, s stats.Scope) ([12]int64, error) {
	var out [12]int64
	rows, err := tx.query(ctx, `SELECT month, smes_new FROM stats_reach WHERE scope_type = ? AND scope_code = ? AND year = ?`,
		s.Type, s.Code, year)
	if err != nil {
		return out, mapErr(err, "store: stats reach")
	}
	defer rows.Close()
	for rows.Next() {
		var m int
		var n int64
		if err := rows.Scan(&m, &n); err != nil {
			return out, mapErr(err, "store: stats reach")
		}
		if m >= 1 && m <= 12 {
			out[m-1] = n
		}
	}
	return out, mapErr(rows.Err(), "store: stats reach")
}

// ---- targets, demonstration platforms, key streets ----

// StatsTargets lists the network targets of every year set.
func (tx *Tx) StatsTargets(ctx context.Context) ([]stats.Targets, error) {
	rows, err := tx.query(ctx, `SELECT year, demonstration_platforms, key_street_coverage, updated_at, updated_by
		FROM stats_network_targets ORDER BY year`)
	if err != nil {
		return nil, mapErr(err, "store: network targets")
	}
	return collect(rows, func(s interface{ Scan(...any) error }) (stats.Targets, error) {
		var t stats.Targets
		var demo sql.NullInt64
		var cov sql.NullFloat64
		var at time.Time
		err := s.Scan(&t.Year, &demo, &cov, &at, &t.UpdatedBy)
		if demo.Valid {
			n := int(demo.Int64)
			t.DemonstrationPlatforms = &n
		}
		if cov.Valid {
			t.KeyStreetCoverage = &cov.Float64
		}
		t.UpdatedAt = &at
		return t, err
	}, "network targets")
}

// SaveStatsTargets stores a year's targets.
func (tx *Tx) SaveStatsTargets(ctx context.Context, t stats.Targets) error {
	var demo, cov any
	if t.DemonstrationPlatforms != nil {
		demo = *t.DemonstrationPlatforms
	}
	if t.KeyStreetCoverage != nil {
		cov = *t.KeyStreetCoverage
	}
	_, err := tx.exec(ctx, `INSERT INTO stats_network_targets (year, demonstration_platforms, key_street_coverage, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (year) DO UPDATE SET demonstration_platforms = excluded.demonstration_platforms,
		key_street_coverage = excluded.key_street_coverage, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		t.Year, demo, cov, timePtr(t.UpdatedAt), t.UpdatedBy)
	return mapErr(err, "store: save network targets")
}

// Demonstrations lists the demonstration platforms, by code.
func (tx *Tx) Demonstrations(ctx context.Context) ([]stats.Demonstration, error) {
	rows, err := tx.query(ctx, `SELECT d.platform_code, p.name, d.certified_on, d.revoked_on, d.note, d.updated_at, d.updated_by
		FROM demonstration_platforms d JOIN platforms p ON p.code = d.platform_code ORDER BY d.platform_code`)
	if err != nil {
		return nil, mapErr(err, "store: demonstration platforms")
	}
	return collect(rows, func(s interface{ Scan(...any) error }) (stats.Demonstration, error) {
		var d stats.Demonstration
		return d, s.Scan(&d.PlatformCode, &d.Name, &d.CertifiedOn, &d.RevokedOn, &d.Note, &d.UpdatedAt, &d.UpdatedBy)
	}, "demonstration platforms")
}

// SaveDemonstration stores a platform's demonstration status.
func (tx *Tx) SaveDemonstration(ctx context.Context, d stats.Demonstration) error {
	_, err := tx.exec(ctx, `INSERT INTO demonstration_platforms (platform_code, certified_on, revoked_on, note, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform_code) DO UPDATE SET certified_on = excluded.certified_on,
		revoked_on = excluded.revoked_on, note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		d.PlatformCode, d.CertifiedOn, d.RevokedOn, d.Note, d.UpdatedAt, d.UpdatedBy)
	return mapErr(err, "store: save demonstration platform")
}

// KeyStreets lists the key streets with their street platform, by code.
func (tx *Tx) KeyStreets(ctx context.Context) ([]stats.KeyStreet, error) {
	rows, err := tx.query(ctx, `SELECT r.code, r.name, COALESCE(p.code, ''), COALESCE(p.established_on, ''), p.created_at
		FROM regions r LEFT JOIN platforms p ON p.region_code = r.code AND p.tier = 'street'
		WHERE r.level = 'street' AND r.key_street = ? ORDER BY r.code`, true)
	if err != nil {
		return nil, mapErr(err, "store: key streets")
	}
	return collect(rows, func(s interface{ Scan(...any) error }) (stats.KeyStreet, error) {
		var k stats.KeyStreet
		var est string
		var created nullTime
		err := s.Scan(&k.Code, &k.Name, &k.PlatformCode, &est, &created)
		if k.PlatformCode != "" && created.Valid {
			k.PlatformSince = record.PlatformRef{EstablishedOn: est, CreatedAt: created.Time}.Since()
		}
		return k, err
	}, "key streets")
}
