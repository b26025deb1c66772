package web

import (
	"net/http"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/web/form"
)

type userViewData struct {
	User        auth.User
	LockedUntil *time.Time // set while the account is locked out
	Tokens      []auth.Token
	Self        bool // the viewer's own account (it cannot disable itself)
	// NewToken is a token just created: its secret is shown on this
	// response only, never again.
	NewToken     string
	NewTokenName string
}

// userPage renders one account with its API tokens and, for the city
// admin, the action forms. f carries a rejected action form.
func (w *Web) userPage(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int, fill func(*userViewData)) error {
	ctx := r.Context()
	u, err := w.s.Auth.User(ctx, a, r.PathValue("username"))
	if err != nil {
		return err
	}
	tokens, err := w.s.Auth.Tokens(ctx, a, u.Username)
	if err != nil {
		return err
	}
	d := userViewData{User: u, LockedUntil: lockedUntil(u, w.s.Clock.Now()), Tokens: tokens, Self: u.ID == a.UserID}
	if fill != nil {
		fill(&d)
	}
	if f == nil {
		f = form.New(nil)
	}
	p := w.page(r, "users")
	p.Form = f
	p.Status = status
	p.Data = d
	w.render(rw, r, "user_view", p)
	return nil
}

func (w *Web) userView(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	return w.userPage(rw, r, a, nil, 0, nil)
}

// lockedUntil is the end of a user's lock-out, nil when not locked now.
func lockedUntil(u auth.User, now time.Time) *time.Time {
	if u.Locked(now) {
		return u.LockedUntil
	}
	return nil
}
