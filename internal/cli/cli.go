// Package cli is the aftermath command line: one flag.FlagSet per
// subcommand, wired to the real services, so that tests drive exactly what
// users run.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"strings"

	"aftermath"
	"aftermath/internal/sqldb"
)

// Env is what a command may use from its surroundings; nothing is global.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the web pages (datasets and their events)", runServe},
		{"migrate", "bring the database schema up to date", runMigrate},
		{"import", "import event data, arms transfers and aid: aftermath import ucdp|acled|sipri|iati FILE…", runImport},
		{"flows", "arms transfers (SIPRI) and aid (IATI) summed by supplier, recipient, sector, year", runFlows},
		{"funding", "a country's aid by year: security, peacebuilding, P/CVE, local and gender shares (IATI)", runFunding},
		{"stats", "sum events and deaths from the monthly aggregates", runStats},
		{"series", "an area's events and deaths by month or year, within the data's coverage", runSeries},
		{"harm", "one-sided violence and battles of an intervention's partner forces", runHarm},
		{"actors", "list actors and merge duplicates: list|merge", runActors},
		{"intervention", "record and list interventions: add|edit|list|show|suggest", runIntervention},
		{"seed", "load the starter catalog of interventions and the ledger's starter records", runSeed},
		{"decision", "the ledger's decisions: add|list|show|export", runDecision},
		{"inquiry", "the ledger's inquiries and their findings: add|list|show|export", runInquiry},
		{"recommendation", "inquiry recommendations and their status history: add|list|show|status|export", runRecommendation},
		{"claim", "official claims tested against the evidence: add|list|show|export", runClaim},
		{"brief", "briefs in Markdown with embeds, and their review: add|edit|show|list|review|check", runBrief},
		{"publish", "write a static, signed site of everything public: publish --out DIR", runPublish},
		{"dataset", "set who sees a dataset: dataset audience NAME AUDIENCE", runDataset},
		{"org", "share partners records with another organisation: org share ORG PARTNER", runOrg},
		{"user", "manage accounts: add|list|disable", runUser},
		{"token", "create a personal API token: token create", runToken},
		{"analyze", "measure what followed an intervention; ITS and synthetic control on CSV files", runAnalyze},
		{"testimony", "import, list and delete testimony: import|list|delete", runTestimony},
		{"key", "the key-encryption key of encrypted testimony: init|rotate|status", runKey},
		{"purge", "destroy testimony past its retention date", runPurge},
		{"audit", "check or read the tamper-evident audit log: verify|list", runAudit},
		{"backup", "write an encrypted backup of everything: backup --out FILE --recipient KEY; backup keygen", runBackup},
		{"restore", "restore a backup into a new database and check it: restore FILE --identity KEY", runRestore},
		{"copy", "copy everything into a new database of either kind: copy --from DB --to DB", runCopy},
		{"version", "print the version", runVersion},
	}
}

// Version is set at build time with -ldflags "-X aftermath/internal/cli.Version=…".
var Version = "dev"

// ExitError carries the exit status a failure should produce.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Exit statuses: 2 for wrong usage or input, 1 for everything else.
const (
	exitFailure = 1
	exitUsage   = 2
)

// Run runs the command line args (without the program name).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return &ExitError{Code: exitUsage, Err: errors.New("no command given")}
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, env, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	usage(stderr)
	return &ExitError{Code: exitUsage, Err: fmt.Errorf("unknown command %q", args[0])}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "aftermath: evidence, voices and accountability for security interventions\n\nUsage: aftermath COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'aftermath COMMAND --help' for a command's flags.\n")
	fmt.Fprintf(w, "The database is a SQLite file (default aftermath.db) or a postgres:// URL,\ngiven by --db or AFTERMATH_DB.\n")
}

// newFlags makes a FlagSet whose --help prints the command's synopsis and
// flags to stdout.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fs.SetOutput(env.Stdout)
		fmt.Fprintf(env.Stdout, "Usage: aftermath %s\n\n", synopsis)
		fs.PrintDefaults()
		fs.SetOutput(env.Stderr)
	}
	return fs
}

