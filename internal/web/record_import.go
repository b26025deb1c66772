package web

import (
	"bytes"
	"errors"
	"net/http"
	"path/filepath"
	"strconv"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/tabular"
	"github.com/qifu/qifu/internal/web/form"
)

type recordImportData struct {
	// PlatformOptional: the viewer's own platform is the default, so the
	// ledger may leave the platform column out.
	PlatformOptional bool
	MaxMB            int
	Kinds, Areas     []string
}

// recordImportShow draws the upload of a service ledger.
func (w *Web) recordImportShow(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !record.MayRecord(a) {
		return apperr.Deny()
	}
	return w.recordImportRender(rw, r, a, form.New(nil), 0)
}

func (w *Web) recordImportRender(rw http.ResponseWriter, r *http.Request, a access.Actor, f *form.Form, status int) error {
	p := w.page(r, "records")
	p.Form, p.Status = f, status
	p.Data = recordImportData{PlatformOptional: !a.IsAdmin(), MaxMB: maxPostBytes >> 20, Kinds: record.Kinds, Areas: record.Areas}
	w.render(rw, r, "record_import", p)
	return nil
}

// recordImport imports an uploaded ledger, keeps its outcome and report,
// and shows them. A file that cannot be read at all comes back to the
// upload with the reason next to it.
func (w *Web) recordImport(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	if !record.MayRecord(a) {
		return apperr.Deny()
	}
	p := w.page(r, "records")
	fail := func(err error) error {
		if apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.Internal) {
			return err
		}
		f := form.New(nil)
		return w.recordImportRender(rw, r, a, f, f.FailOn(p.P, "file", err))
	}
	file, header, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return fail(apperr.Required("file"))
	}
	if err != nil {
		return fail(apperr.Field("file", "invalid", "error.invalid"))
	}
	defer file.Close()
	tr, err := tabular.Open(file, header.Size)
	if err != nil {
		return fail(tabularError(err))
	}
	defer tr.Close()
	name := filepath.Base(header.Filename)
	res, err := w.s.Record.Import(r.Context(), a, tr, record.ImportOptions{Name: name,
		Describe: func(err error) string { return httpx.Message(p.P, apperr.As(err)) }})
	if err != nil && res.Rows == 0 {
		return fail(err)
	}
	var report []byte
	if len(res.Problems) > 0 {
		var buf bytes.Buffer
		if werr := tabular.WriteReport(&buf, record.ReportLabels(p.P, name, res, w.s.Clock.Now()), res.Problems); werr != nil {
			return apperr.Wrap(werr, "web: import report")
		}
		report = buf.Bytes()
	}
	run, kerr := w.s.Record.KeepImport(r.Context(), a, name, res, report)
	if kerr != nil {
		return kerr
	}
	if err != nil {
		return err // the batches before it are kept, and so is the run
	}
	redirect(rw, r, "/record-imports/"+strconv.FormatInt(run.ID, 10), "")
	return nil
}

// tabularError is the form error of a file that is not a table.
func tabularError(err error) error {
	switch {
	case errors.Is(err, tabular.ErrEmpty):
		return apperr.Field("file", "empty", "error.file_empty")
	case errors.Is(err, tabular.ErrFormat):
		return apperr.Field("file", "format", "error.file_format")
	case errors.Is(err, tabular.ErrNoSheet):
		return apperr.Field("file", "no_sheet", "error.file_no_sheet")
	}
	return apperr.Field("file", "invalid", "error.invalid")
}

// importRunParam reads a kept import the viewer may read.
func (w *Web) importRunParam(r *http.Request, a access.Actor) (record.ImportRun, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return record.ImportRun{}, apperr.NotFoundOf("object.record_import", s)
	}
	return w.s.Record.ImportRun(r.Context(), a, id)
}

// recordImportRun shows the outcome of an import: the counts and the
// problems, with the report to download.
func (w *Web) recordImportRun(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	run, err := w.importRunParam(r, a)
	if err != nil {
		return err
	}
	p := w.page(r, "records")
	p.Data = run
	w.render(rw, r, "record_import_run", p)
	return nil
}

// recordImportReport sends an import's rejection report.
func (w *Web) recordImportReport(rw http.ResponseWriter, r *http.Request, a access.Actor) error {
	run, err := w.importRunParam(r, a)
	if err != nil {
		return err
	}
	if len(run.Report) == 0 {
		return apperr.NotFoundOf("object.record_import", strconv.FormatInt(run.ID, 10))
	}
	sendXLSX(rw, run.Name+".report.xlsx", bytes.NewBuffer(run.Report))
	return nil
}
