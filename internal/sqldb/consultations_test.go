package sqldb_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/consult"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// consultQuestionnaire: a ranking, a choice and a free-text question.
func consultQuestionnaire(t *testing.T) consult.Questionnaire {
	t.Helper()
	q, err := consult.ParseText(`? priorities ranking required
en: What should change first?
fr: Que faudrait-il changer en premier ?
ar: ما الذي يجب أن يتغير أولاً؟
- a
  en: Protection of civilians
  ar: حماية المدنيين
- b
  en: Justice for abuses
- c
  en: Aid reaching the villages
- d
  en: Fewer checkpoints
? safe choice
en: Do you feel safe speaking out?
- yes
  en: Yes
- no
  en: No
? story text
en: Tell us what happened.
fr: Racontez-nous ce qui s’est passé.`)
	if err != nil {
		t.Fatal(err)
	}
	return *q
}

func (w *voices) consultation(audience aftermath.Audience) *sqldb.Consultation {
	return &sqldb.Consultation{
		Title:         consult.Text{"en": "Priorities for the mission", "fr": "Priorités pour la mission"},
		Description:   consult.Text{"en": "What partners want changed."},
		Purpose:       consult.Text{"en": "Your answers go to our advocacy report; free text is read and redacted before anything is published."},
		Questionnaire: consult.Questionnaire{},
		OwnerOrgID:    w.hub, Audience: audience, Country: "MLI", RetainUntil: "2040-01-01",
	}
}

func (w *voices) newConsultation(t *testing.T, audience aftermath.Audience, open bool) *sqldb.Consultation {
	t.Helper()
	c := w.consultation(audience)
	c.Questionnaire = consultQuestionnaire(t)
	if err := w.db.CreateConsultation(context.Background(), w.v["editor"], c); err != nil {
		t.Fatal(err)
	}
	if open {
		if err := w.db.SetConsultationState(context.Background(), w.v["editor"], c.ID, sqldb.ConsultOpen); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func (w *voices) invite(t *testing.T, c int64, in sqldb.InvitationInput) (*sqldb.Invitation, string) {
	t.Helper()
	inv, tok, err := w.db.CreateInvitation(context.Background(), w.v["editor"], c, in)
	if err != nil {
		t.Fatal(err)
	}
	return inv, tok
}

func response(ranking []string, choice, text string) *sqldb.ConsultationResponse {
	a := map[string]consult.Answer{"priorities": {Ranking: ranking}}
	if choice != "" {
		a["safe"] = consult.Answer{Choice: choice}
	}
	if text != "" {
		a["story"] = consult.Answer{Text: text}
	}
	return &sqldb.ConsultationResponse{Language: "fr", Answers: a, Consent: aftermath.ConsentAnonymous, Agreed: true}
}

func auditDetails(t *testing.T, db *sqldb.DB, recordType string, id int64) []string {
	t.Helper()
	es, err := db.AuditEntries(context.Background(), aftermath.System, sqldb.AuditFilter{RecordType: recordType, RecordID: id})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action+": "+e.Detail)
	}
	return out
}

