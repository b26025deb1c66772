package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/org"
)

type homeData struct {
	Platform *org.Platform // the user's own platform, for platform roles
	Tiles    []NavItem
}

func (w *Web) home(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	p := w.page(r, "home")
	d := homeData{}
	if a.Role.OrgKind() == access.OrgPlatform {
		if pl, err := w.s.Org.Platform(r.Context(), a, a.OrgCode); err == nil {
			d.Platform = &pl
		}
	}
	for _, n := range p.Nav {
		if n.Key != "home" {
			d.Tiles = append(d.Tiles, n)
		}
	}
	p.Data = d
	w.render(rw, r, "home", p)
	return nil
}

// networkNode is a platform with the platforms below it.
type networkNode struct {
	platformRow
	Children []*networkNode
}

type networkData struct {
	Roots   []*networkNode
	Count   int
	ByTier  map[string]int
	Comply  int // platforms meeting the area standard
	Streets int // key streets (重点街道)
	Covered int // key streets with a street platform
}

// network shows the platform tree within the viewer's scope, with each
// platform's standing against its tier standard.
func (w *Web) network(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	all, err := w.allPlatforms(r, a)
	if err != nil {
		return err
	}
	rows, err := w.platformRows(r, a, all)
	if err != nil {
		return err
	}
	d := networkData{ByTier: map[string]int{}, Count: len(rows)}
	nodes := map[string]*networkNode{}
	for i := range rows {
		nodes[rows[i].Code] = &networkNode{platformRow: rows[i]}
		d.ByTier[string(rows[i].Tier)]++
		if rows[i].Compliance.Area {
			d.Comply++
		}
	}
	covered := map[string]bool{}
	for i := range rows {
		n := nodes[rows[i].Code]
		if rows[i].Tier == org.TierStreet {
			covered[rows[i].RegionCode] = true
		}
		if parent, ok := nodes[rows[i].ParentCode]; ok {
			parent.Children = append(parent.Children, n)
		} else {
			d.Roots = append(d.Roots, n)
		}
	}
	if a.ReadsAll() {
		// R1.8: the share of key streets (重点街道) with a street platform.
		regions, err := w.allRegions(r, a)
		if err != nil {
			return err
		}
		for _, reg := range regions {
			if reg.Level == org.LevelStreet && reg.KeyStreet {
				d.Streets++
				if covered[reg.Code] {
					d.Covered++
				}
			}
		}
	}
	p := w.page(r, "network")
	p.Data = d
	w.render(rw, r, "network", p)
	return nil
}

// treeItem carries the page along a recursive template over the tree.
type treeItem struct {
	P *Page
	N *networkNode
}

// Wrap pairs a child node with the same page.
func (t treeItem) Wrap(n *networkNode) treeItem { return treeItem{P: t.P, N: n} }

func wrapNode(p *Page, n *networkNode) treeItem { return treeItem{P: p, N: n} }
