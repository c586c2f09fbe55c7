package sqldb_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

// voices is a small world for testimony tests: an owning organisation
// (hub) with a member of every role, a partner organisation it shares
// with (ally), an unrelated one (far), and their viewers.
type voices struct {
	db             *sqldb.DB
	vs             *sqldb.Voices
	kek            *vault.KEK
	hub, ally, far int64
	users          map[string]int64
	v              map[string]aftermath.Viewer
}

// roles are the viewers every access test walks.
var roles = []string{"system", "admin", "editor", "researcher", "contributor", "contributor2", "viewer", "partner", "outsider", "anonymous"}

func newVoices(t *testing.T, db *sqldb.DB) *voices {
	t.Helper()
	ctx := context.Background()
	kek, err := vault.GenerateKEK()
	if err != nil {
		t.Fatal(err)
	}
	w := &voices{db: db, vs: db.Voices(kek), kek: kek, users: map[string]int64{}, v: map[string]aftermath.Viewer{
		"system": aftermath.System, "anonymous": aftermath.Anonymous}}
	for _, u := range []struct{ name, org, role string }{
		{"admin", "hub", aftermath.RoleAdmin}, {"editor", "hub", aftermath.RoleEditor}, {"researcher", "hub", aftermath.RoleResearcher},
		{"contributor", "hub", aftermath.RoleContributor}, {"contributor2", "hub", aftermath.RoleContributor}, {"viewer", "hub", aftermath.RoleViewer},
		{"partner", "ally", aftermath.RoleEditor}, {"outsider", "far", aftermath.RoleAdmin},
	} {
		user, err := db.CreateUser(ctx, sqldb.NewUser{Email: u.name + "@example.org", Name: u.name, PasswordHash: "$argon2id$test", OrgSlug: u.org, Role: u.role})
		if err != nil {
			t.Fatal(err)
		}
		w.users[u.name] = user.ID
		if w.v[u.name], err = db.Viewer(ctx, user); err != nil {
			t.Fatal(err)
		}
	}
	for slug, id := range map[string]*int64{"hub": &w.hub, "ally": &w.ally, "far": &w.far} {
		o, err := db.Organisation(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		*id = o.ID
	}
	if err := db.SharePartners(ctx, w.hub, w.ally); err != nil {
		t.Fatal(err)
	}
	// The partner's viewer was made before the sharing.
	u, _ := db.User(ctx, w.users["partner"])
	w.v["partner"], _ = db.Viewer(ctx, u)
	return w
}

func (w *voices) input(body string) *aftermath.TestimonyInput {
	return &aftermath.TestimonyInput{
		Date: "2024-03", Country: "MLI", Admin1: "Mopti", OwnerOrgID: w.hub, PartnerOrgID: w.ally, Language: "fr", Body: body,
		Consent:  &aftermath.Consent{Level: aftermath.ConsentAnonymous, Method: aftermath.ConsentOral, RecordedBy: "A. Traoré", RecordedAt: "2024-03-02"},
		Audience: aftermath.AudiencePublic, RetainUntil: "2040-01-01", Themes: []string{"harm-from-military-operations"},
	}
}

func (w *voices) create(t *testing.T, as string, in *aftermath.TestimonyInput) int64 {
	t.Helper()
	id, err := w.vs.CreateTestimony(context.Background(), w.v[as], in)
	if err != nil {
		t.Fatalf("create as %s: %v", as, err)
	}
	return id
}

// approve takes a testimony through review: the editor starts and
// redacts, the admin approves.
func (w *voices) approve(t *testing.T, id int64, a aftermath.Audience, spans ...aftermath.RedactionSpan) {
	t.Helper()
	ctx := context.Background()
	ed := w.v["editor"]
	if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewStart}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.vs.Redact(ctx, ed, id, spans); err != nil {
		t.Fatal(err)
	}
	// The admin approves: four eyes, whoever submitted it.
	if err := w.vs.Review(ctx, w.v["admin"], id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: a}); err != nil {
		t.Fatal(err)
	}
}

// span marks the first occurrence of part in text (in code points).
func span(text, part, reason string) aftermath.RedactionSpan {
	i := strings.Index(text, part)
	start := len([]rune(text[:i]))
	return aftermath.RedactionSpan{Start: start, End: start + len([]rune(part)), Reason: reason}
}

func code(err error) string { return aftermath.ErrorCode(err) }

// raw opens the test database directly, as someone with file or server
// access would, bypassing the store.
func raw(t *testing.T, db *sqldb.DB) *sql.DB {
	t.Helper()
	var r *sql.DB
	var err error
	if db.Driver == sqldb.SQLite {
		r, err = sql.Open("sqlite", "file:"+db.Name()+"?_pragma=busy_timeout(10000)")
	} else {
		r, err = sql.Open("pgx", db.Name())
	}
	if err != nil {
		t.Fatal(err)
	}
	r.SetMaxOpenConns(1)
	t.Cleanup(func() { r.Close() })
	return r
}

