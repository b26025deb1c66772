package store

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/enterprise"
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

// The size checks an import writes by hand read back as encoding/json
// would have written them.
func TestChecksJSONAsEncodingJSON(t *testing.T) {
	st := enterprise.CurrentStandard()
	figs := []float64{0, 0.5, 1, 7, 19.99, 20, 299, 300, 1000, 12345.678, 40000, 1e9, 1e-7}
	n := 0
	for _, ind := range enterprise.Industries {
		for i, a := range figs {
			b, c := figs[(i*5+3)%len(figs)], figs[(i*7+1)%len(figs)]
			d, err := st.Classify(ind, enterprise.Figures{Employees: &a, Revenue: &b, Assets: &c})
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(d.Checks)
			if len(d.Checks) == 0 {
				want = []byte("[]")
			}
			if got := appendChecksJSON([]byte("x"), d.Checks); string(got) != "x"+string(want) {
				t.Errorf("%s %v: got %s, want %s", ind, []float64{a, b, c}, got, want)
			}
			n++
		}
	}
	odd := []enterprise.Check{{Class: "a\"<b", Measure: "m", Floor: 1e22, Value: 2}}
	want, _ := json.Marshal(odd)
	if got := appendChecksJSON(nil, odd); string(got) != string(want) {
		t.Errorf("got %s, want %s", got, want)
	}
}
