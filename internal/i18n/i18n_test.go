package i18n

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
	"unicode"

	"aftermath"
)

// TestDefault: the embedded files load, and every language has every key
// of English and no other, plural messages have the forms their language
// needs, and placeholders match English's.
func TestDefault(t *testing.T) {
	sub, _ := fs.Sub(embedded, "messages")
	if _, err := Load(sub); err != nil {
		t.Fatal(err) // Default would panic
	}
	b := Default()
	if got, want := b.Languages(), []string{"en", "ar", "fr"}; !slices.Equal(got, want) {
		t.Errorf("Languages() = %q, want %q", got, want)
	}
	for lang, keys := range b.Missing() {
		t.Errorf("%s.json lacks %d keys of en.json: %s", lang, len(keys), strings.Join(keys, ", "))
	}
	for _, p := range b.Problems() {
		t.Error(p)
	}
	if n := len(b.locales["en"].msgs); n < 60 {
		t.Errorf("en.json has %d keys, want at least 60", n)
	}
	for _, tag := range b.Languages() {
		l := b.Locale(tag)
		if l.Name() == "" || l.Name() == tag {
			t.Errorf("%s: locale.name missing", tag)
		}
	}
	if got := b.Locale("fr").Name() + " " + b.Locale("ar").Name(); got != "Français العربية" {
		t.Errorf("names = %q", got)
	}
}

// TestVocabulary: the data's own identifiers have labels, so templates can
// write T("instrument." + name).
func TestVocabulary(t *testing.T) {
	en := Default().Locale("en")
	var keys []string
	for _, in := range aftermath.Instruments {
		keys = append(keys, "instrument."+in)
	}
	for _, c := range []string{aftermath.ConfidenceLow, aftermath.ConfidenceMedium, aftermath.ConfidenceHigh} {
		keys = append(keys, "confidence."+c)
	}
	for _, v := range []string{"state-based", "non-state", "one-sided"} { // UCDP type_of_violence as stored
		keys = append(keys, "violence."+v)
	}
	for _, k := range keys {
		if _, ok := en.msgs[k]; !ok {
			t.Errorf("en.json has no %q", k)
		}
	}
}

// TestNoEnglishLeft catches text pasted from en.json and not translated,
// and punctuation that does not belong to the language.
func TestNoEnglishLeft(t *testing.T) {
	b := Default()
	en, fr, ar := b.Locale("en"), b.Locale("fr"), b.Locale("ar")
	placeholder := regexp.MustCompile(`\{[A-Za-z_][A-Za-z0-9_]*\}`)
	// Names and formats that are the same in every language.
	latinInArabic := regexp.MustCompile(`Aftermath|UCDP|ACLED|CC BY|SHA|CSV|GeoJSON|HXL|ZIP`)
	sameInFrench := map[string]bool{
		"app.name": true, "nav.interventions": true, "interventions.title": true,
		"interventions.count": true, "interventions.instruments": true, "interventions.phases": true,
		"interventions.budget": true, "nav.sources": true, "sources.title": true,
		"datasets.imports.version": true, "datasets.imports.sha256": true,
		"events.col.date": true, "events.col.type": true, "citations.source": true, "dataset.ucdp": true, "sources.date": true, "dataset.acled": true,
		"home.interventions": true, "voices.by.continent": true, "voices.field.owner_org": true, "voices.form.org": true,
		"brief.cite.page": true, "brief.notes": true, "brief.sources": true,
	}
	for _, k := range sortedKeys(en.msgs) {
		if strings.HasPrefix(k, "locale.") {
			continue
		}
		for _, text := range texts(ar.msgs[k]) {
			rest := latinInArabic.ReplaceAllString(placeholder.ReplaceAllString(text, ""), "")
			if i := strings.IndexFunc(rest, func(r rune) bool { return r < 128 && unicode.IsLetter(r) }); i >= 0 {
				t.Errorf("ar: %q has Latin letters: %q", k, text)
			}
			if strings.ContainsAny(rest, ",;?") {
				t.Errorf("ar: %q uses Latin punctuation (، ؛ ؟): %q", k, text)
			}
		}
		if slices.Equal(texts(fr.msgs[k]), texts(en.msgs[k])) && !sameInFrench[k] &&
			strings.ContainsFunc(placeholder.ReplaceAllString(en.msgs[k].text, ""), unicode.IsLetter) {
			t.Errorf("fr: %q is the English text %q", k, texts(en.msgs[k]))
		}
		for _, text := range texts(fr.msgs[k]) {
			if strings.Contains(text, "'") {
				t.Errorf("fr: %q: use ’ rather than ': %q", k, text)
			}
			rs := []rune(text)
			for i, r := range rs {
				if strings.ContainsRune(":;!?", r) && (i == 0 || rs[i-1] != '\u00a0' && rs[i-1] != '\u202f') {
					t.Errorf("fr: %q: %q needs a no-break space before it: %q", k, r, text)
				}
			}
		}
	}
}

