package main

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/ticket"
)

// synthCols are the columns of the tickets table the generator fills, in
// the order of synth.row.
var synthCols = []string{"id", "channel", "category", "urgency", "enterprise_uscc", "enterprise_name", "title", "content",
	"region_code", "contact_name", "contact_phone", "status", "open", "assignee_type", "assignee_code", "assignee_path",
	"dispatcher", "sign_due_at", "due_at", "due_provisional", "dispatched_at", "signed_at", "replied_at", "closed_at",
	"extended_days", "reply", "satisfied", "score", "rated_by", "reopen_count", "public", "overdue", "sign_overdue",
	"supervised", "urged", "warned", "duplicate_of", "merged_into", "created_by", "created_at", "updated_at", "version"}

// synthRequests are what enterprises ask, by category.
var synthRequests = map[string][][2]string{
	"consult": {
		{"咨询小微企业所得税优惠", "企业财务咨询小型微利企业所得税优惠的适用条件和申报方式。"},
		{"咨询创新券申领流程", "企业计划购买检测服务，想了解科技创新券的申领条件和兑付流程。"},
		{"咨询社保费缓缴政策", "企业经营困难，咨询阶段性缓缴社会保险费的条件和办理渠道。"},
		{"咨询首台套保险补偿", "企业研制的新装备首次销售，咨询首台（套）保险补偿政策。"},
	},
	"help": {
		{"申请协调办理施工许可", "企业扩建厂房的施工许可材料已齐，窗口迟迟未受理，请求协调。"},
		{"请求对接技术改造贷款", "企业技改项目需要贷款五百万元，请求对接合作银行。"},
		{"请求协调园区道路维修", "园区主干道破损严重，货车通行困难，请求协调维修。"},
		{"请求帮助办理出口资质", "企业首次出口，需要办理对外贸易经营者备案，请求指导。"},
	},
	"complaint": {
		{"投诉供水压力不足", "园区供水压力长期不足，影响生产，多次反映未解决。"},
		{"投诉审批材料反复补正", "同一事项被要求三次补正材料，每次要求不同。"},
		{"投诉停车收费不合理", "园区停车场对企业货车按小时收费，标准不透明。"},
	},
	"suggestion": {
		{"建议开设政策直通车", "建议把惠企政策按行业整理推送，企业不用到处找。"},
		{"建议简化融资担保手续", "建议对信用良好的小微企业简化担保反担保手续。"},
	},
	"rights_infringement": {
		{"政府项目工程款拖欠", "企业承建的政府项目完工验收两年，尾款一百二十万元仍未支付。"},
		{"被要求重复提供证明材料", "多个部门要求企业重复提交同一份证明，影响正常经营。"},
		{"保证金逾期不退", "项目已完工一年，履约保证金仍未退还，多次催要无果。"},
	},
}

var synthReplies = []string{
	"已联系企业核实情况，相关部门已办理完毕，结果已电话告知联系人。",
	"已按政策规定向企业答复，并提供了申报指引和联系人方式。",
	"经协调，相关单位已作出处理，企业表示认可。",
}

// synth makes realistic tickets over the years before now: most closed,
// the recent ones anywhere in the workflow, a few old ones stuck and late;
// routed the way intake routes them, some transferred up a tier or to
// another department; flags set as the supervision sweep leaves them, so
// that a server started on the data has no backlog of sweeping to do.
type synth struct {
	rng      *rand.Rand
	now      time.Time
	years    int
	ents     []enterprise.Enterprise
	routes   map[[2]string]ticket.Routed // by category and region
	district map[string]ticket.Routed    // the district platform above a region
	city     ticket.Routed
	depts    []string
	limits   map[[2]string]ticket.Limit
	nextID   int64
	firstID  int64
	open     int
}

var cst = time.FixedZone("CST", 8*3600)

