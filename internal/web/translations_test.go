package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/geo"
)

// TestInterventionsInTheReadersLanguage: a French and an Arabic reader see
// a catalog intervention's name and phases in their language, on its page,
// in the list and in its charts; what has no translation (the objectives)
// is shown in English, marked so, with its language on the element.
func TestInterventionsInTheReadersLanguage(t *testing.T) {
	f := newLedgerFixture(t)
	for _, c := range []struct{ lang, name, phase, fallback, month string }{
		{"fr", "Mission multidimensionnelle intégrée des Nations unies pour la stabilisation au Mali (MINUSMA)",
			"Cessation des opérations, réduction des effectifs et retrait", "(en anglais)", ">mars 2023</text>"},
		{"ar", "بعثة الأمم المتحدة المتكاملة المتعددة الأبعاد لتحقيق الاستقرار في مالي (مينوسما)",
			"وقف العمليات وتقليص القوام والانسحاب", "(بالإنجليزية)", ">مارس 2023</text>"},
	} {
		_, body := f.get(t, "/interventions/minusma?lang="+c.lang)
		if !strings.Contains(body, "<h1>"+c.name+"</h1>") || !strings.Contains(body, "<title>"+c.name) {
			t.Errorf("%s: the heading and title are not the translated name", c.lang)
		}
		if !strings.Contains(body, c.phase) || strings.Contains(body, "Cessation of operations, drawdown and withdrawal") {
			t.Errorf("%s: the phase is not shown translated", c.lang)
		}
		objective := `<span lang="en" dir="ltr">Protect civilians, and monitor`
		if !strings.Contains(body, objective) || !strings.Contains(body, `<small class="lang-fallback" lang="`+c.lang+`">`+c.fallback+`</small>`) {
			t.Errorf("%s: an untranslated objective is not marked as English", c.lang)
		}
		svgs := regexp.MustCompile(`(?s)<svg.*?</svg>`).FindAllString(body, -1)
		if len(svgs) == 0 {
			t.Fatalf("%s: no chart", c.lang)
		}
		if !strings.Contains(svgs[0], c.month) {
			t.Errorf("%s: the monthly chart does not write its months as the reader does", c.lang)
		}
		for _, svg := range svgs {
			if !strings.Contains(svg, c.name) {
				t.Errorf("%s: a chart does not name the intervention in the reader's language", c.lang)
			}
			if c.lang == "ar" {
				// Only the names the Arabic messages keep in Latin letters.
				for _, text := range regexp.MustCompile(`>([^<>]+)</`).FindAllStringSubmatch(svg, -1) {
					if rest := regexp.MustCompile(`UCDP|ACLED|CC BY`).ReplaceAllString(text[1], ""); regexp.MustCompile(`[A-Za-z]`).MatchString(rest) {
						t.Errorf("ar: a chart draws Latin letters: %q", text[1])
					}
				}
			}
			for _, english := range []string{"United Nations Multidimensional", "Mandate, from the transfer", "drawdown", "Month", "per month", "All perpetrators"} {
				if strings.Contains(svg, english) {
					t.Errorf("%s: a chart carries the English %q", c.lang, english)
				}
			}
		}
		_, list := f.get(t, "/interventions?lang="+c.lang)
		if !strings.Contains(list, `href="/interventions/minusma">`+c.name+`</a>`) {
			t.Errorf("%s: the list does not show the translated name", c.lang)
		}
		// Sorted by the names shown: in French Frappes… comes before Mission…
		if c.lang == "fr" && strings.Index(list, "Frappes aériennes des États-Unis en Somalie") > strings.Index(list, c.name) {
			t.Error("fr: the list is not in the order of its French names")
		}
	}
	// What followed, on the timelines and scorecards, names the
	// intervention and its phases in the reader's language too.
	for _, p := range []string{"/interventions/minusma/timeline", "/actors/" + lid(f.un) + "/timeline", "/actors/" + lid(f.un) + "/scorecard"} {
		_, body := f.get(t, p+"?lang=fr")
		if !strings.Contains(body, ">Mission multidimensionnelle intégrée des Nations unies pour la stabilisation au Mali (MINUSMA)</a>") ||
			strings.Contains(body, "Cessation of operations") || strings.Contains(body, ">United Nations Multidimensional") {
			t.Errorf("fr: %s does not name MINUSMA and its phases in French", p)
		}
	}
	// The English reader sees the English text, unmarked.
	_, body := f.get(t, "/interventions/minusma?lang=en")
	if !strings.Contains(body, "<h1>United Nations Multidimensional Integrated Stabilization Mission in Mali (MINUSMA)</h1>") || strings.Contains(body, "lang-fallback") {
		t.Error("the English page is not the English text, unmarked")
	}
}