func TestTestimonyConsentLimits(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		// Every consent level against every audience, on create.
		for _, level := range aftermath.ConsentLevels {
			for _, a := range aftermath.Audiences {
				in := w.input("Les soldats sont venus la nuit.")
				in.Consent.Level, in.Audience = level, a
				in.Readers = []int64{w.users["editor"]}
				_, err := w.vs.CreateTestimony(ctx, w.v["editor"], in)
				allowed := level != aftermath.ConsentInternal || a == aftermath.AudienceConfidential || a == aftermath.AudienceInternal
				if allowed && err != nil {
					t.Errorf("%s / %s refused: %v", level, a, err)
				}
				if !allowed && (code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), `field "audience": consent internal-only allows at most internal`)) {
					t.Errorf("%s / %s: %v", level, a, err)
				}
			}
		}
		// No consent record, no testimony.
		in := w.input("Sans consentement.")
		in.Consent = nil
		if _, err := w.vs.CreateTestimony(ctx, w.v["editor"], in); code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), `field "consent"`) {
			t.Errorf("no consent: %v", err)
		}
		in = w.input("Consentement incomplet.")
		in.Consent.Method = "telepathy"
		if _, err := w.vs.CreateTestimony(ctx, w.v["editor"], in); code(err) != aftermath.EINVALID {
			t.Errorf("bad method: %v", err)
		}
		// Contact details need consent to be contacted again.
		in = w.input("Avec contact.")
		in.Identity = &aftermath.SpeakerIdentity{Name: "Aïcha", Contact: "+223 00 00 00 00"}
		if _, err := w.vs.CreateTestimony(ctx, w.v["editor"], in); code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "contacted again") {
			t.Errorf("contact without consent: %v", err)
		}
		in.Consent.MayContact = true
		id := w.create(t, "editor", in)
		// Narrowing consent while contact details are stored is refused.
		in.Consent.MayContact = false
		if err := w.vs.UpdateTestimony(ctx, w.v["editor"], id, in); code(err) != aftermath.EINVALID {
			t.Errorf("narrowed consent kept contact: %v", err)
		}

		// Approval: never wider than consent allows.
		in = w.input("Interne seulement.")
		in.Consent.Level, in.Audience = aftermath.ConsentInternal, aftermath.AudienceInternal
		id = w.create(t, "contributor", in)
		ed := w.v["editor"]
		if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewStart}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.vs.Redact(ctx, ed, id, nil); err != nil {
			t.Fatal(err)
		}
		for _, a := range []aftermath.Audience{aftermath.AudiencePartners, aftermath.AudiencePublic} {
			err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: a})
			if code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "consent internal-only allows at most internal") {
				t.Errorf("approved internal-only for %s: %v", a, err)
			}
		}
		// The database refuses it too, whatever the code does.
		r := raw(t, db)
		if _, err := r.ExecContext(ctx, rebind(db, `UPDATE testimonies SET audience = 'public' WHERE id = ?`), id); err == nil {
			t.Error("the database let an internal-only testimony become public")
		}
		// Widening the clear consent level behind the store's back is caught
		// against the sealed record.
		if _, err := r.ExecContext(ctx, rebind(db, `UPDATE testimonies SET consent_level = 'attributed-publication' WHERE id = ?`), id); err != nil {
			t.Fatal(err)
		}
		err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: aftermath.AudiencePublic})
		if err == nil || !strings.Contains(err.Error(), "consent level was altered") {
			t.Errorf("approval after tampering: %v", err)
		}
		if _, err := w.vs.TestimonyOriginal(ctx, ed, id); err == nil || !strings.Contains(err.Error(), "altered") {
			t.Errorf("reading after tampering: %v", err)
		}
	})
}

