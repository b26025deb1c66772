package web

import (
	"net/http"

	"github.com/qifu/qifu/internal/apperr"
)

// brandLogo serves the uploaded logo, or the built-in one when none is set.
// It is public: the login page shows it.
func (w *Web) brandLogo(rw http.ResponseWriter, r *http.Request) {
	l, err := w.s.Org.Logo(r.Context())
	if apperr.Is(err, apperr.NotFound) {
		http.Redirect(rw, r, w.assets.URL("logo.svg"), http.StatusFound)
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rw.Header().Set("Content-Type", l.ContentType)
	rw.Header().Set("Cache-Control", "public, max-age=86400")
	rw.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	rw.Write(l.Data)
}
