package web_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
)

// TestDeletedRecordLeavesEveryCache: a public record deleted through one
// serve process's database connection leaves the cached pages of every
// serve process at once (the delete raises the audience generation, as a
// narrowed audience does: TestNarrowedAudienceLeavesEveryCache), rather
// than being served for up to two cache lifetimes after it is gone.
func TestDeletedRecordLeavesEveryCache(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			db1, _, servers := twoServers(t, driver)
			iv := &aftermath.Intervention{Audience: aftermath.AudiencePublic, Slug: "deleted-mission", Name: "Deleted mission",
				Backers: []aftermath.InterventionActor{{Name: "United Nations"}}, Instruments: []string{"troops"},
				Area: []aftermath.AreaRef{{Country: "MLI"}}, Phases: []aftermath.Phase{{Name: "Mandate", Start: "2023-02-01"}}}
			if err := db1.CreateIntervention(ctx, aftermath.System, iv); err != nil {
				t.Fatal(err)
			}
			d := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Ministry", Kind: aftermath.KindState}, Date: "2013-01-01", Kind: "funding",
				Summary: "A deleted decision", Audience: aftermath.AudiencePublic}
			if err := db1.CreateDecision(ctx, aftermath.System, d); err != nil {
				t.Fatal(err)
			}
			q := &aftermath.Inquiry{Body: aftermath.ActorRef{Name: "Review Board", Kind: aftermath.KindOrganisation}, Type: "un-panel",
				Title: "A deleted inquiry", Date: "2016-07-06", Audience: aftermath.AudiencePublic}
			if err := db1.CreateInquiry(ctx, aftermath.System, q); err != nil {
				t.Fatal(err)
			}
			q2 := &aftermath.Inquiry{Body: aftermath.ActorRef{Name: "Review Board", Kind: aftermath.KindOrganisation}, Type: "un-panel",
				Title: "A kept inquiry", Date: "2016-07-06", Audience: aftermath.AudiencePublic}
			if err := db1.CreateInquiry(ctx, aftermath.System, q2); err != nil {
				t.Fatal(err)
			}
			r := &aftermath.Recommendation{InquiryID: q2.ID, Number: "R1", Addressee: aftermath.ActorRef{Name: "Ministry"},
				Text: "A deleted recommendation", Audience: aftermath.AudiencePublic}
			if err := db1.CreateRecommendation(ctx, aftermath.System, r); err != nil {
				t.Fatal(err)
			}
			id := func(n int64) string { return strconv.FormatInt(n, 10) }
			pages := map[string]func() error{
				"/interventions/deleted-mission": func() error { return db1.DeleteIntervention(ctx, aftermath.System, iv.ID) },
				"/decisions/" + id(d.ID):         func() error { return db1.DeleteDecision(ctx, aftermath.System, d.ID) },
				"/inquiries/" + id(q.ID):         func() error { return db1.DeleteInquiry(ctx, aftermath.System, q.ID) },
				"/recommendations/" + id(r.ID):   func() error { return db1.DeleteRecommendation(ctx, aftermath.System, r.ID) },
			}
			for page, del := range pages {
				for i, h := range servers {
					for range 2 {
						getAs(h, page, "")
					}
					if rec := getAs(h, page, ""); rec.Code != http.StatusOK || rec.Header().Get("X-Cache") != "hit" {
						t.Fatalf("server %d, %s before: %d, X-Cache %q", i+1, page, rec.Code, rec.Header().Get("X-Cache"))
					}
				}
				if err := del(); err != nil {
					t.Fatal(err)
				}
				for i, h := range servers {
					if rec := getAs(h, page, ""); rec.Code != http.StatusNotFound {
						t.Errorf("server %d, %s after the record was deleted: %d (X-Cache %q), want 404", i+1, page, rec.Code, rec.Header().Get("X-Cache"))
					}
				}
			}
		})
	}
}
