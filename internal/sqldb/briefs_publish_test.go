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

// Publishing runs its checks in the service: a name from the identity
// vault (any case, whole words), coordinates and an admin-2 place name
// stop it, each named by line and the vault name never repeated; an
// override needs a written reason for a flag that exists, and its reason
// goes to the step's note and the audit log. Only then does the public
// see the brief; unpublish and reopen withdraw it, a new text sends it
// to draft, and an embed narrowed since approval stops the next publish.
func TestBriefPublishingChecks(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		in := w.input("Les soldats sont venus la nuit.")
		in.Consent.MayContact = true
		in.Identity = &aftermath.SpeakerIdentity{Name: "Aminata Dicko", Contact: "aminata.d@example.org"}
		tid := w.create(t, "contributor", in)
		w.approve(t, tid, aftermath.AudiencePublic)

		im, err := db.BeginImport(ctx, aftermath.DatasetUCDP, "1.0", "f.csv", "abc", nil)
		if err != nil {
			t.Fatal(err)
		}
		fine := ev("1", "Mali", 432, "Mopti")
		fine.Admin2, fine.Admin3, fine.Location = "Djenné cercle", "Sofara", "Sofara village"
		coarse := ev("2", "Mali", 432, "Mopti")
		coarse.Admin2 = "Mopti" // also an admin-1 name: not an exact place
		if err := im.Add([]*aftermath.Event{fine, coarse}); err != nil {
			t.Fatal(err)
		}
		if _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}

		body := fmt.Sprintf("# Findings\n\nAs AMINATA dicko told us, the night was long.\n\nThe camp sat at 14.4974, -4.1960 then.\n\n"+
			"In Sofara and around Mopti.\n\n{{quote testimony=%d}}\n\nAminata Dickoba is someone else; 3.5, 4.2 are figures.\n", tid)
		b := &aftermath.Brief{Slug: "voices", Title: "Voices from Mopti", Language: "en", Body: body, Audience: aftermath.AudiencePublic}
		if err := w.vs.CreateBrief(ctx, w.v["researcher"], b); err != nil {
			t.Fatal(err)
		}
		review := func(as, action string, o ...aftermath.BriefOverride) error {
			return w.vs.ReviewBrief(ctx, w.v[as], b.ID, aftermath.BriefReview{Action: action, Overrides: o})
		}
		for _, a := range []string{aftermath.BriefSubmit, aftermath.BriefApprove} {
			if err := review("editor", a); err != nil {
				t.Fatal(err)
			}
		}
		err = review("editor", aftermath.BriefPublish)
		msg := fmt.Sprint(err)
		if code(err) != aftermath.EINVALID {
			t.Fatalf("publishing a flagged brief: %v, want EINVALID", err)
		}
		for _, want := range []string{"line 3: a name from the identity vault (vault-name)", `line 5: coordinates "14.4974, -4.1960" (coordinates)`,
			`line 7: an exact place "Sofara" (admin2)`} {
			if !strings.Contains(msg, want) {
				t.Errorf("refusal %q does not say %q", msg, want)
			}
		}
		for _, leak := range []string{"Aminata", "AMINATA", "Dicko", "Mopti", "line 11", "title"} {
			if strings.Contains(msg, leak) {
				t.Errorf("refusal %q says %q", msg, leak)
			}
		}
		if _, err := w.vs.Brief(ctx, w.v["anonymous"], b.ID); code(err) != aftermath.ENOTFOUND {
			t.Errorf("a refused brief is public: %v", err)
		}
		reason := "the speaker asked to be named and signed a release"
		all := []aftermath.BriefOverride{{Code: aftermath.BriefFlagVaultName, Line: 3, Reason: reason},
			{Code: aftermath.BriefFlagCoordinates, Line: 5, Reason: "a camp of the armed forces, public knowledge"},
			{Code: aftermath.BriefFlagAdmin2, Line: 7, Reason: "the town is named in every published report"}}
		if err := review("editor", aftermath.BriefPublish, all[0], all[1]); code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "line 7") ||
			strings.Contains(err.Error(), "line 3") {
			t.Errorf("publishing with one flag left: %v", err)
		}
		short := all[2]
		short.Reason = "   fine        "
		if err := review("editor", aftermath.BriefPublish, all[0], all[1], short); code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "reason") {
			t.Errorf("an override without a written reason: %v", err)
		}
		if err := review("editor", aftermath.BriefPublish, append(all, aftermath.BriefOverride{Code: aftermath.BriefFlagAdmin2, Line: 9,
			Reason: "there is nothing here to override"})...); code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "nothing is flagged") {
			t.Errorf("an override of no flag: %v", err)
		}
		if err := review("researcher", aftermath.BriefPublish, all...); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("a researcher publishing: %v, want EFORBIDDEN", err)
		}
		if err := review("editor", aftermath.BriefPublish, all...); err != nil {
			t.Fatalf("publishing with every flag overridden: %v", err)
		}
		got, err := w.vs.Brief(ctx, w.v["anonymous"], b.ID)
		if err != nil || got.State != aftermath.BriefPublished {
			t.Fatalf("the published brief, for the public: %v %+v", err, got)
		}
		if last := got.History[len(got.History)-1]; last.Action != aftermath.BriefPublish || !strings.Contains(last.Note, "override vault-name line 3: "+reason) {
			t.Errorf("the publish step's note: %+v", last)
		}
		entries, err := db.AuditEntries(ctx, aftermath.System, sqldb.AuditFilter{RecordType: "brief", RecordID: b.ID})
		if err != nil {
			t.Fatal(err)
		}
		var audited string
		for _, e := range entries {
			audited += e.Detail + "\n"
		}
		for _, o := range all {
			if !strings.Contains(audited, fmt.Sprintf("override %s line %d: %s", o.Code, o.Line, o.Reason)) {
				t.Errorf("the audit log %q lacks the override %+v", audited, o)
			}
		}
		if strings.Contains(strings.ToLower(audited), "aminata") {
			t.Errorf("the audit log repeats the vault name: %q", audited)
		}

		// Withdrawn by unpublish (still approved) and by reopen.
		if err := review("editor", aftermath.BriefUnpublish); err != nil {
			t.Fatal(err)
		}
		if got, err := w.vs.Brief(ctx, w.v["editor"], b.ID); err != nil || got.State != aftermath.BriefApproved {
			t.Errorf("unpublished: %v %+v, want approved", err, got)
		}
		if _, err := w.vs.Brief(ctx, w.v["anonymous"], b.ID); code(err) != aftermath.ENOTFOUND {
			t.Errorf("an unpublished brief is public: %v", err)
		}
		if err := review("editor", aftermath.BriefPublish, all...); err != nil {
			t.Fatal(err)
		}
		if err := review("editor", aftermath.BriefReopen); err != nil {
			t.Fatalf("reopening a published brief: %v", err)
		}
		if _, err := w.vs.Brief(ctx, w.v["anonymous"], b.ID); code(err) != aftermath.ENOTFOUND {
			t.Errorf("a reopened brief is public: %v", err)
		}
		// A new text of a published brief sends it to draft.
		for _, a := range []string{aftermath.BriefSubmit, aftermath.BriefApprove} {
			if err := review("editor", a); err != nil {
				t.Fatal(err)
			}
		}
		if err := review("editor", aftermath.BriefPublish, all...); err != nil {
			t.Fatal(err)
		}
		b.Body += "\nOne more line.\n"
		if err := w.vs.UpdateBrief(ctx, w.v["researcher"], b); err != nil {
			t.Fatal(err)
		}
		if got, err := w.vs.Brief(ctx, w.v["editor"], b.ID); err != nil || got.State != aftermath.BriefDraft {
			t.Errorf("a published brief with a new text: %v %+v, want a draft", err, got)
		}
		// The quoted testimony is reopened after the approval: publishing
		// stops, naming the embed and its line.
		for _, a := range []string{aftermath.BriefSubmit, aftermath.BriefApprove} {
			if err := review("editor", a); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.vs.Review(ctx, w.v["admin"], tid, aftermath.ReviewInput{Action: aftermath.ReviewReopen}); err != nil {
			t.Fatal(err)
		}
		err = review("editor", aftermath.BriefPublish, all...)
		if code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), fmt.Sprintf("line 9: {{quote testimony=\"%d\"}}: testimony %d is not approved", tid, tid)) {
			t.Errorf("publishing a quote of a reopened testimony: %v", err)
		}
		if report, err := db.IntegrityCheck(ctx); err != nil || report != "ok" {
			t.Errorf("integrity: %v %s", err, report)
		}
	})
}