// TestLedgerRecordTranslations: a ledger record's translated summary is
// shown to its readers, and its text marked as English where it has none.
func TestLedgerRecordTranslations(t *testing.T) {
	f := newLedgerFixture(t)
	ctx := context.Background()
	q, err := f.db.Inquiry(ctx, aftermath.System, f.inquiry.ID)
	if err != nil {
		t.Fatal(err)
	}
	q.Translations = aftermath.Translations{"fr": {"title": "Examen de la protection des civils"}}
	if err := f.db.UpdateInquiry(ctx, aftermath.System, q); err != nil {
		t.Fatal(err)
	}
	for _, list := range []string{"/recommendations", "/interventions/minusma/timeline", "/inquiries/" + lid(q.ID), "/recommendations/" + lid(f.open.ID)} {
		if _, body := f.get(t, list+"?lang=fr"); !strings.Contains(body, "Examen de la protection des civils") || strings.Contains(body, "Review of the protection of civilians") {
			t.Errorf("fr: %s does not title the inquiry in French", list)
		}
	}
	// A verbatim text stays in its author's words; its translation is
	// shown beside it, labelled as one.
	r, err := f.db.Recommendation(ctx, aftermath.System, f.open.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.Verbatim = true
	r.Translations = aftermath.Translations{"fr": {"text": "Former les patrouilles à l’alerte précoce."}}
	if err := f.db.UpdateRecommendation(ctx, aftermath.System, r); err != nil {
		t.Fatal(err)
	}
	_, body := f.get(t, "/recommendations/"+lid(r.ID)+"?lang=fr")
	if !strings.Contains(body, `<blockquote lang="en" dir="ltr">Train patrols in early warning.</blockquote><p class="quote-translation"><small>Traduction, et non les mots de l’auteur`+"\u00a0"+`:</small> Former les patrouilles à l’alerte précoce.</p>`) {
		t.Error("fr: a verbatim recommendation is not quoted in English with its translation beside it")
	}
	if _, body := f.get(t, "/recommendations/"+lid(r.ID)+"?lang=ar"); !strings.Contains(body, `<blockquote lang="en" dir="ltr">Train patrols in early warning.</blockquote><p><small class="lang-fallback">(بالإنجليزية)</small></p>`) {
		t.Error("ar: an untranslated verbatim recommendation is not marked as English")
	}
	d, err := f.db.Decision(ctx, aftermath.System, f.decision.ID)
	if err != nil {
		t.Fatal(err)
	}
	d.Translations = aftermath.Translations{"fr": {"summary": "A transféré l’autorité à la mission."}}
	if err := f.db.UpdateDecision(ctx, aftermath.System, d); err != nil {
		t.Fatal(err)
	}
	_, body = f.get(t, "/decisions/"+lid(d.ID)+"?lang=fr")
	if !strings.Contains(body, "A transféré l’autorité à la mission.") {
		t.Error("fr: the decision's summary is not translated")
	}
	_, body = f.get(t, "/decisions/"+lid(d.ID)+"?lang=ar")
	if !strings.Contains(body, `<span lang="en" dir="ltr">Transferred authority to the mission.</span> <small class="lang-fallback" lang="ar">(بالإنجليزية)</small>`) {
		t.Error("ar: the untranslated summary is not marked as English")
	}
	for _, list := range []string{"/decisions", "/interventions/minusma/timeline", "/actors/" + lid(f.un) + "/timeline"} {
		_, body = f.get(t, list+"?lang=fr")
		if n := strings.Count(body, "A transféré l’autorité à la mission."); n == 0 || list != "/decisions" && n < 2 {
			t.Errorf("fr: %s shows the translated summary %d times", list, n)
		}
	}
}

// TestCountriesByName: the intervention, ledger and place pages name the
// countries of the fixture; no ISO 3166 code stands in the text where a
// name is meant (links and attributes may carry codes).
func TestCountriesByName(t *testing.T) {
	f := newLedgerFixture(t)
	var codes []string
	for _, iv := range []string{"minusma", "amisom", "saudi-uae-coalition-yemen", "operation-barkhane"} {
		stored, err := f.db.FindIntervention(context.Background(), aftermath.System, iv)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range stored.Area {
			codes = append(codes, a.Country)
		}
	}
	code := regexp.MustCompile(`\b(` + strings.Join(codes, "|") + `)\b`)
	tags := regexp.MustCompile(`(?s)<[^>]*>`)
	pages := []string{"/interventions", "/interventions/minusma", "/interventions/amisom", "/interventions/operation-barkhane",
		"/interventions/minusma/timeline", "/decisions/" + lid(f.decision.ID), "/inquiries/" + lid(f.inquiry.ID),
		"/recommendations/" + lid(f.overdue.ID), "/claims/" + lid(f.claim.ID), "/places/MLI"}
	for _, lang := range []string{"en", "fr", "ar"} {
		for _, p := range pages {
			_, body := f.get(t, p+"?lang="+lang)
			text := tags.ReplaceAllString(body, " ")
			for _, i := range code.FindAllStringIndex(text, -1) {
				t.Errorf("%s?lang=%s shows a code: %q", p, lang, text[max(0, i[0]-80):min(len(text), i[1]+40)])
			}
		}
	}
	mali, _ := geo.ByAlpha3("MLI")
	_, body := f.get(t, "/interventions/operation-barkhane?lang=en")
	if !strings.Contains(body, mali.Name) || !strings.Contains(body, "Burkina Faso") {
		t.Error("the intervention page does not name its countries")
	}
}

// TestArabicDatesIsolated: on Arabic pages every date range (2013-07-01 –
// 2023-12-31) and low–high figure (3 (1–5)) sits inside a directional
// isolate, so the right-to-left text around it cannot reorder its parts.
func TestArabicDatesIsolated(t *testing.T) {
	f := newLedgerFixture(t)
	isolated := regexp.MustCompile("(?s)<bdi[^>]*>.*?</bdi>|\u2066[^\u2069]*\u2069")
	tags := regexp.MustCompile(`(?s)<[^>]*>`)
	dateRange := regexp.MustCompile(`\b\d{4}-\d{2}(-\d{2})?\s*–|\b\d{4}\s*–\s*\d{4}\b|\(\d[\d,.]*–\d[\d,.]*\)`)
	for _, p := range []string{"/interventions", "/interventions/minusma", "/interventions/minusma/timeline", "/places", "/places/MLI",
		"/decisions/" + lid(f.decision.ID), "/inquiries/" + lid(f.inquiry.ID), "/recommendations/" + lid(f.overdue.ID), "/claims/" + lid(f.claim.ID), "/sources", "/sources/" + lid(f.source.ID)} {
		_, body := f.get(t, p+"?lang=ar")
		body = regexp.MustCompile(`(?s)<svg.*?</svg>|<a [^>]*>|<input [^>]*>`).ReplaceAllString(body, "")
		text := tags.ReplaceAllString(isolated.ReplaceAllString(body, ""), " ")
		for _, line := range strings.Split(text, "\n") {
			if m := dateRange.FindString(line); m != "" {
				t.Errorf("%s: a date range outside an isolate: %q in %q", p, m, strings.TrimSpace(line))
			}
		}
	}
}

// TestTestimonyFormPreselectsTheReadersLanguage: the language of a new
// testimony defaults to the interface's, the one its reader works in.
func TestTestimonyFormPreselectsTheReadersLanguage(t *testing.T) {
	f := newVoicesFixture(t, true)
	menu := regexp.MustCompile(`(?s)<select name="language">(.*?)</select>`)
	for _, lang := range []string{"en", "fr", "ar"} {
		body := f.do(t, "contributor", "GET", "/testimonies/new?lang="+lang, nil).Body.String()
		m := menu.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no language menu", lang)
		}
		if strings.Count(m[1], " selected") != 1 || !strings.Contains(m[1], `<option value="`+lang+`" selected>`) {
			t.Errorf("%s: the menu does not preselect %s: %s", lang, lang, m[1])
		}
	}
}

