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
	names := map[string]string{}
	rows := make([]platformRow, len(items))
	for i, p := range items {
		if _, ok := names[p.RegionCode]; !ok {
			if reg, err := w.s.Org.Region(r.Context(), a, p.RegionCode); err == nil {
				names[p.RegionCode] = reg.Name
			}
		}
		rows[i] = platformRow{Platform: p, Compliance: org.Check(p, stds[p.Tier], org.Measures{}), RegionName: names[p.RegionCode]}
	}
	return rows, nil
}
