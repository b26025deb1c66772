package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
)

func (w *Web) departmentView(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	d, err := w.s.Org.Department(r.Context(), a, r.PathValue("code"))
	if err != nil {
		return err
	}
	p := w.page(r, "departments")
	p.Data = d
	w.render(rw, r, "department_view", p)
	return nil
}
