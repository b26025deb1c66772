// Package form parses submitted HTML forms into domain inputs and keeps what
// the user typed with the error of each field, so a rejected form comes back
// filled in with the message next to the field at fault.
package form

import (
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/locale"
)

// Form is a submitted (or pre-filled) form.
type Form struct {
	Values url.Values
	Errors map[string]string // field name → message
	// General is a message not tied to one field (conflicts, denials).
	General string
}

// New wraps a copy of form values (changing the form never changes the
// request).
func New(v url.Values) *Form {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return &Form{Values: c, Errors: map[string]string{}}
}

// Fill sets every field of d that f lacks, so that a page holding several
// forms shows what was submitted in one and the stored values in the
// others.
func (f *Form) Fill(d *Form) {
	for k, vs := range d.Values {
		if _, ok := f.Values[k]; !ok {
			f.Values[k] = append([]string(nil), vs...)
		}
	}
}

// Fail records err on the form: a field error next to its field, anything
// else as the general message. It returns the HTTP status to answer with.
func (f *Form) Fail(p *locale.Printer, err error) int {
	e := apperr.As(err)
	msg := httpx.Message(p, e)
	if e.Field != "" && (e.Kind == apperr.Invalid || e.Kind == apperr.Conflict) {
		f.Errors[e.Field] = msg
		if e.Kind == apperr.Conflict {
			f.General = msg
		}
	} else {
		f.General = msg
	}
	return httpx.Status(e.Kind)
}

// FieldView is one field as a template shows it.
type FieldView struct {
	Name   string
	Label  string
	Value  string
	Values []string
	Error  string
}

// Has reports whether a multi-valued field holds v (checkboxes, selects).
func (v FieldView) Has(s string) bool {
	for _, x := range v.Values {
		if x == s {
			return true
		}
	}
	return false
}

// ErrorID is the id of the field's error message (aria-describedby).
func (v FieldView) ErrorID() string { return "err-" + v.Name }

// View returns the view of one field.
func (f *Form) View(p *locale.Printer, name string) FieldView {
	return FieldView{Name: name, Label: p.Field(name), Value: f.Values.Get(name), Values: f.Values[name], Error: f.Errors[name]}
}

// Text returns a trimmed value.
func (f *Form) Text(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// Bool reports whether a checkbox is checked.
func (f *Form) Bool(name string) bool {
	v := f.Values.Get(name)
	return v == "on" || v == "true" || v == "1"
}

// Int parses an integer field; empty is 0. The error names the field.
func (f *Form) Int(name string) (int, error) {
	s := f.Text(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Field(name, "invalid_number", "error.number")
	}
	return n, nil
}

// Float parses a decimal field; empty is 0. The error names the field.
func (f *Form) Float(name string) (float64, error) {
	s := f.Text(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, apperr.Field(name, "invalid_number", "error.number")
	}
	return n, nil
}

// Numbers parses several numeric fields at once, stopping at the first bad
// one.
type Numbers struct {
	f   *Form
	err error
}

// Numbers starts a batch of numeric parses.
func (f *Form) Numbers() *Numbers { return &Numbers{f: f} }

// Int parses an integer into dst unless an earlier field failed.
func (n *Numbers) Int(name string, dst *int) *Numbers {
	if n.err == nil {
		*dst, n.err = n.f.Int(name)
	}
	return n
}

// Float parses a decimal into dst unless an earlier field failed.
func (n *Numbers) Float(name string, dst *float64) *Numbers {
	if n.err == nil {
		*dst, n.err = n.f.Float(name)
	}
	return n
}

// Err is the first parse error.
func (n *Numbers) Err() error { return n.err }
