package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
)

func TestPlatformCreateThroughForm(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("admin", demo.Password)

		form := b.Get("/platforms/new")
		if form.Status != http.StatusOK {
			t.Fatalf("GET /platforms/new = %d", form.Status)
		}
		// A street platform in a street without one yet, too small for the
		// street standard (100 m²).
		p := b.Post("/platforms", url.Values{
			"code": {"P370202004"}, "name": {"八大峡街道中小企业服务站"}, "tier": {"street"},
			"region_code": {"370202004"}, "area_m2": {"60"}, "staff_count": {"3"},
		})
		if p.Status != http.StatusSeeOther || p.Location != "/platforms/P370202004" {
			t.Fatalf("create: status %d location %q body %s", p.Status, p.Location, p.Text(".alert"))
		}
		view := b.Get(p.Location)
		if got := view.Text("h1"); !strings.Contains(got, "八大峡街道中小企业服务站") {
			t.Errorf("platform page h1 = %q", got)
		}
		if view.Count("#compliance-area .badge.bad") != 1 {
			t.Errorf("60 m² street platform not shown as below the area standard")
		}
		// Its parent was derived from the region: the 市南区 platform.
		if got := view.Text(`dl.props a[href="/platforms/P370202"]`); got == "" {
			t.Errorf("parent platform link missing")
		}
		list := b.Get("/platforms?q=八大峡")
		if list.Count(`a[href="/platforms/P370202004"]`) == 0 {
			t.Errorf("new platform not listed")
		}
	})
}

func TestPlatformFormErrorsNameTheField(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("admin", demo.Password)
		b.Get("/platforms/new")
		// A street platform placed in a district region.
		p := b.Post("/platforms", url.Values{"code": {"PX1"}, "name": {"错误平台"}, "tier": {"street"}, "region_code": {"370202"}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", p.Status)
		}
		if msg := p.Text("#err-region_code"); msg == "" {
			t.Errorf("no error next to region_code; page alert %q", p.Text(".alert"))
		}
		if v, _ := p.Doc.Find(`#f-name`).Attr("value"); v != "错误平台" {
			t.Errorf("typed name lost: %q", v)
		}
		// Nothing was stored.
		if got := b.Get("/platforms/PX1"); got.Status != http.StatusNotFound {
			t.Errorf("rejected platform exists: GET = %d", got.Status)
		}
	})
}

func TestStreetUserRefusedAdminPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := env.Browser()
		b.Login("street", demo.Password)
		for _, path := range []string{"/platforms/new", "/platforms/P370200", "/platforms/P370202/edit"} {
			if p := b.Get(path); p.Status != http.StatusForbidden {
				t.Errorf("street user GET %s = %d, want 403", path, p.Status)
			}
		}
		p := b.Post("/platforms", url.Values{"code": {"PX2"}, "name": {"越权"}, "tier": {"street"}, "region_code": {"370202005"}})
		if p.Status != http.StatusForbidden {
			t.Errorf("street user POST /platforms = %d, want 403", p.Status)
		}
		if own := b.Get("/platforms/" + demo.PlatformCode(demo.StreetCode("370202", 0))); own.Status != http.StatusOK {
			t.Errorf("street user cannot open its own platform: %d", own.Status)
		}
	})
}
