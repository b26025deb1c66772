// Package locale is the one catalog of every string a person reads, in zh-CN
// (the reference) and en. Messages use {name} placeholders; a missing key
// shows the key itself, so it is noticed in tests rather than hidden.
package locale

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
)

// Lang is a supported language tag.
type Lang string

const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

// Langs lists the supported languages, the default first.
var Langs = []Lang{ZH, EN}

// The catalog of a language is every catalog/<lang>/*.json file merged; a
// key defined in two files of one language is an error.
//
//go:embed catalog
var catalogFS embed.FS

var (
	loadOnce sync.Once
	catalogs map[Lang]map[string]string
	loadErr  error
)

func load() {
	catalogs = map[Lang]map[string]string{}
	for _, l := range Langs {
		m := map[string]string{}
		files, err := fs.Glob(catalogFS, "catalog/"+string(l)+"/*.json")
		if err != nil || len(files) == 0 {
			loadErr = fmt.Errorf("locale: no catalog for %s", l)
			return
		}
		for _, f := range files {
			b, err := catalogFS.ReadFile(f)
			if err != nil {
				loadErr = err
				return
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				loadErr = fmt.Errorf("locale: %s: %w", f, err)
				return
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					loadErr = fmt.Errorf("locale: %s: key %q defined twice", f, k)
					return
				}
				m[k] = v
			}
		}
		catalogs[l] = m
	}
}

// Catalog returns the messages of a language (for tests and tooling).
func Catalog(l Lang) (map[string]string, error) {
	loadOnce.Do(load)
	return catalogs[l], loadErr
}

// Parse maps a tag such as "en-US", "zh", "zh-Hans-CN" to a supported
// language; ok is false when none matches.
func Parse(tag string) (Lang, bool) {
	t := strings.ToLower(strings.TrimSpace(tag))
	switch {
	case t == "":
		return ZH, false
	case strings.HasPrefix(t, "zh"):
		return ZH, true
	case strings.HasPrefix(t, "en"):
		return EN, true
	}
	return ZH, false
}

// FromAcceptLanguage picks the first supported language of an
// Accept-Language header, zh-CN when none.
func FromAcceptLanguage(h string) Lang {
	for _, part := range strings.Split(h, ",") {
		tag, _, _ := strings.Cut(part, ";")
		if l, ok := Parse(tag); ok {
			return l
		}
	}
	return ZH
}

// Printer renders messages of one language.
type Printer struct {
	Lang Lang
	m    map[string]string
}

// NewPrinter returns a printer for l (zh-CN for an unknown language).
func NewPrinter(l Lang) *Printer {
	loadOnce.Do(load)
	m, ok := catalogs[l]
	if !ok {
		l, m = ZH, catalogs[ZH]
	}
	return &Printer{Lang: l, m: m}
}

// Has reports whether the catalog holds key.
func (p *Printer) Has(key string) bool {
	_, ok := p.m[key]
	return ok
}

// T renders key with alternating name, value parameters:
// T("error.required", "field", "名称").
func (p *Printer) T(key string, kv ...any) string {
	msg, ok := p.m[key]
	if !ok {
		return key
	}
	if len(kv) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	params := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		params[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return p.fill(msg, params)
}

// TMap renders key with named parameters.
func (p *Printer) TMap(key string, params map[string]any) string {
	msg, ok := p.m[key]
	if !ok {
		return key
	}
	return p.fill(msg, params)
}

func (p *Printer) fill(msg string, params map[string]any) string {
	if len(params) == 0 {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			b.WriteString(msg)
			break
		}
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			b.WriteString(msg)
			break
		}
		name := msg[i+1 : i+j]
		b.WriteString(msg[:i])
		if v, ok := params[name]; ok {
			b.WriteString(p.value(v))
		} else {
			b.WriteString(msg[i : i+j+1])
		}
		msg = msg[i+j+1:]
	}
	return b.String()
}

// value renders a parameter; a Key parameter is itself translated.
func (p *Printer) value(v any) string {
	if k, ok := v.(Key); ok {
		return p.T(string(k))
	}
	return fmt.Sprint(v)
}

// Key is a parameter value that is a catalog key to translate, not text.
type Key string

// Field returns the label of a field name ("field.region_code"), or the name.
func (p *Printer) Field(name string) string {
	if name == "" {
		return ""
	}
	if msg, ok := p.m["field."+name]; ok {
		return msg
	}
	return name
}

// Keys returns the sorted keys of a catalog.
func Keys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
