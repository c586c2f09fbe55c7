package sqldb_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// ledgerFixture is a small ledger about one intervention backed by the
// United Kingdom: a decision, an inquiry with a finding, a recommendation
// and a claim, each public unless a test changes it.
type ledgerFixture struct {
	src      *aftermath.Source
	iv       *aftermath.Intervention
	decision *aftermath.Decision
	inquiry  *aftermath.Inquiry
	rec      *aftermath.Recommendation
	claim    *aftermath.Claim
}

func cite(field string, src int64) aftermath.Citation {
	return aftermath.Citation{Field: field, SourceID: src, Page: "para. 1", Confidence: aftermath.ConfidenceHigh}
}

// fixedNow pins the store's clock, so that overdue flags and "not in the
// future" checks do not depend on when the test runs.
func fixedNow(db *sqldb.DB) {
	db.Now = func() time.Time { return time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC) }
}

func newLedger(t *testing.T, db *sqldb.DB) *ledgerFixture {
	t.Helper()
	ctx := context.Background()
	fixedNow(db)
	f := &ledgerFixture{src: &aftermath.Source{Identifier: "HC 999", Title: "A report"}}
	if err := db.CreateSource(ctx, f.src); err != nil {
		t.Fatal(err)
	}
	s := f.src.ID
	f.iv = &aftermath.Intervention{Slug: "op-test", Name: "Operation Test", Backers: []aftermath.InterventionActor{{Name: "United Kingdom"}},
		Phases: []aftermath.Phase{{Start: "2010-01-01"}}, Audience: aftermath.AudiencePublic}
	if err := db.CreateIntervention(ctx, aftermath.System, f.iv); err != nil {
		t.Fatal(err)
	}
	f.decision = &aftermath.Decision{
		Maker: aftermath.ActorRef{Name: "United Kingdom", Kind: aftermath.KindState}, Date: "2010-01-01", Kind: "deployment",
		Reference: "HC Deb 1 January 2010", Summary: "Deploy forces", Rationale: "To protect civilians",
		Amounts:         []aftermath.Amount{{Value: 1.5e6, Currency: "GBP", Note: "first year"}},
		InterventionIDs: []int64{f.iv.ID}, Actors: []aftermath.ActorRef{{Name: "Partner Army", Kind: aftermath.KindArmedGroup}},
		Citations: []aftermath.Citation{cite("maker", s), cite("summary", s)}, Audience: aftermath.AudiencePublic,
	}
	if err := db.CreateDecision(ctx, aftermath.System, f.decision); err != nil {
		t.Fatal(err)
	}
	f.inquiry = &aftermath.Inquiry{
		Body: aftermath.ActorRef{Name: "Test Committee", Kind: aftermath.KindOrganisation}, Type: "parliamentary-inquiry",
		Title: "Review of Operation Test", Reference: "HC 999", Date: "2016-07-06", InterventionIDs: []int64{f.iv.ID},
		Subjects:  []aftermath.ActorRef{{Name: "united kingdom"}}, // any case finds the same actor
		Findings:  []aftermath.Finding{{Text: "Planning was inadequate.", Location: "para. 12", Citations: []aftermath.Citation{cite("", s)}}},
		Citations: []aftermath.Citation{cite("title", s)}, Audience: aftermath.AudiencePublic,
	}
	if err := db.CreateInquiry(ctx, aftermath.System, f.inquiry); err != nil {
		t.Fatal(err)
	}
	f.rec = &aftermath.Recommendation{InquiryID: f.inquiry.ID, Number: "Recommendation 1", Addressee: aftermath.ActorRef{Name: "United Kingdom"},
		Text: "Plan for the aftermath.", Deadline: "2018-01-01", Citations: []aftermath.Citation{cite("text", s)}, Audience: aftermath.AudiencePublic,
		Recurrences: []aftermath.Recurrence{{Kind: "event", Dataset: "ucdp", NativeID: "12345"}, {Kind: "decision", DecisionID: f.decision.ID}}}
	if err := db.CreateRecommendation(ctx, aftermath.System, f.rec); err != nil {
		t.Fatal(err)
	}
	f.claim = &aftermath.Claim{Author: aftermath.ActorRef{Name: "United Kingdom"}, Date: "2011-03-01", Text: "No civilians were harmed.",
		AppearanceURL: "https://example.org/statement", AppearanceTitle: "Statement", Verdict: "false", Reasoning: "Events show harm.",
		ReviewedBy: "Test Monitor", Evidence: []aftermath.EvidenceLink{{Kind: "event", Ref: "ucdp:12345"}}, InterventionIDs: []int64{f.iv.ID},
		Published: true, PublishedDate: "2024-01-02", Citations: []aftermath.Citation{cite("text", s)}, Audience: aftermath.AudiencePublic}
	if err := db.CreateClaim(ctx, aftermath.System, f.claim); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDecisionCRUD(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedger(t, db)
		got, err := db.Decision(ctx, aftermath.System, f.decision.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Maker.ID == 0 || got.Maker.Name != "United Kingdom" || got.Maker.Kind != aftermath.KindState {
			t.Errorf("maker: %+v", got.Maker)
		}
		if jsonOf(got) != jsonOf(f.decision) {
			t.Errorf("stored:\n%s\nwant:\n%s", jsonOf(got), jsonOf(f.decision))
		}
		// The same name resolves to the same actor everywhere.
		q, _ := db.Inquiry(ctx, aftermath.System, f.inquiry.ID)
		if q.Subjects[0].ID != got.Maker.ID || f.rec.Addressee.ID != got.Maker.ID || f.claim.Author.ID != got.Maker.ID {
			t.Errorf("actor resolved differently: %d %d %d %d", q.Subjects[0].ID, f.rec.Addressee.ID, f.claim.Author.ID, got.Maker.ID)
		}
		if list, _ := db.Decisions(ctx, aftermath.System, sqldb.DecisionFilter{Reference: "HC Deb 1 January 2010"}); len(list) != 1 {
			t.Errorf("by reference: %d", len(list))
		}
		if u := got.Uncited(); strings.Join(u, ",") != "date,kind,reference,rationale,amounts,interventions,actors" {
			t.Errorf("uncited: %v", u)
		}

		before := sqldbtest.Snapshot(t, db)
		for name, mut := range map[string]func(d *aftermath.Decision){
			"kind":          func(d *aftermath.Decision) { d.Kind = "war" },
			"date":          func(d *aftermath.Decision) { d.Date = "2010-02-30" },
			"summary":       func(d *aftermath.Decision) { d.Summary = " " },
			"field":         func(d *aftermath.Decision) { d.Citations = []aftermath.Citation{cite("colour", f.src.ID)} },
			"source":        func(d *aftermath.Decision) { d.Citations = []aftermath.Citation{cite("summary", 9999)} },
			"intervention":  func(d *aftermath.Decision) { d.InterventionIDs = []int64{9999} },
			"currency":      func(d *aftermath.Decision) { d.Amounts = []aftermath.Amount{{Value: 1, Currency: "pounds"}} },
			"maker":         func(d *aftermath.Decision) { d.Maker = aftermath.ActorRef{ID: 9999} },
			"twice":         func(d *aftermath.Decision) { d.Actors = []aftermath.ActorRef{{Name: "X"}, {Name: "x"}} },
			"verbatim-only": func(d *aftermath.Decision) { d.Rationale, d.RationaleVerbatim = "", true },
		} {
			d := *got
			mut(&d)
			if err := db.UpdateDecision(ctx, aftermath.System, &d); aftermath.ErrorCode(err) != aftermath.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			} else if name == "kind" && !strings.Contains(err.Error(), "kind") {
				t.Errorf("message does not name the field: %v", err)
			}
		}
		if after := sqldbtest.Snapshot(t, db); after != before {
			t.Error("a refused update changed the database")
		}

		got.Summary, got.Actors, got.Amounts = "Deploy more forces", nil, nil
		if err := db.UpdateDecision(ctx, aftermath.System, got); err != nil {
			t.Fatal(err)
		}
		again, _ := db.Decision(ctx, aftermath.System, got.ID)
		if again.Summary != "Deploy more forces" || len(again.Actors) != 0 || len(again.Amounts) != 0 || len(again.Citations) != 2 {
			t.Errorf("after update: %s", jsonOf(again))
		}
		if err := db.DeleteDecision(ctx, aftermath.System, got.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Decision(ctx, aftermath.System, got.ID); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("after delete: %v", err)
		}
		if cs, _ := db.Citations(ctx, aftermath.System, aftermath.RecordDecision, got.ID); len(cs) != 0 {
			t.Errorf("citations survive: %v", cs)
		}
		// The recommendation's link to the deleted decision went with it.
		r, _ := db.Recommendation(ctx, aftermath.System, f.rec.ID)
		if len(r.Recurrences) != 1 || r.Recurrences[0].Kind != "event" {
			t.Errorf("recurrences after deleting the decision: %+v", r.Recurrences)
		}
		if err := db.UpdateDecision(ctx, aftermath.System, got); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("update of a deleted decision: %v", err)
		}
	})
}

