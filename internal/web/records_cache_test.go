package web_test

import (
	"context"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
)

// TestSignedInHomeFollowsRecordsWrittenElsewhere: the home, ledger and
// interventions pages keep what they list of the records
// (records_cache.go) only while nothing changed them. A decision and an intervention written straight into
// the database, as the command line does, reach the signed-in home page
// of both serve processes at once; another organisation's internal
// decision never reaches the member, kept or not.
func TestSignedInHomeFollowsRecordsWrittenElsewhere(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			db1, db2, servers := twoServers(t, driver)
			member, _ := signIn(t, db1, "member-records@example.org", aftermath.RoleResearcher)
			sys := aftermath.System
			maker := aftermath.ActorRef{Name: "Council of the European Union", Kind: "organisation"}
			first := &aftermath.Decision{Maker: maker, Date: "2013-02-18", Kind: "training", Summary: "EUTM Mali launched", Audience: aftermath.AudiencePublic}
			if err := db2.CreateDecision(ctx, sys, first); err != nil {
				t.Fatal(err)
			}
			iv := &aftermath.Intervention{Audience: aftermath.AudiencePublic, Slug: "eutm-mali", Name: "EUTM Mali", Area: []aftermath.AreaRef{{Country: "MLI"}},
				Phases: []aftermath.Phase{{Name: "Mandate", Start: "2013-02-18", End: "2024-05-18"}}}
			if err := db2.CreateIntervention(ctx, sys, iv); err != nil {
				t.Fatal(err)
			}
			src, rec := openRecommendation(t, db2)
			page := func(i int, path string) string {
				t.Helper()
				rec := getAs(servers[i], path, member)
				if rec.Code != 200 {
					t.Fatalf("server %d, %s: %d", i+1, path, rec.Code)
				}
				return rec.Body.String()
			}
			home := func(i int) string { return page(i, "/") }
			// The ledger's and the interventions' own pages keep their
			// lists the same way.
			for i := range servers {
				for range 2 {
					if b := page(i, "/ledger"); !strings.Contains(b, "Vet every unit trained.") || strings.Contains(b, "Implemented") {
						t.Fatalf("server %d: the ledger page lacks the open recommendation", i+1)
					}
					page(i, "/interventions")
				}
			}
			for i := range servers {
				for range 2 { // the second read comes from memory
					if b := home(i); !strings.Contains(b, "EUTM Mali launched") || !strings.Contains(b, ">EUTM Mali<") {
						t.Fatalf("server %d: the home page lacks the decision or the intervention", i+1)
					}
				}
			}
			// A judgement of the recommendation moves the records
			// generation only (no audience changes).
			judgeImplemented(t, db2, src, rec)
			for i := range servers {
				if b := home(i); !strings.Contains(b, "Status change") || !strings.Contains(b, "Implemented") {
					t.Errorf("server %d: the judgement written elsewhere is not on the home page", i+1)
				}
				if b := page(i, "/ledger"); !strings.Contains(b, "Implemented") {
					t.Errorf("server %d: the judgement written elsewhere is not on the ledger page", i+1)
				}
			}
			// Written by neither server: a later decision, the
			// intervention renamed, and another organisation's internal
			// decision.
			later := &aftermath.Decision{Maker: maker, Date: "2024-05-18", Kind: "training", Summary: "EUTM Mali ended", Audience: aftermath.AudiencePublic}
			if err := db2.CreateDecision(ctx, sys, later); err != nil {
				t.Fatal(err)
			}
			iv.Name = "EU Training Mission in Mali"
			if err := db2.UpdateIntervention(ctx, sys, iv); err != nil {
				t.Fatal(err)
			}
			if _, err := db2.CreateUser(ctx, sqldb.NewUser{Email: "other-records@example.org", Name: "Other", PasswordHash: "$argon2id$test", OrgSlug: "elsewhere", Role: aftermath.RoleEditor}); err != nil {
				t.Fatal(err)
			}
			hidden := &aftermath.Decision{Maker: maker, Date: "2024-06-01", Kind: "training", Summary: "SENTINELHIDDEN", Audience: aftermath.AudienceInternal, Owner: "elsewhere"}
			if err := db2.CreateDecision(ctx, sys, hidden); err != nil {
				t.Fatal(err)
			}
			for i := range servers {
				b := home(i)
				if !strings.Contains(b, "EUTM Mali ended") {
					t.Errorf("server %d: the decision written elsewhere is not on the home page", i+1)
				}
				if !strings.Contains(b, ">EU Training Mission in Mali<") || strings.Contains(b, ">EUTM Mali<") {
					t.Errorf("server %d: the home page shows the intervention under its old name", i+1)
				}
				if strings.Contains(b, "SENTINELHIDDEN") {
					t.Errorf("server %d: the member sees another organisation's internal decision", i+1)
				}
				if b := page(i, "/interventions"); !strings.Contains(b, "EU Training Mission in Mali") {
					t.Errorf("server %d: the interventions page shows the intervention under its old name", i+1)
				}
				if b := page(i, "/ledger"); !strings.Contains(b, "EUTM Mali ended") || strings.Contains(b, "SENTINELHIDDEN") {
					t.Errorf("server %d: the ledger page lacks the decision written elsewhere, or shows another organisation's", i+1)
				}
			}
		})
	}
}

