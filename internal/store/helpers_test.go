package store

import (
	"strings"
	"testing"
)

func TestPrefixEnd(t *testing.T) {
	cases := []struct {
		p, want string
		ok      bool
	}{
		{"/P370200/P370202/", "/P370200/P3702020", true},
		{"/S-FIN/", "/S-FIN0", true},
		{"/平台/", "/平台0", true},
		{"/平台", "/平叱", true},
		{"a\U0010FFFF", "b", true},
		{"a\ud7ff", "a\ue000", true},
		{"a\xfe", "a\xff", true},
		{"a\xff", "b", true},
		{"\U0010FFFF", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := prefixEnd(c.p)
		if got != c.want || ok != c.ok {
			t.Errorf("prefixEnd(%q) = %q %v, want %q %v", c.p, got, ok, c.want, c.ok)
		}
		if ok && !(c.p < got && strings.HasPrefix(c.p+"\U0010FFFF", c.p) && c.p+"\U0010FFFF" < got) {
			t.Errorf("prefixEnd(%q) = %q is not above the prefix's strings", c.p, got)
		}
	}
}
