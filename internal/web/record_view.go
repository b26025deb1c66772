package web

import (
	"net/http"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/web/form"
)

type recordViewData struct {
	Record recordRow
	// History is the chain of corrections the record belongs to, oldest
	// first (the record itself included).
	History    []recordRow
	MayCorrect bool
	// FromTicket: only the area and note of a ticket's record change.
	FromTicket bool
	// Platforms and choices of the correction form.
	Platforms []org.Platform
	Kinds     []string
	Areas     []string
}

// recordIDParam reads {id}: a positive number.
func recordIDParam(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundOf("object.service_record", s)
	}
	return id, nil
}

// recordLoad reads a record the viewer may read, with its history.
func (w *Web) recordLoad(r *http.Request, a access.Actor) (recordViewData, error) {
	id, err := recordIDParam(r)
	if err != nil {
		return recordViewData{}, err
	}
	rec, err := w.s.Record.Get(r.Context(), a, id)
	if err != nil {
		return recordViewData{}, err
	}
	history, err := w.s.Record.History(r.Context(), a, rec)
	if err != nil {
		return recordViewData{}, err
	}
	names, err := w.names(r)
	if err != nil {
		return recordViewData{}, err
	}
	return recordViewData{Record: recordRow{Record: rec, By: recordBy(names, rec)}, History: recordRows(names, history),
		MayCorrect: record.MayCorrect(a, rec), FromTicket: rec.TicketID != nil || rec.DepartmentCode != "",
		Kinds: record.Kinds, Areas: record.Areas}, nil
}

// recordView shows a record, whether it counts, and its corrections.
func (w *Web) recordView(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	d, err := w.recordLoad(r, a)
	if err != nil {
		return err
	}
	p := w.page(r, "records")
	p.Data = d
	w.render(rw, r, "record_view", p)
	return nil
}

// recordCorrectShow draws the correction form, filled with the record.
func (w *Web) recordCorrectShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	d, err := w.recordLoad(r, a)
	if err != nil {
		return err
	}
	if !d.MayCorrect {
		if d.Record.Cancelled {
			return &apperr.Error{Kind: apperr.Conflict, Code: "already_cancelled", Key: "error.record_already_cancelled"}
		}
		return apperr.Deny()
	}
	return w.recordCorrectRender(rw, r, a, d, form.FromRecord(d.Record.Record), 0)
}

func (w *Web) recordCorrectRender(rw http.ResponseWriter, r *http.Request, a access.Actor, d recordViewData, f *form.Form, status int) error {
	var err error
	if !d.FromTicket {
		if d.Platforms, err = w.recordPlatforms(r, a); err != nil {
			return err
		}
	}
	p := w.page(r, "records")
	p.Form, p.Status, p.Data = f, status, d
	w.render(rw, r, "record_correct", p)
	return nil
}

// recordCorrect cancels the record and adds the corrected one (or only
// cancels it, with the withdraw button), then shows the record that counts
// now.
func (w *Web) recordCorrect(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	d, err := w.recordLoad(r, a)
	if err != nil {
		return err
	}
	f := form.New(r.PostForm)
	out, err := w.s.Record.Correct(r.Context(), a, d.Record.ID, f.RecordCorrection(d.Record.Record))
	if err == nil {
		if out.Record == nil {
			redirect(rw, r, "/records/"+strconv.FormatInt(out.Cancelled.ID, 10), "flash.record_withdrawn")
			return nil
		}
		redirect(rw, r, "/records/"+strconv.FormatInt(out.Record.ID, 10), "flash.record_corrected")
		return nil
	}
	if apperr.Is(err, apperr.Forbidden) && apperr.As(err).Field == "" || apperr.Is(err, apperr.Internal) {
		return err
	}
	status := f.Fail(w.page(r, "").P, err)
	return w.recordCorrectRender(rw, r, a, d, f, status)
}
