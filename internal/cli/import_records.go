package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/tabular"
)

// importRecords is `qifu import records FILE`: a service ledger (CSV or
// XLSX) with a platform column, imported as the city admin; rows already
// recorded are skipped, so a file may be imported again.
func importRecords(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	var report string
	bind := func(fs *flag.FlagSet) {
		fs.StringVar(&report, "report", "", "where to write the report of rejected rows (default: FILE.report.xlsx)")
	}
	return oneShot(ctx, "import records", args, getenv, stderr, bind, func(a *app.App) error {
		if file == "" {
			return &UsageError{"usage: qifu import records FILE"}
		}
		p := locale.NewPrinter(cliLang(getenv))
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		r, err := tabular.Open(f, st.Size())
		if err != nil {
			return fileError(p, file, err)
		}
		defer r.Close()
		bar := newProgress(stderr, p)
		start := time.Now()
		res, err := a.Record.Import(ctx, cliActor(getenv), r, record.ImportOptions{
			Name:     filepath.Base(file),
			Describe: func(err error) string { return httpx.Message(p, apperr.As(err)) },
			Progress: func(pr record.ImportProgress) { bar.showRows(pr.Rows, pr.Rejected, pr.Fraction, time.Since(start)) },
		})
		bar.done()
		if _, serr := a.Audit.Seal(ctx); err == nil {
			err = serr
		}
		if err != nil && res.Rows == 0 {
			return err
		}
		fmt.Fprintln(stdout, p.T("record.import.summary", "file", file, "rows", res.Rows, "created", res.Created,
			"skipped", res.Skipped, "rejected", res.Rejected, "seconds", fmt.Sprintf("%.1f", time.Since(start).Seconds())))
		if len(res.Unknown) > 0 {
			fmt.Fprintln(stdout, p.T("import.unknown_columns", "columns", strings.Join(res.Unknown, ", ")))
		}
		if len(res.Problems) > 0 {
			if report == "" {
				report = file + ".report.xlsx"
			}
			out, werr := os.Create(report)
			if werr != nil {
				return werr
			}
			werr = tabular.WriteReport(out, record.ReportLabels(p, filepath.Base(file), res, time.Now()), res.Problems)
			if cerr := out.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				return werr
			}
			fmt.Fprintln(stdout, p.T("import.report_written", "path", report))
		}
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("%s", p.T("import.interrupted"))
		}
		return err
	})
}
