package cli

import (
	"aftermath"

	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"aftermath/internal/jobs"
	"aftermath/internal/sqldb"
	"aftermath/internal/web"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "serve", "serve [--db DB] [--addr HOST:PORT]\n\nServes the web pages until interrupted.")
	dsn := dbFlag(fs, env)
	addr := fs.String("addr", "localhost:8080", "address to listen on, HOST:PORT (port 0 picks a free one)")
	tlsCert := fs.String("tls-cert", "", "TLS certificate file (PEM); with --tls-key, serve HTTPS")
	tlsKey := fs.String("tls-key", "", "TLS private key file (PEM)")
	secureCookies := fs.Bool("secure-cookies", false, "mark cookies Secure; use behind a reverse proxy that terminates TLS")
	uploadDir := fs.String("upload-dir", "", "where uploaded files wait for their import (default: DB.uploads beside a SQLite file, else aftermath-uploads)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("serve: give both --tls-cert and --tls-key, or neither")}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(env.Stderr, nil))
	// A new database starts with the starter catalog.
	if ivs, err := db.Interventions(ctx, aftermath.System); err != nil {
		return err
	} else if len(ivs) == 0 {
		added, _, err := seedCatalog(ctx, db)
		if err != nil {
			return err
		}
		log.Info("loaded the starter catalog", "interventions", added)
	}
	srv, err := web.New(db, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv.SecureCookies(*secureCookies)
	if *uploadDir == "" {
		*uploadDir = "aftermath-uploads"
		if db.Driver == sqldb.SQLite {
			*uploadDir = *dsn + ".uploads"
		}
	}
	srv.SetUploadDir(*uploadDir)
	wake := make(chan struct{}, 1)
	srv.JobsWake = wake
	runner := &jobs.Runner{DB: db, Log: log, Wake: wake}
	srv.JobProgress = runner.Progress
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() { runner.Run(jobsCtx); close(jobsDone) }()
	defer func() { stopJobs(); <-jobsDone }()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(env.Stdout, "aftermath: serving %s on %s://%s\n", db.Name(), scheme, ln.Addr())
	errc := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			errc <- hs.ServeTLS(ln, *tlsCert, *tlsKey)
			return
		}
		errc <- hs.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
