package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"aftermath"
	"aftermath/internal/analysis"
	"aftermath/internal/impact"
)

func runAnalyze(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "analyze", analyzeUsage, []subcommand{
		{"intervention", analyzeIntervention},
		{"its", analyzeITS},
		{"synth", analyzeSynth},
	})
}

const analyzeUsage = `Usage: aftermath analyze intervention|its|synth [flags]

  intervention ID|NAME  what followed an intervention, from the event store
  its                   interrupted time series on a CSV series
  synth                 synthetic control on a CSV panel

Run 'aftermath analyze SUBCOMMAND --help' for the flags.
`

// commaList splits "a,b" into its parts, dropping empty ones.
func commaList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func analyzeIntervention(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "analyze intervention", `analyze intervention ID|NAME [--dataset ucdp|acled] [--outcome events|deaths_best|deaths_civilians] [--method summary|its|did|synth|all] [--format table|json]

Measures what followed an intervention in its area: the monthly series split
by perpetrator class, before / during / after summaries, harm by the partner
forces, spread, and the chosen method. NAME is the slug or the name.`)
	dsn := dbFlag(fs, env)
	dataset := fs.String("dataset", aftermath.DatasetUCDP, "dataset: ucdp or acled")
	outcome := fs.String("outcome", "events", "outcome: events, deaths_best or deaths_civilians")
	method := fs.String("method", "summary", "method: summary, its, did, synth or all")
	format := fs.String("format", "table", "table or json")
	compare := fs.String("compare", "", "comparison area for did: ISO 3166-1 alpha-3 codes, comma-separated")
	donors := fs.String("donors", "", "donor countries for synth (alpha-3, comma-separated); default: the 40 with most events")
	violence := fs.String("violence-type", "", "only these violence types, comma-separated (e.g. one-sided)")
	hacLags := fs.Int("hac-lags", -1, "Newey-West lags for its and did (default: floor(4·(n/100)^(2/9)))")
	placebos := fs.Bool("placebos", false, "synth: run in-space placebo tests")
	model := fs.String("model", "ols", "its: the model, ols, poisson or negbin (stated in the result, never switched)")
	seasonal := fs.Bool("seasonal", false, "its: add month-of-year terms")
	minPre := fs.Int("min-pre", 10, "synth: the fewest pre-period times accepted")
	aggregate := fs.String("aggregate", "month", "synth: month, quarter or year")
	logRates := fs.Bool("log", false, "synth: fit log(1 + outcome)")
	includeExcluded := fs.Bool("include-excluded", false, "synth: keep countries hosting other interventions and the area's land neighbours in the default donor pool")
	clearOnly := fs.Bool("clear-only", false, "UCDP events whose code_status is Clear only")
	preciseOnly := fs.Bool("precise-only", false, "precisely placed and dated events only")
	ref, err := parseRef(fs, args, "intervention (id, slug or name)")
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("analyze intervention: unexpected argument %q", fs.Arg(0))}
	}
	opt := impact.Options{Viewer: aftermath.System, Dataset: *dataset, Outcome: *outcome, Method: *method, Comparison: commaList(strings.ToUpper(*compare)),
		Donors: commaList(strings.ToUpper(*donors)), ViolenceTypes: commaList(*violence), Placebos: *placebos, HACLags: lagsOption(*hacLags),
		Model: *model, Seasonal: *seasonal, MinPre: *minPre, SynthAggregate: *aggregate, SynthLog: *logRates, IncludeExcluded: *includeExcluded,
		ClearOnly: *clearOnly, PreciseOnly: *preciseOnly}
	db, iv, err := openIntervention(ctx, *dsn, ref)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := impact.Analyze(ctx, db, iv, opt)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(env.Stdout, rep)
	}
	return writeReport(env.Stdout, rep)
}

// lagsOption maps --hac-lags to analysis.ITSOptions.HACLags: unset (-1)
// means the default rule, 0 means no lags.
func lagsOption(v int) int {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return -1
	}
	return v
}

