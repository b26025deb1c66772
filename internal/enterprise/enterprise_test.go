package enterprise

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/width"

	"github.com/qifu/qifu/internal/apperr"
)

func TestClassifyNeedsTheRuleFigures(t *testing.T) {
	st := CurrentStandard()
	cases := []struct {
		industry string
		fig      Figures
		field    string
	}{
		{"industry", Figures{Revenue: f(100)}, "employees"},
		{"construction", Figures{Revenue: f(100)}, "assets_wan"},
		{"agriculture", Figures{Employees: f(5)}, "revenue_wan"},
		{"retail", Figures{Employees: f(-1), Revenue: f(1)}, "employees"},
		{"mining", Figures{Employees: f(5)}, "industry"},
		{"", Figures{}, "industry"},
	}
	for _, c := range cases {
		_, err := st.Classify(c.industry, c.fig)
		if !apperr.Is(err, apperr.Invalid) || apperr.As(err).Field != c.field {
			t.Errorf("%s %+v: err %v, want 422 on %s", c.industry, c.fig, err, c.field)
		}
	}
	// Figures the rule does not read are not needed.
	if d, err := st.Classify("other", Figures{Employees: f(150)}); err != nil || d.Size != Medium {
		t.Errorf("other with only employees: %v %v", d.Size, err)
	}
}

