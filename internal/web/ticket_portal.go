package web

import (
	"net/http"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/ticket"
	"github.com/qifu/qifu/internal/web/form"
)

type portalData struct {
	Rows []ticket.Ticket
	Next string
	// Awaiting counts the answers waiting for the enterprise's rating.
	Awaiting int
}

// portal is an enterprise's own page (R3.4): its tickets, newest first,
// with those whose answer waits for its rating marked.
func (w *Web) portal(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if a.Role != access.Enterprise {
		return apperr.Deny()
	}
	f := ticket.Filter{Sort: "newest", Limit: 30}
	if _, id, ok := ticket.ParseCursor(r.URL.Query().Get("after")); ok {
		f.AfterID = id
	}
	items, next, err := w.s.Ticket.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	counts, err := w.s.Ticket.Counts(r.Context(), a, ticket.Filter{})
	if err != nil {
		return err
	}
	p := w.page(r, "portal")
	p.Data = portalData{Rows: items, Next: next, Awaiting: counts[ticket.Replied]}
	w.render(rw, r, "portal", p)
	return nil
}

type portalFormData struct {
	Categories []string
	Groups     []regionGroup
}

// portalNew is the form an enterprise submits a request with: the region
// defaults to its registered street, the contact to its registered one.
func (w *Web) portalNew(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if a.Role != access.Enterprise {
		return apperr.Deny()
	}
	f := form.New(nil)
	if e, err := w.s.Enterprise.Get(r.Context(), a, a.OrgCode); err == nil {
		f.Values.Set("region_code", e.RegionCode)
		f.Values.Set("contact_name", e.ContactName)
		f.Values.Set("contact_phone", e.ContactPhone)
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return w.portalForm(rw, r, a, f, 0)
}

func (w *Web) portalForm(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int) error {
	groups, _, err := w.enterpriseRegions(r, a)
	if err != nil {
		return err
	}
	p := w.page(r, "portal")
	p.Form, p.Status, p.Data = f, status, portalFormData{Categories: ticket.Categories, Groups: groups}
	w.render(rw, r, "portal_form", p)
	return nil
}

// portalCreate submits an enterprise's request through the website and
// opens the new ticket.
func (w *Web) portalCreate(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if a.Role != access.Enterprise {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	in := f.TicketIntake()
	in.EnterpriseUSCC, in.Channel = a.OrgCode, "web"
	t, err := w.s.Ticket.Create(r.Context(), a, in)
	if err == nil {
		redirect(rw, r, "/tickets/"+strconv.FormatInt(t.ID, 10), "flash.ticket_submitted")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.portalForm(rw, r, a, f, status)
}
