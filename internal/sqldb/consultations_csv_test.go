package sqldb_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"aftermath"
	"aftermath/internal/consult"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestConsultationCSVIsFormulaSafe: an option label that begins with a
// formula is exported as text; one that is a number, such as -1, stays
// exactly as it is.
func TestConsultationCSVIsFormulaSafe(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		q, err := consult.ParseText(`? score choice
en: How many times?
- neg
  en: -1
- link
  en: =HYPERLINK("http://evil.example/","click")
- plus
  en: +cmd`)
		if err != nil {
			t.Fatal(err)
		}
		c := w.consultation(aftermath.AudienceInternal)
		c.Questionnaire = *q
		if err := db.CreateConsultation(ctx, w.v["editor"], c); err != nil {
			t.Fatal(err)
		}
		if err := db.SetConsultationState(ctx, w.v["editor"], c.ID, sqldb.ConsultOpen); err != nil {
			t.Fatal(err)
		}
		_, tok := w.invite(t, c.ID, sqldb.InvitationInput{OrgName: "Collectif X"})
		if _, err := w.vs.RespondToConsultation(ctx, tok, &sqldb.ConsultationResponse{Language: "en",
			Answers: map[string]consult.Answer{"score": {Choice: "neg"}}, Consent: aftermath.ConsentAnonymous, Agreed: true}); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := w.vs.ExportConsultationResults(ctx, w.v["editor"], c.ID, "en", &buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		labels := map[string]string{}
		for _, r := range rows[1:] {
			labels[r[6]] = r[7]
		}
		want := map[string]string{"neg": "-1", "link": `'=HYPERLINK("http://evil.example/","click")`, "plus": "'+cmd"}
		for opt, l := range want {
			if labels[opt] != l {
				t.Errorf("label of %s: %q, want %q (rows %q)", opt, labels[opt], l, rows)
			}
		}
	})
}
