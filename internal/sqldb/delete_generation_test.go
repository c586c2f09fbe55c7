package sqldb_test

import (
	"context"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestDeletingAPublicRecordRaisesTheGeneration: every serve process drops
// its cached public pages when the audience generation moves
// (AudienceGeneration); deleting a record anonymous visitors can see —
// an intervention, a ledger record, a testimony — moves it, in the
// delete's transaction.
func TestDeletingAPublicRecordRaisesTheGeneration(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedger(t, db)
		w := newVoices(t, db)
		tid := w.create(t, "contributor", w.input("Ce que j'ai vu au marché."))
		w.approve(t, tid, aftermath.AudiencePublic)
		deletes := []struct {
			what string
			del  func() error
		}{
			{"claim", func() error { return db.DeleteClaim(ctx, aftermath.System, f.claim.ID) }},
			{"recommendation", func() error { return db.DeleteRecommendation(ctx, aftermath.System, f.rec.ID) }},
			{"inquiry", func() error { return db.DeleteInquiry(ctx, aftermath.System, f.inquiry.ID) }},
			{"decision", func() error { return db.DeleteDecision(ctx, aftermath.System, f.decision.ID) }},
			{"intervention", func() error { return db.DeleteIntervention(ctx, aftermath.System, f.iv.ID) }},
			{"testimony", func() error { return db.DeleteTestimony(ctx, w.v["admin"], tid) }},
		}
		for _, d := range deletes {
			before, err := db.AudienceGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.del(); err != nil {
				t.Fatalf("delete the public %s: %v", d.what, err)
			}
			if after, _ := db.AudienceGeneration(ctx); after <= before {
				t.Errorf("deleting the public %s left the audience generation at %d", d.what, after)
			}
		}
	})
}
