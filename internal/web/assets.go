package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// assets are the embedded static files, each served under a URL that
// carries its content hash (/static/HASH/NAME) so it can be cached forever.
type assets struct {
	files map[string]asset // by name, e.g. "app.css"
}

type asset struct {
	hash string
	data []byte
	ct   string
}

func loadAssets() (*assets, error) {
	as := &assets{files: map[string]asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		as.files[name] = asset{hash: hex.EncodeToString(sum[:])[:12], data: b, ct: ct}
		return nil
	})
	return as, err
}

// URL is the hashed URL of a static file ("" when it does not exist).
func (as *assets) URL(name string) string {
	a, ok := as.files[name]
	if !ok {
		return ""
	}
	return "/static/" + a.hash + "/" + name
}

// ServeHTTP serves /static/HASH/NAME; a stale hash still gets the current
// file, but only the current hash is cached long.
func (as *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hash, name := r.PathValue("hash"), r.PathValue("name")
	a, ok := as.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if hash == a.hash {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("Content-Type", a.ct)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.data))
}

var _ embed.FS