func newSynth(ctx context.Context, db *store.DB, seed uint64, now time.Time, years int) (*synth, error) {
	s := &synth{rng: rand.New(rand.NewPCG(seed, 99)), now: now, years: years, ents: callers,
		routes: map[[2]string]ticket.Routed{}, district: map[string]ticket.Routed{}, limits: map[[2]string]ticket.Limit{}}
	for _, l := range ticket.DefaultLimits() {
		s.limits[[2]string{l.Category, l.Urgency}] = l
	}
	regions := map[string]bool{}
	for _, e := range s.ents {
		regions[e.RegionCode] = true
	}
	err := db.Read(ctx, func(tx *store.Tx) error {
		for region := range regions {
			for _, cat := range ticket.Categories {
				r, err := ticket.Route(ctx, tx, cat, region)
				if err != nil {
					return fmt.Errorf("route %s %s: %w", cat, region, err)
				}
				s.routes[[2]string{cat, region}] = r
			}
			chain, err := tx.RouteRegions(ctx, region)
			if err != nil {
				return err
			}
			for _, p := range chain {
				if p.Level != "district" {
					continue
				}
				code, path, err := tx.RoutePlatform(ctx, p.Code, "district")
				if err != nil {
					return err
				}
				s.district[region] = ticket.Routed{Assignee: ticket.Assignee{Type: ticket.ToPlatform, Code: code}, Path: path}
			}
		}
		code, err := tx.RouteCity(ctx)
		if err != nil {
			return err
		}
		path, err := tx.RoutePlatformPath(ctx, code)
		s.city = ticket.Routed{Assignee: ticket.Assignee{Type: ticket.ToPlatform, Code: code}, Path: path}
		if err != nil {
			return err
		}
		s.depts, err = tx.RouteDepartments(ctx, "rights_infringement")
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(s.depts) == 0 {
		return nil, fmt.Errorf("no department handles rights_infringement: load the demo network first")
	}
	err = db.Raw(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM tickets").Scan(&s.nextID)
	})
	s.firstID = s.nextID
	return s, err
}

func pickWeighted[T any](r *rand.Rand, items []T, weights []int) T {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n -= w; n < 0 {
			return items[i]
		}
	}
	return items[len(items)-1]
}

// createdAt is the i-th of n creation times, oldest first: spread over the
// years with the service growing (twice as many tickets now as at the
// start), in office hours mostly.
func (s *synth) createdAt(i, n int) time.Time {
	u := (float64(i) + s.rng.Float64()) / float64(n)
	x := -1 + math.Sqrt(1+3*u) // density ∝ 1 + x on [0, 1]
	span := time.Duration(s.years) * 365 * 24 * time.Hour
	at := s.now.Add(-span + time.Duration(x*float64(span)))
	if h := at.In(cst).Hour(); h < 8 || h > 19 {
		if s.rng.IntN(10) != 0 { // a few come in at night (the website)
			at = at.Add(time.Duration(12) * time.Hour)
		}
	}
	if at.After(s.now) {
		at = s.now.Add(-time.Duration(s.rng.IntN(3600)) * time.Second)
	}
	return at.Truncate(time.Microsecond)
}

func (s *synth) hours(lo, hi int) time.Duration {
	return time.Duration(lo*3600+s.rng.IntN((hi-lo)*3600+1)) * time.Second
}