// TestSignedInSearchFollowsRecordsWrittenElsewhere: a page of search
// results is kept per viewer and query (records_cache.go) only while the
// search generation holds. A decision written, rewritten and deleted
// straight into the database, as the command line does, shows on both
// servers' search as it now is; another organisation's internal decision
// with the same word never does.
func TestSignedInSearchFollowsRecordsWrittenElsewhere(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			ctx, sys := context.Background(), aftermath.System
			db1, db2, servers := twoServers(t, driver)
			member, _ := signIn(t, db1, "member-search@example.org", aftermath.RoleResearcher)
			maker := aftermath.ActorRef{Name: "Council of the European Union", Kind: "organisation"}
			d := &aftermath.Decision{Maker: maker, Date: "2013-02-18", Kind: "training", Summary: "Mission to Koulikoro launched", Audience: aftermath.AudiencePublic}
			if err := db2.CreateDecision(ctx, sys, d); err != nil {
				t.Fatal(err)
			}
			search := func(i int) string {
				t.Helper()
				rec := getAs(servers[i], "/search?q=Koulikoro", member)
				if rec.Code != 200 {
					t.Fatalf("server %d: search: %d", i+1, rec.Code)
				}
				return rec.Body.String()
			}
			for i := range servers {
				for range 2 { // the second from memory
					if b := search(i); !strings.Contains(b, "Mission to Koulikoro launched") {
						t.Fatalf("server %d: the search does not find the decision", i+1)
					}
				}
			}
			d.Summary = "Mission to Koulikoro ended"
			if err := db2.UpdateDecision(ctx, sys, d); err != nil {
				t.Fatal(err)
			}
			if _, err := db2.CreateUser(ctx, sqldb.NewUser{Email: "other-search@example.org", Name: "Other", PasswordHash: "$argon2id$test", OrgSlug: "elsewhere", Role: aftermath.RoleEditor}); err != nil {
				t.Fatal(err)
			}
			hidden := &aftermath.Decision{Maker: maker, Date: "2024-06-01", Kind: "training", Summary: "Koulikoro SENTINELHIDDEN", Audience: aftermath.AudienceInternal, Owner: "elsewhere"}
			if err := db2.CreateDecision(ctx, sys, hidden); err != nil {
				t.Fatal(err)
			}
			for i := range servers {
				b := search(i)
				if !strings.Contains(b, "Mission to Koulikoro ended") || strings.Contains(b, "Mission to Koulikoro launched") {
					t.Errorf("server %d: the search shows the decision as it was", i+1)
				}
				if strings.Contains(b, "SENTINELHIDDEN") {
					t.Errorf("server %d: the member finds another organisation's internal decision", i+1)
				}
			}
			if err := db2.DeleteDecision(ctx, sys, d.ID); err != nil {
				t.Fatal(err)
			}
			for i := range servers {
				if b := search(i); strings.Contains(b, "Mission to Koulikoro") {
					t.Errorf("server %d: the search still finds the deleted decision", i+1)
				}
			}
		})
	}
}

