package uscc

import "testing"

// Codes published on business licences and company registries.
var published = []string{
	"91350100M000100Y43", // the standard's own worked example
	"914403001922038216", // Huawei Technologies Co., Ltd.
	"91440300708461136T", // Shenzhen Tencent Computer Systems Co., Ltd.
	"91110000802100433B", // Beijing Baidu Netcom Science and Technology Co., Ltd.
	"91110108558521630L", // Xiaomi Communications Co., Ltd.
	"91440300192317458F", // BYD Co., Ltd.
	"91330100799655058B", // Alibaba (China) Co., Ltd.
	"91370200163562681G", // Haier Group Corporation (Qingdao)
	"91310000717854505W", // a Shanghai-registered company
	"91110000100010433L", // a Beijing-registered state enterprise
}

func TestPublishedCodesAreValid(t *testing.T) {
	for _, c := range published {
		if r := Check(c); !r.Valid {
			t.Errorf("%s: %+v, want valid", c, r.Reason)
		}
	}
}

func TestNormalisation(t *testing.T) {
	r := Check("  91350100m000100y43 ")
	if !r.Valid || r.Code != "91350100M000100Y43" {
		t.Errorf("lower case with spaces: %+v", r)
	}
}

func TestReasons(t *testing.T) {
	cases := []struct {
		code     string
		reason   string
		position int
		expected string
	}{
		{"91350100M000100Y4", "length", 0, ""},
		{"91350100M000100Y433", "length", 0, ""},
		{"", "length", 0, ""},
		{"91350100M00O100Y43", "character", 12, ""}, // O is never used
		{"91350100M000100I43", "character", 16, ""}, // nor I
		{"9135010SM000100Y43", "character", 8, ""},  // nor S
		{"91350A00M000100Y43", "region_digits", 6, ""},
		{"91350100M000100Y44", "check_character", 18, "3"},
		{"914403001922038217", "check_character", 18, "6"},
		{"统一社会信用代码统一社会信用代码统一", "length", 0, ""},
	}
	for _, c := range cases {
		r := Check(c.code)
		if r.Valid || r.Reason.Code != c.reason || r.Reason.Position != c.position || r.Reason.Expected != c.expected {
			t.Errorf("%q: valid=%v %+v, want %s at %d expected %q", c.code, r.Valid, r.Reason, c.reason, c.position, c.expected)
		}
	}
}

func TestEverySingleCharacterChangeIsCaught(t *testing.T) {
	// The check character catches any one substituted character.
	for _, code := range published {
		for i := 0; i < 18; i++ {
			for _, ch := range Alphabet {
				if byte(ch) == code[i] {
					continue
				}
				alt := code[:i] + string(ch) + code[i+1:]
				if Valid(alt) {
					t.Fatalf("%s with position %d changed to %c still valid", code, i+1, ch)
				}
			}
		}
	}
}

func TestOrgCodeCheckIsOnlyAWarning(t *testing.T) {
	// Build a code whose GB 11714 part fails but whose check character is right.
	first17 := "92370202" + "12345678" + "0"
	code := first17 + string(CheckChar(first17))
	r := Check(code)
	if !r.Valid || r.Warning != "org_code_check" {
		t.Errorf("%s: valid=%v warning=%q, want valid with the org-code warning", code, r.Valid, r.Warning)
	}
}
