package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/org"
)

type platformViewData struct {
	Platform   org.Platform
	Compliance org.Compliance
	Regions    []org.Region // the platform's region and those above it
	Parent     *org.Platform
	Children   []platformRow
}

func (w *Web) platformView(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	ctx := r.Context()
	pl, err := w.s.Org.Platform(ctx, a, r.PathValue("code"))
	if err != nil {
		return err
	}
	c, err := w.s.Org.Compliance(ctx, pl, org.Measures{})
	if err != nil {
		return err
	}
	regions, err := w.s.Org.RegionChain(ctx, pl.RegionCode)
	if err != nil {
		return err
	}
	d := platformViewData{Platform: pl, Compliance: c, Regions: regions}
	if pl.ParentCode != "" {
		// The parent is shown only when inside the viewer's scope.
		if parent, err := w.s.Org.Platform(ctx, a, pl.ParentCode); err == nil {
			d.Parent = &parent
		}
	}
	children, _, err := w.s.Org.Platforms(ctx, a, org.PlatformFilter{ParentCode: pl.Code, Limit: 500})
	if err != nil {
		return err
	}
	if d.Children, err = w.platformRows(r, a, children); err != nil {
		return err
	}
	p := w.page(r, "platforms")
	p.Data = d
	w.render(rw, r, "platform_view", p)
	return nil
}
