package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"aftermath"
	"aftermath/internal/ledger"
	"aftermath/internal/sqldb"
)

// The accountability ledger's commands: decision, inquiry, recommendation
// and claim, each with add, list, show and export; recommendation also has
// status. They run as the system (the command line sees every record).

const ledgerJSONHelp = `
add reads one record as JSON from FILE, or from standard input when FILE is
- or missing, in the form 'show' prints (ids, computed fields and the
status history are ignored). A citation names its source by "source_id" or
by the document's identifier: {"field": "summary", "source": "S/RES/2100
(2013)", "page": "para. 7", "confidence": "high"}. Unknown keys are errors.
Actors (maker, body, addressee, author) are {"name": N, "kind": K} or
{"id": ID}; a name not yet known creates an actor of that kind.
`

func runDecision(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "decision", decisionUsage, []subcommand{
		{"add", ledgerAdd("decision", (*sqldb.DB).CreateDecision, func(d *aftermath.Decision) *int64 { return &d.ID })},
		{"list", decisionList.run},
		{"show", ledgerShow("decision", (*sqldb.DB).Decision)},
		{"export", ledgerExport("decision", "", "", (*sqldb.DB).WriteDecisionsCSV, nil)},
	})
}

const decisionUsage = `Usage: aftermath decision add|list|show|export [flags]

  add [FILE|-]                                        record a decision from JSON
  list [--intervention ID|SLUG] [--actor ID] [--format table|json]
  show ID                                             print it as JSON with its citations
  export                                              write every decision as CSV
` + ledgerJSONHelp

func runInquiry(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "inquiry", inquiryUsage, []subcommand{
		{"add", ledgerAdd("inquiry", (*sqldb.DB).CreateInquiry, func(q *aftermath.Inquiry) *int64 { return &q.ID })},
		{"list", inquiryList.run},
		{"show", ledgerShow("inquiry", inquiryWithRecommendations)},
		{"export", ledgerExport("inquiry", "findings", "write the findings instead of the inquiries", (*sqldb.DB).WriteInquiriesCSV, (*sqldb.DB).WriteFindingsCSV)},
	})
}

// inquiryWithRecommendations is what inquiry show prints: the inquiry with
// its recommendations, which are stored apart from it. It is shaped like a
// *sqldb.DB method expression so that ledgerShow takes it like the others.
func inquiryWithRecommendations(db *sqldb.DB, ctx context.Context, v aftermath.Viewer, id int64) (any, error) {
	q, err := db.Inquiry(ctx, v, id)
	if err != nil {
		return nil, err
	}
	rs, err := db.RecommendationsOf(ctx, v, id)
	return struct {
		*aftermath.Inquiry
		Recommendations []aftermath.Recommendation `json:"recommendations"`
	}{q, rs}, err
}

const inquiryUsage = `Usage: aftermath inquiry add|list|show|export [flags]

  add [FILE|-]                                        record an inquiry and its findings from JSON
  list [--intervention ID|SLUG] [--actor ID] [--format table|json]
  show ID                                             print it as JSON with its recommendations
  export [--findings]                                 write every inquiry (or finding) as CSV
` + ledgerJSONHelp

func runRecommendation(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "recommendation", recommendationUsage, []subcommand{
		{"add", ledgerAdd("recommendation", (*sqldb.DB).CreateRecommendation, func(r *aftermath.Recommendation) *int64 { return &r.ID })},
		{"list", recommendationList.run},
		{"show", ledgerShow("recommendation", (*sqldb.DB).Recommendation)},
		{"status", recommendationStatus},
		{"export", ledgerExport("recommendation", "history", "write every status change instead of the recommendations",
			(*sqldb.DB).WriteRecommendationsCSV, (*sqldb.DB).WriteRecommendationStatusCSV)},
	})
}

const recommendationUsage = `Usage: aftermath recommendation add|list|show|status|export [flags]

  add [FILE|-]                          record a recommendation of an inquiry ("inquiry_id") from JSON
  list [--inquiry ID] [--status S] [--overdue] [--format table|json]
  show ID                               print it as JSON with its status history
  status ID --status S --date YYYY-MM-DD --judged-by NAME --criteria TEXT --cite SOURCE[:PAGE]…
                                        append a judgement to its status history
  export [--history]                    write every recommendation (or status change) as CSV

Statuses: open, implemented, partly-implemented, not-implemented, superseded.
Any status but open needs who judged it, the criteria used and at least one
citation. The history is append-only: a change may not be dated before the
previous one; correct a judgement by adding a later one.
` + ledgerJSONHelp

