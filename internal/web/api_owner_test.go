package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// tokenIn creates a user with a role in an organisation and returns a
// personal API token.
func tokenIn(t *testing.T, db *sqldb.DB, email, org, role string) (string, *aftermath.User) {
	t.Helper()
	hash, _ := auth.HashPassword("a long enough password")
	u, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: email, Name: email, PasswordHash: hash, OrgSlug: org, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := auth.NewToken(auth.APITokenPrefix)
	if err := db.CreateAPIToken(context.Background(), u.ID, "test", auth.HashToken(tok)); err != nil {
		t.Fatal(err)
	}
	return tok, u
}

// ivBody is a valid intervention for the API, with extra JSON fields
// (`"audience":"public","owner":"alpha"`) spliced in.
func ivBody(slug, name, extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return `{"slug":"` + slug + `","name":"` + name + `","area":[{"country":"MLI"}],"phases":[{"start":"2020-01-01"}],` +
		`"instruments":[],"objectives":[],"backers":[],"partner_forces":[],"citations":[]` + extra + `}`
}

// TestInterventionWritesStayWithTheirOwner: an editor of one organisation
// cannot change or delete another's interventions through the API: 403
// when they may see the record, 404 (as for a missing one) when they may
// not, and nothing changes; the owner's own edits work and are audited.
func TestInterventionWritesStayWithTheirOwner(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		h := srv.Handler()
		alpha, alphaUser := tokenIn(t, db, "editor@alpha.example", "alpha", aftermath.RoleEditor)
		beta, betaUser := tokenIn(t, db, "editor@beta.example", "beta", aftermath.RoleEditor)
		admin, _ := tokenIn(t, db, "admin@alpha.example", "alpha", aftermath.RoleAdmin)
		a, _ := db.Organisation(ctx, "alpha")
		b, _ := db.Organisation(ctx, "beta")
		if err := db.SharePartners(ctx, a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		create := func(token, body string) aftermath.Intervention {
			t.Helper()
			code, out := call(t, h, "POST", "/api/v1/interventions", token, body)
			var iv aftermath.Intervention
			if code != 201 || json.Unmarshal([]byte(out), &iv) != nil {
				t.Fatalf("POST %s: %d %s", body, code, out)
			}
			return iv
		}
		records := map[string]aftermath.Intervention{
			"public":   create(alpha, ivBody("alpha-public", "Alpha public", `"audience":"public","owner":"alpha"`)),
			"partners": create(alpha, ivBody("alpha-partners", "Alpha partners", `"audience":"partners","owner":"alpha"`)),
			"internal": create(alpha, ivBody("alpha-internal", "Alpha internal", `"audience":"internal","owner":"alpha"`)),
		}
		// What beta's editor may see, they may not change (403); what they
		// may not see answers as if it did not exist (404).
		want := map[string]int{"public": 403, "partners": 403, "internal": 404}
		before := sqldbtest.Snapshot(t, db)
		for kind, iv := range records {
			id := jsonNum(iv.ID)
			body := ivBody(iv.Slug, "Taken by beta", `"audience":"public","owner":"beta"`)
			for _, method := range []string{"PUT", "DELETE"} {
				code, out := call(t, h, method, "/api/v1/interventions/"+id, beta, body)
				if code != want[kind] {
					t.Errorf("%s of alpha's %s record by beta's editor: %d %s, want %d", method, kind, code, out, want[kind])
				}
				if wantCode := map[int]string{403: `"forbidden"`, 404: `"not_found"`}[want[kind]]; !strings.Contains(out, wantCode) {
					t.Errorf("%s of alpha's %s record by beta's editor: %s, want code %s", method, kind, out, wantCode)
				}
				if strings.Contains(out, "Alpha internal") {
					t.Errorf("the refusal names the hidden record: %s", out)
				}
			}
		}
		// Nor may beta's editor make a record for alpha.
		if code, out := call(t, h, "POST", "/api/v1/interventions", beta, ivBody("beta-for-alpha", "Beta for alpha", `"owner":"alpha"`)); code != 403 {
			t.Errorf("POST owned by another organisation: %d %s, want 403", code, out)
		}
		if after := sqldbtest.Snapshot(t, db); after != before {
			t.Error("a refused write changed the database")
		}
		for _, iv := range records {
			if code, out := call(t, h, "GET", "/api/v1/interventions/"+jsonNum(iv.ID), alpha, ""); code != 200 || !strings.Contains(out, iv.Name) {
				t.Errorf("alpha's %s after beta's attempts: %d %s", iv.Slug, code, out)
			}
		}
		// A new record belongs to its writer's organisation.
		own := create(beta, ivBody("beta-own", "Beta own", ""))
		if own.Owner != "beta" {
			t.Errorf("beta's new record is owned by %q, want beta", own.Owner)
		}
		// The owner's edit works and is audited, with who made it.
		iv := records["internal"]
		if code, out := call(t, h, "PUT", "/api/v1/interventions/"+jsonNum(iv.ID), alpha, ivBody(iv.Slug, "Alpha internal, revised", "")); code != 200 ||
			!strings.Contains(out, "Alpha internal, revised") || !strings.Contains(out, `"owner": "alpha"`) {
			t.Errorf("the owner's PUT: %d %s", code, out)
		}
		if code, _ := call(t, h, "DELETE", "/api/v1/interventions/"+jsonNum(iv.ID), alpha, ""); code != 204 {
			t.Errorf("the owner's DELETE: %d", code)
		}
		entries, err := db.AuditEntries(ctx, aftermath.System, sqldb.AuditFilter{RecordType: "intervention", RecordID: iv.ID})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			if e.ActorID != alphaUser.ID {
				t.Errorf("audit entry %s by user %d, want alpha's editor %d", e.Action, e.ActorID, alphaUser.ID)
			}
			got = append(got, e.Action)
		}
		if strings.Join(got, ",") != "delete,update,create" {
			t.Errorf("audit of alpha's internal record: %v, want delete, update, create", got)
		}
		if entries, _ := db.AuditEntries(ctx, aftermath.System, sqldb.AuditFilter{ActorID: betaUser.ID}); len(entries) != 1 || entries[0].Action != "create" {
			t.Errorf("beta's editor's audit entries: %+v, want only the create", entries)
		}
		// A record without an owner (the seeded catalog) is changed by
		// admins only.
		cat := records["public"]
		if err := db.SetAudience(ctx, "intervention", cat.ID, sqldb.Placement{Audience: aftermath.AudiencePublic}); err != nil {
			t.Fatal(err)
		}
		if code, out := call(t, h, "PUT", "/api/v1/interventions/"+jsonNum(cat.ID), alpha, ivBody(cat.Slug, "Catalog by editor", `"audience":"public"`)); code != 403 {
			t.Errorf("an editor's PUT of an unowned record: %d %s, want 403", code, out)
		}
		if code, out := call(t, h, "PUT", "/api/v1/interventions/"+jsonNum(cat.ID), admin, ivBody(cat.Slug, "Catalog by admin", `"audience":"public"`)); code != 200 ||
			!strings.Contains(out, "Catalog by admin") || strings.Contains(out, `"owner"`) {
			t.Errorf("an admin's PUT of an unowned record: %d %s, want 200 and still no owner", code, out)
		}
	})
}
