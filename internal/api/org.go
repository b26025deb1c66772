package api

import (
	"net/http"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
)

func (a *API) register() {
	a.addPublic("GET", "/api/v1/openapi.json", a.openAPI)
	a.addPublic("GET", "/api/v1/uscc/{code}", a.checkUSCC)

	a.add("GET", "/api/v1/me", a.me)

	a.add("POST", "/api/v1/regions", a.createRegion)
	a.add("GET", "/api/v1/regions", a.listRegions)
	a.add("GET", "/api/v1/regions/{code}", a.getRegion)
	a.add("PATCH", "/api/v1/regions/{code}", a.updateRegion)

	a.add("POST", "/api/v1/platforms", a.createPlatform)
	a.add("GET", "/api/v1/platforms", a.listPlatforms)
	a.add("GET", "/api/v1/platforms/{code}", a.getPlatform)
	a.add("PATCH", "/api/v1/platforms/{code}", a.updatePlatform)

	a.add("POST", "/api/v1/departments", a.createDepartment)
	a.add("GET", "/api/v1/departments", a.listDepartments)
	a.add("GET", "/api/v1/departments/{code}", a.getDepartment)
	a.add("PATCH", "/api/v1/departments/{code}", a.updateDepartment)

	a.add("POST", "/api/v1/institutions", a.createInstitution)
	a.add("GET", "/api/v1/institutions", a.listInstitutions)
	a.add("GET", "/api/v1/institutions/{code}", a.getInstitution)

	a.add("GET", "/api/v1/standards", a.listStandards)
	a.add("PUT", "/api/v1/standards/{tier}", a.updateStandard)
	a.add("GET", "/api/v1/brand", a.getBrand)
	a.add("PUT", "/api/v1/brand", a.updateBrand)

	a.add("POST", "/api/v1/users", a.createUser)
	a.add("GET", "/api/v1/users", a.listUsers)
	a.add("GET", "/api/v1/users/{username}", a.getUser)
	a.add("PATCH", "/api/v1/users/{username}", a.updateUser)
	a.add("POST", "/api/v1/users/{username}/tokens", a.createToken)
	a.add("GET", "/api/v1/users/{username}/tokens", a.listTokens)
	a.add("DELETE", "/api/v1/users/{username}/tokens/{id}", a.revokeToken)

	a.add("GET", "/api/v1/audit", a.listAudit)

	a.registerEnterprises()
	a.registerTickets()
	a.registerRecords()
	a.registerStats()
	a.registerCalendar()
	a.registerNotify()
}

// ---- regions ----

func (a *API) createRegion(r *http.Request, actor access.Actor) (int, any, error) {
	var in org.Region
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Org.CreateRegion(r.Context(), actor, in)
	return http.StatusCreated, out, err
}

func (a *API) listRegions(r *http.Request, actor access.Actor) (int, any, error) {
	limit, after, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	items, next, err := a.s.Org.Regions(r.Context(), actor, org.RegionFilter{
		Level: org.Level(q.Get("level")), ParentCode: q.Get("parent_code"), Q: q.Get("q"), After: after, Limit: limit})
	return http.StatusOK, newList(items, next), err
}

func (a *API) getRegion(r *http.Request, actor access.Actor) (int, any, error) {
	out, err := a.s.Org.Region(r.Context(), actor, r.PathValue("code"))
	return http.StatusOK, out, err
}

func (a *API) updateRegion(r *http.Request, actor access.Actor) (int, any, error) {
	var p org.RegionPatch
	if err := decode(r, &p); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Org.UpdateRegion(r.Context(), actor, r.PathValue("code"), p)
	return http.StatusOK, out, err
}

// ---- platforms ----

// platformJSON is a platform with its compliance against the tier standard.
type platformJSON struct {
	org.Platform
	Compliance org.Compliance `json:"compliance"`
}

func (a *API) withCompliance(r *http.Request, p org.Platform) (platformJSON, error) {
	c, err := a.s.Org.Compliance(r.Context(), p, org.Measures{})
	return platformJSON{Platform: p, Compliance: c}, err
}

func (a *API) createPlatform(r *http.Request, actor access.Actor) (int, any, error) {
	var in org.Platform
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	p, err := a.s.Org.CreatePlatform(r.Context(), actor, in)
	if err != nil {
		return 0, nil, err
	}
	out, err := a.withCompliance(r, p)
	return http.StatusCreated, out, err
}

