package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/store"
)

// benchStats measures the statistics the dashboards read — the city
// overview and every drill-down of /api/v1/stats — on a real `qifu serve`
// (its own process) over a database holding the city-scale data of
// `qifu demo --scale city`, with concurrent clients, beside two things
// measured in the same run on the same machine:
//
//   - the baseline, GET /api/v1/tickets/{id} of a random ticket with the
//     same token: the same authentication, JSON and connection pool, one
//     row read by primary key (as for the work queue, BENCHMARKS.md);
//   - the direct queries over the raw service records that the rollups
//     replace (COUNT(DISTINCT enterprise_uscc) for the year, large
//     enterprises left out), run one at a time on the same database with
//     the server stopped: what each figure would cost without rollups.
//
// Pages (when the dashboards have them) are measured with --urls: a file of
// lines "NAME USER PATH", USER one of the demo's logins, signed in with a
// session cookie.
func benchStats(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("stats", flag.ExitOnError)
	dbFlag := fs.String("db", "", "the database (sqlite:PATH or postgres://…) holding the scale data (required)")
	scale := fs.String("scale", "", "when the database has no tickets, load `qifu demo --scale` with this value (city, or a fraction) first")
	clients := fs.Int("clients", 8, "concurrent clients")
	duration := fs.Duration("duration", 40*time.Second, "how long each load runs in all")
	rounds := fs.Int("rounds", 4, "the loads take turns this many times")
	yearFlag := fs.Int("year", 0, "the year the figures are asked for (default this year, China Standard Time)")
	qifu := fs.String("qifu", "", "the qifu binary (default: go build it)")
	only := fs.String("only", "", "comma-separated loads to run (baseline,city,districts,platforms,district-platforms,platform-city,platform-district,platform-street,departments,department,network,raw); default all")
	urls := fs.String("urls", "", `a file of pages to load besides, one "NAME USER PATH" a line (USER a demo login)`)
	rawRuns := fs.Int("raw-runs", 5, "how many times each raw query runs (at most, within --raw-budget)")
	rawBudget := fs.Duration("raw-budget", 60*time.Second, "time each raw query may take in all (it runs at least once)")
	profile := fs.String("cpuprofile", "", "profile qifu serve into this file")
	fs.Parse(args)
	*rounds = max(*rounds, 1)
	if *dbFlag == "" {
		return fmt.Errorf("--db is required: a database loaded by `qifu demo --scale city --db …` (or give --scale to load it)")
	}
	if *clients < 1 || *duration <= 0 || *rawRuns < 1 {
		return fmt.Errorf("--clients, --duration and --raw-runs must be positive")
	}
	cst := time.FixedZone("CST", 8*3600)
	year := *yearFlag
	if year == 0 {
		year = time.Now().In(cst).Year()
	}
	want := selection(*only)
	selected := func(name string) bool { return len(want) == 0 || want[name] }
	var pages []pageLoad
	if *urls != "" {
		var err error
		if pages, err = readPages(*urls); err != nil {
			return err
		}
	}

	tmp, err := os.MkdirTemp("", "qifuload-stats-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := qifuBinary(*qifu, tmp)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...) }
	dsn := *dbFlag

	size, err := scaleSize(ctx, dsn)
	if err != nil {
		return err
	}
	if size.tickets == 0 {
		if *scale == "" {
			return fmt.Errorf("%s has no tickets: load `qifu demo --scale city --db %s` first, or give --scale", dsn, dsn)
		}
		logf("loading qifu demo --scale %s into %s…", *scale, dsn)
		cmd := exec.CommandContext(ctx, bin, "demo", "--scale", *scale, "--db", dsn)
		cmd.Stderr, cmd.Stdout = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("qifu demo --scale %s: %w", *scale, err)
		}
		if size, err = scaleSize(ctx, dsn); err != nil {
			return err
		}
	}
	token, err := exec.CommandContext(ctx, bin, "token", "create", "--username", "admin", "--name", "qifuload", "--db", dsn).Output()
	if err != nil {
		return fmt.Errorf("a token for the demo's admin: %w", err)
	}
	admin := strings.TrimSpace(string(token))
	sample, err := sampleTickets(ctx, dsn, demoStreetPlatform, 5000)
	if err != nil {
		return err
	}

	serveArgs := []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--log-level", "error"}
	if *profile != "" {
		serveArgs = append(serveArgs, "--cpuprofile", *profile)
	}
	srv, err := startServer(ctx, bin, serveArgs...)
	if err != nil {
		return fmt.Errorf("qifu serve: %w", err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			srv.stop()
			stopped = true
		}
	}
	defer stop()
	api := func(path string) func(c, i int) *http.Request {
		return func(c, i int) *http.Request {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.url+path, nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			return req
		}
	}
	y := "?year=" + strconv.Itoa(year)
	loads := []struct {
		name, what string
		next       func(c, i int) *http.Request
	}{
		{"baseline", "baseline GET /api/v1/tickets/{id}", func(c, i int) *http.Request {
			rng := rand.New(rand.NewPCG(uint64(c), uint64(i)))
			return api("/api/v1/tickets/"+strconv.FormatInt(sample[rng.IntN(len(sample))], 10))(c, i)
		}},
		{"city", "city overview /stats/city", api("/api/v1/stats/city" + y)},
		{"districts", "districts /stats/districts", api("/api/v1/stats/districts" + y)},
		{"platforms", "all platforms /stats/platforms", api("/api/v1/stats/platforms" + y)},
		{"district-platforms", "platforms of a district ?parent_code=P370202", api("/api/v1/stats/platforms" + y + "&parent_code=" + demoDistrictPlatform)},
		{"platform-city", "city platform and tree /stats/platforms/P370200", api("/api/v1/stats/platforms/" + demo.PlatformCode("370200") + y)},
		{"platform-district", "district platform and tree /platforms/P370202", api("/api/v1/stats/platforms/" + demoDistrictPlatform + y)},
		{"platform-street", "street platform /platforms/P370202001", api("/api/v1/stats/platforms/" + demoStreetPlatform + y)},
		{"departments", "departments /stats/departments", api("/api/v1/stats/departments" + y)},
		{"department", "one department /stats/departments/SCJGJ", api("/api/v1/stats/departments/SCJGJ" + y)},
		{"network", "network targets /stats/network", api("/api/v1/stats/network" + y)},
	}
	cookies := map[string]string{}
	for _, p := range pages {
		if _, ok := cookies[p.user]; !ok {
			if cookies[p.user], err = login(ctx, srv.url, p.user, demo.Password); err != nil {
				return fmt.Errorf("log in as %s: %w", p.user, err)
			}
		}
		cookie, path := cookies[p.user], p.path
		loads = append(loads, struct {
			name, what string
			next       func(c, i int) *http.Request
		}{p.name, "page " + p.path + " (" + p.user + ")", func(c, i int) *http.Request {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.url+path, nil)
			req.Header.Set("Cookie", cookie)
			return req
		}})
		if len(want) > 0 { // with --only, the pages of --urls run too
			want[p.name] = true
		}
	}
	// Warm up: every load for a moment, as a running server would be.
	for _, l := range loads {
		if selected(l.name) {
			if r := hammer(ctx, 2, time.Second, l.next); r.errors > 0 {
				return fmt.Errorf("%s: %s", l.name, r.firstError)
			}
		}
	}
	results := map[string]loadResult{}
	slice := *duration / time.Duration(*rounds)
	for r := 0; r < *rounds; r++ {
		logf("round %d of %d: each load for %s…", r+1, *rounds, slice)
		for _, l := range loads {
			if !selected(l.name) {
				continue
			}
			got := hammer(ctx, *clients, slice, l.next)
			acc := results[l.name]
			acc.lat = append(acc.lat, got.lat...)
			acc.errors += got.errors
			acc.elapsed += got.elapsed
			if acc.firstError == "" {
				acc.firstError = got.firstError
			}
			results[l.name] = acc
		}
	}
	load := loadAverage()
	stop()

	var raws []rawResult
	if selected("raw") {
		logf("the raw queries, one at a time, the server stopped…")
		if raws, err = rawStats(ctx, dsn, year, *rawRuns, *rawBudget, logf); err != nil {
			return err
		}
	}

	fmt.Printf("engine %s, %s enterprises, %s tickets, %s live service records (%s in %d), year %d; %d clients, %s each in %d rounds, %d CPUs%s\n",
		engineName(dsn), commas(size.enterprises), commas(size.tickets), commas(size.records), commas(size.yearRecords(year)), year, year,
		*clients, *duration, *rounds, runtime.NumCPU(), load)
	base, hasBase := results["baseline"]
	p50 := map[string]float64{}
	for _, l := range loads {
		r, ok := results[l.name]
		if !ok {
			continue
		}
		ps := percentiles(r.lat)
		p50[l.name] = ps[0]
		fmt.Printf("%-50s %7.0f req/s  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  errors %d", l.what, r.rate(), ps[0], ps[1], ps[2], r.errors)
		if hasBase && l.name != "baseline" {
			fmt.Printf("  (p95 %.1f× baseline)", ps[1]/percentiles(base.lat)[1])
		}
		fmt.Println()
		if r.errors > 0 {
			fmt.Printf("  first error: %s\n", r.firstError)
		}
	}
	for _, r := range raws {
		fmt.Printf("raw: %-45s %d runs  min %9.1f ms  median %9.1f ms  max %9.1f ms", r.what, len(r.lat), r.ms(0), r.ms(0.5), r.ms(1))
		if p, ok := p50[r.rollup]; ok && p > 0 {
			fmt.Printf("  (%.0f× the p50 of %s)", r.ms(0.5)/p, r.rollup)
		}
		fmt.Printf("  → %s\n", r.answer)
	}
	return nil
}

