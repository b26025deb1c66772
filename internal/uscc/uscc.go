// Package uscc checks unified social credit codes (统一社会信用代码,
// GB 32100-2015): 18 characters from a 31-character alphabet (no I, O, S, V,
// Z), positions 3–8 an administrative division code, position 18 a check
// character over the first 17. Positions 9–17 hold the organisation code of
// GB 11714, whose own check is reported as a warning only (many legitimate
// codes of individual businesses do not satisfy it).
package uscc

import (
	"strings"
)

// Alphabet is the code's character set; a character's value is its index.
const Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Reason says why a code is invalid; the zero value means valid.
type Reason struct {
	Code     string // "length", "character", "region_digits", "check_character"
	Position int    // 1-based position of the bad character, when one is
	Char     string // the bad character
	Expected string // the expected check character
}

// Result is the outcome of checking a code.
type Result struct {
	Code    string // the normalised code
	Valid   bool
	Reason  Reason
	Warning string // "org_code_check" when GB 11714's check fails
}

// Normalize trims spaces and upper-cases.
func Normalize(code string) string {
	return strings.ToUpper(strings.TrimSpace(code))
}

// Check validates a code (normalising it first).
func Check(code string) Result {
	c := Normalize(code)
	r := Result{Code: c}
	if len([]rune(c)) != 18 || len(c) != 18 {
		r.Reason = Reason{Code: "length"}
		return r
	}
	sum := 0
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(Alphabet, c[i])
		if v < 0 {
			r.Reason = Reason{Code: "character", Position: i + 1, Char: c[i : i+1]}
			return r
		}
		if i >= 2 && i <= 7 && (c[i] < '0' || c[i] > '9') {
			r.Reason = Reason{Code: "region_digits", Position: i + 1, Char: c[i : i+1]}
			return r
		}
		if i < 17 {
			sum += v * weights[i]
		}
	}
	want := Alphabet[(31-sum%31)%31]
	if c[17] != want {
		r.Reason = Reason{Code: "check_character", Position: 18, Char: c[17:], Expected: string(want)}
		return r
	}
	r.Valid = true
	if !orgCodeOK(c[8:17]) {
		r.Warning = "org_code_check"
	}
	return r
}

// Valid reports whether code is a valid credit code.
func Valid(code string) bool { return Check(code).Valid }

// CheckChar computes the check character for the first 17 characters
// (used by generators of demo data).
func CheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(Alphabet, first17[i]) * weights[i]
	}
	return Alphabet[(31-sum%31)%31]
}

// orgCodeOK checks the GB 11714 organisation code (8 characters and a check
// character, weights 3 7 9 10 5 8 4 2, modulus 11, 10 written X).
func orgCodeOK(s string) bool {
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		c := s[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return false
		}
		sum += v * w[i]
	}
	r := 11 - sum%11
	var want byte
	switch r {
	case 10:
		want = 'X'
	case 11:
		want = '0'
	default:
		want = byte('0' + r)
	}
	return s[8] == want
}