func TestConsultationWhoMayDoWhat(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		for _, as := range []string{"researcher", "contributor", "viewer", "partner", "outsider", "anonymous"} {
			c := w.consultation(aftermath.AudienceInternal)
			c.Questionnaire = consultQuestionnaire(t)
			if err := db.CreateConsultation(ctx, w.v[as], c); code(err) != aftermath.EFORBIDDEN {
				t.Errorf("%s creates a consultation: %v", as, err)
			}
		}
		bad := w.consultation(aftermath.AudienceInternal)
		if err := db.CreateConsultation(ctx, w.v["editor"], bad); code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "questionnaire") {
			t.Errorf("no questions: %v", err)
		}
		bad.Questionnaire, bad.Purpose = consultQuestionnaire(t), nil
		if err := db.CreateConsultation(ctx, w.v["editor"], bad); code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "purpose") {
			t.Errorf("no purpose: %v", err)
		}
		long := w.consultation(aftermath.AudienceInternal)
		q, _ := consult.ParseText("? r ranking\nen: Rank\n- a\nen: A\n- b\nen: B\n- c\nen: C\n- d\nen: D\n- e\nen: E\n- f\nen: F\n- g\nen: G\n- h\nen: H\n- i\nen: I\n- j\nen: J\n- k\nen: K")
		long.Questionnaire = *q
		if err := db.CreateConsultation(ctx, w.v["editor"], long); code(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "at most 10 options") {
			t.Errorf("a ranking of 11 options: %v", err)
		}
		c := w.newConsultation(t, aftermath.AudienceInternal, false)
		if c.State != sqldb.ConsultDraft {
			t.Errorf("new consultation is %s", c.State)
		}
		// A draft is seen by those who manage it only.
		sees := func(want map[string]bool) {
			t.Helper()
			for as, ok := range want {
				got, err := db.Consultation(ctx, w.v[as], c.ID)
				if ok != (err == nil) || !ok && code(err) != aftermath.ENOTFOUND {
					t.Errorf("%s sees the %s consultation: %v", as, got.State, err)
				}
				list, _ := db.Consultations(ctx, w.v[as])
				if ok != (len(list) == 1) {
					t.Errorf("%s lists %d consultations", as, len(list))
				}
			}
		}
		sees(map[string]bool{"system": true, "admin": true, "editor": true, "researcher": false, "viewer": false, "partner": false, "anonymous": false})
		if err := db.SetConsultationState(ctx, w.v["researcher"], c.ID, sqldb.ConsultOpen); code(err) != aftermath.ENOTFOUND {
			t.Errorf("researcher opens a draft: %v", err)
		}
		if err := db.SetConsultationState(ctx, w.v["admin"], c.ID, sqldb.ConsultOpen); err != nil {
			t.Fatal(err)
		}
		// Open and internal: the owner's members see it; not the partner,
		// not the owner's contributors, not outsiders.
		sees(map[string]bool{"admin": true, "researcher": true, "viewer": true, "contributor": false, "partner": false, "outsider": false, "anonymous": false})
		got, _ := db.Consultation(ctx, w.v["viewer"], c.ID)
		if got.Manage || got.Title["fr"] != "Priorités pour la mission" || len(got.Questionnaire.Questions) != 3 || got.OwnerOrg != "hub" {
			t.Errorf("viewer's copy: %+v", got)
		}
		if got, _ := db.Consultation(ctx, w.v["editor"], c.ID); !got.Manage {
			t.Error("the editor does not manage it")
		}
		for as, want := range map[string]string{"researcher": aftermath.EFORBIDDEN, "viewer": aftermath.EFORBIDDEN, "partner": aftermath.ENOTFOUND, "outsider": aftermath.ENOTFOUND} {
			if _, _, err := db.CreateInvitation(ctx, w.v[as], c.ID, sqldb.InvitationInput{PartnerOrgID: w.ally}); code(err) != want {
				t.Errorf("%s invites: %v, want %s", as, err, want)
			}
			if _, err := db.Invitations(ctx, w.v[as], c.ID); code(err) != want {
				t.Errorf("%s lists invitations: %v, want %s", as, err, want)
			}
			if err := db.DeleteConsultation(ctx, w.v[as], c.ID); code(err) != want {
				t.Errorf("%s deletes: %v, want %s", as, err, want)
			}
		}
		// Open, the questionnaire is fixed.
		c.Title = consult.Text{"en": "Changed"}
		if err := db.UpdateConsultation(ctx, w.v["editor"], c); code(err) != aftermath.ECONFLICT {
			t.Errorf("update an open consultation: %v", err)
		}
		if err := db.SetConsultationState(ctx, w.v["editor"], c.ID, sqldb.ConsultDraft); code(err) != aftermath.ECONFLICT {
			t.Errorf("back to draft: %v", err)
		}
		// A draft can be changed.
		d := w.newConsultation(t, aftermath.AudienceInternal, false)
		d.Title = consult.Text{"en": "Changed", "ar": "عنوان"}
		if err := db.UpdateConsultation(ctx, w.v["admin"], d); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Consultation(ctx, w.v["admin"], d.ID); got.Title["ar"] != "عنوان" {
			t.Errorf("updated title: %v", got.Title)
		}
		if got := auditDetails(t, db, "consultation", c.ID); len(got) != 2 || !strings.HasPrefix(got[0], "update: state draft → open") || !strings.HasPrefix(got[1], "create: draft with 3 questions") {
			t.Errorf("audit of the consultation: %q", got)
		}
	})
}

