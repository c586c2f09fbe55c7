package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"strings"
	"text/tabwriter"

	"aftermath"
	"aftermath/internal/brief"
	"aftermath/internal/sqldb"
	"aftermath/internal/vault"
)

// The brief command: briefs are written in Markdown with embeds
// (internal/brief), stored with an audience and reviewed before they go
// beyond their organisation. The command line acts as the system.

func runBrief(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "brief", briefUsage, []subcommand{
		{"add", briefAdd}, {"edit", briefEdit}, {"show", briefShow}, {"list", briefList},
		{"review", briefReview}, {"check", briefCheck}, {"render", briefRender},
	})
}

const briefUsage = `Usage: aftermath brief add|edit|show|list|review|check|render [flags]

  add --slug S --title T --language en|fr|ar [--summary S] [--audience A] [--owner ORG] [FILE|-]
                                   store a new draft whose text (Markdown) is FILE or standard input
  edit ID|SLUG [--slug S] [--title T] [--summary S] [--language L] [--audience A] [--owner ORG] [--body FILE|-]
                                   change what is given; a new text or audience sends it back to draft
  show ID|SLUG [--format json|markdown]
  list [--state draft|in_review|approved|published] [--language L] [--format table|json]
  review ID|SLUG --action submit|approve|return|reopen|publish|unpublish [--note TEXT] [--override CODE:LINE:REASON]…
                                   publish checks the text (embeds, names from the identity vault, coordinates,
                                   admin-2 places; it needs the key) and refuses, listing each flag by line,
                                   unless each has an --override with a written reason (kept in the audit log)
  check [FILE|-]                   list a text's embeds by line, or what is wrong with them
  render ID|SLUG [--format html|pdf] [--paper a4|letter] --out FILE
                                   write it as one page (HTML) or print it to PDF (headless Chromium)

Embeds stand on lines of their own, but figure and cite, which go inside a sentence:
` + brief.Syntax + "\n"

// briefFields are the flags add and edit share.
type briefFields struct {
	slug, title, summary, language, audience, owner *string
}

func addBriefFields(fs *flag.FlagSet) briefFields {
	return briefFields{
		slug:     fs.String("slug", "", "the brief's address: lower-case letters and digits joined by hyphens"),
		title:    fs.String("title", "", "its title"),
		summary:  fs.String("summary", "", "a sentence or two shown in lists and feeds"),
		language: fs.String("language", "", "the language it is written in: en, fr or ar"),
		audience: fs.String("audience", "", "who may see it once approved: confidential, internal (default), partners, public"),
		owner:    fs.String("owner", "", "the organisation (slug) it belongs to"),
	}
}

// set copies the flags given on the command line onto b.
func (f briefFields) set(fs *flag.FlagSet, b *aftermath.Brief) {
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "slug":
			b.Slug = *f.slug
		case "title":
			b.Title = *f.title
		case "summary":
			b.Summary = *f.summary
		case "language":
			b.Language = *f.language
		case "audience":
			b.Audience = aftermath.Audience(*f.audience)
		case "owner":
			b.Owner = *f.owner
		}
	})
}

func briefAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "brief add", "brief add --slug S --title T --language L [flags] [FILE|-]")
	fields := addBriefFields(fs)
	dsn := dbFlag(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	_, body, err := readArgInput(env, fs)
	if err != nil {
		return err
	}
	b := &aftermath.Brief{Body: string(body)}
	fields.set(fs, b)
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateBrief(ctx, aftermath.System, b); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "brief %d (%s) added as a draft\n", b.ID, b.Slug)
	return nil
}

func briefEdit(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "brief edit", "brief edit ID|SLUG [flags]")
	fields := addBriefFields(fs)
	bodyPath := fs.String("body", "", "a new text: a Markdown file, or - for standard input")
	dsn := dbFlag(fs, env)
	ref, rest := firstArg(args)
	if err := parse(fs, rest); err != nil {
		return err
	}
	if ref == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("brief edit: say which brief (ID or slug)")}
	}
	db, b, err := openBrief(ctx, *dsn, ref)
	if err != nil {
		return err
	}
	defer db.Close()
	fields.set(fs, b)
	if *bodyPath != "" {
		body, err := readInput(env, *bodyPath)
		if err != nil {
			return err
		}
		b.Body = string(body)
	}
	if err := db.UpdateBrief(ctx, aftermath.System, b); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "brief %d (%s) changed; it is %s\n", b.ID, b.Slug, stateAfter(ctx, db.FindBrief, b.ID))
	return nil
}

// stateAfter reads a brief's state again after a change.
func stateAfter(ctx context.Context, find func(context.Context, aftermath.Viewer, string) (*aftermath.Brief, error), id int64) aftermath.BriefState {
	b, err := find(ctx, aftermath.System, fmt.Sprint(id))
	if err != nil {
		return "unknown"
	}
	return b.State
}

