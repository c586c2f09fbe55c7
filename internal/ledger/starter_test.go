package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/catalog"
	"aftermath/internal/ledger"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func TestLedgerStarterParses(t *testing.T) {
	st, err := ledger.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Decisions) == 0 || len(st.Inquiries) < 3 {
		t.Fatalf("starter: %d decisions, %d inquiries", len(st.Decisions), len(st.Inquiries))
	}
	refs := map[string]bool{}
	for _, q := range st.Inquiries {
		refs[q.Reference] = true
		if q.Audience != aftermath.AudiencePublic {
			t.Errorf("inquiry %s is %s", q.Reference, q.Audience)
		}
		for _, f := range q.Findings {
			if f.Verbatim {
				t.Errorf("inquiry %s: finding %q is marked verbatim; starter findings are paraphrases", q.Reference, f.Text)
			}
		}
	}
	for _, r := range []string{"HC 264", "HC 119 (2016-17)", "SIGAR 21-46-LL"} {
		if !refs[r] {
			t.Errorf("starter lacks inquiry %s", r)
		}
	}
	for _, d := range st.Decisions {
		refs[d.Reference] = true
	}
	for _, r := range []string{"S/RES/1973 (2011)", "S/RES/2100 (2013)"} {
		if !refs[r] {
			t.Errorf("starter lacks decision %s", r)
		}
	}
	// The catalog's resolutions that the starter shares are described the
	// same way (same identifier, date and publisher).
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Sources {
		for _, cs := range cat.Sources {
			if cs.Identifier == s.Identifier && (cs.Date != s.Date || cs.Publisher != s.Publisher || cs.Title != s.Title) {
				t.Errorf("source %s: starter %+v, catalog %+v", s.Identifier, s, cs.Source)
			}
		}
	}
}

