package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/ticket"
	"github.com/qifu/qifu/internal/web/form"
)

// actionFields are the inputs each action's form has.
var actionFields = map[string][]string{
	"return": {"note"}, "transfer": {"to", "note"}, "extend": {"days", "note"}, "reply": {"note"},
	"rate": {"satisfied", "score", "note"}, "visit": {"satisfied", "note"}, "supervise": {"note"},
	"urge": {"note"}, "note": {"note"}, "co_handler": {"to"}, "merge": {"into", "note"},
	"attach": {"file"},
}

// noteRequired are the actions that need a note (the domain checks).
var noteRequired = map[string]bool{"return": true, "transfer": true, "extend": true, "reply": true, "visit": true,
	"supervise": true, "note": true}

// actionForm is one action the viewer may take now, with its form: empty,
// or as submitted when the action was refused.
type actionForm struct {
	Action   string
	TicketID int64
	CSRF     string
	p        *locale.Printer
	f        *form.Form
	Targets  []orgChoice // transfer, co_handler
}

// MaxSize is the largest attachment, as people read it ("10 MB").
func (af actionForm) MaxSize() string { return sizeText(ticket.MaxAttachmentBytes) }

// F is one field of the action's form.
func (af actionForm) F(name string) form.FieldView {
	if af.f == nil || af.f.Values.Get("action") != af.Action {
		return form.FieldView{Name: name, Label: af.p.Field(name)}
	}
	return af.f.View(af.p, name)
}

// T translates for the action's partial.
func (af actionForm) T(key string, kv ...any) string { return af.p.T(key, kv...) }

// NoteLabel names the action's note: a reason, the public reply, a note.
func (af actionForm) NoteLabel() string {
	if k := "ticket.note_" + af.Action; af.p.Has(k) {
		return af.p.T(k)
	}
	return af.p.Field("note")
}

// Scores are the choices of a rating, best first.
func (af actionForm) Scores() []int { return []int{5, 4, 3, 2, 1} }

// NoteRequired reports whether the action needs its note.
func (af actionForm) NoteRequired() bool { return noteRequired[af.Action] }

// eventView is a timeline entry with what its details name.
type eventView struct {
	ticket.Event
	Target    string // a transfer's or co-handler's organisation
	Satisfied *bool
	Score     *int
	Days      int
	Into      string
}

type ticketViewData struct {
	Ticket ticketRow
	Names  orgNames
	Region string
	// EnterpriseLink: the viewer may open the enterprise's profile.
	EnterpriseLink bool
	Attachments    []ticket.Attachment
	MayAttach      bool
	Actions        []actionForm
	// Upload is the attachment form, for those who may add files.
	Upload *actionForm
	Events []eventView
	// Staff see which events are internal notes.
	Staff bool
	// Linked: the earlier ticket this one duplicates or was merged into,
	// when the viewer may read it.
	Linked map[int64]bool
}

// Links reports whether the viewer may open the earlier ticket id.
func (d ticketViewData) Links(id *int64) bool { return id != nil && d.Linked[*id] }

func (w *Web) ticketView(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := ticketIDParam(r)
	if err != nil {
		return err
	}
	return w.ticketShow(rw, r, a, id, nil, 0)
}

// ticketShow draws the ticket page for the viewer: only the actions its
// role and relation allow in the ticket's status; f, when set, is a refused
// action's form shown again with its errors.
func (w *Web) ticketShow(rw http.ResponseWriter, r *http.Request, a access.Actor, id int64, f *form.Form, status int) error {
	ctx := r.Context()
	t, err := w.s.Ticket.Get(ctx, a, id)
	if err != nil {
		return err
	}
	rel, err := w.s.Ticket.Relation(ctx, a, id)
	if err != nil {
		return err
	}
	atts, err := w.s.Ticket.Attachments(ctx, a, id)
	if err != nil {
		return err
	}
	plats, deps, err := w.ticketOrgs(r, a)
	if err != nil {
		return err
	}
	names, err := w.names(r)
	if err != nil {
		return err
	}
	regions, err := w.regionNames(r, a)
	if err != nil {
		return err
	}
	rows, err := w.rows([]ticket.Ticket{t})
	if err != nil {
		return err
	}
	p := w.page(r, "queue")
	if a.Role == access.Enterprise {
		p.Active = "portal"
	}
	d := ticketViewData{Ticket: rows[0], Names: names, Region: regions[t.RegionCode], Attachments: atts,
		MayAttach: ticket.MayAttach(a, rel) && t.Status.Open(), Staff: a.Role.Staff()}
	d.Linked = map[int64]bool{}
	for _, other := range []*int64{t.DuplicateOf, t.MergedInto} {
		if other == nil {
			continue
		}
		_, err := w.s.Ticket.Relation(ctx, a, *other)
		switch {
		case err == nil:
			d.Linked[*other] = true
		case !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Forbidden):
			return err
		}
	}
	if t.EnterpriseUSCC != "" {
		_, err := w.s.Enterprise.Get(ctx, a, t.EnterpriseUSCC)
		switch {
		case err == nil:
			d.EnterpriseLink = true
		case !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Forbidden):
			return err
		}
	}
	for _, act := range ticket.AllowedActions(a, rel, t) {
		af := actionForm{Action: act, TicketID: t.ID, CSRF: p.CSRF, p: p.P, f: f}
		switch act {
		case "transfer":
			// The city admin anywhere; platform staff to platforms below
			// their own.
			af.Targets = choices(plats, deps, func(x ticket.Assignee, path string) bool {
				if x == t.Assignee {
					return false
				}
				return a.IsAdmin() || x.Type == ticket.ToPlatform && a.PlatformPath != "" &&
					strings.HasPrefix(path, a.PlatformPath) && path != a.PlatformPath
			})
		case "co_handler":
			af.Targets = choices(plats, deps, func(x ticket.Assignee, _ string) bool {
				for _, c := range t.CoHandlers {
					if c == x {
						return false
					}
				}
				return x != t.Assignee
			})
		}
		if (act == "transfer" || act == "co_handler") && len(af.Targets) == 0 {
			continue
		}
		d.Actions = append(d.Actions, af)
	}
	if d.MayAttach {
		d.Upload = &actionForm{Action: "attach", TicketID: t.ID, CSRF: p.CSRF, p: p.P, f: f}
	}
	for _, e := range t.Events {
		d.Events = append(d.Events, eventOf(e, names))
	}
	if f == nil {
		f = form.New(nil)
	}
	if m := t.DuplicateOf; m != nil && f.Values.Get("into") == "" {
		f.Values.Set("into", strconv.FormatInt(*m, 10))
	}
	p.Form, p.Status, p.Data = f, status, d
	w.render(rw, r, "ticket_view", p)
	return nil
}

