package web

import (
	"net/http"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/web/form"
)

type enterpriseRow struct {
	enterprise.Hit
	RegionName string
}

type enterpriseListData struct {
	Rows []enterpriseRow
	// Searching: rows come in match order and show how each matched.
	Searching bool
	// Groups are the districts and streets to filter by; none for an
	// enterprise's own user, who sees one enterprise.
	Groups     []regionGroup
	Industries []string
	Sizes      []enterprise.Size
	Sorts      []enterprise.Sort
	Next       string
	MayCreate  bool
	// Refused: a filter was refused (the message is next to it), so
	// nothing was looked up and no "none found" is said.
	Refused bool
}

// enterpriseList lists the enterprises inside the viewer's scope, searched
// and filtered (R2.4); the domain refuses roles that see none.
func (w *Web) enterpriseList(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	// The domain's rule, asked first so that a role seeing no enterprise
	// is refused rather than told its search is too short.
	if a.Enterprises().None() {
		return apperr.Deny()
	}
	f := form.New(r.URL.Query())
	filter, err := f.EnterpriseFilter()
	var hits []enterprise.Hit
	var next string
	if err == nil {
		filter.Limit = 50
		hits, next, err = w.s.Enterprise.List(r.Context(), a, filter)
	}
	p := w.page(r, "enterprises")
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			return err
		}
		p.Status = f.Fail(p.P, err)
	}
	groups, regions, err := w.enterpriseRegions(r, a)
	if err != nil {
		return err
	}
	d := enterpriseListData{Searching: filter.Query != nil, Industries: enterprise.Industries, Sizes: enterprise.Sizes,
		Sorts: []enterprise.Sort{enterprise.SortNewest, enterprise.SortUSCC, enterprise.SortName}, Next: next,
		MayCreate: mayRegister(a), Refused: p.Status != 0}
	if a.Enterprises().USCC == "" {
		d.Groups = groups
	}
	for _, h := range hits {
		d.Rows = append(d.Rows, enterpriseRow{Hit: h, RegionName: regionLabel(regions, h.RegionCode)})
	}
	p.Form = f
	p.Data = d
	w.render(rw, r, "enterprise_list", p)
	return nil
}

// regionGroup is a district with its streets, for region selects.
type regionGroup struct {
	District org.Region
	// Whole is true when the viewer serves the whole district, so the
	// district itself may be chosen.
	Whole   bool
	Streets []org.Region
}

// enterpriseRegions returns the districts and streets inside the actor's
// enterprise scope, grouped, and every region by code (for names). Roles
// bound to no region (the city, hotline, an enterprise's own user) get all.
func (w *Web) enterpriseRegions(r *http.Request, a access.Actor) ([]regionGroup, map[string]org.Region, error) {
	all, err := w.allRegions(r, a)
	if err != nil {
		return nil, nil, err
	}
	prefix := a.Enterprises().RegionPrefix
	byCode := make(map[string]org.Region, len(all))
	for _, reg := range all {
		byCode[reg.Code] = reg
	}
	var groups []regionGroup
	index := map[string]int{}
	group := func(d org.Region) int {
		i, ok := index[d.Code]
		if !ok {
			i = len(groups)
			index[d.Code] = i
			groups = append(groups, regionGroup{District: d})
		}
		return i
	}
	for _, reg := range all {
		if !strings.HasPrefix(reg.Code, prefix) {
			continue
		}
		switch reg.Level {
		case org.LevelDistrict:
			groups[group(reg)].Whole = true
		case org.LevelStreet:
			if d, ok := byCode[reg.ParentCode]; ok {
				i := group(d)
				groups[i].Streets = append(groups[i].Streets, reg)
			}
		}
	}
	return groups, byCode, nil
}

// regionLabel names a region for a table cell: a street with its district.
func regionLabel(regions map[string]org.Region, code string) string {
	reg, ok := regions[code]
	if !ok {
		return code
	}
	if parent, ok := regions[reg.ParentCode]; ok && reg.Level == org.LevelStreet {
		return parent.Name + " " + reg.Name
	}
	return reg.Name
}