func TestDecisionSaysWhichThresholdsDecided(t *testing.T) {
	d, err := CurrentStandard().Classify("industry", Figures{Employees: f(500), Revenue: f(1500)})
	if err != nil || d.Size != Small {
		t.Fatalf("500 people, 1500 万元: %v %v, want small", d.Size, err)
	}
	var failed, met []Check
	for _, c := range d.Checks {
		if c.Met {
			met = append(met, c)
		} else {
			failed = append(failed, c)
		}
	}
	// Large failed on both figures, medium on revenue (1500 < 2000); small
	// met both floors.
	if len(failed) != 3 || failed[2].Class != Medium || failed[2].Measure != Revenue || failed[2].Floor != 2000 {
		t.Errorf("failed checks %+v, want large twice then medium on revenue", failed)
	}
	if len(met) != 2 || met[0].Class != Small {
		t.Errorf("met checks %+v, want small's two floors", met)
	}
	if d.Standard != "2011-300" {
		t.Errorf("standard %q", d.Standard)
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000":       "138****8000",
		"0532-81001000":     "0532-****1000",
		"96633":             "****",
		"82860000":          "****0000", // a local number without its area code
		"8286000":           "****000",
		"+86 138 0013 8000": "+86 1** **** 8000",
		"":                  "",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKeyAndBigrams(t *testing.T) {
	if got := Key("青岛海纳（融资）担保 ＡＢＣ"); got != "青岛海纳融资担保abc" {
		t.Errorf("Key = %q", got)
	}
	if got := Bigrams(Key("海纳融资")); !slices.Equal(got, []string{"海纳", "纳融", "融资"}) {
		t.Errorf("Bigrams = %v", got)
	}
	e := Enterprise{Name: "青岛海纳融资担保有限公司", ContactName: "王芳", ContactPhone: "138-0013-8000"}
	toks := Tokens(e)
	for _, want := range []string{"融资", "王芳", "tel13800138000", "tel48000"} {
		if !slices.Contains(toks, want) {
			t.Errorf("tokens %v lack %q", toks, want)
		}
	}
}

// Search entries already stored were keyed by folding and lowering whole
// strings; Key, rune by rune, must give the same key for every character, or
// those enterprises would no longer be found.
func TestKeyMatchesWholeStringFolding(t *testing.T) {
	wholeString := func(s string) string {
		var b strings.Builder
		for _, r := range strings.ToLower(width.Fold.String(s)) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	var chunk []rune
	check := func() {
		s := string(chunk)
		if got, want := Key(s), wholeString(s); got != want {
			for _, r := range chunk {
				if got, want := Key(string(r)), wholeString(string(r)); got != want {
					t.Errorf("Key(%U) = %q, want %q", r, got, want)
				}
			}
		}
		chunk = chunk[:0]
	}
	for r := rune(0); r <= 0x2FFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		chunk = append(chunk, r)
		if len(chunk) == 256 {
			check()
		}
	}
	check()
	for _, s := range []string{"青岛海纳（融资）担保 ＡＢＣ", "ﾊﾟﾝ ｶﾞ", "\xff青岛\xfe", "İSTANBUL Σ"} {
		if got, want := Key(s), wholeString(s); got != want {
			t.Errorf("Key(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestTokenTextIsTheTokensJoined(t *testing.T) {
	names := []string{"", "青", "青岛", "青岛海纳（融资）担保有限公司", "ＡＢＣ 科技", "  ", "a-b", "王芳", "欧阳 娜娜"}
	phones := []string{"", "123", "1234", "138-0013-8000", "0532-8888 1000"}
	for i, name := range names {
		for j, phone := range phones {
			e := Enterprise{Name: name, ContactName: names[(i+j)%len(names)], ContactPhone: phone}
			want := strings.Join(Tokens(e), " ")
			if got := string(AppendTokenText([]byte("x"), e)); got != "x"+want {
				t.Errorf("%+v: got %q, want %q", e, got, "x"+want)
			}
		}
	}
}

func TestQueryRanks(t *testing.T) {
	e := Enterprise{USCC: "91370200MA3C8Q1D0Y", Name: "青岛海纳融资担保有限公司", ContactName: "王芳", ContactPhone: "13800138000"}
	cases := []struct {
		q    string
		want Rank
	}{
		{"91370200MA3C8Q1D0Y", RankExactCode},
		{"91370200ma3c", RankCodePrefix},
		{"青岛海纳", RankNamePrefix},
		{"融资", RankName},
		{"海纳（融资）", RankName},
		{"王芳", RankContact},
		{"8000", RankContact},
		{"13800138000", RankContact},
		{"深圳", 0},
	}
	for _, c := range cases {
		q, ok := ParseQuery(c.q)
		if !ok {
			t.Errorf("%q: not searchable", c.q)
			continue
		}
		if got := q.Best(e); got != c.want {
			t.Errorf("%q: rank %d, want %d", c.q, got, c.want)
		}
	}
	for _, short := range []string{"融", " ", "（）"} {
		if _, ok := ParseQuery(short); ok {
			t.Errorf("%q accepted as a query", short)
		}
	}
}

func TestValidate(t *testing.T) {
	good := func() Enterprise {
		emp, rev := int64(30), 800.0
		return Enterprise{USCC: " 91370200163562681g ", Name: "青岛测试有限公司", Industry: "industry", Employees: &emp, RevenueWan: &rev, RegionCode: "370202001"}
	}
	e := good()
	e.Normalize()
	if err := e.Validate(); err != nil || e.Size != Small || e.USCC != "91370200163562681G" {
		t.Fatalf("good enterprise: %v %s %s", err, e.Size, e.USCC)
	}
	bad := []struct {
		edit  func(*Enterprise)
		field string
		code  string
	}{
		{func(e *Enterprise) { e.USCC = "91370200163562681H" }, "uscc", "invalid_uscc"},
		{func(e *Enterprise) { e.Name = "" }, "name", "required"},
		{func(e *Enterprise) { n := int64(10_000_001); e.Employees = &n }, "employees", "out_of_range"},
		{func(e *Enterprise) { v := -3.0; e.RevenueWan = &v }, "revenue_wan", "out_of_range"},
		{func(e *Enterprise) { e.Industry = "mining" }, "industry", "unknown_industry"},
		{func(e *Enterprise) { e.ContactPhone = "call me" }, "contact_phone", "invalid_phone"},
		{func(e *Enterprise) { e.Employees = nil }, "employees", "required"},
	}
	for _, b := range bad {
		e := good()
		b.edit(&e)
		e.Normalize()
		err := e.Validate()
		if ae := apperr.As(err); err == nil || ae.Field != b.field || ae.ErrorCode() != b.code {
			t.Errorf("want %s on %s, got %v", b.code, b.field, err)
		}
	}
}