func TestLedgerStarterRejectsBadFiles(t *testing.T) {
	const src = `{"identifier": "HC 1", "title": "T", "publisher": "P", "date": "2016-07-06"}`
	const cite = `{"source": "HC 1", "confidence": "high"}`
	inq := func(extra string) string {
		return `{"sources": [` + src + `], "inquiries": [{"reference": "HC 1", "body": {"name": "B"}, "type": "court", "title": "T",
			"date": "2016-07-06", "subjects": [], "citations": {"body": [` + cite + `], "type": [` + cite + `], "title": [` + cite + `],
			"reference": [` + cite + `], "date": [` + cite + `]}` + extra + `}]}`
	}
	if _, err := ledger.ParseStarter(strings.NewReader(inq(""))); err != nil {
		t.Fatalf("a good file: %v", err)
	}
	for name, tc := range map[string]struct{ doc, want string }{
		"unknown key":   {inq(`, "colour": "red"`), "unknown field"},
		"uncited":       {inq(`, "summary": "S"`), "uncited: summary"},
		"uncited find":  {inq(`, "findings": [{"text": "F", "citations": []}]`), "uncited: finding 1"},
		"undeclared":    {inq(`, "findings": [{"text": "F", "citations": [{"source": "HC 2", "confidence": "high"}]}]`), `"HC 2" is not declared`},
		"verbatim":      {inq(`, "findings": [{"text": "F", "verbatim": true, "citations": [` + cite + `]}]`), "no citation quotes it"},
		"confidence":    {inq(`, "findings": [{"text": "F", "citations": [{"source": "HC 1", "confidence": "sure"}]}]`), "confidence"},
		"unused source": {`{"sources": [` + src + `]}`, "never cited"},
		"bad date":      {strings.Replace(inq(""), `"date": "2016-07-06", "subjects"`, `"date": "6 July 2016", "subjects"`, 1), "date"},
		"twice":         {strings.Replace(inq(""), `"inquiries": [{`, `"inquiries": [{"reference": "HC 1", "body": {"name": "B"}, "type": "court", "title": "T", "date": "2016", "citations": {"body": [`+cite+`], "type": [`+cite+`], "title": [`+cite+`], "reference": [`+cite+`], "date": [`+cite+`]}}, {`, 1), "used twice"},
		"rec inquiry": {strings.TrimSuffix(inq(""), "}") + `, "recommendations": [{"inquiry": "HC 9", "addressee": {"name": "A"}, "text": "Do it",
			"citations": {"addressee": [` + cite + `], "text": [` + cite + `]}}]}`, `no starter inquiry has reference "HC 9"`},
	} {
		_, err := ledger.ParseStarter(strings.NewReader(tc.doc))
		if aftermath.ErrorCode(err) != aftermath.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

// seedCatalog stores the catalog's interventions, as `aftermath seed`
// does before the ledger, so the starter's links resolve.
func seedCatalog(t *testing.T, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, s := range cat.Sources {
		src := s.Source
		if err := db.CreateSource(ctx, &src); err != nil {
			t.Fatal(err)
		}
		ids[s.Key] = src.ID
	}
	for _, e := range cat.Interventions {
		iv := e.Intervention
		iv.Audience = aftermath.AudiencePublic
		for _, c := range e.Cited {
			iv.Citations = append(iv.Citations, aftermath.Citation{Field: c.Field, SourceID: ids[c.SourceKey], Page: c.Page, Quote: c.Quote, Confidence: c.Confidence})
		}
		if err := db.CreateIntervention(ctx, aftermath.System, &iv); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLedgerStarterSeedsOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		seedCatalog(t, db)
		st, err := ledger.LoadStarter()
		if err != nil {
			t.Fatal(err)
		}
		total := len(st.Decisions) + len(st.Inquiries) + len(st.Recommendations)
		res, err := ledger.Seed(ctx, db, st)
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != total || res.Kept != 0 || len(res.MissingInterventions) != 0 {
			t.Fatalf("first seed: %+v, want %d added", res, total)
		}
		before := sqldbtest.Snapshot(t, db)
		res, err = ledger.Seed(ctx, db, st)
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 0 || res.Kept != total {
			t.Errorf("second seed: %+v", res)
		}
		if after := sqldbtest.Snapshot(t, db); after != before {
			t.Error("seeding again changed the database")
		}

		// Everything is public, every field is cited, and every citation's
		// source carries its document identifier.
		v := aftermath.Anonymous
		checkCites := func(what string, cs []aftermath.Citation) {
			t.Helper()
			if len(cs) == 0 {
				t.Errorf("%s: no citations", what)
			}
			for _, c := range cs {
				s, err := db.Source(ctx, v, c.SourceID)
				if err != nil || s.Identifier == "" {
					t.Errorf("%s: citation of %s: source %d: %+v %v", what, c.Field, c.SourceID, s, err)
				}
			}
		}
		ds, err := db.Decisions(ctx, v, sqldb.DecisionFilter{})
		if err != nil || len(ds) != len(st.Decisions) {
			t.Fatalf("anonymous sees %d of %d decisions: %v", len(ds), len(st.Decisions), err)
		}
		for _, d := range ds {
			if u := d.Uncited(); len(u) > 0 {
				t.Errorf("decision %s: uncited %v", d.Reference, u)
			}
			checkCites("decision "+d.Reference, d.Citations)
		}
		qs, err := db.Inquiries(ctx, v, sqldb.InquiryFilter{})
		if err != nil || len(qs) != len(st.Inquiries) {
			t.Fatalf("anonymous sees %d of %d inquiries: %v", len(qs), len(st.Inquiries), err)
		}
		for _, q := range qs {
			if u := q.Uncited(); len(u) > 0 {
				t.Errorf("inquiry %s: uncited %v", q.Reference, u)
			}
			checkCites("inquiry "+q.Reference, q.Citations)
			for i, f := range q.Findings {
				checkCites(q.Reference+" finding "+string(rune('1'+i)), f.Citations)
			}
		}
		// The resolutions link to the catalog's missions, so timelines and
		// scorecards draw on both.
		minusma, err := db.FindIntervention(ctx, v, "minusma")
		if err != nil {
			t.Fatal(err)
		}
		items, err := db.LedgerTimeline(ctx, v, sqldb.TimelineFilter{InterventionID: minusma.ID})
		if err != nil || len(items) != 2 || items[0].Date != "2013-04-25" || items[1].Date != "2023-06-30" {
			t.Errorf("MINUSMA timeline: %+v %v", items, err)
		}
		unsc := ds[0].Maker.ID
		sc, err := db.Scorecard(ctx, v, unsc)
		if err != nil || sc.Decisions.Count != len(st.Decisions) {
			t.Errorf("Security Council scorecard: %+v %v", sc, err)
		}
		uk := qs[0].Subjects[0]
		sc, err = db.Scorecard(ctx, v, uk.ID)
		if err != nil || uk.Name != "United Kingdom" || sc.Inquiries.Count != 2 || sc.InterventionsBacked.Count != 1 {
			t.Errorf("United Kingdom scorecard: %+v %v", sc, err)
		}
	})
}

// TestLedgerStarterSeedsRecommendations checks the part of Seed that the
// shipped starter does not use yet: recommendations, by inquiry reference.
func TestLedgerStarterSeedsRecommendations(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		const cite = `{"source": "HC 1", "confidence": "high"}`
		doc := `{"sources": [{"identifier": "HC 1", "title": "T", "publisher": "P", "date": "2016-07-06"}],
			"inquiries": [{"reference": "HC 1", "body": {"name": "B"}, "type": "court", "title": "T", "date": "2016-07-06",
				"interventions": ["not-in-the-catalog"],
				"citations": {"body": [` + cite + `], "type": [` + cite + `], "title": [` + cite + `], "reference": [` + cite + `],
				"date": [` + cite + `], "interventions": [` + cite + `]}}],
			"recommendations": [{"inquiry": "HC 1", "number": "R1", "addressee": {"name": "Ministry", "kind": "state"}, "text": "Do it.",
				"verbatim": true, "citations": {"addressee": [` + cite + `], "number": [` + cite + `],
				"text": [{"source": "HC 1", "page": "para. 3", "quote": "Do it.", "confidence": "high"}]}}]}`
		st, err := ledger.ParseStarter(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []string{"2 added, missing not-in-the-catalog", "0 added, missing "} {
			res, err := ledger.Seed(ctx, db, st)
			if got := fmt.Sprintf("%d added, missing %s", res.Added, strings.Join(res.MissingInterventions, ",")); err != nil || got != want {
				t.Errorf("seed %d: %s %v, want %s", i+1, got, err, want)
			}
		}
		q, _ := db.Inquiries(ctx, aftermath.System, sqldb.InquiryFilter{Reference: "HC 1"})
		rs, err := db.RecommendationsOf(ctx, aftermath.System, q[0].ID)
		if err != nil || len(rs) != 1 || rs[0].Status != aftermath.StatusOpen || !rs[0].Verbatim || len(rs[0].History) != 0 {
			t.Errorf("recommendations: %+v %v", rs, err)
		}
		for _, c := range q[0].Citations {
			if c.Field == "interventions" {
				t.Error("a citation of interventions that were not linked")
			}
		}
	})
}