func rebind(db *sqldb.DB, q string) string {
	if db.Driver != sqldb.Postgres {
		return q
	}
	n := 0
	var b strings.Builder
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + string(rune('0'+n)))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// TestTestimonyAccessForEveryRole walks one testimony through submission,
// approval for partners and approval for the public, and checks at each
// step what every role may see and do.
func TestTestimonyAccessForEveryRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		body := "Je m'appelle Aïcha Maïga. Les militaires ont brûlé le marché de Sévaré."
		in := w.input(body)
		in.Identity = &aftermath.SpeakerIdentity{Name: "Aïcha Maïga"}
		in.Translations = map[string]string{"en": "My name is Aïcha Maïga. The soldiers burned the market in Sévaré."}
		id := w.create(t, "contributor", in)

		type want struct {
			see, original, review, delete, edit bool
		}
		check := func(stage string, expect map[string]want, redacted string) {
			t.Helper()
			for _, role := range roles {
				v, e := w.v[role], expect[role]
				tm, err := w.vs.Testimony(ctx, v, id)
				if e.see != (err == nil) || (!e.see && code(err) != aftermath.ENOTFOUND) {
					t.Errorf("%s: %s sees it: %v, want %v", stage, role, err, e.see)
					continue
				}
				list, _ := db.Testimonies(ctx, v, sqldb.TestimonyFilter{})
				if (len(list) == 1) != e.see {
					t.Errorf("%s: %s lists %d testimonies", stage, role, len(list))
				}
				c, err := w.vs.TestimonyOriginal(ctx, v, id)
				switch {
				case e.original && (err != nil || c.Body != body || c.Translations["en"] == ""):
					t.Errorf("%s: %s reads the original: %v", stage, role, err)
				case !e.original && e.see && code(err) != aftermath.EFORBIDDEN:
					t.Errorf("%s: %s reads the original: %v, want forbidden", stage, role, err)
				case !e.see && code(err) != aftermath.ENOTFOUND:
					t.Errorf("%s: %s reads the original of a testimony it cannot see: %v", stage, role, err)
				}
				ident, err := w.vs.TestimonyIdentity(ctx, v, id)
				if e.original != (err == nil && ident != nil && ident.Name == "Aïcha Maïga") {
					t.Errorf("%s: %s reads the identity: %v %v", stage, role, ident, err)
				}
				if !e.see {
					continue
				}
				if tm.Can.ReadOriginal != e.original || tm.Can.Review != e.review || tm.Can.Delete != e.delete || tm.Can.Edit != e.edit {
					t.Errorf("%s: %s may %+v", stage, role, tm.Can)
				}
				if !e.original && (tm.RedactedBody != redacted || strings.Contains(tm.RedactedTranslations["en"], "Aïcha")) {
					t.Errorf("%s: %s gets %q", stage, role, tm.RedactedBody)
				}
				// Every refusal is enforced, not just advertised.
				if !e.review {
					if err := w.vs.Review(ctx, v, id, aftermath.ReviewInput{Action: aftermath.ReviewReopen}); code(err) != aftermath.EFORBIDDEN {
						t.Errorf("%s: %s reviews: %v", stage, role, err)
					}
					if _, err := w.vs.Redact(ctx, v, id, nil); code(err) != aftermath.EFORBIDDEN {
						t.Errorf("%s: %s redacts: %v", stage, role, err)
					}
				}
				if !e.delete {
					if err := db.DeleteTestimony(ctx, v, id); code(err) != aftermath.EFORBIDDEN {
						t.Errorf("%s: %s deletes: %v", stage, role, err)
					}
				}
				if !e.edit {
					if err := w.vs.UpdateTestimony(ctx, v, id, w.input("réécrit")); code(err) != aftermath.EFORBIDDEN && code(err) != aftermath.ECONFLICT {
						t.Errorf("%s: %s edits: %v", stage, role, err)
					}
				}
				if !e.edit && !e.review {
					if err := w.vs.SetTestimonyIdentity(ctx, v, id, nil); code(err) != aftermath.EFORBIDDEN {
						t.Errorf("%s: %s removes the identity: %v", stage, role, err)
					}
				}
			}
		}
		all := want{true, true, true, true, true}
		reader := want{see: true, original: true}
		redactedOnly := want{see: true}
		submitted := map[string]want{
			"system": all, "admin": all, "editor": all, "researcher": reader,
			"contributor": {see: true, original: true, delete: true, edit: true},
		}
		check("submitted", submitted, "")

		// The submitter may still change it; another contributor may not.
		if err := w.vs.UpdateTestimony(ctx, w.v["contributor"], id, in); err != nil {
			t.Errorf("submitter edits: %v", err)
		}
		redacted := "Je m'appelle [redacted: name]. Les militaires ont brûlé le marché de [redacted: place]."
		spans := []aftermath.RedactionSpan{span(body, "Aïcha Maïga", aftermath.RedactName), span(body, "Sévaré", aftermath.RedactPlace)}
		en := in.Translations["en"]
		for _, s := range []aftermath.RedactionSpan{span(en, "Aïcha Maïga", aftermath.RedactName), span(en, "Sévaré", aftermath.RedactPlace)} {
			s.Lang = "en"
			spans = append(spans, s)
		}
		w.approve(t, id, aftermath.AudiencePartners, spans...)
		approved := map[string]want{
			"system": all, "admin": {see: true, original: true, review: true, delete: true}, "editor": {see: true, original: true, review: true, delete: true},
			"researcher": reader, "contributor": reader, "viewer": redactedOnly, "partner": redactedOnly,
		}
		check("approved for partners", approved, redacted)

		if err := w.vs.Review(ctx, w.v["admin"], id, aftermath.ReviewInput{Action: aftermath.ReviewReopen}); err != nil {
			t.Fatal(err)
		}
		check("reopened", map[string]want{
			"system": all, "admin": all, "editor": all, "researcher": reader, "contributor": {see: true, original: true, delete: true},
		}, redacted)
		if err := w.vs.Review(ctx, w.v["editor"], id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: aftermath.AudiencePublic}); err != nil {
			t.Fatal(err)
		}
		for _, r := range []string{"contributor2", "outsider", "anonymous"} {
			approved[r] = redactedOnly
		}
		check("approved for the public", approved, redacted)

		// A confidential testimony: only its named readers and its submitter.
		in = w.input("Ce que j'ai vu au camp.")
		in.Audience, in.Readers = aftermath.AudienceConfidential, []int64{w.users["researcher"], w.users["viewer"]}
		cid := w.create(t, "editor", in)
		for role, see := range map[string]bool{"system": true, "editor": true, "researcher": true, "viewer": true,
			"admin": false, "contributor": false, "partner": false, "anonymous": false} {
			_, err := w.vs.TestimonyOriginal(ctx, w.v[role], cid)
			if see != (err == nil) {
				t.Errorf("confidential: %s reads it: %v", role, err)
			}
		}
		// Contributors submit; viewers and researchers do not.
		for role, ok := range map[string]bool{"contributor": true, "editor": true, "admin": true, "researcher": false, "viewer": false, "partner": false, "anonymous": false} {
			_, err := w.vs.CreateTestimony(ctx, w.v[role], w.input("Nouvelle."))
			if ok != (err == nil) || (!ok && code(err) != aftermath.EFORBIDDEN) {
				t.Errorf("%s submits: %v", role, err)
			}
		}
		// Deleting as the editor, at last.
		if err := db.DeleteTestimony(ctx, w.v["editor"], id); err != nil {
			t.Fatal(err)
		}
		if _, err := w.vs.Testimony(ctx, aftermath.System, id); code(err) != aftermath.ENOTFOUND {
			t.Errorf("deleted testimony: %v", err)
		}
	})
}

