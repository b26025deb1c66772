package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/enterprise"
)

// Two-character queries as an operator types them: trade names, industry
// words, the city's name (matching most of the registry), contact names.
var searchQueries = []string{"海纳", "明策", "绿能", "华信", "恒通", "瑞丰", "鑫源", "宏达", "德润", "嘉禾", "金石", "中科",
	"物流", "科技", "餐饮", "置业", "软件", "贸易", "建筑", "酒店", "物业", "农业", "快递", "仓储", "咨询", "担保",
	"青岛", "山东", "有限", "王芳", "李强", "张伟", "刘洋", "陈静"}

// benchSearch measures two-character searches through the HTTP API of an
// in-process server on loopback, beside a baseline in the same run: reading
// one enterprise by credit code (a primary-key lookup through the same
// stack).
func benchSearch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("search", flag.ExitOnError)
	dbFlag := fs.String("db", "", "the database to search (sqlite:PATH or postgres://…), e.g. one kept by `qifuload import --keep`")
	n := fs.Int("queries", 2000, "how many searches (each followed by a baseline lookup)")
	duration := fs.Duration("duration", 2*time.Minute, "stop after this long even if fewer searches were made")
	fs.Parse(args)
	if *dbFlag == "" {
		return fmt.Errorf("--db is required")
	}
	a, err := app.Open(ctx, app.Config{DB: *dbFlag, NoJobs: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	token, _, err := a.Auth.CreateToken(ctx, access.SystemActor("qifuload"), "hotline", "qifuload")
	if err != nil {
		return fmt.Errorf("a token for the demo hotline operator: %w", err)
	}
	sample, _, err := a.Enterprise.List(ctx, access.SystemActor("qifuload"), enterprise.Filter{Limit: 500})
	if err != nil || len(sample) == 0 {
		return fmt.Errorf("no enterprises to search: %v", err)
	}
	get := func(path string) (time.Duration, int, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, 0, err
		}
		defer resp.Body.Close()
		var body struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil && resp.StatusCode == 200 {
			return 0, 0, err
		}
		d := time.Since(start)
		if resp.StatusCode != 200 {
			return d, 0, fmt.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		return d, len(body.Items), nil
	}
	// Warm up caches the way a running server has them.
	for _, q := range searchQueries {
		if _, _, err := get("/api/v1/enterprises?limit=20&q=" + url.QueryEscape(q)); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var search, lookup []time.Duration
	byQuery := map[string][]time.Duration{}
	hitsOf := map[string]int{}
	hits := 0
	deadline := time.Now().Add(*duration)
	for i := 0; i < *n && time.Now().Before(deadline); i++ {
		if ctx.Err() != nil {
			break
		}
		q := searchQueries[rng.IntN(len(searchQueries))]
		d, got, err := get("/api/v1/enterprises?limit=20&q=" + url.QueryEscape(q))
		if err != nil {
			return err
		}
		search = append(search, d)
		byQuery[q] = append(byQuery[q], d)
		hitsOf[q] = got
		hits += got
		e := sample[rng.IntN(len(sample))]
		d, _, err = get("/api/v1/enterprises?limit=1&q=" + e.USCC)
		if err != nil {
			return err
		}
		lookup = append(lookup, d)
	}
	var count int64
	a.DB.Raw(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM enterprises").Scan(&count)
	})
	if len(search) == 0 {
		return fmt.Errorf("no search finished")
	}
	ps, pl := percentiles(search), percentiles(lookup)
	fmt.Printf("engine %s, %d enterprises, %d two-character searches (limit 20, %.1f hits each)\n",
		a.DB.Dialect(), count, len(search), float64(hits)/float64(len(search)))
	fmt.Printf("%-10s %6s %5s %8s %8s %8s\n", "query", "runs", "hits", "p50 ms", "p95 ms", "p99 ms")
	for _, q := range searchQueries {
		if ds := byQuery[q]; len(ds) > 0 {
			p := percentiles(ds)
			fmt.Printf("%-10s %6d %5d %8.2f %8.2f %8.2f\n", q, len(ds), hitsOf[q], p[0], p[1], p[2])
		}
	}
	fmt.Printf("baseline exact credit-code search: p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms\n", pl[0], pl[1], pl[2])
	fmt.Printf("two-character Chinese search:      p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  (p95 %.2f× baseline)\n",
		ps[0], ps[1], ps[2], ps[1]/pl[1])
	return nil
}

func percentiles(ds []time.Duration) [3]float64 {
	if len(ds) == 0 {
		return [3]float64{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	at := func(p float64) float64 {
		return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
	}
	return [3]float64{at(0.50), at(0.95), at(0.99)}
}
