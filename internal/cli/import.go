package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
)

func runImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import", `import ucdp|acled [flags] FILE…  (import sipri|iati FILE…: see import sipri -h)

Imports UCDP GED (CSV, or the ZIP as UCDP distributes it) or ACLED CSV
exports. Each file is one transaction: a bad row stops that file's import
and leaves the database as it was. Importing the same file again changes
nothing; a newer version updates the events that changed.`)
	dsn := dbFlag(fs, env)
	version := fs.String("version", "", "dataset version (UCDP: taken from the file name when it has one, e.g. GEDEvent_v23_1 → 23.1; ACLED: the last YYYY-MM-DD date in the file name, as ACLED names exports, else required)")
	skip := fs.Bool("skip-bad-rows", false, "import the good rows and write the bad ones, with the reason, to a rejects file")
	rejectsPath := fs.String("rejects", "", "rejects file for --skip-bad-rows, written mode 0600; an existing regular file is replaced, anything else refused (default NAME.rejected.csv beside the input NAME.csv or NAME.zip)")
	quiet := fs.Bool("quiet", false, "no progress bar, even on a terminal")
	audience := fs.String("audience", "", "who sees a dataset this import creates: internal, partners or public (default: public for UCDP, CC BY 4.0; internal for ACLED, whose terms do not allow republishing)")
	org := fs.String("org", "", "slug of the organisation the import is for: a dataset that exists must be its own or have no owner; with --audience, the owner of a dataset this import creates")
	covers := fs.String("covers", "", "the months the version covers, FROM:TO as YYYY-MM:YYYY-MM (default: a UCDP monthly candidate's month from its name, GEDEvent_v22_0_2 → 2022-02; else UCDP the whole years of its events, ACLED the first to the last month of its events)")
	countries := fs.String("countries", "", "the countries the version covers, ISO3 codes separated by commas (default: the one country when all events are in one, else every country)")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if err := parse(fs, args); err != nil {
			return err
		}
		fs.Usage()
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("import: say which data: ucdp, acled, sipri or iati")}
	}
	dataset := strings.ToLower(args[0]) // UCDP, as people write it
	if dataset == "sipri" || dataset == "iati" {
		return runFlowImport(ctx, env, dataset, args[1:])
	}
	if dataset != aftermath.DatasetUCDP && dataset != aftermath.DatasetACLED {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("import: unknown dataset %q; use ucdp, acled, sipri or iati", dataset)}
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("import %s: no file given", dataset)}
	}
	if *rejectsPath != "" && len(files) > 1 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("import: --rejects names one file; import one input at a time with it")}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	opt := importer.Options{Dataset: dataset, Version: *version, SkipBadRows: *skip, RejectsPath: *rejectsPath}
	if *covers != "" {
		from, to, ok := strings.Cut(*covers, ":")
		if !ok || from == "" || to == "" {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("import: --covers %q: use FROM:TO, e.g. 2022-01:2022-12", *covers)}
		}
		opt.CoversFrom, opt.CoversTo = strings.TrimSpace(from), strings.TrimSpace(to)
	}
	if *countries != "" {
		opt.Countries = []string{}
		for c := range strings.SplitSeq(*countries, ",") {
			if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
				opt.Countries = append(opt.Countries, c)
			}
		}
	}
	if *audience != "" {
		if opt.Place, err = placement(ctx, db, *audience, *org); err != nil {
			return err
		}
	}
	if *org != "" {
		o, err := db.Organisation(ctx, *org)
		if err != nil {
			return err
		}
		opt.As = sqldb.ImportAs{OrgID: o.ID}
	}
	var bar *progressBar
	if !*quiet && isTerminal(env.Stderr) {
		bar = &progressBar{w: env.Stderr, start: time.Now()}
		opt.Progress = bar.update
	}
	for _, f := range files {
		res, err := importer.Import(ctx, db, f, opt)
		if bar != nil {
			bar.clear()
		}
		if err != nil {
			return fmt.Errorf("%w (nothing from this file was imported)", err)
		}
		c := res.Counts
		fmt.Fprintf(env.Stdout, "%s: %s %s: read %d, inserted %d, updated %d, unchanged %d, rejected %d\n",
			f, dataset, res.Version, c.Read, c.Inserted, c.Updated, c.Unchanged, c.Rejected)
		if res.RejectsPath != "" {
			fmt.Fprintf(env.Stdout, "%s: rejected rows written to %s\n", f, res.RejectsPath)
		}
	}
	return nil
}

// progressBar draws one line on a terminal, redrawn at most every 200 ms.
type progressBar struct {
	w     io.Writer
	start time.Time
	last  time.Time
	drawn bool
}

func (p *progressBar) update(file string, done, total int64, c aftermath.ImportCounts) {
	now := time.Now()
	// The end is always drawn, or an import finishing within 200 ms of a
	// redraw would be left showing less than it read.
	if now.Sub(p.last) < 200*time.Millisecond && (total <= 0 || done < total) {
		return
	}
	p.last = now
	pct := 0.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	const width = 30
	fill := int(pct / 100 * width)
	fill = max(0, min(fill, width))
	rate := float64(c.Read) / max(now.Sub(p.start).Seconds(), 1e-3)
	fmt.Fprintf(p.w, "\r[%s%s] %5.1f%% %d rows, %.0f rows/s ", strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct, c.Read, rate)
	p.drawn = true
}

func (p *progressBar) clear() {
	if p.drawn {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 70))
		p.drawn = false
	}
}
