package form

import (
	"github.com/qifu/qifu/internal/record"
)

// RecordInput parses the form recording a service.
func (f *Form) RecordInput() record.Input {
	return record.Input{PlatformCode: f.Text("platform_code"), EnterpriseUSCC: f.Text("enterprise_uscc"), Kind: f.Text("kind"),
		ServiceArea: f.Text("service_area"), Date: f.Text("date"), Note: f.Text("note")}
}

// FromRecord pre-fills the correction form with a record's fields.
func FromRecord(r record.Record) *Form {
	f := New(nil)
	for name, v := range map[string]string{"platform_code": r.PlatformCode, "enterprise_uscc": r.EnterpriseUSCC, "kind": r.Kind,
		"service_area": r.ServiceArea, "date": r.Date, "note": r.Note} {
		f.Values.Set(name, v)
	}
	return f
}

// RecordCorrection parses the correction form against the record it
// corrects: only the fields that differ from it are sent as changes, and
// the "withdraw" button cancels without a replacement.
func (f *Form) RecordCorrection(old record.Record) record.Correction {
	c := record.Correction{Reason: f.Text("reason"), Cancel: f.Text("withdraw") != ""}
	for _, x := range []struct {
		name, was string
		dst       **string
	}{{"platform_code", old.PlatformCode, &c.PlatformCode}, {"enterprise_uscc", old.EnterpriseUSCC, &c.EnterpriseUSCC},
		{"kind", old.Kind, &c.Kind}, {"service_area", old.ServiceArea, &c.ServiceArea}, {"date", old.Date, &c.Date},
		{"note", old.Note, &c.Note}} {
		if _, sent := f.Values[x.name]; !sent {
			continue // a field the form did not offer (a ticket's facts)
		}
		if v := f.Text(x.name); v != x.was {
			*x.dst = &v
		}
	}
	return c
}
