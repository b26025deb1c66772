// Package apptest starts the real Qifu application in-process on a fresh
// database (SQLite, and PostgreSQL when QIFU_TEST_POSTGRES is set) for
// end-to-end tests of the API and the pages: clients that keep cookies and
// CSRF tokens like a browser, API clients with bearer tokens, and a fake
// clock to move time.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

// Env is one running application with its test server.
type Env struct {
	T      testing.TB
	App    *app.App
	Server *httptest.Server
	Clock  *clock.Fake
}

// Start is the time the fake clock starts at: a Thursday in 2026.
var Start = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// Each runs fn on every engine with a fresh application.
func Each(t *testing.T, fn func(t *testing.T, env *Env)) {
	t.Helper()
	for _, d := range storetest.Engines {
		t.Run(string(d), func(t *testing.T) {
			fn(t, New(t, d))
		})
	}
}

// New starts the application on a fresh database of the dialect.
func New(t testing.TB, d store.Dialect) *Env {
	t.Helper()
	dialect, dsn := storetest.DSN(t, d)
	db := dsn
	if dialect == store.SQLite {
		db = "sqlite:" + dsn
	}
	fc := clock.NewFake(Start)
	a, err := app.Open(context.Background(), app.Config{DB: db, Clock: fc, NoJobs: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &Env{T: t, App: a, Server: srv, Clock: fc}
}

// LoadDemo loads the demo network (users with demo.Password) without its
// year of tickets: tests file the tickets they need.
func (e *Env) LoadDemo() {
	e.T.Helper()
	if err := demo.LoadWith(context.Background(), e.App, io.Discard, demo.Options{}); err != nil {
		e.T.Fatalf("load demo: %v", err)
	}
}

// System is the actor tests use to set data up directly.
var System = access.SystemActor("test")

// CreateUser creates a user directly (no password change required).
func (e *Env) CreateUser(username, password string, role access.Role, org string) auth.User {
	e.T.Helper()
	u, err := e.App.Auth.CreateUser(context.Background(), System, auth.NewUser{Username: username, Password: password, Role: role, OrgCode: org})
	if err != nil {
		e.T.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// Token issues an API token for a user.
func (e *Env) Token(username string) string {
	e.T.Helper()
	tok, _, err := e.App.Auth.CreateToken(context.Background(), System, username, "test")
	if err != nil {
		e.T.Fatalf("token for %s: %v", username, err)
	}
	return tok
}

// ---- API ----

// APIClient calls /api/v1 with a bearer token.
type APIClient struct {
	e     *Env
	Token string
	Lang  string
}

// API returns a client for a token ("" for no Authorization header).
func (e *Env) API(token string) *APIClient { return &APIClient{e: e, Token: token} }

// Response is an answer with its decoded JSON body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// Do sends a request; body may be nil, a string (sent as is) or a value
// (sent as JSON).
func (c *APIClient) Do(method, path string, body any, headers ...string) *Response {
	c.e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			c.e.T.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.e.Server.URL+path, rd)
	if err != nil {
		c.e.T.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out := &Response{Status: resp.StatusCode, Header: resp.Header}
	out.Body, _ = io.ReadAll(resp.Body)
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(out.Body, &out.JSON)
	}
	return out
}

// ErrorCode is error.code of an error body ("" when none).
func (r *Response) ErrorCode() string {
	if e, ok := r.JSON["error"].(map[string]any); ok {
		s, _ := e["code"].(string)
		return s
	}
	return ""
}

// ErrorField is error.field of an error body.
func (r *Response) ErrorField() string {
	if e, ok := r.JSON["error"].(map[string]any); ok {
		s, _ := e["field"].(string)
		return s
	}
	return ""
}

// Items is the "items" list of a list body.
func (r *Response) Items() []map[string]any {
	list, _ := r.JSON["items"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// ---- browser-like client ----

// Browser is a client that keeps cookies, does not follow redirects, and
// fills the CSRF token of forms from the last page it saw.
type Browser struct {
	e      *Env
	client *http.Client
	csrf   string
	Lang   string
}

// Browser returns a fresh browser with no session.
func (e *Env) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Page is a fetched page.
type Page struct {
	Status   int
	Header   http.Header
	Location string
	Body     string
	Doc      *goquery.Document
}

// Get fetches a page.
func (b *Browser) Get(path string) *Page {
	b.e.T.Helper()
	req, _ := http.NewRequest("GET", b.e.Server.URL+path, nil)
	return b.do(req)
}

// Post submits a form; the CSRF token of the last page is added unless
// values carry one.
func (b *Browser) Post(path string, values url.Values) *Page {
	b.e.T.Helper()
	v := url.Values{}
	for k, vs := range values {
		v[k] = vs
	}
	if v.Get("_csrf") == "" {
		v.Set("_csrf", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.e.Server.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// PostMultipart submits a multipart form (uploads); CSRF as for Post.
func (b *Browser) PostMultipart(path string, body *bytes.Buffer, contentType string) *Page {
	b.e.T.Helper()
	req, _ := http.NewRequest("POST", b.e.Server.URL+path, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-CSRF-Token", b.csrf)
	return b.do(req)
}

// Upload submits a file the way a browser sends an upload form: one
// multipart body holding the CSRF token of the last page (first, as the
// forms place it), the other fields, then the file; no CSRF header.
func (b *Browser) Upload(path string, fields url.Values, fileField, fileName string, data []byte) *Page {
	b.e.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if fields.Get("_csrf") == "" {
		mw.WriteField("_csrf", b.csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(fileField, fileName)
	if err != nil {
		b.e.T.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.e.Server.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// CSRF is the token of the last page seen.
func (b *Browser) CSRF() string { return b.csrf }

func (b *Browser) do(req *http.Request) *Page {
	b.e.T.Helper()
	if b.Lang != "" {
		req.Header.Set("Accept-Language", b.Lang)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.e.T.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := &Page{Status: resp.StatusCode, Header: resp.Header, Location: resp.Header.Get("Location"), Body: string(body)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		p.Doc, err = goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			b.e.T.Fatalf("parse %s: %v", req.URL.Path, err)
		}
		if tok, ok := p.Doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok && tok != "" {
			b.csrf = tok
		}
	}
	return p
}

// Login logs in through the login form and fails the test unless it
// succeeds (a redirect away from the login page).
func (b *Browser) Login(username, password string) *Page {
	b.e.T.Helper()
	b.Get("/login")
	p := b.Post("/login", url.Values{"username": {username}, "password": {password}, "next": {"/"}})
	if p.Status != http.StatusSeeOther || strings.HasPrefix(p.Location, "/login") {
		b.e.T.Fatalf("login %s: status %d location %q", username, p.Status, p.Location)
	}
	return p
}

// Text is the trimmed text of the first element matching a selector.
func (p *Page) Text(selector string) string {
	if p.Doc == nil {
		return ""
	}
	return strings.TrimSpace(p.Doc.Find(selector).First().Text())
}

// Count is the number of elements matching a selector.
func (p *Page) Count(selector string) int {
	if p.Doc == nil {
		return 0
	}
	return p.Doc.Find(selector).Length()
}
