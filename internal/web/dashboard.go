package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/stats"
)

// The dashboards (R5.2, R1.2, R1.8) draw every figure as a table first: the
// table is the page's content and works without JavaScript; a chart, where
// one helps, is drawn from the same figures by static/dashboard.js when the
// charting library is embedded. Every table is also a workbook
// (?table=ID on the page's export.xlsx), from the same statTable, so the
// page, the chart and the file cannot disagree.

// statCol is a column of a dashboard table.
type statCol struct {
	Label string
	Num   bool // numbers are right-aligned
	Width float64
}

// statCell is one value: the text shown, the value written to the
// workbook (int64, float64, a fraction for rates, string or nil), and
// optionally a link or a traffic light.
type statCell struct {
	Text  string
	Value any
	Rate  bool
	Link  string
	Light string // ok, warn, bad, none
}

// statCellView is a cell as the "stat-cell" template draws it: the first
// of a row is its header.
type statCellView struct {
	I   int
	Num bool
	C   statCell
}

// statRow is a row with the code of what it is about (platform,
// department, month …), for tests and links.
type statRow struct {
	Code  string
	Cells []statCell
}

// statTable is one table of a dashboard with its charts.
type statTable struct {
	ID     string
	Title  string
	Cols   []statCol
	Rows   []statRow
	Total  []statCell // the totals row (合计), nil when the table has none
	Notes  []string
	Charts []chartSpec
	Export string
}

// chartSpec is what static/dashboard.js needs to draw a chart of a table:
// bar, line (or both, by series), pie or gauge.
type chartSpec struct {
	ID         string        `json:"id"`
	Kind       string        `json:"kind"`
	Title      string        `json:"title"`
	Categories []string      `json:"categories,omitempty"`
	Series     []chartSeries `json:"series,omitempty"`
	Percent    bool          `json:"percent,omitempty"`
	Gauge      *chartGauge   `json:"gauge,omitempty"`
}

// chartSeries is one series; nil values are gaps.
type chartSeries struct {
	Name string     `json:"name"`
	Kind string     `json:"kind"` // bar or line
	Data []*float64 `json:"data"`
}

// chartGauge is one target gauge: the value against its target on a dial
// from 0 to Max.
type chartGauge struct {
	Name    string  `json:"name"`
	Value   float64 `json:"value"`
	Target  float64 `json:"target"`
	Max     float64 `json:"max"`
	Percent bool    `json:"percent"`
}

func num(n int64) *float64 {
	f := float64(n)
	return &f
}

// ---- cells ----

func textCell(s string) statCell { return statCell{Text: s, Value: s} }

func linkCell(s, url string) statCell { return statCell{Text: s, Value: s, Link: url} }

func intCell(n int64) statCell { return statCell{Text: strconv.FormatInt(n, 10), Value: n} }

func blankCell() statCell { return statCell{} }

// rateCell shows a fraction as a percentage, "—" when there is none.
func rateCell(r *float64) statCell {
	if r == nil {
		return statCell{Text: "—", Rate: true}
	}
	return statCell{Text: pctText(*r), Value: *r, Rate: true}
}

func pctText(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

func ratio(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}

// ---- traffic lights ----

// The lights of a figure against its target: met (ok), not yet met but on
// track for the part of the year gone (warn), behind (bad), nothing to
// judge (none).
const (
	lightOK   = "ok"
	lightWarn = "warn"
	lightBad  = "bad"
	lightNone = "none"
)

// OnTimeTarget is the on-time rate the dashboards judge platforms by. The
// notice sets no on-time standard; 90 % follows its satisfaction standard.
const OnTimeTarget = 0.9

// onTimeWarn is how far below the on-time target is amber, not red.
const onTimeWarn = 0.1

// yearShare is the part of the year gone by at now: 1 for a past year,
// 0 for a future one.
func yearShare(year int, now time.Time) float64 {
	now = now.In(httpx.Location)
	switch {
	case year < now.Year():
		return 1
	case year > now.Year():
		return 0
	}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, httpx.Location)
	end := start.AddDate(1, 0, 0)
	return float64(now.Sub(start)) / float64(end.Sub(start))
}

// smesLight judges SMEs served against the yearly target: met, on track
// for the part of the year gone, or behind.
func smesLight(served int64, target int, share float64) string {
	switch {
	case served >= int64(target):
		return lightOK
	case float64(served) >= float64(target)*share:
		return lightWarn
	}
	return lightBad
}

// rateLight judges a rate against its threshold; warn is how far below
// still counts as amber (0 for none).
func rateLight(r *float64, min, warn float64) string {
	switch {
	case r == nil:
		return lightNone
	case *r >= min-1e-9:
		return lightOK
	case warn > 0 && *r >= min-warn-1e-9:
		return lightWarn
	}
	return lightBad
}

// worst is the overall light of several: the worst judged one.
func worst(lights ...string) string {
	rank := map[string]int{lightNone: 0, lightOK: 1, lightWarn: 2, lightBad: 3}
	out := lightNone
	for _, l := range lights {
		if rank[l] > rank[out] {
			out = l
		}
	}
	return out
}

func (p *Page) lightCell(l string) statCell {
	s := p.T("dashboard.light." + l)
	return statCell{Text: s, Value: s, Light: l}
}

// ---- the year ----

// dashYear reads ?year=YYYY, this year (CST) when absent. Errors: invalid
// year.
func (w *Web) dashYear(r *http.Request) (int, error) {
	s := strings.TrimSpace(r.URL.Query().Get("year"))
	if s == "" {
		return w.s.Clock.Now().In(httpx.Location).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Field("year", "invalid_number", "error.number")
	}
	return y, stats.ValidYear(y)
}

// dashYears are the years offered: this year and the four before it, and
// the year shown when it is another.
func (w *Web) dashYears(year int) []int {
	y := w.s.Clock.Now().In(httpx.Location).Year()
	out := []int{y, y - 1, y - 2, y - 3, y - 4}
	if year > y || year < y-4 {
		out = append(out, year)
	}
	return out
}

// dashPeriod is the period a year's figures cover: the whole year, or up
// to today for this year.
func (w *Web) dashPeriod(p *Page, year int) string {
	now := w.s.Clock.Now().In(httpx.Location)
	end := strconv.Itoa(year) + "-12-31"
	if year == now.Year() {
		end = now.Format(time.DateOnly)
	}
	return p.T("dashboard.period_range", "from", strconv.Itoa(year)+"-01-01", "to", end)
}
