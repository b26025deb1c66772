package e2e

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/store"
)

// A hotline operator, a caller on the line, finds an enterprise by two
// Chinese characters of its name and opens it (issue 3, R2.4).
func TestOperatorFindsEnterpriseByTwoCharacters(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		// What the registry holds with 融资 in the name, independently of
		// the search index.
		var want int
		err := env.App.DB.Raw(context.Background(), func(tx *sql.Tx) error {
			return tx.QueryRow(store.Rebind(env.App.DB.Dialect(),
				"SELECT COUNT(*) FROM enterprises WHERE name LIKE ?"), "%融资%").Scan(&want)
		})
		if err != nil || want == 0 {
			t.Fatalf("the demo has %d enterprises named with 融资 (%v); the test needs some", want, err)
		}

		b := NewBrowser(t, env.Server.URL, "zh-CN")
		b.Login("hotline", demo.Password)
		b.Do("open the registry from the navigation and search by keyboard",
			chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/enterprises"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#q`)),
			chromedp.Focus(chromedp.CSS(`#q`)),
			chromedp.KeyEvent("融资"),
			// Every character typed before the form is sent.
			chromedp.Poll[chromedp.Void](`document.getElementById("q").value === "融资"`),
			chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(`table.data tbody tr`)),
		)
		names := evaluate[[]string](b, `Array.from(document.querySelectorAll("table.data tbody tr td:first-child a")).map(a => a.textContent.trim())`)
		for _, n := range names {
			if !strings.Contains(n, "融资") {
				t.Errorf("match %q does not contain 融资", n)
			}
		}
		if len(names) == 0 || len(names) > want {
			t.Fatalf("%d rows for 融资, the registry has %d such names", len(names), want)
		}

		code := b.Text("table.data tbody tr td.uscc code")
		b.Do("open the first match",
			chromedp.Click(chromedp.CSS(`table.data tbody tr td:first-child a`)),
			chromedp.WaitVisible(chromedp.CSS(`h1`)),
		)
		if h1 := b.Text("h1"); !strings.Contains(h1, names[0]) {
			t.Errorf("enterprise page heading %q, want %q", h1, names[0])
		}
		if page := b.Text("main"); !strings.Contains(page, code) {
			t.Errorf("enterprise page does not show its credit code %s", code)
		}
		b.CheckClean()
	})
}

// evaluate runs a JavaScript expression in the page and returns its value.
func evaluate[T any](b *Browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