// eventOf reads what an event's details name.
func eventOf(e ticket.Event, names orgNames) eventView {
	v := eventView{Event: e}
	if e.Data == "" {
		return v
	}
	var data struct {
		To        *ticket.Assignee `json:"to"`
		CoHandler *ticket.Assignee `json:"co_handler"`
		Satisfied *bool            `json:"satisfied"`
		Score     *int             `json:"score"`
		Days      int              `json:"days"`
		Into      string           `json:"into"`
	}
	if json.Unmarshal([]byte(e.Data), &data) != nil {
		return v
	}
	switch {
	case data.To != nil:
		v.Target = names.Name(*data.To)
	case data.CoHandler != nil:
		v.Target = names.Name(*data.CoHandler)
	}
	v.Satisfied, v.Score, v.Days, v.Into = data.Satisfied, data.Score, data.Days, data.Into
	return v
}

// ticketAct applies an action from the ticket page's forms. A refused
// action shows the page again: the error next to its field (422), or as a
// banner (409 a wrong state or a concurrent change, 403).
func (w *Web) ticketAct(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := ticketIDParam(r)
	if err != nil {
		return err
	}
	f := form.New(r.PostForm)
	act, err := f.TicketAction()
	if err == nil {
		if _, err = w.s.Ticket.Act(r.Context(), a, id, act); err == nil {
			to := "/tickets/" + strconv.FormatInt(id, 10)
			if back := f.Text("back"); back == "/supervision" {
				to = back
			}
			redirect(rw, r, to, "flash.ticket_"+act.Action)
			return nil
		}
	}
	if apperr.Is(err, apperr.Internal) || apperr.Is(err, apperr.NotFound) {
		return err
	}
	return w.ticketRefused(rw, r, a, id, f, err)
}

// ticketRefused shows the ticket page with a refused action's form; an
// error on a field the action's form lacks becomes the banner.
func (w *Web) ticketRefused(rw http.ResponseWriter, r *http.Request, a access.Actor, id int64, f *form.Form, err error) error {
	p := w.page(r, "")
	status := f.Fail(p.P, err)
	if e := apperr.As(err); e.Field != "" && f.General == "" {
		known := false
		for _, name := range actionFields[f.Text("action")] {
			known = known || name == e.Field
		}
		if !known {
			f.General = httpx.Message(p.P, e)
		}
	}
	return w.ticketShow(rw, r, a, id, f, status)
}

// ticketAttach stores a file uploaded on the ticket page.
func (w *Web) ticketAttach(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := ticketIDParam(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	rel, err := w.s.Ticket.Relation(ctx, a, id)
	if err != nil {
		return err
	}
	if !ticket.MayAttach(a, rel) {
		return apperr.Deny()
	}
	name, data, err := readNamedUpload(r, "file", ticket.MaxAttachmentBytes)
	if err == nil {
		if _, err = w.s.Ticket.Attach(ctx, a, id, name, data); err == nil {
			redirect(rw, r, "/tickets/"+strconv.FormatInt(id, 10)+"#attachments", "flash.ticket_attached")
			return nil
		}
	}
	if apperr.Is(err, apperr.Internal) || apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.NotFound) {
		return err
	}
	f := form.New(url.Values{"action": {"attach"}})
	return w.ticketRefused(rw, r, a, id, f, err)
}

// readNamedUpload reads one uploaded file with its name, reading at most
// one byte more than max so that the domain can refuse a file too large.
func readNamedUpload(r *http.Request, field string, max int) (string, []byte, error) {
	file, h, err := r.FormFile(field)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return "", nil, apperr.Field(field, "too_large", "error.upload_too_large").With("max", sizeText(int64(max)))
	case errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart):
		return "", nil, apperr.Required(field)
	case err != nil:
		return "", nil, apperr.Field(field, "invalid", "error.invalid")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, int64(max)+1))
	if err != nil {
		return "", nil, apperr.Wrap(err, "web: read upload")
	}
	return h.Filename, data, nil
}

// ticketDownload sends an attachment to those who may read the ticket.
func (w *Web) ticketDownload(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := ticketIDParam(r)
	if err != nil {
		return err
	}
	aid, err := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	if err != nil {
		return apperr.NotFoundOf("object.attachment", r.PathValue("aid"))
	}
	att, err := w.s.Ticket.Download(r.Context(), a, id, aid)
	if err != nil {
		return err
	}
	httpx.NoStore(rw)
	rw.Header().Set("Content-Type", att.ContentType)
	rw.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(att.Name))
	rw.Header().Set("Content-Length", strconv.Itoa(len(att.Data)))
	_, err = rw.Write(att.Data)
	return err
}
