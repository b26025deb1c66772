package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/cli"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// dbArg is the --db value of a prepared test database.
func dbArg(t *testing.T, d store.Dialect) string {
	dialect, dsn := storetest.DSN(t, d)
	if dialect == store.SQLite {
		return "sqlite:" + dsn
	}
	return dsn
}

func open(t *testing.T, db string) *httptest.Server {
	t.Helper()
	a, err := app.Open(context.Background(), app.Config{DB: db, Logger: quiet(), NoJobs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() { srv.Close(); a.Close() })
	return srv
}

// TestTwoInstancesShareSessionsAndCLIUsers: a user created by the CLI while
// two app instances run on one database logs in on one instance and keeps
// working on the other with the same session cookie.
func TestTwoInstancesShareSessionsAndCLIUsers(t *testing.T) {
	for _, d := range storetest.Engines {
		t.Run(string(d), func(t *testing.T) {
			db := dbArg(t, d)
			one, two := open(t, db), open(t, db)
			run := func(args ...string) {
				t.Helper()
				if err := cli.Run(context.Background(), append(args, "--db", db), func(string) string { return "" }, io.Discard, io.Discard); err != nil {
					t.Fatalf("qifu %v: %v", args, err)
				}
			}
			run("demo", "--tickets", "0")
			run("user", "create", "--username", "late.comer", "--password", "Late-Comer-2026!", "--role", "auditor")

			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			page := func(base, path string) (*http.Response, *goquery.Document) {
				t.Helper()
				resp, err := c.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				doc, _ := goquery.NewDocumentFromReader(resp.Body)
				return resp, doc
			}
			_, doc := page(one.URL, "/login")
			csrf, _ := doc.Find(`input[name=_csrf]`).Attr("value")
			resp, err := c.PostForm(one.URL+"/login", url.Values{"_csrf": {csrf}, "username": {"late.comer"}, "password": {"Late-Comer-2026!"}})
			if err != nil || resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login on instance one: %v %v", resp.StatusCode, err)
			}
			resp.Body.Close()
			// The cookie was set for instance one's host; both run on 127.0.0.1.
			resp, doc = page(two.URL, "/")
			if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find("span.username").Text(), "late.comer") {
				t.Fatalf("instance two did not know the session: %d", resp.StatusCode)
			}
		})
	}
}

func TestHealthMetricsAndHeaders(t *testing.T) {
	env := apptest.New(t, store.SQLite)
	env.LoadDemo()
	get := func(path string) *http.Response {
		resp, err := http.Get(env.Server.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if r := get("/healthz"); r.StatusCode != 200 {
		t.Errorf("healthz = %d", r.StatusCode)
	}
	b := env.Browser()
	b.Login("admin", demo.Password)
	home := b.Get("/")
	h := home.Header
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP %q must allow only this server's scripts, no inline", csp)
	}
	for k, want := range map[string]string{"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// Static assets have hashed URLs and are cached for a long time.
	css, _ := home.Doc.Find(`link[rel=stylesheet]`).Attr("href")
	if !strings.HasPrefix(css, "/static/") || len(strings.Split(css, "/")) != 4 {
		t.Fatalf("stylesheet URL %q has no content hash", css)
	}
	if r := get(css); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s = %d, Cache-Control %q", css, r.StatusCode, r.Header.Get("Cache-Control"))
	}
	// No page refers to anything outside the server.
	home.Doc.Find("[src],[href]").Each(func(_ int, s *goquery.Selection) {
		for _, attr := range []string{"src", "href"} {
			if v, ok := s.Attr(attr); ok && (strings.HasPrefix(v, "http:") || strings.HasPrefix(v, "https:") || strings.HasPrefix(v, "//")) {
				t.Errorf("home page refers to %s", v)
			}
		}
	})
	r := get("/metrics")
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 || !bytes.Contains(body, []byte(`qifu_http_requests_total{method="GET",route="GET /{$}",status="2xx"}`)) {
		t.Errorf("metrics = %d, missing the request counter of the home page:\n%.600s", r.StatusCode, body)
	}
}

func TestRunShutsDownGracefully(t *testing.T) {
	a, err := app.Open(context.Background(), app.Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func(addr string) { ready <- addr }) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("Run ended early: %v", err)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz on %s: %v", addr, err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after the context ended")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}
