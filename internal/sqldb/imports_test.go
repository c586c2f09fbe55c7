package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func ev(id, country string, gw int, adm1 string, actors ...aftermath.EventActor) *aftermath.Event {
	return &aftermath.Event{NativeID: id, Year: 2023, DateStart: "2023-05-01", DateEnd: "2023-05-01", ViolenceType: aftermath.ViolenceStateBased,
		Country: country, CountryGW: gw, Admin1: adm1, DeathsBest: 1, DeathsLow: 1, DeathsHigh: 1, Actors: actors}
}

func side(role, name, ext string) aftermath.EventActor {
	return aftermath.EventActor{Role: role, Name: name, ExternalID: ext}
}

// TestImportResolvesActorsAndPlaces covers actors met under new spellings
// and ids, within one batch and across batches, and places shared by
// datasets that spell a country differently.
func TestImportResolvesActorsAndPlaces(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		im, err := db.BeginImport(ctx, aftermath.DatasetUCDP, "1.0", "f.csv", "abc", nil)
		if err != nil {
			t.Fatal(err)
		}
		err = im.Add([]*aftermath.Event{
			ev("1", "Yemen (North Yemen)", 678, "Sanaa", side(aftermath.RoleSideA, "Government of Yemen (North Yemen)", "123"), side(aftermath.RoleSideB, "AQAP", "881")),
			// Same UCDP id, new spelling: one actor, two aliases.
			ev("2", "Yemen (North Yemen)", 678, "Sanaa", side(aftermath.RoleSideA, "Government of Yemen", "123"), side(aftermath.RoleSideB, "AQAP", "881")),
			// Same actor listed twice in one role: one link.
			ev("3", "Yemen (North Yemen)", 678, "", side(aftermath.RoleSideA, "AQAP", "881"), side(aftermath.RoleSideA, "AQAP", "881")),
		})
		if err == nil {
			err = im.Add([]*aftermath.Event{
				ev("4", "Yemen (North Yemen)", 678, "Aden", side(aftermath.RoleSideA, "Government of Yemen", "123"), side(aftermath.RoleSideB, "Southern Transitional Council", "6200")),
			})
		}
		if err != nil {
			im.Rollback()
			t.Fatal(err)
		}
		if _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}
		a, err := db.ActorByAlias(ctx, aftermath.DatasetUCDP, "Government of Yemen")
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Aliases) != 2 || len(a.ExternalIDs) != 1 || a.ExternalIDs[0].Value != "123" {
			t.Errorf("Government of Yemen = %+v", a)
		}
		counts, _ := db.Counts(ctx)
		if counts["actors"] != 3 || counts["event_actors"] != 7 || counts["actor_aliases"] != 4 {
			t.Errorf("counts = %v", counts)
		}
		// ACLED spells the country "Yemen" and gives the ISO code: same place.
		im, err = db.BeginImport(ctx, aftermath.DatasetACLED, "2024-01-01", "a.csv", "def", nil)
		if err != nil {
			t.Fatal(err)
		}
		e := ev("YEM1", "Yemen", 0, "Sanaa", side(aftermath.RoleActor1, "Government of Yemen", ""))
		e.CountryISO = 887
		if err := im.Add([]*aftermath.Event{e}); err != nil {
			t.Fatal(err)
		}
		if _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}
		countries, _ := db.Places(ctx, aftermath.PlaceCountry, 0)
		if len(countries) != 1 || countries[0].Name != "Yemen" || countries[0].ISOAlpha3 != "YEM" || countries[0].GWCode != 678 {
			t.Fatalf("countries = %+v", countries)
		}
		adm1, _ := db.Places(ctx, aftermath.PlaceAdmin1, countries[0].ID)
		if fmt.Sprint(len(adm1)) != "2" {
			t.Errorf("admin-1 places = %+v", adm1)
		}
		// Each dataset's spelling is its own alias.
		if b, err := db.ActorByAlias(ctx, aftermath.DatasetACLED, "Government of Yemen"); err != nil || b.ID == a.ID {
			t.Errorf("ACLED actor = %+v, %v (dataset aliases must not be merged by name)", b, err)
		}
	})
}

// indexDefs lists the index definitions the database reports.
func indexDefs(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	defs, err := db.IndexDefinitions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(defs)
}

func TestDeferredIndexesMatchSchema(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		before := indexDefs(t, db)
		im, err := db.BeginImport(ctx, aftermath.DatasetUCDP, "1.0", "f.csv", "abc", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := im.Add([]*aftermath.Event{ev("1", "Mali", 432, "Mopti", side(aftermath.RoleSideA, "Government of Mali", "94"))}); err != nil {
			t.Fatal(err)
		}
		if _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}
		if after := indexDefs(t, db); after != before {
			t.Errorf("an import into an empty database changed the indexes:\nbefore %s\nafter  %s", before, after)
		}
		// A failed first import must give the indexes back too.
		db2 := sqldbtest.Open(t, db.Driver)
		im, err = db2.BeginImport(ctx, aftermath.DatasetUCDP, "1.0", "f.csv", "abc", nil)
		if err != nil {
			t.Fatal(err)
		}
		im.Rollback()
		if after := indexDefs(t, db2); after != before {
			t.Errorf("a rolled-back import changed the indexes:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestFailedCopyFailsTheImport: on PostgreSQL a batch's events are copied
// in the background while the next batch is prepared (pgcopy.go). A COPY
// the server refuses (a NUL byte, which PostgreSQL's text cannot hold)
// fails the next Add, or the Commit, with the COPY's own error rather
// than the aborted transaction's, and leaves no event behind.
func TestFailedCopyFailsTheImport(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.Postgres)
	ctx := context.Background()
	bad := ev("1", "Mali", 432, "Gao")
	bad.Notes = "before\x00after"
	for _, then := range []string{"add", "commit"} {
		im, err := db.BeginImport(ctx, aftermath.DatasetUCDP, "1.0", "f.csv", "abc-"+then, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = im.Add([]*aftermath.Event{bad})
		if err == nil && then == "add" {
			err = im.Add([]*aftermath.Event{ev("2", "Mali", 432, "Gao")})
		}
		if err == nil {
			_, err = im.Commit()
		} else {
			im.Rollback()
		}
		if err == nil || !strings.Contains(err.Error(), "copy into events") || !strings.Contains(err.Error(), "0x00") {
			t.Errorf("%s after the refused batch: error %v, want the COPY's", then, err)
		}
		if counts, err := db.Counts(ctx); err != nil || counts["events"] != 0 {
			t.Errorf("%s after the refused batch: %d events stored (%v)", then, counts["events"], err)
		}
	}
}
