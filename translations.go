package aftermath

import (
	"slices"
	"strconv"
	"strings"
)

// ContentLanguages are the languages a record's texts may be written or
// translated in: the interface's languages.
var ContentLanguages = []string{"en", "fr", "ar"}

// OriginalLanguage is the language of a record's own texts when the record
// does not say: the catalog and most records are written in English.
const OriginalLanguage = "en"

// Translations are a record's texts in other languages than its own: by
// language tag, then by field. A field is a name from the record type's
// translatable fields ("name", "notes"), or, for a list, the field and
// the item's position from 0 ("phases.0", "objectives.1"). In JSON:
//
//	{"fr": {"name": "Mission multidimensionnelle…", "phases.0": "Mandat…"}}
type Translations map[string]map[string]string

// Text returns the field's text in lang and true, or original and false
// when there is no translation (original is the record's own text).
func (t Translations) Text(lang, field, original string) (string, bool) {
	if s, ok := t[lang][field]; ok && s != "" {
		return s, true
	}
	return original, false
}

// For returns the field's text for a reader of lang and the language it
// is written in: the record's own text when lang is the record's own
// language (own, "" for OriginalLanguage) or has no translation, else the
// translation.
func (t Translations) For(lang, own, field, original string) (text, in string) {
	if own == "" {
		own = OriginalLanguage
	}
	if lang != own {
		if s, ok := t.Text(lang, field, original); ok {
			return s, lang
		}
	}
	return original, own
}

// Set records the field's text in lang; an empty text removes it.
func (t *Translations) Set(lang, field, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		if m := (*t)[lang]; m != nil {
			delete(m, field)
			if len(m) == 0 {
				delete(*t, lang)
			}
		}
		return
	}
	if *t == nil {
		*t = Translations{}
	}
	if (*t)[lang] == nil {
		(*t)[lang] = map[string]string{}
	}
	(*t)[lang][field] = text
}

// ListField names item i of a list field in Translations: "phases.0".
func ListField(field string, i int) string { return field + "." + strconv.Itoa(i) }

// translatable are the fields of a record type that Translations may
// hold; lists maps each list field to its length in the record at hand.
type translatable struct {
	fields []string
	lists  map[string]int
}

// Translatable fields of each record type (the lists are checked against
// the record's own list lengths).
var (
	InterventionTranslatable   = []string{"name", "notes", "phases", "objectives"}
	DecisionTranslatable       = []string{"summary", "rationale", "notes"}
	InquiryTranslatable        = []string{"title", "summary", "notes"}
	RecommendationTranslatable = []string{"text", "response"}
	ClaimTranslatable          = []string{"text", "reasoning"}
)

// validLanguage reports whether lang is one of ContentLanguages.
func validLanguage(lang string) bool { return slices.Contains(ContentLanguages, lang) }

// check reports the first problem of the record's own language and its
// translations: a language outside ContentLanguages, a translation into
// the record's own language, a field the record type does not translate,
// a list item it does not have, or text with surrounding spaces.
func (t Translations) check(where, own string, tr translatable) error {
	if own != "" && !validLanguage(own) {
		return Errorf(EINVALID, "%s: language %q is not one of %s", where, own, strings.Join(ContentLanguages, ", "))
	}
	if own == "" {
		own = OriginalLanguage
	}
	langs := make([]string, 0, len(t))
	for lang := range t {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	for _, lang := range langs {
		switch {
		case !validLanguage(lang):
			return Errorf(EINVALID, "%s: translations: language %q is not one of %s", where, lang, strings.Join(ContentLanguages, ", "))
		case lang == own:
			return Errorf(EINVALID, "%s: translations: %q is the record's own language", where, lang)
		}
		fields := make([]string, 0, len(t[lang]))
		for f := range t[lang] {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		for _, f := range fields {
			if !tr.allows(f) {
				if name, _, isItem := strings.Cut(f, "."); isItem {
					if n, isList := tr.lists[name]; isList {
						return Errorf(EINVALID, "%s: translations: %s: %q names no item: the record has %d %s, numbered from 0", where, lang, f, n, name)
					}
				}
				return Errorf(EINVALID, "%s: translations: %s: field %q is not one of %s", where, lang, f, strings.Join(tr.fields, ", "))
			}
			if s := t[lang][f]; s != strings.TrimSpace(s) || s == "" {
				return Errorf(EINVALID, "%s: translations: %s: %s is empty or has leading or trailing spaces", where, lang, f)
			}
		}
	}
	return nil
}

func (tr translatable) allows(field string) bool {
	name, pos, isItem := strings.Cut(field, ".")
	if !slices.Contains(tr.fields, name) {
		return false
	}
	n, isList := tr.lists[name]
	if isList != isItem {
		return false
	}
	if !isItem {
		return true
	}
	i, err := strconv.Atoi(pos)
	return err == nil && i >= 0 && i < n && strconv.Itoa(i) == pos
}
