// Package e2e drives the real application in headless Chromium (Debian's
// chromium package): the journeys people make, end to end. Every test also
// checks that the page loaded nothing from outside the server and broke no
// Content-Security-Policy rule.
package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// EnvRequired makes a missing Chromium a failure instead of a skip (CI).
const EnvRequired = "QIFU_TEST_BROWSER"

// chromium finds the browser binary.
func chromium() string {
	for _, name := range []string{os.Getenv("QIFU_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is one headless Chromium with its own profile, watching every
// request and console message of the pages it opens.
type Browser struct {
	t       *testing.T
	Ctx     context.Context
	base    string
	mu      sync.Mutex
	foreign []string
	csp     []string
}

// NewBrowser starts Chromium for a test against the server at base
// ("http://127.0.0.1:port"). It skips the test when Chromium is missing,
// unless QIFU_TEST_BROWSER=required.
func NewBrowser(t *testing.T, base, lang string) *Browser {
	t.Helper()
	bin := chromium()
	if bin == "" {
		if os.Getenv(EnvRequired) == "required" {
			t.Fatal("chromium not found and QIFU_TEST_BROWSER=required: install Debian's chromium")
		}
		t.Skip("browser test skipped: chromium not found (apt-get install chromium; QIFU_TEST_BROWSER=required makes this a failure)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", lang),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	b := &Browser{t: t, Ctx: ctx, base: base}
	// The first call starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, b.listen); err != nil {
		t.Fatalf("listen: %v", err)
	}
	for _, err := range []error{
		call(ctx, network.Enable, network.EnableParams{}),
		call(ctx, runtime.Enable, cdp.Empty{}),
		call(ctx, cdplog.Enable, cdp.Empty{}),
		call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}}),
	} {
		if err != nil {
			t.Fatalf("set up chromium: %v", err)
		}
	}
	return b
}

func call[P, R any](ctx context.Context, cmd cdp.Command[P, R], p P) error {
	_, err := chromedp.Call(ctx, cmd, p)
	return err
}

// listen runs in the tab's event loop: it only records.
func (b *Browser) listen(ev any) {
	var note *[]string
	var msg string
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		u := e.Request.URL
		if !strings.HasPrefix(u, b.base) && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "about:") {
			note, msg = &b.foreign, u
		}
	case *cdplog.EventEntryAdded:
		if strings.Contains(e.Entry.Text, "Content Security Policy") {
			note, msg = &b.csp, e.Entry.Text
		}
	case *runtime.EventExceptionThrown:
		note, msg = &b.csp, "script exception: "+e.ExceptionDetails.Text
	}
	if note != nil {
		b.mu.Lock()
		*note = append(*note, msg)
		b.mu.Unlock()
	}
}

// Do runs steps within 30 seconds, failing the test with step on error.
func (b *Browser) Do(step string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// Text waits for the element and returns its visible text.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// Attr returns an attribute of the first element matching css.
func (b *Browser) Attr(css, name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
	defer cancel()
	r, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(css), name))
	if err != nil {
		b.t.Fatalf("attribute %s of %s: %v", name, css, err)
	}
	return r.Value
}

// URL is the server address joined with a path.
func (b *Browser) URL(path string) string { return b.base + path }

// CheckClean fails the test if any page loaded something from outside the
// server, violated the Content-Security-Policy or threw a script error.
func (b *Browser) CheckClean() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range b.foreign {
		b.t.Errorf("page loaded %s from outside the server", u)
	}
	for _, m := range b.csp {
		b.t.Errorf("page error: %s", m)
	}
}

// Login fills the login form by keyboard and waits for the main navigation.
func (b *Browser) Login(username, password string) {
	b.t.Helper()
	b.Do("login as "+username,
		chromedp.Navigate(b.URL("/login")),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), username),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`nav.mainnav`)),
	)
}

// Logout presses the logout button and waits for the login page.
func (b *Browser) Logout() {
	b.t.Helper()
	b.Do("logout",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
	)
}