func TestTestimonyReviewAndRedaction(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		body := "Omar Diallo dit : la milice soutenue a pris nos vaches près de Boni."
		in := w.input(body)
		in.Identity = &aftermath.SpeakerIdentity{Name: "Omar Diallo"}
		in.Locality = "Boni"
		id := w.create(t, "contributor", in)
		ed, own := w.v["editor"], w.v["contributor"]

		// Steps out of order are refused.
		if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: aftermath.AudiencePublic}); code(err) != aftermath.ECONFLICT {
			t.Errorf("approve before review: %v", err)
		}
		if _, err := w.vs.Redact(ctx, ed, id, nil); code(err) != aftermath.ECONFLICT {
			t.Errorf("redact before review: %v", err)
		}
		if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewStart}); err != nil {
			t.Fatal(err)
		}
		if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: aftermath.AudiencePublic}); code(err) != aftermath.EINVALID {
			t.Errorf("approve without redaction: %v", err)
		}
		if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewReturn}); code(err) != aftermath.EINVALID {
			t.Errorf("return without a note: %v", err)
		}
		if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewReturn, Note: "Précisez la date."}); err != nil {
			t.Fatal(err)
		}
		if err := w.vs.Review(ctx, own, id, aftermath.ReviewInput{Action: aftermath.ReviewResubmit}); err != nil {
			t.Fatalf("submitter resubmits: %v", err)
		}
		if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewStart}); err != nil {
			t.Fatal(err)
		}
		// Bad spans.
		for _, s := range [][]aftermath.RedactionSpan{
			{{Start: 5, End: 500, Reason: aftermath.RedactName}},
			{{Start: 0, End: 3, Reason: "dislike"}},
			{{Start: 0, End: 5, Reason: aftermath.RedactName}, {Start: 3, End: 8, Reason: aftermath.RedactName}},
			{{Lang: "de", Start: 0, End: 1, Reason: aftermath.RedactName}},
		} {
			if _, err := w.vs.Redact(ctx, ed, id, s); code(err) != aftermath.EINVALID {
				t.Errorf("spans %v: %v", s, err)
			}
		}
		// Only the name redacted: the place is still there, so public
		// approval is refused; internal is fine.
		got, err := w.vs.Redact(ctx, ed, id, []aftermath.RedactionSpan{span(body, "Omar Diallo", aftermath.RedactName)})
		if err != nil || got != "[redacted: name] dit : la milice soutenue a pris nos vaches près de Boni." {
			t.Fatalf("redact = %q, %v", got, err)
		}
		err = w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: aftermath.AudiencePublic})
		if code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "exact place") {
			t.Errorf("approve with the place left: %v", err)
		}
		want := "[redacted: name] dit : la milice soutenue a pris nos vaches près de [redacted: place]."
		if got, err = w.vs.Redact(ctx, ed, id, []aftermath.RedactionSpan{span(body, "Omar Diallo", aftermath.RedactName), span(body, "Boni", aftermath.RedactPlace)}); err != nil || got != want {
			t.Fatalf("redact = %q, %v", got, err)
		}
		if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: aftermath.AudiencePublic, Note: "ok"}); err != nil {
			t.Fatal(err)
		}
		pub, err := w.vs.Testimony(ctx, aftermath.Anonymous, id)
		if err != nil || pub.RedactedBody != want || pub.State != aftermath.StateApproved || pub.Audience != aftermath.AudiencePublic {
			t.Fatalf("public view %+v %v", pub, err)
		}
		// The original is untouched and the history says who did what.
		c, err := w.vs.TestimonyOriginal(ctx, ed, id)
		if err != nil || c.Body != body || c.Locality != "Boni" || len(c.Redactions) != 2 {
			t.Fatalf("original %+v %v", c, err)
		}
		var steps []string
		for _, s := range c.Reviews {
			steps = append(steps, s.Action+":"+string(s.To))
			if s.At.IsZero() {
				t.Errorf("step %s has no time", s.Action)
			}
		}
		if strings.Join(steps, " ") != "submit:submitted start:in_review return:returned resubmit:submitted start:in_review redact:in_review redact:in_review approve:approved" {
			t.Errorf("steps %v", steps)
		}
		if c.Reviews[2].Note != "Précisez la date." || c.Reviews[2].ActorID != w.users["editor"] || c.Reviews[3].ActorID != w.users["contributor"] {
			t.Errorf("return step %+v", c.Reviews[2])
		}
		// Approved: changes need a reopen; reopening withdraws it at once.
		if err := w.vs.UpdateTestimony(ctx, ed, id, in); code(err) != aftermath.ECONFLICT {
			t.Errorf("update while approved: %v", err)
		}
		if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewReopen}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.vs.Testimony(ctx, aftermath.Anonymous, id); code(err) != aftermath.ENOTFOUND {
			t.Errorf("reopened testimony still public: %v", err)
		}
		// A changed body clears the redaction; a changed theme keeps it.
		in.Themes = []string{"abuses-by-backed-partner-forces"}
		if err := w.vs.UpdateTestimony(ctx, ed, id, in); err != nil {
			t.Fatal(err)
		}
		if tm, _ := w.vs.Testimony(ctx, ed, id); !tm.Redacted || tm.Themes[0] != "abuses-by-backed-partner-forces" {
			t.Errorf("after a theme change: %+v", tm.TestimonySummary)
		}
		in.Body += " Encore."
		if err := w.vs.UpdateTestimony(ctx, ed, id, in); err != nil {
			t.Fatal(err)
		}
		if tm, _ := w.vs.Testimony(ctx, ed, id); tm.Redacted || tm.RedactedBody != "" {
			t.Errorf("a body change kept the redaction: %+v", tm)
		}
		// Removing the identity destroys it with its key.
		if err := w.vs.SetTestimonyIdentity(ctx, ed, id, nil); err != nil {
			t.Fatal(err)
		}
		if ident, err := w.vs.TestimonyIdentity(ctx, ed, id); ident != nil || err != nil {
			t.Errorf("identity after removal: %v %v", ident, err)
		}
	})
}