// parse parses flags, turning flag errors into usage exits. Go's flag
// package stops at the first argument that is not an option, so an
// option after a file name would be taken for a file while the command
// ran with the default (--db aftermath.db …); it is refused instead,
// before the command opens anything. "--" ends the options: what follows
// it is an argument whatever it looks like.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &ExitError{Code: exitUsage, Err: err}
	}
	rest := fs.Args()
	if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
		return nil
	}
	for i, a := range rest {
		if a == "--" {
			return nil
		}
		if len(a) > 1 && a[0] == '-' && i > 0 {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("%s: option %s comes after %q; put options before the file names and other arguments (or -- before an argument that starts with -)",
				fs.Name(), a, rest[0])}
		}
	}
	return nil
}

// defaultDB is the SQLite file commands use without --db or AFTERMATH_DB.
const defaultDB = "aftermath.db"

func dbFlag(fs *flag.FlagSet, env *Env) *string {
	def := env.Getenv("AFTERMATH_DB")
	if def == "" {
		def = defaultDB
	}
	return fs.String("db", def, "database: a SQLite file path or a postgres:// URL (env AFTERMATH_DB)")
}

// openDB opens and migrates the database: every command works on a
// current schema, and a new SQLite file is ready to use.
func openDB(ctx context.Context, dsn string) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// tableFormat refuses a --format other than the table, csv and json that
// the listing commands write.
func tableFormat(cmd, format string) error {
	if format != "table" && format != "csv" && format != "json" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("%s: unknown format %q; use table, csv or json", cmd, format)}
	}
	return nil
}

// openExistingDB is openDB for the commands that read or change what is
// there: a SQLite file that does not exist is refused, naming it, and
// nothing is created; an empty database made on the spot would answer
// an empty table as if the data were not there. Commands that bring data
// in (import, seed, migrate, serve, add) create it with openDB.
func openExistingDB(ctx context.Context, dsn string) (*sqldb.DB, error) {
	if !sqldb.IsPostgres(dsn) {
		if _, err := os.Stat(dsn); errors.Is(err, iofs.ErrNotExist) {
			return nil, &ExitError{Code: exitFailure, Err: fmt.Errorf("database %s does not exist: name an existing one with --db or AFTERMATH_DB (import, seed and migrate create one)", dsn)}
		}
	}
	return openDB(ctx, dsn)
}

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "migrate", "migrate [--db DB] [--status]")
	dsn := dbFlag(fs, env)
	status := fs.Bool("status", false, "list pending migrations without applying them")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *status {
		pending, err := db.Pending(ctx)
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			fmt.Fprintln(env.Stdout, "up to date")
		}
		for _, p := range pending {
			fmt.Fprintln(env.Stdout, "pending", p)
		}
		return nil
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(env.Stdout, "%s: up to date\n", db.Name())
	}
	for _, v := range applied {
		fmt.Fprintf(env.Stdout, "%s: applied %s\n", db.Name(), v)
	}
	return nil
}

func runVersion(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "version", "version")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "aftermath", Version)
	return nil
}

// parseRef parses flags around a leading positional argument (an id, a
// slug or an email) that the command requires.
func parseRef(fs *flag.FlagSet, args []string, what string) (string, error) {
	ref, rest := splitRef(args)
	if err := parse(fs, rest); err != nil {
		return "", err
	}
	if ref == "" {
		return "", &ExitError{Code: exitUsage, Err: fmt.Errorf("%s: say which %s", fs.Name(), what)}
	}
	return ref, nil
}

// splitRef takes a leading positional argument off args, so that it may
// come before the flags.
func splitRef(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

// subcommand is one verb of a command with verbs (user add, intervention show …).
type subcommand struct {
	name string
	run  func(ctx context.Context, env *Env, args []string) error
}

// dispatch runs the verb args[0] names, prints usage for help, and refuses
// anything else with the verbs it knows.
func dispatch(ctx context.Context, env *Env, args []string, command, usage string, subs []subcommand) error {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "--help", "help":
			fmt.Fprint(env.Stdout, usage)
			return nil
		}
		for _, s := range subs {
			if s.name == args[0] {
				return s.run(ctx, env, args[1:])
			}
		}
	}
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	fmt.Fprint(env.Stderr, usage)
	return &ExitError{Code: exitUsage, Err: fmt.Errorf("%s: say %s", command, strings.Join(names, ", "))}
}

// ExitCode maps an error from Run to a process exit status.
func ExitCode(err error) int {
	var ee *ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.Code
	case aftermath.ErrorCode(err) == aftermath.EINVALID:
		return exitUsage
	default:
		return exitFailure
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
