package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/org"
)

type platformRow struct {
	org.Platform
	Compliance org.Compliance
	RegionName string
}

type platformListData struct {
	Rows  []platformRow
	Tiers []org.Tier
	Next  string
	// Filter echoes the filter fields.
	Tier, RegionCode, Q string
}

func (w *Web) platformList(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	q := r.URL.Query()
	f := org.PlatformFilter{Tier: org.Tier(q.Get("tier")), RegionCode: q.Get("region_code"), Q: q.Get("q"), After: q.Get("after"), Limit: 50}
	if f.Tier != "" && !f.Tier.Valid() {
		f.Tier = ""
	}
	items, next, err := w.s.Org.Platforms(r.Context(), a, f)
	if err != nil {
		return err
	}
	rows, err := w.platformRows(r, a, items)
	if err != nil {
		return err
	}
	p := w.page(r, "platforms")
	p.Data = platformListData{Rows: rows, Tiers: org.Tiers, Next: next, Tier: string(f.Tier), RegionCode: f.RegionCode, Q: f.Q}
	w.render(rw, r, "platform_list", p)
	return nil
}

// platformRows adds compliance and region names to platforms.
func (w *Web) platformRows(r *http.Request, a access.Actor, items []org.Platform) ([]platformRow, error) {
	stds, err := w.s.Org.Standards(r.Context())
	if err != nil {
		return nil, err
	}
	names, err := w.regionNames(r, a)
	if err != nil {
		return nil, err
	}
	rows := make([]platformRow, len(items))
	for i, p := range items {
		rows[i] = platformRow{Platform: p, Compliance: org.Check(p, stds[p.Tier], org.Measures{}), RegionName: names[p.RegionCode]}
	}
	return rows, nil
}

// regionNames maps every region code to its name.
func (w *Web) regionNames(r *http.Request, a access.Actor) (map[string]string, error) {
	regions, err := w.allRegions(r, a)
	names := make(map[string]string, len(regions))
	for _, reg := range regions {
		names[reg.Code] = reg.Name
	}
	return names, err
}

// allRegions reads every region (a city has a few hundred).
func (w *Web) allRegions(r *http.Request, a access.Actor) ([]org.Region, error) {
	return readAll(func(after string) ([]org.Region, string, error) {
		return w.s.Org.Regions(r.Context(), a, org.RegionFilter{After: after, Limit: 500})
	})
}

// allPlatforms reads every platform within the actor's scope.
func (w *Web) allPlatforms(r *http.Request, a access.Actor) ([]org.Platform, error) {
	return readAll(func(after string) ([]org.Platform, string, error) {
		return w.s.Org.Platforms(r.Context(), a, org.PlatformFilter{After: after, Limit: 500})
	})
}

// readAll follows a cursor-paginated list to its end.
func readAll[T any](fetch func(after string) ([]T, string, error)) ([]T, error) {
	var out []T
	after := ""
	for {
		items, next, err := fetch(after)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		after = next
	}
}
