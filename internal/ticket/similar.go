package ticket

import "github.com/qifu/qifu/internal/enterprise"

// DuplicateWindowDays is how far back intake looks for the same request.
const DuplicateWindowDays = 30

// SimilarThreshold is the share of character pairs two requests must have
// in common to be flagged as one (Jaccard similarity of their bigrams).
const SimilarThreshold = 0.5

// Similarity compares two requests' title and content: the Jaccard index of
// their character pairs, so "发票开不出来" and "发票一直开不出来" are close
// without any word segmentation.
func Similarity(aTitle, aContent, bTitle, bContent string) float64 {
	a := gramSet(aTitle + aContent)
	b := gramSet(bTitle + bContent)
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for g := range a {
		if b[g] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

func gramSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, g := range enterprise.Bigrams(enterprise.Key(s)) {
		out[g] = true
	}
	return out
}