func TestInquiryFindingsAndDelete(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedger(t, db)
		q, err := db.Inquiry(ctx, aftermath.System, f.inquiry.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Findings) != 1 || q.Findings[0].Location != "para. 12" || len(q.Findings[0].Citations) != 1 ||
			q.Findings[0].Citations[0].Field != "text" || q.Findings[0].Citations[0].RecordType != aftermath.RecordFinding {
			t.Errorf("findings: %s", jsonOf(q.Findings))
		}
		q.Findings = append(q.Findings, aftermath.Finding{Text: "Uncited finding."})
		if u := q.Uncited(); strings.Join(u, ",") != "body,type,reference,date,interventions,subjects,finding 2" {
			t.Errorf("uncited: %v", u)
		}
		q.Findings = append(q.Findings, aftermath.Finding{Text: ""})
		if err := db.UpdateInquiry(ctx, aftermath.System, q); aftermath.ErrorCode(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "finding 3") {
			t.Errorf("empty finding: %v", err)
		}
		q.Findings = q.Findings[:2]
		if err := db.UpdateInquiry(ctx, aftermath.System, q); err != nil {
			t.Fatal(err)
		}
		if again, _ := db.Inquiry(ctx, aftermath.System, q.ID); len(again.Findings) != 2 || len(again.Findings[0].Citations) != 1 {
			t.Errorf("after update: %s", jsonOf(again.Findings))
		}
		if err := db.CreateInquiry(ctx, aftermath.System, &aftermath.Inquiry{Body: aftermath.ActorRef{Name: "X"}, Type: "tribunal", Title: "T", Date: "2020"}); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("unknown type: %v", err)
		}
		if err := db.AddRecommendationStatus(ctx, aftermath.System, f.rec.ID, &aftermath.StatusChange{Status: aftermath.StatusNotImplemented, Date: "2020-01-01",
			JudgedBy: "Monitor", Criteria: "No plan published.", Citations: []aftermath.Citation{cite("", f.src.ID)}}); err != nil {
			t.Fatal(err)
		}
		// Deleting the inquiry takes its findings, recommendations, their
		// histories and every citation of them.
		if err := db.DeleteInquiry(ctx, aftermath.System, q.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Recommendation(ctx, aftermath.System, f.rec.ID); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("recommendation after its inquiry was deleted: %v", err)
		}
		cs, _ := db.CitationsOfSource(ctx, aftermath.System, f.src.ID)
		for _, c := range cs {
			switch c.RecordType {
			case aftermath.RecordInquiry, aftermath.RecordFinding, aftermath.RecordRecommendation, aftermath.RecordStatusChange:
				t.Errorf("citation left behind: %+v", c)
			}
		}
	})
}

