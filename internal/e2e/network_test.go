package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
)

// The city admin opens the network, creates a street platform through the
// form and sees it listed with its compliance; a street user is refused the
// admin pages.
func TestAdminCreatesPlatformStreetUserRefused(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := NewBrowser(t, env.Server.URL, "zh-CN")
		b.Login("admin", demo.Password)

		b.Do("open the network",
			chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/network"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.tree`)),
		)
		if lang := b.Attr("html", "lang"); lang != "zh-CN" {
			t.Errorf("html lang = %q, want zh-CN", lang)
		}
		if tree := b.Text(".tree"); !strings.Contains(tree, "青岛市中小企业公共服务中心") || !strings.Contains(tree, "市南区中小企业公共服务平台") {
			t.Fatalf("network tree %.200q lacks the city and district platforms", tree)
		}

		b.Do("create a platform through the form",
			chromedp.Click(chromedp.CSS(`a[href="/platforms/new"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#f-code`)),
			chromedp.SendKeys(chromedp.CSS(`#f-code`), "P370203004"),
			chromedp.SendKeys(chromedp.CSS(`#f-name`), "浮山新区街道中小企业服务站"),
			chromedp.SetValue(chromedp.CSS(`#f-tier`), "street"),
			chromedp.SetValue(chromedp.CSS(`#f-region_code`), "370203004"),
			chromedp.SendKeys(chromedp.CSS(`#f-operating_body`), "浮山新区街道办事处"),
			chromedp.SendKeys(chromedp.CSS(`#f-staff_count`), "4"),
			chromedp.SendKeys(chromedp.CSS(`#f-area_m2`), "120"),
			chromedp.Click(chromedp.CSS(`form.grid-form button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#compliance-area`)),
		)
		h1, area := b.Text("h1"), b.Text("#compliance-area")
		if !strings.Contains(h1, "浮山新区街道中小企业服务站") || !strings.Contains(area, "达标") || strings.Contains(area, "未达标") {
			t.Fatalf("after create: h1 %q, area compliance %q (120 m² meets the street standard of 100)", h1, area)
		}

		b.Do("see it listed",
			chromedp.Navigate(b.URL("/platforms?q=浮山新区")),
			chromedp.WaitVisible(chromedp.CSS(`table.data`)),
		)
		if row := b.Text("table.data tbody tr"); !strings.Contains(row, "P370203004") || !strings.Contains(row, "达标") {
			t.Errorf("list row %q, want the new platform marked as meeting the standard", row)
		}
		b.Logout()

		b.Login("street", demo.Password)
		if nav := b.Text("nav.mainnav"); strings.Contains(nav, "用户") || strings.Contains(nav, "建设标准") || strings.Contains(nav, "审计") {
			t.Errorf("street user navigation shows admin sections: %q", nav)
		}
		for _, path := range []string{"/platforms/new", "/platforms/P370200", "/platforms/P370203004/edit"} {
			b.Do("street user opens "+path,
				chromedp.Navigate(b.URL(path)),
				chromedp.WaitVisible(chromedp.CSS(`.error-page`)),
			)
			if status := b.Text(".error-page h1"); !strings.Contains(status, "403") {
				t.Errorf("street user at %s sees %q, want 403", path, status)
			}
		}
		b.CheckClean()
	})
}