type pageLoad struct{ name, user, path string }

// readPages reads "NAME USER PATH" lines (# starts a comment).
func readPages(path string) ([]pageLoad, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []pageLoad
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || !strings.HasPrefix(f[2], "/") {
			return nil, fmt.Errorf("%s:%d: want NAME USER /PATH, got %q", path, n, line)
		}
		out = append(out, pageLoad{f[0], f[1], f[2]})
	}
	return out, sc.Err()
}

// scaleCounts are the database's sizes, for the record.
type scaleCounts struct {
	enterprises, tickets, records int64
	byYear                        map[int]int64
}

func (s scaleCounts) yearRecords(y int) int64 { return s.byYear[y] }

func scaleSize(ctx context.Context, dsn string) (scaleCounts, error) {
	s := scaleCounts{byYear: map[int]int64{}}
	d, path, err := store.ResolveDSN(dsn, "")
	if err != nil {
		return s, err
	}
	db, err := store.Open(ctx, d, path)
	if err != nil {
		return s, err
	}
	defer db.Close()
	err = db.Raw(ctx, func(tx *sql.Tx) error {
		for _, x := range []struct {
			q  string
			to *int64
		}{{"SELECT COUNT(*) FROM enterprises", &s.enterprises}, {"SELECT COUNT(*) FROM tickets", &s.tickets}} {
			if err := tx.QueryRowContext(ctx, x.q).Scan(x.to); err != nil {
				return err
			}
		}
		// From the rollups: counting 20,000,000 rows would take a while.
		rows, err := tx.QueryContext(ctx, "SELECT year, SUM(records) FROM stats_activity GROUP BY year")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var y int
			var n int64
			if err := rows.Scan(&y, &n); err != nil {
				return err
			}
			s.byYear[y] = n
			s.records += n
		}
		return rows.Err()
	})
	return s, err
}

