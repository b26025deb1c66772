package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/org"
)

type departmentListData struct {
	Rows       []org.Department
	Categories []string
	Next       string
	// Filter echoes the filter fields.
	Category, Q string
}

func (w *Web) departmentList(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	q := r.URL.Query()
	f := org.DepartmentFilter{Category: q.Get("category"), Q: q.Get("q"), After: q.Get("after"), Limit: 50}
	if f.Category != "" && !org.ValidCategory(f.Category) {
		f.Category = ""
	}
	items, next, err := w.s.Org.Departments(r.Context(), a, f)
	if err != nil {
		return err
	}
	p := w.page(r, "departments")
	p.Data = departmentListData{Rows: items, Categories: org.Categories, Next: next, Category: f.Category, Q: f.Q}
	w.render(rw, r, "department_list", p)
	return nil
}