func writeReport(w io.Writer, r *impact.Report) error {
	fmt.Fprintf(w, "%s: %s %s, window %s to %s (data covers %s to %s)\n\n", r.Intervention, r.Dataset, r.Outcome,
		r.Window[0], r.Window[1], r.Coverage[0], r.Coverage[1])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "period\tfrom\tto\tmonths\tcovered\ttotal\tlow–high\tmonthly mean\t")
	for _, p := range r.Summary {
		if p.Total == nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t0\tnot covered\t\t\t\n", p.Name, p.From, p.To, p.Months)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d–%d\t%.2f\t\n", p.Name, p.From, p.To, p.Months, p.CoveredMonths, *p.Total, *p.Low, *p.High, p.MonthlyMean)
	}
	tw.Flush()
	if h := r.Harm; h != nil {
		fmt.Fprintf(w, "\nHarm by partner forces, through their own events (%s):\n", h.Dataset)
		if err := impact.WriteHarmCSV(w, h); err != nil {
			return err
		}
	}
	for _, res := range []struct {
		name string
		v    any
	}{{"Interrupted time series", r.ITS}, {"Difference-in-differences", r.DiD}, {"Event study", r.EventStudy}, {"Synthetic control", r.Synth}} {
		name, res := res.name, res.v
		if res != nil {
			fmt.Fprintf(w, "\n%s:\n", name)
			writeJSON(w, res)
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "\nNot run: %s\n", s)
	}
	fmt.Fprintf(w, "\nMethod: %s\n", r.Method)
	for _, c := range r.Caveats {
		fmt.Fprintf(w, "Caveat: %s\n", c)
	}
	return nil
}

func readTable(path string) (*analysis.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return analysis.ReadTable(f, path)
}