func texts(m message) []string {
	if m.forms == nil {
		return []string{m.text}
	}
	var out []string
	for _, c := range pluralCategories {
		if s, ok := m.forms[c]; ok {
			out = append(out, s)
		}
	}
	return out
}

// TestProblems shows that the checks TestDefault relies on fail when they
// should.
func TestProblems(t *testing.T) {
	b, err := Load(fstest.MapFS{
		"en.json": {Data: []byte(`{"hello": "Hello {name}", "bye": "Bye", "n": {"one": "{count} file", "other": "{count} files"}}`)},
		"fr.json": {Data: []byte(`{"hello": "Bonjour {nom}", "n": {"one": "{count} fichier", "few": "x", "other": "{count} fichiers"}, "extra": "{oops"}`)},
		"ar.json": {Data: []byte(`{"hello": "", "bye": "مع السلامة", "n": {"one": "ملف واحد", "other": "{count} ملف"}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := b.Problems()
	want := []string{
		`ar: "hello": empty message`,
		`ar: "hello": placeholders none differ from en {name}`,
		`ar: "n": plural form "zero" missing or empty (ar needs zero, one, two, few, many, other)`,
		`ar: "n": plural form "two" missing or empty (ar needs zero, one, two, few, many, other)`,
		`ar: "n": plural form "few" missing or empty (ar needs zero, one, two, few, many, other)`,
		`ar: "n": plural form "many" missing or empty (ar needs zero, one, two, few, many, other)`,
		`fr: "bye": missing`,
		`fr: "extra": not in en.json (renamed or stale key?)`,
		`fr: "extra": a { that opens no {placeholder}`,
		`fr: "hello": placeholders {nom} differ from en {name}`,
		`fr: "n": plural form "few" is never used in fr`,
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("Problems() lacks %s", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Problems() = %d lines, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	if m := b.Missing(); len(m) != 1 || !slices.Equal(m["fr"], []string{"bye"}) {
		t.Errorf("Missing() = %q", m)
	}
}

func TestNegotiate(t *testing.T) {
	b := Default()
	const arEG = "ar-EG,ar;q=0.9,en;q=0.5"
	for _, c := range []struct {
		query, cookie, accept string
		want                  string
	}{
		{"lang=fr", "ar", arEG, "fr"},
		{"", "fr", arEG, "fr"},
		{"", "", arEG, "ar"},
		{"", "", "", "en"},
		{"", "", "de-DE,es;q=0.8", "en"},
		{"lang=xx", "", arEG, "ar"},
		{"lang=xx", "zz", "fr-CH, fr;q=0.9", "fr"},
		{"lang=%3Cscript%3E", "", "fr", "fr"},
		{"lang=", "", "fr", "fr"},
		{"lang=AR", "", "fr", "ar"},
		{"", "fr-CA", "ar", "fr"},
		{"", "", "en;q=0.2, fr;q=0.9", "fr"},
		{"", "", "fr;q=0, ar;q=0.5, en;q=0.1", "ar"},
		{"", "", "de, *;q=0.1", "en"},
		{"", "", "!!!", "en"},
	} {
		r := httptest.NewRequest("GET", "/?"+c.query, nil)
		if c.cookie != "" {
			r.AddCookie(&http.Cookie{Name: CookieName, Value: c.cookie})
		}
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		if got := b.Negotiate(r).Tag(); got != c.want {
			t.Errorf("?%s cookie %q Accept-Language %q: got %s, want %s", c.query, c.cookie, c.accept, got, c.want)
		}
	}
	if got := b.Locale("xx").Tag(); got != "en" {
		t.Errorf("Locale(xx) = %s, want en", got)
	}
	for tag, want := range map[string]string{"ar-IQ": "ar", "fr-u-nu-latn": "fr", "en-GB": "en", "ar-Arab-YE": "ar", "sr-Latn": "en", "und": "en", "": "en", "fr_ML": "fr"} {
		if got := b.Locale(tag).Tag(); got != want {
			t.Errorf("Locale(%q) = %s, want %s", tag, got, want)
		}
	}
}

func TestDir(t *testing.T) {
	b := Default()
	for tag, want := range map[string]string{"en": "ltr", "fr": "ltr", "ar": "rtl"} {
		if got := b.Locale(tag).Dir(); got != want {
			t.Errorf("%s: Dir() = %s, want %s", tag, got, want)
		}
	}
	fsys := fstest.MapFS{}
	want := map[string]string{"en": "ltr", "he": "rtl", "fa": "rtl", "ur": "rtl", "ps": "rtl", "ckb": "rtl", "ha": "ltr", "bm": "ltr", "es": "ltr"}
	for tag := range want {
		fsys[tag+".json"] = &fstest.MapFile{Data: []byte(`{"x": "y"}`)}
	}
	other, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for tag, w := range want {
		if got := other.Locale(tag).Dir(); got != w {
			t.Errorf("%s: Dir() = %s, want %s", tag, got, w)
		}
	}
}

func TestNumber(t *testing.T) {
	b := Default()
	for _, c := range []struct {
		lang string
		v    float64
		dec  int
		want string
	}{
		{"en", 1234.5, 1, "1,234.5"},
		{"en", 1234567.891, 2, "1,234,567.89"},
		{"en", -1234.5, 1, "-1,234.5"},
		{"en", 999, 0, "999"},
		{"en", 0.25, 2, "0.25"},
		{"en", -0.04, 1, "0.0"},
		{"en", 12, -1, "12"},
		{"fr", 1234.5, 1, "1\u202f234,5"},
		{"fr", 1234567, 0, "1\u202f234\u202f567"},
		{"fr", -3.25, 2, "-3,25"},
		{"fr", 100, 0, "100"},
		{"ar", 1234.5, 1, "1,234.5"},
		{"ar", -1234.5, 1, "\u200e-1,234.5"},
		{"ar", 1000000, 0, "1,000,000"},
	} {
		if got := b.Locale(c.lang).Number(c.v, c.dec); got != c.want {
			t.Errorf("%s: Number(%v, %d) = %q, want %q", c.lang, c.v, c.dec, got, c.want)
		}
	}
	// Ten digits of another script, as an Arabic-Indic deployment would set.
	eg, err := Load(fstest.MapFS{
		"en.json": {Data: []byte(`{}`)},
		"ar.json": {Data: []byte(`{"locale.number.digits": "٠١٢٣٤٥٦٧٨٩", "locale.number.decimal": "٫", "locale.number.group": "٬", "locale.month.3": "مارس"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ar := eg.Locale("ar")
	if got, want := ar.Number(1234.5, 1), "١٬٢٣٤٫٥"; got != want {
		t.Errorf("Arabic-Indic Number = %q, want %q", got, want)
	}
	if got, want := ar.Date(time.Date(2021, 3, 2, 0, 0, 0, 0, time.UTC)), "٢ مارس ٢٠٢١"; got != want {
		t.Errorf("Arabic-Indic Date = %q, want %q", got, want)
	}
}

func TestDate(t *testing.T) {
	b := Default()
	d := time.Date(2021, 3, 2, 23, 30, 0, 0, time.UTC)
	first := time.Date(2021, 8, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ lang, date, first, month string }{
		{"en", "2 March 2021", "1 August 2021", "March 2021"},
		{"fr", "2 mars 2021", "1er août 2021", "mars 2021"},
		{"ar", "2 مارس 2021", "1 أغسطس 2021", "مارس 2021"},
	} {
		l := b.Locale(c.lang)
		if got := l.Date(d); got != c.date {
			t.Errorf("%s: Date = %q, want %q", c.lang, got, c.date)
		}
		if got := l.Date(first); got != c.first {
			t.Errorf("%s: Date(1st) = %q, want %q", c.lang, got, c.first)
		}
		if got := l.Month(d); got != c.month {
			t.Errorf("%s: Month = %q, want %q", c.lang, got, c.month)
		}
	}
	months := []string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}
	for i, m := range months {
		if got := b.Locale("ar").Month(time.Date(2020, time.Month(i+1), 15, 0, 0, 0, 0, time.UTC)); got != m+" 2020" {
			t.Errorf("ar month %d = %q, want %q", i+1, got, m+" 2020")
		}
	}
	if got := b.Locale("fr").T("common.date_range", "start", first, "end", d); got != "du 1er août 2021 au 2 mars 2021" {
		t.Errorf("date range = %q", got)
	}
}

func TestPlural(t *testing.T) {
	b := Default()
	for _, c := range []struct {
		lang  string
		count any
		want  string
	}{
		{"ar", 0, "لا توجد أحداث"},
		{"ar", 1, "حدث واحد"},
		{"ar", 2, "حدثان"},
		{"ar", 3, "3 أحداث"},
		{"ar", 10, "10 أحداث"},
		{"ar", 11, "11 حدثًا"},
		{"ar", 99, "99 حدثًا"},
		{"ar", 100, "100 حدث"},
		{"ar", 102, "102 حدث"},
		{"ar", 103, "103 أحداث"},
		{"ar", int64(1111), "1,111 حدثًا"},
		{"ar", 2.5, "2.5 حدث"},
		{"fr", 0, "0 événement"},
		{"fr", 1, "1 événement"},
		{"fr", 1.5, "1,5 événement"},
		{"fr", 2, "2 événements"},
		{"fr", 12345, "12\u202f345 événements"},
		{"en", 0, "0 events"},
		{"en", 1, "1 event"},
		{"en", uint8(2), "2 events"},
		{"en", 1.5, "1.5 events"},
	} {
		if got := b.Locale(c.lang).T("events.count", "count", c.count); got != c.want {
			t.Errorf("%s: events.count %v = %q, want %q", c.lang, c.count, got, c.want)
		}
	}
	for n, want := range map[int]string{0: "zero", 1: "one", 2: "two", 3: "few", 10: "few", 11: "many", 99: "many", 100: "other", 101: "other", 102: "other", 103: "few", 111: "many", 1000: "other"} {
		if got := ruleArabic.choose(float64(n)); got != want {
			t.Errorf("Arabic plural of %d = %s, want %s", n, got, want)
		}
	}
}

func TestT(t *testing.T) {
	b, err := Load(fstest.MapFS{
		"en.json": {Data: []byte(`{"greet": "Hello {name}, {unknown} {", "only.en": "English only", "n": {"one": "{count} file", "other": "{count} files"}, "range": "{from}–{to} of {total}"}`)},
		"fr.json": {Data: []byte(`{"greet": "Bonjour {name}, {unknown} {", "only.en": "", "range": "{from} à {to} sur {total}", "locale.number.group": "\u202f"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	fr := b.Locale("fr")
	for _, c := range []struct {
		got, want string
	}{
		{fr.T("greet", "name", "Awa", "unused", 3, "odd"), "Bonjour Awa, {unknown} {"},
		{fr.T("only.en"), "English only"},    // empty translation: English
		{fr.T("n", "count", 1), "1 file"},    // English text, English rule
		{fr.T("n", "count", 0), "0 files"},   // (French would say one for 0)
		{fr.T("n"), "{count} files"},         // no count: other
		{fr.T("no.such.key"), "no.such.key"}, // never blank
		{fr.T("range", "from", 1, "to", 100, "total", 12345), "1 à 100 sur 12\u202f345"},
		{fr.T("greet", 42, "x", "name", "Ali"), "Bonjour Ali, {unknown} {"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if got := Default().Locale("fr").T("error.internal"); got != "Une erreur s’est produite de notre côté\u202f; elle a été enregistrée." {
		t.Errorf("error.internal = %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	en := &fstest.MapFile{Data: []byte(`{"a": "A"}`)}
	for _, c := range []struct {
		name string
		fsys fstest.MapFS
		want []string // substrings of the error
	}{
		{"broken json", fstest.MapFS{"en.json": en, "fr.json": {Data: []byte("{\n  \"a\": \"A\",\n  \"b\": \"B\"\n  \"c\": \"C\"\n}")}}, []string{"fr.json", "line 4"}},
		{"truncated", fstest.MapFS{"en.json": en, "ar.json": {Data: []byte(`{"a": "A"`)}}, []string{"ar.json"}},
		{"not an object", fstest.MapFS{"en.json": en, "fr.json": {Data: []byte(`["a"]`)}}, []string{"fr.json", "object"}},
		{"trailing data", fstest.MapFS{"en.json": en, "fr.json": {Data: []byte(`{} {}`)}}, []string{"fr.json", "after"}},
		{"duplicate key", fstest.MapFS{"en.json": en, "fr.json": {Data: []byte(`{"a": "A", "a": "B"}`)}}, []string{"fr.json", `"a" appears twice`}},
		{"number value", fstest.MapFS{"en.json": en, "fr.json": {Data: []byte(`{"a": 3}`)}}, []string{"fr.json", `"a"`}},
		{"plural without other", fstest.MapFS{"en.json": en, "fr.json": {Data: []byte(`{"a": {"one": "x"}}`)}}, []string{"fr.json", `"a"`, "other"}},
		{"unknown plural form", fstest.MapFS{"en.json": en, "fr.json": {Data: []byte(`{"a": {"plural": "x", "other": "y"}}`)}}, []string{"fr.json", `"plural"`}},
		{"bad file name", fstest.MapFS{"en.json": en, "french.json": {Data: []byte(`{}`)}}, []string{"french.json", "BCP 47"}},
		{"unknown language", fstest.MapFS{"en.json": en, "xx.json": {Data: []byte(`{}`)}}, []string{"xx.json"}},
		{"same language twice", fstest.MapFS{"en.json": en, "EN.json": en}, []string{"EN.json", "en.json"}},
		{"no English", fstest.MapFS{"fr.json": en}, []string{"en.json"}},
		{"digits", fstest.MapFS{"en.json": en, "ar.json": {Data: []byte(`{"locale.number.digits": "0123"}`)}}, []string{"ar.json", "locale.number.digits"}},
		{"plural locale data", fstest.MapFS{"en.json": en, "fr.json": {Data: []byte(`{"locale.month.1": {"other": "x"}}`)}}, []string{"fr.json", "locale.month.1"}},
	} {
		_, err := Load(c.fsys)
		if err == nil {
			t.Errorf("%s: Load succeeded", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %s", c.name, err, w)
			}
		}
	}
}

// TestOneFileAddsALanguage: dropping es.json next to the others is all it
// takes for Spanish to be offered, negotiated and used, with English for
// what it lacks.
func TestOneFileAddsALanguage(t *testing.T) {
	sub, err := fs.Sub(embedded, "messages")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	names, _ := fs.Glob(sub, "*.json")
	for _, n := range names {
		data, err := fs.ReadFile(sub, n)
		if err != nil {
			t.Fatal(err)
		}
		fsys[n] = &fstest.MapFile{Data: data}
	}
	fsys["es.json"] = &fstest.MapFile{Data: []byte(`{"locale.name": "Español", "nav.events": "Eventos"}`)}
	b, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Languages(), []string{"en", "ar", "es", "fr"}; !slices.Equal(got, want) {
		t.Errorf("Languages() = %q, want %q", got, want)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "es-MX,es;q=0.9")
	es := b.Negotiate(r)
	if es.Tag() != "es" || es.Name() != "Español" || es.Dir() != "ltr" {
		t.Errorf("negotiated %s %s %s", es.Tag(), es.Name(), es.Dir())
	}
	if got := es.T("nav.events"); got != "Eventos" {
		t.Errorf("es nav.events = %q", got)
	}
	if got := es.T("nav.datasets"); got != "Datasets" {
		t.Errorf("es nav.datasets = %q, want the English fallback", got)
	}
	if got := es.T("events.count", "count", 2); got != "2 events" {
		t.Errorf("es events.count = %q", got)
	}
	if n := len(b.Missing()["es"]); n != len(b.locales["en"].msgs)-2 {
		t.Errorf("Missing()[es] has %d keys", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			b := Default()
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Accept-Language", []string{"ar", "fr", "en"}[i%3])
			l := b.Negotiate(r)
			_ = l.T("datasets.events_stored", "count", i) + l.Number(float64(i)*1000.5, 1) + l.Date(time.Now())
		})
	}
	wg.Wait()
}
