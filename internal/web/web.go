// Package web serves the pages people use: server-rendered HTML that works
// without JavaScript, in zh-CN by default and en, behind a database-held
// session with CSRF protection on every form. Handlers translate forms to
// domain calls; role and scope are decided by the domain services.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/calendar"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/notify"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/stats"
	"github.com/qifu/qifu/internal/ticket"
)

//go:embed templates
var templateFS embed.FS

// Services are the domain services the pages call.
type Services struct {
	Org        *org.Service
	Auth       *auth.Service
	Audit      *audit.Service
	Enterprise *enterprise.Service
	Calendar   *calendar.Service
	Notify     *notify.Service
	Ticket     *ticket.Service
	Record     *record.Service
	Stats      *stats.Service
	Clock      clock.Clock
	Log        *slog.Logger
}

// Web is the page handler set.
type Web struct {
	s      Services
	pages  map[string]*template.Template
	assets *assets
	routes []string
}

// New parses the templates and hashes the static assets.
func New(s Services) (*Web, error) {
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	w := &Web{s: s, assets: as}
	if err := w.parseTemplates(); err != nil {
		return nil, err
	}
	return w, nil
}

// parseTemplates builds one template set per page: the layout, every
// partial, and the page's own file, which defines "title" and "content".
func (w *Web) parseTemplates() error {
	funcs := templateFuncs(w.assets)
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return fmt.Errorf("web: parse layout: %w", err)
	}
	w.pages = map[string]*template.Template{}
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return err
	}
	for _, f := range files {
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(templateFS, f); err != nil {
			return fmt.Errorf("web: parse %s: %w", f, err)
		}
		w.pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return nil
}

// Routes lists the registered page routes (for tests that walk every page).
func (w *Web) Routes() []string { return w.routes }

func (w *Web) handle(mux *http.ServeMux, pattern string, h http.Handler) {
	w.routes = append(w.routes, pattern)
	mux.Handle(pattern, h)
}