func runClaim(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "claim", claimUsage, []subcommand{
		{"add", ledgerAdd("claim", (*sqldb.DB).CreateClaim, func(c *aftermath.Claim) *int64 { return &c.ID })},
		{"list", claimList.run},
		{"show", claimShow},
		{"export", ledgerExport("claim", "", "", (*sqldb.DB).WriteClaimsCSV, nil)},
	})
}

var claimUsage = `Usage: aftermath claim add|list|show|export [flags]

  add [FILE|-]                             record a claim (and its review) from JSON
  list [--actor ID] [--verdict V] [--format table|json]
  show ID [--jsonld --site URL]            print it as JSON, or its schema.org ClaimReview
  export                                   write every claim as CSV

Verdicts (rating 1–5): ` + verdictList() + `.
` + ledgerJSONHelp

func verdictList() string {
	var s []string
	for _, v := range aftermath.Verdicts {
		s = append(s, fmt.Sprintf("%s (%d)", v.Name, v.Rating))
	}
	return strings.Join(s, ", ")
}

// ledgerAdd makes an add verb: read the record, resolve citation source
// identifiers, store it. id points at the record's id, which is cleared
// before storing (an id in the input is ignored) and printed after.
func ledgerAdd[T any](kind string, create func(*sqldb.DB, context.Context, aftermath.Viewer, *T) error, id func(*T) *int64) func(context.Context, *Env, []string) error {
	return func(ctx context.Context, env *Env, args []string) error {
		fs := newFlags(env, kind+" add", kind+" add [FILE|-] [--db DB]\n"+ledgerJSONHelp)
		dsn := dbFlag(fs, env)
		path, rest := "", args
		if len(args) > 0 && (args[0] == "-" || !strings.HasPrefix(args[0], "-")) {
			path, rest = args[0], args[1:]
		}
		if err := parse(fs, rest); err != nil {
			return err
		}
		if path == "" && fs.NArg() > 0 {
			path = fs.Arg(0)
		}
		if path == "" {
			path = "-"
		}
		raw, err := readInput(env, path)
		if err != nil {
			return err
		}
		db, err := openDB(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		rec := new(T)
		if err := decodeLedgerJSON(ctx, db, path, raw, rec); err != nil {
			return err
		}
		*id(rec) = 0
		if err := create(db, ctx, aftermath.System, rec); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s %d added\n", kind, *id(rec))
		return nil
	}
}

func readInput(env *Env, path string) ([]byte, error) {
	var r io.Reader = env.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	return io.ReadAll(r)
}

// decodeLedgerJSON decodes one record strictly, after replacing each
// citation's "source" (a document identifier) with its "source_id".
func decodeLedgerJSON(ctx context.Context, db *sqldb.DB, path string, raw []byte, rec any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return aftermath.Errorf(aftermath.EINVALID, "%s: %v", path, err)
	}
	if dec.More() {
		return aftermath.Errorf(aftermath.EINVALID, "%s: more than one JSON value; add one record at a time", path)
	}
	if err := resolveSources(ctx, db, path, doc); err != nil {
		return err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	strict := json.NewDecoder(bytes.NewReader(b))
	strict.DisallowUnknownFields()
	if err := strict.Decode(rec); err != nil {
		return aftermath.Errorf(aftermath.EINVALID, "%s: %v", path, err)
	}
	return nil
}

func resolveSources(ctx context.Context, db *sqldb.DB, path string, doc any) error {
	switch x := doc.(type) {
	case map[string]any:
		for k, v := range x {
			if k == "citations" {
				list, _ := v.([]any)
				for _, c := range list {
					m, ok := c.(map[string]any)
					if !ok {
						continue
					}
					ident, ok := m["source"].(string)
					if !ok {
						continue
					}
					if _, both := m["source_id"]; both {
						return aftermath.Errorf(aftermath.EINVALID, "%s: a citation names both source %q and source_id", path, ident)
					}
					s, err := db.SourceByIdentifier(ctx, aftermath.System, ident)
					if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
						return aftermath.Errorf(aftermath.EINVALID, "%s: no source with identifier %q", path, ident)
					} else if err != nil {
						return err
					}
					delete(m, "source")
					m["source_id"] = s.ID
				}
			}
			if err := resolveSources(ctx, db, path, v); err != nil {
				return err
			}
		}
	case []any:
		for _, v := range x {
			if err := resolveSources(ctx, db, path, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// ledgerShow makes a show verb printing the record as JSON.
func ledgerShow[T any](kind string, get func(*sqldb.DB, context.Context, aftermath.Viewer, int64) (T, error)) func(context.Context, *Env, []string) error {
	return func(ctx context.Context, env *Env, args []string) error {
		fs := newFlags(env, kind+" show", kind+" show ID [--db DB]")
		dsn := dbFlag(fs, env)
		id, err := ledgerRef(fs, args, kind)
		if err != nil {
			return err
		}
		db, err := openExistingDB(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		rec, err := get(db, ctx, aftermath.System, id)
		if err != nil {
			return err
		}
		return writeJSON(env.Stdout, rec)
	}
}

// ledgerRef parses flags around the record id that leads the arguments.
func ledgerRef(fs *flag.FlagSet, args []string, kind string) (int64, error) {
	ref, err := parseRef(fs, args, kind+" (id)")
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return 0, &ExitError{Code: exitUsage, Err: fmt.Errorf("%s: %q is not a %s id", fs.Name(), ref, kind)}
	}
	return id, nil
}

// ledgerExport makes an export verb writing CSV to standard output; alt,
// when given, is what --altFlag writes instead.
func ledgerExport(kind, altFlag, altHelp string, write, alt func(*sqldb.DB, context.Context, aftermath.Viewer, io.Writer) error) func(context.Context, *Env, []string) error {
	return func(ctx context.Context, env *Env, args []string) error {
		synopsis := kind + " export [--db DB]"
		if alt != nil {
			synopsis = kind + " export [--" + altFlag + "] [--db DB]"
		}
		fs := newFlags(env, kind+" export", synopsis+"\n\nWrites CSV to standard output: a header row, then one row per record.")
		dsn := dbFlag(fs, env)
		useAlt := new(bool)
		if alt != nil {
			useAlt = fs.Bool(altFlag, false, altHelp)
		}
		if err := parse(fs, args); err != nil {
			return err
		}
		db, err := openExistingDB(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if *useAlt {
			return alt(db, ctx, aftermath.System, env.Stdout)
		}
		return write(db, ctx, aftermath.System, env.Stdout)
	}
}

// ledgerList describes a list verb by what differs between the kinds; run
// does the rest (flags, database, table or JSON) the same way for all.
type ledgerList[T any] struct {
	kind     string // the verb is "<kind> list"
	synopsis string // the filter flags, as the usage shows them
	// filter registers the filter flags and returns the query they select
	// with, run once the flags are parsed and the database is open.
	filter func(fs *flag.FlagSet) ledgerQuery[T]
	header string                 // the table's header row
	row    func(w io.Writer, r T) // writes one table row
}

// ledgerQuery fetches a kind's records as the parsed filter flags select.
type ledgerQuery[T any] func(context.Context, *sqldb.DB) ([]T, error)

func (l ledgerList[T]) run(ctx context.Context, env *Env, args []string) error {
	cmd := l.kind + " list"
	fs := newFlags(env, cmd, cmd+" "+l.synopsis+" [--format table|json]")
	dsn := dbFlag(fs, env)
	query := l.filter(fs)
	format := fs.String("format", "table", "table or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("%s: unknown format %q", cmd, *format)}
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := query(ctx, db)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(env.Stdout, list)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, l.header)
	for _, r := range list {
		l.row(tw, r)
	}
	return tw.Flush()
}

// byInterventionAndActor makes the filter of decisions and inquiries:
// --intervention (an id or slug, resolved once the database is open) and
// --actor, put into the kind's filter by makeFilter.
func byInterventionAndActor[T, F any](ivHelp, actorHelp string, makeFilter func(iv, actor int64) F,
	fetch func(*sqldb.DB, context.Context, aftermath.Viewer, F) ([]T, error)) func(*flag.FlagSet) ledgerQuery[T] {
	return func(fs *flag.FlagSet) ledgerQuery[T] {
		ref := fs.String("intervention", "", ivHelp)
		actor := fs.Int64("actor", 0, actorHelp)
		return func(ctx context.Context, db *sqldb.DB) ([]T, error) {
			var iv int64
			if *ref != "" {
				found, err := db.FindIntervention(ctx, aftermath.System, *ref)
				if err != nil {
					return nil, err
				}
				iv = found.ID
			}
			return fetch(db, ctx, aftermath.System, makeFilter(iv, *actor))
		}
	}
}

// short cuts text for a table cell.
func short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

var decisionList = ledgerList[aftermath.Decision]{
	kind:     "decision",
	synopsis: "[--intervention ID|SLUG] [--actor ID]",
	filter: byInterventionAndActor("only decisions linked to this intervention (id or slug)", "only decisions made by or naming this actor (id)",
		func(iv, actor int64) sqldb.DecisionFilter {
			return sqldb.DecisionFilter{InterventionID: iv, ActorID: actor}
		},
		(*sqldb.DB).Decisions),
	header: "ID\tDATE\tKIND\tMAKER\tREFERENCE\tWHAT",
	row: func(w io.Writer, d aftermath.Decision) {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Date, d.Kind, short(d.Maker.Name, 32), d.Reference, short(d.Summary, 70))
	},
}

var inquiryList = ledgerList[aftermath.Inquiry]{
	kind:     "inquiry",
	synopsis: "[--intervention ID|SLUG] [--actor ID]",
	filter: byInterventionAndActor("only inquiries linked to this intervention (id or slug)", "only inquiries conducted by or examining this actor (id)",
		func(iv, actor int64) sqldb.InquiryFilter {
			return sqldb.InquiryFilter{InterventionID: iv, ActorID: actor}
		},
		(*sqldb.DB).Inquiries),
	header: "ID\tDATE\tTYPE\tREFERENCE\tFINDINGS\tTITLE",
	row: func(w io.Writer, q aftermath.Inquiry) {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%s\n", q.ID, q.Date, q.Type, q.Reference, len(q.Findings), short(q.Title, 70))
	},
}

var recommendationList = ledgerList[aftermath.Recommendation]{
	kind:     "recommendation",
	synopsis: "[--inquiry ID] [--status S] [--overdue]",
	filter: func(fs *flag.FlagSet) ledgerQuery[aftermath.Recommendation] {
		inquiry := fs.Int64("inquiry", 0, "only recommendations of this inquiry (id)")
		status := fs.String("status", "", "only recommendations whose current status is this")
		overdue := fs.Bool("overdue", false, "only recommendations past their deadline and not implemented or superseded")
		return func(ctx context.Context, db *sqldb.DB) ([]aftermath.Recommendation, error) {
			return db.Recommendations(ctx, aftermath.System, sqldb.RecommendationFilter{InquiryID: *inquiry, Status: *status, OverdueOnly: *overdue})
		}
	},
	header: "ID\tINQUIRY\tSTATUS\tSINCE\tDEADLINE\tOVERDUE\tADDRESSEE\tTEXT",
	row: func(w io.Writer, r aftermath.Recommendation) {
		over := ""
		if r.Overdue {
			over = "overdue"
		}
		fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.InquiryID, r.Status, r.StatusDate, r.Deadline, over,
			short(r.Addressee.Name, 32), short(r.Text, 60))
	},
}

var claimList = ledgerList[aftermath.Claim]{
	kind:     "claim",
	synopsis: "[--actor ID] [--verdict V]",
	filter: func(fs *flag.FlagSet) ledgerQuery[aftermath.Claim] {
		actor := fs.Int64("actor", 0, "only claims made by this actor (id)")
		verdict := fs.String("verdict", "", "only claims with this verdict: "+verdictList())
		return func(ctx context.Context, db *sqldb.DB) ([]aftermath.Claim, error) {
			return db.Claims(ctx, aftermath.System, sqldb.ClaimFilter{AuthorID: *actor, Verdict: *verdict})
		}
	},
	header: "ID\tDATE\tVERDICT\tPUBLISHED\tAUTHOR\tTEXT",
	row: func(w io.Writer, c aftermath.Claim) {
		verdict, pub := c.Verdict, ""
		if verdict == "" {
			verdict = "-"
		}
		if c.Published {
			pub = c.PublishedDate
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Date, verdict, pub, short(c.Author.Name, 32), short(c.Text, 70))
	},
}

func claimShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "claim show", "claim show ID [--jsonld --site URL] [--db DB]")
	dsn := dbFlag(fs, env)
	jsonld := fs.Bool("jsonld", false, "print the published review as schema.org ClaimReview JSON-LD")
	site := fs.String("site", "", "the instance's public base URL, for the ClaimReview's url (with --jsonld)")
	id, err := ledgerRef(fs, args, "claim")
	if err != nil {
		return err
	}
	if *jsonld && *site == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("claim show: --jsonld needs --site URL")}
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Claim(ctx, aftermath.System, id)
	if err != nil {
		return err
	}
	if !*jsonld {
		return writeJSON(env.Stdout, c)
	}
	doc, err := ledger.ClaimReviewJSONLD(c, *site)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Stdout, "%s\n", doc)
	return err
}