func analyzeITS(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "analyze its", `analyze its --series FILE --time COL --outcome COL --break T [--break T2…] [--model ols|poisson|negbin] [--seasonal [--first-month YYYY-MM]] [--hac-lags N] [--format json|table]

Interrupted time series (segmented regression),
  y_t = b0 + b1·t + Σ_k (c_k·D_kt + d_k·D_kt·(t − T_k)),  D_kt = 1 when t ≥ T_k,
with t in the units of the time column, and Newey-West standard errors
(Bartlett weights, lag floor(4·(n/100)^(2/9)) unless --hac-lags says).

--model is yours to choose and is never switched: ols (the default; values
as continuous), poisson (counts, variance = mean) or negbin (counts whose
variance exceeds the mean). For count models the right side is the log of
the rate. Advice (small counts under ols, overdispersion under poisson) is
printed as notes and changes nothing.

--seasonal adds a dummy for each calendar month but the earliest present
(11 when all are), so the level change is net of a fixed seasonal pattern.
It needs each row's calendar month: a time column in YYYY-MM form (times
then count months from the first one, and --break takes YYYY-MM too), or
whole-month numbers with --first-month naming the calendar month of the
smallest time.

The file is CSV with a header, comma, semicolon or tab separated; rows
with an empty time or outcome are left out.`)
	series := fs.String("series", "", "CSV file with the series")
	timeCol := fs.String("time", "", "time column (numbers, or YYYY-MM)")
	outcome := fs.String("outcome", "", "outcome column")
	var breaks listFlag
	fs.Var(&breaks, "break", "a break time T (repeat for more); YYYY-MM when the time column is")
	hacLags := fs.Int("hac-lags", -1, "Newey-West lags (default: floor(4·(n/100)^(2/9)); 0: none)")
	model := fs.String("model", analysis.ModelOLS, "ols, poisson or negbin (never switched)")
	seasonal := fs.Bool("seasonal", false, "add month-of-year terms")
	firstMonth := fs.String("first-month", "", "with --seasonal and numeric times: calendar month (YYYY-MM or MM) of the smallest time")
	format := fs.String("format", "json", "json or table")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *series == "" || *timeCol == "" || *outcome == "" || len(breaks) == 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("analyze its: --series, --time, --outcome and at least one --break are required")}
	}
	switch *model {
	case analysis.ModelOLS, analysis.ModelPoisson, analysis.ModelNegBin:
	default:
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("analyze its: --model %q is not one of ols, poisson, negbin", *model)}
	}
	t, err := readTable(*series)
	if err != nil {
		return err
	}
	ts, first, err := readTimes(t, *timeCol)
	if err != nil {
		return err
	}
	var bs []float64
	for _, b := range breaks {
		v, ok := parseTimeValue(b, first)
		if !ok {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("analyze its: --break %q is not a number%s", b, map[bool]string{true: " or YYYY-MM", false: ""}[first >= 0])}
		}
		bs = append(bs, v)
	}
	ys, err := t.Float(*outcome)
	if err != nil {
		return err
	}
	type pt struct{ t, y float64 }
	var pts []pt
	for i := range ts {
		if !math.IsNaN(ts[i]) && !math.IsNaN(ys[i]) {
			pts = append(pts, pt{ts[i], ys[i]})
		}
	}
	slices.SortFunc(pts, func(a, b pt) int { return cmp.Compare(a.t, b.t) })
	times, y := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		times[i], y[i] = p.t, p.y
	}
	unit := *timeCol
	if first >= 0 {
		unit = "month (0 = " + analysis.PeriodLabel(first, analysis.PeriodMonth) + ")"
	}
	opt := analysis.ITSOptions{HACLags: lagsOption(*hacLags), TimeUnit: unit, Model: *model, Seasonal: *seasonal}
	if *seasonal && len(times) > 0 {
		start := first
		if start < 0 {
			if *firstMonth == "" {
				return &ExitError{Code: exitUsage, Err: fmt.Errorf("analyze its: --seasonal needs each time's calendar month: use a YYYY-MM time column or give --first-month")}
			}
			m, ok := analysis.ParseYearMonth(*firstMonth)
			if !ok {
				mm, err := strconv.Atoi(*firstMonth)
				if err != nil || mm < 1 || mm > 12 {
					return &ExitError{Code: exitUsage, Err: fmt.Errorf("analyze its: --first-month %q: use YYYY-MM or a month number 1–12", *firstMonth)}
				}
				m = mm - 1
			}
			start = m - int(times[0]) // so that time t is month index start + t
		}
		for _, tm := range times {
			if tm != math.Trunc(tm) {
				return &ExitError{Code: exitUsage, Err: fmt.Errorf("analyze its: --seasonal needs whole-month times; %s is not", analysis.FormatTime(tm))}
			}
			opt.MonthOfYear = append(opt.MonthOfYear, analysis.MonthOfYear(start+int(tm)))
		}
	}
	res, err := analysis.FitITS(times, y, bs, opt)
	if err != nil {
		return aftermath.Errorf(aftermath.EINVALID, "analyze its: %v", err)
	}
	return writeResult(env.Stdout, *format, res)
}

// readTimes reads a time column of numbers, or of YYYY-MM months. For
// months it returns months counted from the earliest (0 = that month) and
// that month's index (analysis.YearMonthIndex); for numbers first is −1.
// Empty cells are NaN.
func readTimes(t *analysis.Table, col string) (times []float64, first int, err error) {
	cells, err := t.Column(col)
	if err != nil {
		return nil, -1, err
	}
	months := false
	for _, c := range cells {
		if c != "" {
			_, months = analysis.ParseYearMonth(c)
			break
		}
	}
	if !months {
		ts, err := t.Float(col)
		return ts, -1, err
	}
	idx := make([]int, len(cells))
	first = math.MaxInt
	for i, c := range cells {
		if c == "" {
			idx[i] = -1
			continue
		}
		m, ok := analysis.ParseYearMonth(c)
		if !ok {
			return nil, -1, fmt.Errorf("%s:%d: column %q: %q is not YYYY-MM like the first time", t.Name, t.Lines[i], col, c)
		}
		idx[i] = m
		first = min(first, m)
	}
	times = make([]float64, len(cells))
	for i, m := range idx {
		times[i] = math.NaN()
		if m >= 0 {
			times[i] = float64(m - first)
		}
	}
	return times, first, nil
}

