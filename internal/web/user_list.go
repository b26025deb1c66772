package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/auth"
)

type userRow struct {
	auth.User
	Locked bool
}

type userListData struct {
	Rows  []userRow
	Roles []access.Role
	Next  string
	// Filter echoes the filter fields.
	Role, Q string
}

// userList lists accounts for the city admin and the auditor (the domain
// refuses everyone else).
func (w *Web) userList(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	q := r.URL.Query()
	f := auth.UserFilter{Role: access.Role(q.Get("role")), Q: q.Get("q"), After: q.Get("after"), Limit: 50}
	if f.Role != "" && !f.Role.Valid() {
		f.Role = ""
	}
	users, next, err := w.s.Auth.Users(r.Context(), a, f)
	if err != nil {
		return err
	}
	now := w.s.Clock.Now()
	rows := make([]userRow, len(users))
	for i, u := range users {
		rows[i] = userRow{User: u, Locked: u.Locked(now)}
	}
	p := w.page(r, "users")
	p.Data = userListData{Rows: rows, Roles: access.Roles, Next: next, Role: string(f.Role), Q: f.Q}
	w.render(rw, r, "user_list", p)
	return nil
}
