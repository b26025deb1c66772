package form

import (
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/enterprise"
)

// Enterprise parses the enterprise form. A figure left empty is not given
// (nil): the size standard needs only some figures per industry, and the
// domain names the one the chosen industry misses.
func (f *Form) Enterprise() (enterprise.Enterprise, error) {
	e := enterprise.Enterprise{
		USCC: f.Text("uscc"), Name: f.Text("name"), Industry: f.Text("industry"), RegionCode: f.Text("region_code"),
		Address: f.Text("address"), ContactName: f.Text("contact_name"), ContactPhone: f.Text("contact_phone"),
	}
	var err error
	if e.Employees, err = f.optInt("employees"); err != nil {
		return e, err
	}
	if e.RevenueWan, err = f.optFloat("revenue_wan"); err != nil {
		return e, err
	}
	e.AssetsWan, err = f.optFloat("assets_wan")
	return e, err
}

// EnterprisePatch parses the enterprise edit form. The credit code is not
// editable and is left out. An empty figure or telephone leaves the stored
// value as it is: the edit form never shows the full telephone number
// (R6.2), so an untouched field must not overwrite it.
func (f *Form) EnterprisePatch() (enterprise.Patch, error) {
	e, err := f.Enterprise()
	if err != nil {
		return enterprise.Patch{}, err
	}
	p := enterprise.Patch{Name: &e.Name, Industry: &e.Industry, RegionCode: &e.RegionCode, Address: &e.Address,
		ContactName: &e.ContactName, Employees: e.Employees, RevenueWan: e.RevenueWan, AssetsWan: e.AssetsWan}
	if e.ContactPhone != "" {
		p.ContactPhone = &e.ContactPhone
	}
	return p, nil
}

// FromEnterprise pre-fills the form from an enterprise as the viewer sees
// it. A masked telephone number is not filled in (it could not be saved
// back); the page shows it as a hint instead.
func FromEnterprise(e enterprise.Enterprise) *Form {
	v := url.Values{}
	v.Set("uscc", e.USCC)
	v.Set("name", e.Name)
	v.Set("industry", e.Industry)
	v.Set("region_code", e.RegionCode)
	v.Set("address", e.Address)
	v.Set("contact_name", e.ContactName)
	if !strings.Contains(e.ContactPhone, "*") {
		v.Set("contact_phone", e.ContactPhone)
	}
	if e.Employees != nil {
		v.Set("employees", strconv.FormatInt(*e.Employees, 10))
	}
	if e.RevenueWan != nil {
		v.Set("revenue_wan", strconv.FormatFloat(*e.RevenueWan, 'f', -1, 64))
	}
	if e.AssetsWan != nil {
		v.Set("assets_wan", strconv.FormatFloat(*e.AssetsWan, 'f', -1, 64))
	}
	return New(v)
}

// EnterpriseFilter parses the filters of the enterprise list (a GET form):
// search text, region, industry, size, sort and the page cursor. A search
// shorter than two letters or digits is refused on field q. A cursor that
// does not parse starts from the first page: it is a link the server made,
// and a mangled one is no reason to show an error.
func (f *Form) EnterpriseFilter() (enterprise.Filter, error) {
	filter := enterprise.Filter{RegionPrefix: f.Text("region_code"), Industry: f.Text("industry"),
		Size: enterprise.Size(f.Text("size")), Sort: enterprise.Sort(f.Text("sort"))}
	if text := f.Text("q"); text != "" {
		q, ok := enterprise.ParseQuery(text)
		if !ok {
			return filter, apperr.Field("q", "too_short", "error.query_short")
		}
		filter.Query = &q
	}
	if key, id, ok := enterprise.ParseCursor(f.Text("after")); ok {
		if filter.Query == nil {
			filter.AfterKey, filter.AfterID = key, id
		} else if rank, err := strconv.Atoi(key); err == nil {
			filter.AfterRank, filter.AfterID = enterprise.Rank(rank), id
		}
	}
	return filter, nil
}

// optInt parses an optional whole number: empty is nil.
func (f *Form) optInt(name string) (*int64, error) {
	s := f.Text(name)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		return nil, apperr.Field(name, "invalid_number", "error.number")
	}
	return &n, nil
}

// optFloat parses an optional decimal: empty is nil. "NaN" and "Inf",
// which ParseFloat accepts, are not numbers a person means.
func (f *Form) optFloat(name string) (*float64, error) {
	s := f.Text(name)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return nil, apperr.Field(name, "invalid_number", "error.number")
	}
	return &n, nil
}
