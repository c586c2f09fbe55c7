package sqldb_test

import (
	"context"
	"slices"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// importExplorerFixtures loads the UCDP and ACLED test files the events
// explorer's tests read: Mali and Somalia in GED, Mali in the HDX export.
func importExplorerFixtures(t *testing.T, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	for _, f := range []struct{ dataset, path string }{
		{aftermath.DatasetUCDP, "../importer/testdata/GEDEvent_v23_1.csv"},
		{aftermath.DatasetACLED, "../ingest/acled/testdata/hdx_2024-06-30.csv"},
	} {
		// ACLED is internal by default (its terms); public here, as an
		// instance with a licence to publish it would place it.
		place := &sqldb.Placement{Audience: aftermath.AudiencePublic}
		if _, err := importer.Import(ctx, db, f.path, importer.Options{Dataset: f.dataset, Place: place}); err != nil {
			t.Fatal(err)
		}
	}
}

func eventIDs(t *testing.T, db *sqldb.DB, f aftermath.EventFilter) []string {
	t.Helper()
	evs, err := db.Events(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Dataset+":"+e.NativeID)
	}
	slices.Sort(out)
	return out
}

func TestEventsCountryByCodeOrNameInAnyLanguageAndCase(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		importExplorerFixtures(t, db)
		ctx := context.Background()
		want := eventIDs(t, db, aftermath.EventFilter{Country: "Mali"})
		if len(want) < 4 || !slices.Contains(want, "ucdp:1001") || !slices.Contains(want, "acled:MLI91001") {
			t.Fatalf("Mali: %v", want)
		}
		for _, c := range []string{"mali", "MALI", "MLI", "mli", "مالي", " Mali "} {
			if got := eventIDs(t, db, aftermath.EventFilter{Country: c}); !slices.Equal(got, want) {
				t.Errorf("country %q: %v, want %v", c, got, want)
			}
			n, exact, err := db.CountEvents(ctx, aftermath.EventFilter{Country: c}, 0)
			if err != nil || !exact || n != int64(len(want)) {
				t.Errorf("count of country %q: %d %v %v, want %d", c, n, exact, err, len(want))
			}
		}
		som := eventIDs(t, db, aftermath.EventFilter{Country: "Somalia"})
		for _, c := range []string{"Somalie", "somalie", "الصومال", "SOM"} {
			if got := eventIDs(t, db, aftermath.EventFilter{Country: c}); len(som) == 0 || !slices.Equal(got, som) {
				t.Errorf("country %q: %v, want %v", c, got, som)
			}
		}
		if got := eventIDs(t, db, aftermath.EventFilter{Country: "Atlantis"}); len(got) != 0 {
			t.Errorf("Atlantis: %v", got)
		}
	})
}

func TestEventsActorBySideAndPartOfName(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		importExplorerFixtures(t, db)
		for _, c := range []struct {
			actor, side string
			want        []string
		}{
			{"jnim", "", []string{"acled:MLI91001", "ucdp:1001", "ucdp:1002", "ucdp:1003"}},
			{"JNIM", aftermath.ActorSideA, []string{"ucdp:1002"}},
			{"jnim", aftermath.ActorSideB, []string{"acled:MLI91001", "ucdp:1001", "ucdp:1003"}},
			{"government of mali", "", []string{"ucdp:1001"}},
			{"50%", "", nil}, // a LIKE wildcard typed is a character, not "anything"
		} {
			if got := eventIDs(t, db, aftermath.EventFilter{Actor: c.actor, ActorSide: c.side}); !slices.Equal(got, c.want) {
				t.Errorf("actor %q side %q: %v, want %v", c.actor, c.side, got, c.want)
			}
		}
	})
}

