package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/org"
)

func (w *Web) institutionView(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	in, err := w.s.Org.Institution(r.Context(), a, r.PathValue("code"))
	if err != nil {
		return err
	}
	rows, err := w.institutionRows(r, a, []org.Institution{in})
	if err != nil {
		return err
	}
	p := w.page(r, "institutions")
	p.Data = rows[0]
	w.render(rw, r, "institution_view", p)
	return nil
}
