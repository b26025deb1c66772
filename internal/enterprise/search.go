package enterprise

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// The search index holds, for each enterprise, the overlapping pairs of
// characters (bigrams) of its name, then of its contact's name, and two
// tokens for its telephone number (all digits, and the last four). Names
// come first, so "the name starts with q" is "the token sequence starts with
// q's bigrams". Chinese has no spaces between words; bigrams let any two
// characters find every name that contains them, on SQLite (FTS5) and
// PostgreSQL (a GIN index on a text array) alike, with no search server.

// Key is the form text is matched in: full-width letters and digits made
// half-width, letters lower case, everything but letters and digits
// dropped. "青岛海纳（融资）担保" and "青岛海纳融资担保" have one key.
func Key(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r = keyRune(r); r >= 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// keyRune is r as Key keeps it (width folded, lower case), or -1 when Key
// drops it. Rune by rune, as width.Fold and strings.ToLower map, without
// their copies of the whole string (an import keys every name).
func keyRune(r rune) rune {
	if r >= utf8.RuneSelf {
		if f := width.LookupRune(r).Folded(); f != 0 {
			r = f
		}
	}
	r = unicode.ToLower(r)
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return r
	}
	return -1
}

// Bigrams returns the overlapping pairs of characters of a key, in order; a
// key of one character is its own token.
func Bigrams(key string) []string {
	r := []rune(key)
	if len(r) == 1 {
		return []string{key}
	}
	out := make([]string, 0, len(r))
	for i := 0; i+1 < len(r); i++ {
		out = append(out, string(r[i:i+2]))
	}
	return out
}

// Tokens is the search index entry of an enterprise.
func Tokens(e Enterprise) []string {
	toks := Bigrams(Key(e.Name))
	toks = append(toks, Bigrams(Key(e.ContactName))...)
	if d := Digits(e.ContactPhone); len(d) >= 4 {
		toks = append(toks, "tel"+d, "tel4"+d[len(d)-4:])
	}
	return toks
}

// AppendTokenText appends the tokens of e separated by spaces, as
// strings.Join(Tokens(e), " ") (the SQLite search entry), without building
// the list.
func AppendTokenText(b []byte, e Enterprise) []byte {
	start := len(b)
	b = appendBigrams(b, e.Name)
	b = appendBigrams(b, e.ContactName)
	if d := Digits(e.ContactPhone); len(d) >= 4 {
		b = append(b, " tel"...)
		b = append(b, d...)
		b = append(b, " tel4"...)
		b = append(b, d[len(d)-4:]...)
	}
	if len(b) > start && b[start] == ' ' {
		b = append(b[:start], b[start+1:]...)
	}
	return b
}

// HeadPrefix marks the head token of SQLite's search entries: HeadPrefix
// and the first two characters of the name's key (its first bigram; the
// key itself when it has one character), after all the other tokens. A
// name starting with a query is then found through the entries holding
// the head token of the query's first bigram, rather than by reading the
// positions of every entry holding that bigram anywhere (有限 is in nearly
// every name, at the start of almost none). Two ASCII letters and a bigram
// make at least three characters, so no bigram is ever a head token, and
// telephone tokens start with "tel".
const HeadPrefix = "hd"

// AppendHeadToken appends " " (when b is not empty) and the head token of
// name, if its key is not empty.
func AppendHeadToken(b []byte, name string) []byte {
	n := 0
	for _, r := range name {
		if r = keyRune(r); r < 0 {
			continue
		}
		if n == 0 {
			if len(b) > 0 {
				b = append(b, ' ')
			}
			b = append(b, HeadPrefix...)
		}
		b = utf8.AppendRune(b, r)
		if n++; n == 2 {
			break
		}
	}
	return b
}

// appendBigrams appends " " and each bigram of Key(s), as Bigrams(Key(s)).
func appendBigrams(b []byte, s string) []byte {
	var prev rune = -1
	n := 0
	for _, r := range s {
		if r = keyRune(r); r < 0 {
			continue
		}
		if prev >= 0 {
			b = append(b, ' ')
			b = utf8.AppendRune(b, prev)
			b = utf8.AppendRune(b, r)
		}
		prev = r
		n++
	}
	if n == 1 {
		b = append(b, ' ')
		b = utf8.AppendRune(b, prev)
	}
	return b
}

// Digits keeps only the digits of s.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Query is a parsed search: what each ranked class looks for.
type Query struct {
	Text  string   // the query's key
	Code  string   // the query as a credit code (prefix), when it can be one
	Grams []string // bigrams of the key, for names and contacts
	Phone string   // a telephone token, when the query is a number
}

// MinQueryRunes is the shortest query that can use the index.
const MinQueryRunes = 2

// ParseQuery prepares a search. ok is false when the query has fewer than
// two letters or digits.
func ParseQuery(q string) (Query, bool) {
	k := Key(q)
	if len([]rune(k)) < MinQueryRunes {
		return Query{}, false
	}
	out := Query{Text: k, Grams: Bigrams(k)}
	if code := strings.ToUpper(k); len(code) <= 18 && isCodeChars(code) {
		out.Code = code
	}
	if d := Digits(q); d == k {
		switch {
		case len(d) == 4:
			out.Phone = "tel4" + d
		case len(d) >= 7:
			out.Phone = "tel" + d
		}
	}
	return out, true
}

func isCodeChars(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

// Rank is the class a search result falls in; lower ranks first.
type Rank int

const (
	RankExactCode  Rank = 1 // the credit code itself
	RankCodePrefix Rank = 2 // a credit code starting with the query
	RankNamePrefix Rank = 3 // a name starting with the query
	RankName       Rank = 4 // a name containing the query
	RankContact    Rank = 5 // a contact name or telephone matching
)

// Matches reports whether e belongs to rank r of q. The store finds
// candidates through the index; this is the exact test, the same for both
// engines.
func (q Query) Matches(e Enterprise, r Rank) bool {
	switch r {
	case RankExactCode:
		return q.Code != "" && e.USCC == q.Code
	case RankCodePrefix:
		return q.Code != "" && strings.HasPrefix(e.USCC, q.Code)
	case RankNamePrefix:
		return strings.HasPrefix(Key(e.Name), q.Text)
	case RankName:
		return strings.Contains(Key(e.Name), q.Text)
	case RankContact:
		if q.Phone != "" {
			d := Digits(e.ContactPhone)
			if q.Phone == "tel"+d || (len(d) >= 4 && q.Phone == "tel4"+d[len(d)-4:]) {
				return true
			}
		}
		return strings.Contains(Key(e.ContactName), q.Text)
	}
	return false
}

// Best is the best rank e matches q at (0 when none).
func (q Query) Best(e Enterprise) Rank {
	for r := RankExactCode; r <= RankContact; r++ {
		if q.Matches(e, r) {
			return r
		}
	}
	return 0
}