func TestTestimonyKeyRotation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		in := w.input("Le texte chiffré sous l'ancienne clé.")
		in.Identity = &aftermath.SpeakerIdentity{Name: "Fatou"}
		in.Translations = map[string]string{"en": "Text under the old key."}
		id := w.create(t, "editor", in)
		id2 := w.create(t, "editor", w.input("Un second témoignage."))
		w.approve(t, id2, aftermath.AudiencePublic)

		next, _ := vault.GenerateKEK()
		n, err := db.RewrapDataKeys(ctx, w.kek, next)
		if err != nil || n != 3 {
			t.Fatalf("rewrapped %d keys: %v", n, err)
		}
		counts, _ := db.DataKeyCounts(ctx)
		if len(counts) != 1 || counts[next.ID()] != 3 {
			t.Errorf("data keys by KEK: %v", counts)
		}
		// The old key opens nothing now, and says why.
		_, err = w.vs.TestimonyOriginal(ctx, aftermath.System, id)
		if err == nil || !strings.Contains(err.Error(), "wrapped by key "+next.ID()) || !strings.Contains(err.Error(), w.kek.ID()) {
			t.Errorf("old key: %v", err)
		}
		if _, err := w.vs.QuoteBank(ctx, aftermath.Anonymous, sqldb.QuoteFilter{}); err == nil {
			t.Error("old key opened the quote bank")
		}
		// The new key opens everything.
		nv := db.Voices(next)
		c, err := nv.TestimonyOriginal(ctx, aftermath.System, id)
		if err != nil || c.Body != in.Body || c.Translations["en"] != "Text under the old key." {
			t.Fatalf("new key: %+v %v", c, err)
		}
		if ident, err := nv.TestimonyIdentity(ctx, aftermath.System, id); err != nil || ident.Name != "Fatou" {
			t.Errorf("identity under the new key: %v %v", ident, err)
		}
		all, err := nv.QuoteBank(ctx, aftermath.Anonymous, sqldb.QuoteFilter{})
		if err != nil || len(all) != 1 {
			t.Fatalf("quotes under the new key: %v %v", all, err)
		}
		// A brief's {{quote testimony=ID}} picks that one quote, and no other.
		quoted := all[0].TestimonyID
		if q, err := nv.QuoteBank(ctx, aftermath.Anonymous, sqldb.QuoteFilter{Testimony: quoted}); err != nil || len(q) != 1 || q[0].TestimonyID != quoted {
			t.Errorf("the quote of testimony %d: %v %v", quoted, q, err)
		}
		if q, err := nv.QuoteBank(ctx, aftermath.Anonymous, sqldb.QuoteFilter{Testimony: id}); err != nil || len(q) != 0 {
			t.Errorf("the quote of testimony %d, which is not approved: %v %v", id, q, err)
		}
		if q, err := nv.QuoteBank(ctx, aftermath.Anonymous, sqldb.QuoteFilter{Testimony: quoted + 1000}); err != nil || len(q) != 0 {
			t.Errorf("the quote of a testimony that does not exist: %v %v", q, err)
		}
		// New records are wrapped by the new key.
		if _, err := nv.CreateTestimony(ctx, aftermath.System, w.input("Après la rotation.")); err != nil {
			t.Fatal(err)
		}
		// Running it again (after a crash) re-wraps nothing; a third, unknown
		// key is refused.
		if n, err := db.RewrapDataKeys(ctx, w.kek, next); err != nil || n != 0 {
			t.Errorf("second run: %d %v", n, err)
		}
		stranger, _ := vault.GenerateKEK()
		if _, err := db.RewrapDataKeys(ctx, stranger, w.kek); err == nil {
			t.Error("rewrapped from a key that wraps nothing here")
		}
		// A wrong key or none gives a clear error, never garbage.
		if _, err := db.Voices(stranger).TestimonyOriginal(ctx, aftermath.System, id); err == nil || !strings.Contains(err.Error(), "load the right key file") {
			t.Errorf("stranger key: %v", err)
		}
		if _, err := db.Voices(nil).TestimonyOriginal(ctx, aftermath.System, id); err == nil || !strings.Contains(err.Error(), "no key-encryption key") {
			t.Errorf("no key: %v", err)
		}
		if _, err := db.Voices(nil).CreateTestimony(ctx, aftermath.System, w.input("x")); err == nil || !strings.Contains(err.Error(), "aftermath key init") {
			t.Errorf("create without key: %v", err)
		}
		// Listing metadata needs no key.
		if list, err := db.Testimonies(ctx, aftermath.System, sqldb.TestimonyFilter{}); err != nil || len(list) != 3 {
			t.Errorf("list: %d %v", len(list), err)
		}
		// A tampered wrapped key does not open.
		r := raw(t, db)
		if _, err := r.ExecContext(ctx, rebind(db, `UPDATE data_keys SET wrapped = ? WHERE record_type = 'testimony' AND record_id = ?`), make([]byte, 73), id); err != nil {
			t.Fatal(err)
		}
		if _, err := nv.TestimonyOriginal(ctx, aftermath.System, id); err == nil || !strings.Contains(err.Error(), "does not open") {
			t.Errorf("tampered key: %v", err)
		}
		entries, _ := db.AuditEntries(ctx, aftermath.System, sqldb.AuditFilter{Action: aftermath.AuditKeyRotate})
		if len(entries) != 2 || !strings.Contains(entries[1].Detail, "3 data keys re-wrapped") {
			t.Errorf("rotation audit %+v", entries)
		}
	})
}