func recommendationStatus(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "recommendation status", `recommendation status ID --status S --date YYYY-MM-DD --judged-by NAME --criteria TEXT --cite SOURCE[:PAGE]… [--confidence C] [--note TEXT]

Appends a judgement to the recommendation's status history. SOURCE is a
stored source's document identifier (e.g. "HC 264"), optionally followed by
:PAGE. Any status but open needs --judged-by, --criteria and --cite.`)
	dsn := dbFlag(fs, env)
	status := fs.String("status", "", "new status: "+strings.Join(aftermath.RecommendationStatuses, ", "))
	date := fs.String("date", "", "the date the judgement refers to, YYYY-MM-DD")
	judged := fs.String("judged-by", "", "who made the judgement (person or organisation)")
	criteria := fs.String("criteria", "", "what had to be true for this status, and what was checked")
	note := fs.String("note", "", "a note")
	confidence := fs.String("confidence", aftermath.ConfidenceMedium, "confidence of the citations: low, medium or high")
	var cites listFlag
	fs.Var(&cites, "cite", "evidence: SOURCE_IDENTIFIER[:PAGE] of a stored source (repeat for more)")
	id, err := ledgerRef(fs, args, "recommendation")
	if err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	sc := &aftermath.StatusChange{Status: *status, Date: *date, JudgedBy: *judged, Criteria: *criteria, Note: *note}
	for _, c := range cites {
		src, page, err := citedSource(ctx, db, c)
		if err != nil {
			return err
		}
		sc.Citations = append(sc.Citations, aftermath.Citation{Field: "status", SourceID: src, Page: page, Confidence: *confidence})
	}
	if err := db.AddRecommendationStatus(ctx, aftermath.System, id, sc); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "recommendation %d: %s as of %s (change %d)\n", id, sc.Status, sc.Date, sc.ID)
	return nil
}

// citedSource finds a --cite source: the whole text as a document
// identifier (identifiers may contain colons), else IDENTIFIER:PAGE split
// at the last colon.
func citedSource(ctx context.Context, db *sqldb.DB, ref string) (int64, string, error) {
	s, err := db.SourceByIdentifier(ctx, aftermath.System, ref)
	if err == nil {
		return s.ID, "", nil
	}
	if aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
		return 0, "", err
	}
	if i := strings.LastIndex(ref, ":"); i > 0 {
		if s, err := db.SourceByIdentifier(ctx, aftermath.System, ref[:i]); err == nil {
			return s.ID, strings.TrimSpace(ref[i+1:]), nil
		}
	}
	return 0, "", aftermath.Errorf(aftermath.EINVALID, "--cite %q: no stored source has that identifier", ref)
}

// seedLedger loads the starter records after the catalog, whose
// interventions they link to.
func seedLedger(ctx context.Context, db *sqldb.DB) (ledger.SeedResult, error) {
	st, err := ledger.LoadStarter()
	if err != nil {
		return ledger.SeedResult{}, err
	}
	return ledger.Seed(ctx, db, st)
}
