package enterprise

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/qifu/qifu/internal/uscc"
)

// TestSeenCodes checks the compact set of seen credit codes against a plain
// map, with codes that share a 64-bit key (they differ by 2^19 in the first
// eight positions), over several merges.
func TestSeenCodes(t *testing.T) {
	valid := func(first17 string) string { return first17 + string(uscc.CheckChar(first17)) }
	var codes []string
	rng := rand.New(rand.NewPCG(3, 4))
	for len(codes) < 3*mergeSeenAt {
		b := []byte("91" + fmt.Sprintf("%06d", rng.IntN(1_000_000)))
		for i := 0; i < 9; i++ {
			b = append(b, uscc.Alphabet[rng.IntN(31)])
		}
		codes = append(codes, valid(string(b)))
	}
	// Same key, different high bits: 100000 and 100000 + 2^19 = 624288.
	a, b := valid("91100000MA3C12345"), valid("91624288MA3C12345")
	if ka, ha := split(a); true {
		kb, hb := split(b)
		if ka != kb || ha == hb {
			t.Fatalf("split(%s) = %x %x, split(%s) = %x %x: want the same key, other high bits", a, ka, ha, b, kb, hb)
		}
	}
	codes = append(codes, a, b, a, b, b, a)
	for i := range 2 * mergeSeenAt {
		if i == mergeSeenAt {
			codes = append(codes, a, b)
		}
		codes = append(codes, codes[rng.IntN(len(codes))], codes[i])
	}

	s := newSeenCodes()
	want := map[string]int{}
	for row, c := range codes {
		gotPrev, gotOK := s.put(c, row+2)
		wantPrev, wantOK := want[c]
		want[c] = row + 2
		if gotPrev != wantPrev || gotOK != wantOK {
			t.Fatalf("row %d %s: put = %d, %v; want %d, %v", row+2, c, gotPrev, gotOK, wantPrev, wantOK)
		}
	}
	if len(s.keys) == 0 {
		t.Error("no merge")
	}
}
