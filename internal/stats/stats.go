// Package stats holds the figures the bureau judges platforms by (R5.2, R1.2,
// R1.8): SMEs served per platform per year against the tier target,
// satisfaction, on-time rates, returns, extensions and re-handling, volumes
// by channel, category and service area, premises against the tier
// standard; their totals per district and for the city; and the network's
// yearly targets (demonstration platforms, key-street coverage).
//
// # Maintained in the same transaction
//
// Dashboards read rollups, never the raw records and tickets. The rollups
// are updated in the transaction that changes what they count — a service
// record inserted or cancelled (store.InsertServiceRecord and
// CancelServiceRecord), a ticket inserted or updated (store.InsertTicket and
// UpdateTicket: every action and every supervision finding goes through
// them), an enterprise re-classified as large or back (a database trigger,
// so imports are covered too), a platform moved under another parent. A job
// with a lag was the alternative; it was not chosen because the figures
// people check right after acting (a record just entered, a ticket just
// closed) would be wrong for a while, and because a job must find what
// changed, which costs an index on every changed row — more than the few
// counter updates the transaction does itself. The price is that two
// writers touching the same handler's month wait for each other on
// PostgreSQL; they would wait for the job's own writes just the same.
//
// The rules the rollups follow are the functions of this package
// (TicketChanges, RecordChange, ReachScopes); the store applies what they
// return. `qifu stats rebuild` (Service.Rebuild) recomputes every rollup
// from the raw rows; a test proves it equals the incremental result.
//
// # What is counted
//
//   - SMEs served: distinct enterprises with at least one live (not
//     cancelled) service record of the scope dated in the year (the service
//     date, China Standard Time), large enterprises excluded by their size
//     now (the registry keeps no history of sizes, so a re-classification
//     applies to every year).
//   - Tickets count for their handler (the platform or department that
//     holds them now) and for the year and month they were created in
//     (CST). Merged duplicates are left out. Dispatches, returns,
//     extensions and reopens count what happened, for the handler that held
//     the ticket when it happened (a ticket returned by one street and
//     transferred to another is one return of the first street).
//   - On time: a ticket is due once it is answered or past its handling
//     limit unanswered (the supervision sweep marks it within a minute); it
//     is on time when answered by its limit (extensions granted included).
//     Signing alike: due once signed or past its sign limit; on time when
//     signed by it.
//   - Ratings: every unsatisfied rating or return visit (each reopened the
//     ticket) and the rating the ticket closed with. Closing unrated (the
//     rating window passed, or the city closed it) is no rating.
//   - Satisfied: the closing rating, by the city's rule (Settings): with a
//     score, scores from SatisfiedMinScore up count as satisfied (3, the
//     default, counts "basically satisfied" 基本满意); without a score, or
//     when the rule is 0, the enterprise's satisfied answer decides. A
//     rating that reopened the ticket is not satisfied whatever its score.
//   - Rates are fractions 0–1, nil when their denominator is 0: satisfaction
//     = satisfied / ratings; on time = on time / due; return, extension and
//     reopen rates per ticket dispatched to the handler.
package stats

import (
	"strconv"
	"time"
)

// Owner types: who holds records and tickets.
const (
	OwnerPlatform   = "platform"
	OwnerDepartment = "department"
)

// Owner is a handler: a platform or a department, by code.
type Owner struct {
	Type string
	Code string
}

// Scope types of distinct counts: a platform's own records, a tree (a city
// or district platform and every platform below it), a department, the
// city (every platform and department).
const (
	ScopePlatform   = "platform"
	ScopeTree       = "tree"
	ScopeDepartment = "department"
	ScopeCity       = "city"
)

// Scope is where a distinct count of SMEs served is kept.
type Scope struct {
	Type string `json:"type"`
	Code string `json:"code"`
}

