package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/store"
)

// benchQueue measures the work queue of one street platform and of one
// district platform (its subtree) with millions of tickets in the database,
// on a real `qifu serve` (its own process) with concurrent clients, as the
// platforms' staff see it: GET /api/v1/tickets?sort=due (the open tickets,
// nearest deadline first: what the queue page lists) with a token of the
// platform's user, and the /queue page itself for the logged-in user (and
// for a department's user: not a platform, but a queue all the same).
//
// The baseline, measured the same way in the same run on the same server,
// is GET /api/v1/tickets/{id} of a random ticket of the street platform with
// the street user's token: the same authentication, scope check and JSON,
// with the ticket read by primary key (and its events, parties and
// attachments by index) from the same 5,000,000-row table. The ratio is
// what listing a queue costs beyond reading one ticket.
func benchQueue(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("queue", flag.ExitOnError)
	n := fs.Int("tickets", 5_000_000, "synthetic tickets to generate")
	years := fs.Int("years", 3, "the tickets span this many years before now")
	clients := fs.Int("clients", 8, "concurrent clients")
	duration := fs.Duration("duration", 20*time.Second, "how long each load runs in all")
	rounds := fs.Int("rounds", 4, "the loads take turns this many times")
	dbFlag := fs.String("db", "", "reuse this database (sqlite:PATH or postgres://…) kept by an earlier --keep; built when it has no tickets")
	pgBase := fs.String("postgres", "", "build the database in a fresh schema of this PostgreSQL database (default: SQLite under the temp dir)")
	keep := fs.Bool("keep", false, "keep the database built (its DSN is printed) for later runs with --db")
	qifu := fs.String("qifu", "", "the qifu binary (default: go build it)")
	only := fs.String("only", "", "comma-separated loads to run (baseline,api-street,api-district,page-street,page-district,page-overdue,page-department); default all")
	profile := fs.String("cpuprofile", "", "profile qifu serve into this file")
	fs.Parse(args)
	*rounds = max(*rounds, 1)

	tmp, err := os.MkdirTemp("", "qifuload-queue-")
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
	if dsn == "" {
		var drop func()
		switch {
		case *pgBase != "":
			if dsn, drop, err = freshSchema(*pgBase, "queue"); err != nil {
				return err
			}
		case *keep:
			dir, err := os.MkdirTemp("", "qifuload-queue-db-")
			if err != nil {
				return err
			}
			dsn, drop = "sqlite:"+filepath.Join(dir, "qifu.db"), func() { os.RemoveAll(dir) }
		default:
			dsn, drop = "sqlite:"+filepath.Join(tmp, "db", "qifu.db"), func() {}
		}
		if !*keep {
			defer drop()
		}
	}
	total, open, err := ensureTickets(ctx, bin, dsn, *n, *years, logf)
	if err != nil {
		return err
	}
	if *keep && *dbFlag == "" {
		fmt.Printf("database kept: %s\n", dsn)
	}
	tokens := map[string]string{}
	for _, u := range []string{"street", "district", "department"} {
		out, err := exec.CommandContext(ctx, bin, "token", "create", "--username", u, "--name", "qifuload", "--db", dsn).Output()
		if err != nil {
			return fmt.Errorf("token for %s: %w", u, err)
		}
		tokens[u] = strings.TrimSpace(string(out))
	}
	sample, err := sampleTickets(ctx, dsn, demoStreetPlatform, 5000)
	if err != nil {
		return err
	}

	serveArgs := []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--log-level", "error"}
	if *profile != "" {
		serveArgs = append(serveArgs, "--cpuprofile", *profile)
	}
	logf("starting qifu serve (pending migrations run first)…")
	t0 := time.Now()
	srv, err := startServer(ctx, bin, serveArgs...)
	if err != nil {
		return fmt.Errorf("qifu serve: %w", err)
	}
	defer srv.stop()
	logf("  listening after %.1fs", time.Since(t0).Seconds())
	cookies := map[string]string{}
	for _, u := range []string{"street", "district", "department"} {
		if cookies[u], err = login(ctx, srv.url, u, demo.Password); err != nil {
			return fmt.Errorf("log in as %s: %w", u, err)
		}
	}

	api := func(user, path string) func(c, i int) *http.Request {
		return func(c, i int) *http.Request {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.url+path, nil)
			req.Header.Set("Authorization", "Bearer "+tokens[user])
			return req
		}
	}
	page := func(user, path string) func(c, i int) *http.Request {
		return func(c, i int) *http.Request {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.url+path, nil)
			req.Header.Set("Cookie", cookies[user])
			return req
		}
	}
	byID := func(c, i int) *http.Request {
		rng := rand.New(rand.NewPCG(uint64(c), uint64(i)))
		return api("street", "/api/v1/tickets/"+strconv.FormatInt(sample[rng.IntN(len(sample))], 10))(c, i)
	}
	loads := []struct {
		name, what string
		next       func(c, i int) *http.Request
	}{
		{"baseline", "baseline GET /api/v1/tickets/{id} (street token)", byID},
		{"api-street", "street queue  GET /api/v1/tickets?sort=due", api("street", "/api/v1/tickets?sort=due&limit=50")},
		{"api-district", "district queue GET /api/v1/tickets?sort=due", api("district", "/api/v1/tickets?sort=due&limit=50")},
		{"page-street", "street queue  page /queue", page("street", "/queue")},
		{"page-district", "district queue page /queue", page("district", "/queue")},
		{"page-overdue", "street queue  page /queue?overdue=true", page("street", "/queue?overdue=true")},
		{"page-department", "department queue page /queue", page("department", "/queue")},
	}
	want := selection(*only)
	// Warm up: every load for a moment, as a running server would be.
	for _, l := range loads {
		if len(want) == 0 || want[l.name] {
			if r := hammer(ctx, 2, time.Second, l.next); r.errors > 0 {
				return fmt.Errorf("%s: %s", l.name, r.firstError)
			}
		}
	}
	// The loads take turns in rounds, so that a burst of other work on the
	// shared machine falls on all of them alike.
	results := map[string]loadResult{}
	slice := *duration / time.Duration(*rounds)
	for r := 0; r < *rounds; r++ {
		logf("round %d of %d: each load for %s…", r+1, *rounds, slice)
		for _, l := range loads {
			if len(want) > 0 && !want[l.name] {
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

	fmt.Printf("engine %s, %d tickets (%d open, %.1f%%), %d clients, %s each in %d rounds, %d CPUs%s\n",
		engineName(dsn), total, open, 100*float64(open)/float64(max(total, 1)), *clients, *duration, *rounds, runtime.NumCPU(),
		loadAverage())
	base, hasBase := results["baseline"]
	for _, l := range loads {
		r, ok := results[l.name]
		if !ok {
			continue
		}
		ps := percentiles(r.lat)
		fmt.Printf("%-52s %7.0f req/s  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  errors %d", l.what, r.rate(), ps[0], ps[1], ps[2], r.errors)
		if hasBase && l.name != "baseline" {
			fmt.Printf("  (p95 %.1f× baseline)", ps[1]/percentiles(base.lat)[1])
		}
		fmt.Println()
		if r.errors > 0 {
			fmt.Printf("  first error: %s\n", r.firstError)
		}
	}
	return nil
}

// ensureTickets makes sure the database holds the demo network and
// tickets: when it has none, it loads the demo (no tickets) with the qifu
// binary and inserts n synthetic ones. It returns the tickets and the open
// ones.
func ensureTickets(ctx context.Context, bin, dsn string, n, years int, logf func(string, ...any)) (total, open int, err error) {
	d, path, err := store.ResolveDSN(dsn, "")
	if err != nil {
		return 0, 0, err
	}
	if d == store.SQLite {
		if _, err := os.Stat(path); err != nil {
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				return 0, 0, err
			}
		}
	}
	// The demo first (it also migrates), with the binary measured.
	if out, err := exec.CommandContext(ctx, bin, "demo", "--tickets", "0", "--db", dsn).CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("demo: %v\n%s", err, out)
	}
	db, err := store.Open(ctx, d, path)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	count := func() error {
		return db.Raw(ctx, func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, store.Rebind(d, "SELECT COUNT(*), COUNT(CASE WHEN open = ? THEN 1 END) FROM tickets"), true).
				Scan(&total, &open)
		})
	}
	if err := count(); err != nil || total > 0 {
		return total, open, err
	}
	logf("inserting %d synthetic tickets over %d years into %s…", n, years, dsn)
	start := time.Now()
	if _, err := insertTickets(ctx, db, n, years, logf); err != nil {
		return 0, 0, err
	}
	logf("  done in %.0fs", time.Since(start).Seconds())
	return total, open, count()
}

