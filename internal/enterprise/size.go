package enterprise

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"

	"github.com/qifu/qifu/internal/apperr"
)

// Size is an enterprise's class under the SME standard.
type Size string

const (
	Large  Size = "large"
	Medium Size = "medium"
	Small  Size = "small"
	Micro  Size = "micro"
)

// Sizes lists the classes from the top.
var Sizes = []Size{Large, Medium, Small, Micro}

// Valid reports whether s is a known class.
func (s Size) Valid() bool { return s == Large || s == Medium || s == Small || s == Micro }

// SME reports whether the class counts as a small or medium enterprise
// (large ones are registered but outside the SME counts).
func (s Size) SME() bool { return s == Medium || s == Small || s == Micro }

// Measure is one figure a size rule reads.
type Measure string

const (
	Employees Measure = "employees" // persons
	Revenue   Measure = "revenue"   // 万元 a year
	Assets    Measure = "assets"    // 万元
)

// Rule is one industry group's thresholds: for each class above micro the
// floor of every measure it uses.
type Rule struct {
	Measures []Measure           `json:"measures"`
	Large    map[Measure]float64 `json:"large"`
	Medium   map[Measure]float64 `json:"medium"`
	Small    map[Measure]float64 `json:"small"`
}

func (r Rule) floors(s Size) map[Measure]float64 {
	switch s {
	case Large:
		return r.Large
	case Medium:
		return r.Medium
	case Small:
		return r.Small
	}
	return nil
}

// Standard is one version of the SME size standard: a data table, so a
// revised standard is a new file in sizes/, not new code.
type Standard struct {
	Version    string          `json:"version"`
	Title      string          `json:"title"`
	TitleEn    string          `json:"title_en"`
	Effective  string          `json:"effective"`
	Industries map[string]Rule `json:"industries"`
}

// Figures are what an enterprise reports; nil means not given.
type Figures struct {
	Employees *float64
	Revenue   *float64 // 万元
	Assets    *float64 // 万元
}

func (f Figures) get(m Measure) *float64 {
	switch m {
	case Employees:
		return f.Employees
	case Revenue:
		return f.Revenue
	case Assets:
		return f.Assets
	}
	return nil
}

// Check is one comparison the classification made.
type Check struct {
	Class   Size    `json:"class"`
	Measure Measure `json:"measure"`
	Floor   float64 `json:"floor"`
	Value   float64 `json:"value"`
	Met     bool    `json:"met"`
}

// Decision is a classification with the comparisons that decided it: for
// the class found, every floor met; for each class above, the floor that
// was not.
type Decision struct {
	Size     Size    `json:"size"`
	Standard string  `json:"standard"`
	Checks   []Check `json:"checks"`
}

// Classify puts an enterprise of an industry into its class: a class needs
// every listed figure at or above its floor, checked from large down; micro
// is what is left. Errors: invalid industry (unknown), invalid on the first
// figure the rule needs that is missing or negative.
func (st Standard) Classify(industry string, f Figures) (Decision, error) {
	rule, ok := st.Industries[industry]
	if !ok {
		if industry == "" {
			return Decision{}, apperr.Required("industry")
		}
		return Decision{}, apperr.Field("industry", "unknown_industry", "error.unknown_industry")
	}
	for _, m := range rule.Measures {
		v := f.get(m)
		if v == nil {
			return Decision{}, apperr.Field(fieldOf(m), "required", "error.size_figure_required").With("industry", industryKey(industry))
		}
		if *v < 0 {
			return Decision{}, apperr.Field(fieldOf(m), "out_of_range", "error.negative")
		}
	}
	d := Decision{Standard: st.Version}
	for _, class := range []Size{Large, Medium, Small} {
		floors := rule.floors(class)
		met := true
		for _, m := range rule.Measures {
			c := Check{Class: class, Measure: m, Floor: floors[m], Value: *f.get(m)}
			c.Met = c.Value >= c.Floor
			if !c.Met {
				met = false
				d.Checks = append(d.Checks, c)
			}
		}
		if met {
			for _, m := range rule.Measures {
				d.Checks = append(d.Checks, Check{Class: class, Measure: m, Floor: floors[m], Value: *f.get(m), Met: true})
			}
			d.Size = class
			return d, nil
		}
	}
	d.Size = Micro
	return d, nil
}

// Needs lists the measures an industry's rule reads.
func (st Standard) Needs(industry string) []Measure {
	return st.Industries[industry].Measures
}

// fieldOf is the API field name of a measure.
func fieldOf(m Measure) string {
	switch m {
	case Revenue:
		return "revenue_wan"
	case Assets:
		return "assets_wan"
	}
	return "employees"
}

//go:embed sizes/*.json
var sizeFS embed.FS

var (
	standards map[string]Standard
	current   Standard
)

func init() {
	standards = map[string]Standard{}
	files, err := fs.Glob(sizeFS, "sizes/*.json")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		b, err := sizeFS.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var st Standard
		if err := json.Unmarshal(b, &st); err != nil {
			panic(fmt.Sprintf("enterprise: size standard %s: %v", f, err))
		}
		if err := st.validate(); err != nil {
			panic(fmt.Sprintf("enterprise: size standard %s: %v", f, err))
		}
		standards[st.Version] = st
		if st.Effective > current.Effective {
			current = st
		}
	}
}

// validate checks a standard's table is complete: every industry key, and
// floors that rise from small to large.
func (st Standard) validate() error {
	for _, key := range Industries {
		r, ok := st.Industries[key]
		if !ok {
			return fmt.Errorf("industry %q missing", key)
		}
		for _, m := range r.Measures {
			if !(r.Small[m] <= r.Medium[m] && r.Medium[m] <= r.Large[m]) {
				return fmt.Errorf("industry %q measure %s: floors do not rise", key, m)
			}
		}
	}
	return nil
}

// CurrentStandard is the standard in force (the latest effective date).
func CurrentStandard() Standard { return current }

// StandardVersions lists the loaded standards' versions.
func StandardVersions() []string {
	out := make([]string, 0, len(standards))
	for v := range standards {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
