package locale

import (
	"regexp"
	"strings"
	"testing"
)

// TestCatalogsHaveTheSameKeys fails when a message exists in one language
// and not in the other, so en stays complete.
func TestCatalogsHaveTheSameKeys(t *testing.T) {
	zh, err := Catalog(ZH)
	if err != nil {
		t.Fatal(err)
	}
	en, err := Catalog(EN)
	if err != nil {
		t.Fatal(err)
	}
	if len(zh) < 50 {
		t.Fatalf("zh-CN catalog has only %d keys: not loaded?", len(zh))
	}
	for _, k := range Keys(zh) {
		if _, ok := en[k]; !ok {
			t.Errorf("key %q is in zh-CN but not in en", k)
		}
	}
	for _, k := range Keys(en) {
		if _, ok := zh[k]; !ok {
			t.Errorf("key %q is in en but not in zh-CN", k)
		}
	}
}

// TestPlaceholdersMatch fails when a translation drops or renames a
// placeholder, which would show "{field}" to users.
func TestPlaceholdersMatch(t *testing.T) {
	zh, _ := Catalog(ZH)
	en, _ := Catalog(EN)
	re := regexp.MustCompile(`\{[a-z_]+\}`)
	for k, z := range zh {
		e, ok := en[k]
		if !ok {
			continue
		}
		zp, ep := re.FindAllString(z, -1), re.FindAllString(e, -1)
		if strings.Join(sortCopy(zp), ",") != strings.Join(sortCopy(ep), ",") {
			t.Errorf("%s: zh-CN placeholders %v, en %v", k, zp, ep)
		}
	}
}

// TestEnglishIsEnglish catches untranslated copies of the Chinese text.
func TestEnglishIsEnglish(t *testing.T) {
	en, _ := Catalog(EN)
	han := regexp.MustCompile(`\p{Han}`)
	for k, v := range en {
		if han.MatchString(v) && !strings.HasPrefix(k, "lang.") {
			t.Errorf("en %s = %q contains Chinese characters", k, v)
		}
	}
}

func TestPrinter(t *testing.T) {
	p := NewPrinter(ZH)
	got := p.T("error.required", "field", Key("field.name"))
	if !strings.Contains(got, p.T("field.name")) || strings.Contains(got, "{") {
		t.Errorf("T(error.required) = %q, want the field label filled in", got)
	}
	if got := NewPrinter(EN).T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key rendered %q, want the key", got)
	}
	for _, c := range []struct {
		header string
		want   Lang
	}{{"en-US,en;q=0.9", EN}, {"zh-CN,zh;q=0.9", ZH}, {"fr-FR, en;q=0.5", EN}, {"", ZH}, {"de", ZH}} {
		if got := FromAcceptLanguage(c.header); got != c.want {
			t.Errorf("FromAcceptLanguage(%q) = %s, want %s", c.header, got, c.want)
		}
	}
}

func sortCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}
