package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
)

// TestSignedInFiguresFollowImportsAndAudiences: the figures a signed-in
// page reads from memory (keptStore) are read again, in every serve
// process on the database, as soon as an import adds events or a
// dataset's audience changes, and one reader is never handed another's.
func TestSignedInFiguresFollowImportsAndAudiences(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			db1, db2, servers := twoServers(t, driver)
			if _, err := importer.Import(ctx, db1, "../importer/testdata/GEDEvent_v24_1.csv", importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
				t.Fatal(err)
			}
			member, u := signIn(t, db1, "member-figures@example.org", aftermath.RoleResearcher)
			// The outsider is a researcher of another organisation.
			hash, _ := auth.HashPassword("a long enough password")
			o, err := db2.CreateUser(ctx, sqldb.NewUser{Email: "outsider-figures@example.org", Name: "Outsider", PasswordHash: hash, OrgSlug: "elsewhere", Role: aftermath.RoleResearcher})
			if err != nil {
				t.Fatal(err)
			}
			outsider, _ := auth.NewToken(auth.SessionPrefix)
			if err := db2.CreateSession(ctx, o.ID, auth.HashToken(outsider), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			// acledShown says whether a page, as the session reads it, lists
			// ACLED's events.
			acledShown := func(h http.Handler, page, session string) bool {
				t.Helper()
				rec := getAs(h, page, session)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: %d", page, rec.Code)
				}
				return strings.Contains(rec.Body.String(), "· acled</caption>") || strings.Contains(rec.Body.String(), "<h2>acled</h2>")
			}
			// The explorer's table lists ACLED's events by their dataset.
			acledListed := func(h http.Handler, session string) bool {
				t.Helper()
				rec := getAs(h, "/events", session)
				if rec.Code != http.StatusOK {
					t.Fatalf("/events: %d", rec.Code)
				}
				return strings.Contains(rec.Body.String(), "<tr><td>acled ")
			}
			// The explorer's map, kept like its table.
			mapOf := func(h http.Handler, session string) string {
				t.Helper()
				b := getAs(h, "/events", session).Body.String()
				i, j := strings.Index(b, "<figure>"), strings.Index(b, "</figure>")
				if i < 0 || j < i {
					t.Fatalf("/events has no map")
				}
				return b[i:j]
			}
			maps := map[int]string{}
			pages := []string{"/places", "/places/MLI"}
			for i, h := range servers {
				maps[i] = mapOf(h, member)
				if mapOf(h, member) != maps[i] {
					t.Errorf("server %d: the map read twice differs", i+1)
				}
				for _, page := range pages {
					for range 2 { // the second read comes from memory
						if acledShown(h, page, member) {
							t.Fatalf("server %d, %s shows ACLED before its import", i+1, page)
						}
					}
				}
				for range 2 {
					if acledListed(h, member) {
						t.Fatalf("server %d, /events lists ACLED before its import", i+1)
					}
				}
				// The table is kept per language: the French one is French.
				en, fr := getAs(h, "/events?lang=en", member).Body.String(), getAs(h, "/events?lang=fr", member).Body.String()
				if !strings.Contains(en, "<td>State-based") || !strings.Contains(fr, "<td>Conflit étatique") {
					t.Errorf("server %d: /events in English and French do not name the violence in their own language", i+1)
				}
			}
			place := &sqldb.Placement{Audience: aftermath.AudiencePublic}
			if _, err := importer.Import(ctx, db2, "../ingest/acled/testdata/hdx_2024-06-30.csv",
				importer.Options{Dataset: aftermath.DatasetACLED, Place: place}); err != nil {
				t.Fatal(err)
			}
			for i, h := range servers {
				for _, page := range pages {
					if !acledShown(h, page, member) {
						t.Errorf("server %d, %s: ACLED's events imported through the other process are not shown", i+1, page)
					}
				}
				if !acledListed(h, member) {
					t.Errorf("server %d, /events: ACLED's events imported through the other process are not listed", i+1)
				}
				if mapOf(h, member) == maps[i] {
					t.Errorf("server %d, /events: the map is the one drawn before ACLED's import", i+1)
				}
			}
			// Only the member's organisation may now see ACLED: the member
			// still sees it, the outsider (and the anonymous visitor) no longer.
			v, err := db1.Viewer(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			ds, err := db1.Datasets(ctx, aftermath.System)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if d.Name == aftermath.DatasetACLED {
					if err := db1.SetAudience(ctx, "dataset", d.ID, sqldb.Placement{Audience: aftermath.AudienceInternal, OwnerOrg: v.Orgs[0]}); err != nil {
						t.Fatal(err)
					}
				}
			}
			for i, h := range servers {
				for _, page := range pages {
					if !acledShown(h, page, member) {
						t.Errorf("server %d, %s: the member no longer sees their organisation's ACLED", i+1, page)
					}
					if acledShown(h, page, outsider) || acledShown(h, page, "") {
						t.Errorf("server %d, %s: ACLED, now internal to another organisation, is still shown", i+1, page)
					}
				}
				if !acledListed(h, member) || acledListed(h, outsider) {
					t.Errorf("server %d, /events: after the audience change the member sees ACLED %v, the outsider %v, want true and false",
						i+1, acledListed(h, member), acledListed(h, outsider))
				}
			}
		})
	}
}
