package cli

import (
	"context"
	"fmt"
	"strings"

	"aftermath"
	"aftermath/internal/impact"
)

func runSeries(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "series", `series (--intervention SLUG | --country ISO3) [--dataset D] [--from YYYY-MM] [--to YYYY-MM] [--by month|year] [--violence-type T] [--clear-only] [--precise-only] --format csv|json

Sums events and deaths of an intervention's area or a country by month or
year, within what the imported dataset versions cover. CSV columns are
period,covered,events,deaths_low,deaths_best,deaths_high,deaths_civilians;
covered is yes, no or (years only) partial; the five figures are empty where
covered is no, and sum the covered months where it is partial. --from and
--to default to the first and last month covered for the whole area.`)
	dsn := dbFlag(fs, env)
	slug := fs.String("intervention", "", "the intervention whose area to sum (id, slug or name)")
	country := fs.String("country", "", "a country (ISO 3166-1 alpha-3)")
	dataset := fs.String("dataset", aftermath.DatasetUCDP, "dataset: ucdp or acled")
	from := fs.String("from", "", "first month, YYYY-MM")
	to := fs.String("to", "", "last month, YYYY-MM")
	by := fs.String("by", "month", "month or year")
	violence := fs.String("violence-type", "", "only these violence types, comma-separated")
	clearOnly := fs.Bool("clear-only", false, "UCDP events whose code_status is Clear only")
	preciseOnly := fs.Bool("precise-only", false, "precisely placed and dated events only")
	format := fs.String("format", "", "csv or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("series: unexpected argument %q", fs.Arg(0))}
	}
	if (*slug == "") == (*country == "") {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("series: give one of --intervention or --country")}
	}
	if *format != "csv" && *format != "json" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("series: --format must be csv or json")}
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	opt := impact.SeriesOptions{Viewer: aftermath.System, Dataset: *dataset, From: *from, To: *to, By: *by,
		ViolenceTypes: commaList(*violence), ClearOnly: *clearOnly, PreciseOnly: *preciseOnly}
	if *slug != "" {
		iv, err := db.FindIntervention(ctx, aftermath.System, *slug)
		if err != nil {
			return err
		}
		opt.Area = iv.Area
	} else {
		opt.Area = []aftermath.AreaRef{{Country: strings.ToUpper(strings.TrimSpace(*country))}}
	}
	res, err := impact.Series(ctx, db, opt)
	if err != nil {
		return err
	}
	if *format == "json" {
		return impact.WriteSeriesJSON(env.Stdout, res)
	}
	return impact.WriteSeriesCSV(env.Stdout, res)
}

func runHarm(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "harm", `harm INTERVENTION [--dataset D] [--clear-only] [--precise-only] --format csv|json

What the partner forces an intervention backed did, through their own
events only: one-sided violence and battles, before, during and after each
partner's support window. CSV columns are
partner,measure,period,covered,from,to,events,deaths_low,deaths_best,deaths_high,deaths_civilians,deaths_partner_side.`)
	dsn := dbFlag(fs, env)
	dataset := fs.String("dataset", aftermath.DatasetUCDP, "dataset: ucdp or acled")
	clearOnly := fs.Bool("clear-only", false, "UCDP events whose code_status is Clear only")
	preciseOnly := fs.Bool("precise-only", false, "precisely placed and dated events only")
	format := fs.String("format", "", "csv or json")
	ref, err := parseRef(fs, args, "intervention (id, slug or name)")
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("harm: unexpected argument %q", fs.Arg(0))}
	}
	if *format != "csv" && *format != "json" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("harm: --format must be csv or json")}
	}
	db, iv, err := openIntervention(ctx, *dsn, ref)
	if err != nil {
		return err
	}
	defer db.Close()
	h, err := impact.Harm(ctx, db, iv, impact.HarmOptions{Viewer: aftermath.System, Dataset: *dataset, ClearOnly: *clearOnly, PreciseOnly: *preciseOnly})
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(env.Stdout, h)
	}
	return impact.WriteHarmCSV(env.Stdout, h)
}