// TestPublicPagesFollowRecordsWrittenElsewhere: a cached public page is
// dropped on every server as soon as a record it lists changes, though
// the change (a recommendation judged, straight into the database, as the
// command line does it) tells no server and moves no audience.
func TestPublicPagesFollowRecordsWrittenElsewhere(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			db1, db2, servers := twoServers(t, driver)
			src, rec := openRecommendation(t, db1)
			for i, h := range servers {
				for n := range 2 {
					r := getAs(h, "/ledger", "")
					if r.Code != 200 || !strings.Contains(r.Body.String(), "Vet every unit trained.") || strings.Contains(r.Body.String(), "Implemented") {
						t.Fatalf("server %d: the public ledger page lacks the open recommendation", i+1)
					}
					if n == 1 && r.Header().Get("X-Cache") != "hit" {
						t.Fatalf("server %d: the second public read was not from the cache (X-Cache %q)", i+1, r.Header().Get("X-Cache"))
					}
				}
			}
			audience, _ := db2.AudienceGeneration(ctx)
			judgeImplemented(t, db2, src, rec)
			if now, _ := db2.AudienceGeneration(ctx); now != audience {
				t.Fatalf("the judgement moved the audience generation (%d to %d): the test would not show the records generation at work", audience, now)
			}
			for i, h := range servers {
				if r := getAs(h, "/ledger", ""); !strings.Contains(r.Body.String(), "Implemented") {
					t.Errorf("server %d: the public ledger page still shows the recommendation open (X-Cache %q)", i+1, r.Header().Get("X-Cache"))
				}
			}
		})
	}
}

// openRecommendation stores a public inquiry with one open recommendation
// citing a public source.
func openRecommendation(t *testing.T, db *sqldb.DB) (*aftermath.Source, *aftermath.Recommendation) {
	t.Helper()
	ctx, sys := context.Background(), aftermath.System
	src := &aftermath.Source{Title: "Report of the committee", Audience: aftermath.AudiencePublic}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	q := &aftermath.Inquiry{Body: aftermath.ActorRef{Name: "Parliament committee", Kind: aftermath.KindOrganisation}, Type: "parliamentary-inquiry",
		Title: "Review of the training mission", Date: "2022-01-01", Audience: aftermath.AudiencePublic}
	if err := db.CreateInquiry(ctx, sys, q); err != nil {
		t.Fatal(err)
	}
	rec := &aftermath.Recommendation{InquiryID: q.ID, Addressee: aftermath.ActorRef{Name: "Council of the European Union"}, Text: "Vet every unit trained.",
		Citations: []aftermath.Citation{{Field: "text", SourceID: src.ID, Confidence: "high"}}, Audience: aftermath.AudiencePublic}
	if err := db.CreateRecommendation(ctx, sys, rec); err != nil {
		t.Fatal(err)
	}
	return src, rec
}

// judgeImplemented records the recommendation as implemented, citing src.
func judgeImplemented(t *testing.T, db *sqldb.DB, src *aftermath.Source, rec *aftermath.Recommendation) {
	t.Helper()
	if err := db.AddRecommendationStatus(context.Background(), aftermath.System, rec.ID, &aftermath.StatusChange{Status: aftermath.StatusImplemented,
		Date: "2023-01-01", JudgedBy: "Monitor", Criteria: "Vetting records published.",
		Citations: []aftermath.Citation{{Field: "status", SourceID: src.ID, Confidence: "high"}}}); err != nil {
		t.Fatal(err)
	}
}
