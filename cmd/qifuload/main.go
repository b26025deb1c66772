// Command qifuload is Qifu's load and benchmark tool. It measures the
// performance targets of the issues on this machine, each beside a baseline
// measured in the same run (the machine is shared and noisy: ratios hold,
// absolute figures drift), and prints the figures BENCHMARKS.md records.
//
//	qifuload gen-enterprises --rows 1000000 --out enterprises.csv
//	qifuload import --rows 1000000 [--db postgres://…]
//	qifuload search --db DSN [--queries 2000] [--duration 2m]
//	qifuload intake [--clients 64] [--duration 20s] [--db postgres://…]
//	qifuload queue [--tickets 5000000] [--postgres postgres://… | --db DSN] [--keep]
//	qifuload stats --db DSN [--scale city] [--clients 8] [--duration 40s] [--urls FILE]
//
// Loads go to loopback only and are bounded in time.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "gen-enterprises":
		err = genEnterprises(os.Args[2:])
	case "import":
		err = benchImport(ctx, os.Args[2:])
	case "search":
		err = benchSearch(ctx, os.Args[2:])
	case "intake":
		err = benchIntake(ctx, os.Args[2:])
	case "queue":
		err = benchQueue(ctx, os.Args[2:])
	case "stats":
		err = benchStats(ctx, os.Args[2:])
	case "baseline-server":
		err = baselineServer(ctx, os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "qifuload:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  qifuload gen-enterprises --rows N --out FILE.csv
  qifuload import --rows N [--db DSN] [--qifu PATH] [--keep]
  qifuload search --db DSN [--queries N] [--duration 2m]
  qifuload intake [--clients 64] [--duration 20s] [--db DSN]
  qifuload queue [--tickets N] [--clients 8] [--duration 20s] [--rounds 4] [--postgres DSN | --db DSN] [--keep]
  qifuload stats --db DSN [--scale city|F] [--clients 8] [--duration 40s] [--rounds 4] [--year Y] [--only …] [--urls FILE]`)
	os.Exit(2)
}

// qifuBinary is the qifu binary a load runs: the one given, or one built
// from this checkout into dir.
func qifuBinary(given, dir string) (string, error) {
	if given != "" {
		return given, nil
	}
	// Its own folder: the loads keep their databases in dir by name.
	bin := filepath.Join(dir, "bin", "qifu")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/qifu").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build qifu: %v\n%s", err, out)
	}
	return bin, nil
}

// selection reads a comma-separated list of names (--only) as a set.
func selection(list string) map[string]bool {
	want := map[string]bool{}
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	return want
}
