package web

import (
	"net/http"
	"slices"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
)

type regionViewData struct {
	Region org.Region
	// Above are the regions above this one, top down (city first).
	Above  []org.Region
	Parent *org.Region
	// Below is the level of the regions under this one ("" for a street).
	Below        org.Level
	Children     []regionRow
	MoreChildren bool
	// Platforms are the platforms in the region inside the viewer's scope;
	// ShowPlatforms is false for roles that see no platforms at all.
	Platforms     []org.Platform
	ShowPlatforms bool
}

func (w *Web) regionView(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if err := regionPages(a); err != nil {
		return err
	}
	ctx := r.Context()
	reg, err := w.s.Org.Region(ctx, a, r.PathValue("code"))
	if err != nil {
		return err
	}
	chain, err := w.s.Org.RegionChain(ctx, reg.Code)
	if err != nil {
		return err
	}
	d := regionViewData{Region: reg, Below: reg.Level.Below()}
	if len(chain) > 1 {
		d.Parent = &chain[1]
		d.Above = slices.Clone(chain[1:])
		slices.Reverse(d.Above)
	}
	if d.Below != "" {
		children, next, err := w.s.Org.Regions(ctx, a, org.RegionFilter{ParentCode: reg.Code, Limit: 500})
		if err != nil {
			return err
		}
		d.MoreChildren = next != ""
		if d.Children, _, err = w.regionRows(r, a, children); err != nil {
			return err
		}
	}
	platforms, _, err := w.s.Org.Platforms(ctx, a, org.PlatformFilter{RegionCode: reg.Code, Limit: 500})
	switch {
	case apperr.Is(err, apperr.Forbidden):
	case err != nil:
		return err
	default:
		d.Platforms, d.ShowPlatforms = platforms, true
	}
	p := w.page(r, "regions")
	p.Data = d
	w.render(rw, r, "region_view", p)
	return nil
}
