package enterprise

import (
	"cmp"
	"slices"

	"github.com/qifu/qifu/internal/uscc"
)

// seenCodes remembers, for each credit code of an import, the row it was
// last seen at: a file of a million rows keeps a million of them, for the
// report of duplicates. It is exact and compact. A valid code is a number
// below 2^75 (its check character follows from the rest: two characters of
// 31 values, six digits, nine characters of 31 values): 64 bits of it,
// mixed, are kept in one sorted array, the 11 others beside the row number
// in a second, 16 bytes a code (a Go map of the codes took 63 MB for a
// million, measured). New codes wait in a small map and are merged into the
// arrays in sorted runs; a bucket index on the top 16 bits of the mixed
// keys leaves a binary search over a few entries.
type seenCodes struct {
	keys   []uint64 // mixed keys, sorted by key, then by high bits
	vals   []uint64 // high bits << 32 | row
	start  []uint32 // start[b]: the first index whose key>>48 is b or more
	recent map[code75]uint32
}

type code75 struct {
	key  uint64 // mixed
	high uint32
}

// mergeSeenAt is how many new codes wait in the map before a merge.
const mergeSeenAt = 1 << 16

func newSeenCodes() *seenCodes {
	return &seenCodes{start: make([]uint32, 1<<16+1), recent: map[code75]uint32{}}
}

// codeValue maps a character of the alphabet to its value.
var codeValue = func() (v [256]uint8) {
	for i := range v {
		v[i] = 0xff
	}
	for i := 0; i < len(uscc.Alphabet); i++ {
		v[uscc.Alphabet[i]] = uint8(i)
	}
	return v
}()

// split writes a valid, normalised code as a 64-bit key and its remaining
// high bits.
func split(code string) (key uint64, high uint32) {
	// a: positions 1–8 (2×31 values, 6 digits): below 961·10^6 < 2^30.
	// b: positions 9–17 (9×31 values): below 31^9 < 2^45.
	var a, b uint64
	for i := 0; i < 2; i++ {
		a = a*31 + uint64(codeValue[code[i]])
	}
	for i := 2; i < 8; i++ {
		a = a*10 + uint64(code[i]-'0')
	}
	for i := 8; i < 17; i++ {
		b = b*31 + uint64(codeValue[code[i]])
	}
	return b | a<<45, uint32(a >> 19)
}

// mix spreads keys evenly over 64 bits, so that the bucket index splits
// them evenly. It is a bijection (splitmix64's finaliser): distinct keys
// stay distinct.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// put records that code (valid and normalised) is at row, and returns the
// row it was last seen at before, if any.
func (s *seenCodes) put(code string, row int) (prev int, ok bool) {
	key, high := split(code)
	c := code75{mix(key), high}
	if p, ok := s.recent[c]; ok {
		s.recent[c] = uint32(row)
		return int(p), true
	}
	b := c.key >> 48
	lo, hi := int(s.start[b]), int(s.start[b+1])
	i := lo + sortSearch(s.keys[lo:hi], c.key)
	for ; i < hi && s.keys[i] == c.key; i++ {
		if v := s.vals[i]; uint32(v>>32) == c.high {
			s.vals[i] = uint64(c.high)<<32 | uint64(uint32(row))
			return int(uint32(v)), true
		}
	}
	s.recent[c] = uint32(row)
	if len(s.recent) >= mergeSeenAt {
		s.merge()
	}
	return 0, false
}

// sortSearch is the first index of keys (sorted) holding k or more.
func sortSearch(keys []uint64, k uint64) int {
	i, j := 0, len(keys)
	for i < j {
		h := int(uint(i+j) >> 1)
		if keys[h] < k {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

// merge moves the recent codes into the sorted arrays, merging from the
// back in place, and rebuilds the bucket index.
func (s *seenCodes) merge() {
	add := make([]code75, 0, len(s.recent))
	for c := range s.recent {
		add = append(add, c)
	}
	slices.SortFunc(add, func(x, y code75) int {
		return cmp.Or(cmp.Compare(x.key, y.key), cmp.Compare(x.high, y.high))
	})
	n := len(s.keys)
	s.keys = slices.Grow(s.keys, len(add))[:n+len(add)]
	s.vals = slices.Grow(s.vals, len(add))[:n+len(add)]
	i, j := n-1, len(add)-1
	for k := len(s.keys) - 1; j >= 0; k-- {
		a := add[j]
		if i >= 0 && (s.keys[i] > a.key || s.keys[i] == a.key && uint32(s.vals[i]>>32) > a.high) {
			s.keys[k], s.vals[k] = s.keys[i], s.vals[i]
			i--
		} else {
			s.keys[k], s.vals[k] = a.key, uint64(a.high)<<32|uint64(s.recent[a])
			j--
		}
	}
	b := 0
	for i, k := range s.keys {
		for ; b <= int(k>>48); b++ {
			s.start[b] = uint32(i)
		}
	}
	for ; b < len(s.start); b++ {
		s.start[b] = uint32(len(s.keys))
	}
	clear(s.recent)
}
