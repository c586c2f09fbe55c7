package impact_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/analysis"
	"aftermath/internal/impact"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// monthIndexRE finds a time written as a bare number where a month is
// meant: "t = 24253", "treatment time -3", "before 6".
var monthIndexRE = regexp.MustCompile(`(t = |time |before |from |around )-?\d+([^\d-]|$)`)

// Difference-in-differences, the event study and the synthetic control
// name months as YYYY-MM in their messages and method texts, never by
// the index the models count in.
func TestMethodsNameMonths(t *testing.T) {
	file := sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")
	db := sqldbtest.FilledSQLite(t, "ged-21.0.12", func(t testing.TB, db *sqldb.DB) { importAll(t, db, file) })
	ctx := context.Background()
	mid := createIntervention(t, db, `{"slug": "mid", "name": "Mid-year support", "area": [{"country": "MLI"}], "phases": [{"start": "2021-07-01", "end": "2021-12-31"}]}`)
	early := createIntervention(t, db, `{"slug": "early", "name": "Early support", "area": [{"country": "MLI"}], "phases": [{"start": "2021-02-01", "end": "2021-12-31"}]}`)
	before := createIntervention(t, db, `{"slug": "before", "name": "Support before the data", "area": [{"country": "MLI"}], "phases": [{"start": "2020-10-01", "end": "2021-12-31"}]}`)

	rep, err := impact.Analyze(ctx, db, mid, impact.Options{Viewer: aftermath.System, Dataset: "ucdp", Method: "did", Comparison: []string{"NER"}})
	if err != nil {
		t.Fatal(err)
	}
	did := rep.DiD.(*analysis.DiDResult)
	es := rep.EventStudy.(*analysis.EventStudyResult)
	for name, text := range map[string]string{"DiD": did.Method, "event study": es.Method} {
		if !strings.Contains(text, "2021-07") || monthIndexRE.MatchString(text) {
			t.Errorf("the %s method does not name the month 2021-07: %s", name, text)
		}
	}
	rep, err = impact.Analyze(ctx, db, mid, impact.Options{Viewer: aftermath.System, Dataset: "ucdp", Method: "synth", MinPre: 5})
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Synth.(*analysis.SynthResult).Method; !strings.Contains(m, "treated from 2021-07") || !strings.Contains(m, "(2021-01 to 2021-06)") {
		t.Errorf("the synthetic control's method does not name its months: %s", m)
	}
	for _, c := range []struct {
		iv     *aftermath.Intervention
		opt    impact.Options
		months string
	}{
		{before, impact.Options{Method: "did", Comparison: []string{"NER"}}, "2020-10"},
		{early, impact.Options{Method: "synth", MinPre: 5}, "2021-02"},
	} {
		c.opt.Viewer, c.opt.Dataset = aftermath.System, "ucdp"
		_, err := impact.Analyze(ctx, db, c.iv, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.months) || monthIndexRE.MatchString(err.Error()) {
			t.Errorf("%s on %s: %v, want the month %s named", c.opt.Method, c.iv.Slug, err, c.months)
		}
	}
}
