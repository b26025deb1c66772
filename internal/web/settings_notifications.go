package web

import (
	"net/http"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/notify"
)

type outboxRow struct {
	notify.Notification
	Recipient string // as shown: phone numbers masked
	Text      string
}

type outboxCounts struct {
	Channel notify.Channel
	By      map[notify.Status]int
	Total   int
}

type outboxData struct {
	Counts      []outboxCounts
	Statuses    []notify.Status
	Failed      []outboxRow
	Retrying    []outboxRow
	Next        string // cursor of older failed sends
	Paged       bool
	MaxAttempts int
}

// outboxShow shows the city admin how the outbox stands: messages per
// channel and status, the sends being retried, and the failed ones with
// their error and a button to send them again.
func (w *Web) outboxShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	ctx := r.Context()
	counts, err := w.s.Notify.Counts(ctx, a)
	if err != nil {
		return err
	}
	p := w.page(r, "settings")
	d := outboxData{Statuses: notify.Statuses, MaxAttempts: notify.DefaultMaxAttempts}
	for _, ch := range notify.Channels {
		c := outboxCounts{Channel: ch, By: map[notify.Status]int{}}
		for _, x := range counts {
			if x.Channel == ch {
				c.By[x.Status] += x.N
				c.Total += x.N
			}
		}
		d.Counts = append(d.Counts, c)
	}
	before := auditCursor(r.URL.Query().Get("before"))
	d.Paged = before > 0
	failed, next, err := w.s.Notify.List(ctx, a, notify.Filter{Status: notify.Failed, Before: before, Limit: 50})
	if err != nil {
		return err
	}
	d.Next = next
	retrying, _, err := w.s.Notify.List(ctx, a, notify.Filter{Status: notify.Pending, MinAttempts: 1, Limit: 50})
	if err != nil {
		return err
	}
	row := func(n notify.Notification) outboxRow {
		id := n.Recipient.ID
		if n.Recipient.Kind == notify.ToPhone {
			id = notify.MaskNumber(id)
		}
		return outboxRow{Notification: n, Recipient: p.T("notify.recipient."+string(n.Recipient.Kind), "id", id), Text: n.Text(p.P)}
	}
	for _, n := range failed {
		d.Failed = append(d.Failed, row(n))
	}
	for _, n := range retrying {
		d.Retrying = append(d.Retrying, row(n))
	}
	p.Data = d
	w.render(rw, r, "settings_notifications", p)
	return nil
}

// outboxRetry sends a failed message again (city admin).
func (w *Web) outboxRetry(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundOf("object.notification", r.PathValue("id"))
	}
	if err := w.s.Notify.Retry(r.Context(), a, id); err != nil {
		return err
	}
	redirect(rw, r, "/settings/notifications", "flash.notification_retried")
	return nil
}
