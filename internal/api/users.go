package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/uscc"
)

type meJSON struct {
	Username string      `json:"username"`
	Role     access.Role `json:"role"`
	OrgCode  string      `json:"org_code"`
}

func (a *API) me(r *http.Request, actor access.Actor) (int, any, error) {
	return http.StatusOK, meJSON{Username: actor.Username, Role: actor.Role, OrgCode: actor.OrgCode}, nil
}

func (a *API) createUser(r *http.Request, actor access.Actor) (int, any, error) {
	var in auth.NewUser
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	// A password set by an administrator for someone else is changed at
	// that person's first login.
	in.MustChange = true
	out, err := a.s.Auth.CreateUser(r.Context(), actor, in)
	return http.StatusCreated, out, err
}

func (a *API) listUsers(r *http.Request, actor access.Actor) (int, any, error) {
	limit, after, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	items, next, err := a.s.Auth.Users(r.Context(), actor, auth.UserFilter{
		Role: access.Role(q.Get("role")), OrgCode: q.Get("org_code"), Q: q.Get("q"), After: after, Limit: limit})
	return http.StatusOK, newList(items, next), err
}

func (a *API) getUser(r *http.Request, actor access.Actor) (int, any, error) {
	out, err := a.s.Auth.User(r.Context(), actor, r.PathValue("username"))
	return http.StatusOK, out, err
}

type userPatchJSON struct {
	DisplayName *string `json:"display_name"`
	Disabled    *bool   `json:"disabled"`
	Unlock      bool    `json:"unlock"`
	ResetTOTP   bool    `json:"reset_totp"`
	Password    *string `json:"password"`
}

func (a *API) updateUser(r *http.Request, actor access.Actor) (int, any, error) {
	var in userPatchJSON
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := a.s.Auth.UpdateUser(r.Context(), actor, r.PathValue("username"), auth.UserPatch{
		DisplayName: in.DisplayName, Disabled: in.Disabled, Unlock: in.Unlock, ResetTOTP: in.ResetTOTP, Password: in.Password})
	return http.StatusOK, out, err
}

type tokenJSON struct {
	Token string    `json:"token"`
	ID    int64     `json:"id"`
	Name  string    `json:"name"`
	At    time.Time `json:"created_at"`
}

// withoutSecret is the token answer as kept for Idempotency-Key replays:
// the token itself is shown once and never stored.
func (t tokenJSON) withoutSecret() any {
	return struct {
		Token    *string   `json:"token"`
		ID       int64     `json:"id"`
		Name     string    `json:"name"`
		At       time.Time `json:"created_at"`
		Replayed bool      `json:"replayed"`
	}{ID: t.ID, Name: t.Name, At: t.At, Replayed: true}
}

func (a *API) createToken(r *http.Request, actor access.Actor) (int, any, error) {
	var in struct {
		Name string `json:"name"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &in); err != nil {
			return 0, nil, err
		}
	}
	secret, t, err := a.s.Auth.CreateToken(r.Context(), actor, r.PathValue("username"), in.Name)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, tokenJSON{Token: secret, ID: t.ID, Name: t.Name, At: t.CreatedAt}, nil
}

func (a *API) listTokens(r *http.Request, actor access.Actor) (int, any, error) {
	items, err := a.s.Auth.Tokens(r.Context(), actor, r.PathValue("username"))
	return http.StatusOK, newList(items, ""), err
}

func (a *API) revokeToken(r *http.Request, actor access.Actor) (int, any, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, nil, apperr.NotFoundOf("object.token", r.PathValue("id"))
	}
	if err := a.s.Auth.RevokeToken(r.Context(), actor, r.PathValue("username"), id); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]bool{"revoked": true}, nil
}

// ---- audit ----

type auditJSON struct {
	ID           int64     `json:"id"`
	At           time.Time `json:"at"`
	Username     string    `json:"username"`
	Role         string    `json:"role"`
	IP           string    `json:"ip"`
	Action       string    `json:"action"`
	ObjectType   string    `json:"object_type"`
	ObjectID     string    `json:"object_id"`
	Result       string    `json:"result"`
	BeforeDigest string    `json:"before_digest"`
	AfterDigest  string    `json:"after_digest"`
	Detail       string    `json:"detail"`
	RequestID    string    `json:"request_id"`
	Seq          int64     `json:"seq"`
	Hash         string    `json:"hash"`
}

// ParseAuditFilter reads the audit filters shared by the API and the page.
func ParseAuditFilter(q map[string][]string) (audit.Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := audit.Filter{Username: get("username"), Action: get("action"), ObjectType: get("object_type"),
		ObjectID: get("object_id"), Result: audit.Result(get("result"))}
	var err error
	if f.From, err = parseWhen(get("from"), false); err != nil {
		return f, apperr.Field("from", "invalid_date", "error.date")
	}
	if f.To, err = parseWhen(get("until"), true); err != nil {
		return f, apperr.Field("until", "invalid_date", "error.date")
	}
	switch f.Result {
	case "", audit.Success, audit.Failure, audit.Denied:
	default:
		return f, apperr.Field("result", "invalid", "error.invalid_choice")
	}
	return f, nil
}

// parseWhen accepts RFC 3339 or a date (an "until" date includes that day).
func parseWhen(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		return time.Time{}, err
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

func (a *API) listAudit(r *http.Request, actor access.Actor) (int, any, error) {
	q := r.URL.Query()
	f, err := ParseAuditFilter(q)
	if err != nil {
		return 0, nil, err
	}
	limit, after, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	if after != "" {
		if f.BeforeID, err = strconv.ParseInt(after, 10, 64); err != nil {
			return 0, nil, apperr.Field("cursor", "invalid", "error.cursor")
		}
	}
	f.Limit = limit
	items, next, err := a.s.Audit.List(r.Context(), actor, f)
	if err != nil {
		return 0, nil, err
	}
	out := make([]auditJSON, len(items))
	for i, e := range items {
		out[i] = auditJSON{ID: e.ID, At: e.At, Username: e.Username, Role: e.Role, IP: e.IP, Action: e.Action,
			ObjectType: e.ObjectType, ObjectID: e.ObjectID, Result: string(e.Result), BeforeDigest: e.BeforeDigest,
			AfterDigest: e.AfterDigest, Detail: e.Detail, RequestID: e.RequestID, Seq: e.Seq, Hash: e.Hash}
	}
	nextKey := ""
	if next != 0 {
		nextKey = strconv.FormatInt(next, 10)
	}
	return http.StatusOK, newList(out, nextKey), nil
}

// ---- credit code check (public) ----

type usccJSON struct {
	Code     string `json:"code"`
	Valid    bool   `json:"valid"`
	Reason   string `json:"reason"`
	Position int    `json:"position,omitempty"`
	Expected string `json:"expected,omitempty"`
	Warning  string `json:"warning,omitempty"`
}

func (a *API) checkUSCC(r *http.Request, actor access.Actor) (int, any, error) {
	res := uscc.Check(r.PathValue("code"))
	p := printerOf(r)
	out := usccJSON{Code: res.Code, Valid: res.Valid, Position: res.Reason.Position, Expected: res.Reason.Expected}
	if res.Valid {
		out.Reason = p.T("uscc.valid")
	} else {
		out.Reason = p.T("uscc."+res.Reason.Code, "position", res.Reason.Position, "char", res.Reason.Char, "expected", res.Reason.Expected)
	}
	if res.Warning != "" {
		out.Warning = p.T("uscc.warning_" + res.Warning)
	}
	return http.StatusOK, out, nil
}
