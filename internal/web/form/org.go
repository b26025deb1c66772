package form

import (
	"net/url"
	"strconv"

	"github.com/qifu/qifu/internal/org"
)

// Platform parses the platform form.
func (f *Form) Platform() (org.Platform, error) {
	p := org.Platform{
		Code: f.Text("code"), Name: f.Text("name"), Tier: org.Tier(f.Text("tier")), RegionCode: f.Text("region_code"),
		ParentCode: f.Text("parent_code"), LegalStatus: f.Text("legal_status"), OperatingBody: f.Text("operating_body"),
		FundingSource: f.Text("funding_source"), Hotline: f.Text("hotline"), Address: f.Text("address"),
		EstablishedOn: f.Text("established_on"),
	}
	err := f.Numbers().Float("funding_wan", &p.FundingWan).Int("staff_count", &p.StaffCount).
		Int("professional_staff", &p.ProfessionalStaff).Float("area_m2", &p.AreaM2).Err()
	return p, err
}

// PlatformPatch parses the platform edit form (every editable field).
func (f *Form) PlatformPatch() (org.PlatformPatch, error) {
	p, err := f.Platform()
	if err != nil {
		return org.PlatformPatch{}, err
	}
	return org.PlatformPatch{
		Name: &p.Name, ParentCode: &p.ParentCode, LegalStatus: &p.LegalStatus, OperatingBody: &p.OperatingBody,
		FundingSource: &p.FundingSource, FundingWan: &p.FundingWan, StaffCount: &p.StaffCount,
		ProfessionalStaff: &p.ProfessionalStaff, AreaM2: &p.AreaM2, Hotline: &p.Hotline, Address: &p.Address,
		EstablishedOn: &p.EstablishedOn,
	}, nil
}

// FromPlatform pre-fills the form from a platform.
func FromPlatform(p org.Platform) *Form {
	v := url.Values{}
	set := func(k, s string) { v.Set(k, s) }
	set("code", p.Code)
	set("name", p.Name)
	set("tier", string(p.Tier))
	set("region_code", p.RegionCode)
	set("parent_code", p.ParentCode)
	set("legal_status", p.LegalStatus)
	set("operating_body", p.OperatingBody)
	set("funding_source", p.FundingSource)
	set("funding_wan", strconv.FormatFloat(p.FundingWan, 'f', -1, 64))
	set("staff_count", strconv.Itoa(p.StaffCount))
	set("professional_staff", strconv.Itoa(p.ProfessionalStaff))
	set("area_m2", strconv.FormatFloat(p.AreaM2, 'f', -1, 64))
	set("hotline", p.Hotline)
	set("address", p.Address)
	set("established_on", p.EstablishedOn)
	return New(v)
}