// TestLedgerFormTranslations: the decision form offers the record's own
// language (the writer's by default) and its texts in the others; what is
// filled in is stored and shown to readers of those languages; a
// "translation" into the record's own language is refused.
func TestLedgerFormTranslations(t *testing.T) {
	f := newLedgerFixture(t)
	editor, _ := f.session(t, "editor@example.org", aftermath.RoleEditor)
	form := f.do(t, "GET", "/decisions/new?lang=fr", editor, nil).Body.String()
	if !strings.Contains(form, `>Mission multidimensionnelle intégrée des Nations unies pour la stabilisation au Mali (MINUSMA)</option>`) {
		t.Error("the French form does not offer the interventions by their French names")
	}
	if !strings.Contains(form, `<option value="fr" selected>`) || !strings.Contains(form, `name="tr_ar_summary"`) || !strings.Contains(form, `lang="ar" dir="rtl"`) {
		t.Fatal("the French decision form does not offer the translations, or does not default to French")
	}
	decision := url.Values{"csrf": {ledgerCSRF}, "maker": {"Ministry of Defence of Testland"}, "maker_kind": {"state"}, "date": {"2015-03"},
		"kind": {"arms-export-licence"}, "reference": {"TL-2015-8"}, "summary": {"A autorisé l’exportation de véhicules blindés."},
		"audience": {"public"}, "language": {"fr"}, "tr_en_summary": {"Licensed the export of armoured vehicles."},
		"tr_ar_summary": {"رخّصت بتصدير مركبات مدرعة."}, "tr_fr_summary": {"doublon"}}
	if rec := f.do(t, "POST", "/decisions", editor, decision); rec.Code != 400 {
		t.Errorf("a translation into the record's own language: %d, want 400", rec.Code)
	}
	decision.Del("tr_fr_summary")
	rec := f.do(t, "POST", "/decisions", editor, decision)
	if rec.Code != 303 {
		t.Fatalf("decision with translations: %d %s", rec.Code, rec.Body.String())
	}
	loc := rec.Header().Get("Location")
	for lang, want := range map[string]string{"fr": "A autorisé l’exportation de véhicules blindés.", "en": "Licensed the export of armoured vehicles.",
		"ar": "رخّصت بتصدير مركبات مدرعة."} {
		if _, body := f.get(t, loc+"?lang="+lang); !strings.Contains(body, want) || strings.Contains(body, "lang-fallback") {
			t.Errorf("%s: the decision does not show %q unmarked", lang, want)
		}
	}
}