// parseTimeValue reads a flag's time: a number, or YYYY-MM when the time
// column holds months (first ≥ 0, the month that counts as 0).
func parseTimeValue(s string, first int) (float64, bool) {
	if first >= 0 {
		if m, ok := analysis.ParseYearMonth(s); ok {
			return float64(m - first), true
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// writeResult prints an analysis result as JSON, or its coefficients and
// method as a table.
func writeResult(w io.Writer, format string, res any) error {
	if format == "json" {
		return writeJSON(w, res)
	}
	if format != "table" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("unknown format %q; use json or table", format)}
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if model, ok := m["model"].(string); ok {
		fmt.Fprintf(tw, "model\t%s\t\n", model)
	}
	if coef, ok := m["coefficients"].(map[string]any); ok {
		se, _ := m["std_errors"].(map[string]any)
		fmt.Fprintln(tw, "term\testimate\tstd. error\t")
		for _, k := range orderedKeys(b, "coefficients") {
			fmt.Fprintf(tw, "%s\t%.6g\t%.6g\t\n", k, coef[k], se[k])
		}
	}
	if wts, ok := m["weights"].(map[string]any); ok {
		fmt.Fprintln(tw, "donor\tweight\t")
		for _, k := range orderedKeys(b, "weights") {
			fmt.Fprintf(tw, "%s\t%.4f\t\n", k, wts[k])
		}
		fmt.Fprintf(tw, "pre-period RMSPE\t%.6g\t\n", m["rmspe_pre"])
		if p, ok := m["placebo_p"].(float64); ok {
			fmt.Fprintf(tw, "placebo p-value\t%.4f\t\n", p)
		} else if why, ok := m["p_value_withheld"].(string); ok {
			fmt.Fprintf(tw, "placebo p-value\twithheld\t\n")
			defer fmt.Fprintf(w, "No p-value: %s.\n", why)
		}
	}
	tw.Flush()
	if notes, ok := m["notes"].([]any); ok {
		for _, n := range notes {
			fmt.Fprintf(w, "Note: %v\n", n)
		}
	}
	fmt.Fprintf(w, "\nMethod: %v\n", m["method"])
	return nil
}

// orderedKeys returns the keys of an object member in the order the JSON
// gives them (maps lose it).
func orderedKeys(doc []byte, member string) []string {
	var raw map[string]json.RawMessage
	if json.Unmarshal(doc, &raw) != nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw[member]))
	var keys []string
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

func analyzeSynth(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "analyze synth", `analyze synth --panel FILE --unit COL --time COL --outcome COL --treated UNIT --treatment-time T [--predictor COL:FROM-TO …] [--placebos] [--min-pre N] [--aggregate month|quarter|year] [--log] [--format json|table]

Synthetic control (Abadie, Diamond & Hainmueller 2010): donor weights
(non-negative, summing to one) fitted on standardised predictor means, with
predictor weights chosen to minimise the pre-period outcome error; the
pre-period RMSPE, the gap series and, with --placebos, in-space placebo tests
whose post/pre RMSPE-ratio rank gives a p-value. A predictor COL:FROM-TO is
the mean of COL over those times (COL:FROM..TO also works, and is needed
for YYYY-MM times); COL:T is its value at T. Without predictors: the mean
pre-period outcome and the outcome at the first, middle and last
pre-period times.

Fewer than --min-pre pre-period times (default 10, counted after
aggregation) is refused with exit status 2. No p-value is given when the
treated unit's or a placebo's pre-period fit is exact to rounding
(RMSPE ≤ 1e-8·(1 + mean |outcome|)); the result says why.

--aggregate quarter|year sums the outcome over calendar quarters or years
(covariates are averaged; a period with any month missing is missing, not
a partial sum). The time column must then hold months: YYYY-MM, or month
indices counting from a January as 0 (e.g. YYYY·12 + MM − 1). The
treatment time and predictor windows are given in the same months and move
to the period that contains them. --log fits log(1 + outcome), for counts
and rates with zeros. The method text states both choices.`)
	panel := fs.String("panel", "", "CSV panel file")
	unit := fs.String("unit", "", "unit column")
	timeCol := fs.String("time", "", "time column (numbers, or YYYY-MM)")
	outcome := fs.String("outcome", "", "outcome column")
	treated := fs.String("treated", "", "the treated unit")
	tt := fs.String("treatment-time", "", "first treated time (a number, or YYYY-MM)")
	var preds, donors listFlag
	fs.Var(&preds, "predictor", "COL:FROM-TO, COL:FROM..TO or COL:T (repeat for more)")
	fs.Var(&donors, "donor", "a donor unit (repeat; default: every other unit)")
	placebos := fs.Bool("placebos", false, "run in-space placebo tests")
	minPre := fs.Int("min-pre", analysis.DefaultMinPre, "the fewest pre-period times accepted")
	aggregate := fs.String("aggregate", "month", "month (as given), quarter or year")
	logOutcome := fs.Bool("log", false, "fit log(1 + outcome)")
	format := fs.String("format", "json", "json or table")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *panel == "" || *unit == "" || *timeCol == "" || *outcome == "" || *treated == "" || *tt == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("analyze synth: --panel, --unit, --time, --outcome, --treated and --treatment-time are required")}
	}
	agg, err := analysis.ParsePeriod(*aggregate)
	if err != nil {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("analyze synth: --aggregate: %v", err)}
	}
	if *minPre < 1 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("analyze synth: --min-pre must be at least 1")}
	}
	treatAt, ok := parseTimeValue(*tt, 0)
	if !ok {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("analyze synth: --treatment-time %q is not a number or YYYY-MM", *tt)}
	}
	spec := analysis.SynthSpec{Treated: *treated, TreatmentTime: treatAt, Donors: donors, Placebos: *placebos, Seed: 1,
		MinPre: *minPre, Aggregate: agg, Log: *logOutcome}
	var covs []string
	for _, p := range preds {
		pr, err := parsePredictor(p)
		if err != nil {
			return &ExitError{Code: exitUsage, Err: err}
		}
		spec.Predictors = append(spec.Predictors, pr)
		if pr.Column != *outcome && !slices.Contains(covs, pr.Column) {
			covs = append(covs, pr.Column)
		}
	}
	t, err := readTable(*panel)
	if err != nil {
		return err
	}
	p, err := t.Panel(*unit, *timeCol, *outcome, covs)
	if err != nil {
		return err
	}
	res, err := analysis.Synth(p, spec)
	if err != nil {
		return aftermath.Errorf(aftermath.EINVALID, "analyze synth: %v", err)
	}
	return writeResult(env.Stdout, *format, res)
}

