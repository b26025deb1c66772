package web

import (
	"net/http"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
)

// inboxRead marks one of the user's messages read, then goes to the page
// the message is about when the form names it ("next"), else back to the
// inbox. Someone else's message is refused (403).
func (w *Web) inboxRead(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundOf("object.notification", r.PathValue("id"))
	}
	if _, err := w.s.Notify.MarkRead(r.Context(), a, id); err != nil {
		return err
	}
	if next := r.PostFormValue("next"); next != "" {
		redirect(rw, r, safeNext(next), "")
		return nil
	}
	redirect(rw, r, "/inbox", "flash.inbox_read")
	return nil
}

// inboxReadAll marks every message of the user's inbox read.
func (w *Web) inboxReadAll(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if _, err := w.s.Notify.MarkAllRead(r.Context(), a); err != nil {
		return err
	}
	redirect(rw, r, "/inbox", "flash.inbox_all_read")
	return nil
}
