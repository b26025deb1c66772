package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/tabular"
)

// importMemoryLimit is the Go runtime's soft memory limit during an import
// of enterprises from a file of size bytes, unless GOMEMLIMIT sets one: 80
// MB for two batches in flight and the program, and an eighth of the file
// for the credit codes seen (16 bytes a code and room to grow; a CSV row is
// about 145 bytes). A live heap above the limit would keep the collector
// running, so the limit grows with the file rather than being one figure.
func importMemoryLimit(size int64) int64 { return 80<<20 + size/8 }

const importUsage = "usage: qifu import enterprises|records FILE [--report PATH] [--data DIR | --db DSN]"

// importCmd is `qifu import enterprises FILE` and `qifu import records
// FILE`: progress on stderr, a summary on stdout, the rejected rows in an
// XLSX report beside the file.
func importCmd(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "enterprises" && args[0] != "records" {
		return &UsageError{importUsage}
	}
	if args[0] == "records" {
		return importRecords(ctx, args[1:], getenv, stdout, stderr)
	}
	args = args[1:]
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	var report, cpuprofile, memprofile string
	var batch int
	bind := func(fs *flag.FlagSet) {
		fs.StringVar(&report, "report", "", "where to write the report of rejected rows (default: FILE.report.xlsx)")
		fs.IntVar(&batch, "batch", 10_000, "rows per transaction")
		fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the import to this file (diagnostics)")
		fs.StringVar(&memprofile, "memprofile", "", "write a heap profile to this file every few seconds during the import (diagnostics)")
	}
	return oneShot(ctx, "import enterprises", args, getenv, stderr, bind, func(a *app.App) error {
		if file == "" {
			return &UsageError{"usage: qifu import enterprises FILE"}
		}
		stop, err := startProfiles(cpuprofile, memprofile)
		if err != nil {
			return err
		}
		defer stop()
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
		if getenv("GOMEMLIMIT") == "" {
			// The live heap of an import of a million rows is about 60 MB
			// (two batches and the credit codes seen); left to double it
			// before collecting, the collector took the process past 300
			// MB. Held near the live heap it costs a point of CPU
			// (BENCHMARKS.md, issue 3).
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit(st.Size())))
		}
		bar := newProgress(stderr, p)
		start := time.Now()
		res, err := a.Enterprise.Import(ctx, cliActor(getenv), r, enterprise.ImportOptions{
			Name: filepath.Base(file), BatchSize: batch,
			Describe: func(err error) string { return httpx.Message(p, apperr.As(err)) },
			Progress: func(pr enterprise.ImportProgress) { bar.show(pr, time.Since(start)) },
		})
		bar.done()
		elapsed := time.Since(start)
		if _, serr := a.Audit.Seal(ctx); err == nil {
			err = serr
		}
		summary(stdout, p, file, res, elapsed)
		if len(res.Problems) > 0 {
			if report == "" {
				report = file + ".report.xlsx"
			}
			if werr := writeReport(report, p, file, res); werr != nil {
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

func cliLang(getenv Env) locale.Lang {
	if l, ok := locale.Parse(getenv("QIFU_LANG")); ok {
		return l
	}
	return locale.ZH
}

func fileError(p *locale.Printer, file string, err error) error {
	key := ""
	switch {
	case errors.Is(err, tabular.ErrEmpty):
		key = "error.file_empty"
	case errors.Is(err, tabular.ErrFormat):
		key = "error.file_format"
	case errors.Is(err, tabular.ErrNoSheet):
		key = "error.file_no_sheet"
	default:
		return fmt.Errorf("%s: %w", file, err)
	}
	return fmt.Errorf("%s: %s", file, p.T(key))
}

func summary(w io.Writer, p *locale.Printer, file string, res enterprise.ImportResult, d time.Duration) {
	rate := float64(res.Rows) / max(d.Seconds(), 1e-9)
	fmt.Fprintln(w, p.T("import.summary", "file", file, "rows", res.Rows, "created", res.Created, "updated", res.Updated,
		"rejected", res.Rejected, "duplicates", res.Duplicates, "seconds", fmt.Sprintf("%.1f", d.Seconds()), "rate", fmt.Sprintf("%.0f", rate)))
	if len(res.Unknown) > 0 {
		fmt.Fprintln(w, p.T("import.unknown_columns", "columns", strings.Join(res.Unknown, ", ")))
	}
}

func writeReport(path string, p *locale.Printer, file string, res enterprise.ImportResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := tabular.WriteReport(f, enterprise.ReportLabels(p, filepath.Base(file), res, time.Now()), res.Problems); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// progress draws a one-line progress bar on a terminal, or a line every
// few seconds otherwise.
type progress struct {
	w    io.Writer
	p    *locale.Printer
	tty  bool
	last time.Time
}

func newProgress(w io.Writer, p *locale.Printer) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, p: p, tty: tty}
}

func (b *progress) show(pr enterprise.ImportProgress, elapsed time.Duration) {
	b.showRows(pr.Rows, pr.Rejected, pr.Fraction, elapsed)
}

// showRows draws the bar for rows read, rows rejected and the fraction of
// the file read (-1 unknown).
func (b *progress) showRows(rows, rejected int, fraction float64, elapsed time.Duration) {
	if !b.tty && time.Since(b.last) < 5*time.Second {
		return
	}
	b.last = time.Now()
	bar := ""
	if fraction >= 0 {
		n := int(fraction * 30)
		bar = "[" + strings.Repeat("#", n) + strings.Repeat(".", 30-n) + fmt.Sprintf("] %5.1f%% ", fraction*100)
	}
	line := bar + b.p.T("import.progress", "rows", rows, "rejected", rejected,
		"rate", fmt.Sprintf("%.0f", float64(rows)/max(elapsed.Seconds(), 1e-9)))
	if b.tty {
		fmt.Fprint(b.w, "\r"+line+"\x1b[K")
	} else {
		fmt.Fprintln(b.w, line)
	}
}

func (b *progress) done() {
	if b.tty {
		fmt.Fprintln(b.w)
	}
}
