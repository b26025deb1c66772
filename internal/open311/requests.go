package open311

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/ticket"
)

// Limits of the standard: a query spans at most 90 days (the most recent
// 90 by default) and answers at most 1000 requests; a description holds
// at most 4000 characters.
const (
	Window         = 90 * 24 * time.Hour
	MaxResults     = 1000
	MaxDescription = 4000
)

// detailsMarker starts what a POST gave beyond the description (location,
// e-mail, media): kept in the ticket's content for its handlers, cut off
// again wherever the description is shown here.
const detailsMarker = "\n\n[Open311]\n"

// ---- reading ----

// request answers GET requests/{id}: a list of one. Without a key the
// ticket is shown in its public view; with one, only if the caller may
// read it.
func (h *Handler) request(r *http.Request, idText string, c *caller) (answer, error) {
	cl, err := h.callerOf(r)
	if err != nil {
		return answer{}, err
	}
	*c = cl
	id, ok := parseID(idText)
	if !ok {
		return answer{}, notFound(r, "open311.error.request", "id", idText)
	}
	t, err := h.s.Ticket.Get(r.Context(), cl.actor, id)
	if apperr.Is(err, apperr.NotFound) {
		return answer{}, notFound(r, "open311.error.request", "id", idText)
	}
	if err != nil {
		return answer{}, err
	}
	v := h.viewer(r)
	req, err := v.request(t, cl.keyed)
	if err != nil {
		return answer{}, err
	}
	list := []Request{req}
	return answer{status: http.StatusOK, json: list, xml: requestsXML{Requests: list}}, nil
}

// parseID reads a service_request_id: the ticket's id, or its number.
func parseID(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
		return id, true
	}
	return ticket.ParseNumber(s)
}

// query is a GET requests query.
type query struct {
	ids        []int64
	codes      []string
	statuses   []ticket.Status
	start, end time.Time // end zero: up to now
}