// rawResult is one raw query's timings.
type rawResult struct {
	what, rollup, answer string
	lat                  []time.Duration
}

func (r rawResult) ms(q float64) float64 {
	s := append([]time.Duration(nil), r.lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[int(q*float64(len(s)-1))].Microseconds()) / 1000
}

// rawStats times the queries over the raw records that the rollups answer
// instead: the SMEs served in the year (distinct enterprises with a live
// record, large ones left out) by the city, by every platform, by a
// district's tree, by a street platform. Each runs up to runs times within
// the budget, one at a time.
func rawStats(ctx context.Context, dsn string, year, runs int, budget time.Duration, logf func(string, ...any)) ([]rawResult, error) {
	d, path, err := store.ResolveDSN(dsn, "")
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, d, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	from, to := fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-01-01", year+1)
	const served = ` FROM service_records r JOIN enterprises e ON e.uscc = r.enterprise_uscc
		WHERE r.cancelled_at IS NULL AND e.size <> 'large' AND r.served_on >= ? AND r.served_on < ?`
	queries := []struct {
		what, rollup, q string
		args            []any
	}{
		{"SMEs served by the city", "city", "SELECT COUNT(DISTINCT r.enterprise_uscc)" + served, []any{from, to}},
		{"SMEs served by every platform", "platforms",
			"SELECT COUNT(*), SUM(n) FROM (SELECT r.platform_code, COUNT(DISTINCT r.enterprise_uscc) AS n" + served +
				" AND r.platform_code IS NOT NULL GROUP BY r.platform_code) x", []any{from, to}},
		{"SMEs served by a district (P370202 and below)", "platform-district",
			"SELECT COUNT(DISTINCT r.enterprise_uscc)" + served +
				" AND r.platform_code IN (SELECT code FROM platforms WHERE SUBSTR(path, 1, LENGTH(?)) = ?)",
			[]any{from, to, "/P370200/P370202/", "/P370200/P370202/"}},
		{"SMEs served by a street platform (P370202001)", "platform-street",
			"SELECT COUNT(DISTINCT r.enterprise_uscc)" + served + " AND r.platform_code = ?", []any{from, to, demoStreetPlatform}},
	}
	var out []rawResult
	for _, q := range queries {
		r := rawResult{what: q.what, rollup: q.rollup}
		start := time.Now()
		for i := 0; i < runs && (i == 0 || time.Since(start) < budget); i++ {
			t0 := time.Now()
			err := db.Raw(ctx, func(tx *sql.Tx) error {
				rows, err := tx.QueryContext(ctx, store.Rebind(d, q.q), q.args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				var vals []string
				cols, _ := rows.Columns()
				for rows.Next() {
					v := make([]sql.NullString, len(cols))
					ptrs := make([]any, len(cols))
					for i := range v {
						ptrs[i] = &v[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						return err
					}
					for _, x := range v {
						vals = append(vals, x.String)
					}
				}
				r.answer = strings.Join(vals, " ")
				return rows.Err()
			})
			if err != nil {
				return nil, fmt.Errorf("raw %s: %w", q.what, err)
			}
			r.lat = append(r.lat, time.Since(t0))
		}
		logf("  %s: %s (%d runs)", q.what, r.answer, len(r.lat))
		out = append(out, r)
	}
	return out, nil
}

// commas writes n with thousands separators.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
