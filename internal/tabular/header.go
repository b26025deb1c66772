package tabular

import (
	"errors"
	"strings"

	"golang.org/x/text/width"
)

// Columns maps field names to the column that holds each, with the heading
// as written in the file (for reports).
type Columns struct {
	index   map[string]int
	heading map[string]string
}

// NormalizeHeading makes headings comparable: half-width, no spaces, lower
// case, Chinese brackets as ASCII ones.
func NormalizeHeading(s string) string {
	s = width.Fold.String(strings.TrimSpace(s))
	s = headingReplacer.Replace(s)
	return strings.ToLower(s)
}

// headingReplacer is built once: importers normalise a cell or two of every
// row, and building it per call was a tenth of an import's allocations.
var headingReplacer = strings.NewReplacer(" ", "", "\u3000", "", "【", "(", "】", ")", "［", "(", "］", ")")

// MapHeader finds each field's column by its aliases (Chinese and English
// headings); unknown lists the headings that map to no field. When two
// columns map to one field the first wins.
func MapHeader(header []string, aliases map[string][]string) (Columns, []string) {
	lookup := map[string]string{}
	for field, names := range aliases {
		lookup[NormalizeHeading(field)] = field
		for _, n := range names {
			lookup[NormalizeHeading(n)] = field
		}
	}
	c := Columns{index: map[string]int{}, heading: map[string]string{}}
	var unknown []string
	for i, h := range header {
		field, ok := lookup[NormalizeHeading(h)]
		if !ok {
			if h != "" {
				unknown = append(unknown, h)
			}
			continue
		}
		if _, dup := c.index[field]; !dup {
			c.index[field] = i
			c.heading[field] = h
		}
	}
	return c, unknown
}

// Has reports whether a field has a column.
func (c Columns) Has(field string) bool {
	_, ok := c.index[field]
	return ok
}

// Missing lists the fields of want without a column.
func (c Columns) Missing(want ...string) []string {
	var out []string
	for _, f := range want {
		if !c.Has(f) {
			out = append(out, f)
		}
	}
	return out
}

// Get returns a row's value of a field ("" when absent or short).
func (c Columns) Get(row []string, field string) string {
	i, ok := c.index[field]
	if !ok || i >= len(row) {
		return ""
	}
	return row[i]
}

// Heading is the heading the file uses for a field (the field name when it
// has none).
func (c Columns) Heading(field string) string {
	if h, ok := c.heading[field]; ok {
		return h
	}
	return field
}

// ErrNoHeader is returned when no row near the top names the required
// columns.
var ErrNoHeader = errors.New("tabular: no header row with the required columns")

// headerRows is how far down a sheet the header may sit (below a title and
// blank rows).
const headerRows = 10

// FindHeader finds the header: the first of the top rows that has a column
// for every required field (bureau sheets often carry a title above it).
// Data rows follow it. When no row qualifies it returns the columns of the
// first row, the fields missing there, and ErrNoHeader.
func FindHeader(r Reader, aliases map[string][]string, required ...string) (Columns, []string, []string, error) {
	first, unknown := MapHeader(r.Header(), aliases)
	if len(first.Missing(required...)) == 0 {
		return first, unknown, nil, nil
	}
	for i := 1; i < headerRows; i++ {
		row, _, err := r.Next()
		if err != nil {
			break
		}
		c, u := MapHeader(row, aliases)
		if len(c.Missing(required...)) == 0 {
			return c, u, nil, nil
		}
	}
	return first, unknown, first.Missing(required...), ErrNoHeader
}
