package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/uscc"
)

// registerRecords adds the service records of API.md "Service records and
// statistics": recording a service, listing and reading records within the
// caller's scope, and correcting one (cancel and replace).
func (a *API) registerRecords() {
	a.add("POST", "/api/v1/service-records", a.createRecord)
	a.add("GET", "/api/v1/service-records", a.listRecords)
	a.add("GET", "/api/v1/service-records/{id}", a.getRecord)
	a.add("POST", "/api/v1/service-records/{id}/correction", a.correctRecord)
}

func (a *API) createRecord(r *http.Request, actor access.Actor) (int, any, error) {
	var in record.Input
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Record.Create(r.Context(), actor, in)
	return http.StatusCreated, out, err
}

// ParseRecordFilter reads the list filters shared by the API and the
// pages: platform_code, department_code, enterprise_uscc, year, kind,
// service_area, ticket_id, include_cancelled. Errors name the parameter.
func ParseRecordFilter(q map[string][]string) (record.Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := record.Filter{Platform: get("platform_code"), ForDept: get("department_code"), USCC: uscc.Normalize(get("enterprise_uscc")),
		Kind: get("kind"), ServiceArea: get("service_area")}
	if s := get("year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil {
			return f, apperr.Field("year", "invalid_number", "error.number")
		}
		f.Year = y
	}
	if s := get("ticket_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return f, apperr.Field("ticket_id", "invalid_number", "error.number")
		}
		f.TicketID = id
	}
	switch get("include_cancelled") {
	case "", "false", "0":
	case "true", "1":
		f.WithCanceled = true
	default:
		return f, apperr.Field("include_cancelled", "invalid", "error.boolean")
	}
	return f, nil
}

func (a *API) listRecords(r *http.Request, actor access.Actor) (int, any, error) {
	f, err := ParseRecordFilter(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	limit, after, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	f.Limit = limit
	if after != "" {
		d, id, ok := record.ParseCursor(after)
		if !ok {
			return 0, nil, apperr.Field("cursor", "invalid", "error.cursor")
		}
		f.AfterDate, f.AfterID = d, id
	}
	items, next, err := a.s.Record.List(r.Context(), actor, f)
	return http.StatusOK, newList(items, next), err
}

// recordID reads {id}; anything but a positive number names no record.
func recordID(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundOf("object.service_record", s)
	}
	return id, nil
}

func (a *API) getRecord(r *http.Request, actor access.Actor) (int, any, error) {
	id, err := recordID(r)
	if err != nil {
		return 0, nil, err
	}
	out, err := a.s.Record.Get(r.Context(), actor, id)
	return http.StatusOK, out, err
}

// correctRecord cancels a record and adds its replacement (201), or only
// cancels it with "cancel": true (200).
func (a *API) correctRecord(r *http.Request, actor access.Actor) (int, any, error) {
	id, err := recordID(r)
	if err != nil {
		return 0, nil, err
	}
	var c record.Correction
	if err := decode(r, &c); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Record.Correct(r.Context(), actor, id, c)
	if err == nil && out.Record == nil {
		return http.StatusOK, out, nil
	}
	return http.StatusCreated, out, err
}
