package demo

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/demo/synth"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/stats"
	"github.com/qifu/qifu/internal/store"
)

// Scale sizes the data of a city at scale (`qifu demo --scale city`).
type Scale struct {
	// Enterprises in the registry in all, the demo's own 3,001 included.
	Enterprises int
	// Tickets over the years.
	Tickets int
	// Records are the live service records in all: those the closed
	// tickets wrote and those the platforms recorded (a few corrected
	// ones besides, kept cancelled).
	Records int
	// Years back from now the tickets and records span.
	Years int
}

// CityScale is the city of ten million people ../shared/DESIGN.md designs
// for: 1,000,000 enterprises, 5,000,000 tickets and 20,000,000 service
// records over five years.
var CityScale = Scale{Enterprises: 1_000_000, Tickets: 5_000_000, Records: 20_000_000, Years: 5}

// Times is the scale with its counts multiplied by f (at least the demo's
// own enterprises; the years stay).
func (s Scale) Times(f float64) Scale {
	n := func(x int) int { return int(math.Round(float64(x) * f)) }
	return Scale{Enterprises: max(n(s.Enterprises), Enterprises+1), Tickets: n(s.Tickets), Records: n(s.Records), Years: s.Years}
}

// Validate checks the counts are ones the generator can make.
func (s Scale) Validate() error {
	switch {
	case s.Years < 1 || s.Years > 20:
		return fmt.Errorf("demo scale: years must be 1 to 20, got %d", s.Years)
	case s.Enterprises < Enterprises+1 || s.Enterprises > 100_000_000:
		return fmt.Errorf("demo scale: enterprises must be %d (the demo's own) to 100,000,000, got %d", Enterprises+1, s.Enterprises)
	case s.Tickets < 100 || s.Tickets > 1_000_000_000:
		return fmt.Errorf("demo scale: tickets must be 100 to 1,000,000,000, got %d", s.Tickets)
	case s.Records < 0 || s.Records > 4_000_000_000:
		return fmt.Errorf("demo scale: records must be 0 to 4,000,000,000, got %d", s.Records)
	}
	return nil
}

// ScaleReport says what a scale load wrote and how long each step took.
type ScaleReport struct {
	Enterprises, Tickets, OpenTickets, Events, Records, Cancelled int64
	Steps                                                         []Step
	Rebuild                                                       stats.RebuildReport
}

// Step is one timed step of a scale load.
type Step struct {
	Name     string
	Rows     int64
	Duration time.Duration
}

// The seeds of the scale data: the registry's generator gets a series of
// its own (credit codes distinct from the demo's, seed 2026, and the load
// tool's, seed 7).
const (
	scaleEnterpriseSeed = 2028
	scaleTicketSeed     = 42
	scaleRecordSeed     = 31
	// callerSkew and servedSkew concentrate the service on the enterprises
	// that use it: a few call and are served often, many rarely or never.
	callerSkew = 3
	servedSkew = 5
	// ticketsPerBatch tickets, with their history and records and the
	// services recorded meanwhile, go in one transaction.
	ticketsPerBatch = 20_000
)

