package enterprise

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/tabular"
	"github.com/qifu/qifu/internal/uscc"
)

// parser turns rows into validated enterprises (in its own goroutine, so
// parsing and validation overlap with writing).
type parser struct {
	cols    tabular.Columns
	regions regionResolver
	seen    *seenCodes // credit code → row it was last seen in
	res     *ImportResult
	o       ImportOptions
	mu      sync.Mutex // guards res, shared with the writer

	// The industry and region cells of a list repeat from row to row:
	// their lookups (normalising the text first) are remembered, up to
	// maxCachedCells distinct cells each.
	industries map[string]string
	regionHits map[string]regionHit
}

type regionHit struct {
	code string
	err  error
}

const maxCachedCells = 4096

// industry looks up an industry cell (ok false when unknown).
func (p *parser) industry(cell string) (string, bool) {
	if key, ok := p.industries[cell]; ok {
		return key, key != ""
	}
	key := industryLookup[tabular.NormalizeHeading(cell)]
	if p.industries == nil {
		p.industries = map[string]string{}
	}
	if len(p.industries) < maxCachedCells {
		p.industries[cell] = key
	}
	return key, key != ""
}

// region resolves a region cell.
func (p *parser) region(cell string) (string, error) {
	if h, ok := p.regionHits[cell]; ok {
		return h.code, h.err
	}
	code, err := p.regions.resolve(cell)
	if p.regionHits == nil {
		p.regionHits = map[string]regionHit{}
	}
	if len(p.regionHits) < maxCachedCells {
		p.regionHits[cell] = regionHit{code, err}
	}
	return code, err
}

func (p *parser) run(ctx context.Context, r tabular.Reader, out chan<- importBatch) error {
	batch := make([]Enterprise, 0, p.o.BatchSize)
	inBatch := map[[18]byte]int{}
	send := func() bool {
		if len(batch) == 0 {
			return true
		}
		// In credit-code order, the batch's entries of the unique index go
		// in one pass over its pages rather than at random.
		slices.SortFunc(batch, func(a, b Enterprise) int { return strings.Compare(a.USCC, b.USCC) })
		select {
		case out <- importBatch{rows: batch}:
		case <-ctx.Done():
			return false
		}
		batch = make([]Enterprise, 0, p.o.BatchSize)
		clear(inBatch)
		return true
	}
	for {
		row, n, err := r.Next()
		if errors.Is(err, io.EOF) {
			send()
			return nil
		}
		if err != nil {
			// A line the CSV reader cannot parse is one rejected row.
			p.mu.Lock()
			p.res.Rows++
			p.mu.Unlock()
			p.problem(tabular.Problem{Row: n, Reason: err.Error()}, false)
			if n == 0 {
				return err
			}
			continue
		}
		p.mu.Lock()
		p.res.Rows++
		p.mu.Unlock()
		e, field, err := p.parse(row)
		if err != nil {
			p.problem(tabular.Problem{Row: n, Column: p.cols.Heading(field), Value: p.cols.Get(row, field),
				Reason: p.o.Describe(err)}, false)
			continue
		}
		key := [18]byte([]byte(e.USCC))
		if prev, ok := p.seen.put(e.USCC, n); ok {
			p.mu.Lock()
			p.res.Duplicates++
			p.mu.Unlock()
			p.problem(tabular.Problem{Row: n, Column: p.cols.Heading("uscc"), Value: e.USCC,
				Reason: p.o.Describe(apperr.Field("uscc", "duplicate_in_file", "error.duplicate_in_file").With("row", prev))}, true)
		}
		if i, ok := inBatch[key]; ok {
			batch[i] = e
		} else {
			inBatch[key] = len(batch)
			batch = append(batch, e)
		}
		if len(batch) >= p.o.BatchSize && !send() {
			return ctx.Err()
		}
	}
}

// problem records a rejected row (or a warning) for the report.
func (p *parser) problem(pr tabular.Problem, warning bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr.Warning = warning
	if !warning {
		p.res.Rejected++
	}
	if len(p.res.Problems) < p.o.MaxProblems {
		p.res.Problems = append(p.res.Problems, pr)
	} else {
		p.res.Truncated = true
	}
}

// parse builds an enterprise from a row; on error it names the field.
func (p *parser) parse(row []string) (Enterprise, string, error) {
	get := func(f string) string { return p.cols.Get(row, f) }
	e := Enterprise{USCC: get("uscc"), Name: get("name"), Address: get("address"),
		ContactName: get("contact_name"), ContactPhone: get("contact_phone")}
	if r := uscc.Check(e.USCC); !r.Valid {
		if e.USCC == "" {
			return e, "uscc", apperr.Required("uscc")
		}
		return e, "uscc", InvalidUSCC("uscc", r)
	}
	ind := get("industry")
	if ind == "" {
		return e, "industry", apperr.Required("industry")
	}
	key, ok := p.industry(ind)
	if !ok {
		return e, "industry", apperr.Field("industry", "unknown_industry", "error.unknown_industry")
	}
	e.Industry = key
	if v := get("employees"); v != "" {
		n, err := parseCount(v)
		if err != nil {
			return e, "employees", apperr.Field("employees", "invalid_number", "error.number")
		}
		e.Employees = &n
	}
	for _, f := range []struct {
		name string
		dst  **float64
	}{{"revenue_wan", &e.RevenueWan}, {"assets_wan", &e.AssetsWan}} {
		if v := get(f.name); v != "" {
			x, err := parseWan(v)
			if err != nil {
				return e, f.name, apperr.Field(f.name, "invalid_number", "error.number")
			}
			*f.dst = &x
		}
	}
	cell := get("region_code")
	if cell == "" {
		return e, "region_code", apperr.Required("region_code")
	}
	region, err := p.region(cell)
	if err != nil {
		return e, "region_code", err
	}
	e.RegionCode = region
	e.Normalize()
	if err := e.Validate(); err != nil {
		return e, apperr.As(err).Field, err
	}
	return e, "", nil
}

var numberCleaner = strings.NewReplacer(",", "", "，", "", " ", "", "人", "", "万元", "", "万", "")

// parseCount reads a head count: "1,200", "1200人", "1200.0".
func parseCount(s string) (int64, error) {
	f, err := strconv.ParseFloat(numberCleaner.Replace(s), 64)
	if err != nil || f != float64(int64(f)) {
		return 0, fmt.Errorf("not a whole number: %q", s)
	}
	return int64(f), nil
}

// parseWan reads an amount in 万元: "1,200.5", "1200万元".
func parseWan(s string) (float64, error) {
	return strconv.ParseFloat(numberCleaner.Replace(s), 64)
}
