package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/store"
)

var csvHeader = []string{"统一社会信用代码", "企业名称", "所属行业", "从业人员", "营业收入(万元)", "资产总额(万元)",
	"所在街道/区划代码", "地址", "联系人", "联系电话"}

func record(e enterprise.Enterprise) []string {
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 2, 64)
	}
	return []string{e.USCC, e.Name, e.Industry, strconv.FormatInt(*e.Employees, 10), f(e.RevenueWan), f(e.AssetsWan),
		e.RegionCode, e.Address, e.ContactName, e.ContactPhone}
}

// writeCSV writes n generated enterprises (seed 7, distinct from the demo's).
func writeCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write(csvHeader)
	g := demo.NewGenerator(7)
	for i := 0; i < n; i++ {
		w.Write(record(g.Next()))
	}
	w.Flush()
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func genEnterprises(args []string) error {
	fs := flag.NewFlagSet("gen-enterprises", flag.ExitOnError)
	rows := fs.Int("rows", 1_000_000, "how many enterprises")
	out := fs.String("out", "enterprises.csv", "output CSV")
	fs.Parse(args)
	start := time.Now()
	if err := writeCSV(*out, *rows); err != nil {
		return err
	}
	fmt.Printf("wrote %d enterprises to %s in %.1fs\n", *rows, *out, time.Since(start).Seconds())
	return nil
}