func TestPurgeExpired(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		var ids []int64
		for _, until := range []string{"2030-01-01", "2031-05-31", "2031-06-01", "2040-01-01"} {
			in := w.input("À garder jusqu'au " + until)
			in.RetainUntil = until
			in.Identity = &aftermath.SpeakerIdentity{Name: "X " + until}
			ids = append(ids, w.create(t, "editor", in))
		}
		now, _ := time.Parse(time.DateOnly, "2031-06-01")
		n, err := db.PurgeExpired(ctx, now)
		if err != nil || n != 2 {
			t.Fatalf("purged %d, %v", n, err)
		}
		list, _ := db.Testimonies(ctx, aftermath.System, sqldb.TestimonyFilter{})
		if len(list) != 2 || list[0].ID != ids[3] || list[1].ID != ids[2] {
			t.Errorf("left %+v", list)
		}
		counts, _ := db.DataKeyCounts(ctx)
		if counts[w.kek.ID()] != 4 {
			t.Errorf("data keys left %v (want 2 testimonies × 2)", counts)
		}
		for _, id := range ids[:2] {
			if _, err := w.vs.TestimonyOriginal(ctx, aftermath.System, id); code(err) != aftermath.ENOTFOUND {
				t.Errorf("purged %d: %v", id, err)
			}
		}
		e, _ := db.AuditEntries(ctx, aftermath.System, sqldb.AuditFilter{Action: aftermath.AuditPurge})
		if len(e) != 2 || e[0].RecordID != ids[1] || !strings.Contains(e[0].Detail, "2031-05-31") {
			t.Errorf("purge entries %+v", e)
		}
		if n, err := db.PurgeExpired(ctx, now); n != 0 || err != nil {
			t.Errorf("second purge %d %v", n, err)
		}
	})
}

