package stats

import (
	"sort"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/ticket"
)

// Summary is a scope's figures for a year: what every list shows.
type Summary struct {
	SMEsServed   int64 `json:"smes_served"`
	Records      int64 `json:"records"`
	Tickets      int64 `json:"tickets"`
	Closed       int64 `json:"closed"`
	Overdue      int64 `json:"overdue"`
	Dispatched   int64 `json:"dispatched"`
	Returns      int64 `json:"returns"`
	Extensions   int64 `json:"extensions"`
	Reopens      int64 `json:"reopens"`
	RatedCount   int64 `json:"rated_count"`
	Satisfied    int64 `json:"satisfied"`
	SignDue      int64 `json:"sign_due"`
	SignOnTime   int64 `json:"sign_on_time"`
	HandleDue    int64 `json:"handle_due"`
	HandleOnTime int64 `json:"handle_on_time"`
	// Rates are fractions 0–1, nil when nothing was rated or due.
	SatisfactionRate *float64 `json:"satisfaction_rate"`
	SignOnTimeRate   *float64 `json:"sign_on_time_rate"`
	OnTimeRate       *float64 `json:"on_time_rate"`
	ReturnRate       *float64 `json:"return_rate"`
	ExtensionRate    *float64 `json:"extension_rate"`
	ReopenRate       *float64 `json:"reopen_rate"`
}

// Summarize turns counts and the SMEs served into figures, satisfaction by
// the rule.
func Summarize(c Counts, smes int64, rule Settings) Summary {
	s := Summary{SMEsServed: smes, Records: c.Records, Tickets: c.Tickets, Closed: c.Closed, Overdue: c.Overdue,
		Dispatched: c.Dispatched, Returns: c.Returns, Extensions: c.Extensions, Reopens: c.Reopens,
		RatedCount: c.Ratings(), Satisfied: c.Satisfied(rule.SatisfiedMinScore), SignDue: c.SignDue, SignOnTime: c.SignOnTime,
		HandleDue: c.HandleDue, HandleOnTime: c.HandleOnTime}
	s.SatisfactionRate = ratio(s.Satisfied, s.RatedCount)
	s.SignOnTimeRate = ratio(c.SignOnTime, c.SignDue)
	s.OnTimeRate = ratio(c.HandleOnTime, c.HandleDue)
	s.ReturnRate = ratio(c.Returns, c.Dispatched)
	s.ExtensionRate = ratio(c.Extensions, c.Dispatched)
	s.ReopenRate = ratio(c.Reopens, c.Dispatched)
	return s
}

// Volume is one entry of a breakdown.
type Volume struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// Breakdown is a scope's yearly volumes: tickets by channel and category,
// records by service area and kind, each with every known key (0 when
// none) in the order of the vocabulary.
type Breakdown struct {
	ByChannel     []Volume `json:"by_channel"`
	ByCategory    []Volume `json:"by_category"`
	ByServiceArea []Volume `json:"by_service_area"`
	ByKind        []Volume `json:"by_kind"`
}

// NewBreakdown lays out volumes read by dimension and key over vocab (keys
// outside it follow, sorted).
func NewBreakdown(v map[string]map[string]int64) Breakdown {
	list := func(dim string, vocab []string) []Volume {
		out := make([]Volume, 0, len(vocab))
		seen := map[string]bool{}
		for _, k := range vocab {
			out = append(out, Volume{Key: k, Count: v[dim][k]})
			seen[k] = true
		}
		var extra []string
		for k, n := range v[dim] {
			if !seen[k] && n != 0 {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		for _, k := range extra {
			out = append(out, Volume{Key: k, Count: v[dim][k]})
		}
		return out
	}
	return Breakdown{ByChannel: list(DimChannel, ticket.Channels), ByCategory: list(DimCategory, ticket.Categories),
		ByServiceArea: list(DimServiceArea, record.Areas), ByKind: list(DimKind, record.Kinds)}
}

// Month is one month of a scope's year.
type Month struct {
	Month int `json:"month"`
	// SMEsNew: SMEs first served in the year this month; SMEsServed: the
	// SMEs served from January to the month's end.
	SMEsNew          int64    `json:"smes_new"`
	SMEsServed       int64    `json:"smes_served"`
	Records          int64    `json:"records"`
	Tickets          int64    `json:"tickets"`
	Closed           int64    `json:"closed"`
	RatedCount       int64    `json:"rated_count"`
	Satisfied        int64    `json:"satisfied"`
	HandleDue        int64    `json:"handle_due"`
	HandleOnTime     int64    `json:"handle_on_time"`
	SatisfactionRate *float64 `json:"satisfaction_rate"`
	OnTimeRate       *float64 `json:"on_time_rate"`
}

// Months lays out the twelve months of a year from counts and first-served
// SMEs by month (index 0 is January).
func Months(c [12]Counts, smesNew [12]int64, rule Settings) []Month {
	out := make([]Month, 12)
	var cum int64
	for i := range out {
		cum += smesNew[i]
		s := c[i].Satisfied(rule.SatisfiedMinScore)
		out[i] = Month{Month: i + 1, SMEsNew: smesNew[i], SMEsServed: cum, Records: c[i].Records, Tickets: c[i].Tickets,
			Closed: c[i].Closed, RatedCount: c[i].Ratings(), Satisfied: s, HandleDue: c[i].HandleDue,
			HandleOnTime: c[i].HandleOnTime, SatisfactionRate: ratio(s, c[i].Ratings()),
			OnTimeRate: ratio(c[i].HandleOnTime, c[i].HandleDue)}
	}
	return out
}

// Settings are the city's rules for the figures.
type Settings struct {
	// SatisfiedMinScore: a closing rating with a score counts as satisfied
	// when the score is at least this (3 counts "basically satisfied");
	// without a score the enterprise's satisfied answer decides. 0 makes
	// the answer decide always.
	SatisfiedMinScore int `json:"satisfied_min_score"`
}

// DefaultSettings count "basically satisfied" (score 3) as satisfied.
var DefaultSettings = Settings{SatisfiedMinScore: 3}

// Validate: invalid out_of_range on satisfied_min_score outside 0–5.
func (s Settings) Validate() error {
	if s.SatisfiedMinScore < 0 || s.SatisfiedMinScore > 5 {
		return apperr.Field("satisfied_min_score", "out_of_range", "error.range").With("min", 0).With("max", 5)
	}
	return nil
}

// Years bounds the years statistics are asked for.
const (
	MinYear = 1990
	MaxYear = 2200
)

// ValidYear: invalid out_of_range on year outside MinYear–MaxYear.
func ValidYear(y int) error {
	if y < MinYear || y > MaxYear {
		return apperr.Field("year", "out_of_range", "error.range").With("min", MinYear).With("max", MaxYear)
	}
	return nil
}
