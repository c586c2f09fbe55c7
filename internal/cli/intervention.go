package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"aftermath"
	"aftermath/internal/actorlink"
	"aftermath/internal/ingest/ucdpprio"
	"aftermath/internal/sqldb"
)

func runIntervention(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "intervention", interventionUsage, []subcommand{
		{"add", interventionAdd},
		{"edit", interventionEdit},
		{"list", interventionList},
		{"show", interventionShow},
		{"suggest", interventionSuggest},
	})
}

const interventionUsage = `Usage: aftermath intervention add|edit|list|show [flags]

  add   --json FILE | --slug S --name N --start DATE [flags]   record an intervention
  edit  ID|SLUG (--json FILE | field flags)                     change one
  list  [--format table|json]                                   list them
  show  ID|SLUG [--format text|json]                            show one with its citations
  suggest ID|SLUG [--conflicts FILE] [--apply]                  suggest dataset names of its actors

The JSON form is the one GET /api/v1/interventions/{id} returns; citations
name a stored source by source_id. Run 'aftermath intervention add --help'.
`

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func readInterventionJSON(env *Env, path string) (*aftermath.Intervention, error) {
	var r io.Reader = env.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	iv := &aftermath.Intervention{}
	if err := dec.Decode(iv); err != nil {
		return nil, aftermath.Errorf(aftermath.EINVALID, "%s: %v", path, err)
	}
	return iv, nil
}

func interventionAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "intervention add", "intervention add --json FILE | --slug S --name N --start YYYY-MM-DD [--end YYYY-MM-DD] [--backer NAME…] [--partner NAME…] [--instrument I…] [--country ISO3…]")
	dsn := dbFlag(fs, env)
	jsonPath := fs.String("json", "", "read the whole record from this JSON file (- for standard input)")
	slug := fs.String("slug", "", "stable key: lower-case letters, digits and hyphens")
	name := fs.String("name", "", "name")
	start := fs.String("start", "", "start date of the first phase, YYYY-MM-DD")
	end := fs.String("end", "", "end date of the first phase, YYYY-MM-DD (empty: ongoing)")
	notes := fs.String("notes", "", "notes")
	var backers, partners, instruments, countries listFlag
	fs.Var(&backers, "backer", "a backer (repeat for more)")
	fs.Var(&partners, "partner", "a partner force (repeat for more)")
	fs.Var(&instruments, "instrument", "an instrument: "+strings.Join(aftermath.Instruments, ", ")+" (repeat for more)")
	fs.Var(&countries, "country", "an area country, ISO 3166-1 alpha-3 (repeat for more)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var iv *aftermath.Intervention
	if *jsonPath != "" {
		var err error
		if iv, err = readInterventionJSON(env, *jsonPath); err != nil {
			return err
		}
	} else {
		iv = &aftermath.Intervention{Slug: *slug, Name: *name, Notes: *notes, Instruments: instruments}
		if *start != "" {
			iv.Phases = []aftermath.Phase{{Start: *start, End: *end}}
		}
		for _, b := range backers {
			iv.Backers = append(iv.Backers, aftermath.InterventionActor{Name: b})
		}
		for _, p := range partners {
			iv.PartnerForces = append(iv.PartnerForces, aftermath.InterventionActor{Name: p})
		}
		for _, c := range countries {
			iv.Area = append(iv.Area, aftermath.AreaRef{Country: strings.ToUpper(c)})
		}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	iv.ID = 0
	if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "intervention %d %s added\n", iv.ID, iv.Slug)
	return nil
}

func interventionEdit(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "intervention edit", "intervention edit ID|SLUG [--json FILE] [--name N] [--slug S] [--notes T] [--end YYYY-MM-DD]\n\nWith --json the record is replaced by the file's; field flags change one field.")
	dsn := dbFlag(fs, env)
	jsonPath := fs.String("json", "", "replace the whole record with this JSON file (- for standard input)")
	name := fs.String("name", "", "new name")
	slug := fs.String("slug", "", "new slug")
	notes := fs.String("notes", "", "new notes")
	end := fs.String("end", "", "end date of the last phase, YYYY-MM-DD")
	ref, err := parseRef(fs, args, "intervention (id or slug)")
	if err != nil {
		return err
	}
	db, iv, err := openIntervention(ctx, *dsn, ref)
	if err != nil {
		return err
	}
	defer db.Close()
	if *jsonPath != "" {
		next, err := readInterventionJSON(env, *jsonPath)
		if err != nil {
			return err
		}
		next.ID = iv.ID
		iv = next
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["name"] {
		iv.Name = *name
	}
	if set["slug"] {
		iv.Slug = *slug
	}
	if set["notes"] {
		iv.Notes = *notes
	}
	if set["end"] && len(iv.Phases) > 0 {
		iv.Phases[len(iv.Phases)-1].End = *end
	}
	if err := db.UpdateIntervention(ctx, aftermath.System, iv); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "intervention %d %s updated\n", iv.ID, iv.Slug)
	return nil
}

// openIntervention opens the database and finds an intervention by id or
// slug; the caller closes the database.
func openIntervention(ctx context.Context, dsn, ref string) (*sqldb.DB, *aftermath.Intervention, error) {
	db, err := openExistingDB(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	iv, err := db.FindIntervention(ctx, aftermath.System, ref)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, iv, nil
}

func interventionList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "intervention list", "intervention list [--format table|json]")
	dsn := dbFlag(fs, env)
	format := fs.String("format", "table", "table or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ivs, err := db.Interventions(ctx, aftermath.System)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		return writeJSON(env.Stdout, ivs)
	case "table":
		tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSLUG\tSTART\tEND\tAREA\tNAME")
		for _, iv := range ivs {
			var area []string
			for _, a := range iv.Area {
				area = append(area, strings.TrimSuffix(a.Country+"/"+a.Admin1, "/"))
			}
			end := iv.End()
			if end == "" {
				end = "ongoing"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", iv.ID, iv.Slug, iv.Start(), end, strings.Join(area, ","), iv.Name)
		}
		return tw.Flush()
	}
	return &ExitError{Code: exitUsage, Err: fmt.Errorf("intervention list: unknown format %q", *format)}
}

func interventionShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "intervention show", "intervention show ID|SLUG [--format text|json]")
	dsn := dbFlag(fs, env)
	format := fs.String("format", "text", "text or json")
	ref, err := parseRef(fs, args, "intervention (id or slug)")
	if err != nil {
		return err
	}
	db, iv, err := openIntervention(ctx, *dsn, ref)
	if err != nil {
		return err
	}
	defer db.Close()
	if *format == "json" {
		return writeJSON(env.Stdout, iv)
	}
	return writeInterventionText(ctx, env.Stdout, db, iv)
}

func writeInterventionText(ctx context.Context, w io.Writer, db *sqldb.DB, iv *aftermath.Intervention) error {
	fmt.Fprintf(w, "%s (%s, id %d)\n", iv.Name, iv.Slug, iv.ID)
	actors := func(label string, list []aftermath.InterventionActor) {
		for _, a := range list {
			fmt.Fprintf(w, "  %s: %s", label, a.Name)
			if a.From != "" || a.To != "" {
				from, to := iv.SupportWindow(a)
				if to == "" {
					to = "ongoing"
				}
				fmt.Fprintf(w, " (%s – %s)", from, to)
			}
			for _, al := range a.Aliases {
				fmt.Fprintf(w, "; %s: %q", al.Dataset, al.Name)
				if al.From != "" || al.To != "" {
					fmt.Fprintf(w, " (%s – %s)", al.From, al.To)
				}
			}
			if len(a.Aliases) > 0 {
				fmt.Fprintf(w, " [%d linked dataset actors]", len(a.ActorIDs))
			}
			fmt.Fprintln(w)
		}
	}
	actors("backer", iv.Backers)
	actors("partner force", iv.PartnerForces)
	if len(iv.Instruments) > 0 {
		fmt.Fprintf(w, "  instruments: %s\n", strings.Join(iv.Instruments, ", "))
	}
	for _, a := range iv.Area {
		fmt.Fprintf(w, "  area: %s %s\n", a.Country, a.Admin1)
	}
	for _, p := range iv.Phases {
		end := p.End
		if end == "" {
			end = "ongoing"
		}
		fmt.Fprintf(w, "  phase: %s – %s %s\n", p.Start, end, p.Name)
	}
	for _, o := range iv.Objectives {
		fmt.Fprintf(w, "  objective: %s\n", o)
	}
	if b := iv.Budget; b != nil {
		fmt.Fprintf(w, "  budget: %.0f %s (%d) %s\n", b.Amount, b.Currency, b.Year, b.Note)
	}
	for _, c := range iv.Citations {
		src := fmt.Sprintf("source %d", c.SourceID)
		if s, err := db.Source(ctx, aftermath.System, c.SourceID); err == nil {
			src = strings.TrimSpace(s.Identifier + " " + s.Title)
		}
		fmt.Fprintf(w, "  cited %s: %s %s (confidence %s)\n", c.Field, src, c.Page, c.Confidence)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func interventionSuggest(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "intervention suggest", `intervention suggest ID|SLUG [--conflicts FILE] [--apply]

Suggests the names UCDP uses for the intervention's backers, from the
UCDP/PRIO Armed Conflict Dataset: a backer is proposed under a name only
when that state joined the side of one of the intervention's own partner
forces (by the partner's UCDP alias, within its dates) in a conflict in the
area, in years within the partner's support window; each line gives the
conflict, the years and the side. Partner forces' own names are not
suggested: enter them with their dates ("aliases" in the JSON form).`)
	dsn := dbFlag(fs, env)
	conflicts := fs.String("conflicts", "", "UCDP/PRIO Armed Conflict Dataset CSV (e.g. UcdpPrioConflict_v24_1.csv)")
	apply := fs.Bool("apply", false, "add every suggestion to the intervention's actors")
	ref, err := parseRef(fs, args, "intervention (id or slug)")
	if err != nil {
		return err
	}
	var cys []ucdpprio.ConflictYear
	if *conflicts != "" {
		f, err := os.Open(*conflicts)
		if err != nil {
			return err
		}
		cys, err = ucdpprio.Read(f, *conflicts)
		f.Close()
		if err != nil {
			return err
		}
	}
	db, iv, err := openIntervention(ctx, *dsn, ref)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(cys) == 0 {
		fmt.Fprintln(env.Stderr, "intervention suggest: no --conflicts file, so nothing to suggest from")
	}
	sugs := actorlink.Suggest(iv, cys)
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tACTOR\tDATASET\tNAME\tYEARS\tWHY")
	for _, s := range sugs {
		var years []string
		for _, y := range s.Years {
			years = append(years, strconv.Itoa(y))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Role, s.Actor, s.Alias.Dataset, s.Alias.Name, strings.Join(years, ","), s.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if *apply && len(sugs) > 0 {
		actorlink.Apply(iv, sugs)
		if err := db.UpdateIntervention(ctx, aftermath.System, iv); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "added %d names to intervention %s\n", len(sugs), iv.Slug)
	}
	return nil
}
