package cli_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/cli"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

type listedActor struct {
	ID           int64                  `json:"id"`
	Name         string                 `json:"name"`
	Unidentified bool                   `json:"unidentified"`
	Kind         string                 `json:"kind"`
	Events       int64                  `json:"events"`
	Aliases      []aftermath.ActorAlias `json:"aliases"`
}

func listActors(t *testing.T, dsn, q string) map[string]listedActor {
	t.Helper()
	out, _, err := run(t, "actors", "list", q, "--db", dsn, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var list []listedActor
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	byName := map[string]listedActor{}
	for _, a := range list {
		byName[a.Name] = a
	}
	return byName
}

// actors list shows the catalog's backers and the datasets' actors;
// actors merge joins UCDP's and the ledger's Mali, refused to a viewer
// (--as) and done by an editor or the system.
func TestActorsCommands(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn := sqldbtest.DSN(t, driver)
			ctx := context.Background()
			for _, args := range [][]string{{"import", "ucdp", "--db", dsn, fixture}, {"seed", "--db", dsn}} {
				if _, _, err := run(t, args...); err != nil {
					t.Fatal(err)
				}
			}
			if got := listActors(t, dsn, "France")["France"]; got.Kind != aftermath.KindState || len(got.Aliases) != 0 {
				t.Errorf("France, the catalog's backer: %+v", got)
			}
			db, err := sqldb.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			d := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Mali", Kind: aftermath.KindState}, Date: "2023-01-05", Kind: "partnership", Summary: "S"}
			err = db.CreateDecision(ctx, aftermath.System, d)
			if err == nil {
				_, err = db.CreateUser(ctx, sqldb.NewUser{Email: "viewer@example.org", Name: "V", PasswordHash: "$argon2id$test", OrgSlug: "hub", Role: aftermath.RoleViewer})
			}
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			before := listActors(t, dsn, "Mali")
			gov, mali := before["Government of Mali"], before["Mali"]
			if gov.ID == 0 || mali.ID == 0 || gov.Events != 1 {
				t.Fatalf("actors called Mali: %+v", before)
			}
			into, merged := strconv.FormatInt(gov.ID, 10), strconv.FormatInt(mali.ID, 10)
			if _, _, err := run(t, "actors", "merge", "--db", dsn, "--into", into, "--as", "viewer@example.org", merged); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN || cli.ExitCode(err) != 1 {
				t.Errorf("a viewer merges: %v", err)
			}
			if _, _, err := run(t, "actors", "merge", "--db", dsn, merged); cli.ExitCode(err) != 2 {
				t.Errorf("a merge without --into: %v", err)
			}
			if after := listActors(t, dsn, "Mali"); after["Mali"].ID != mali.ID {
				t.Errorf("a refused merge changed the actors: %+v", after)
			}
			out, _, err := run(t, "actors", "merge", merged, "--db", dsn, "--into", into)
			if err != nil || !strings.Contains(out, "merged 1 actor(s) into "+into+" (Government of Mali)") {
				t.Fatalf("merge: %v %s", err, out)
			}
			after := listActors(t, dsn, "Mali")
			if _, left := after["Mali"]; left || after["Government of Mali"].Events != 1 {
				t.Errorf("after the merge: %+v", after)
			}
			shown, _, err := run(t, "actors", "show", into, "--db", dsn)
			var profile struct {
				Name   string
				Merged []aftermath.ActorMerge
				Totals []aftermath.ActorTotal
			}
			if err == nil {
				err = json.Unmarshal([]byte(shown), &profile)
			}
			if err != nil || profile.Name != "Government of Mali" || len(profile.Merged) != 1 || profile.Merged[0].Name != "Mali" ||
				profile.Merged[0].MergedID != mali.ID || len(profile.Totals) != 1 || profile.Totals[0].Events != 1 {
				t.Errorf("actors show after the merge: %v %s", err, shown)
			}
			if _, _, err := run(t, "actors", "show", merged, "--db", dsn); err == nil || !strings.Contains(err.Error(), "merged into actor "+into) {
				t.Errorf("actors show of the merged actor: %v", err)
			}
			if _, _, err := run(t, "actors", "merge", merged, "--db", dsn, "--into", into); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
				t.Errorf("merging a merged actor again: %v", err)
			}
			table, _, err := run(t, "actors", "list", "--db", dsn)
			if err != nil || !strings.Contains(table, "Government of Mali") || !strings.Contains(table, "ucdp: Government of Mali") {
				t.Errorf("actors list: %v\n%s", err, table)
			}
		})
	}
}
