package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"aftermath"
	"aftermath/internal/csvout"
	"aftermath/internal/sqldb"
)

func runDataset(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "dataset", datasetUsage, []subcommand{{"audience", datasetAudience}, {"coverage", datasetCoverage}})
}

const datasetUsage = `Usage: aftermath dataset audience NAME AUDIENCE [--org ORG]
       aftermath dataset coverage [--dataset D] [--format table|csv|json]

  audience NAME AUDIENCE   set who sees a dataset and its events: internal,
                           partners or public; --org names the owning
                           organisation (default: every organisation here)
  coverage                 list what each imported version covers: dataset,
                           version, first and last month, countries (empty:
                           every country) and the basis (stated, file name,
                           dates)
`

func datasetAudience(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "dataset audience", "dataset audience NAME AUDIENCE [--org ORG]")
	dsn := dbFlag(fs, env)
	org := fs.String("org", "", "slug of the organisation that owns the dataset")
	name, rest := splitRef(args)
	a, rest := splitRef(rest)
	if err := parse(fs, rest); err != nil {
		return err
	}
	if name == "" || a == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("dataset audience: say which dataset and which audience")}
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := placement(ctx, db, a, *org)
	if err != nil {
		return err
	}
	if p.Audience == aftermath.AudienceConfidential {
		return aftermath.Errorf(aftermath.EINVALID, "dataset audience: a dataset is internal, partners or public")
	}
	ds, err := db.Datasets(ctx, aftermath.System)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Name == name {
			if err := db.SetAudience(ctx, "dataset", d.ID, *p); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "dataset %s: %s\n", name, p.Audience)
			return nil
		}
	}
	return aftermath.Errorf(aftermath.ENOTFOUND, "dataset audience: no dataset %q", name)
}

func datasetCoverage(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "dataset coverage", `dataset coverage [--dataset D] [--format table|csv|json]

Lists what each imported dataset version covers: the first and last month
(YYYY-MM, inclusive), the countries (ISO alpha-3; empty for every country)
and the basis: "stated" (import --covers/--countries), "file name" (a UCDP
monthly candidate, GEDEvent_v22_0_2 → 2022-02) or "dates" (the events'
dates: whole years for UCDP, months for ACLED). A month no version covers
is unknown, not zero.`)
	dsn := dbFlag(fs, env)
	dataset := fs.String("dataset", "", "only this dataset (default: all)")
	format := fs.String("format", "table", "output format: table, csv or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("dataset coverage: unexpected argument %q", fs.Arg(0))}
	}
	if err := tableFormat("dataset coverage", *format); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ds, err := db.Datasets(ctx, aftermath.System)
	if err != nil {
		return err
	}
	type row struct {
		Dataset string `json:"dataset"`
		aftermath.Coverage
	}
	out := []row{}
	found := *dataset == ""
	for _, d := range ds {
		if *dataset != "" && d.Name != *dataset {
			continue
		}
		found = true
		set, err := db.DatasetCoverage(ctx, aftermath.System, d.Name)
		if err != nil {
			return err
		}
		for _, c := range set {
			out = append(out, row{Dataset: d.Name, Coverage: c})
		}
	}
	if !found {
		return aftermath.Errorf(aftermath.ENOTFOUND, "dataset coverage: no dataset %q", *dataset)
	}
	header := []string{"dataset", "version", "from", "to", "countries", "basis"}
	cells := func(r row) []string {
		return []string{r.Dataset, r.Version, r.From, r.To, strings.Join(r.Countries, ","), r.Basis}
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "csv":
		w := csvout.NewWriter(env.Stdout)
		w.Write(header)
		for _, r := range out {
			w.Write(cells(r))
		}
		w.Flush()
		return w.Error()
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range out {
		c := cells(r)
		if c[4] == "" {
			c[4] = "all"
		}
		fmt.Fprintln(tw, strings.Join(c, "\t"))
	}
	return tw.Flush()
}

// placement reads an --audience and --org pair.
func placement(ctx context.Context, db *sqldb.DB, audience, org string) (*sqldb.Placement, error) {
	a, err := aftermath.ParseAudience(audience)
	if err != nil {
		return nil, err
	}
	p := &sqldb.Placement{Audience: a}
	if org != "" {
		o, err := db.Organisation(ctx, org)
		if err != nil {
			return nil, err
		}
		p.OwnerOrg = o.ID
	}
	return p, nil
}

func runOrg(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "org", orgUsage, []subcommand{{"share", orgShare}})
}

const orgUsage = `Usage: aftermath org share ORG PARTNER

  share ORG PARTNER   let PARTNER's members see ORG's records whose audience
                      is partners
`

func orgShare(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "org share", "org share ORG PARTNER")
	dsn := dbFlag(fs, env)
	org, rest := splitRef(args)
	partner, rest := splitRef(rest)
	if err := parse(fs, rest); err != nil {
		return err
	}
	if org == "" || partner == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("org share: say which organisation shares with which partner")}
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := db.Organisation(ctx, org)
	if err != nil {
		return err
	}
	p, err := db.Organisation(ctx, partner)
	if err != nil {
		return err
	}
	if err := db.SharePartners(ctx, o.ID, p.ID); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s now shares its partners records with %s\n", org, partner)
	return nil
}
