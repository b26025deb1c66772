package form

import (
	"net/url"

	"github.com/qifu/qifu/internal/org"
)

// Region parses the region form. Its fields are all text, so it cannot
// fail; the domain validates them.
func (f *Form) Region() org.Region {
	return org.Region{Code: f.Text("code"), Name: f.Text("name"), Level: org.Level(f.Text("level")),
		ParentCode: f.Text("parent_code"), KeyStreet: f.Bool("key_street")}
}

// RegionPatch parses the region edit form: name and key-street flag, the
// only fields that may change.
func (f *Form) RegionPatch() org.RegionPatch {
	name, key := f.Text("name"), f.Bool("key_street")
	return org.RegionPatch{Name: &name, KeyStreet: &key}
}

// FromRegion pre-fills the form from a region.
func FromRegion(r org.Region) *Form {
	v := url.Values{}
	v.Set("code", r.Code)
	v.Set("name", r.Name)
	v.Set("level", string(r.Level))
	v.Set("parent_code", r.ParentCode)
	if r.KeyStreet {
		v.Set("key_street", "on")
	}
	return New(v)
}

// Department parses the department form; categories are its checked boxes.
func (f *Form) Department() org.Department {
	return org.Department{Code: f.Text("code"), Name: f.Text("name"), Categories: f.list("categories")}
}

// DepartmentPatch parses the department edit form. No box checked means
// the department owns no category.
func (f *Form) DepartmentPatch() org.DepartmentPatch {
	d := f.Department()
	return org.DepartmentPatch{Name: &d.Name, Categories: &d.Categories}
}

// FromDepartment pre-fills the form from a department.
func FromDepartment(d org.Department) *Form {
	v := url.Values{}
	v.Set("code", d.Code)
	v.Set("name", d.Name)
	v["categories"] = append([]string(nil), d.Categories...)
	return New(v)
}

// Institution parses the institution form.
func (f *Form) Institution() org.Institution {
	return org.Institution{Code: f.Text("code"), Name: f.Text("name"), Kind: f.Text("kind"),
		PlatformCode: f.Text("platform_code")}
}

// InstitutionPatch parses the institution edit form.
func (f *Form) InstitutionPatch() org.InstitutionPatch {
	in := f.Institution()
	return org.InstitutionPatch{Name: &in.Name, Kind: &in.Kind, PlatformCode: &in.PlatformCode}
}

// FromInstitution pre-fills the form from an institution.
func FromInstitution(in org.Institution) *Form {
	v := url.Values{}
	v.Set("code", in.Code)
	v.Set("name", in.Name)
	v.Set("kind", in.Kind)
	v.Set("platform_code", in.PlatformCode)
	return New(v)
}

// list returns every value of a multi-valued field (checkboxes), never nil.
func (f *Form) list(name string) []string {
	return append([]string{}, f.Values[name]...)
}