// parsePredictor reads COL:FROM-TO, COL:FROM..TO or COL:T; times are
// numbers or YYYY-MM (as month indices, analysis.YearMonthIndex).
func parsePredictor(v string) (analysis.Predictor, error) {
	col, span, ok := strings.Cut(v, ":")
	if !ok || col == "" || span == "" {
		return analysis.Predictor{}, fmt.Errorf("--predictor %q: use COL:FROM-TO, COL:FROM..TO or COL:T", v)
	}
	from, to := span, span
	if f, t, ok := strings.Cut(span, ".."); ok {
		from, to = f, t
	} else if _, isMonth := analysis.ParseYearMonth(span); !isMonth {
		// The separator is a hyphen after the first character, so that a
		// negative start time still reads.
		if i := strings.Index(span[1:], "-"); i >= 0 {
			from, to = span[:i+1], span[i+2:]
		}
	}
	a, ok1 := parseTimeValue(from, 0)
	b, ok2 := parseTimeValue(to, 0)
	if !ok1 || !ok2 || b < a {
		return analysis.Predictor{}, fmt.Errorf("--predictor %q: FROM and TO must be numbers or YYYY-MM with FROM ≤ TO", v)
	}
	return analysis.Predictor{Column: col, From: a, To: b}, nil
}