func TestConsultationResponsesThroughLinks(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		c := w.newConsultation(t, aftermath.AudiencePublic, false)
		inv, tok := w.invite(t, c.ID, sqldb.InvitationInput{PartnerOrgID: w.ally})
		if inv.OrgName != "ally" || inv.Country != "MLI" || inv.State != sqldb.InvitationPending || len(tok) < 40 {
			t.Errorf("invitation: %+v, token %q", inv, tok)
		}
		// Only the token's hash is stored.
		var stored string
		if err := raw(t, db).QueryRow(`SELECT token_hash FROM consultation_invitations`).Scan(&stored); err != nil || stored == tok || len(stored) != 64 {
			t.Errorf("stored %q for token %q: %v", stored, tok, err)
		}
		// While a draft, the link does not work.
		if _, _, err := db.InvitationByToken(ctx, tok); !sqldb.IsInvalidLink(err) {
			t.Errorf("draft: %v", err)
		}
		if err := db.SetConsultationState(ctx, w.v["editor"], c.ID, sqldb.ConsultOpen); err != nil {
			t.Fatal(err)
		}
		if got, cc, err := db.InvitationByToken(ctx, tok); err != nil || got.ID != inv.ID || cc.ID != c.ID || cc.Manage {
			t.Fatalf("open: %v", err)
		}
		// Refused answers and refused consent store nothing and leave the link working.
		before := sqldbtest.Snapshot(t, db)
		for _, r := range []*sqldb.ConsultationResponse{
			func() *sqldb.ConsultationResponse { r := response([]string{"a"}, "", ""); r.Agreed = false; return r }(),
			response(nil, "yes", "x"),            // the ranking is required
			response([]string{"a", "a"}, "", ""), // ranked twice
			response([]string{"a"}, "maybe", ""), // not an option
			func() *sqldb.ConsultationResponse {
				r := response([]string{"a"}, "", "")
				r.Consent = "whatever"
				return r
			}(),
			func() *sqldb.ConsultationResponse {
				r := response([]string{"a"}, "", "")
				r.Contact = "+223 7000"
				return r
			}(), // may not contact
		} {
			if _, err := w.vs.RespondToConsultation(ctx, tok, r); code(err) != aftermath.EINVALID {
				t.Errorf("%+v: %v", r, err)
			}
		}
		if sqldbtest.Snapshot(t, db) != before {
			t.Error("a refused response changed the database")
		}
		story := "Les soldats ont fermé le marché de Konna."
		r := response([]string{"b", "a"}, "no", story)
		r.MayContact, r.Name, r.Contact = true, "Aminata", "aminata@example.org"
		tid, err := w.vs.RespondToConsultation(ctx, tok, r)
		if err != nil {
			t.Fatal(err)
		}
		// The response is a testimony, submitted for review, with its consent record.
		orig, err := w.vs.TestimonyOriginal(ctx, w.v["editor"], tid)
		if err != nil {
			t.Fatal(err)
		}
		if orig.Consent.Level != aftermath.ConsentAnonymous || orig.Consent.Method != aftermath.ConsentWritten || orig.Consent.RecordedBy != "ally" ||
			!orig.Consent.MayContact || orig.Language != "fr" || !strings.Contains(orig.Body, story) ||
			!strings.Contains(orig.Body, "Que faudrait-il changer en premier ?\n1. Justice for abuses\n2. Protection of civilians") ||
			!strings.Contains(orig.Body, "Racontez-nous ce qui s’est passé.\n"+story) || !strings.Contains(orig.Consent.Note, "invitation") {
			t.Errorf("testimony: %+v", orig)
		}
		sum, err := w.vs.Testimony(ctx, w.v["editor"], tid)
		if err != nil || sum.State != aftermath.StateSubmitted || sum.OwnerOrgID != w.hub || sum.PartnerOrgID != w.ally || sum.Country != "MLI" ||
			sum.Audience != aftermath.AudiencePublic || sum.CreatedBy != 0 {
			t.Errorf("summary: %+v %v", sum, err)
		}
		if id, err := w.vs.TestimonyIdentity(ctx, w.v["editor"], tid); err != nil || id.Name != "Aminata" {
			t.Errorf("identity: %+v %v", id, err)
		}
		// The free text is only in the sealed testimony, and the choices
		// and rankings beside it are sealed too: the database does not say
		// which organisation answered what.
		var answers []byte
		if err := raw(t, db).QueryRow(`SELECT answers FROM consultation_responses`).Scan(&answers); err != nil || bytes.Contains(answers, []byte("Konna")) ||
			bytes.Contains(answers, []byte(`"ranking"`)) || len(answers) == 0 {
			t.Errorf("stored answers %q: %v", answers, err)
		}
		if res, err := w.vs.ConsultationResults(ctx, w.v["editor"], c.ID); err != nil || res.Responses != 1 || len(res.Questions[0].Ranking) == 0 {
			t.Errorf("results from the sealed answers: %+v %v", res, err)
		}
		// The audit log says which invitation it came through.
		if got := auditDetails(t, db, "consultation_invitation", inv.ID); len(got) != 2 ||
			!strings.Contains(got[0], "came through invitation "+jsonID(inv.ID)+" and is stored as testimony "+jsonID(tid)) {
			t.Errorf("audit of the invitation: %q", got)
		}
		if got := auditDetails(t, db, "testimony", tid); !strings.HasPrefix(got[len(got)-1], "create: submitted; consent anonymous-publication") {
			t.Errorf("audit of the testimony: %q", got)
		}
		invs, _ := db.Invitations(ctx, w.v["admin"], c.ID)
		if len(invs) != 1 || invs[0].State != sqldb.InvitationUsed || invs[0].TestimonyID != tid {
			t.Errorf("invitations: %+v", invs)
		}
		// Used, expired, revoked, unknown or closed: one answer.
		invalid := map[string]string{"used": tok, "unknown": "nope" + tok[4:], "empty": ""}
		_, expiring := w.invite(t, c.ID, sqldb.InvitationInput{OrgName: "Collectif  des femmes de Gao", Days: 1})
		revokedInv, revoked := w.invite(t, c.ID, sqldb.InvitationInput{OrgName: "Other"})
		if err := db.RevokeInvitation(ctx, w.v["editor"], c.ID, revokedInv.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeInvitation(ctx, w.v["editor"], c.ID, inv.ID); code(err) != aftermath.ECONFLICT {
			t.Errorf("revoke a used invitation: %v", err)
		}
		invalid["revoked"] = revoked
		if _, _, err := db.InvitationByToken(ctx, expiring); err != nil {
			t.Fatal(err)
		}
		now := db.Now
		db.Now = func() time.Time { return now().Add(25 * time.Hour) }
		invalid["expired"] = expiring
		var first string
		for why, tk := range invalid {
			_, err := w.vs.RespondToConsultation(ctx, tk, response([]string{"a"}, "", ""))
			if !sqldb.IsInvalidLink(err) {
				t.Errorf("%s link: %v", why, err)
			}
			if _, _, err2 := db.InvitationByToken(ctx, tk); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("%s link looked up: %v", why, err2)
			}
			if first == "" {
				first = err.Error()
			} else if err.Error() != first {
				t.Errorf("%s link: %q, another said %q", why, err, first)
			}
		}
		db.Now = now
		open, openTok := w.invite(t, c.ID, sqldb.InvitationInput{OrgName: "Late"})
		if err := db.SetConsultationState(ctx, w.v["editor"], c.ID, sqldb.ConsultClosed); err != nil {
			t.Fatal(err)
		}
		if _, err := w.vs.RespondToConsultation(ctx, openTok, response([]string{"a"}, "", "")); !sqldb.IsInvalidLink(err) {
			t.Errorf("closed consultation: %v", err)
		}
		if _, _, err := db.CreateInvitation(ctx, w.v["editor"], c.ID, sqldb.InvitationInput{OrgName: "x"}); code(err) != aftermath.ECONFLICT {
			t.Errorf("invite to a closed consultation: %v", err)
		}
		invs, _ = db.Invitations(ctx, w.v["admin"], c.ID)
		states := map[int64]string{}
		for _, i := range invs {
			states[i.ID] = i.State
		}
		if states[open.ID] != sqldb.InvitationPending || states[revokedInv.ID] != sqldb.InvitationRevoked || len(invs) != 4 {
			t.Errorf("states: %v", states)
		}
		// Internal-only consent keeps the testimony internal, whatever the
		// consultation's audience; and without a key nothing is stored.
		if err := db.SetConsultationState(ctx, w.v["editor"], c.ID, sqldb.ConsultOpen); err != nil {
			t.Fatal(err)
		}
		r = response([]string{"c"}, "", "")
		r.Consent = aftermath.ConsentInternal
		if _, err := db.Voices(nil).RespondToConsultation(ctx, openTok, r); err == nil {
			t.Error("stored without a key")
		}
		tid2, err := w.vs.RespondToConsultation(ctx, openTok, r)
		if err != nil {
			t.Fatal(err)
		}
		if sum, _ := w.vs.Testimony(ctx, w.v["editor"], tid2); sum.Audience != aftermath.AudienceInternal || sum.ConsentLevel != aftermath.ConsentInternal {
			t.Errorf("internal-only response: %+v", sum)
		}
		// Deleting the consultation leaves the testimonies.
		if err := db.DeleteConsultation(ctx, w.v["admin"], c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Consultation(ctx, aftermath.System, c.ID); code(err) != aftermath.ENOTFOUND {
			t.Errorf("deleted: %v", err)
		}
		if _, err := w.vs.Testimony(ctx, w.v["editor"], tid); err != nil {
			t.Errorf("the response's testimony went with the consultation: %v", err)
		}
		if got := auditDetails(t, db, "consultation", c.ID); !strings.HasPrefix(got[0], "delete: deleted with 4 invitations; its 2 responses stay") {
			t.Errorf("audit: %q", got)
		}
	})
}

