package cli

import (
	"aftermath"

	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"aftermath/internal/auth"
	"aftermath/internal/jobs"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/backup"
	"aftermath/internal/vault"
	"aftermath/internal/web"
	"aftermath/internal/web/api"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "serve", "serve [--db DB] [--addr HOST:PORT] [--base-url https://HOST]\n\nServes the web pages until interrupted.")
	dsn := dbFlag(fs, env)
	jobsStale := fs.Duration("jobs-stale-after", jobs.DefaultStaleAfter, "how long a running import may stay silent before another server on the same PostgreSQL takes its server for dead and runs it again (at least 10s)")
	replicaDSN := fs.String("db-replica", "", "postgres:// URL of a streaming replica of --db that answers anonymous visitors' public pages (docs/scaling.md); reads go to --db while it is down or has not caught up with --db's audiences and imports")
	addr := fs.String("addr", "localhost:8080", "address to listen on, HOST:PORT (port 0 picks a free one)")
	tlsCert := fs.String("tls-cert", "", "TLS certificate file (PEM); with --tls-key, serve HTTPS")
	tlsKey := fs.String("tls-key", "", "TLS private key file (PEM)")
	secureCookies := fs.Bool("secure-cookies", false, "mark cookies Secure; use behind a reverse proxy that terminates TLS")
	keyFile := fs.String("key-file", "", "key-encryption key of testimony (default: $AFTERMATH_KEY_FILE, else beside the database; see docs/keys.md)")
	baseURL := fs.String("base-url", "", "this site's address as its users reach it, https://HOST[:PORT][/PATH]; consultation invitation links are built from it (never from a request's Host header)")
	minCount := fs.Int("min-count", sqldb.DefaultPublicMinCount, "the fewest testimonies or organisations a public count shows; smaller counts read \"fewer than N\"")
	metricsToken := fs.String("metrics-token", "", "bearer token that GET /metrics wants (default: $AFTERMATH_METRICS_TOKEN; neither: /metrics is not served); the environment keeps it out of the process list")
	logFormat := fs.String("log-format", "text", "log lines as text (key=value) or json, one object a line")
	uploadDir := fs.String("upload-dir", "", "where uploaded files wait for their import (default: DB.uploads beside a SQLite file, else aftermath-uploads)")
	backupEvery := fs.Duration("backup-every", 0, "write an encrypted backup this often, e.g. 24h (0: never); needs --backup-dir and --backup-recipient")
	backupDir := fs.String("backup-dir", "", "the folder scheduled backups go to, named aftermath-TIME.age; servers may share it")
	backupKeep := fs.Int("backup-keep", 7, "how many scheduled backups to keep; older ones are removed")
	var backupRecips listFlag
	fs.Var(&backupRecips, "backup-recipient", "an age public key (age1…) or a file of them that scheduled backups are encrypted to; repeat for more")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("serve: give both --tls-cert and --tls-key, or neither")}
	}
	if *minCount < 1 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("serve: --min-count is at least 1")}
	}
	var schedule *backup.Schedule
	if *backupEvery != 0 {
		if *backupEvery < time.Minute || *backupDir == "" || *backupKeep < 1 {
			return &ExitError{Code: exitUsage, Err: errors.New("serve: --backup-every is at least 1m, with --backup-dir and a --backup-keep of at least 1")}
		}
		recipients, err := backupRecipients(backupRecips, "")
		if err != nil {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("serve: --backup-recipient: %w", err)}
		}
		schedule = &backup.Schedule{Every: *backupEvery, Dir: *backupDir, Keep: *backupKeep,
			Options: backup.Options{Recipients: recipients, Version: Version}}
	}
	var logHandler slog.Handler
	switch *logFormat {
	case "text":
		logHandler = slog.NewTextHandler(env.Stderr, nil)
	case "json":
		logHandler = slog.NewJSONHandler(env.Stderr, nil)
	default:
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("serve: --log-format is text or json, not %q", *logFormat)}
	}
	if *metricsToken == "" {
		*metricsToken = env.Getenv("AFTERMATH_METRICS_TOKEN")
	}
	if *jobsStale < jobs.MinStaleAfter {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("serve: --jobs-stale-after is at least %s (two heartbeats)", jobs.MinStaleAfter)}
	}
	log := slog.New(logHandler)
	// A new database starts with the starter catalog; servers started
	// together load it once.
	db, err := openDBFirst(ctx, *dsn, func(ctx context.Context, db *sqldb.DB) error {
		if ivs, err := db.Interventions(ctx, aftermath.System); err != nil || len(ivs) > 0 {
			return err
		}
		added, _, err := seedCatalog(ctx, db)
		if err != nil {
			return err
		}
		log.Info("loaded the starter catalog", "interventions", added)
		// ledger: and the ledger's starter records (decisions, inquiries),
		// which link to the catalog's interventions.
		res, err := seedLedger(ctx, db)
		if err != nil {
			return err
		}
		log.Info("loaded the ledger's starter records", "records", res.Added)
		return nil
	})
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetPublicMinCount(*minCount)
	if *replicaDSN != "" {
		if err := db.OpenReplica(ctx, *replicaDSN); err != nil {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("serve: --db-replica: %w", err)}
		}
		log.Info("anonymous visitors' public pages read from the replica when it has caught up", "replica", db.ReplicaName())
	}
	srv, err := newSite(db, log, "serve", *baseURL)
	if err != nil {
		return err
	}
	if *baseURL == "" {
		log.Warn("no --base-url: consultation invitation links are shown without this site's address")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv.SecureCookies(*secureCookies)
	srv.SetMetricsToken(*metricsToken)
	// Testimony needs the key-encryption key; without one the rest of the
	// site works and the testimony pages say how to create it.
	keyPath := vault.KeyFile(*keyFile, env.Getenv, *dsn)
	if kek, err := vault.Load(keyPath); err == nil {
		srv.SetVoices(db.Voices(kek))
		// Second-factor secrets stored before a key existed are sealed now,
		// not only at their owners' next sign-in.
		if n, err := db.Accounts(kek).SealClearTOTP(ctx); err != nil {
			return fmt.Errorf("serve: sealing second-factor secrets: %w", err)
		} else if n > 0 {
			log.Info("sealed second-factor secrets stored in clear", "count", n)
		}
	} else if errors.Is(err, iofs.ErrNotExist) {
		log.Warn("no key-encryption key: testimony can be neither stored nor read until one exists (aftermath key init)", "key_file", keyPath)
	} else {
		return fmt.Errorf("serve: %w", err)
	}
	if *uploadDir == "" {
		*uploadDir = defaultUploadDir(*dsn, db.Driver == sqldb.SQLite)
	}
	srv.SetUploadDir(*uploadDir)
	wake := make(chan struct{}, 1)
	srv.JobsWake = wake
	runner := &jobs.Runner{DB: db, Log: log, Wake: wake, Ended: srv.Metrics().ImportDone, StaleAfter: *jobsStale,
		Changed: srv.ClearCache}
	srv.JobProgress = runner.Progress
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	purgeDone := make(chan struct{})
	go func() { runner.Run(jobsCtx); close(jobsDone) }()
	// Other servers on this PostgreSQL say when they changed something.
	go db.ListenChanges(jobsCtx, log, srv.DropCachedPages)
	db.CatchUpSearchSoon() // imports made by the CLI since the last start
	// Testimony past its retention date is destroyed daily, key or not:
	// destroying needs no decryption.
	go func() { (&jobs.Purger{DB: db, Log: log, Now: db.Now}).Run(jobsCtx); close(purgeDone) }()
	backupDone := make(chan struct{})
	if schedule != nil {
		schedule.DB, schedule.Log, schedule.Done, schedule.Options.UploadDir = db, log, srv.Metrics().BackupDone, *uploadDir
		go func() { schedule.Run(jobsCtx); close(backupDone) }()
	} else {
		close(backupDone)
	}
	defer func() { stopJobs(); <-jobsDone; <-purgeDone; <-backupDone }()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute,
		// The server's own errors (TLS handshakes, say) in the log's format.
		ErrorLog: slog.NewLogLogger(logHandler, slog.LevelError)}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	// The set-up link is issued before serve says it is serving: whoever
	// waits for that line (a supervisor, a test) may stop it at once.
	if err := printSetupLink(ctx, env, db, srv.BaseURL(), scheme+"://"+ln.Addr().String()); err != nil {
		return err
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

// newSite is the web app as serve runs it and publish crawls it: the
// pages, the JSON API, and the address it is reached at (https, or http
// for this machine only).
func newSite(db *sqldb.DB, log *slog.Logger, cmd, baseURL string) (*web.Server, error) {
	srv, err := web.New(db, log)
	if err != nil {
		return nil, err
	}
	api.Register(srv.Server)
	if baseURL != "" {
		if err := srv.SetBaseURL(baseURL); err != nil {
			return nil, &ExitError{Code: exitUsage, Err: fmt.Errorf("%s: --base-url: %w", cmd, err)}
		}
	}
	return srv, nil
}

// defaultUploadDir is where uploads wait without --upload-dir: beside a
// SQLite file, else in the working directory.
func defaultUploadDir(dsn string, sqlite bool) string {
	if sqlite {
		return dsn + ".uploads"
	}
	return "aftermath-uploads"
}

// printSetupLink prints, while the instance has no user, a one-time link
// to create the first admin in the browser (internal/web/setup.go). Only
// the token's hash is stored; each start prints a new link and the older
// ones stop working. Servers started together take turns (the start
// lock), so each issues its token whole; the last one's link works.
func printSetupLink(ctx context.Context, env *Env, db *sqldb.DB, baseURL, listening string) error {
	var token string
	err := db.Exclusive(ctx, func(ctx context.Context) error {
		need, err := db.SetupNeeded(ctx)
		if err != nil || !need {
			return err
		}
		if token, err = auth.NewToken("setup_"); err != nil {
			return err
		}
		return db.IssueSetupToken(ctx, auth.HashToken(token))
	})
	if err != nil || token == "" {
		return err
	}
	if baseURL == "" {
		baseURL = listening
	}
	fmt.Fprintf(env.Stdout, "aftermath: no account exists yet; create the first admin within %s at\n  %s/setup?token=%s\n",
		sqldb.SetupTokenTTL, baseURL, token)
	return nil
}
