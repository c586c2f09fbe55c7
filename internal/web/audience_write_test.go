package web_test

import (
	"net/http"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestNobodyChangesWhatIsNotTheirs aims every write endpoint of the
// intervention API at the audience fixture's records as writers of other
// organisations (who pass the role check): a record they may not see
// answers 404 exactly like a missing one, and says none of its words; a
// record they may see but do not own answers 403; nothing changes either
// way.
func TestNobodyChangesWhatIsNotTheirs(t *testing.T) {
	f := newAudienceFixture(t)
	partnerEditor, _ := tokenIn(t, f.db, "partner-editor@example.org", "partner", aftermath.RoleEditor)
	otherEditor, _ := tokenIn(t, f.db, "other-editor@example.org", "other", aftermath.RoleEditor)
	writers := map[string]string{"partner-editor": partnerEditor, "other-editor": otherEditor, "other-admin": f.tokens["other-admin"]}
	// slug → writer → status. The public record has no owner: admins may
	// change it (not tried here, it would change the fixture), editors not.
	want := map[string]map[string]int{
		"zqx-internal":     {"partner-editor": 404, "other-editor": 404, "other-admin": 404},
		"zqx-partners":     {"partner-editor": 403, "other-editor": 404, "other-admin": 404},
		"zqx-confidential": {"partner-editor": 404, "other-editor": 404, "other-admin": 404},
		"open-mission":     {"partner-editor": 403, "other-editor": 403},
	}
	records := map[string]*aftermath.Intervention{"zqx-internal": f.internal, "zqx-partners": f.partners, "zqx-confidential": f.confidential, "open-mission": f.public}
	before := sqldbtest.Snapshot(t, f.db)
	for slug, byWriter := range want {
		iv := records[slug]
		for person, status := range byWriter {
			for _, method := range []string{"PUT", "DELETE"} {
				code, out := call(t, f.h, method, "/api/v1/interventions/"+jsonNum(iv.ID), writers[person],
					ivBody(slug, "Rewritten", `"audience":"public"`))
				if code != status {
					t.Errorf("%s %s as %s: %d %s, want %d", method, slug, person, code, out, status)
				}
				if l := leak("", out); l != "" {
					t.Errorf("%s %s as %s answers hidden text: %s", method, slug, person, l)
				}
			}
		}
	}
	// Nor may they create a record for the owner.
	for person, tok := range writers {
		if code, out := call(t, f.h, "POST", "/api/v1/interventions", tok, ivBody("for-owner", "For owner", `"owner":"owner"`)); code != http.StatusForbidden {
			t.Errorf("POST for org owner as %s: %d %s, want 403", person, code, out)
		}
	}
	if sqldbtest.Snapshot(t, f.db) != before {
		t.Error("refused writes changed the database")
	}
	// The owner's own researcher reads but does not write (the role check).
	if code, out := call(t, f.h, "PUT", "/api/v1/interventions/"+jsonNum(f.internal.ID), f.tokens["owner-researcher"],
		ivBody("zqx-internal", "Rewritten", "")); code != http.StatusForbidden || !strings.Contains(out, `"forbidden"`) {
		t.Errorf("PUT as the owner's researcher: %d %s", code, out)
	}
}
