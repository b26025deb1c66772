package web

import (
	"net/http"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/notify"
)

type inboxRow struct {
	ID           int64
	Text         string
	Link         string
	At           time.Time
	Unread       bool
	ToEnterprise bool
}

type inboxData struct {
	Rows       []inboxRow
	Next       string // cursor of the next (older) page
	Paged      bool
	UnreadOnly bool
}

// inboxList shows the user's inbox, newest first, each message rendered in
// the language of the page.
func (w *Web) inboxList(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	q := r.URL.Query()
	p := w.page(r, "")
	d := inboxData{UnreadOnly: q.Get("unread") == "1"}
	before := auditCursor(q.Get("before"))
	d.Paged = before > 0
	items, next, err := w.s.Notify.Inbox(r.Context(), a, notify.InboxFilter{Before: before, Unread: d.UnreadOnly, Limit: 50})
	if err != nil {
		return err
	}
	d.Next = next
	for _, n := range items {
		d.Rows = append(d.Rows, inboxRow{ID: n.ID, Text: n.Text(p.P), Link: n.Link, At: n.CreatedAt, Unread: n.ReadAt == nil,
			ToEnterprise: n.Recipient.Kind == notify.ToEnterprise})
	}
	p.Data = d
	w.render(rw, r, "inbox", p)
	return nil
}