func TestRecommendationStatusHistory(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedger(t, db)
		src := f.src.ID
		r, err := db.Recommendation(ctx, aftermath.System, f.rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		// No judgement yet: open, and past its deadline (2018-01-01) on
		// the pinned day (2024-06-01), so overdue.
		if r.Status != aftermath.StatusOpen || r.StatusDate != "" || !r.Overdue || len(r.History) != 0 {
			t.Errorf("new: status %q %q overdue %v history %d", r.Status, r.StatusDate, r.Overdue, len(r.History))
		}
		good := func(status, date string) *aftermath.StatusChange {
			return &aftermath.StatusChange{Status: status, Date: date, JudgedBy: "Aftermath researchers",
				Criteria:  "Implemented means a published plan with a budget line; partly means a plan without a budget.",
				Citations: []aftermath.Citation{{SourceID: src, Page: "p. 4", Quote: "a plan", Confidence: aftermath.ConfidenceMedium}}}
		}
		first := good(aftermath.StatusPartlyImplemented, "2019-05-01")
		if err := db.AddRecommendationStatus(ctx, aftermath.System, r.ID, first); err != nil {
			t.Fatal(err)
		}
		if first.ID == 0 || first.Citations[0].Field != "status" {
			t.Errorf("first change: %+v", first)
		}

		before := sqldbtest.Snapshot(t, db)
		for name, tc := range map[string]struct {
			sc   *aftermath.StatusChange
			want string
		}{
			"no criteria": {func() *aftermath.StatusChange { s := good("implemented", "2020-01-01"); s.Criteria = " "; return s }(), "criteria"},
			"no citation": {func() *aftermath.StatusChange { s := good("implemented", "2020-01-01"); s.Citations = nil; return s }(), "citation"},
			"no judge":    {func() *aftermath.StatusChange { s := good("implemented", "2020-01-01"); s.JudgedBy = ""; return s }(), "judged_by"},
			"bad status":  {good("done", "2020-01-01"), "not one of"},
			"bad date":    {good("implemented", "2020-13-01"), "YYYY-MM-DD"},
			"earlier":     {good("implemented", "2019-04-30"), "earlier than the previous change"},
			"future":      {good("implemented", "2024-06-02"), "future"},
			"before":      {func() *aftermath.StatusChange { s := good("implemented", "2016-07-05"); return s }(), "before the inquiry"},
			"bad source": {func() *aftermath.StatusChange {
				s := good("implemented", "2020-01-01")
				s.Citations[0].SourceID = 9999
				return s
			}(), "no source"},
			"bad field": {func() *aftermath.StatusChange {
				s := good("implemented", "2020-01-01")
				s.Citations[0].Field = "text"
				return s
			}(), "unknown field"},
			"bad evidence": {func() *aftermath.StatusChange {
				s := good("implemented", "2020-01-01")
				s.Citations[0].Confidence = "sure"
				return s
			}(), "confidence"},
		} {
			err := db.AddRecommendationStatus(ctx, aftermath.System, r.ID, tc.sc)
			if aftermath.ErrorCode(err) != aftermath.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want invalid with %q", name, err, tc.want)
			}
		}
		if err := db.AddRecommendationStatus(ctx, aftermath.System, 9999, good("implemented", "2020-01-01")); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("missing recommendation: %v", err)
		}
		if after := sqldbtest.Snapshot(t, db); after != before {
			t.Error("a refused status change altered the database")
		}

		// Reopening needs no criteria; a same-day change keeps its order.
		if err := db.AddRecommendationStatus(ctx, aftermath.System, r.ID, &aftermath.StatusChange{Status: aftermath.StatusOpen, Date: "2019-05-01",
			Note: "reopened after the plan was withdrawn"}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddRecommendationStatus(ctx, aftermath.System, r.ID, good(aftermath.StatusImplemented, "2021-03-04")); err != nil {
			t.Fatal(err)
		}
		// Updating the recommendation never touches its history.
		r.Text = "Plan for the aftermath, with a budget."
		r.History = nil
		if err := db.UpdateRecommendation(ctx, aftermath.System, r); err != nil {
			t.Fatal(err)
		}
		got, err := db.Recommendation(ctx, aftermath.System, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var statuses []string
		for _, s := range got.History {
			statuses = append(statuses, s.Date+" "+s.Status)
		}
		if strings.Join(statuses, ", ") != "2019-05-01 partly-implemented, 2019-05-01 open, 2021-03-04 implemented" {
			t.Errorf("history: %v", statuses)
		}
		h := got.History[0]
		if h.JudgedBy != "Aftermath researchers" || !strings.Contains(h.Criteria, "budget line") || len(h.Citations) != 1 ||
			h.Citations[0].Page != "p. 4" || h.Citations[0].RecordType != aftermath.RecordStatusChange {
			t.Errorf("first change read back: %s", jsonOf(h))
		}
		if got.Status != aftermath.StatusImplemented || got.StatusDate != "2021-03-04" || got.Overdue {
			t.Errorf("after implemented: %q %q overdue %v", got.Status, got.StatusDate, got.Overdue)
		}
		if got.Text != "Plan for the aftermath, with a budget." {
			t.Errorf("text not updated: %q", got.Text)
		}

		// Overdue: past the deadline and neither implemented nor superseded.
		for _, tc := range []struct {
			deadline, status, day string
			want                  bool
		}{
			{"", "", "2030-01-01", false},
			{"2020-01-01", "", "2020-01-01", false},
			{"2020-01-01", "", "2020-01-02", true},
			{"2020-01-01", aftermath.StatusPartlyImplemented, "2021-01-01", true},
			{"2020-01-01", aftermath.StatusNotImplemented, "2021-01-01", true},
			{"2020-01-01", aftermath.StatusImplemented, "2021-01-01", false},
			{"2020-01-01", aftermath.StatusSuperseded, "2021-01-01", false},
		} {
			rec := aftermath.Recommendation{Deadline: tc.deadline}
			if tc.status != "" {
				rec.History = []aftermath.StatusChange{{Status: tc.status}}
			}
			if got := rec.OverdueOn(tc.day); got != tc.want {
				t.Errorf("deadline %q status %q on %s: overdue %v", tc.deadline, tc.status, tc.day, got)
			}
		}
		if list, _ := db.Recommendations(ctx, aftermath.System, sqldb.RecommendationFilter{Status: aftermath.StatusImplemented}); len(list) != 1 {
			t.Errorf("filter by status: %d", len(list))
		}
		if list, _ := db.Recommendations(ctx, aftermath.System, sqldb.RecommendationFilter{OverdueOnly: true}); len(list) != 0 {
			t.Errorf("overdue after implementation: %d", len(list))
		}
		if list, err := db.RecommendationsOf(ctx, aftermath.System, f.inquiry.ID); err != nil || len(list) != 1 {
			t.Errorf("recommendations of the inquiry: %d %v", len(list), err)
		}
		if _, err := db.RecommendationsOf(ctx, aftermath.System, 9999); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("recommendations of a missing inquiry: %v", err)
		}
		var buf bytes.Buffer
		if err := db.WriteRecommendationStatusCSV(ctx, aftermath.System, &buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(rows) != 4 || rows[1][3] != "partly-implemented" || !strings.Contains(rows[1][7], "status: HC 999, p. 4 (medium)") {
			t.Errorf("status CSV: %v %v", rows, err)
		}
	})
}

