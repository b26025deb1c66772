package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
)

// Street staff record a consultation by keyboard alone — find the
// enterprise as they type, pick it with the arrows, choose the kind and
// area, save with Ctrl+Enter — and the form comes back ready for the next
// one, the context kept; the record is in their list (REQUIREMENTS R4.3).
func TestServiceRecordedByKeyboard(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := NewBrowser(t, env.Server.URL, "zh-CN")
		b.Login("street", demo.Password)
		focused := func(id string) chromedp.Action[chromedp.Void] {
			return chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement.id === "` + id + `"`)
		}
		b.Do("open the form from the records list",
			chromedp.Navigate(b.URL("/records")),
			chromedp.Click(chromedp.CSS(`#record-new`)),
			chromedp.WaitVisible(chromedp.CSS(`#record-q`)),
			focused("record-q"),
		)
		b.Do("find the enterprise and pick it with the arrow keys",
			chromedp.KeyEvent("企服演示"),
			chromedp.WaitVisible(chromedp.CSS(`#record-suggest li`)),
			chromedp.KeyEvent(kb.ArrowDown),
			chromedp.KeyEvent(kb.Enter),
			chromedp.Poll[chromedp.Void](`document.getElementById("f-enterprise_uscc").value === "`+demo.DemoEnterprise+`"`),
			focused("f-kind-ticket"),
		)
		if got := b.Text("#picked"); got != demo.DemoEnterpriseName {
			t.Errorf("picked %q", got)
		}
		b.Do("choose consultation",
			chromedp.KeyEvent(kb.ArrowRight),
			chromedp.Poll[chromedp.Void](`document.getElementById("f-kind-consultation").checked`),
		)
		b.Do("choose the information area, a note, and save with Ctrl+Enter",
			chromedp.KeyEvent(kb.Tab),
			focused("f-service_area-information"),
			chromedp.KeyEvent(" "),
			chromedp.Poll[chromedp.Void](`document.getElementById("f-service_area-information").checked`),
			chromedp.KeyEvent(kb.Tab), // the note comes before the date, which rarely changes
			focused("f-note"),
			chromedp.KeyEvent("解读专精特新申报政策"),
			chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
			chromedp.WaitVisible(chromedp.CSS(`#saved`)),
			focused("record-q"),
		)
		if got := b.Text("#saved"); !strings.Contains(got, demo.DemoEnterpriseName) || !strings.Contains(got, "咨询服务") {
			t.Errorf("confirmation %q", got)
		}
		b.Do("the next entry keeps the kind and area, not the enterprise",
			chromedp.Poll[chromedp.Void](`document.getElementById("f-kind-consultation").checked`),
			chromedp.Poll[chromedp.Void](`document.getElementById("f-service_area-information").checked`),
			chromedp.Poll[chromedp.Void](`document.getElementById("f-enterprise_uscc").value === ""`),
		)
		b.Do("the record is in the list",
			chromedp.Navigate(b.URL("/records")),
			chromedp.WaitVisible(chromedp.CSS(`#records`)),
		)
		if got := b.Text("#records tbody tr"); !strings.Contains(got, "解读专精特新申报政策") || !strings.Contains(got, "八大关街道中小企业服务站") {
			t.Errorf("list row %q", got)
		}
		b.CheckClean()
	})
}
