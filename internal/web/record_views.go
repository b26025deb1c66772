package web

import (
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/web/form"
)

// Relabel gives a field the label of a catalog key: a record's "kind" is
// its kind of service, its "platform_code" the platform that served, not
// what those names mean on other forms.
func (p *Page) Relabel(v choiceView, key string) choiceView {
	v.Field.Label = p.T(key)
	return v
}

// platformView is the select of the platforms a record may be for.
type platformView struct {
	Field     form.FieldView
	Platforms []org.Platform
}

// PlatformSelect describes the record form's platform select.
func (p *Page) PlatformSelect(plats []org.Platform) platformView {
	f := p.F("platform_code")
	f.Label = p.T("record.platform")
	return platformView{Field: f, Platforms: plats}
}

// keptField is a value a form carries on in a hidden input.
type keptField struct{ Name, Value string }

// Keep lists the named fields of the form that have a value, to carry
// them through another form on the page.
func (p *Page) Keep(names ...string) []keptField {
	var out []keptField
	for _, n := range names {
		if v := p.F(n).Value; v != "" {
			out = append(out, keptField{n, v})
		}
	}
	return out
}

// recordProps is a record as the "record-props" partial draws it.
type recordProps struct {
	P *Page
	R recordRow
}

// RecordProps describes a record's details.
func (p *Page) RecordProps(r recordRow) recordProps { return recordProps{P: p, R: r} }

// InAs is In with the label of a catalog key (a record's date is the day
// of the service) and no hint (other forms' hints do not fit records).
func (p *Page) InAs(name, typ string, required bool, key string) InputView {
	v := p.In(name, typ, required, "off")
	v.Label, v.Hint = p.T(key), ""
	return v
}