// TestTranslationsThroughTheAPI: the API takes and gives a record's
// language and translations, and refuses a translation of a field the
// record type does not translate.
func TestTranslationsThroughTheAPI(t *testing.T) {
	f := newLedgerFixture(t)
	editor := apiToken(t, f.db, "e@example.org", aftermath.RoleEditor)
	body := `{"maker":{"name":"Testland"},"date":"2020","kind":"funding","summary":"A financé la garde-frontière.","language":"fr",
		"translations":{"en":{"summary":"Funded the border force."},"ar":{"summary":"موّلت قوة حرس الحدود."}},"audience":"public","citations":[]}`
	code, out := call(t, f.h, "POST", "/api/v1/decisions", editor, body)
	var d aftermath.Decision
	if code != 201 || json.Unmarshal([]byte(out), &d) != nil || d.Language != "fr" || d.Translations["ar"]["summary"] != "موّلت قوة حرس الحدود." {
		t.Fatalf("decision with translations: %d %s", code, out)
	}
	bad := strings.Replace(body, `"en":{"summary"`, `"en":{"colour"`, 1)
	if code, out := call(t, f.h, "POST", "/api/v1/decisions", editor, bad); code != 400 || !strings.Contains(out, "colour") {
		t.Errorf("a translation of an unknown field: %d %s", code, out)
	}
	if _, page := f.get(t, "/decisions/"+lid(d.ID)+"?lang=en"); !strings.Contains(page, "Funded the border force.") {
		t.Error("the English reader does not see the English summary")
	}
}
