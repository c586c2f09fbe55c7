package sqldb_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

func testKEK(t *testing.T) *vault.KEK {
	t.Helper()
	kek, err := vault.GenerateKEK()
	if err != nil {
		t.Fatal(err)
	}
	return kek
}

func briefViewers(t *testing.T, db *sqldb.DB) map[string]aftermath.Viewer {
	t.Helper()
	ctx := context.Background()
	vs := map[string]aftermath.Viewer{"anonymous": aftermath.Anonymous}
	for name, m := range map[string][2]string{"researcher": {"org-a", aftermath.RoleResearcher}, "editor": {"org-a", aftermath.RoleEditor},
		"editor2": {"org-a", aftermath.RoleEditor}, "viewer": {"org-a", aftermath.RoleViewer}, "other": {"org-b", aftermath.RoleEditor}} {
		u, err := db.CreateUser(ctx, sqldb.NewUser{Email: name + "@example.org", Name: name, PasswordHash: "$argon2id$test", OrgSlug: m[0], Role: m[1]})
		if err != nil {
			t.Fatal(err)
		}
		vs[name], _ = db.Viewer(ctx, u)
	}
	return vs
}

// A public brief is seen by the public only once approved, by an editor
// who did not write the text, and published; a change of text or
// audience takes it back to draft, out of public view at once.
func TestBriefReviewAndFourEyes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		v := briefViewers(t, db)
		b := &aftermath.Brief{Slug: "minusma-2024", Title: "What followed MINUSMA", Language: "en", Body: "# Findings\n\nText.",
			Audience: aftermath.AudiencePublic}
		if err := db.CreateBrief(ctx, v["researcher"], b); err != nil {
			t.Fatal(err)
		}
		if b.Owner != "org-a" || b.State != aftermath.BriefDraft {
			t.Errorf("new brief: owner %q state %q", b.Owner, b.State)
		}
		sees := func(who string) bool {
			_, err := db.Brief(ctx, v[who], b.ID)
			if err != nil && code(err) != aftermath.ENOTFOUND {
				t.Fatal(err)
			}
			return err == nil
		}
		for who, want := range map[string]bool{"anonymous": false, "other": false, "viewer": true, "editor": true} {
			if sees(who) != want {
				t.Errorf("a draft, seen by %s: %v, want %v", who, !want, want)
			}
		}
		if err := db.ReviewBrief(ctx, v["researcher"], b.ID, aftermath.BriefReview{Action: aftermath.BriefSubmit}); err != nil {
			t.Fatal(err)
		}
		if err := db.ReviewBrief(ctx, v["researcher"], b.ID, aftermath.BriefReview{Action: aftermath.BriefApprove}); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("a researcher approving: %v, want EFORBIDDEN", err)
		}
		if err := db.ReviewBrief(ctx, v["editor"], b.ID, aftermath.BriefReview{Action: aftermath.BriefReturn}); code(err) != aftermath.EINVALID {
			t.Errorf("returning without a note: %v, want EINVALID", err)
		}
		if err := db.ReviewBrief(ctx, v["editor"], b.ID, aftermath.BriefReview{Action: aftermath.BriefApprove}); err != nil {
			t.Fatalf("an editor approving another's text: %v", err)
		}
		if sees("anonymous") || sees("other") {
			t.Errorf("an approved public brief is shown before it is published")
		}
		if err := db.ReviewBrief(ctx, v["editor"], b.ID, aftermath.BriefReview{Action: aftermath.BriefPublish}); code(err) != aftermath.EINVALID ||
			!strings.Contains(err.Error(), "key-encryption key") {
			t.Errorf("publishing without the vault's key: %v, want EINVALID naming the key", err)
		}
		vs := db.Voices(testKEK(t))
		if err := vs.ReviewBrief(ctx, v["researcher"], b.ID, aftermath.BriefReview{Action: aftermath.BriefPublish}); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("a researcher publishing: %v, want EFORBIDDEN", err)
		}
		if err := vs.ReviewBrief(ctx, v["editor"], b.ID, aftermath.BriefReview{Action: aftermath.BriefPublish}); err != nil {
			t.Fatalf("an editor publishing: %v", err)
		}
		if !sees("anonymous") || !sees("other") {
			t.Errorf("a published public brief is hidden")
		}
		// The editor changes the text: back to draft, out of public view.
		b.Body += "\n\nA new paragraph."
		if err := db.UpdateBrief(ctx, v["editor"], b); err != nil {
			t.Fatal(err)
		}
		if sees("anonymous") {
			t.Errorf("a changed public brief is still public before its new approval")
		}
		if err := db.ReviewBrief(ctx, v["editor"], b.ID, aftermath.BriefReview{Action: aftermath.BriefSubmit}); err != nil {
			t.Fatal(err)
		}
		if err := db.ReviewBrief(ctx, v["editor"], b.ID, aftermath.BriefReview{Action: aftermath.BriefApprove}); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("approving one's own text for the public: %v, want EFORBIDDEN", err)
		}
		if err := db.ReviewBrief(ctx, v["editor2"], b.ID, aftermath.BriefReview{Action: aftermath.BriefApprove}); err != nil {
			t.Fatalf("a second editor approving: %v", err)
		}
		if err := db.ReviewBrief(ctx, v["editor2"], b.ID, aftermath.BriefReview{Action: aftermath.BriefApprove}); code(err) != aftermath.ECONFLICT {
			t.Errorf("approving an approved brief: %v, want ECONFLICT", err)
		}
		if _, err := db.Brief(ctx, v["anonymous"], b.ID); code(err) != aftermath.ENOTFOUND {
			t.Errorf("approved again, not yet published again, seen by the public: %v", err)
		}
		if err := vs.ReviewBrief(ctx, v["editor2"], b.ID, aftermath.BriefReview{Action: aftermath.BriefPublish}); err != nil {
			t.Fatal(err)
		}
		got, err := db.Brief(ctx, v["anonymous"], b.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, s := range got.History {
			actions = append(actions, s.Action)
		}
		if want := "create submit approve publish edit submit approve publish"; strings.Join(actions, " ") != want || got.ApprovedBy != v["editor2"].UserID {
			t.Errorf("history %q approved by %d, want %q by %d", strings.Join(actions, " "), got.ApprovedBy, want, v["editor2"].UserID)
		}
		// Widening the audience of an approved internal brief is a change
		// that needs approval again.
		in := &aftermath.Brief{Slug: "internal-note", Title: "Internal", Language: "fr", Body: "Texte.", Audience: aftermath.AudienceInternal}
		if err := db.CreateBrief(ctx, v["editor"], in); err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{aftermath.BriefSubmit, aftermath.BriefApprove} {
			if err := db.ReviewBrief(ctx, v["editor"], in.ID, aftermath.BriefReview{Action: a}); err != nil {
				t.Fatalf("%s of one's own internal brief: %v", a, err)
			}
		}
		in.Audience = aftermath.AudiencePublic
		if err := db.UpdateBrief(ctx, v["editor"], in); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Brief(ctx, v["editor"], in.ID); err != nil || got.State != aftermath.BriefDraft {
			t.Errorf("an approved brief made public: %v %+v, want a draft", err, got)
		}
		if _, err := db.Brief(ctx, v["anonymous"], in.ID); code(err) != aftermath.ENOTFOUND {
			t.Errorf("a brief made public without approval is shown: %v", err)
		}
	})
}

