package sqldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// notRecords are the tables whose changes leave the records generation
// alone, and why; every other table raises it (migration 0025). A new
// table must be put in one place or the other.
var notRecords = map[string]string{
	"events": "imports: the import generation", "event_actors": "imports", "event_extra_layouts": "imports", "event_extra_columns": "imports",
	"monthly_aggregates": "imports", "actor_monthly_aggregates": "imports", "places": "imports", "imports": "imports",
	"datasets": "imports", "dataset_versions": "imports",
	"aid_activities": "IATI imports", "aid_activity_countries": "IATI imports", "aid_activity_sectors": "IATI imports", "aid_files": "IATI imports",
	"aid_participants": "IATI imports", "aid_policy_markers": "IATI imports", "aid_transactions": "IATI imports", "iati_codes": "IATI imports",
	"arms_deals": "SIPRI imports", "arms_deliveries": "SIPRI imports", "arms_registers": "SIPRI imports",
	"users": "written at every sign-in; the viewer is in every key", "memberships": "the viewer", "sessions": "sign-ins", "api_tokens": "sign-ins",
	"recovery_codes": "sign-ins", "setup_tokens": "sign-ins",
	"testimonies": "never kept", "testimony_actors": "never kept", "testimony_attachments": "never kept", "testimony_identities": "never kept",
	"testimony_interventions": "never kept", "testimony_places": "never kept", "testimony_reviews": "never kept", "testimony_themes": "never kept",
	"themes": "never kept", "data_keys": "never read by pages",
	"consultations": "never kept", "consultation_invitations": "never kept", "consultation_responses": "never kept",
	"jobs": "queue", "audit_log": "append-only log", "search_docs": "the search index", "search_stale": "the search index",
	"search_state": "the search index", "cache_generation": "a generation", "records_generation": "the generation itself",
	"schema_migrations": "migrations",
}

// TestEveryTableIsFollowedOrNamed: the tables the records generation
// follows are all the others, so that a page kept under it never shows a
// record as it was before a change.
func TestEveryTableIsFollowedOrNamed(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		schema, err := db.Schema(ctx)
		if err != nil {
			t.Fatal(err)
		}
		triggered, err := db.RecordsTriggered(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for name := range schema {
			if strings.HasPrefix(name, "search_fts") { // SQLite's full-text index and its own tables
				continue
			}
			if _, named := notRecords[name]; named == triggered[name] {
				t.Errorf("table %s: raises the records generation %v, named as not raising it %v", name, triggered[name], named)
			}
		}
		for name := range notRecords {
			if _, ok := schema[name]; !ok {
				t.Errorf("notRecords names %s, which is no table", name)
			}
		}
	})
}

// TestRecordsGenerationRisesWithTheChange: a write through the store
// raises the number, a read does not, and on PostgreSQL the number moves
// only when the change commits, while a long transaction writing records
// (an import's actors) does not hold other writers back.
func TestRecordsGenerationRisesWithTheChange(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		gen := func() int64 {
			t.Helper()
			n, err := db.RecordsGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		g0 := gen()
		src := &aftermath.Source{Title: "Resolution 2100 (2013)", Audience: aftermath.AudiencePublic}
		if err := db.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		g1 := gen()
		if g1 <= g0 {
			t.Fatalf("a new source left the generation at %d", g1)
		}
		if _, err := db.Sources(ctx, aftermath.System); err != nil {
			t.Fatal(err)
		}
		d := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Council of the European Union", Kind: "organisation"}, Date: "2013-02-18",
			Kind: "training", Summary: "EUTM Mali launched", Audience: aftermath.AudiencePublic}
		if err := db.CreateDecision(ctx, aftermath.System, d); err != nil {
			t.Fatal(err)
		}
		g2 := gen()
		if g2 <= g1 {
			t.Fatalf("a new decision left the generation at %d", g2)
		}
		if db.Driver != sqldb.Postgres {
			return
		}
		tx, err := db.BeginWrite(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `INSERT INTO actors (name, kind) VALUES ('Wagner Group', 'group')`); err != nil {
			t.Fatal(err)
		}
		if gen() != g2 {
			t.Error("the generation moved before the change committed")
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		d2 := &aftermath.Decision{Maker: d.Maker, Date: "2014-04-15", Kind: "training", Summary: "EUTM Mali extended", Audience: aftermath.AudiencePublic}
		if err := db.CreateDecision(wctx, aftermath.System, d2); err != nil {
			t.Fatalf("a decision written while another transaction writes actors: %v", err)
		}
		g3 := gen()
		if g3 <= g2 {
			t.Errorf("the decision left the generation at %d", g3)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if g4 := gen(); g4 != g3+1 {
			t.Errorf("the transaction's commit moved the generation from %d to %d, want once", g3, g4)
		}
	})
}
