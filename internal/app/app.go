// Package app wires Qifu together: configuration, the database, the domain
// services, the HTTP surfaces and the background jobs. Open builds it, Run
// serves until the context ends, Close releases it; an end-to-end test starts
// the real server in-process the same way the binary does.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qifu/qifu/internal/api"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/calendar"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/jobs"
	"github.com/qifu/qifu/internal/notify"
	"github.com/qifu/qifu/internal/open311"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/stats"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/ticket"
	"github.com/qifu/qifu/internal/web"
)

// Version is set at build time (-ldflags "-X …app.Version=…").
var Version = "dev"

// Config is what the CLI and environment decide.
type Config struct {
	Addr       string // listen address, default 127.0.0.1:8080
	DataDir    string // embedded database directory, default ./qifu-data
	DB         string // postgres://… or sqlite:PATH; overrides DataDir
	TrustProxy bool   // take the client IP from X-Forwarded-For
	Logger     *slog.Logger
	Clock      clock.Clock
	// NoJobs disables background jobs (CLI commands, some tests).
	NoJobs bool
}

// App is a running Qifu.
type App struct {
	Config     Config
	DB         *store.DB
	Org        *org.Service
	Auth       *auth.Service
	Enterprise *enterprise.Service
	Ticket     *ticket.Service
	Record     *record.Service
	Stats      *stats.Service
	Audit      *audit.Service
	Calendar   *calendar.Service
	Idem       store.IdempotencyStore
	API        *api.API
	Web        *web.Web
	Handler    http.Handler
	Jobs       *jobs.Runner
	Metrics    *prometheus.Registry
	// Queue is the durable job queue; Dispatcher sends the notification
	// outbox. Both run in Run unless Config.NoJobs.
	Queue      *jobs.Queue
	Notify     *notify.Service
	Dispatcher *notify.Dispatcher
}

// Open connects to the database (creating and migrating it), builds the
// services and the HTTP handler.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	dialect, dsn, err := store.ResolveDSN(cfg.DB, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, dialect, dsn)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, DB: db}
	a.Org = org.NewService(store.Repo[org.Tx]{DB: db}, cfg.Clock)
	a.Auth = auth.NewService(store.Repo[auth.Tx]{DB: db}, cfg.Clock, auth.DefaultPolicy)
	a.Audit = audit.NewService(store.AuditStore{DB: db}, cfg.Clock)
	a.Enterprise = enterprise.NewService(store.Repo[enterprise.Tx]{DB: db}, cfg.Clock)
	a.Calendar = calendar.NewService(store.Repo[calendar.Tx]{DB: db}, cfg.Clock)
	a.Ticket = ticket.NewService(store.Repo[ticket.Tx]{DB: db}, cfg.Clock, ticketCalendar{a.Calendar})
	a.Record = record.NewService(store.Repo[record.Tx]{DB: db}, cfg.Clock)
	a.Stats = stats.NewService(store.Repo[stats.Tx]{DB: db}, cfg.Clock)
	a.Idem = store.IdempotencyStore{DB: db}
	a.Notify = notify.NewService(store.Repo[notify.Tx]{DB: db}, cfg.Clock)
	a.Queue = jobs.New(store.JobStore{DB: db}, cfg.Clock, jobs.Options{Logger: cfg.Logger})
	a.Queue.KeepFinished(7*24*time.Hour, 90*24*time.Hour)
	// Supervision: one sweep per minute slot, on one instance.
	a.Queue.Handle(ticket.SupervisionKind, func(ctx context.Context, _ jobs.Job) error {
		rep, err := a.Ticket.Supervise(ctx)
		if rep != (ticket.SweepReport{}) {
			cfg.Logger.Info("tickets supervised", "report", rep)
		}
		return err
	})
	a.Queue.Schedule(ticket.SupervisionKind, time.Minute)
	// A calendar change (a year's schedule published, a typhoon closure)
	// brings a sweep at once: provisional deadlines are counted again.
	a.Calendar.OnChange = func(ctx context.Context, ch calendar.Change) {
		key := fmt.Sprintf("calendar:%d:%s@%s", ch.Year, ch.Date, cfg.Clock.Now().UTC().Format(time.RFC3339Nano))
		if j, err := jobs.NewJob(ticket.SupervisionKind, key, nil, time.Time{}); err == nil {
			if _, err := a.Queue.Enqueue(ctx, j); err != nil {
				cfg.Logger.Error("enqueue supervision after a calendar change", "err", err)
			}
		}
	}
	a.Dispatcher = notify.NewDispatcher(store.NotifyStore{DB: db}, cfg.Clock,
		notify.DispatchOptions{Instance: a.Queue.Instance(), Logger: cfg.Logger})
	a.Dispatcher.Register(notify.LogSMS{Log: cfg.Logger})
	a.Metrics = prometheus.NewRegistry()
	a.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.API = api.New(api.Services{Org: a.Org, Auth: a.Auth, Audit: a.Audit, Enterprise: a.Enterprise, Ticket: a.Ticket,
		Record: a.Record, Stats: a.Stats, Calendar: a.Calendar, Idem: a.Idem, Notify: a.Notify, Clock: cfg.Clock, Log: cfg.Logger})
	a.Web, err = web.New(web.Services{Org: a.Org, Auth: a.Auth, Audit: a.Audit, Enterprise: a.Enterprise, Calendar: a.Calendar, Notify: a.Notify,
		Ticket: a.Ticket, Record: a.Record, Stats: a.Stats, Clock: cfg.Clock, Log: cfg.Logger})
	if err != nil {
		db.Close()
		return nil, err
	}
	a.Handler = a.handler()
	a.Jobs = a.jobs()
	return a, nil
}

