package sqldb_test

import (
	"context"
	"testing"

	"aftermath"
	"aftermath/internal/catalog"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestCatalogTranslationsStored: a catalog intervention keeps its French
// and Arabic name and phases through the store, an update replaces them,
// and a delete leaves no row behind.
func TestCatalogTranslationsStored(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	e, ok := cat.Entry("minusma")
	if !ok {
		t.Fatal("no minusma in the catalog")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		iv := e.Intervention // without citations: the store needs no source for the translations
		if err := db.CreateIntervention(ctx, aftermath.System, &iv); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindIntervention(ctx, aftermath.System, "minusma")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ lang, field, want string }{
			{"fr", "name", "Mission multidimensionnelle intégrée des Nations unies pour la stabilisation au Mali (MINUSMA)"},
			{"ar", "name", "بعثة الأمم المتحدة المتكاملة المتعددة الأبعاد لتحقيق الاستقرار في مالي (مينوسما)"},
			{"fr", "phases.1", "Cessation des opérations, réduction des effectifs et retrait"},
			{"ar", "phases.1", "وقف العمليات وتقليص القوام والانسحاب"},
		} {
			if text, ok := got.Translations.Text(c.lang, c.field, ""); !ok || text != c.want {
				t.Errorf("%s %s = %q, %v; want %q", c.lang, c.field, text, ok, c.want)
			}
		}
		if _, ok := got.Translations.Text("fr", "notes", got.Notes); ok {
			t.Error("notes have no French translation in the catalog, yet one is stored")
		}
		if got.Language != "" {
			t.Errorf("language = %q, want \"\" (English)", got.Language)
		}

		// Written in French, translated into English: both come back.
		got.Language = "fr"
		got.Translations = aftermath.Translations{"en": {"name": "MINUSMA in English"}}
		if err := db.UpdateIntervention(ctx, aftermath.System, got); err != nil {
			t.Fatal(err)
		}
		again, err := db.Intervention(ctx, aftermath.System, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Language != "fr" || len(again.Translations) != 1 || again.Translations["en"]["name"] != "MINUSMA in English" {
			t.Errorf("after update: language %q, translations %v", again.Language, again.Translations)
		}
		bad := *again
		bad.Translations = aftermath.Translations{"fr": {"name": "en français"}}
		if err := db.UpdateIntervention(ctx, aftermath.System, &bad); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("a translation into the record's own language: %v, want EINVALID", err)
		}
		bad.Translations = aftermath.Translations{"en": {"phases.7": "no such phase"}}
		if err := db.UpdateIntervention(ctx, aftermath.System, &bad); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("a translation of a missing phase: %v, want EINVALID", err)
		}

		if err := db.DeleteIntervention(ctx, aftermath.System, got.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := db.TranslationRows(ctx); err != nil || n != 0 {
			t.Errorf("%d translation rows left after the delete (%v)", n, err)
		}
	})
}
