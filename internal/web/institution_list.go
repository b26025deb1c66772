package web

import (
	"net/http"
	"slices"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
)

type institutionRow struct {
	org.Institution
	// Platform is the platform it joined, when inside the viewer's scope.
	Platform *org.Platform
}

type institutionListData struct {
	Rows  []institutionRow
	Kinds []string
	// Platforms fill the platform filter; nil for roles that see none.
	Platforms []org.Platform
	Next      string
	// Filter echoes the filter fields.
	Kind, PlatformCode, Q string
}

func (w *Web) institutionList(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	q := r.URL.Query()
	f := org.InstitutionFilter{Kind: q.Get("kind"), PlatformCode: q.Get("platform_code"), Q: q.Get("q"), After: q.Get("after"), Limit: 50}
	if f.Kind != "" && !slices.Contains(org.InstitutionKinds, f.Kind) {
		f.Kind = ""
	}
	items, next, err := w.s.Org.Institutions(r.Context(), a, f)
	if err != nil {
		return err
	}
	rows, err := w.institutionRows(r, a, items)
	if err != nil {
		return err
	}
	platforms, err := w.visiblePlatforms(r, a)
	if err != nil {
		return err
	}
	p := w.page(r, "institutions")
	p.Data = institutionListData{Rows: rows, Kinds: org.InstitutionKinds, Platforms: platforms, Next: next,
		Kind: f.Kind, PlatformCode: f.PlatformCode, Q: f.Q}
	w.render(rw, r, "institution_list", p)
	return nil
}

// institutionRows adds the platforms the viewer may open to institutions.
func (w *Web) institutionRows(r *http.Request, a access.Actor, items []org.Institution) ([]institutionRow, error) {
	seen := map[string]*org.Platform{}
	rows := make([]institutionRow, len(items))
	for i, in := range items {
		rows[i].Institution = in
		if in.PlatformCode == "" {
			continue
		}
		pl, ok := seen[in.PlatformCode]
		if !ok {
			var err error
			if pl, err = w.platformIfVisible(r, a, in.PlatformCode); err != nil {
				return nil, err
			}
			seen[in.PlatformCode] = pl
		}
		rows[i].Platform = pl
	}
	return rows, nil
}

// platformIfVisible returns a platform, or nil when it is outside the
// actor's scope or gone.
func (w *Web) platformIfVisible(r *http.Request, a access.Actor, code string) (*org.Platform, error) {
	pl, err := w.s.Org.Platform(r.Context(), a, code)
	switch {
	case apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.NotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &pl, nil
}

// visiblePlatforms lists the platforms inside the actor's scope (one page
// of 500, as the platform form does); nil for roles that see none.
func (w *Web) visiblePlatforms(r *http.Request, a access.Actor) ([]org.Platform, error) {
	items, _, err := w.s.Org.Platforms(r.Context(), a, org.PlatformFilter{Limit: 500})
	if apperr.Is(err, apperr.Forbidden) {
		return nil, nil
	}
	return items, err
}