// sampleTickets returns up to k ids of tickets ever assigned to the
// platform (open and closed), spread over its whole history.
func sampleTickets(ctx context.Context, dsn, platform string, k int) ([]int64, error) {
	d, path, err := store.ResolveDSN(dsn, "")
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, d, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var ids []int64
	err = db.Raw(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, store.Rebind(d, "SELECT id FROM tickets WHERE assignee_code = ?"), platform)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("no tickets of %s", platform)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids[:min(k, len(ids))], nil
}

// login signs in on the login page (its double-submit CSRF cookie
// included) and returns the Cookie header of the session.
func login(ctx context.Context, base, username, password string) (string, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/login", nil)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	u, _ := url.Parse(base)
	csrf := ""
	for _, c := range jar.Cookies(u) {
		if c.Name == "qifu_csrf" {
			csrf = c.Value
		}
	}
	form := url.Values{"username": {username}, "password": {password}, "_csrf": {csrf}, "next": {"/queue"}}
	req, _ = http.NewRequestWithContext(ctx, "POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = client.Do(req)
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/queue" {
		return "", fmt.Errorf("login answered %d %s: %.200s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	var parts []string
	for _, c := range jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; "), nil
}

// loadAverage tells how busy the shared machine was over the last minutes
// (Linux), for the record.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return ", load average " + strings.Join(f[:3], " ")
	}
	return ""
}