func TestAuditChainDetectsTampering(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		id := w.create(t, "contributor", w.input("Un."))
		w.approve(t, id, aftermath.AudiencePublic)
		if _, err := w.vs.TestimonyOriginal(ctx, w.v["researcher"], id); err != nil {
			t.Fatal(err)
		}
		// A batch that fails writes nothing, audit included.
		bad := w.input("Deux.")
		bad.Country = "XXX"
		if _, err := w.vs.CreateTestimonies(ctx, aftermath.System, []*aftermath.TestimonyInput{w.input("Un bis."), bad}); err == nil {
			t.Fatal("bad batch stored")
		} else if ie := new(sqldb.ItemError); !asItem(err, &ie) || ie.Index != 1 || !strings.Contains(err.Error(), `field "country"`) {
			t.Errorf("batch error %v", err)
		}
		rep, err := db.AuditVerify(ctx)
		if err != nil || rep.Break != nil || rep.Entries != 5 {
			t.Fatalf("intact log: %+v %v", rep, err)
		}
		entries, _ := db.AuditEntries(ctx, w.v["admin"], sqldb.AuditFilter{RecordType: "testimony", RecordID: id})
		var acts []string
		for _, e := range entries {
			acts = append(acts, e.Action)
			if e.Hash == "" || (e.ID > 1 && e.PrevHash == "") {
				t.Errorf("entry %+v", e)
			}
		}
		if strings.Join(acts, " ") != "read-confidential review review review create" {
			t.Errorf("actions %v", acts)
		}
		if entries[0].ActorID != w.users["researcher"] || entries[4].ActorID != w.users["contributor"] {
			t.Errorf("actors %+v", entries)
		}
		if _, err := db.AuditEntries(ctx, w.v["editor"], sqldb.AuditFilter{}); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("editor reads the audit log: %v", err)
		}
		head := rep.Head

		r := raw(t, db)
		// The table refuses changes through SQL as long as its triggers stand.
		if _, err := r.ExecContext(ctx, `UPDATE audit_log SET detail = 'x' WHERE id = 3`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("update allowed: %v", err)
		}
		// Someone with direct access removes them and alters entry 3.
		if db.Driver == sqldb.SQLite {
			_, err = r.ExecContext(ctx, `DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete`)
		} else {
			_, err = r.ExecContext(ctx, `ALTER TABLE audit_log DISABLE TRIGGER USER`)
		}
		if err != nil {
			t.Fatal(err)
		}
		var detail string
		r.QueryRowContext(ctx, `SELECT detail FROM audit_log WHERE id = 3`).Scan(&detail)
		if _, err := r.ExecContext(ctx, `UPDATE audit_log SET detail = 'nothing happened' WHERE id = 3`); err != nil {
			t.Fatal(err)
		}
		rep, _ = db.AuditVerify(ctx)
		if rep.Break == nil || rep.Break.ID != 3 || !strings.Contains(rep.Break.Reason, "altered") {
			t.Errorf("altered entry: %+v", rep.Break)
		}
		// Put it back: intact again. Then remove entry 4.
		r.ExecContext(ctx, rebind(db, `UPDATE audit_log SET detail = ? WHERE id = 3`), detail)
		if rep, _ = db.AuditVerify(ctx); rep.Break != nil {
			t.Fatalf("restored: %+v", rep.Break)
		}
		if _, err := r.ExecContext(ctx, `DELETE FROM audit_log WHERE id = 4`); err != nil {
			t.Fatal(err)
		}
		rep, _ = db.AuditVerify(ctx, head)
		if rep.Break == nil || rep.Break.ID != 5 || !strings.Contains(rep.Break.Reason, "does not follow entry 3") || rep.Entries != 4 {
			t.Errorf("removed entry: %+v", rep)
		}
		// Cutting off the tail leaves a sound chain, but the noted head is gone.
		r.ExecContext(ctx, `DELETE FROM audit_log WHERE id >= 4`)
		rep, _ = db.AuditVerify(ctx, head)
		if rep.Break != nil || len(rep.Missing) != 1 || rep.Missing[0] != head {
			t.Errorf("truncated: %+v", rep)
		}
		// And removing the first entry is seen too.
		r.ExecContext(ctx, `DELETE FROM audit_log WHERE id = 1`)
		rep, _ = db.AuditVerify(ctx)
		if rep.Break == nil || rep.Break.ID != 2 || !strings.Contains(rep.Break.Reason, "does not start here") {
			t.Errorf("first removed: %+v", rep.Break)
		}
	})
}

func asItem(err error, target **sqldb.ItemError) bool {
	ie, ok := err.(*sqldb.ItemError)
	if ok {
		*target = ie
	}
	return ok
}