func (a *App) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Metrics, promhttp.HandlerOpts{}))
	a.API.Mount(mux)
	a.Web.Mount(mux)
	open311.New(open311.Services{Org: a.Org, Auth: a.Auth, Audit: a.Audit, Ticket: a.Ticket, Clock: a.Config.Clock,
		Log: a.Config.Logger}).Mount(mux)
	cop := http.NewCrossOriginProtection()
	// The JSON API and Open311 authenticate by token, never by cookie: a
	// request from another origin cannot ride on a user's session there.
	cop.AddInsecureBypassPattern("/api/")
	cop.AddInsecureBypassPattern("/open311/")
	return httpx.Edge(httpx.Options{Logger: a.Config.Logger, TrustProxy: a.Config.TrustProxy,
		Metrics: httpx.NewMetrics(a.Metrics)}, cop.Handler(mux))
}

func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := a.DB.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(map[string]string{"status": "unavailable", "database": string(a.DB.Dialect())})
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"status": "ok", "database": string(a.DB.Dialect()), "version": Version})
}

func (a *App) jobs() *jobs.Runner {
	r := &jobs.Runner{Log: a.Config.Logger}
	r.Add(jobs.Task{Name: "audit.seal", Every: time.Second, Run: func(ctx context.Context) error {
		_, err := a.Audit.Seal(ctx)
		return err
	}})
	r.Add(jobs.Task{Name: "sessions.clean", Every: 5 * time.Minute, Run: func(ctx context.Context) error {
		_, err := a.Auth.CleanSessions(ctx)
		return err
	}})
	r.Add(jobs.Task{Name: "audit.purge", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := a.Audit.Purge(ctx)
		return err
	}})
	r.Add(jobs.Task{Name: "idempotency.purge", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := a.Idem.PurgeIdempotency(ctx, a.Config.Clock.Now().Add(-24*time.Hour))
		return err
	}})
	// Every instance dispatches: each message is claimed by one of them.
	r.Add(jobs.Task{Name: "notify.dispatch", Every: 2 * time.Second, Run: func(ctx context.Context) error {
		_, err := a.Dispatcher.Drain(ctx)
		return err
	}})
	return r
}

// startJobs starts the periodic tasks and the job queue's workers; the
// channel closes once both have stopped after ctx ends.
func (a *App) startJobs(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if a.Config.NoJobs {
		close(done)
		return done
	}
	a.Jobs.Start(ctx)
	go func() {
		a.Queue.Run(ctx)
		a.Jobs.Wait()
		close(done)
	}()
	return done
}

// Run serves HTTP on the configured address until ctx ends, then shuts down
// gracefully (in-flight requests get 15 seconds) and seals the audit chain.
// ready, when not nil, receives the bound address once listening.
func (a *App) Run(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.Config.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Config.Logger.Handler(), slog.LevelWarn),
	}
	jobCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	jobsDone := a.startJobs(jobCtx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Config.Logger.Info("qifu serving", "addr", ln.Addr().String(), "database", a.DB.Target(), "version", Version)
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		stopJobs()
		<-jobsDone
		return err
	case <-ctx.Done():
	}
	a.Config.Logger.Info("qifu shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	stopJobs()
	<-jobsDone
	if _, serr := a.Audit.Seal(shutCtx); serr != nil {
		err = errors.Join(err, serr)
	}
	return err
}

// ticketCalendar gives the ticket service the city's working-day calendar
// (official holidays and 调休 days, loaded years, local overrides).
type ticketCalendar struct{ svc *calendar.Service }

func (c ticketCalendar) AddWorkingDays(from time.Time, n int) (time.Time, bool, error) {
	cal, err := c.svc.Current(context.Background())
	if err != nil {
		return time.Time{}, false, err
	}
	d, err := cal.AddWorkingDays(from, n)
	return d.At, d.Provisional, err
}

func (c ticketCalendar) AddHours(from time.Time, h int) time.Time {
	return from.Add(time.Duration(h) * time.Hour)
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }
