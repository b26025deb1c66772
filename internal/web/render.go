package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/web/form"
)

// Page is what every template receives: the request's language, the brand,
// the user and navigation, the CSRF token, and the page's own data.
type Page struct {
	P       *locale.Printer
	Lang    locale.Lang
	Brand   org.Brand
	LogoURL string
	User    *auth.User
	Actor   access.Actor
	Nav     []NavItem
	Active  string // nav key of the current section
	CSRF    string
	Flash   string
	Path    string
	Query   url.Values
	Data    any
	Form    *form.Form
	Status  int
	// Unread counts the user's unread inbox messages (layout header).
	Unread int
	// Bare pages (login, two-factor) show no navigation.
	Bare bool
	// Scripts are the page's own static scripts, after app.js (those not
	// embedded in this build are left out).
	Scripts []string
}

// T translates a catalog key with alternating name, value parameters.
func (p *Page) T(key string, kv ...any) string { return p.P.T(key, kv...) }

// F returns the view of one form field: label, value, error.
func (p *Page) F(name string) form.FieldView {
	if p.Form == nil {
		return form.FieldView{Name: name, Label: p.P.Field(name)}
	}
	return p.Form.View(p.P, name)
}

// Time formats a time in China Standard Time ("" for the zero time).
func (p *Page) Time(t any) string {
	switch x := t.(type) {
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.In(httpx.Location).Format("2006-01-02 15:04")
	case *time.Time:
		if x == nil || x.IsZero() {
			return ""
		}
		return x.In(httpx.Location).Format("2006-01-02 15:04")
	}
	return ""
}

// Can reports whether the current user has a named capability (for
// showing links and buttons; the domain checks again on use).
func (p *Page) Can(what string) bool {
	a := p.Actor
	switch what {
	case "admin":
		return a.IsAdmin()
	case "audit":
		return a.ReadsAudit()
	case "network":
		return a.SeesNetwork()
	case "platforms":
		return !a.Platforms().None()
	}
	return false
}

// LangURL is the current page in another language.
func (p *Page) LangURL(l string) string {
	q := url.Values{}
	for k, v := range p.Query {
		if k != "lang" {
			q[k] = v
		}
	}
	q.Set("lang", l)
	return p.Path + "?" + q.Encode()
}

// PageURL is the current page with one query parameter changed (filters,
// sorting, pagination); an empty value removes the parameter.
func (p *Page) PageURL(kv ...string) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	q.Del("lang")
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return p.Path
	}
	return p.Path + "?" + q.Encode()
}

func templateFuncs(as *assets) template.FuncMap {
	return template.FuncMap{
		"asset": as.URL,
		"wrap":  wrapNode,
		"join": func(sep string, items []string) string {
			out := ""
			for i, s := range items {
				if i > 0 {
					out += sep
				}
				out += s
			}
			return out
		},
		"pct": func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
		"num": func(v any) string {
			switch x := v.(type) {
			case float64:
				return strconv.FormatFloat(x, 'f', -1, 64)
			case int:
				return strconv.Itoa(x)
			case int64:
				return strconv.FormatInt(x, 10)
			case *int:
				if x != nil {
					return strconv.Itoa(*x)
				}
				return ""
			}
			return fmt.Sprint(v)
		},
		"deref": func(b *bool) bool { return b != nil && *b },
		"cellOf": func(t *statTable, i int, c statCell) statCellView {
			return statCellView{I: i, Num: i < len(t.Cols) && t.Cols[i].Num, C: c}
		},
		"derefF": func(f *float64) float64 {
			if f == nil {
				return 0
			}
			return *f
		},
		"isnil": func(v any) bool {
			switch x := v.(type) {
			case nil:
				return true
			case *bool:
				return x == nil
			case *int:
				return x == nil
			case *float64:
				return x == nil
			}
			return false
		},
	}
}