// LoadScale loads the demo network, its logins and targets, then the data
// of a city at scale into an empty database: enterprises through the
// registry's batch upsert, tickets with their history, the records the
// closed ones wrote and the services the platforms recorded in bulk
// (store.BulkTx, indexes built at the end), and finally every statistics
// rollup recounted (stats.Service.Rebuild). Progress — rows done, rate,
// time left — goes to progress; the logins and a summary to out. It refuses
// a database that has tickets or service records already.
func LoadScale(ctx context.Context, a *app.App, out, progress io.Writer, sc Scale) (ScaleReport, error) {
	var rep ScaleReport
	if err := sc.Validate(); err != nil {
		return rep, err
	}
	var tickets, records int64
	err := a.DB.Raw(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets").Scan(&tickets); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM service_records").Scan(&records)
	})
	if err != nil {
		return rep, fmt.Errorf("demo scale: %w", err)
	}
	if tickets > 0 || records > 0 {
		return rep, fmt.Errorf("demo scale: %s has %d tickets and %d service records already: the scale data goes into an empty database",
			a.DB.Target(), tickets, records)
	}
	start := time.Now()
	step := func(name string, rows int64, since time.Time) {
		rep.Steps = append(rep.Steps, Step{name, rows, time.Since(since)})
		fmt.Fprintf(progress, "%-34s %12s rows  %8.1f s\n", name, thousands(rows), time.Since(since).Seconds())
	}

	t0 := time.Now()
	sys := access.SystemActor("demo")
	if err := LoadWith(ctx, a, io.Discard, Options{NetworkTargets: true}); err != nil {
		return rep, err
	}
	step("demo network", Enterprises+1, t0)

	t0 = time.Now()
	callers, err := scaleEnterprises(ctx, a, sys, sc.Enterprises, progress)
	if err != nil {
		return rep, err
	}
	rep.Enterprises = int64(len(callers))
	step("enterprises", int64(len(callers)-Enterprises-1), t0)

	t0 = time.Now()
	if err := scaleActivity(ctx, a, sc, callers, progress, &rep); err != nil {
		return rep, err
	}
	step("tickets, events and records", rep.Tickets+rep.Events+rep.Records+rep.Cancelled, t0)

	t0 = time.Now()
	fmt.Fprintf(progress, "recounting the statistics from %s records and %s tickets…\n", thousands(rep.Records+rep.Cancelled), thousands(rep.Tickets))
	if rep.Rebuild, err = a.Stats.Rebuild(ctx, sys); err != nil {
		return rep, fmt.Errorf("demo scale: rebuild statistics: %w", err)
	}
	if err := a.DB.AfterBulk(ctx, "stats_activity", "stats_breakdown", "stats_members", "stats_reach"); err != nil {
		return rep, err
	}
	step("statistics rebuilt", rep.Rebuild.Members, t0)
	if _, err := a.Audit.Seal(ctx); err != nil {
		return rep, err
	}

	fmt.Fprintf(out, "City-scale demo loaded into %s in %s: %s enterprises, %s tickets (%s open) with %s events, %s live service records (%s more cancelled by corrections) over %d years.\n",
		a.DB.Target(), time.Since(start).Round(time.Second), thousands(rep.Enterprises), thousands(rep.Tickets),
		thousands(rep.OpenTickets), thousands(rep.Events), thousands(rep.Records), thousands(rep.Cancelled), sc.Years)
	return rep, printLogins(out)
}

// scaleEnterprises registers enterprises up to n in all (the demo's first)
// and returns them all as callers, the demo's first: they are the most
// active.
func scaleEnterprises(ctx context.Context, a *app.App, sys access.Actor, n int, progress io.Writer) ([]synth.Caller, error) {
	callers := make([]synth.Caller, 0, n)
	add := func(e enterprise.Enterprise) {
		callers = append(callers, synth.Caller{USCC: e.USCC, Name: e.Name, RegionCode: e.RegionCode,
			ContactName: e.ContactName, ContactPhone: e.ContactPhone})
	}
	add(enterprise.Enterprise{USCC: DemoEnterprise, Name: DemoEnterpriseName, RegionCode: StreetCode("370202", 0),
		ContactName: "周明", ContactPhone: "13806390000"})
	g := NewGenerator(2026)
	for i := 0; i < Enterprises; i++ {
		e := g.Next()
		e.Normalize()
		add(e)
	}
	extra := n - len(callers)
	p := newProgress(progress, "enterprises", int64(extra))
	g = NewGenerator(scaleEnterpriseSeed)
	const per = 5000
	batch := make([]enterprise.Enterprise, 0, per)
	for done := 0; done < extra; done += len(batch) {
		batch = batch[:0]
		for len(batch) < min(per, extra-done) {
			e := g.Next()
			e.Normalize()
			if err := e.Validate(); err != nil {
				return nil, fmt.Errorf("demo scale: generated enterprise %s: %w", e.USCC, err)
			}
			batch = append(batch, e)
		}
		if _, err := a.Enterprise.UpsertBatch(ctx, sys, "demo-scale", batch); err != nil {
			return nil, fmt.Errorf("demo scale: enterprises: %w", err)
		}
		for _, e := range batch {
			add(e)
		}
		p.add(int64(len(batch)))
	}
	p.done()
	return callers, a.DB.AfterBulk(ctx, "enterprises")
}