// The store without the vault's key refuses to publish rather than skip
// the vault check.
func TestBriefPublishNeedsTheKey(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := &aftermath.Brief{Slug: "k", Title: "T", Language: "en", Body: "Text.", Audience: aftermath.AudiencePublic}
		if err := db.CreateBrief(ctx, aftermath.System, b); err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{aftermath.BriefSubmit, aftermath.BriefApprove} {
			if err := db.ReviewBrief(ctx, aftermath.System, b.ID, aftermath.BriefReview{Action: a}); err != nil {
				t.Fatal(err)
			}
		}
		for name, svc := range map[string]aftermath.Briefs{"DB": db, "Voices without a key": db.Voices(nil)} {
			if err := svc.ReviewBrief(ctx, aftermath.System, b.ID, aftermath.BriefReview{Action: aftermath.BriefPublish}); code(err) != aftermath.EINVALID ||
				!strings.Contains(err.Error(), "key-encryption key") {
				t.Errorf("%s publishing: %v, want a refusal naming the key", name, err)
			}
		}
		if got, _ := db.Brief(ctx, aftermath.System, b.ID); got.State != aftermath.BriefApproved {
			t.Errorf("state after refused publishing: %s", got.State)
		}
	})
}

// Anonymous readers get counts of fewer than the public minimum (5 by
// default) of testimonies or organisations as suppressed, never as the
// small number; signed-in readers get the counts; the minimum is a
// setting of the store.
func TestPublicCountsBelowTheMinimumAreSuppressed(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		for i := 0; i < 5; i++ {
			w.approve(t, w.create(t, "contributor", w.input(fmt.Sprintf("Témoignage %d.", i))), aftermath.AudiencePublic)
		}
		in := w.input("Un seul témoignage ici.")
		in.Country, in.Admin1 = "BFA", "Sahel"
		in.Themes = append(in.Themes, "abuses-by-backed-partner-forces")
		w.approve(t, w.create(t, "contributor", in), aftermath.AudiencePublic)

		cells := func(v aftermath.Viewer) map[string]aftermath.ThemeCell {
			t.Helper()
			list, err := db.ThemeMatrix(ctx, v, aftermath.ByCountry)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]aftermath.ThemeCell{}
			for _, c := range list {
				m[c.Theme+" "+c.AreaCode] = c
			}
			return m
		}
		anon := cells(aftermath.Anonymous)
		if c := anon["harm-from-military-operations MLI"]; c.Testimonies != 5 || c.Suppressed || c.Organisations != 0 || !c.OrganisationsSuppressed || c.MinCount != 5 {
			t.Errorf("five testimonies through one organisation, for the public: %+v", c)
		}
		if c := anon["harm-from-military-operations BFA"]; c.Testimonies != 0 || c.Organisations != 0 || !c.Suppressed {
			t.Errorf("one testimony, for the public: %+v", c)
		}
		if c := cells(w.v["editor"])["harm-from-military-operations BFA"]; c.Testimonies != 1 || c.Organisations != 1 || c.Suppressed {
			t.Errorf("one testimony, for a signed-in editor: %+v", c)
		}
		pairs, err := db.ThemeCooccurrence(ctx, aftermath.Anonymous)
		if err != nil || len(pairs) != 1 || pairs[0].Testimonies != 0 || !pairs[0].Suppressed {
			t.Errorf("a pair heard once, for the public: %v %+v", err, pairs)
		}
		db.SetPublicMinCount(1)
		defer db.SetPublicMinCount(0)
		if c := cells(aftermath.Anonymous)["harm-from-military-operations BFA"]; c.Testimonies != 1 || c.Suppressed {
			t.Errorf("one testimony with a minimum of 1: %+v", c)
		}
		if db.SetPublicMinCount(0); db.PublicMinCount() != sqldb.DefaultPublicMinCount {
			t.Errorf("reset minimum: %d", db.PublicMinCount())
		}
	})
}
