// Package cli is the qifu command line of API.md "Starting and
// bootstrapping": serve, migrate, user create, token create, demo, version,
// audit verify, import, stats rebuild. Every flag has a QIFU_* environment
// equivalent; a bad input ends with a one-line reason and a non-zero exit.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/locale"
)

// Env reads environment variables (os.Getenv, or a map in tests).
type Env func(string) string

// UsageError is a mistake in the command line itself (exit status 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

const usage = `qifu — SME public service network (企服)

Usage:
  qifu serve        [--addr 127.0.0.1:8080] [--data DIR | --db DSN] [--trust-proxy]
  qifu migrate      [--data DIR | --db DSN] [--status]
  qifu user create  --username U --password P --role ROLE [--org CODE] [--name NAME] [--must-change]
  qifu token create --username U [--name N]
  qifu demo         [--tickets N] [--records N] [--data DIR | --db DSN]
  qifu demo         --scale city|FRACTION [--years 5] [--data DIR | --db DSN]
  qifu import enterprises FILE [--report PATH] [--data DIR | --db DSN]
  qifu import records FILE [--report PATH] [--data DIR | --db DSN]
  qifu audit verify [--data DIR | --db DSN]
  qifu stats rebuild [--data DIR | --db DSN]
  qifu version

--db takes postgres://… or sqlite:PATH; without it the embedded database in
--data (default ./qifu-data) is used. QIFU_ADDR, QIFU_DATA, QIFU_DB,
QIFU_LOG_LEVEL, QIFU_TRUST_PROXY and QIFU_LANG stand for the flags.
Roles: city_admin, district_staff, street_staff, specialised_staff,
department_staff, hotline_operator, institution_staff, enterprise, auditor.
`

// Run executes one command. stdout gets the command's output; errors are
// returned (main prints them as one line).
func Run(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return &UsageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, getenv, stdout, stderr)
	case "user":
		if len(rest) == 0 || rest[0] != "create" {
			return &UsageError{"usage: qifu user create --username U --password P --role ROLE [--org CODE]"}
		}
		return userCreate(ctx, rest[1:], getenv, stdout, stderr)
	case "token":
		if len(rest) == 0 || rest[0] != "create" {
			return &UsageError{"usage: qifu token create --username U [--name N]"}
		}
		return tokenCreate(ctx, rest[1:], getenv, stdout, stderr)
	case "demo":
		return demoCmd(ctx, rest, getenv, stdout, stderr)
	case "import":
		return importCmd(ctx, rest, getenv, stdout, stderr)
	case "audit":
		if len(rest) == 0 || rest[0] != "verify" {
			return &UsageError{"usage: qifu audit verify [--data DIR | --db DSN]"}
		}
		return auditVerify(ctx, rest[1:], getenv, stdout, stderr)
	case "stats":
		return statsCmd(ctx, rest, getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "qifu", app.Version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return &UsageError{fmt.Sprintf("unknown command %q", cmd)}
}

// common are the options every command that opens the database takes.
type common struct {
	data, db, logLevel string
}

func (c *common) bind(fs *flag.FlagSet, getenv Env) {
	fs.StringVar(&c.data, "data", envOr(getenv, "QIFU_DATA", "qifu-data"), "directory of the embedded database")
	fs.StringVar(&c.db, "db", getenv("QIFU_DB"), "database: postgres://… or sqlite:PATH")
	fs.StringVar(&c.logLevel, "log-level", envOr(getenv, "QIFU_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
}

func (c *common) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.logLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl}))
}

// open opens the app for a one-shot command (no background jobs).
func (c *common) open(ctx context.Context, stderr io.Writer) (*app.App, error) {
	return app.Open(ctx, app.Config{DataDir: c.data, DB: c.db, Logger: c.logger(stderr), NoJobs: true})
}

func envOr(getenv Env, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("qifu "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return &UsageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

func serve(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	var c common
	c.bind(fs, getenv)
	addr := fs.String("addr", envOr(getenv, "QIFU_ADDR", "127.0.0.1:8080"), "listen address")
	trust := fs.Bool("trust-proxy", getenv("QIFU_TRUST_PROXY") == "true", "take the client IP from X-Forwarded-For (behind a reverse proxy only)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (diagnostics)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	a, err := app.Open(ctx, app.Config{Addr: *addr, DataDir: c.data, DB: c.db, TrustProxy: *trust, Logger: c.logger(stderr)})
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx, func(addr string) {
		fmt.Fprintf(stdout, "qifu %s listening on http://%s (%s)\n", app.Version, addr, a.DB.Target())
	})
}

func migrate(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	var status bool
	bind := func(fs *flag.FlagSet) {
		fs.BoolVar(&status, "status", false, "list migrations and whether each is applied")
	}
	return oneShot(ctx, "migrate", args, getenv, stderr, bind, func(a *app.App) error {
		list, err := a.DB.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		if status {
			for _, m := range list {
				state := "applied " + m.AppliedAt
				if m.AppliedAt == "" {
					state = "pending"
				}
				fmt.Fprintf(stdout, "%s\t%s\n", m.Name, state)
			}
			return nil
		}
		fmt.Fprintf(stdout, "database %s is at migration %s\n", a.DB.Target(), list[len(list)-1].Name)
		return nil
	})
}

// cliActor is who the audit log names for CLI commands.
func cliActor(getenv Env) access.Actor {
	name := "cli"
	if u := getenv("USER"); u != "" {
		name = "cli:" + u
	}
	return access.SystemActor(name)
}

// Message renders an error as the one line the CLI prints.
func Message(err error, getenv Env) string {
	var ue *UsageError
	if errors.As(err, &ue) {
		return ue.Msg
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		lang := locale.ZH
		if l, ok := locale.Parse(getenv("QIFU_LANG")); ok {
			lang = l
		}
		msg := httpx.Message(locale.NewPrinter(lang), ae)
		if ae.Kind == apperr.Internal && ae.Err != nil {
			msg += ": " + ae.Err.Error()
		}
		if ae.Field != "" {
			return ae.Field + ": " + msg
		}
		return msg
	}
	return strings.TrimSpace(err.Error())
}