func TestEventsListSidesAndSources(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		importExplorerFixtures(t, db)
		ctx := context.Background()
		evs, err := db.Events(ctx, aftermath.EventFilter{Country: "Mali"})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]aftermath.Event{}
		for _, e := range evs {
			got[e.NativeID] = e
		}
		u, a := got["1001"], got["MLI91001"]
		if len(u.Actors) != 2 || u.Actors[0] != (aftermath.EventActor{Role: aftermath.RoleSideA, Name: "Government of Mali"}) ||
			u.Actors[1].Name != "JNIM" || u.Actors[1].Role != aftermath.RoleSideB {
			t.Errorf("UCDP sides: %+v", u.Actors)
		}
		if u.SourceText == "" || u.WherePrecision != 2 || u.DatePrecision != 1 || u.CountryGW != 432 {
			t.Errorf("UCDP source and precision: %q %d %d %d", u.SourceText, u.WherePrecision, u.DatePrecision, u.CountryGW)
		}
		if len(a.Actors) != 2 || a.Actors[0].Role != aftermath.RoleActor1 || a.Actors[0].Name != "Military Forces of Mali (2021-)" ||
			a.Actors[1].Role != aftermath.RoleActor2 || a.SourceText != "Local Source" || a.Notes == "" || a.WherePrecision != 1 {
			t.Errorf("ACLED sides and source: %+v %q %q %d", a.Actors, a.SourceText, a.Notes, a.WherePrecision)
		}

		full, err := db.EventByID(ctx, aftermath.Anonymous, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if full.RelID != "MLI-2023-1-1-1" || full.ConflictName != "Mali: Government" || full.Extra["active_year"] != "1" || len(full.Actors) != 2 ||
			full.Actors[0].ExternalID != "94" {
			t.Errorf("UCDP event %d: %+v", u.ID, full)
		}
		fa, err := db.EventByID(ctx, aftermath.Anonymous, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fa.Extra["source_scale"] == "" || fa.SubEventType != "Armed clash" || !slices.ContainsFunc(fa.Actors, func(x aftermath.EventActor) bool {
			return x.Role == aftermath.RoleAssoc1 && x.Name == "Wagner Group"
		}) {
			t.Errorf("ACLED event: %+v", fa)
		}
		if _, err := db.EventByID(ctx, aftermath.Anonymous, 999999); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("missing event: %v", err)
		}
	})
}

func TestEventByIDHidesEventsOfHiddenDatasets(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := db.CreateUser(ctx, sqldb.NewUser{Email: "r@example.org", Name: "r", PasswordHash: "$argon2id$test", OrgSlug: "owner", Role: aftermath.RoleResearcher}); err != nil {
			t.Fatal(err)
		}
		org, err := db.Organisation(ctx, "owner")
		if err != nil {
			t.Fatal(err)
		}
		place := &sqldb.Placement{Audience: aftermath.AudienceInternal, OwnerOrg: org.ID}
		if _, err := importer.Import(ctx, db, "../importer/testdata/GEDEvent_v23_1.csv", importer.Options{Dataset: aftermath.DatasetUCDP, Place: place}); err != nil {
			t.Fatal(err)
		}
		e, err := db.Event(ctx, aftermath.System, aftermath.DatasetUCDP, "1001")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.EventByID(ctx, aftermath.Anonymous, e.ID); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("an anonymous visitor reads an internal event: %v", err)
		}
		if _, err := db.EventByID(ctx, aftermath.Viewer{Orgs: []int64{org.ID}}, e.ID); err != nil {
			t.Errorf("a member cannot read it: %v", err)
		}
	})
}

func TestCountryCountsExactOrOverTheMostRecent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		importExplorerFixtures(t, db)
		ctx := context.Background()
		counts, exact, err := db.CountryCounts(ctx, aftermath.EventFilter{Dataset: aftermath.DatasetUCDP}, 1000)
		if err != nil || !exact {
			t.Fatal(err, exact)
		}
		if !slices.Equal(counts, []aftermath.CountryCount{{ISO3: "MLI", Events: 3}, {ISO3: "SOM", Events: 2}}) {
			t.Errorf("UCDP by country: %v", counts)
		}
		// An actor filter cannot be answered by the aggregates: counted over events.
		counts, exact, err = db.CountryCounts(ctx, aftermath.EventFilter{Actor: "jnim"}, 1000)
		if err != nil || !exact || !slices.Equal(counts, []aftermath.CountryCount{{ISO3: "MLI", Events: 4}}) {
			t.Errorf("JNIM by country: %v %v %v", counts, exact, err)
		}
		if _, exact, _ = db.CountryCounts(ctx, aftermath.EventFilter{Actor: "jnim"}, 2); exact {
			t.Error("two of four events counted as exact")
		}
	})
}