// page starts the page data for a request.
func (w *Web) page(r *http.Request, active string) *Page {
	ctx := r.Context()
	p := &Page{P: httpx.Printer(ctx), Lang: httpx.Lang(ctx), Path: r.URL.Path, Query: r.URL.Query(), Active: active}
	brand, err := w.s.Org.Brand(ctx)
	if err != nil {
		brand = org.DefaultBrand
	}
	p.Brand = brand
	if brand.LogoSHA != "" {
		p.LogoURL = "/brand/logo?v=" + brand.LogoSHA[:12]
	} else {
		p.LogoURL = w.assets.URL("logo.svg")
	}
	if s := sessionFrom(ctx); s != nil {
		u := s.user
		p.User = &u
		p.Actor = s.actor
		p.CSRF = s.session.CSRFToken
		p.Nav = navFor(p.Actor, s.step)
		if p.Nav != nil && w.s.Notify != nil {
			n, err := w.s.Notify.Unread(ctx, p.Actor)
			if err != nil {
				w.s.Log.Warn("unread count", "err", err, "request_id", httpx.RequestID(ctx))
			}
			p.Unread = n
		}
	}
	return p
}

// render executes a page template with status 200 (or p.Status).
func (w *Web) render(rw http.ResponseWriter, r *http.Request, name string, p *Page) {
	t, ok := w.pages[name]
	if !ok {
		w.fail(rw, r, apperr.Wrap(fmt.Errorf("no page template %q", name), "web"))
		return
	}
	if c, err := r.Cookie(flashCookie); err == nil {
		if v, err := url.QueryUnescape(c.Value); err == nil && p.P.Has(v) {
			p.Flash = p.P.T(v)
		}
		http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		w.s.Log.Error("render", "page", name, "err", err, "request_id", httpx.RequestID(r.Context()))
		http.Error(rw, p.T("error.internal"), http.StatusInternalServerError)
		return
	}
	httpx.NoStore(rw)
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	status := p.Status
	if status == 0 {
		status = http.StatusOK
	}
	rw.WriteHeader(status)
	buf.WriteTo(rw)
}

const flashCookie = "qifu_flash"

// redirect sends the browser to url after a successful form, with a flash
// message key to show on the next page.
func redirect(rw http.ResponseWriter, r *http.Request, to, flashKey string) {
	if flashKey != "" {
		http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flashKey), Path: "/", MaxAge: 60,
			HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(rw, r, to, http.StatusSeeOther)
}

type errorData struct {
	Status  int
	Title   string
	Message string
}

// fail renders the error page for err: 403 (audited), 404, 401 (to the
// login page), 500 (logged with the request id).
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	ctx := r.Context()
	if e.Kind == apperr.Unauthorized {
		http.Redirect(rw, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	status := httpx.Status(e.Kind)
	p := w.page(r, "")
	switch e.Kind {
	case apperr.Internal:
		w.s.Log.Error("web", "err", e.Err, "request_id", httpx.RequestID(ctx), "path", r.URL.Path)
	case apperr.Forbidden:
		actor := p.Actor
		actor.IP, actor.RequestID = httpx.ClientIP(ctx), httpx.RequestID(ctx)
		if aerr := w.s.Audit.Denied(context.WithoutCancel(ctx), actor, "page."+r.Method, "path", r.URL.Path); aerr != nil {
			w.s.Log.Error("audit denial", "err", aerr)
		}
	}
	p.Status = status
	p.Data = errorData{Status: status, Title: p.T("status." + strconv.Itoa(status)), Message: httpx.Message(p.P, e)}
	w.render(rw, r, "error", p)
}

// notFound renders the 404 page.
func (w *Web) notFound(rw http.ResponseWriter, r *http.Request) {
	w.fail(rw, r, apperr.New(apperr.NotFound, "not_found", "error.page_not_found"))
}

// InputView is a text-like input as the "input" partial draws it.
type InputView struct {
	form.FieldView
	Type     string
	Required bool
	Readonly bool
	Auto     string
	Step     string
	Min      string
	Hint     string
}

// In describes one input field: name, HTML type, whether required, and the
// autocomplete hint ("" for none). Numbers get step "any" and min 0.
func (p *Page) In(name, typ string, required bool, auto string) InputView {
	v := InputView{FieldView: p.F(name), Type: typ, Required: required, Auto: auto}
	if typ == "number" {
		v.Step, v.Min = "any", "0"
	}
	if p.P.Has("hint." + name) {
		v.Hint = p.T("hint." + name)
	}
	return v
}

// Ro is In for a field shown but not editable.
func (p *Page) Ro(name, typ string) InputView {
	v := p.In(name, typ, false, "")
	v.Readonly = true
	return v
}