// values gathers a parameter that may be declared several times, each
// comma delimited.
func values(form url.Values, name string) []string {
	var out []string
	for _, v := range form[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func (h *Handler) parseQuery(r *http.Request) (query, error) {
	var q query
	var errs []string
	p := printer(r)
	if ids := values(r.Form, "service_request_id"); len(ids) > 0 {
		if len(ids) > MaxResults {
			return q, badRequest(r, "open311.error.too_many_ids", "max", MaxResults)
		}
		for _, s := range ids {
			if id, ok := parseID(s); ok {
				q.ids = append(q.ids, id)
			}
		}
		if len(q.ids) == 0 {
			q.ids = []int64{} // none can exist: an empty answer, not every request
		}
		return q, nil // the ids override every other argument
	}
	for _, code := range values(r.Form, "service_code") {
		if !isService(code) {
			errs = append(errs, p.T("open311.error.service_code", "code", code))
			continue
		}
		q.codes = append(q.codes, code)
	}
	var open, closed bool
	for _, s := range values(r.Form, "status") {
		switch s {
		case "open":
			open = true
		case "closed":
			closed = true
		default:
			errs = append(errs, p.T("open311.error.status", "value", s))
		}
	}
	if open != closed {
		for _, s := range ticket.Statuses {
			if s.Open() == open {
				q.statuses = append(q.statuses, s)
			}
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Time
	}{{"start_date", &q.start}, {"end_date", &q.end}} {
		if s := strings.TrimSpace(r.Form.Get(d.name)); s != "" {
			t, ok := parseTime(s)
			if !ok {
				errs = append(errs, p.T("open311.error.date", "param", d.name))
			}
			*d.dst = t
		}
	}
	if len(errs) > 0 {
		return q, fail(http.StatusBadRequest, errs...)
	}
	switch {
	case q.start.IsZero() && q.end.IsZero():
		q.start = h.s.Clock.Now().Add(-Window)
	case q.start.IsZero():
		q.start = q.end.Add(-Window)
	case q.end.IsZero():
		q.end = q.start.Add(Window)
	case q.end.Before(q.start):
		return q, badRequest(r, "open311.error.date_order")
	case q.end.Sub(q.start) > Window:
		return q, badRequest(r, "open311.error.date_span", "days", int(Window/(24*time.Hour)))
	}
	return q, nil
}

// parseTime reads a w3 date-time with its offset, or a date (midnight in
// China Standard Time). A "+" left unescaped in a query arrives as a space
// and is taken back.
func parseTime(s string) (time.Time, bool) {
	s = strings.ReplaceAll(s, " ", "+")
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, httpx.Location); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// requests answers GET requests: the newest first, within the window and
// the caller's scope.
func (h *Handler) requests(r *http.Request, _ string, c *caller) (answer, error) {
	cl, err := h.callerOf(r)
	if err != nil {
		return answer{}, err
	}
	*c = cl
	q, err := h.parseQuery(r)
	if err != nil {
		return answer{}, err
	}
	var tickets []ticket.Ticket
	if q.ids != nil {
		tickets, err = h.byIDs(r.Context(), cl.actor, q.ids)
	} else {
		tickets, err = h.search(r.Context(), cl.actor, q)
	}
	if err != nil {
		return answer{}, err
	}
	v := h.viewer(r)
	list := make([]Request, 0, len(tickets))
	for _, t := range tickets {
		req, err := v.request(t, cl.keyed)
		if err != nil {
			return answer{}, err
		}
		list = append(list, req)
	}
	return answer{status: http.StatusOK, json: list, xml: requestsXML{Requests: list}}, nil
}

// byIDs reads each id the caller may read; others are left out, so an
// answer never tells an unreadable ticket from a missing one.
func (h *Handler) byIDs(ctx context.Context, a access.Actor, ids []int64) ([]ticket.Ticket, error) {
	var out []ticket.Ticket
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		t, err := h.s.Ticket.Get(ctx, a, id)
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// search lists the tickets of the query, newest first, at most MaxResults.
// Each service code is listed on its own so every filter runs in the
// database; ids grow with creation time, so the scan starts below the end
// of the window (found by bisection) and stops at its start.
func (h *Handler) search(ctx context.Context, a access.Actor, q query) ([]ticket.Ticket, error) {
	codes := q.codes
	if len(codes) == 0 {
		codes = []string{""}
	}
	var out []ticket.Ticket
	for _, code := range codes {
		f := ticket.Filter{Category: code, Statuses: q.statuses, Sort: "newest", Limit: 500}
		if !q.end.IsZero() {
			below, err := h.seek(ctx, a, f, q.end)
			if err != nil {
				return nil, err
			}
			f.AfterID = below
		}
		n := 0
	scan:
		for {
			items, next, err := h.s.Ticket.List(ctx, a, f)
			if err != nil {
				return nil, err
			}
			for _, t := range items {
				if t.CreatedAt.Before(q.start) {
					break scan
				}
				if !q.end.IsZero() && t.CreatedAt.After(q.end) {
					continue
				}
				out = append(out, t)
				if n++; n == MaxResults {
					break scan
				}
			}
			if next == "" {
				break
			}
			_, id, ok := ticket.ParseCursor(next)
			if !ok {
				return nil, apperr.Wrap(errCursor, "open311: list")
			}
			f.AfterID = id
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	if len(out) > MaxResults {
		out = out[:MaxResults]
	}
	return out, nil
}

var errCursor = errors.New("unreadable cursor")

// seek returns the id to list below so that every ticket listed was
// created at or before end: 0 when the newest already was (no bound).
func (h *Handler) seek(ctx context.Context, a access.Actor, f ticket.Filter, end time.Time) (int64, error) {
	// below reports whether the newest ticket with an id under x was
	// created at or before end (or there is none).
	below := func(x int64) (bool, *ticket.Ticket, error) {
		g := f
		g.AfterID, g.Limit = x, 1
		items, _, err := h.s.Ticket.List(ctx, a, g)
		if err != nil || len(items) == 0 {
			return err == nil, nil, err
		}
		return !items[0].CreatedAt.After(end), &items[0], nil
	}
	ok, newest, err := below(math.MaxInt64)
	if err != nil || ok {
		return 0, err
	}
	lo, hi := int64(1), newest.ID+1 // below(lo) holds, below(hi) does not
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, _, err := below(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// ---- the view of a ticket ----

// viewer turns tickets into requests in the caller's language, looking up
// the names of assignees and regions once each.
type viewer struct {
	h         *Handler
	ctx       context.Context
	p         *locale.Printer
	agencies  map[ticket.Assignee]string
	addresses map[string]string
}

func (h *Handler) viewer(r *http.Request) *viewer {
	return &viewer{h: h, ctx: r.Context(), p: printer(r), agencies: map[ticket.Assignee]string{}, addresses: map[string]string{}}
}

// request is a ticket as the standard shows it. full is true when the
// caller read it with a key (and so may see what it holds); otherwise the
// description and the reply show only on a ticket marked public.
func (v *viewer) request(t ticket.Ticket, full bool) (Request, error) {
	shows := full || t.Public
	req := Request{ServiceRequestID: strconv.FormatInt(t.ID, 10), Status: "open",
		ServiceName: opt(v.p.T("category." + t.Category)), ServiceCode: t.Category,
		ServiceNotice:     opt(notice(v.p, t)),
		RequestedDatetime: stamp(t.CreatedAt), UpdatedDatetime: opt(stamp(t.UpdatedAt)),
		AddressID: opt(t.RegionCode)}
	if !t.Status.Open() {
		req.Status = "closed"
		if t.ClosedAt != nil {
			req.UpdatedDatetime = opt(stamp(*t.ClosedAt))
		}
	}
	if !t.DueAt.IsZero() {
		req.ExpectedDatetime = opt(stamp(t.DueAt))
	}
	req.StatusNotes = opt(v.p.T("ticket_status." + string(t.Status)))
	if shows && strings.TrimSpace(t.Reply) != "" {
		req.StatusNotes = opt(t.Reply)
	}
	if shows {
		req.Description = opt(clip(DescriptionOf(t.Content), MaxDescription))
	}
	var err error
	if req.AgencyResponsible, err = v.agency(t.Assignee); err != nil {
		return Request{}, err
	}
	if req.Address, err = v.address(t.RegionCode); err != nil {
		return Request{}, err
	}
	return req, nil
}

// DescriptionOf is a ticket's content without what a POST added beyond
// the description.
func DescriptionOf(content string) string {
	d, _, _ := strings.Cut(content, detailsMarker)
	return d
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func stamp(t time.Time) string { return t.In(httpx.Location).Format(time.RFC3339) }

func notice(p *locale.Printer, t ticket.Ticket) string {
	return p.T("open311.notice", "number", t.Number, "due", t.DueAt.In(httpx.Location).Format("2006-01-02 15:04"))
}

// agency is the name of the platform or department handling a ticket.
func (v *viewer) agency(a ticket.Assignee) (opt, error) {
	if name, ok := v.agencies[a]; ok {
		return opt(name), nil
	}
	var name string
	var err error
	switch a.Type {
	case ticket.ToPlatform:
		var p org.Platform
		p, err = v.h.s.Org.Platform(v.ctx, publicReader, a.Code)
		name = p.Name
	case ticket.ToDepartment:
		var d org.Department
		d, err = v.h.s.Org.Department(v.ctx, publicReader, a.Code)
		name = d.Name
	}
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return "", err
	}
	v.agencies[a] = name
	return opt(name), nil
}

// address names a region and those above it, the most specific first, as
// the standard asks.
func (v *viewer) address(code string) (opt, error) {
	if s, ok := v.addresses[code]; ok {
		return opt(s), nil
	}
	chain, err := v.h.s.Org.RegionChain(v.ctx, code)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return "", err
	}
	names := make([]string, 0, len(chain))
	for _, r := range chain {
		names = append(names, r.Name)
	}
	s := strings.Join(names, ", ")
	v.addresses[code] = s
	return opt(s), nil
}

// ---- creating ----

// create answers POST requests: a ticket made as the key's user would make
// it through POST /api/v1/tickets, on channel "api".
func (h *Handler) create(r *http.Request, _ string, c *caller) (answer, error) {
	cl, err := h.callerOf(r)
	if err != nil {
		return answer{}, err
	}
	if !cl.keyed {
		return answer{}, fail(http.StatusForbidden, printer(r).T("open311.error.api_key_required"))
	}
	*c = cl
	in, err := h.intake(r)
	if err != nil {
		return answer{}, err
	}
	t, err := h.s.Ticket.Create(r.Context(), cl.actor, in)
	if err != nil {
		return answer{}, err
	}
	list := []Created{{ServiceRequestID: strconv.FormatInt(t.ID, 10), ServiceNotice: notice(printer(r), t)}}
	return answer{status: http.StatusOK, json: list, xml: createdXML{Requests: list}}, nil
}

// intake reads a POSTed request into a ticket intake. Every missing or
// malformed parameter is reported at once; an unknown service code alone
// is 404.
func (h *Handler) intake(r *http.Request) (ticket.Intake, error) {
	p := printer(r)
	get := func(k string) string { return strings.TrimSpace(r.Form.Get(k)) }
	var errs []string
	required := func(param string) { errs = append(errs, p.T("open311.error.required", "param", param)) }
	tooLong := func(param string, max int) {
		errs = append(errs, p.T("open311.error.too_long", "param", param, "max", max))
	}
	code := get("service_code")
	switch {
	case code == "":
		required("service_code")
	case !isService(code):
		return ticket.Intake{}, notFound(r, "open311.error.service_code", "code", code)
	}
	latS, longS, addr := get("lat"), get("long"), get("address_string")
	var lat, long float64
	if latS != "" || longS != "" {
		var e1, e2 error
		lat, e1 = strconv.ParseFloat(latS, 64)
		long, e2 = strconv.ParseFloat(longS, 64)
		if e1 != nil || e2 != nil || math.Abs(lat) > 90 || math.Abs(long) > 180 {
			errs = append(errs, p.T("open311.error.lat_long"))
		}
	} else if addr == "" {
		errs = append(errs, p.T("open311.error.location"))
	}
	if utf8.RuneCountInString(addr) > 200 {
		tooLong("address_string", 200)
	}
	uscc, region := get("attribute["+AttrUSCC+"]"), get("attribute["+AttrRegion+"]")
	if uscc == "" {
		required("attribute[" + AttrUSCC + "]")
	}
	if region == "" {
		required("attribute[" + AttrRegion + "]")
	}
	desc := strings.TrimSpace(strings.ReplaceAll(r.Form.Get("description"), "\r\n", "\n"))
	switch n := utf8.RuneCountInString(desc); {
	case n == 0:
		required("description")
	case n > MaxDescription:
		tooLong("description", MaxDescription)
	}
	email, media := get("email"), get("media_url")
	if email != "" && (len(email) > 254 || !strings.Contains(email, "@") || strings.ContainsAny(email, " \n")) {
		errs = append(errs, p.T("open311.error.email"))
	}
	if media != "" {
		if u, err := url.Parse(media); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(media) > 500 {
			errs = append(errs, p.T("open311.error.media_url"))
		}
	}
	if len(errs) > 0 {
		return ticket.Intake{}, fail(http.StatusBadRequest, errs...)
	}
	var where string
	if latS != "" {
		where = strconv.FormatFloat(lat, 'f', -1, 64) + ", " + strconv.FormatFloat(long, 'f', -1, 64)
	}
	return ticket.Intake{Channel: "api", EnterpriseUSCC: uscc, Category: code, Title: titleOf(desc),
		Content: desc + details(addr, where, email, media), RegionCode: region,
		ContactName: personName(get("first_name"), get("last_name")), ContactPhone: get("phone")}, nil
}

// titleOf is the first line of a description, cut to a short title.
func titleOf(desc string) string {
	line, _, _ := strings.Cut(desc, "\n")
	line = strings.TrimSpace(line)
	const max = 40
	if utf8.RuneCountInString(line) > max {
		return string([]rune(line)[:max-1]) + "…"
	}
	return line
}

// personName joins the given and family names: family name first, with
// no space, when either is written in Chinese characters.
func personName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	case hasHan(first) || hasHan(last):
		return last + first
	}
	return first + " " + last
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// details is what a POST gave beyond the description, labelled in the
// city's language for the ticket's handlers.
func details(addr, where, email, media string) string {
	p := locale.NewPrinter(locale.ZH)
	var lines []string
	for _, d := range []struct{ key, v string }{{"open311.detail.address", addr}, {"open311.detail.location", where},
		{"open311.detail.email", email}, {"open311.detail.media_url", media}} {
		if d.v != "" {
			lines = append(lines, p.T(d.key)+": "+d.v)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return detailsMarker + strings.Join(lines, "\n")
}
