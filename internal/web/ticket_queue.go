package web

import (
	"net/http"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/api"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/ticket"
	"github.com/qifu/qifu/internal/web/form"
)

type queueData struct {
	Rows   []ticketRow
	Counts []statusCount
	Total  int
	Names  orgNames
	// Filter choices.
	Statuses   []ticket.Status
	Categories []string
	Assignees  []orgChoice
	Next       string
	// Refused: a filter was refused (its message is next to it).
	Refused bool
}

// queue is the work queue (R3.3): the open tickets assigned now within the
// viewer's scope, nearest deadline first, late ones red and those due within
// a working day amber, with the number in each status at the top. An
// enterprise is sent to its portal.
func (w *Web) queue(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if a.Role == access.Enterprise {
		http.Redirect(rw, r, "/portal", http.StatusSeeOther)
		return nil
	}
	ctx := r.Context()
	q := r.URL.Query()
	f := form.New(q)
	p := w.page(r, "queue")
	filter, err := api.ParseTicketFilter(q)
	filter.Sort, filter.Limit = "due", 50
	if filter.Overdue {
		filter.Now = w.s.Clock.Now()
	}
	if at, id, ok := ticket.ParseCursor(f.Text("after")); ok {
		filter.AfterAt, filter.AfterID = at, id
	}
	var items []ticket.Ticket
	var next string
	if err == nil {
		items, next, err = w.s.Ticket.List(ctx, a, filter)
	}
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			return err
		}
		p.Status = f.Fail(p.P, err)
		filter = ticket.Filter{}
	}
	counts, err := w.s.Ticket.Counts(ctx, a, ticket.Filter{Assignee: filter.Assignee, Category: filter.Category})
	if err != nil {
		return err
	}
	rows, err := w.rows(items)
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
	d := queueData{Rows: rows, Statuses: openStatuses, Categories: ticket.Categories, Next: next, Refused: p.Status != 0,
		Names: names}
	// The assignees to filter by: those inside the viewer's scope.
	if a.Role.OrgKind() == access.OrgPlatform || a.ReadsAll() {
		d.Assignees = choices(plats, deps, func(x ticket.Assignee, path string) bool {
			return a.ReadsAll() || x.Type == ticket.ToPlatform && strings.HasPrefix(path, a.PlatformPath)
		})
	}
	for _, s := range openStatuses {
		d.Counts = append(d.Counts, statusCount{Status: s, N: counts[s]})
		d.Total += counts[s]
	}
	p.Form, p.Data = f, d
	w.render(rw, r, "queue", p)
	return nil
}
