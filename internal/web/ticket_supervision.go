package web

import (
	"net/http"
	"sort"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/ticket"
)

// boardLimit bounds each of the board's lists (late, supervised, near).
const boardLimit = 200

// boardRow is a ticket on the supervision board with the quick actions the
// viewer may take on it.
type boardRow struct {
	ticketRow
	Urge, Supervise bool
}

// assigneeLoad is one assignee's count of tickets on the board.
type assigneeLoad struct {
	Assignee               ticket.Assignee
	Late, Near, Supervised int
}

type boardData struct {
	Rows  []boardRow
	Loads []assigneeLoad
	Names orgNames
	Late  int
	Near  int
	// Full: a list reached its bound; more tickets may qualify.
	Full bool
}

// supervision is the city's supervision board (R3.5): open tickets past a
// limit, under supervision, or falling due within a working day, the
// latest first, with counts per assignee and quick 催办 and 督办 forms for
// the city admin. Auditors read it.
func (w *Web) supervision(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !a.IsAdmin() && a.Role != access.Auditor {
		return apperr.Deny()
	}
	ctx := r.Context()
	now := w.s.Clock.Now()
	soon, err := w.s.Ticket.NearDue()
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	var items []ticket.Ticket
	d := boardData{}
	for i, f := range []ticket.Filter{
		{Overdue: true, Now: now, Sort: "due", Limit: boardLimit},
		{Supervised: true, Open: true, Sort: "due", Limit: boardLimit},
		{Sort: "due", Limit: boardLimit}, // the nearest deadlines
	} {
		list, next, err := w.s.Ticket.List(ctx, a, f)
		if err != nil {
			return err
		}
		for _, t := range list {
			if !seen[t.ID] && (t.Late(now) || t.Supervised || t.Near(now, soon)) {
				seen[t.ID] = true
				items = append(items, t)
			}
		}
		// The last list goes on past the near deadlines; it was cut short
		// only when its last ticket is still near.
		if next != "" && (i < 2 || list[len(list)-1].Near(now, soon)) {
			d.Full = true
		}
	}
	rows, err := w.rows(items)
	if err != nil {
		return err
	}
	// Late first, the longest overdue at the top; then near; then the
	// supervised rest.
	rank := func(r ticketRow) int {
		switch {
		case r.Late:
			return 0
		case r.Near:
			return 1
		}
		return 2
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if ri, rj := rank(rows[i]), rank(rows[j]); ri != rj {
			return ri < rj
		}
		return rows[i].DueAt.Before(rows[j].DueAt)
	})
	loads := map[ticket.Assignee]*assigneeLoad{}
	for _, row := range rows {
		allowed := ticket.AllowedActions(a, ticket.RelationOf(a, row.Ticket, nil, nil), row.Ticket)
		br := boardRow{ticketRow: row}
		for _, act := range allowed {
			br.Urge = br.Urge || act == "urge"
			br.Supervise = br.Supervise || act == "supervise"
		}
		d.Rows = append(d.Rows, br)
		l := loads[row.Assignee]
		if l == nil {
			l = &assigneeLoad{Assignee: row.Assignee}
			loads[row.Assignee] = l
		}
		switch {
		case row.Late:
			l.Late++
			d.Late++
		case row.Near:
			l.Near++
			d.Near++
		}
		if row.Supervised {
			l.Supervised++
		}
	}
	for _, l := range loads {
		d.Loads = append(d.Loads, *l)
	}
	sort.Slice(d.Loads, func(i, j int) bool {
		x, y := d.Loads[i], d.Loads[j]
		if x.Late != y.Late {
			return x.Late > y.Late
		}
		if x.Near != y.Near {
			return x.Near > y.Near
		}
		return x.Assignee.String() < y.Assignee.String()
	})
	if d.Names, err = w.names(r); err != nil {
		return err
	}
	p := w.page(r, "supervision")
	p.Data = d
	w.render(rw, r, "supervision", p)
	return nil
}
