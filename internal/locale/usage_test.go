package locale

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoFiles walks the internal tree for files with one of the suffixes.
func repoFiles(t *testing.T, suffixes ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, s := range suffixes {
			if strings.HasSuffix(p, s) {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				out[p] = string(b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEveryLiteralKeyExists finds catalog keys written literally in
// templates ({{.T "nav.home"}}) and Go code ("error.required" passed as a key)
// and fails when the catalog lacks one: a user would see the raw key.
func TestEveryLiteralKeyExists(t *testing.T) {
	zh, err := Catalog(ZH)
	if err != nil {
		t.Fatal(err)
	}
	tmplKey := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	for path, body := range repoFiles(t, ".html") {
		for _, m := range tmplKey.FindAllStringSubmatch(body, -1) {
			if _, ok := zh[m[1]]; !ok {
				t.Errorf("%s uses key %q, missing from the catalog", path, m[1])
			}
		}
	}
	// Go string literals that look like catalog keys of the prefixes used as
	// keys in code.
	goKey := regexp.MustCompile(`"((?:error|flash|object|status|nav|uscc|field)\.[a-z0-9_]*[a-z0-9])"`)
	for path, body := range repoFiles(t, ".go") {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		for _, m := range goKey.FindAllStringSubmatch(body, -1) {
			if _, ok := zh[m[1]]; !ok {
				t.Errorf("%s uses key %q, missing from the catalog", path, m[1])
			}
		}
	}
}

// TestTemplatesHoldNoUntranslatedText: Chinese text written straight into a
// template would show to English users too; it belongs in the catalog.
func TestTemplatesHoldNoUntranslatedText(t *testing.T) {
	han := regexp.MustCompile(`\p{Han}+`)
	action := regexp.MustCompile(`\{\{[^}]*\}\}`)
	for path, body := range repoFiles(t, ".html") {
		text := action.ReplaceAllString(body, "")
		for _, m := range han.FindAllString(text, -1) {
			if m == "中文" { // the language switch names itself
				continue
			}
			t.Errorf("%s contains untranslated text %q", path, m)
		}
	}
}
