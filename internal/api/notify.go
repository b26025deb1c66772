package api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/notify"
)

func (a *API) registerNotify() {
	a.add("GET", "/api/v1/inbox", a.listInbox)
	a.add("POST", "/api/v1/inbox/{id}/read", a.readInbox)
}

// inboxMessageJSON is an inbox message as the API shows it: the text in the
// caller's language, and the key and object for machines.
type inboxMessageJSON struct {
	ID         int64            `json:"id"`
	Recipient  notify.Recipient `json:"recipient"`
	Key        string           `json:"key"`
	Text       string           `json:"text"`
	Link       string           `json:"link"`
	ObjectType string           `json:"object_type"`
	ObjectID   string           `json:"object_id"`
	CreatedAt  time.Time        `json:"created_at"`
	ReadAt     *time.Time       `json:"read_at"`
}

func (a *API) inboxJSON(r *http.Request, n notify.Notification) inboxMessageJSON {
	return inboxMessageJSON{ID: n.ID, Recipient: n.Recipient, Key: n.Key, Text: n.Text(printerOf(r)), Link: n.Link,
		ObjectType: n.ObjectType, ObjectID: n.ObjectID, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
}

// listInbox lists the caller's inbox, newest first.
func (a *API) listInbox(r *http.Request, actor access.Actor) (int, any, error) {
	limit, after, err := paging(r)
	if err != nil {
		return 0, nil, err
	}
	f := notify.InboxFilter{Limit: limit}
	if after != "" {
		if f.Before, err = strconv.ParseInt(after, 10, 64); err != nil {
			return 0, nil, apperr.Field("cursor", "invalid", "error.cursor")
		}
	}
	switch r.URL.Query().Get("unread") {
	case "", "false":
	case "true":
		f.Unread = true
	default:
		return 0, nil, apperr.Field("unread", "invalid", "error.invalid")
	}
	items, next, err := a.s.Notify.Inbox(r.Context(), actor, f)
	out := make([]inboxMessageJSON, len(items))
	for i, n := range items {
		out[i] = a.inboxJSON(r, n)
	}
	return http.StatusOK, newList(out, next), err
}

// readInbox marks one of the caller's messages read. The body is optional
// (an empty JSON object when given).
func (a *API) readInbox(r *http.Request, actor access.Actor) (int, any, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return 0, nil, bodyErr(err)
	}
	if len(bytes.TrimSpace(body)) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		var empty struct{}
		if err := decode(r, &empty); err != nil {
			return 0, nil, err
		}
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, nil, apperr.NotFoundOf("object.notification", r.PathValue("id"))
	}
	n, err := a.s.Notify.MarkRead(r.Context(), actor, id)
	return http.StatusOK, a.inboxJSON(r, n), err
}