func TestClaimReviewRecord(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedger(t, db)
		got, err := db.Claim(ctx, aftermath.System, f.claim.ID)
		if err != nil {
			t.Fatal(err)
		}
		if jsonOf(got) != jsonOf(f.claim) {
			t.Errorf("stored:\n%s\nwant:\n%s", jsonOf(got), jsonOf(f.claim))
		}
		for name, mut := range map[string]func(c *aftermath.Claim){
			"verdict":       func(c *aftermath.Claim) { c.Verdict = "pants-on-fire" },
			"reasoning":     func(c *aftermath.Claim) { c.Reasoning = "" },
			"evidence":      func(c *aftermath.Claim) { c.Evidence = nil },
			"reviewer":      func(c *aftermath.Claim) { c.ReviewedBy = "" },
			"publish date":  func(c *aftermath.Claim) { c.PublishedDate = "" },
			"unreviewed":    func(c *aftermath.Claim) { c.Verdict, c.Reasoning = "", "" },
			"event ref":     func(c *aftermath.Claim) { c.Evidence = []aftermath.EvidenceLink{{Kind: "event", Ref: "12345"}} },
			"evidence kind": func(c *aftermath.Claim) { c.Evidence = []aftermath.EvidenceLink{{Kind: "rumour", Ref: "x"}} },
			"url":           func(c *aftermath.Claim) { c.AppearanceURL = "javascript:alert(1)" },
		} {
			c := *got
			mut(&c)
			if err := db.UpdateClaim(ctx, aftermath.System, &c); aftermath.ErrorCode(err) != aftermath.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
		// A draft may be unreviewed.
		draft := *got
		draft.Published, draft.PublishedDate, draft.Verdict, draft.Reasoning, draft.Evidence = false, "", "", "", nil
		if err := db.UpdateClaim(ctx, aftermath.System, &draft); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.Claims(ctx, aftermath.System, sqldb.ClaimFilter{PublishedOnly: true}); len(list) != 0 {
			t.Errorf("published claims after unpublishing: %d", len(list))
		}
		if list, _ := db.Claims(ctx, aftermath.System, sqldb.ClaimFilter{AuthorID: got.Author.ID}); len(list) != 1 {
			t.Errorf("claims by author: %d", len(list))
		}
		if err := db.DeleteClaim(ctx, aftermath.System, got.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteClaim(ctx, aftermath.System, got.ID); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("second delete: %v", err)
		}
	})
}

