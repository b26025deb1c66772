package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
)

// regionPages refuses the region pages to the roles the navigation does not
// offer them to (enterprises). The domain lets any logged-in user read the
// divisions, which are public reference data; these pages are the staff
// section that manages them.
func regionPages(a access.Actor) error {
	if !a.SeesNetwork() {
		return apperr.Deny()
	}
	return nil
}

type regionRow struct {
	org.Region
	ParentName string
	// Platform is the comprehensive platform serving the region, when
	// there is one inside the viewer's scope.
	Platform *org.Platform
}

type regionListData struct {
	Rows    []regionRow
	Levels  []org.Level
	Parents []org.Region // cities and districts, for the parent filter
	// ShowPlatforms is false for roles that see no platforms at all.
	ShowPlatforms bool
	// AllPlatforms is true when the viewer sees every platform, so a region
	// without one truly has none (rather than none in the viewer's scope).
	AllPlatforms bool
	Next         string
	// Filter echoes the filter fields.
	Level, ParentCode, Q string
}

func (w *Web) regionList(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if err := regionPages(a); err != nil {
		return err
	}
	q := r.URL.Query()
	f := org.RegionFilter{Level: org.Level(q.Get("level")), ParentCode: q.Get("parent_code"), Q: q.Get("q"), After: q.Get("after"), Limit: 50}
	if f.Level != "" && !f.Level.Valid() {
		f.Level = ""
	}
	items, next, err := w.s.Org.Regions(r.Context(), a, f)
	if err != nil {
		return err
	}
	rows, showPlatforms, err := w.regionRows(r, a, items)
	if err != nil {
		return err
	}
	parents, err := w.regionsOf(r, a, org.LevelCity, org.LevelDistrict)
	if err != nil {
		return err
	}
	p := w.page(r, "regions")
	p.Data = regionListData{Rows: rows, Levels: org.Levels, Parents: parents, ShowPlatforms: showPlatforms,
		AllPlatforms: a.Platforms().All, Next: next,
		Level: string(f.Level), ParentCode: f.ParentCode, Q: f.Q}
	w.render(rw, r, "region_list", p)
	return nil
}

// regionRows adds parent names and comprehensive platforms to regions. The
// second result is false when the actor sees no platforms at all.
func (w *Web) regionRows(r *http.Request, a access.Actor, items []org.Region) ([]regionRow, bool, error) {
	ctx := r.Context()
	names := map[string]string{}
	showPlatforms := true
	rows := make([]regionRow, len(items))
	for i, reg := range items {
		rows[i].Region = reg
		if reg.ParentCode != "" {
			if _, ok := names[reg.ParentCode]; !ok {
				parent, err := w.s.Org.Region(ctx, a, reg.ParentCode)
				if err != nil && !apperr.Is(err, apperr.NotFound) {
					return nil, false, err
				}
				names[reg.ParentCode] = parent.Name
			}
			rows[i].ParentName = names[reg.ParentCode]
		}
		if !showPlatforms {
			continue
		}
		pls, _, err := w.s.Org.Platforms(ctx, a, org.PlatformFilter{RegionCode: reg.Code, Tier: reg.Level.Tier(), Limit: 1})
		switch {
		case apperr.Is(err, apperr.Forbidden):
			showPlatforms = false
		case err != nil:
			return nil, false, err
		case len(pls) > 0:
			rows[i].Platform = &pls[0]
		}
	}
	return rows, showPlatforms, nil
}

// regionsOf lists the regions of the given levels, by level then code (a
// city has a few dozen districts at most, so one page each is enough).
func (w *Web) regionsOf(r *http.Request, a access.Actor, levels ...org.Level) ([]org.Region, error) {
	var out []org.Region
	for _, l := range levels {
		items, _, err := w.s.Org.Regions(r.Context(), a, org.RegionFilter{Level: l, Limit: 500})
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}