// Another organisation reads a published public brief and changes
// nothing; a draft is not there for it at all.
func TestBriefWritesStayWithTheirOwner(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		v := briefViewers(t, db)
		pub := &aftermath.Brief{Slug: "public-one", Title: "Public", Language: "ar", Body: "نص.", Audience: aftermath.AudiencePublic}
		draft := &aftermath.Brief{Slug: "draft-one", Title: "Draft", Language: "en", Body: "Text.", Audience: aftermath.AudiencePublic}
		for _, b := range []*aftermath.Brief{pub, draft} {
			if err := db.CreateBrief(ctx, v["researcher"], b); err != nil {
				t.Fatal(err)
			}
		}
		vs := db.Voices(testKEK(t))
		for _, a := range []string{aftermath.BriefSubmit, aftermath.BriefApprove, aftermath.BriefPublish} {
			if err := vs.ReviewBrief(ctx, v["editor"], pub.ID, aftermath.BriefReview{Action: a}); err != nil {
				t.Fatal(err)
			}
		}
		before := sqldbtest.Snapshot(t, db)
		taken := *pub
		taken.Title = "Taken over"
		if err := db.UpdateBrief(ctx, v["other"], &taken); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("another organisation changing a public brief: %v, want EFORBIDDEN", err)
		}
		if err := db.DeleteBrief(ctx, v["other"], pub.ID); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("another organisation deleting a public brief: %v, want EFORBIDDEN", err)
		}
		if err := db.ReviewBrief(ctx, v["other"], pub.ID, aftermath.BriefReview{Action: aftermath.BriefReopen}); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("another organisation reopening a public brief: %v, want EFORBIDDEN", err)
		}
		if err := db.DeleteBrief(ctx, v["other"], draft.ID); code(err) != aftermath.ENOTFOUND {
			t.Errorf("another organisation deleting a draft it cannot see: %v, want ENOTFOUND", err)
		}
		if err := db.CreateBrief(ctx, v["other"], &aftermath.Brief{Slug: "for-a", Title: "T", Language: "en", Body: "x", Owner: "org-a"}); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("filing a brief under another organisation: %v, want EFORBIDDEN", err)
		}
		if err := db.CreateBrief(ctx, v["viewer"], &aftermath.Brief{Slug: "by-viewer", Title: "T", Language: "en", Body: "x"}); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("a viewer writing a brief: %v, want EFORBIDDEN", err)
		}
		if sqldbtest.Snapshot(t, db) != before {
			t.Errorf("refused writes changed the database")
		}
		bad := &aftermath.Brief{Slug: "bad-embed", Title: "T", Language: "en", Body: "Intro.\n\n{{chart intervention=\"minusma\" kind=\"weekly\"}}\n"}
		if err := db.CreateBrief(ctx, v["editor"], bad); code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), `line 3: chart: kind="weekly" is not one of`) {
			t.Errorf("a body with a bad embed: %v, want EINVALID at line 3", err)
		}
		if err := db.CreateBrief(ctx, v["other"], &aftermath.Brief{Slug: "public-one", Title: "T", Language: "en", Body: "x"}); code(err) != aftermath.ECONFLICT {
			t.Errorf("a taken slug: %v, want ECONFLICT", err)
		}
		list, err := db.Briefs(ctx, v["anonymous"], aftermath.BriefFilter{})
		if err != nil || len(list) != 1 || list[0].Slug != "public-one" {
			t.Errorf("the public's list: %v %+v", err, list)
		}
		if b, err := db.FindBrief(ctx, v["anonymous"], "public-one"); err != nil || b.Language != "ar" {
			t.Errorf("find by slug: %v %+v", err, b)
		}
		if err := db.DeleteBrief(ctx, v["researcher"], draft.ID); err != nil {
			t.Errorf("its writer deleting a draft: %v", err)
		}
		if report, err := db.IntegrityCheck(ctx); err != nil || report != "ok" {
			t.Errorf("integrity: %v %s", err, report)
		}
	})
}

