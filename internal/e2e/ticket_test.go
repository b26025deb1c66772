package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
)

// The hotline records a ticket by keyboard alone; the street platform signs
// and replies; the enterprise is not satisfied, so the ticket reopens with
// the same assignee; it is handled again, rated satisfied and closed
// (REQUIREMENTS R3.1–R3.4).
func TestTicketRecordedByKeyboardHandledRatedAndClosed(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := NewBrowser(t, env.Server.URL, "zh-CN")
		b.Login("hotline", demo.Password)

		focused := func(id string) chromedp.Action[chromedp.Void] {
			return chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement.id === "` + id + `"`)
		}
		b.Do("open the console",
			chromedp.Navigate(b.URL("/console")),
			chromedp.WaitVisible(chromedp.CSS(`#console-q`)),
			focused("console-q"),
		)
		b.Do("find the caller and pick it with the arrow keys",
			chromedp.KeyEvent("企服演示"),
			chromedp.WaitVisible(chromedp.CSS(`#console-suggest li`)),
			chromedp.KeyEvent(kb.ArrowDown),
			chromedp.KeyEvent(kb.Enter),
			chromedp.Poll[chromedp.Void](`document.getElementById("f-enterprise_uscc").value === "`+demo.DemoEnterprise+`"`),
			focused("f-category-consult"),
		)
		if got := b.Attr(`#console-q`, "aria-expanded"); got != "false" {
			t.Errorf("suggestions still open after the pick (aria-expanded %q)", got)
		}
		b.Do("choose the category and tab through the request, saving with Ctrl+Enter",
			chromedp.KeyEvent(" "), // the first category: 咨询
			chromedp.Poll[chromedp.Void](`document.getElementById("f-category-consult").checked`),
			chromedp.KeyEvent(kb.Tab), // urgency stays 一般
			focused("f-urgency-normal"),
			chromedp.KeyEvent(kb.Tab),
			focused("f-title"),
			chromedp.KeyEvent("咨询专精特新申报"),
			chromedp.KeyEvent(kb.Tab),
			focused("f-content"),
			chromedp.KeyEvent("企业从事精密模具制造，咨询专精特新中小企业的申报流程。"),
			chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
			chromedp.WaitVisible(chromedp.CSS(`#saved-number`)),
			focused("console-q"),
		)
		number := b.Text("#saved-number")
		if !strings.HasPrefix(number, "QF") {
			t.Fatalf("confirmation shows number %q", number)
		}
		if got := b.Text("#saved-assignee"); got != "八大关街道中小企业服务站" {
			t.Errorf("assigned to %q, want the street platform of the enterprise's street", got)
		}
		ticketURL := b.Attr("#saved-number", "href")
		b.Logout()

		handle := func(round string) {
			b.Login("street", demo.Password)
			b.Do(round+": the street signs from its queue",
				chromedp.Navigate(b.URL("/queue")),
				chromedp.Click(chromedp.CSS(`#queue a[href="`+ticketURL+`"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#act-sign`)),
				chromedp.Click(chromedp.CSS(`#act-sign button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`#act-reply`)),
			)
			b.Do(round+": and replies",
				chromedp.SendKeys(chromedp.CSS(`#a-reply-note`), "申报流程和材料清单已通过短信发送，请查收。"),
				chromedp.Click(chromedp.CSS(`#act-reply button[type=submit]`)),
				chromedp.WaitNotPresent(chromedp.CSS(`#act-reply`)),
			)
			if got := b.Text("#ticket-status"); got != "已答复" {
				t.Fatalf("%s: status after the reply %q", round, got)
			}
			b.Logout()
		}
		rate := func(round, satisfied, score, want string) {
			b.Login("enterprise", demo.Password)
			b.Do(round+": the enterprise follows the rating link of its portal and rates",
				chromedp.Navigate(b.URL("/portal")),
				chromedp.Click(chromedp.CSS(`a.rate-awaited[href^="`+ticketURL+`"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#act-rate`)),
				chromedp.Click(chromedp.CSS(`#a-rate-satisfied-`+satisfied)),
				chromedp.SetValue(chromedp.CSS(`#a-rate-score`), score),
				chromedp.SendKeys(chromedp.CSS(`#a-rate-note`), "评价："+round),
				chromedp.Click(chromedp.CSS(`#act-rate button[type=submit]`)),
				chromedp.WaitNotPresent(chromedp.CSS(`#act-rate`)),
			)
			if got := b.Text("#ticket-status"); got != want {
				t.Fatalf("%s: status after rating %q, want %q", round, got, want)
			}
		}

		handle("first round")
		rate("first round", "no", "2", "重办")
		if got := b.Text("#ticket-assignee"); got != "八大关街道中小企业服务站" {
			t.Errorf("reopened with assignee %q, want the same street platform", got)
		}
		b.Logout()
		handle("second round")
		rate("second round", "yes", "5", "办结")
		if got := b.Text("#ticket-rating"); !strings.Contains(got, "满意") || strings.Contains(got, "不满意") {
			t.Errorf("rating shown %q", got)
		}
		timeline := b.Text("#timeline")
		for _, step := range []string{"受理", "签收", "答复", "评价"} {
			if !strings.Contains(timeline, step) {
				t.Errorf("timeline lacks %s: %.300q", step, timeline)
			}
		}
		if strings.Count(timeline, "重办") < 1 || strings.Count(timeline, "办结") < 1 {
			t.Errorf("timeline does not show the reopening and the closing: %.400q", timeline)
		}
		b.CheckClean()
	})
}