// benchImport measures the end-to-end import of n CSV rows (the real
// `qifu import enterprises`, in its own process for an honest peak memory)
// beside the raw insert rate of the same rows through the same driver in
// one transaction.
func benchImport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	rows := fs.Int("rows", 1_000_000, "how many CSV rows")
	dbFlag := fs.String("db", "", "postgres://… to measure PostgreSQL (a fresh schema is used); default SQLite in a temp dir")
	qifu := fs.String("qifu", "", "the qifu binary (default: go build it)")
	keep := fs.Bool("keep", false, "keep the imported database (printed) for `qifuload search`")
	fs.Parse(args)

	tmp, err := os.MkdirTemp("", "qifuload-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := qifuBinary(*qifu, tmp)
	if err != nil {
		return err
	}
	csvPath := filepath.Join(tmp, "enterprises.csv")
	fmt.Printf("generating %d rows… ", *rows)
	start := time.Now()
	if err := writeCSV(csvPath, *rows); err != nil {
		return err
	}
	st, _ := os.Stat(csvPath)
	fmt.Printf("%.1fs, %.0f MB\n", time.Since(start).Seconds(), float64(st.Size())/1e6)

	target := func(name string) (string, func(), error) {
		kept := *keep && name == "import"
		if *dbFlag == "" {
			dir := filepath.Join(tmp, name)
			if kept {
				if dir, err = os.MkdirTemp("", "qifuload-db-"); err != nil {
					return "", nil, err
				}
			}
			return "sqlite:" + filepath.Join(dir, "qifu.db"), func() {}, nil
		}
		dsn, drop, err := freshSchema(*dbFlag, name)
		if kept {
			drop = func() {}
		}
		return dsn, drop, err
	}

	// Baseline: the same rows, plain INSERTs, one transaction.
	rawDSN, dropRaw, err := target("raw")
	if err != nil {
		return err
	}
	defer dropRaw()
	rawRate, err := rawInsert(ctx, rawDSN, csvPath)
	if err != nil {
		return fmt.Errorf("raw insert: %w", err)
	}

	// End to end: a database with the demo network (its 3,001 enterprises
	// included), then the import.
	dsn, drop, err := target("import")
	if err != nil {
		return err
	}
	defer drop()
	if out, err := exec.CommandContext(ctx, bin, "demo", "--tickets", "0", "--db", dsn).CombinedOutput(); err != nil {
		return fmt.Errorf("demo: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, bin, "import", "enterprises", csvPath, "--db", dsn)
	cmd.Env = append(os.Environ(), "QIFU_LANG=en")
	cmd.Stderr = io.Discard
	var stdout strings.Builder
	cmd.Stdout = &stdout
	start = time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	err = cmd.Wait()
	elapsed := time.Since(start)
	out := stdout.String()
	if err != nil {
		return fmt.Errorf("import: %v\n%s", err, out)
	}
	peakKB, sampled := peak()
	if !sampled {
		// No /proc: the child's rusage. On Linux it also counts this
		// process's own peak (the child is forked from it before exec),
		// which holds every row for the raw insert: too high.
		peakKB = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	}
	peakMB := float64(peakKB) / 1024
	rate := float64(*rows) / elapsed.Seconds()
	fmt.Print(string(out))
	fmt.Printf("\nengine %s, %d rows, %d CPUs\n", engineName(dsn), *rows, runtime.NumCPU())
	fmt.Printf("raw insert (same rows, same driver, one transaction): %8.0f rows/s\n", rawRate)
	fmt.Printf("qifu import end to end:                               %8.0f rows/s  (%.2f× raw), %.1fs, peak RSS %.0f MB\n",
		rate, rate/rawRate, elapsed.Seconds(), peakMB)
	if *keep {
		fmt.Printf("database kept: %s\n", dsn)
	}
	return nil
}

// watchPeakRSS samples the high-water mark of a process's resident memory
// (VmHWM in /proc) every 20 ms until the returned function is called, which
// gives the last sample in kB and whether any sample was read. The mark
// only rises, so only a rise in the process's last 20 ms would be missed.
// (rusage's maxrss is no use here: a child started by fork and exec
// inherits its parent's high-water mark.)
func watchPeakRSS(pid int) func() (int64, bool) {
	var mu sync.Mutex
	var kb int64
	ok := false
	done := make(chan struct{})
	stopped := make(chan struct{})
	path := fmt.Sprintf("/proc/%d/status", pid)
	go func() {
		defer close(stopped)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if b, err := os.ReadFile(path); err == nil {
				for _, line := range strings.Split(string(b), "\n") {
					if v, found := strings.CutPrefix(line, "VmHWM:"); found {
						n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
						if err == nil {
							mu.Lock()
							kb, ok = max(kb, n), true
							mu.Unlock()
						}
					}
				}
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (int64, bool) {
		close(done)
		<-stopped
		mu.Lock()
		defer mu.Unlock()
		return kb, ok
	}
}

func engineName(dsn string) string {
	if strings.HasPrefix(dsn, "sqlite:") {
		return "sqlite"
	}
	return "postgres"
}

// freshSchema makes a schema of its own in the PostgreSQL database and
// returns a DSN using it, and a function dropping it.
func freshSchema(base, name string) (string, func(), error) {
	schema := fmt.Sprintf("qifuload_%s_%d", name, time.Now().UnixNano())
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		return "", nil, err
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema, func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	}, nil
}

// rawInsert inserts the CSV's rows into a plain table of the same columns
// with one prepared INSERT per row in one transaction: what the driver does
// with no validation, classification or search index.
func rawInsert(ctx context.Context, dsn, csvPath string) (float64, error) {
	d, path, err := store.ResolveDSN(dsn, "")
	if err != nil {
		return 0, err
	}
	db, err := store.Open(ctx, d, path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	f, err := os.Open(csvPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	cr.Read()
	var recs [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		recs = append(recs, rec)
	}
	start := time.Now()
	err = db.Raw(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE raw_enterprises (id BIGINT PRIMARY KEY, uscc TEXT, name TEXT, industry TEXT,
			employees BIGINT, revenue_wan DOUBLE PRECISION, assets_wan DOUBLE PRECISION, region_code TEXT, address TEXT,
			contact_name TEXT, contact_phone TEXT)`); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, store.Rebind(d, "INSERT INTO raw_enterprises VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, r := range recs {
			if _, err := stmt.ExecContext(ctx, i+1, r[0], r[1], r[2], r[3], nullable(r[4]), nullable(r[5]), r[6], r[7], r[8], r[9]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return float64(len(recs)) / time.Since(start).Seconds(), nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
