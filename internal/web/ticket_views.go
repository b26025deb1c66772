package web

import "github.com/qifu/qifu/internal/web/form"

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