func (a *API) listPlatforms(r *http.Request, actor access.Actor) (int, any, error) {
	limit, after, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	tier := org.Tier(q.Get("tier"))
	if tier != "" && !tier.Valid() {
		return 0, nil, apperr.Field("tier", "invalid_tier", "error.invalid_tier")
	}
	items, next, err := a.s.Org.Platforms(r.Context(), actor, org.PlatformFilter{
		Tier: tier, RegionCode: q.Get("region_code"), ParentCode: q.Get("parent_code"), Q: q.Get("q"), After: after, Limit: limit})
	if err != nil {
		return 0, nil, err
	}
	stds, err := a.s.Org.Standards(r.Context())
	if err != nil {
		return 0, nil, err
	}
	out := make([]platformJSON, len(items))
	for i, p := range items {
		out[i] = platformJSON{Platform: p, Compliance: org.Check(p, stds[p.Tier], org.Measures{})}
	}
	return http.StatusOK, newList(out, next), nil
}

func (a *API) getPlatform(r *http.Request, actor access.Actor) (int, any, error) {
	p, err := a.s.Org.Platform(r.Context(), actor, r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	out, err := a.withCompliance(r, p)
	return http.StatusOK, out, err
}

func (a *API) updatePlatform(r *http.Request, actor access.Actor) (int, any, error) {
	var p org.PlatformPatch
	if err := decode(r, &p); err != nil {
		return 0, nil, err
	}
	pl, err := a.s.Org.UpdatePlatform(r.Context(), actor, r.PathValue("code"), p)
	if err != nil {
		return 0, nil, err
	}
	out, err := a.withCompliance(r, pl)
	return http.StatusOK, out, err
}

// ---- departments ----

func (a *API) createDepartment(r *http.Request, actor access.Actor) (int, any, error) {
	var in org.Department
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Org.CreateDepartment(r.Context(), actor, in)
	return http.StatusCreated, out, err
}

func (a *API) listDepartments(r *http.Request, actor access.Actor) (int, any, error) {
	limit, after, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	items, next, err := a.s.Org.Departments(r.Context(), actor, org.DepartmentFilter{
		Category: q.Get("category"), Q: q.Get("q"), After: after, Limit: limit})
	return http.StatusOK, newList(items, next), err
}

func (a *API) getDepartment(r *http.Request, actor access.Actor) (int, any, error) {
	out, err := a.s.Org.Department(r.Context(), actor, r.PathValue("code"))
	return http.StatusOK, out, err
}

func (a *API) updateDepartment(r *http.Request, actor access.Actor) (int, any, error) {
	var p org.DepartmentPatch
	if err := decode(r, &p); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Org.UpdateDepartment(r.Context(), actor, r.PathValue("code"), p)
	return http.StatusOK, out, err
}

// ---- institutions ----

func (a *API) createInstitution(r *http.Request, actor access.Actor) (int, any, error) {
	var in org.Institution
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Org.CreateInstitution(r.Context(), actor, in)
	return http.StatusCreated, out, err
}

func (a *API) listInstitutions(r *http.Request, actor access.Actor) (int, any, error) {
	limit, after, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	items, next, err := a.s.Org.Institutions(r.Context(), actor, org.InstitutionFilter{
		Kind: q.Get("kind"), PlatformCode: q.Get("platform_code"), Q: q.Get("q"), After: after, Limit: limit})
	return http.StatusOK, newList(items, next), err
}

func (a *API) getInstitution(r *http.Request, actor access.Actor) (int, any, error) {
	out, err := a.s.Org.Institution(r.Context(), actor, r.PathValue("code"))
	return http.StatusOK, out, err
}

// ---- standards and brand ----

func (a *API) listStandards(r *http.Request, actor access.Actor) (int, any, error) {
	if !actor.SeesNetwork() {
		return 0, nil, apperr.Deny()
	}
	stds, err := a.s.Org.Standards(r.Context())
	items := make([]org.Standard, 0, len(org.Tiers))
	for _, t := range org.Tiers {
		items = append(items, stds[t])
	}
	return http.StatusOK, newList(items, ""), err
}

func (a *API) updateStandard(r *http.Request, actor access.Actor) (int, any, error) {
	var in org.Standard
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	in.Tier = org.Tier(r.PathValue("tier"))
	out, err := a.s.Org.UpdateStandard(r.Context(), actor, in)
	return http.StatusOK, out, err
}

func (a *API) getBrand(r *http.Request, actor access.Actor) (int, any, error) {
	out, err := a.s.Org.Brand(r.Context())
	return http.StatusOK, out, err
}

func (a *API) updateBrand(r *http.Request, actor access.Actor) (int, any, error) {
	var in org.Brand
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Org.UpdateBrand(r.Context(), actor, in)
	return http.StatusOK, out, err
}