// Approving a brief checks that everything it embeds reaches its
// audience: an internal intervention in a public brief stops the
// approval, named with its line; another organisation's is as missing as
// one that does not exist.
func TestBriefApprovalChecksWhatItEmbeds(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		v := briefViewers(t, db)
		for _, iv := range []*aftermath.Intervention{
			{Slug: "public-op", Name: "Public operation", Audience: aftermath.AudiencePublic},
			{Slug: "a-internal", Name: "A's internal", Audience: aftermath.AudienceInternal, Owner: "org-a"},
			{Slug: "b-internal", Name: "B's internal", Audience: aftermath.AudienceInternal, Owner: "org-b"},
		} {
			iv.Area, iv.Phases = []aftermath.AreaRef{{Country: "MLI"}}, []aftermath.Phase{{Start: "2020-01-01"}}
			if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
				t.Fatal(err)
			}
		}
		src := &aftermath.Source{Title: "A public report", Audience: aftermath.AudiencePublic}
		if err := db.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		approve := func(slug string, a aftermath.Audience, body string) error {
			b := &aftermath.Brief{Slug: slug, Title: "T", Language: "en", Body: body, Audience: a}
			if err := db.CreateBrief(ctx, v["researcher"], b); err != nil {
				t.Fatal(err)
			}
			if err := db.ReviewBrief(ctx, v["editor"], b.ID, aftermath.BriefReview{Action: aftermath.BriefSubmit}); err != nil {
				t.Fatal(err)
			}
			return db.ReviewBrief(ctx, v["editor"], b.ID, aftermath.BriefReview{Action: aftermath.BriefApprove})
		}
		cite := "{{cite source=" + strconv.FormatInt(src.ID, 10) + "}}"
		if err := approve("ok", aftermath.AudiencePublic, "Text."+cite+"\n\n{{chart intervention=\"public-op\" kind=\"yearly\"}}\n"); err != nil {
			t.Errorf("a public brief of public records: %v", err)
		}
		err := approve("leaks", aftermath.AudiencePublic, "Intro.\n\n{{chart intervention=\"a-internal\" kind=\"yearly\"}}\n")
		if code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), `line 3: {{chart intervention="a-internal" kind="yearly"}}: intervention a-internal is for internal, which does not reach this brief's audience (public)`) {
			t.Errorf("an internal intervention in a public brief: %v", err)
		}
		if err := approve("internal-ok", aftermath.AudienceInternal, "{{table series intervention=\"a-internal\" by=\"year\"}}\n"); err != nil {
			t.Errorf("an internal brief of its own internal intervention: %v", err)
		}
		err = approve("hidden", aftermath.AudienceInternal, "{{table series intervention=\"b-internal\" by=\"year\"}}\n")
		if code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "there is no intervention b-internal") || strings.Contains(err.Error(), "another organisation") {
			t.Errorf("another organisation's internal intervention: %v", err)
		}
		if err := approve("no-source", aftermath.AudiencePublic, "Text.{{cite source=999999}}\n"); code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "there is no source 999999") {
			t.Errorf("a missing source: %v", err)
		}
	})
}
