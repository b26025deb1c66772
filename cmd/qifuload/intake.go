package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/store"
)

// benchIntake measures POST /api/v1/tickets on a real `qifu serve` (its own
// process) with many concurrent clients, beside a baseline measured the same
// way in the same run: a minimal net/http handler that decodes the same JSON
// and durably inserts one row per request through the same driver, with the
// same group commit.
func benchIntake(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("intake", flag.ExitOnError)
	clients := fs.Int("clients", 64, "concurrent clients")
	duration := fs.Duration("duration", 20*time.Second, "how long each load runs")
	dbFlag := fs.String("db", "", "postgres://… to measure PostgreSQL; default SQLite in a temp dir")
	qifu := fs.String("qifu", "", "the qifu binary (default: go build it)")
	profile := fs.String("cpuprofile", "", "profile qifu serve into this file")
	fs.Parse(args)

	tmp, err := os.MkdirTemp("", "qifuload-intake-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := qifuBinary(*qifu, tmp)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dsn := func(name string) (string, func(), error) {
		if *dbFlag == "" {
			return "sqlite:" + filepath.Join(tmp, name, "qifu.db"), func() {}, nil
		}
		return freshSchema(*dbFlag, name)
	}

	// Baseline first.
	baseDSN, dropBase, err := dsn("baseline")
	if err != nil {
		return err
	}
	defer dropBase()
	base, err := startServer(ctx, self, "baseline-server", "--db", baseDSN)
	if err != nil {
		return fmt.Errorf("baseline server: %w", err)
	}
	baseRes := load(ctx, base.url+"/t", "", *clients, *duration)
	base.stop()

	qDSN, dropQ, err := dsn("qifu")
	if err != nil {
		return err
	}
	defer dropQ()
	if out, err := exec.CommandContext(ctx, bin, "demo", "--tickets", "0", "--db", qDSN).CombinedOutput(); err != nil {
		return fmt.Errorf("demo: %v\n%s", err, out)
	}
	tok, err := exec.CommandContext(ctx, bin, "token", "create", "--username", "hotline", "--db", qDSN).Output()
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	serveArgs := []string{"serve", "--addr", "127.0.0.1:0", "--db", qDSN, "--log-level", "error"}
	if *profile != "" {
		serveArgs = append(serveArgs, "--cpuprofile", *profile)
	}
	srv, err := startServer(ctx, bin, serveArgs...)
	if err != nil {
		return fmt.Errorf("qifu serve: %w", err)
	}
	res := load(ctx, srv.url+"/api/v1/tickets", strings.TrimSpace(string(tok)), *clients, *duration)
	srv.stop()

	fmt.Printf("engine %s, %d clients, %s each\n", engineName(qDSN), *clients, *duration)
	fmt.Printf("baseline (decode + one durable row, group commit): %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d\n",
		baseRes.rate(), baseRes.p(0.5), baseRes.p(0.99), baseRes.errors)
	fmt.Printf("qifu POST /api/v1/tickets:                         %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  (%.2f× baseline)\n",
		res.rate(), res.p(0.5), res.p(0.99), res.errors, res.rate()/baseRes.rate())
	if res.errors > 0 {
		fmt.Printf("first error: %s\n", res.firstError)
	}
	return nil
}

type server struct {
	url string
	cmd *exec.Cmd
}

// startServer runs a server process and waits for "listening on http://ADDR".
func startServer(ctx context.Context, bin string, args ...string) (*server, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "http://"); i >= 0 {
			u := strings.Fields(line[i:])[0]
			go io.Copy(io.Discard, out)
			return &server{url: u, cmd: cmd}, nil
		}
	}
	cmd.Process.Kill()
	return nil, fmt.Errorf("%s did not say where it listens", bin)
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
	}
}

type loadResult struct {
	lat        []time.Duration
	errors     int
	firstError string
	elapsed    time.Duration
}

func (r loadResult) rate() float64 { return float64(len(r.lat)) / r.elapsed.Seconds() }

func (r loadResult) p(q float64) float64 {
	ps := percentiles(r.lat)
	switch q {
	case 0.5:
		return ps[0]
	case 0.95:
		return ps[1]
	}
	return ps[2]
}

// callers are the demo's enterprises (the generator is deterministic).
var callers = func() []enterprise.Enterprise {
	g := demo.NewGenerator(2026)
	out := make([]enterprise.Enterprise, demo.Enterprises)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}()

// intakeBody is a realistic hotline ticket from one of the demo's
// enterprises, in its street.
func intakeBody(i int) []byte {
	e := callers[i%len(callers)]
	cats := []string{"consult", "help", "complaint", "suggestion", "rights_infringement"}
	b, _ := json.Marshal(map[string]any{
		"channel": "hotline", "enterprise_uscc": e.USCC, "category": cats[i%len(cats)],
		"title": fmt.Sprintf("企业来电咨询 %d", i), "content": "企业反映的问题需要平台协调处理，请按时限办理并答复。",
		"region_code": e.RegionCode, "contact_name": e.ContactName, "contact_phone": e.ContactPhone,
	})
	return b
}

// load runs clients that POST intake bodies for the duration; only 2xx
// answers count.
func load(ctx context.Context, url, token string, clients int, d time.Duration) loadResult {
	return hammer(ctx, clients, d, func(c, i int) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(intakeBody(c*100000+i)))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return req
	})
}

// hammer runs clients that each send the requests next makes (client c,
// its i-th request) one after another for the duration, and times the
// answers; only 2xx answers count, read to the end.
func hammer(ctx context.Context, clients int, d time.Duration, next func(c, i int) *http.Request) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer tr.CloseIdleConnections()
	var mu sync.Mutex
	var res loadResult
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var lat []time.Duration
			errs := 0
			first := ""
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				req := next(c, i)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					errs++
					if first == "" {
						first = fmt.Sprintf("%s %s: %d %.300s", req.Method, req.URL.Path, resp.StatusCode, body)
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errors += errs
			if res.firstError == "" {
				res.firstError = first
			}
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// baselineServer is the minimal durable handler: decode the JSON, insert
// one row through the same driver and store (group commit on SQLite),
// answer 201.
func baselineServer(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("baseline-server", flag.ExitOnError)
	dbFlag := fs.String("db", "", "database")
	fs.Parse(args)
	d, path, err := store.ResolveDSN(*dbFlag, "")
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, d, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Raw(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE baseline (id BIGINT PRIMARY KEY, channel TEXT, category TEXT,
			uscc TEXT, title TEXT, content TEXT, region_code TEXT, contact_name TEXT, contact_phone TEXT, created_at TEXT)`)
		return err
	}); err != nil {
		return err
	}
	var mu sync.Mutex
	var next int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /t", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Channel, Category, Title, Content string
			EnterpriseUSCC                    string `json:"enterprise_uscc"`
			RegionCode                        string `json:"region_code"`
			ContactName                       string `json:"contact_name"`
			ContactPhone                      string `json:"contact_phone"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		mu.Lock()
		next++
		id := next
		mu.Unlock()
		err := db.Write(r.Context(), func(tx *store.Tx) error {
			return tx.ExecForTesting(r.Context(), `INSERT INTO baseline VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, in.Channel,
				in.Category, in.EnterpriseUSCC, in.Title, in.Content, in.RegionCode, in.ContactName, in.ContactPhone,
				time.Now().UTC().Format(time.RFC3339Nano))
		})
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		fmt.Fprintf(w, `{"id":%d}`, id)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("baseline listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: mux}
	go func() { <-ctx.Done(); srv.Shutdown(context.Background()) }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