func TestThemesMatrixAndQuotes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		// Small counts, which this world is made of, are shown to the
		// public here; their suppression is TestPublicCountsBelowTheMinimumAreSuppressed.
		db.SetPublicMinCount(1)
		defer db.SetPublicMinCount(0)
		themes, err := db.Themes(ctx)
		if err != nil || len(themes) != 9 {
			t.Fatalf("seeded themes %d %v", len(themes), err)
		}
		for _, th := range themes {
			if th.NameFR == "" || th.NameAR == "" || th.Description == "" || th.Name("ar") != th.NameAR {
				t.Errorf("theme %+v", th)
			}
		}
		// Codebook edits: admins only; a theme in use is kept.
		nt := &aftermath.Theme{Slug: "land-grabs", NameEN: "Land grabs"}
		if err := db.CreateTheme(ctx, w.v["editor"], nt); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("editor edits the codebook: %v", err)
		}
		if err := db.CreateTheme(ctx, w.v["admin"], nt); err != nil {
			t.Fatal(err)
		}
		nt.NameFR = "Accaparement des terres"
		if err := db.UpdateTheme(ctx, w.v["admin"], nt); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateTheme(ctx, w.v["admin"], &aftermath.Theme{Slug: "land-grabs", NameEN: "Again"}); code(err) != aftermath.ECONFLICT {
			t.Errorf("duplicate slug: %v", err)
		}

		harm, abuse, civic := "harm-from-military-operations", "abuses-by-backed-partner-forces", "shrinking-civic-space"
		org2 := w.far
		mk := func(country string, partner int64, level aftermath.ConsentLevel, approve bool, name string, th ...string) int64 {
			in := w.input("Témoignage de " + country + ".")
			in.Country, in.PartnerOrgID, in.Themes = country, partner, th
			in.Consent.Level = level
			if name != "" {
				in.Identity = &aftermath.SpeakerIdentity{Name: name}
			}
			id := w.create(t, "editor", in)
			if approve {
				w.approve(t, id, aftermath.AudiencePublic)
			}
			return id
		}
		mk("MLI", w.ally, aftermath.ConsentAnonymous, true, "Awa", harm, abuse)
		mk("NER", org2, aftermath.ConsentAttributed, true, "Moussa Keïta", harm, abuse)
		mk("NER", org2, aftermath.ConsentAnonymous, false, "", harm)
		mk("SOM", w.ally, aftermath.ConsentAttributed, true, "", harm, civic)
		mk("YEM", w.ally, aftermath.ConsentAnonymous, true, "", abuse)
		if err := db.DeleteTheme(ctx, w.v["admin"], themes[4].ID); code(err) != aftermath.ECONFLICT {
			t.Errorf("deleted a theme in use: %v", err)
		}
		if err := db.DeleteTheme(ctx, w.v["admin"], nt.ID); err != nil {
			t.Error(err)
		}

		cells := func(v aftermath.Viewer, by string) map[string][2]int {
			t.Helper()
			m, err := db.ThemeMatrix(ctx, v, by)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string][2]int{}
			for _, c := range m {
				out[c.Theme+"@"+c.Area] = [2]int{c.Testimonies, c.Organisations}
			}
			return out
		}
		got := cells(aftermath.System, sqldb.ByRegion)
		want := map[string][2]int{
			harm + "@Western Africa": {3, 2}, harm + "@Eastern Africa": {1, 1},
			abuse + "@Western Africa": {2, 2}, abuse + "@Western Asia": {1, 1},
			civic + "@Eastern Africa": {1, 1},
		}
		if !equalCells(got, want) {
			t.Errorf("system matrix %v", got)
		}
		// Anonymous visitors count only what was approved for the public.
		want[harm+"@Western Africa"] = [2]int{2, 2}
		if got := cells(aftermath.Anonymous, sqldb.ByRegion); !equalCells(got, want) {
			t.Errorf("anonymous matrix %v", got)
		}
		if got := cells(aftermath.System, sqldb.ByCountry); got[harm+"@Niger"] != [2]int{2, 1} || got[harm+"@Mali"] != [2]int{1, 1} {
			t.Errorf("by country %v", got)
		}
		if got := cells(aftermath.System, sqldb.ByContinent); got[harm+"@Africa"] != [2]int{4, 2} || got[abuse+"@Asia"] != [2]int{1, 1} {
			t.Errorf("by continent %v", got)
		}
		if _, err := db.ThemeMatrix(ctx, aftermath.System, "planet"); code(err) != aftermath.EINVALID {
			t.Errorf("by planet: %v", err)
		}
		pairs, err := db.ThemeCooccurrence(ctx, aftermath.Anonymous)
		if err != nil || len(pairs) != 2 || pairs[0] != (aftermath.ThemePair{A: abuse, B: harm, Testimonies: 2}) ||
			pairs[1] != (aftermath.ThemePair{A: harm, B: civic, Testimonies: 1}) {
			t.Errorf("pairs %+v %v", pairs, err)
		}

		quotes, err := w.vs.QuoteBank(ctx, aftermath.Anonymous, sqldb.QuoteFilter{Theme: harm})
		if err != nil || len(quotes) != 3 {
			t.Fatalf("quotes %+v %v", quotes, err)
		}
		for _, q := range quotes {
			switch q.Country {
			case "NER":
				if q.Attribution != "Moussa Keïta" || q.ConsentLevel != aftermath.ConsentAttributed {
					t.Errorf("attributed quote %+v", q)
				}
			case "MLI":
				if q.Attribution != "" || q.ConsentLevel != aftermath.ConsentAnonymous || q.Text != "Témoignage de MLI." {
					t.Errorf("anonymous quote %+v", q)
				}
			}
		}
	})
}

func equalCells(a, b map[string][2]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestAuditChainStaysLinearUnderConcurrentWrites: many writers at once
// (PostgreSQL runs them in parallel) still leave one unbroken chain.
func TestAuditChainStaysLinearUnderConcurrentWrites(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		const n = 12
		errs := make(chan error, n)
		for i := range n {
			go func() {
				id, err := w.vs.CreateTestimony(ctx, w.v["editor"], w.input("Témoignage "+string(rune('A'+i))))
				if err == nil {
					_, err = w.vs.TestimonyOriginal(ctx, w.v["researcher"], id)
				}
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		rep, err := db.AuditVerify(ctx)
		if err != nil || rep.Break != nil || rep.Entries != 2*n {
			t.Errorf("chain after concurrent writes: %+v %v", rep, err)
		}
	})
}
