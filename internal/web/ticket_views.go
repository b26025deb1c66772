package web

import (
	"time"

	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/web/form"
)

// option is one choice of a select.
type option struct{ Value, Label string }

// choiceView is a select as the "choice-select" partial draws it.
type choiceView struct {
	Field    form.FieldView
	Required bool
	Empty    string // the label of the empty choice; none when ""
	Options  []option
}

// Choice describes a select of values labelled by catalog keys
// prefix+value; emptyKey labels the empty choice ("" for none).
func (p *Page) Choice(name string, required bool, emptyKey, prefix string, values []string) choiceView {
	v := choiceView{Field: p.F(name), Required: required}
	if emptyKey != "" {
		v.Empty = p.T(emptyKey)
	}
	for _, x := range values {
		v.Options = append(v.Options, option{Value: x, Label: p.T(prefix + x)})
	}
	return v
}

// areaView is a textarea as the "textarea" partial draws it.
type areaView struct {
	Field    form.FieldView
	Required bool
	Rows     int
}

// Area describes a textarea.
func (p *Page) Area(name string, required bool, rows int) areaView {
	return areaView{Field: p.F(name), Required: required, Rows: rows}
}

// regionView is the region select of ticket forms: districts and their
// streets.
type regionView struct {
	Field  form.FieldView
	P      *Page
	Groups []regionGroup
}

// RegionSelect describes the region select over groups.
func (p *Page) RegionSelect(groups []regionGroup) regionView {
	return regionView{Field: p.F("region_code"), P: p, Groups: groups}
}

// Deadline formats a deadline in China Standard Time; one falling at
// midnight reads as the end of the day before ("2026-11-27 24:00"), the
// way limits in working days are stated.
func (p *Page) Deadline(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	c := t.In(httpx.Location)
	if c.Hour() == 0 && c.Minute() == 0 && c.Second() == 0 {
		return c.AddDate(0, 0, -1).Format("2006-01-02") + " 24:00"
	}
	return c.Format("2006-01-02 15:04")
}