// row makes the ticket created at `at` as the values of synthCols.
func (s *synth) row(at time.Time) []any {
	r := s.rng
	id := s.nextID
	s.nextID++
	cat := pickWeighted(r, ticket.Categories, []int{35, 25, 15, 10, 15})
	channel := pickWeighted(r, ticket.Channels, []int{55, 30, 10, 5})
	urgency := pickWeighted(r, ticket.Urgencies, []int{88, 10, 2})
	req := synthRequests[cat][r.IntN(len(synthRequests[cat]))]
	e := s.ents[r.IntN(len(s.ents))]
	uscc, name := e.USCC, e.Name
	if r.IntN(20) == 0 { // a caller whose enterprise is not registered yet
		uscc, name = "", ""
	}
	route := s.routes[[2]string{cat, e.RegionCode}]
	switch n := r.IntN(100); {
	case route.Assignee.Type == ticket.ToDepartment && n < 40:
		// Transferred to another department that owns the matter.
		route = ticket.Routed{Assignee: ticket.Assignee{Type: ticket.ToDepartment, Code: s.depts[r.IntN(len(s.depts))]}}
	case route.Assignee.Type == ticket.ToPlatform && n < 3:
		route = s.district[e.RegionCode] // returned, sent up a tier
	case route.Assignee.Type == ticket.ToPlatform && n < 4:
		route = s.city
	}
	dispatcher := ""
	if route.Path != "" {
		dispatcher, _, _ = strings.Cut(strings.TrimPrefix(route.Path, "/"), "/")
	}
	createdBy := map[string]string{"hotline": "hotline", "web": "enterprise", "walk_in": "street", "api": "hotline"}[channel]

	l := s.limits[[2]string{cat, urgency}]
	cal := ticket.Weekdays{}
	signDue := at.Add(time.Duration(l.SignHours) * time.Hour)
	if l.SignHours == 0 {
		signDue, _, _ = cal.AddWorkingDays(at, l.SignDays)
	}
	due := at.Add(time.Duration(l.HandleHours) * time.Hour)
	if l.HandleHours == 0 {
		due, _, _ = cal.AddWorkingDays(at, l.HandleDays)
	}
	extended := 0
	if r.IntN(10) == 0 {
		extended = 3
		due, _, _ = cal.AddWorkingDays(due.Add(-time.Hour), extended)
	}

	age := s.now.Sub(at).Hours() / 24
	var pOpen float64
	switch {
	case age < 1:
		pOpen = 0.97
	case age < 5:
		pOpen = 0.8
	case age < 15:
		pOpen = 0.45
	case age < 45:
		pOpen = 0.15
	default:
		pOpen = 0.005
	}
	var status ticket.Status
	switch {
	case r.Float64() >= pOpen:
		status = ticket.Closed
		if r.IntN(100) == 0 && id > s.firstID+10 {
			status = ticket.Merged
		}
	case age < 1:
		status = pickWeighted(r, []ticket.Status{ticket.Dispatched, ticket.Signed, ticket.Returned}, []int{60, 35, 5})
	default:
		status = pickWeighted(r, []ticket.Status{ticket.Signed, ticket.Replied, ticket.Dispatched, ticket.Returned, ticket.Reopened},
			[]int{62, 18, 8, 3, 9})
	}

	var signed, replied, closed, sat, score, dup, merged any
	reply, ratedBy := "", ""
	reopen, version := 0, 1
	updated := at
	later := func(t time.Time, d time.Duration) time.Time {
		t = t.Add(d)
		if t.After(s.now) {
			t = s.now.Add(-time.Duration(r.IntN(600)) * time.Second)
		}
		if t.After(updated) {
			updated = t
		}
		return t.Truncate(time.Microsecond)
	}
	switch status {
	case ticket.Merged:
		d := id - 1 - int64(r.IntN(int(min(500, id-s.firstID))))
		dup, merged = d, d
		closed = later(at, s.hours(1, 4))
		version = 2
	case ticket.Closed:
		sg := later(at, s.hours(1, 20))
		rp := later(sg, s.hours(24, 120))
		cl := later(rp, s.hours(2, 190))
		signed, replied, closed = sg, rp, cl
		reply = synthReplies[r.IntN(len(synthReplies))]
		switch n := r.IntN(20); {
		case n < 1:
			ratedBy = "not_rated"
		case n < 3:
			sat, ratedBy, reopen = true, "visit", 1
		case n < 9:
			sat, score, ratedBy = true, 3+r.IntN(3), "visit"
		default:
			sat, score, ratedBy = n != 19, 3+r.IntN(3), "enterprise"
		}
		version = 5 + 3*reopen
	case ticket.Signed, ticket.Returned:
		signed = later(at, s.hours(1, 20))
		version = 2
	case ticket.Replied:
		signed = later(at, s.hours(1, 20))
		// Within the rating window: the sweep has nothing to close yet.
		rp := s.now.Add(-s.hours(0, 48)).Truncate(time.Microsecond)
		if rp.Before(signed.(time.Time)) {
			rp = signed.(time.Time)
		}
		replied, updated = rp, rp
		reply = synthReplies[r.IntN(len(synthReplies))]
		version = 3
	case ticket.Reopened:
		signed = later(at, s.hours(1, 20))
		replied = later(signed.(time.Time), s.hours(24, 72))
		sat, ratedBy, reopen = false, "enterprise", 1
		reply = synthReplies[r.IntN(len(synthReplies))]
		version = 4
	}

	running := status.Running()
	overdue := running && due.Before(s.now) || status == ticket.Closed && r.IntN(25) == 0
	signOverdue := (status == ticket.Dispatched || status == ticket.Reopened) && signDue.Before(s.now) ||
		status == ticket.Closed && r.IntN(33) == 0
	warned := running && !due.After(s.now.Add(ticket.DefaultWarnHours*time.Hour)) || overdue
	supervised := overdue && r.IntN(10) < 3
	urged := 0
	if supervised {
		urged = 1 + r.IntN(2)
	}
	if status.Open() {
		s.open++
	}
	updated = updated.Truncate(time.Microsecond)
	return []any{id, channel, cat, urgency, uscc, name, req[0], req[1],
		e.RegionCode, e.ContactName, e.ContactPhone, string(status), status.Open(), string(route.Assignee.Type), route.Assignee.Code, route.Path,
		dispatcher, signDue.UTC(), due.UTC(), false, at, signed, replied, closed,
		extended, reply, sat, score, ratedBy, reopen, r.IntN(3) == 0, overdue, signOverdue,
		supervised, urged, warned, dup, merged, createdBy, at, updated, version}
}

