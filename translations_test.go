package aftermath

import (
	"strings"
	"testing"
)

// TestTranslationsCheck: what a record's translations may hold, and what
// the refusals say.
func TestTranslationsCheck(t *testing.T) {
	iv := Intervention{Slug: "x", Name: "X", Phases: []Phase{{Name: "One", Start: "2013-01-01"}}, Objectives: []string{"Aim"}}
	for name, c := range map[string]struct {
		lang string
		tr   Translations
		want string // "" : accepted
	}{
		"name and items":    {"", Translations{"fr": {"name": "X", "phases.0": "Un", "objectives.0": "But"}, "ar": {"notes": "ملاحظة"}}, ""},
		"written in French": {"fr", Translations{"en": {"name": "X"}}, ""},
		"own language":      {"", Translations{"en": {"name": "X"}}, "own language"},
		"unknown language":  {"", Translations{"de": {"name": "X"}}, `"de"`},
		"record language":   {"es", nil, `"es"`},
		"unknown field":     {"", Translations{"fr": {"budget": "X"}}, `"budget" is not one of`},
		"missing phase":     {"", Translations{"fr": {"phases.1": "Deux"}}, "the record has 1 phases"},
		"list as a whole":   {"", Translations{"fr": {"phases": "Un"}}, "is not one of"},
		"padded index":      {"", Translations{"fr": {"phases.00": "Un"}}, "names no item"},
		"spaces":            {"", Translations{"fr": {"name": " X"}}, "spaces"},
	} {
		iv := iv
		iv.Language, iv.Translations = c.lang, c.tr
		err := iv.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case c.want != "" && (ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want EINVALID with %q", name, err, c.want)
		}
	}
	var tr Translations
	tr.Set("fr", "name", "  Nom ")
	if s, in := tr.For("fr", "", "name", "Name"); s != "Nom" || in != "fr" {
		t.Errorf("For(fr) = %q, %q", s, in)
	}
	if s, in := tr.For("ar", "", "name", "Name"); s != "Name" || in != "en" {
		t.Errorf("For(ar) without a translation = %q, %q", s, in)
	}
	if s, in := tr.For("fr", "fr", "name", "Nom propre"); s != "Nom propre" || in != "fr" {
		t.Errorf("For(fr) of a French record = %q, %q", s, in)
	}
	tr.Set("fr", "name", "")
	if tr != nil && len(tr) != 0 {
		t.Errorf("an emptied translation is kept: %v", tr)
	}
}