func TestLedgerAudience(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedger(t, db)
		hidden := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Secret Ministry"}, Date: "2012-05-05", Kind: "funding",
			Summary: "Fund a partner force quietly", InterventionIDs: []int64{f.iv.ID}, Citations: []aftermath.Citation{cite("summary", f.src.ID)}}
		if err := db.CreateDecision(ctx, aftermath.System, hidden); err != nil {
			t.Fatal(err)
		}
		if hidden.Audience != aftermath.AudienceInternal {
			t.Errorf("a new decision without an audience is %q, want internal", hidden.Audience)
		}
		// A second, internal decision by a public maker must not count in
		// that maker's public scorecard.
		internalUK := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "United Kingdom"}, Date: "2012-06-06", Kind: "training",
			Summary: "Train the partner army", InterventionIDs: []int64{f.iv.ID}}
		if err := db.CreateDecision(ctx, aftermath.System, internalUK); err != nil {
			t.Fatal(err)
		}
		anon := aftermath.Anonymous
		if _, err := db.Decision(ctx, anon, hidden.ID); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("anonymous reads an internal decision: %v", err)
		}
		list, _ := db.Decisions(ctx, anon, sqldb.DecisionFilter{})
		if len(list) != 1 || list[0].ID != f.decision.ID {
			t.Errorf("anonymous lists %d decisions", len(list))
		}
		if _, err := db.Actor(ctx, anon, hidden.Maker.ID); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("anonymous sees the maker of an internal decision only: %v", err)
		}
		if _, err := db.Actor(ctx, anon, f.decision.Maker.ID); err != nil {
			t.Errorf("anonymous cannot see the maker of a public decision: %v", err)
		}
		if _, err := db.Scorecard(ctx, anon, hidden.Maker.ID); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("scorecard of a hidden actor: %v", err)
		}
		sc, err := db.Scorecard(ctx, anon, f.decision.Maker.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Decisions.Count != 1 || sc.Decisions.IDs[0] != f.decision.ID {
			t.Errorf("anonymous scorecard counts %v", sc.Decisions)
		}
		if sys, _ := db.Scorecard(ctx, aftermath.System, f.decision.Maker.ID); sys.Decisions.Count != 2 {
			t.Errorf("system scorecard counts %v", sys.Decisions)
		}
		items, _ := db.LedgerTimeline(ctx, anon, sqldb.TimelineFilter{InterventionID: f.iv.ID})
		for _, it := range items {
			if it.Type == aftermath.TimelineDecision && it.ID != f.decision.ID {
				t.Errorf("anonymous timeline shows decision %d", it.ID)
			}
		}
		cs, _ := db.CitationsOfSource(ctx, anon, f.src.ID)
		for _, c := range cs {
			if c.RecordType == aftermath.RecordDecision && c.RecordID == hidden.ID {
				t.Error("anonymous sees a citation of an internal decision")
			}
		}
		if len(cs) == 0 {
			t.Error("anonymous sees no citation of the public records")
		}
		var buf bytes.Buffer
		if err := db.WriteDecisionsCSV(ctx, anon, &buf); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "quietly") || strings.Count(buf.String(), "\n") != 2 {
			t.Errorf("anonymous CSV:\n%s", buf.String())
		}

		// Members of the owning organisation see it; others do not.
		hash := "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA"
		u, err := db.CreateUser(ctx, sqldb.NewUser{Email: "a@example.org", Name: "A", PasswordHash: hash, OrgSlug: "org-a", Role: aftermath.RoleResearcher})
		if err != nil {
			t.Fatal(err)
		}
		o, err := db.CreateUser(ctx, sqldb.NewUser{Email: "b@example.org", Name: "B", PasswordHash: hash, OrgSlug: "org-b", Role: aftermath.RoleResearcher})
		if err != nil {
			t.Fatal(err)
		}
		hidden.Owner = "org-a"
		if err := db.UpdateDecision(ctx, aftermath.System, hidden); err != nil {
			t.Fatal(err)
		}
		va, _ := db.Viewer(ctx, u)
		vb, _ := db.Viewer(ctx, o)
		if _, err := db.Decision(ctx, va, hidden.ID); err != nil {
			t.Errorf("member of the owner: %v", err)
		}
		if _, err := db.Decision(ctx, vb, hidden.ID); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("member of another organisation: %v", err)
		}

		// A public recommendation of an internal inquiry stays hidden, and
		// so do its history and citations.
		if err := db.AddRecommendationStatus(ctx, aftermath.System, f.rec.ID, &aftermath.StatusChange{Status: aftermath.StatusNotImplemented, Date: "2020-01-01",
			JudgedBy: "Monitor", Criteria: "No plan published.", Citations: []aftermath.Citation{cite("", f.src.ID)}}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetAudience(ctx, aftermath.RecordInquiry, f.inquiry.ID, sqldb.Placement{Audience: aftermath.AudienceInternal}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Recommendation(ctx, anon, f.rec.ID); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("recommendation of an internal inquiry: %v", err)
		}
		cs, _ = db.CitationsOfSource(ctx, anon, f.src.ID)
		for _, c := range cs {
			switch c.RecordType {
			case aftermath.RecordInquiry, aftermath.RecordFinding, aftermath.RecordRecommendation, aftermath.RecordStatusChange:
				t.Errorf("anonymous sees citation %+v of an internal inquiry", c)
			}
		}
		sc, _ = db.Scorecard(ctx, anon, f.decision.Maker.ID)
		if sc.Recommendations.Count != 0 || sc.Inquiries.Count != 0 {
			t.Errorf("anonymous scorecard counts hidden recommendations %v or inquiries %v", sc.Recommendations, sc.Inquiries)
		}
		if _, err := db.Recommendation(ctx, va, f.rec.ID); err != nil {
			t.Errorf("member: %v", err)
		}
	})
}