// insertTickets adds n synthetic tickets to the database in big
// transactions. The tickets table's secondary indexes are dropped first and
// built again at the end (faster than maintaining them row by row; the
// indexes end up the same). On PostgreSQL the rows go through COPY and the
// table is vacuumed and analysed at the end, as autovacuum would soon do.
func insertTickets(ctx context.Context, db *store.DB, dsn string, n int, years int, log func(string, ...any)) (open int, err error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	s, err := newSynth(ctx, db, 42, now, years)
	if err != nil {
		return 0, err
	}
	pg := db.Dialect() == store.Postgres
	var names, defs []string
	err = db.Raw(ctx, func(tx *sql.Tx) error {
		q := "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets' AND sql IS NOT NULL"
		if pg {
			q = `SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = 'tickets'
				AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`
		}
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				return err
			}
			names, defs = append(names, name), append(defs, def)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, "DROP INDEX "+name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("drop ticket indexes: %w", err)
	}
	start := time.Now()
	const batch = 100_000
	for done := 0; done < n; done += batch {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		rows := make([][]any, 0, min(batch, n-done))
		for i := done; i < done+cap(rows); i++ {
			rows = append(rows, s.row(s.createdAt(i, n)))
		}
		if pg {
			err = copyTickets(ctx, dsn, rows)
		} else {
			err = db.Raw(ctx, func(tx *sql.Tx) error { return insertRows(ctx, tx, rows) })
		}
		if err != nil {
			return 0, fmt.Errorf("insert tickets: %w", err)
		}
		if (done/batch)%10 == 9 || done+batch >= n {
			log("  %d tickets, %.0f rows/s", done+len(rows), float64(done+len(rows))/time.Since(start).Seconds())
		}
	}
	log("building %d ticket indexes…", len(defs))
	t0 := time.Now()
	err = db.Raw(ctx, func(tx *sql.Tx) error {
		for _, def := range defs {
			if _, err := tx.ExecContext(ctx, def); err != nil {
				return err
			}
		}
		if pg {
			_, err := tx.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT MAX(id) FROM tickets))")
			return err
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("build ticket indexes: %w", err)
	}
	log("  indexes in %.0fs", time.Since(t0).Seconds())
	if pg {
		// What autovacuum does to a table of years of tickets: statistics
		// for the planner, and the visibility map for index-only scans.
		t0 = time.Now()
		if err := vacuumTickets(ctx, dsn); err != nil {
			return 0, fmt.Errorf("vacuum tickets: %w", err)
		}
		log("  VACUUM ANALYZE in %.0fs", time.Since(t0).Seconds())
	}
	return s.open, nil
}

// vacuumTickets runs VACUUM ANALYZE on the tickets (outside a transaction,
// as VACUUM must).
func vacuumTickets(ctx context.Context, dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "VACUUM ANALYZE tickets")
	return err
}

// insertRows inserts rows with a prepared multi-row INSERT.
func insertRows(ctx context.Context, tx *sql.Tx, rows [][]any) error {
	const per = 400 // 400 × 42 parameters, under SQLite's limit
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(synthCols)), ", ") + ")"
	head := "INSERT INTO tickets (" + strings.Join(synthCols, ", ") + ") VALUES "
	full, err := tx.PrepareContext(ctx, head+strings.TrimSuffix(strings.Repeat(one+", ", per), ", "))
	if err != nil {
		return err
	}
	defer full.Close()
	args := make([]any, 0, per*len(synthCols))
	for len(rows) > 0 {
		k := min(per, len(rows))
		args = args[:0]
		for _, r := range rows[:k] {
			args = append(args, r...)
		}
		if k == per {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, head+strings.TrimSuffix(strings.Repeat(one+", ", k), ", "), args...)
		}
		if err != nil {
			return err
		}
		rows = rows[k:]
	}
	return nil
}

// copyTickets sends rows to PostgreSQL with COPY in one transaction.
func copyTickets(ctx context.Context, dsn string, rows [][]any) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		_, err := c.CopyFrom(ctx, pgx.Identifier{"tickets"}, synthCols, pgx.CopyFromRows(rows))
		return err
	})
}

// demoStreetPlatform and demoDistrictPlatform are the platforms of the
// demo's "street" and "district" logins.
var (
	demoStreetPlatform   = demo.PlatformCode(demo.StreetCode("370202", 0))
	demoDistrictPlatform = demo.PlatformCode("370202")
)