// scaleActivity writes the tickets, their history and records, and the
// services the platforms recorded, time slice by time slice: a generator
// makes the next batch while the last one is written.
func scaleActivity(ctx context.Context, a *app.App, sc Scale, callers []synth.Caller, progress io.Writer, rep *ScaleReport) error {
	ids, err := synth.NextIDs(ctx, a.DB)
	if err != nil {
		return err
	}
	now := a.Config.Clock.Now().UTC().Truncate(time.Microsecond)
	gen, err := synth.NewTickets(ctx, a.DB, ids, synth.TicketOptions{Seed: scaleTicketSeed, Now: now, Years: sc.Years,
		Callers: callers, Skew: callerSkew, History: true})
	if err != nil {
		return err
	}
	served, err := newServices(ctx, a.DB, callers, ids, now)
	if err != nil {
		return err
	}
	deferred := []string{"tickets", "service_records"}
	if a.DB.Dialect() == store.Postgres {
		// Foreign keys too: checked once each at the end, not row by row.
		deferred = []string{"tickets", "ticket_events", "ticket_parties", "service_records"}
	}
	restore, err := a.DB.DeferIndexes(ctx, deferred...)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *synth.Batch, 2)
	go func() {
		defer close(batches)
		var records int64
		for i := 0; i < sc.Tickets; i += ticketsPerBatch {
			j := min(i+ticketsPerBatch, sc.Tickets)
			b := &synth.Batch{}
			gen.Make(b, i, j, sc.Tickets)
			records += int64(len(b.Records))
			// The services recorded over the same weeks, so that the
			// records keep pace with the tickets and add up to the total.
			want := int64(math.Round(float64(sc.Records) * float64(j) / float64(sc.Tickets)))
			if k := want - records; k > 0 {
				records += served.make(b, b.First, b.Last, int(k))
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	p := newProgress(progress, "tickets", int64(sc.Tickets))
	var rows int64
	for b := range batches {
		if err := a.DB.Bulk(ctx, b.Write); err != nil {
			return fmt.Errorf("demo scale: %w", err)
		}
		rep.Tickets += int64(len(b.Tickets))
		rep.OpenTickets += int64(b.Open)
		rep.Events += int64(len(b.Events))
		for _, r := range b.Records {
			if r[14] == nil { // cancelled_at
				rep.Records++
			} else {
				rep.Cancelled++
			}
		}
		rows += int64(b.Rows())
		p.addRows(int64(len(b.Tickets)), rows, fmt.Sprintf("%s records", thousands(rep.Records+rep.Cancelled)))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p.done()

	t0 := time.Now()
	fmt.Fprintf(progress, "building the indexes and checking the references…\n")
	if err := restore(ctx); err != nil {
		return fmt.Errorf("demo scale: %w", err)
	}
	fmt.Fprintf(progress, "  %.1f s\n", time.Since(t0).Seconds())
	t0 = time.Now()
	if err := a.DB.AfterBulk(ctx, "tickets", "ticket_events", "ticket_parties", "service_records"); err != nil {
		return err
	}
	if a.DB.Dialect() == store.Postgres {
		fmt.Fprintf(progress, "VACUUM ANALYZE: %.1f s\n", time.Since(t0).Seconds())
	}
	return nil
}

// servicePlatform is a platform recording services: its share of them,
// its service areas (nil: the comprehensive mix), the enterprises it
// serves (indexes into the callers, the most active first) and the first
// day it served.
type servicePlatform struct {
	code   string
	weight int
	areas  []string
	serves []int32
	since  string
}

// serviceGen makes the services platforms record by hand or import from
// their ledgers: on working days, mostly for the enterprises near them,
// some corrected (the wrong service area cancelled and replaced).
type serviceGen struct {
	rng     *rand.Rand
	plats   []servicePlatform
	total   int
	callers []synth.Caller
	ids     *synth.IDs
	now     time.Time
	today   string
}

func newServices(ctx context.Context, db *store.DB, callers []synth.Caller, ids *synth.IDs, now time.Time) (*serviceGen, error) {
	s := &serviceGen{rng: rand.New(rand.NewPCG(scaleRecordSeed, 37)), callers: callers, ids: ids, now: now, today: record.Today(now)}
	since := map[string]string{}
	err := db.Read(ctx, func(tx *store.Tx) error {
		refs, err := tx.StatsPlatformRefs(ctx)
		for _, p := range refs {
			since[p.Code] = p.Since
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("demo scale: platforms: %w", err)
	}
	within := map[string][]int32{} // by district and street code
	everyone := make([]int32, len(callers))
	for i, c := range callers {
		everyone[i] = int32(i)
		within[c.RegionCode[:6]] = append(within[c.RegionCode[:6]], int32(i))
		within[c.RegionCode] = append(within[c.RegionCode], int32(i))
	}
	add := func(code string, weight int, areas []string, serves []int32) {
		if len(serves) > 0 && since[code] != "" {
			s.plats = append(s.plats, servicePlatform{code: code, weight: weight, areas: areas, serves: serves, since: since[code]})
			s.total += weight
		}
	}
	add(PlatformCode(city.Code), 360, nil, everyone)
	for di, d := range districts {
		add(PlatformCode(d.code), 80+10*(di%4), nil, within[d.code])
		for i := range d.streets[:3] {
			// Mostly the enterprises of their own street, some from
			// elsewhere in the district, in the order of activity.
			own := within[StreetCode(d.code, i)]
			add(PlatformCode(StreetCode(d.code, i)), 20+25*((di+2*i)%5), nil, mergeByActivity(own, own, within[d.code]))
		}
	}
	for _, sp := range specialisedPlatforms {
		serves := everyone
		if sp.region != city.Code {
			serves = within[sp.region[:6]]
		}
		add(sp.code, 90, specialisedAreas[sp.code], serves)
	}
	if len(s.plats) == 0 {
		return nil, fmt.Errorf("demo scale: no platform to record services")
	}
	return s, nil
}

// mergeByActivity merges lists of caller indexes (each ascending: the most
// active first) into one, keeping that order; an index in several lists
// appears as often.
func mergeByActivity(lists ...[]int32) []int32 {
	var out []int32
	pos := make([]int, len(lists))
	for {
		best := -1
		for i, l := range lists {
			if pos[i] < len(l) && (best < 0 || l[pos[i]] < lists[best][pos[best]]) {
				best = i
			}
		}
		if best < 0 {
			return out
		}
		out = append(out, lists[best][pos[best]])
		pos[best]++
	}
}

// make appends n live services dated between from and to (on working
// days, none after today) to b, and returns how many live records it
// added (n).
func (s *serviceGen) make(b *synth.Batch, from, to time.Time, n int) int64 {
	r := s.rng
	span := max(to.Sub(from), time.Hour)
	for k := 0; k < n; k++ {
		day := from.Add(time.Duration(r.Int64N(int64(span)))).In(cst)
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, -1)
		}
		date := day.Format(time.DateOnly)
		if date > s.today {
			date = s.today
		}
		p := s.platformOn(date)
		area := s.area(p)
		sv := services[area][r.IntN(len(services[area]))]
		e := s.callers[p.serves[synth.Skewed(r, len(p.serves), servedSkew)]]
		// Entered that afternoon, or the next morning.
		at, _ := time.ParseInLocation(time.DateOnly, date, cst)
		at = at.Add(time.Duration(16*3600+r.IntN(18*3600)) * time.Second)
		if at.After(s.now) {
			at = s.now
		}
		at = at.UTC().Truncate(time.Microsecond)
		source := record.SourceImport
		if r.IntN(5) == 0 {
			source = record.SourceManual
		}
		who := "demo." + p.code
		id := s.ids.Record
		s.ids.Record++
		row := []any{id, p.code, nil, e.USCC, sv.kind, area, date, sv.note, source, nil, nil, nil, who, at, nil, "", ""}
		if r.IntN(400) == 0 && p.areas == nil {
			// Entered under the wrong service area, corrected some days
			// later: the old record cancelled and kept, the new one live.
			fixed := s.area(p)
			for fixed == area {
				fixed = s.area(p)
			}
			cancelled := at.Add(time.Duration(1+r.IntN(10)) * 24 * time.Hour)
			if cancelled.After(s.now) {
				cancelled = s.now
			}
			nid := s.ids.Record
			s.ids.Record++
			row[11], row[14], row[15], row[16] = nid, cancelled, who, "功能服务区填错"
			fsv := services[fixed][r.IntN(len(services[fixed]))]
			b.Records = append(b.Records, row,
				[]any{nid, p.code, nil, e.USCC, fsv.kind, fixed, date, fsv.note, record.SourceCorrection, nil, id, nil, who, cancelled,
					nil, "", ""})
			continue
		}
		b.Records = append(b.Records, row)
	}
	return int64(n)
}

// platformOn draws a platform by its share among those serving on date.
func (s *serviceGen) platformOn(date string) servicePlatform {
	for {
		n := s.rng.IntN(s.total)
		for _, p := range s.plats {
			if n -= p.weight; n < 0 {
				if p.since <= date || p.code == PlatformCode(city.Code) {
					return p
				}
				break
			}
		}
	}
}

// area draws a service area the platform works in.
func (s *serviceGen) area(p servicePlatform) string {
	if p.areas != nil {
		return p.areas[s.rng.IntN(len(p.areas))]
	}
	n := s.rng.IntN(100)
	for _, w := range areaWeights {
		if n -= w.weight; n < 0 {
			return w.area
		}
	}
	return areaWeights[0].area
}

// progress reports rows done, the rate and the time left on a writer, every
// few seconds.
type progress struct {
	w     io.Writer
	what  string
	total int64
	n     int64
	start time.Time
	last  time.Time
	shown int64 // n when last printed
}

func newProgress(w io.Writer, what string, total int64) *progress {
	now := time.Now()
	return &progress{w: w, what: what, total: total, start: now, last: now}
}

func (p *progress) add(n int64) { p.addRows(n, 0, "") }

// addRows counts n more of the total; rows, when not 0, is every row
// written so far (the rate is of those), extra is said besides.
func (p *progress) addRows(n, rows int64, extra string) {
	p.n += n
	if time.Since(p.last) < 3*time.Second {
		return
	}
	p.last = time.Now()
	p.print(rows, extra)
}

func (p *progress) print(rows int64, extra string) {
	p.shown = p.n
	el := time.Since(p.start).Seconds()
	rate := float64(p.n) / max(el, 1e-3)
	line := fmt.Sprintf("  %s %s / %s (%.0f%%), %s/s", p.what, thousands(p.n), thousands(p.total),
		100*float64(p.n)/float64(max(p.total, 1)), thousands(int64(rate)))
	if rows > 0 {
		line += fmt.Sprintf(" (%s rows/s in all)", thousands(int64(float64(rows)/max(el, 1e-3))))
	}
	if extra != "" {
		line += ", " + extra
	}
	if p.n < p.total && rate > 0 {
		line += ", about " + (time.Duration(float64(p.total-p.n)/rate) * time.Second).Round(time.Second).String() + " left"
	}
	fmt.Fprintln(p.w, line)
}

func (p *progress) done() {
	if p.total > 0 && p.shown != p.n {
		p.print(0, "")
	}
}

// thousands writes n with thousands separators.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
