package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"aftermath"
	"aftermath/internal/csvout"
)

var statsValues = []string{"events", "deaths_best", "deaths_low", "deaths_high", "deaths_civilians"}

func runStats(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "stats", `stats [--db DB] [--dataset ucdp|acled] [--by KEYS] [--clear-only] [--precise-only] [--format table|csv|json]

Sums events and deaths from the monthly aggregates, grouped by KEYS, a comma
list drawn from dataset,country,admin1,year,month,violence_type. Rows are
sorted by the keys. violence_type is state-based, non-state or one-sided for
UCDP and ACLED's event_type for ACLED; year is the dataset's year column;
month is YYYY-MM of the event's start date. --clear-only and --precise-only
re-run the sums on clear events or on precisely placed and dated ones.`)
	dsn := dbFlag(fs, env)
	dataset := fs.String("dataset", "", "only this dataset: ucdp or acled (default: all)")
	by := fs.String("by", "", "comma list of keys to group by (default: one total row)")
	format := fs.String("format", "table", "output format: table, csv or json")
	clearOnly := fs.Bool("clear-only", false, "only clear events: UCDP code_status Clear (ACLED has no code status: all its events count)")
	preciseOnly := fs.Bool("precise-only", false, "only events with a precise place and date: UCDP where_prec and date_prec 1-2; ACLED geo_precision 1 and time_precision 1-2")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("stats: unexpected argument %q", fs.Arg(0))}
	}
	f := aftermath.StatsFilter{Dataset: *dataset, ClearOnly: *clearOnly, PreciseOnly: *preciseOnly}
	if d := strings.ToLower(*dataset); d != "" && d != aftermath.DatasetUCDP && d != aftermath.DatasetACLED {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("stats: unknown dataset %q; use ucdp or acled", *dataset)}
	}
	var err error
	if f.By, err = byKeys("stats", *by, aftermath.StatsKeys); err != nil {
		return err
	}
	if err := tableFormat("stats", *format); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Stats(ctx, f)
	if err != nil {
		return err
	}
	header := append(slices.Clone(f.By), statsValues...)
	switch *format {
	case "csv":
		w := csvout.NewWriter(env.Stdout)
		w.Write(header)
		for _, r := range rows {
			w.Write(append(slices.Clone(r.Keys), values(r)...))
		}
		w.Flush()
		return w.Error()
	case "json":
		out := make([]map[string]any, 0, len(rows))
		for _, r := range rows {
			m := map[string]any{}
			for i, k := range f.By {
				if k == "year" {
					n, _ := strconv.Atoi(r.Keys[i])
					m[k] = n
				} else {
					m[k] = r.Keys[i]
				}
			}
			m["events"], m["deaths_best"], m["deaths_low"] = r.Events, r.DeathsBest, r.DeathsLow
			m["deaths_high"], m["deaths_civilians"] = r.DeathsHigh, r.DeathsCivilians
			out = append(out, m)
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	default:
		tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
		for _, r := range rows {
			fmt.Fprintln(tw, strings.Join(append(slices.Clone(r.Keys), values(r)...), "\t")+"\t")
		}
		return tw.Flush()
	}
}

func values(r aftermath.StatsRow) []string {
	return []string{strconv.FormatInt(r.Events, 10), strconv.FormatInt(r.DeathsBest, 10), strconv.FormatInt(r.DeathsLow, 10),
		strconv.FormatInt(r.DeathsHigh, 10), strconv.FormatInt(r.DeathsCivilians, 10)}
}

// byKeys reads a --by list: keys from allowed, each once, in the order
// given.
func byKeys(cmd, by string, allowed []string) ([]string, error) {
	var keys []string
	if strings.TrimSpace(by) == "" {
		return nil, nil
	}
	for _, k := range strings.Split(by, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(allowed, k) {
			return nil, &ExitError{Code: exitUsage, Err: fmt.Errorf("%s: unknown key %q in --by; use %s", cmd, k, strings.Join(allowed, ","))}
		}
		if slices.Contains(keys, k) {
			return nil, &ExitError{Code: exitUsage, Err: fmt.Errorf("%s: key %q given twice in --by", cmd, k)}
		}
		keys = append(keys, k)
	}
	return keys, nil
}
