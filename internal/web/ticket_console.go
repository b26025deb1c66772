package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/ticket"
	"github.com/qifu/qifu/internal/web/form"
)

// mayConsole: the hotline console is the hotline operators' tool, and the
// city admin's.
func mayConsole(a access.Actor) bool { return a.IsAdmin() || a.Role == access.HotlineOperator }

// recentTickets is how many of a caller's tickets the console shows.
const recentTickets = 5

type consoleData struct {
	Categories []string
	Urgencies  []string
	Groups     []regionGroup
	// Saved is the ticket just recorded, with its assignee's name.
	Saved   *ticket.Ticket
	SavedTo string
	// Hits answer a search typed without JavaScript.
	Hits     []enterpriseRow
	Searched bool
	// Recent are the chosen enterprise's latest tickets; Enterprise is it.
	Recent     []ticket.Ticket
	Enterprise *enterprise.Enterprise
}

// consoleShow draws the console: the intake form, a search answered
// without JavaScript (?q=), an enterprise picked from it (?uscc=) with its
// recent tickets, and the ticket just saved (?saved=).
func (w *Web) consoleShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !mayConsole(a) {
		return apperr.Deny()
	}
	q := r.URL.Query()
	f := form.New(nil)
	f.Values.Set("urgency", "normal")
	var d consoleData
	if s := q.Get("saved"); s != "" {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			t, err := w.s.Ticket.Get(r.Context(), a, id)
			if err != nil {
				return err
			}
			names, err := w.names(r)
			if err != nil {
				return err
			}
			d.Saved, d.SavedTo = &t, names.Name(t.Assignee)
		}
	}
	if uscc := q.Get("uscc"); uscc != "" {
		f.Values.Set("enterprise_uscc", uscc)
	}
	if text := q.Get("q"); text != "" {
		f.Values.Set("q", text)
		d.Searched = true
		hits, regions, err := w.consoleSearch(r, a, text, 10)
		if err != nil && !apperr.Is(err, apperr.Invalid) {
			return err
		}
		if err != nil {
			f.Fail(w.page(r, "").P, err)
		}
		for _, h := range hits {
			d.Hits = append(d.Hits, enterpriseRow{Hit: h, RegionName: regionLabel(regions, h.RegionCode)})
		}
	}
	return w.consoleRender(rw, r, a, f, 0, d)
}

// consoleRender fills the choices and, for the credit code on the form,
// the enterprise and its recent tickets.
func (w *Web) consoleRender(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int, d consoleData) error {
	groups, _, err := w.enterpriseRegions(r, a)
	if err != nil {
		return err
	}
	d.Groups, d.Categories, d.Urgencies = groups, ticket.Categories, ticket.Urgencies
	if uscc := f.Text("enterprise_uscc"); uscc != "" {
		e, err := w.s.Enterprise.Get(r.Context(), a, uscc)
		switch {
		case err == nil:
			d.Enterprise = &e
			// A pick fills what the caller need not repeat.
			for name, v := range map[string]string{"enterprise_name": e.Name, "region_code": e.RegionCode, "contact_name": e.ContactName} {
				if f.Text(name) == "" {
					f.Values.Set(name, v)
				}
			}
			if d.Recent, _, err = w.s.Ticket.List(r.Context(), a, ticket.Filter{USCC: e.USCC, Limit: recentTickets}); err != nil {
				return err
			}
		case !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Invalid):
			return err
		}
	}
	p := w.page(r, "console")
	p.Form, p.Status, p.Data = f, status, d
	w.render(rw, r, "console", p)
	return nil
}

// consoleCreate records a hotline ticket and shows the console again,
// cleared, with the ticket's number, assignee and deadlines.
func (w *Web) consoleCreate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !mayConsole(a) {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	in := f.TicketIntake()
	in.Channel = "hotline"
	t, err := w.s.Ticket.Create(r.Context(), a, in)
	if err == nil {
		redirect(rw, r, "/console?saved="+strconv.FormatInt(t.ID, 10), "")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.consoleRender(rw, r, a, f, status, consoleData{})
}

// consoleSearch finds enterprises for the console, with region names.
func (w *Web) consoleSearch(r *http.Request, a access.Actor, text string, limit int) ([]enterprise.Hit, map[string]org.Region, error) {
	_, regions, err := w.enterpriseRegions(r, a)
	if err != nil {
		return nil, nil, err
	}
	q, ok := enterprise.ParseQuery(text)
	if !ok {
		return nil, regions, apperr.Field("q", "too_short", "error.query_short")
	}
	hits, _, err := w.s.Enterprise.List(r.Context(), a, enterprise.Filter{Query: &q, Limit: limit})
	return hits, regions, err
}

// suggestion is one enterprise offered as the operator types.
type suggestion struct {
	USCC         string `json:"uscc"`
	Name         string `json:"name"`
	RegionCode   string `json:"region_code"`
	RegionName   string `json:"region_name"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"` // masked
}

// consoleEnterprises answers the console's search as the operator types
// (?q=, two letters or digits at least): up to eight enterprises as JSON.
func (w *Web) consoleEnterprises(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !mayConsole(a) {
		return apperr.Deny()
	}
	items := []suggestion{}
	hits, regions, err := w.consoleSearch(r, a, r.URL.Query().Get("q"), 8)
	if err != nil && !apperr.Is(err, apperr.Invalid) {
		return err
	}
	for _, h := range hits {
		items = append(items, suggestion{USCC: h.USCC, Name: h.Name, RegionCode: h.RegionCode,
			RegionName: regionLabel(regions, h.RegionCode), ContactName: h.ContactName, ContactPhone: h.ContactPhone})
	}
	return writeJSON(rw, map[string]any{"items": items})
}

// recentItem is one of a caller's recent tickets.
type recentItem struct {
	ID          int64  `json:"id"`
	Number      string `json:"number"`
	Title       string `json:"title"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	CreatedAt   string `json:"created_at"`
	URL         string `json:"url"`
}

// consoleTickets lists an enterprise's latest tickets (?uscc=) as JSON,
// for the side of the console.
func (w *Web) consoleTickets(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !mayConsole(a) {
		return apperr.Deny()
	}
	items := []recentItem{}
	if uscc := r.URL.Query().Get("uscc"); uscc != "" {
		list, _, err := w.s.Ticket.List(r.Context(), a, ticket.Filter{USCC: uscc, Limit: recentTickets})
		if err != nil {
			return err
		}
		p := w.page(r, "")
		for _, t := range list {
			items = append(items, recentItem{ID: t.ID, Number: t.Number, Title: t.Title, Status: string(t.Status),
				StatusLabel: p.T("ticket_status." + string(t.Status)), CreatedAt: p.Time(t.CreatedAt),
				URL: "/tickets/" + strconv.FormatInt(t.ID, 10)})
		}
	}
	return writeJSON(rw, map[string]any{"items": items})
}

// writeJSON answers a page's script with JSON, never cached.
func writeJSON(rw http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return apperr.Wrap(err, "web: encode json")
	}
	httpx.NoStore(rw)
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = rw.Write(append(b, '\n'))
	return err
}