// TestConsultationLinkUsedOnce: many submissions at once through one link
// store one response.
func TestConsultationLinkUsedOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		c := w.newConsultation(t, aftermath.AudienceInternal, true)
		_, tok := w.invite(t, c.ID, sqldb.InvitationInput{PartnerOrgID: w.ally})
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, invalid := 0, 0
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.vs.RespondToConsultation(ctx, tok, response([]string{"a"}, "", ""))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case sqldb.IsInvalidLink(err):
					invalid++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if ok != 1 || invalid != 5 {
			t.Errorf("%d stored, %d refused", ok, invalid)
		}
		if res, err := w.vs.ConsultationResults(ctx, w.v["editor"], c.ID); err != nil || res.Responses != 1 {
			t.Errorf("results: %v", err)
		}
	})
}

// TestConsultationResults checks the combined results against a table
// worked out by hand.
func TestConsultationResults(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		c := w.newConsultation(t, aftermath.AudienceInternal, true)
		// Five responses from three organisations (ally twice; one name
		// written two ways).
		var tids []int64
		for _, x := range []struct {
			in      sqldb.InvitationInput
			ranking []string
			choice  string
		}{
			{sqldb.InvitationInput{PartnerOrgID: w.ally}, []string{"a", "b", "c"}, "yes"},
			{sqldb.InvitationInput{PartnerOrgID: w.ally}, []string{"b", "a"}, "no"},
			{sqldb.InvitationInput{OrgName: "Collectif X"}, []string{"c"}, "yes"},
			{sqldb.InvitationInput{OrgName: "collectif x"}, []string{"a", "c", "b", "d"}, ""},
			{sqldb.InvitationInput{OrgName: "Other group", Country: "NER"}, []string{"c", "b"}, "yes"},
		} {
			_, tok := w.invite(t, c.ID, x.in)
			id, err := w.vs.RespondToConsultation(ctx, tok, response(x.ranking, x.choice, "Texte libre."))
			if err != nil {
				t.Fatal(err)
			}
			tids = append(tids, id)
			if len(tids) == 2 {
				// Two responses, both from ally: its own answers, so the
				// figures are withheld from all but the managers.
				few, err := w.vs.ConsultationResults(ctx, w.v["researcher"], c.ID)
				if err != nil || !few.Withheld || few.Questions != nil || few.Organisations != 1 {
					t.Errorf("one organisation's results for a researcher: %+v %v", few, err)
				}
				if mine, err := w.vs.ConsultationResults(ctx, w.v["editor"], c.ID); err != nil || mine.Withheld || len(mine.Questions) != 3 {
					t.Errorf("one organisation's results for the manager: %+v %v", mine, err)
				}
			}
		}
		res, err := w.vs.ConsultationResults(ctx, w.v["researcher"], c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Responses != 5 || res.Organisations != 3 || len(res.Questions) != 3 || res.Withheld {
			t.Fatalf("%d responses, %d organisations, %d questions", res.Responses, res.Organisations, len(res.Questions))
		}
		// Ballots of m options give m, m−1 … 1 points:
		//   a b c → a3 b2 c1;  b a → b2 a1;  c → c1;  a c b d → a4 c3 b2 d1;  c b → c2 b1
		// a = 3+1+4 = 8; c = 1+1+3+2 = 7; b = 2+2+2+1 = 7; d = 1.
		// c and b tie for second; c is listed first, with more first places.
		want := []consult.BordaRow{
			{Option: "a", Points: 8, Positions: []int{2, 1, 0, 0}, Ballots: 3, Rank: 1},
			{Option: "c", Points: 7, Positions: []int{2, 1, 1, 0}, Ballots: 4, Rank: 2, TiedWithin: true},
			{Option: "b", Points: 7, Positions: []int{1, 2, 1, 0}, Ballots: 4, Rank: 2, TiedWithin: true},
			{Option: "d", Points: 1, Positions: []int{0, 0, 0, 1}, Ballots: 1, Rank: 4},
		}
		if q := res.Questions[0]; !reflect.DeepEqual(q.Ranking, want) || q.Answered != 5 {
			t.Errorf("ranking table:\n got %+v\nwant %+v", q.Ranking, want)
		}
		if q := res.Questions[1]; !reflect.DeepEqual(q.Choices, []sqldb.ChoiceCount{{Option: "yes", Count: 3}, {Option: "no", Count: 1}}) || q.Answered != 4 {
			t.Errorf("choices: %+v (%d answered)", q.Choices, q.Answered)
		}
		if q := res.Questions[2]; q.Choices != nil || q.Ranking != nil {
			t.Errorf("free text in the results: %+v", q)
		}
		// Who sees the results: those who see the consultation.
		for as, want := range map[string]bool{"viewer": true, "editor": true, "partner": false, "anonymous": false, "contributor": false} {
			if _, err := w.vs.ConsultationResults(ctx, w.v[as], c.ID); (err == nil) != want {
				t.Errorf("%s reads the results: %v", as, err)
			}
		}
		// The export is the same table, and is recorded.
		var buf bytes.Buffer
		if err := w.vs.ExportConsultationResults(ctx, w.v["viewer"], c.ID, "ar", &buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(rows) != 1+4+2 {
			t.Fatalf("CSV: %v %q", err, rows)
		}
		if got := strings.Join(rows[0], ","); got != "consultation_id,responses,organisations,question,kind,answered,option,label,count,rank,tied,points,ballots,position_1,position_2,position_3,position_4" {
			t.Errorf("CSV header: %s", got)
		}
		if got := strings.Join(rows[1][1:], ","); got != "5,3,priorities,ranking,5,a,حماية المدنيين,,1,no,8,3,2,1,0,0" {
			t.Errorf("first ranking row: %s", got)
		}
		if got := strings.Join(rows[3][3:], ","); got != "priorities,ranking,5,b,Justice for abuses,,2,yes,7,4,1,2,1,0" {
			t.Errorf("third ranking row: %s", got)
		}
		if got := strings.Join(rows[5][3:], ","); got != "safe,choice,4,yes,Yes,3,,,,,,,," {
			t.Errorf("choice row: %s", got)
		}
		if got := auditDetails(t, db, "consultation", c.ID); !strings.HasPrefix(got[0], "export: results exported as CSV (5 responses)") {
			t.Errorf("audit: %q", got)
		}
		// A testimony deleted (consent withdrawn) leaves the results.
		if err := db.DeleteTestimony(ctx, w.v["editor"], tids[3]); err != nil {
			t.Fatal(err)
		}
		res, _ = w.vs.ConsultationResults(ctx, w.v["editor"], c.ID)
		// Without "a c b d": b = 5, then c and a with 4 each, d with none.
		if res.Responses != 4 || res.Organisations != 3 || res.Questions[0].Ranking[0].Option != "b" || res.Questions[0].Ranking[2].Points != 4 ||
			res.Questions[0].Ranking[3].Ballots != 0 {
			t.Errorf("after deleting a response: %d responses, %d organisations, %+v", res.Responses, res.Organisations, res.Questions[0].Ranking)
		}
		// A public consultation's results are for anyone.
		p := w.newConsultation(t, aftermath.AudiencePublic, true)
		if _, err := w.vs.ConsultationResults(ctx, aftermath.Anonymous, p.ID); err != nil {
			t.Errorf("public results: %v", err)
		}
	})
}

func jsonID(id int64) string { return strconv.FormatInt(id, 10) }