func TestLedgerTimelineAndScorecard(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedger(t, db)
		if err := db.AddRecommendationStatus(ctx, aftermath.System, f.rec.ID, &aftermath.StatusChange{Status: aftermath.StatusNotImplemented, Date: "2019-01-01",
			JudgedBy: "Monitor", Criteria: "No plan was published by the deadline.", Citations: []aftermath.Citation{cite("", f.src.ID)}}); err != nil {
			t.Fatal(err)
		}
		// A second recommendation, superseded, and a third, implemented.
		var ids []int64
		for _, st := range []string{aftermath.StatusSuperseded, aftermath.StatusImplemented} {
			r := &aftermath.Recommendation{InquiryID: f.inquiry.ID, Addressee: aftermath.ActorRef{Name: "United Kingdom"}, Text: "Do " + st,
				Audience: aftermath.AudiencePublic}
			if err := db.CreateRecommendation(ctx, aftermath.System, r); err != nil {
				t.Fatal(err)
			}
			if err := db.AddRecommendationStatus(ctx, aftermath.System, r.ID, &aftermath.StatusChange{Status: st, Date: "2017-01-01", JudgedBy: "Monitor",
				Criteria: "Checked against the published policy.", Citations: []aftermath.Citation{cite("", f.src.ID)}}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		items, err := db.LedgerTimeline(ctx, aftermath.Anonymous, sqldb.TimelineFilter{InterventionID: f.iv.ID})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Date+" "+it.Type+" "+it.Status+it.Verdict)
		}
		want := []string{
			"2010-01-01 decision ",
			"2011-03-01 claim false",
			"2016-07-06 inquiry ",
			"2016-07-06 recommendation not-implemented",
			"2016-07-06 recommendation superseded",
			"2016-07-06 recommendation implemented",
			"2017-01-01 status superseded",
			"2017-01-01 status implemented",
			"2019-01-01 status not-implemented",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if items[3].ID != f.rec.ID || !items[3].Overdue || items[0].Actor != "United Kingdom" {
			t.Errorf("items: %+v %+v", items[3], items[0])
		}
		byActor, _ := db.LedgerTimeline(ctx, aftermath.Anonymous, sqldb.TimelineFilter{ActorID: f.decision.Maker.ID})
		if len(byActor) != len(items) {
			t.Errorf("actor timeline has %d items, intervention timeline %d", len(byActor), len(items))
		}
		body, _ := db.LedgerTimeline(ctx, aftermath.Anonymous, sqldb.TimelineFilter{ActorID: f.inquiry.Body.ID})
		if len(body) != 1 || body[0].Type != aftermath.TimelineInquiry {
			t.Errorf("the committee's timeline: %+v", body)
		}

		sc, err := db.Scorecard(ctx, aftermath.Anonymous, f.decision.Maker.ID)
		if err != nil {
			t.Fatal(err)
		}
		check := func(name string, fig aftermath.Figure, want ...int64) {
			t.Helper()
			if fig.Count != len(want) || jsonOf(fig.IDs) != jsonOf(append([]int64{}, want...)) {
				t.Errorf("%s: %+v, want ids %v", name, fig, want)
			}
		}
		check("decisions", sc.Decisions, f.decision.ID)
		check("interventions backed", sc.InterventionsBacked, f.iv.ID)
		check("inquiries", sc.Inquiries, f.inquiry.ID)
		check("recommendations", sc.Recommendations, f.rec.ID, ids[0], ids[1])
		check("not implemented", sc.NotImplemented, f.rec.ID)
		check("superseded", sc.Superseded, ids[0])
		check("implemented", sc.Implemented, ids[1])
		check("open", sc.Open)
		check("overdue", sc.Overdue, f.rec.ID)
		check("claims reviewed", sc.ClaimsReviewed, f.claim.ID)
		check("claims contradicted", sc.ClaimsContradicted, f.claim.ID)
		if sc.ShareImplemented == nil || *sc.ShareImplemented != 0.5 {
			t.Errorf("share implemented: %v, want 1 of 2 not superseded", sc.ShareImplemented)
		}
		if sc.ActorName != "United Kingdom" || sc.InterventionsBacked.RecordType != "intervention" {
			t.Errorf("scorecard: %s", jsonOf(sc))
		}
		committee, _ := db.Scorecard(ctx, aftermath.Anonymous, f.inquiry.Body.ID)
		if committee.ShareImplemented != nil || committee.Recommendations.Count != 0 || committee.Decisions.IDs == nil {
			t.Errorf("the committee's scorecard: %s", jsonOf(committee))
		}
	})
}

func TestLedgerCSVExports(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedger(t, db)
		for name, tc := range map[string]struct {
			write  func(context.Context, aftermath.Viewer, *bytes.Buffer) error
			header string
			rows   int
			cell   string
		}{
			"decisions": {func(ctx context.Context, v aftermath.Viewer, b *bytes.Buffer) error {
				return db.WriteDecisionsCSV(ctx, v, b)
			},
				"id,date,kind,maker_id,maker,reference", 1, "1500000 GBP first year"},
			"inquiries": {func(ctx context.Context, v aftermath.Viewer, b *bytes.Buffer) error {
				return db.WriteInquiriesCSV(ctx, v, b)
			},
				"id,date,type,body_id,body,title", 1, "title: HC 999, para. 1 (high)"},
			"findings": {func(ctx context.Context, v aftermath.Viewer, b *bytes.Buffer) error {
				return db.WriteFindingsCSV(ctx, v, b)
			},
				"inquiry_id,finding_id,number,location", 1, "Planning was inadequate."},
			"recommendations": {func(ctx context.Context, v aftermath.Viewer, b *bytes.Buffer) error {
				return db.WriteRecommendationsCSV(ctx, v, b)
			},
				"id,inquiry_id,number,addressee_id", 1, "event ucdp:12345; decision " + strings.TrimSpace(jsonOf(f.decision.ID))},
			"claims": {func(ctx context.Context, v aftermath.Viewer, b *bytes.Buffer) error {
				return db.WriteClaimsCSV(ctx, v, b)
			},
				"id,date,author_id,author,text", 1, "Test Monitor"},
		} {
			var buf bytes.Buffer
			if err := tc.write(ctx, aftermath.Anonymous, &buf); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !strings.HasPrefix(strings.Join(rows[0], ","), tc.header) || len(rows) != tc.rows+1 {
				t.Errorf("%s: header %v, %d rows", name, rows[0], len(rows)-1)
				continue
			}
			found := false
			for _, c := range rows[1] {
				found = found || c == tc.cell
			}
			if !found {
				t.Errorf("%s: no cell %q in %v", name, tc.cell, rows[1])
			}
		}
	})
}