// Counts are the additive figures of one handler in one month (or summed
// over months, handlers or both). Columns names their storage columns in
// the order of Fields.
type Counts struct {
	Records int64 // live service records
	// The state of the tickets held now.
	Tickets      int64
	Closed       int64
	SignDue      int64
	SignOnTime   int64
	HandleDue    int64
	HandleOnTime int64
	Overdue      int64
	// The rating each closed ticket closed with: how many, how many with
	// the satisfied answer, how many of those without a score, and how
	// many of each score 1–5.
	RatedFinal          int64
	FinalSatisfied      int64
	FinalNoScoreSatisfy int64
	Scores              [5]int64
	// What happened while the handler held its tickets.
	Dispatched int64
	Returns    int64
	Extensions int64
	Reopens    int64
}

// Columns are the storage columns of Counts, in Fields order.
var Columns = []string{"records", "tickets", "closed", "sign_due", "sign_on_time", "handle_due", "handle_on_time",
	"overdue", "rated_final", "final_sat_flag", "final_noscore_sat", "score1", "score2", "score3", "score4", "score5",
	"dispatched", "returns", "extensions", "reopens"}

// Fields points at each counter, in Columns order.
func (c *Counts) Fields() []*int64 {
	return []*int64{&c.Records, &c.Tickets, &c.Closed, &c.SignDue, &c.SignOnTime, &c.HandleDue, &c.HandleOnTime,
		&c.Overdue, &c.RatedFinal, &c.FinalSatisfied, &c.FinalNoScoreSatisfy, &c.Scores[0], &c.Scores[1], &c.Scores[2],
		&c.Scores[3], &c.Scores[4], &c.Dispatched, &c.Returns, &c.Extensions, &c.Reopens}
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	dst, src := c.Fields(), o.Fields()
	for i := range dst {
		*dst[i] += *src[i]
	}
}

// Neg is -c.
func (c Counts) Neg() Counts {
	var out Counts
	dst, src := out.Fields(), c.Fields()
	for i := range dst {
		*dst[i] = -*src[i]
	}
	return out
}

// IsZero reports whether every counter is 0.
func (c Counts) IsZero() bool { return c == Counts{} }

// Ratings is every rating counted: the unsatisfied ones that reopened
// tickets and those tickets closed with.
func (c Counts) Ratings() int64 { return c.RatedFinal + c.Reopens }

// Satisfied is the satisfied ratings by the rule: scores from minScore up,
// the satisfied answer for ratings without a score (or for all when
// minScore is 0).
func (c Counts) Satisfied(minScore int) int64 {
	if minScore <= 0 {
		return c.FinalSatisfied
	}
	n := c.FinalNoScoreSatisfy
	for s := max(minScore, 1); s <= 5; s++ {
		n += c.Scores[s-1]
	}
	return n
}

// Item is a change of one volume of a breakdown: Dim is channel, category
// (tickets), service_area or kind (records).
type Item struct {
	Dim string
	Key string
	N   int64
}

// Breakdown dimensions.
const (
	DimChannel     = "channel"
	DimCategory    = "category"
	DimServiceArea = "service_area"
	DimKind        = "kind"
)

// Change is what one event adds to one handler's month (negative counts
// subtract), with its breakdown volumes.
type Change struct {
	Owner  Owner
	Year   int
	Month  int
	Counts Counts
	Items  []Item
}

// cst is the zone years and months are counted in.
var cst = time.FixedZone("CST", 8*3600)

// YearMonth is the year and month of t in China Standard Time.
func YearMonth(t time.Time) (int, int) {
	t = t.In(cst)
	return t.Year(), int(t.Month())
}

// DateYearMonth is the year and month of a "YYYY-MM-DD" date (0, 0 when it
// is not one).
func DateYearMonth(d string) (int, int) {
	if len(d) < 7 {
		return 0, 0
	}
	y, err1 := strconv.Atoi(d[:4])
	m, err2 := strconv.Atoi(d[5:7])
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return y, m
}

// ratio is n/d, nil when d is 0.
func ratio(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}
