package web

import (
	"net/http"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/ticket"
	"github.com/qifu/qifu/internal/web/form"
)

type routingData struct {
	Rules      []ticket.Rule
	Names      orgNames
	Regions    map[string]string
	Categories []string
	Groups     []regionGroup
	Targets    []orgChoice
}

// routingShow lists the routing rules (R3.2) to staff, with the form adding
// one and a delete button per rule for the city admin.
func (w *Web) routingShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	return w.routingPage(rw, r, a, form.New(nil), 0)
}

func (w *Web) routingPage(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int) error {
	rules, err := w.s.Ticket.Rules(r.Context(), a)
	if err != nil {
		return err
	}
	plats, deps, err := w.ticketOrgs(r, a)
	if err != nil {
		return err
	}
	groups, _, err := w.enterpriseRegions(r, a)
	if err != nil {
		return err
	}
	regions, err := w.regionNames(r, a)
	if err != nil {
		return err
	}
	names, err := w.names(r)
	if err != nil {
		return err
	}
	d := routingData{Rules: rules, Names: names, Regions: regions, Categories: ticket.Categories, Groups: groups,
		Targets: choices(plats, deps, func(ticket.Assignee, string) bool { return true })}
	p := w.page(r, "settings")
	p.Form, p.Status, p.Data = f, status, d
	w.render(rw, r, "routing", p)
	return nil
}

// routingAdd adds a routing rule (city admin).
func (w *Web) routingAdd(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	rule, err := f.TicketRule()
	if err == nil {
		if _, err = w.s.Ticket.AddRule(r.Context(), a, rule); err == nil {
			redirect(rw, r, "/settings/routing", "flash.rule_added")
			return nil
		}
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.routingPage(rw, r, a, f, status)
}

// routingDelete removes a routing rule (city admin).
func (w *Web) routingDelete(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundOf("object.rule", r.PathValue("id"))
	}
	if err := w.s.Ticket.DeleteRule(r.Context(), a, id); err != nil {
		return err
	}
	redirect(rw, r, "/settings/routing", "flash.rule_deleted")
	return nil
}

// limitRow is one category and urgency of the time-limit table.
type limitRow struct {
	ticket.Limit
	// Key is the prefix of the row's inputs ("complaint.urgent.").
	Key string
}

type limitsData struct {
	Rows   []limitRow
	Fields []string
	// Supervision: the sweep's thresholds, shown beside the limits they
	// act on; the city admin edits them in a form of their own.
	Supervision                 ticket.SupervisionSettings
	MaxWarnHours, MaxRatingDays int
}

// limitsShow shows the time limits of every category and urgency (R3.3),
// and the supervision thresholds (R3.5), to staff; the city admin edits
// them.
func (w *Web) limitsShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	return w.limitsPage(rw, r, a, form.New(nil), 0)
}

// limitsPage renders the page with f: what was submitted in one of its
// forms, the stored values in the other.
func (w *Web) limitsPage(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int) error {
	ls, err := w.s.Ticket.Limits(r.Context(), a)
	if err != nil {
		return err
	}
	sup, err := w.s.Ticket.SupervisionSettings(r.Context(), a)
	if err != nil {
		return err
	}
	f.Fill(form.FromLimits(ls))
	f.Fill(form.FromSupervision(sup))
	d := limitsData{Fields: form.LimitFields, Supervision: sup, MaxWarnHours: ticket.MaxWarnHours, MaxRatingDays: ticket.MaxRatingDays}
	for _, l := range ls {
		d.Rows = append(d.Rows, limitRow{Limit: l, Key: form.LimitKey(l.Category, l.Urgency, "")})
	}
	p := w.page(r, "settings")
	p.Form, p.Status, p.Data = f, status, d
	w.render(rw, r, "limits", p)
	return nil
}

// limitsSave saves the rows of the time-limit table that changed; when a
// row is refused nothing is saved and the message stands in its cell.
func (w *Web) limitsSave(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	ls, err := w.s.Ticket.Limits(r.Context(), a)
	if err != nil {
		return err
	}
	f := form.New(r.PostForm)
	var changed []ticket.Limit
	for _, old := range ls {
		l, err := f.TicketLimit(old.Category, old.Urgency)
		if err == nil {
			err = l.Validate()
		}
		if err != nil {
			p := w.page(r, "")
			e := apperr.As(err)
			f.Errors[form.LimitKey(old.Category, old.Urgency, e.Field)] = httpx.Message(p.P, e)
			f.General = p.T("limits.row_refused", "category", p.T("category."+old.Category), "urgency", p.T("urgency."+old.Urgency))
			return w.limitsPage(rw, r, a, f, httpx.Status(e.Kind))
		}
		if l != old {
			changed = append(changed, l)
		}
	}
	for _, l := range changed {
		if _, err := w.s.Ticket.SaveLimit(r.Context(), a, l); err != nil {
			return err
		}
	}
	redirect(rw, r, "/settings/limits", "flash.limits_saved")
	return nil
}

// supervisionSave changes the supervision thresholds (city admin); a
// refused value comes back next to its field, nothing saved.
func (w *Web) supervisionSave(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	f := form.New(r.PostForm)
	in, err := f.SupervisionSettings()
	if err == nil {
		if _, err = w.s.Ticket.SaveSupervisionSettings(r.Context(), a, in); err == nil {
			redirect(rw, r, "/settings/limits#supervision-settings", "flash.supervision_saved")
			return nil
		}
	}
	if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.limitsPage(rw, r, a, f, status)
}