// TestLedgerAuditLog: every change to a ledger record is in the audit log
// with who made it, in the change's transaction; a refused change leaves
// no entry; reading a confidential record is logged; nobody changes a
// record hidden from them.
func TestLedgerAuditLog(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedger(t, db)
		entries := func(recordType string, id int64, action string) []aftermath.AuditEntry {
			t.Helper()
			es, err := db.AuditEntries(ctx, aftermath.System, sqldb.AuditFilter{RecordType: recordType, RecordID: id, Action: action})
			if err != nil {
				t.Fatal(err)
			}
			return es
		}
		for rt, id := range map[string]int64{aftermath.RecordDecision: f.decision.ID, aftermath.RecordInquiry: f.inquiry.ID,
			aftermath.RecordRecommendation: f.rec.ID, aftermath.RecordClaim: f.claim.ID} {
			if es := entries(rt, id, aftermath.AuditCreate); len(es) != 1 || es[0].ActorID != 0 {
				t.Errorf("%s %d: create entries %+v", rt, id, es)
			}
		}
		hash := "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA"
		u, err := db.CreateUser(ctx, sqldb.NewUser{Email: "e@example.org", Name: "E", PasswordHash: hash, OrgSlug: "org-e", Role: aftermath.RoleEditor})
		if err != nil {
			t.Fatal(err)
		}
		editor, _ := db.Viewer(ctx, u)
		// The recommendation belongs to the editor's organisation (one
		// without an owner is changed by admins only).
		orgE, err := db.Organisation(ctx, "org-e")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetAudience(ctx, aftermath.RecordRecommendation, f.rec.ID, sqldb.Placement{Audience: aftermath.AudiencePublic, OwnerOrg: orgE.ID}); err != nil {
			t.Fatal(err)
		}
		sc := &aftermath.StatusChange{Status: aftermath.StatusNotImplemented, Date: "2020-01-01", JudgedBy: "E",
			Criteria: "No plan was published.", Citations: []aftermath.Citation{cite("", f.src.ID)}}
		if err := db.AddRecommendationStatus(ctx, editor, f.rec.ID, sc); err != nil {
			t.Fatal(err)
		}
		es := entries(aftermath.RecordRecommendation, f.rec.ID, aftermath.AuditUpdate)
		if len(es) != 1 || es[0].ActorID != u.ID || !strings.Contains(es[0].Detail, "not-implemented as of 2020-01-01") {
			t.Errorf("status change entry: %+v", es)
		}
		bad := *sc
		bad.Criteria = ""
		if err := db.AddRecommendationStatus(ctx, editor, f.rec.ID, &bad); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Fatal(err)
		}
		bad = *sc
		bad.Date = "2019-01-01" // refused inside the transaction
		if err := db.AddRecommendationStatus(ctx, editor, f.rec.ID, &bad); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Fatal(err)
		}
		if es := entries(aftermath.RecordRecommendation, f.rec.ID, aftermath.AuditUpdate); len(es) != 1 {
			t.Errorf("refused changes were logged: %+v", es)
		}

		// An internal decision of another organisation: hidden, so the
		// editor can neither change nor delete it.
		other := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "X"}, Date: "2012", Kind: "funding", Summary: "S", Owner: "org-a"}
		if _, err := db.CreateUser(ctx, sqldb.NewUser{Email: "a@example.org", Name: "A", PasswordHash: hash, OrgSlug: "org-a", Role: aftermath.RoleEditor}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateDecision(ctx, aftermath.System, other); err != nil {
			t.Fatal(err)
		}
		other.Summary = "changed"
		if err := db.UpdateDecision(ctx, editor, other); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("update of a hidden decision: %v", err)
		}
		if err := db.DeleteDecision(ctx, editor, other.ID); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("delete of a hidden decision: %v", err)
		}
		if err := db.DeleteDecision(ctx, aftermath.System, other.ID); err != nil {
			t.Fatal(err)
		}
		if es := entries(aftermath.RecordDecision, other.ID, aftermath.AuditDelete); len(es) != 1 {
			t.Errorf("delete entries: %+v", es)
		}

		// Reading a confidential claim is logged; reading a public one is not.
		if err := db.SetAudience(ctx, aftermath.RecordClaim, f.claim.ID, sqldb.Placement{Audience: aftermath.AudienceConfidential, Readers: []int64{u.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Claim(ctx, editor, f.claim.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Decision(ctx, editor, f.decision.ID); err != nil {
			t.Fatal(err)
		}
		if es := entries(aftermath.RecordClaim, f.claim.ID, aftermath.AuditReadConfidential); len(es) != 1 || es[0].ActorID != u.ID {
			t.Errorf("confidential read entries: %+v", es)
		}
		if es := entries(aftermath.RecordDecision, f.decision.ID, aftermath.AuditReadConfidential); len(es) != 0 {
			t.Errorf("a public read was logged: %+v", es)
		}
		rep, err := db.AuditVerify(ctx)
		if err != nil || rep.Break != nil {
			t.Errorf("audit chain: %+v %v", rep, err)
		}
	})
}

// TestLedgerWritesRespectWhatTheWriterMaySee: naming an actor by id or
// name does not reach one the writer may not see, and records are filed
// under the writer's own organisation only.
func TestLedgerWritesRespectWhatTheWriterMaySee(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedger(t, db)
		viewer := func(email, org string) aftermath.Viewer {
			u, err := db.CreateUser(ctx, sqldb.NewUser{Email: email, Name: email, PasswordHash: "$argon2id$test", OrgSlug: org, Role: aftermath.RoleResearcher})
			if err != nil {
				t.Fatal(err)
			}
			v, _ := db.Viewer(ctx, u)
			return v
		}
		viewer("a@example.org", "org-a")
		b := viewer("b@example.org", "org-b")
		hidden := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Secret Ministry"}, Date: "2012-05-05", Kind: "funding",
			Summary: "Fund a partner force quietly", InterventionIDs: []int64{f.iv.ID}, Owner: "org-a"}
		if err := db.CreateDecision(ctx, aftermath.System, hidden); err != nil {
			t.Fatal(err)
		}
		byID := &aftermath.Decision{Maker: aftermath.ActorRef{ID: hidden.Maker.ID}, Date: "2013-01-01", Kind: "funding", Summary: "x", Owner: "org-b"}
		if err := db.CreateDecision(ctx, b, byID); aftermath.ErrorCode(err) != aftermath.EINVALID || strings.Contains(err.Error(), "Secret") {
			t.Errorf("naming a hidden actor by id: %v", err)
		}
		byName := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Secret Ministry"}, Date: "2013-01-01", Kind: "funding", Summary: "y", Owner: "org-b"}
		if err := db.CreateDecision(ctx, b, byName); err != nil || byName.Maker.ID == hidden.Maker.ID {
			t.Errorf("naming a hidden actor by name linked to it (%d) or failed: %v", byName.Maker.ID, err)
		}
		// A's internal source and intervention are as missing to B as ones
		// that do not exist.
		orgA, _ := db.Organisation(ctx, "org-a")
		src := &aftermath.Source{Title: "A's memo", Audience: aftermath.AudienceInternal}
		if err := db.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		if err := db.SetAudience(ctx, "source", src.ID, sqldb.Placement{Audience: aftermath.AudienceInternal, OwnerOrg: orgA.ID}); err != nil {
			t.Fatal(err)
		}
		iv := &aftermath.Intervention{Slug: "a-only", Name: "A only", Audience: aftermath.AudienceInternal, Owner: "org-a",
			Area: []aftermath.AreaRef{{Country: "MLI"}}, Phases: []aftermath.Phase{{Start: "2020-01-01"}}}
		if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
			t.Fatal(err)
		}
		citing := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Ministry B"}, Date: "2013-01-01", Kind: "funding", Summary: "c", Owner: "org-b",
			Citations: []aftermath.Citation{cite("summary", src.ID)}}
		if err := db.CreateDecision(ctx, b, citing); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("citing another organisation's internal source: %v", err)
		}
		linking := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Ministry B"}, Date: "2013-01-01", Kind: "funding", Summary: "l", Owner: "org-b",
			InterventionIDs: []int64{iv.ID}}
		if err := db.CreateDecision(ctx, b, linking); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("linking another organisation's internal intervention: %v", err)
		}
		elsewhere := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "United Kingdom"}, Date: "2013-01-01", Kind: "funding", Summary: "z", Owner: "org-a"}
		if err := db.CreateDecision(ctx, b, elsewhere); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
			t.Errorf("filing under another organisation: %v", err)
		}
	})
}

