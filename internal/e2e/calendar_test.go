package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
)

// The city admin opens the working-day calendar from the settings, closes a
// day for a typhoon through the form, and sees the day marked closed with
// its reason; the page loads nothing from outside and breaks no CSP rule.
func TestAdminClosesADayForATyphoon(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := NewBrowser(t, env.Server.URL, "zh-CN")
		b.Login("admin", demo.Password)

		b.Do("open the calendar from the settings",
			chromedp.Navigate(b.URL("/settings")),
			chromedp.Click(chromedp.CSS(`.tiles a[href="/settings/calendar"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#d-2026-02-17`)),
		)
		if got := b.Text("#d-2026-02-17"); !strings.Contains(got, "春节") {
			t.Errorf("2026-02-17 shows %q, want 春节", got)
		}
		if got := b.Text("#unpublished"); !strings.Contains(got, "2027") {
			t.Errorf("warning %q, want 2027 not published", got)
		}

		b.Do("close 2026-12-10 for a typhoon",
			chromedp.SetValue(chromedp.CSS(`#f-date`), "2026-12-10"),
			chromedp.SetValue(chromedp.CSS(`#f-off`), "true"),
			chromedp.SendKeys(chromedp.CSS(`#f-reason`), "台风停工"),
			chromedp.Click(chromedp.CSS(`form[action="/settings/calendar/overrides"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#override-2026-12-10`)),
		)
		if cls := b.Attr("#d-2026-12-10", "class"); !strings.Contains(cls, "k-closed") {
			t.Errorf("2026-12-10 class %q, want closed", cls)
		}
		if row := b.Text("#override-2026-12-10"); !strings.Contains(row, "台风停工") {
			t.Errorf("override row %q", row)
		}
		b.CheckClean()
	})
}
