package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/uscc"
)

func (a *API) registerEnterprises() {
	a.addPublic("GET", "/api/v1/sme-size", a.smeSize)
	a.add("POST", "/api/v1/enterprises", a.createEnterprise)
	a.add("GET", "/api/v1/enterprises", a.listEnterprises)
	a.add("GET", "/api/v1/enterprises/{uscc}", a.getEnterprise)
	a.add("PATCH", "/api/v1/enterprises/{uscc}", a.updateEnterprise)
	a.add("GET", "/api/v1/enterprises/{uscc}/contact", a.revealContact)
}

type smeSizeJSON struct {
	Size     enterprise.Size    `json:"size"`
	Standard string             `json:"standard"`
	Title    string             `json:"standard_title"`
	Checks   []enterprise.Check `json:"checks"`
}

// figure parses an optional number from the query; the error names the
// parameter. NaN and infinities parse as floats but are not figures (and
// cannot be written as JSON).
func figure(r *http.Request, name string) (*float64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, apperr.Field(name, "invalid_number", "error.number")
	}
	return &v, nil
}

func (a *API) smeSize(r *http.Request, _ access.Actor) (int, any, error) {
	var f enterprise.Figures
	var err error
	if f.Employees, err = figure(r, "employees"); err != nil {
		return 0, nil, err
	}
	if f.Revenue, err = figure(r, "revenue_wan"); err != nil {
		return 0, nil, err
	}
	if f.Assets, err = figure(r, "assets_wan"); err != nil {
		return 0, nil, err
	}
	st := enterprise.CurrentStandard()
	d, err := st.Classify(r.URL.Query().Get("industry"), f)
	if err != nil {
		return 0, nil, err
	}
	title := st.Title
	if printerOf(r).Lang != "zh-CN" {
		title = st.TitleEn
	}
	return http.StatusOK, smeSizeJSON{Size: d.Size, Standard: d.Standard, Title: title, Checks: d.Checks}, nil
}

func (a *API) createEnterprise(r *http.Request, actor access.Actor) (int, any, error) {
	var in enterprise.Enterprise
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Enterprise.Create(r.Context(), actor, in)
	return http.StatusCreated, out, err
}

func (a *API) listEnterprises(r *http.Request, actor access.Actor) (int, any, error) {
	limit, after, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	f := enterprise.Filter{RegionPrefix: q.Get("region_code"), Industry: q.Get("industry"),
		Size: enterprise.Size(q.Get("size")), Sort: enterprise.Sort(q.Get("sort")), Limit: limit}
	if text := q.Get("q"); text != "" {
		query, ok := enterprise.ParseQuery(text)
		if !ok {
			return 0, nil, apperr.Field("q", "too_short", "error.query_short")
		}
		f.Query = &query
	}
	if after != "" {
		key, id, ok := enterprise.ParseCursor(after)
		if !ok {
			return 0, nil, apperr.Field("cursor", "invalid", "error.cursor")
		}
		f.AfterKey, f.AfterID = key, id
		if f.Query != nil {
			rank, err := strconv.Atoi(key)
			if err != nil {
				return 0, nil, apperr.Field("cursor", "invalid", "error.cursor")
			}
			f.AfterRank = enterprise.Rank(rank)
		}
	}
	items, next, err := a.s.Enterprise.List(r.Context(), actor, f)
	return http.StatusOK, newList(items, next), err
}

func (a *API) getEnterprise(r *http.Request, actor access.Actor) (int, any, error) {
	out, err := a.s.Enterprise.Get(r.Context(), actor, r.PathValue("uscc"))
	return http.StatusOK, out, err
}

func (a *API) updateEnterprise(r *http.Request, actor access.Actor) (int, any, error) {
	var p enterprise.Patch
	if err := decode(r, &p); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Enterprise.Update(r.Context(), actor, r.PathValue("uscc"), p)
	return http.StatusOK, out, err
}

type contactJSON struct {
	USCC         string `json:"uscc"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
}

// revealContact answers the full telephone number; each call is audited.
func (a *API) revealContact(r *http.Request, actor access.Actor) (int, any, error) {
	name, phone, err := a.s.Enterprise.RevealContact(r.Context(), actor, r.PathValue("uscc"))
	return http.StatusOK, contactJSON{USCC: uscc.Normalize(r.PathValue("uscc")), ContactName: name, ContactPhone: phone}, err
}