// TestLedgerPublishingAndInquiriesAreTheirOwners: the store, not a
// handler, decides that making a record public takes an editor or admin
// of its organisation, and that a recommendation goes under an inquiry
// only by that inquiry's own writers.
func TestLedgerPublishingAndInquiriesAreTheirOwners(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		viewer := func(email, org, role string) aftermath.Viewer {
			u, err := db.CreateUser(ctx, sqldb.NewUser{Email: email, Name: email, PasswordHash: "$argon2id$test", OrgSlug: org, Role: role})
			if err != nil {
				t.Fatal(err)
			}
			v, _ := db.Viewer(ctx, u)
			return v
		}
		researcher := viewer("r@example.org", "org-a", aftermath.RoleResearcher)
		editor := viewer("e@example.org", "org-a", aftermath.RoleEditor)
		other := viewer("o@example.org", "org-b", aftermath.RoleEditor)
		d := func(a aftermath.Audience) *aftermath.Decision {
			return &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Ministry"}, Date: "2013-01-01", Kind: "funding", Summary: "s", Audience: a}
		}
		if err := db.CreateDecision(ctx, researcher, d(aftermath.AudiencePublic)); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
			t.Errorf("a researcher publishing a decision: %v, want EFORBIDDEN", err)
		}
		internal := d(aftermath.AudienceInternal)
		if err := db.CreateDecision(ctx, researcher, internal); err != nil {
			t.Fatalf("a researcher's internal decision: %v", err)
		}
		internal.Audience = aftermath.AudiencePublic
		if err := db.UpdateDecision(ctx, researcher, internal); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
			t.Errorf("a researcher making their decision public: %v, want EFORBIDDEN", err)
		}
		if err := db.UpdateDecision(ctx, editor, internal); err != nil {
			t.Errorf("an editor of its organisation publishing it: %v", err)
		}
		q := &aftermath.Inquiry{Body: aftermath.ActorRef{Name: "Parliament committee", Kind: aftermath.KindOrganisation}, Type: "parliamentary-inquiry",
			Title: "Review", Date: "2014-01-01", Audience: aftermath.AudiencePublic}
		if err := db.CreateInquiry(ctx, editor, q); err != nil {
			t.Fatal(err)
		}
		rec := func() *aftermath.Recommendation {
			return &aftermath.Recommendation{InquiryID: q.ID, Number: "1", Addressee: aftermath.ActorRef{Name: "Ministry"}, Text: "Stop"}
		}
		if err := db.CreateRecommendation(ctx, other, rec()); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
			t.Errorf("another organisation's editor adding a recommendation to a public inquiry: %v, want EFORBIDDEN", err)
		}
		if err := db.CreateRecommendation(ctx, researcher, rec()); err != nil {
			t.Errorf("the inquiry's own researcher adding one: %v", err)
		}
	})
}