// firstArg takes a leading argument that is not an option (ID or slug)
// off args.
func firstArg(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

func briefShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "brief show", "brief show ID|SLUG [--format json|markdown]")
	format := fs.String("format", "json", "json: the record with its review history; markdown: its text as written")
	dsn := dbFlag(fs, env)
	ref, rest := firstArg(args)
	if err := parse(fs, rest); err != nil {
		return err
	}
	if ref == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("brief show: say which brief (ID or slug)")}
	}
	if *format != "json" && *format != "markdown" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("brief show: --format is json or markdown")}
	}
	db, b, err := openBrief(ctx, *dsn, ref)
	if err != nil {
		return err
	}
	defer db.Close()
	if *format == "markdown" {
		fmt.Fprint(env.Stdout, b.Body)
		if !strings.HasSuffix(b.Body, "\n") {
			fmt.Fprintln(env.Stdout)
		}
		return nil
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(b)
}

func briefList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "brief list", "brief list [--state S] [--language L] [--format table|json]")
	state := fs.String("state", "", "only briefs in this state: draft, in_review, approved, published")
	lang := fs.String("language", "", "only briefs in this language")
	format := fs.String("format", "table", "table or json")
	dsn := dbFlag(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.Briefs(ctx, aftermath.System, aftermath.BriefFilter{State: aftermath.BriefState(*state), Language: *lang, Limit: 1000})
	if err != nil {
		return err
	}
	if *format == "json" {
		if list == nil {
			list = []aftermath.Brief{}
		}
		for i := range list {
			list[i].Body = "" // the list says what exists; show gives the text
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSLUG\tLANG\tSTATE\tAUDIENCE\tOWNER\tTITLE")
	for _, b := range list {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", b.ID, b.Slug, b.Language, b.State, b.Audience, b.Owner, short(b.Title, 60))
	}
	return w.Flush()
}

func briefReview(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "brief review", "brief review ID|SLUG --action submit|approve|return|reopen|publish|unpublish [--note TEXT] [--override CODE:LINE:REASON]…")
	action := fs.String("action", "", "submit, approve, return (with --note), reopen, publish or unpublish")
	note := fs.String("note", "", "why the brief goes back to its writers (return), or a note on the step")
	var overrides listFlag
	fs.Var(&overrides, "override", "publish despite one flag: CODE:LINE:REASON, the reason a sentence, recorded in the audit log (repeat for more)")
	kf := keyFileFlag(fs)
	dsn := dbFlag(fs, env)
	ref, rest := firstArg(args)
	if err := parse(fs, rest); err != nil {
		return err
	}
	if ref == "" || *action == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("brief review: say which brief and --action")}
	}
	step := aftermath.BriefReview{Action: *action, Note: *note}
	for _, o := range overrides {
		ov, err := aftermath.ParseOverride(o)
		if err != nil {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("brief review: --override %w", err)}
		}
		step.Overrides = append(step.Overrides, ov)
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// Publishing reads the identity vault to check the text: the store
	// with the key does it, and without a key it refuses (never skips).
	var svc aftermath.Briefs = db
	if kek, err := vault.Load(keyPath(env, *kf, *dsn)); err == nil {
		svc = db.Voices(kek)
	} else if !errors.Is(err, iofs.ErrNotExist) {
		return fmt.Errorf("brief review: %w", err)
	}
	b, err := svc.FindBrief(ctx, aftermath.System, ref)
	if err != nil {
		return err
	}
	if err := svc.ReviewBrief(ctx, aftermath.System, b.ID, step); err != nil {
		if *action == aftermath.BriefPublish && aftermath.ErrorCode(err) == aftermath.EINVALID {
			// A refusal is the checks' answer, not a usage mistake: each
			// flag on its line, and exit 1.
			fmt.Fprintf(env.Stderr, "brief %d (%s) not published:\n", b.ID, b.Slug)
			msg := err.Error()
			msg, _, _ = strings.Cut(strings.TrimPrefix(msg, fmt.Sprintf("brief %d cannot be published: ", b.ID)), "; change the text")
			for _, f := range strings.Split(msg, "; ") {
				fmt.Fprintf(env.Stderr, "  %s\n", f)
			}
			return &ExitError{Code: exitFailure, Err: err}
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "brief %d (%s): %s; it is %s\n", b.ID, b.Slug, *action, stateAfter(ctx, svc.FindBrief, b.ID))
	return nil
}

// readArgInput reads the file a command's first argument names, or
// standard input when it names none or "-".
func readArgInput(env *Env, fs *flag.FlagSet) (string, []byte, error) {
	path := "-"
	if fs.NArg() > 0 {
		path = fs.Arg(0)
	}
	b, err := readInput(env, path)
	return path, b, err
}

// briefCheck reads a text as the store would and lists its embeds, so
// that an author finds every mistake before adding it.
func briefCheck(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "brief check", "brief check [FILE|-]")
	if err := parse(fs, args); err != nil {
		return err
	}
	path, body, err := readArgInput(env, fs)
	if err != nil {
		return err
	}
	list, err := brief.Embeds(string(body))
	if err != nil {
		return aftermath.Errorf(aftermath.EINVALID, "%s: %v", path, err)
	}
	for _, e := range list {
		fmt.Fprintf(env.Stdout, "%s:%d: %s\n", path, e.Line, e)
	}
	fmt.Fprintf(env.Stdout, "%d embeds, all readable\n", len(list))
	return nil
}

// openBrief opens the database and finds the brief a command names (by
// id or slug), read as the system; the caller closes the database.
func openBrief(ctx context.Context, dsn, ref string) (*sqldb.DB, *aftermath.Brief, error) {
	db, err := openExistingDB(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	b, err := db.FindBrief(ctx, aftermath.System, ref)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, b, nil
}
