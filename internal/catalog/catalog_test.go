package catalog

import (
	"aftermath/internal/shareddata"
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"aftermath"
)

// The interventions the starter catalog must cover.
var wantSlugs = []string{
	"operation-serval",           // France, Mali, 2013–2014
	"operation-barkhane",         // France, Sahel, 2014–2022
	"minusma",                    // 2013–2023
	"eutm-mali",                  // 2013–2024
	"g5-sahel-joint-force",       // 2017–
	"amisom",                     // 2007–2022
	"atmis",                      // 2022–2024
	"us-strikes-somalia",         // 2007–
	"saudi-uae-coalition-yemen",  // 2015–
	"eu-libya-coast-guard",       // 2016/2017–
	"resolute-support",           // 2015–2021
	"operation-inherent-resolve", // 2014–
}

func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestLoad(t *testing.T) {
	c := load(t)
	if len(c.Sources) == 0 || len(c.Interventions) == 0 {
		t.Fatalf("Load: %d sources, %d interventions", len(c.Sources), len(c.Interventions))
	}
	for _, slug := range wantSlugs {
		if _, ok := c.Entry(slug); !ok {
			t.Errorf("intervention %q is missing from the catalog", slug)
		}
	}
}

// TestFieldRules checks, independently of Parse's own checks, the rules
// every entry of the shipped catalog must follow.
func TestFieldRules(t *testing.T) {
	c := load(t)
	keys := map[string]bool{}
	for _, s := range c.Sources {
		if keys[s.Key] {
			t.Errorf("source key %q is declared twice", s.Key)
		}
		keys[s.Key] = true
		if s.Identifier == "" || s.Title == "" || s.Publisher == "" || !validSourceDate(s.Date) {
			t.Errorf("source %q: identifier, title, publisher and a date are required: %+v", s.Key, s.Source)
		}
		if s.ID != 0 {
			t.Errorf("source %q has ID %d; the store assigns IDs", s.Key, s.ID)
		}
	}
	cited := map[string]bool{}
	slugs := map[string]bool{}
	for i := range c.Interventions {
		e := &c.Interventions[i]
		if slugs[e.Slug] {
			t.Errorf("slug %q is used twice", e.Slug)
		}
		slugs[e.Slug] = true
		if err := e.Validate(); err != nil {
			t.Errorf("%s: %v", e.Slug, err)
		}
		// The floor for every entry: name, backers, area and a phase with a start date.
		if e.Name == "" || len(e.Backers) == 0 || len(e.Area) == 0 || len(e.Phases) == 0 || e.Start() == "" {
			t.Errorf("%s: name, backers, area and one phase with a start date are required", e.Slug)
		}
		if len(e.Citations) != 0 {
			t.Errorf("%s: Intervention.Citations should be empty (citations are in Cited)", e.Slug)
		}
		for _, f := range aftermath.InterventionFields {
			n := len(e.CitationsOf(f))
			if FieldSet(&e.Intervention, f) && n == 0 {
				t.Errorf("%s: field %s is set but not cited", e.Slug, f)
			}
			if !FieldSet(&e.Intervention, f) && n > 0 {
				t.Errorf("%s: field %s is empty but cited", e.Slug, f)
			}
		}
		for _, cr := range e.Cited {
			if !keys[cr.SourceKey] {
				t.Errorf("%s: %s cites undeclared source %q", e.Slug, cr.Field, cr.SourceKey)
			}
			if !slices.Contains([]string{aftermath.ConfidenceLow, aftermath.ConfidenceMedium, aftermath.ConfidenceHigh}, cr.Confidence) {
				t.Errorf("%s: %s: confidence %q", e.Slug, cr.Field, cr.Confidence)
			}
			if !slices.Contains(aftermath.InterventionFields, cr.Field) {
				t.Errorf("%s: citation of unknown field %q", e.Slug, cr.Field)
			}
			cited[cr.SourceKey] = true
		}
		for _, a := range slices.Concat(e.Backers, e.PartnerForces) {
			for _, al := range a.Aliases {
				if al.Dataset != aftermath.DatasetUCDP && al.Dataset != aftermath.DatasetACLED {
					t.Errorf("%s: %s: alias dataset %q", e.Slug, a.Name, al.Dataset)
				}
			}
		}
	}
	for k := range keys {
		if !cited[k] {
			t.Errorf("source %q is never cited", k)
		}
	}
}

// TestKnownAliasTraps pins two mistakes the UCDP data invites: "SNA" in
// UCDP is the Syrian National Army, not the Somali National Army; and from
// 2015 UCDP's "Government of Yemen (North Yemen)" is the side the
// Saudi-led coalition fights, not the side it backs.
func TestKnownAliasTraps(t *testing.T) {
	c := load(t)
	for _, e := range c.Interventions {
		somali := slices.ContainsFunc(e.Area, func(a aftermath.AreaRef) bool { return a.Country == "SOM" })
		for _, a := range e.PartnerForces {
			for _, al := range a.Aliases {
				if somali && al.Name == "SNA" {
					t.Errorf("%s: %s: UCDP's \"SNA\" is the Syrian National Army", e.Slug, a.Name)
				}
				// Dated or not, the name may mean the partner only before
				// 2015; the catalog does not give it even then (the day
				// UCDP's coding changed hands is not cited).
				if e.Slug == "saudi-uae-coalition-yemen" && al.Name == "Government of Yemen (North Yemen)" {
					t.Errorf("%s: %s: UCDP's \"Government of Yemen (North Yemen)\" is the coalition's adversary from 2015", e.Slug, a.Name)
				}
				if al.Name == "Government of Yemen (North Yemen)" && (al.To == "" || al.To >= "2015-01-01") {
					t.Errorf("%s: %s: UCDP's \"Government of Yemen (North Yemen)\" is the Houthi side from 2015; the alias runs to %q", e.Slug, a.Name, al.To)
				}
				// UCDP's "Government of Afghanistan" is the Taliban after they
				// took Kabul on 15 August 2021.
				if al.Name == "Government of Afghanistan" && (al.To == "" || al.To > "2021-08-15") {
					t.Errorf("%s: %s: UCDP's \"Government of Afghanistan\" is the Taliban after 2021-08-15; the alias runs to %q", e.Slug, a.Name, al.To)
				}
			}
		}
	}
}

func TestEmbeddedIsStrictJSON(t *testing.T) {
	// The embedded file must also parse with a plain decoder into the file
	// types (it does if Load succeeds) and must be one object.
	var v map[string]json.RawMessage
	if err := json.Unmarshal(embedded, &v); err != nil {
		t.Fatal(err)
	}
	for k := range v {
		if k != "sources" && k != "interventions" {
			t.Errorf("unexpected top-level key %q", k)
		}
	}
}

// base is a small valid catalog the rejection cases start from.
const base = `{
  "sources": [
    {"key": "s1", "identifier": "S/RES/2100 (2013)", "title": "Resolution 2100 (2013)", "publisher": "United Nations Security Council", "date": "2013-04-25", "url": "https://undocs.org/S/RES/2100(2013)", "language": "en"}
  ],
  "interventions": [
    {
      "slug": "x",
      "name": "X",
      "backers": [{"name": "United Nations"}],
      "partner_forces": [{"name": "Malian forces", "aliases": {"ucdp": ["Government of Mali"]}, "start": "", "end": ""}],
      "area": [{"country": "MLI"}],
      "phases": [{"name": "Mandate", "start": "2013-07-01", "end": "2023-12-31"}],
      "citations": {
        "name": [{"source": "s1", "page": "", "quote": "", "confidence": "high"}],
        "backers": [{"source": "s1", "confidence": "high"}],
        "partner_forces": [{"source": "s1", "confidence": "medium"}],
        "area": [{"source": "s1", "confidence": "high"}],
        "phases": [{"source": "s1", "confidence": "high"}]
      }
    }
  ]
}`

// variant returns base with edit applied to its decoded form.
func variant(t *testing.T, edit func(doc map[string]any, iv map[string]any)) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(base), &doc); err != nil {
		t.Fatal(err)
	}
	iv := doc["interventions"].([]any)[0].(map[string]any)
	edit(doc, iv)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func cites(iv map[string]any) map[string]any { return iv["citations"].(map[string]any) }

func TestParseBase(t *testing.T) {
	c, err := Parse(strings.NewReader(base))
	if err != nil {
		t.Fatalf("Parse(base): %v", err)
	}
	e, ok := c.Entry("x")
	if !ok {
		t.Fatal("entry x missing")
	}
	// A plain string is an undated name.
	want := aftermath.DatedAliases{{Dataset: "ucdp", Name: "Government of Mali"}}
	if !slices.Equal(e.PartnerForces[0].Aliases, want) {
		t.Errorf("aliases = %v, want %v", e.PartnerForces[0].Aliases, want)
	}
	if len(e.Cited) != 5 || e.Cited[0].Field != "name" || e.Cited[0].SourceKey != "s1" {
		t.Errorf("Cited = %+v", e.Cited)
	}
	if s, ok := c.Source("s1"); !ok || s.Identifier != "S/RES/2100 (2013)" {
		t.Errorf("Source(s1) = %+v, %v", s, ok)
	}
}

// TestDatedAliases checks that dated names and support windows load from
// the shipped catalog, with the defaults SupportWindow applies.
func TestDatedAliases(t *testing.T) {
	c := load(t)
	rs, ok := c.Entry("resolute-support")
	if !ok {
		t.Fatal("resolute-support is missing")
	}
	p := rs.PartnerForces[0]
	want := aftermath.DatedAliases{{Dataset: "ucdp", Name: "Government of Afghanistan", To: "2021-08-15"}}
	if !slices.Equal(p.Aliases, want) {
		t.Errorf("resolute-support aliases = %+v, want %+v", p.Aliases, want)
	}
	if from, to := rs.SupportWindow(p); from != "2015-01-01" || to != "2021-08-15" {
		t.Errorf("resolute-support partner window = %s..%s, want 2015-01-01..2021-08-15", from, to)
	}
	if al := p.Aliases[0]; !al.Covers("2021-08-15") || al.Covers("2021-08-16") {
		t.Errorf("%+v: covers the 15th and not the 16th of August 2021", al)
	}
	bk, _ := c.Entry("operation-barkhane")
	for _, tc := range []struct{ partner, from, to string }{
		{"Malian Armed Forces", "2014-08-01", "2022-08-15"},  // its own end
		{"Armed forces of Chad", "2014-08-01", "2022-11-09"}, // the operation's span
	} {
		i := slices.IndexFunc(bk.PartnerForces, func(a aftermath.InterventionActor) bool { return a.Name == tc.partner })
		if i < 0 {
			t.Errorf("operation-barkhane: no partner %q", tc.partner)
			continue
		}
		if from, to := bk.SupportWindow(bk.PartnerForces[i]); from != tc.from || to != tc.to {
			t.Errorf("operation-barkhane: %s: window %s..%s, want %s..%s", tc.partner, from, to, tc.from, tc.to)
		}
	}
	g5, _ := c.Entry("g5-sahel-joint-force")
	if from, to := g5.SupportWindow(g5.PartnerForces[3]); from != "2017-02-06" || to != "" {
		t.Errorf("g5: %s: window %s..%q, want 2017-02-06..\"\" (ongoing)", g5.PartnerForces[3].Name, from, to)
	}
}

// TestParseDatedAlias reads a name as an object with dates, and the old
// "start"/"end" keys of a partner force.
func TestParseDatedAlias(t *testing.T) {
	doc := variant(t, func(_, iv map[string]any) {
		iv["partner_forces"] = []any{map[string]any{"name": "Malian forces", "start": "2013-08-01", "end": "2020-08-18",
			"aliases": map[string]any{"ucdp": []any{"Government of Mali", map[string]any{"name": "Military faction (Red Berets)", "from": "2012-04-30", "to": "2012-05-01"}}}}}
	})
	c, err := Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := c.Entry("x")
	p := e.PartnerForces[0]
	want := aftermath.DatedAliases{{Dataset: "ucdp", Name: "Government of Mali"}, {Dataset: "ucdp", Name: "Military faction (Red Berets)", From: "2012-04-30", To: "2012-05-01"}}
	if !slices.Equal(p.Aliases, want) || p.From != "2013-08-01" || p.To != "2020-08-18" {
		t.Errorf("partner = %+v, want aliases %+v and window 2013-08-01..2020-08-18", p, want)
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want []string // every one must appear in the error
	}{
		{"uncited field", variant(t, func(_, iv map[string]any) {
			iv["objectives"] = []any{"Stabilise key population centres"}
		}), []string{"intervention x", `field "objectives" has no citation`}},
		{"uncited budget", variant(t, func(_, iv map[string]any) {
			iv["budget"] = map[string]any{"amount": 1.0, "currency": "USD", "year": 2013}
		}), []string{"intervention x", `field "budget" has no citation`}},
		{"unknown source key", variant(t, func(_, iv map[string]any) {
			cites(iv)["area"] = []any{map[string]any{"source": "nope", "confidence": "high"}}
		}), []string{"intervention x", "citation 1 of area", `unknown source "nope"`}},
		{"unknown JSON key in an intervention", variant(t, func(_, iv map[string]any) {
			iv["colour"] = "red"
		}), []string{"intervention x", `unknown field "colour"`}},
		{"unknown JSON key in a source", variant(t, func(doc, _ map[string]any) {
			doc["sources"].([]any)[0].(map[string]any)["pages"] = 3
		}), []string{`source "s1"`, `unknown field "pages"`}},
		{"unknown JSON key in a partner force", variant(t, func(_, iv map[string]any) {
			iv["partner_forces"].([]any)[0].(map[string]any)["ucdp_id"] = 72
		}), []string{"intervention x", `unknown field "ucdp_id"`}},
		{"wrong type", variant(t, func(_, iv map[string]any) {
			iv["instruments"] = "troops"
		}), []string{"intervention x", "instruments"}},
		{"unknown JSON key at top level", variant(t, func(doc, _ map[string]any) {
			doc["actors"] = []any{}
		}), []string{`unknown field "actors"`}},
		{"bad source date", variant(t, func(doc, _ map[string]any) {
			doc["sources"].([]any)[0].(map[string]any)["date"] = "25/04/2013"
		}), []string{`source "s1"`, `date "25/04/2013"`}},
		{"impossible source date", variant(t, func(doc, _ map[string]any) {
			doc["sources"].([]any)[0].(map[string]any)["date"] = "2013-02-30"
		}), []string{`source "s1"`, `date "2013-02-30"`}},
		{"bad phase date", variant(t, func(_, iv map[string]any) {
			iv["phases"] = []any{map[string]any{"name": "Mandate", "start": "2013-07", "end": ""}}
		}), []string{"intervention x", "phase 1", "YYYY-MM-DD"}},
		{"impossible phase date", variant(t, func(_, iv map[string]any) {
			iv["phases"] = []any{map[string]any{"name": "Mandate", "start": "2013-06-31", "end": ""}}
		}), []string{"intervention x", "phase 1", `"2013-06-31" does not exist`}},
		{"bad actor date", variant(t, func(_, iv map[string]any) {
			iv["backers"] = []any{map[string]any{"name": "United Nations", "start": "2013"}}
		}), []string{"intervention x", "United Nations", `"2013"`}},
		{"bad alias date", variant(t, func(_, iv map[string]any) {
			iv["partner_forces"] = []any{map[string]any{"name": "Malian forces", "aliases": map[string]any{"ucdp": []any{map[string]any{"name": "Government of Mali", "to": "2021-13-01"}}}}}
		}), []string{"intervention x", "Malian forces", `ucdp name "Government of Mali"`, `to: date "2021-13-01"`}},
		{"alias date not a day", variant(t, func(_, iv map[string]any) {
			iv["partner_forces"] = []any{map[string]any{"name": "Malian forces", "aliases": map[string]any{"ucdp": []any{map[string]any{"name": "Government of Mali", "from": "2013"}}}}}
		}), []string{"intervention x", "Malian forces", `ucdp name "Government of Mali"`, `from: date "2013"`}},
		{"alias to before from", variant(t, func(_, iv map[string]any) {
			iv["partner_forces"] = []any{map[string]any{"name": "Malian forces", "aliases": map[string]any{"ucdp": []any{map[string]any{"name": "Government of Mali", "from": "2020-01-01", "to": "2019-12-31"}}}}}
		}), []string{"intervention x", "Malian forces", `ucdp name "Government of Mali"`, "to (2019-12-31) is before from (2020-01-01)"}},
		{"dated alias without dates", variant(t, func(_, iv map[string]any) {
			iv["partner_forces"] = []any{map[string]any{"name": "Malian forces", "aliases": map[string]any{"ucdp": []any{map[string]any{"name": "Government of Mali"}}}}}
		}), []string{"intervention x", "Malian forces", `ucdp name "Government of Mali"`, "plain string"}},
		{"unknown key in a dated alias", variant(t, func(_, iv map[string]any) {
			iv["partner_forces"] = []any{map[string]any{"name": "Malian forces", "aliases": map[string]any{"ucdp": []any{map[string]any{"name": "Government of Mali", "until": "2020-01-01"}}}}}
		}), []string{"intervention x", `unknown field "until"`}},
		{"bad support window date", variant(t, func(_, iv map[string]any) {
			iv["partner_forces"] = []any{map[string]any{"name": "Malian forces", "to": "2022-02-30"}}
		}), []string{"intervention x", "Malian forces", `"2022-02-30"`}},
		{"support window to before from", variant(t, func(_, iv map[string]any) {
			iv["partner_forces"] = []any{map[string]any{"name": "Malian forces", "from": "2020-01-01", "to": "2019-01-01"}}
		}), []string{"intervention x", "Malian forces", "2019-01-01", "2020-01-01"}},
		{"old and new key together", variant(t, func(_, iv map[string]any) {
			iv["partner_forces"] = []any{map[string]any{"name": "Malian forces", "to": "2020-01-01", "end": "2019-01-01"}}
		}), []string{"intervention x", "Malian forces", `"to"`, `"end"`, "not both"}},
		{"unused source", variant(t, func(doc, _ map[string]any) {
			doc["sources"] = append(doc["sources"].([]any), map[string]any{
				"key": "s2", "identifier": "S/RES/2690 (2023)", "title": "Resolution 2690 (2023)",
				"publisher": "United Nations Security Council", "date": "2023-06-30",
			})
		}), []string{`source "s2" is never cited`}},
		{"duplicate source key", variant(t, func(doc, _ map[string]any) {
			s := doc["sources"].([]any)
			doc["sources"] = append(s, s[0])
		}), []string{`source "s1": key is declared twice`}},
		{"source without publisher", variant(t, func(doc, _ map[string]any) {
			delete(doc["sources"].([]any)[0].(map[string]any), "publisher")
		}), []string{`source "s1": publisher is required`}},
		{"duplicate slug", variant(t, func(doc, iv map[string]any) {
			doc["interventions"] = append(doc["interventions"].([]any), iv)
		}), []string{"intervention x: slug is used twice"}},
		{"bad confidence", variant(t, func(_, iv map[string]any) {
			cites(iv)["name"] = []any{map[string]any{"source": "s1", "confidence": "certain"}}
		}), []string{"intervention x", "citation 1 of name", `confidence "certain"`}},
		{"citation of unknown field", variant(t, func(_, iv map[string]any) {
			cites(iv)["colour"] = []any{map[string]any{"source": "s1", "confidence": "high"}}
		}), []string{"intervention x", `citation of unknown field "colour"`}},
		{"citation of empty field", variant(t, func(_, iv map[string]any) {
			cites(iv)["budget"] = []any{map[string]any{"source": "s1", "confidence": "high"}}
		}), []string{"intervention x", `field "budget" is cited but empty`}},
		{"unknown alias dataset", variant(t, func(_, iv map[string]any) {
			iv["partner_forces"] = []any{map[string]any{"name": "Malian forces", "aliases": map[string]any{"gdelt": []any{"MLI"}}}}
		}), []string{"intervention x", "Malian forces", `unknown dataset "gdelt"`}},
		{"no backers", variant(t, func(_, iv map[string]any) {
			delete(iv, "backers")
			delete(cites(iv), "backers")
		}), []string{"intervention x", "backers", "at least one backer"}},
		{"no area", variant(t, func(_, iv map[string]any) {
			delete(iv, "area")
			delete(cites(iv), "area")
		}), []string{"intervention x", "area", "at least one country"}},
		{"no phase", variant(t, func(_, iv map[string]any) {
			delete(iv, "phases")
			delete(cites(iv), "phases")
		}), []string{"intervention x", "phase"}},
		{"bad instrument", variant(t, func(_, iv map[string]any) {
			iv["instruments"] = []any{"drones"}
			cites(iv)["instruments"] = []any{map[string]any{"source": "s1", "confidence": "high"}}
		}), []string{"intervention x", `instrument "drones"`}},
		{"bad country", variant(t, func(_, iv map[string]any) {
			iv["area"] = []any{map[string]any{"country": "Mali"}}
		}), []string{"intervention x", `"Mali"`}},
		{"trailing data", base + `{"sources": []}`, []string{"unexpected data after the catalog object"}},
		{"not JSON", `{"sources": [`, []string{"catalog:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.doc))
			if err == nil {
				t.Fatalf("Parse accepted it; want an error mentioning %q", tc.want)
			}
			if code := aftermath.ErrorCode(err); code != aftermath.EINVALID {
				t.Errorf("error code %q, want %q", code, aftermath.EINVALID)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// csvColumns calls fn with the named columns of every data row.
func csvColumns(r io.Reader, cols []string, fn func([]string)) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return err
	}
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = slices.Index(head, c)
		if idx[i] < 0 {
			return errors.New("no column " + c)
		}
	}
	vals := make([]string, len(cols))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		for i, j := range idx {
			if j < len(rec) {
				vals[i] = rec[j]
			} else {
				vals[i] = ""
			}
		}
		fn(vals)
	}
}

// gedActors returns the side_a and side_b names of a UCDP GED zip.
func gedActors(t *testing.T, path string) map[string]bool {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	found := false
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "__MACOSX/") || !strings.HasSuffix(strings.ToLower(f.Name), ".csv") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		err = csvColumns(rc, []string{"side_a", "side_b"}, func(v []string) {
			names[v[0]] = true
			names[v[1]] = true
		})
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %s: %v", path, f.Name, err)
		}
		found = true
	}
	if !found {
		t.Fatalf("%s holds no CSV file", path)
	}
	return names
}

// TestPartnerAliasesInSharedUCDP checks the UCDP aliases against the
// shared UCDP files: the partner forces of the Mali, Somalia, Yemen, Iraq
// and Afghanistan entries carry a UCDP alias that occurs in the GED file,
// and every UCDP alias in the catalog occurs in the shared UCDP data.
func TestPartnerAliasesInSharedUCDP(t *testing.T) {
	gedPath := shareddata.Path(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")
	ged := gedActors(t, gedPath)

	// Other shared UCDP files widen the set of names an alias may come from
	// (UCDP renames actors between versions: "Forces of Hadi" is "Forces of
	// the Presidential Leadership Council" in the v24.1 conflict data).
	known := map[string]bool{}
	for n := range ged {
		known[n] = true
	}
	if v22 := filepath.Join(filepath.Dir(gedPath), "GEDEvent_v22_0_2.csv.zip"); fileExists(v22) {
		for n := range gedActors(t, v22) {
			known[n] = true
		}
	}
	conflict := shareddata.Path(t, "ucdp/UcdpPrioConflict_v24_1.csv")
	f, err := os.Open(conflict)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := csvColumns(f, []string{"side_a", "side_b"}, func(v []string) {
		for _, side := range v {
			for _, n := range strings.Split(side, ", ") {
				known[n] = true
			}
		}
	}); err != nil {
		t.Fatalf("%s: %v", conflict, err)
	}

	c := load(t)
	// Each entry of the five countries must link its partner forces to the
	// GED through at least these names.
	required := map[string][]string{
		"operation-serval":           {"Government of Mali"},
		"operation-barkhane":         {"Government of Mali"},
		"minusma":                    {"Government of Mali"},
		"eutm-mali":                  {"Government of Mali"},
		"g5-sahel-joint-force":       {"Government of Mali"},
		"amisom":                     {"Government of Somalia"},
		"atmis":                      {"Government of Somalia"},
		"us-strikes-somalia":         {"Government of Somalia"},
		"saudi-uae-coalition-yemen":  {"Forces of Hadi"},
		"operation-inherent-resolve": {"Government of Iraq"},
		"resolute-support":           {"Government of Afghanistan"},
	}
	for slug, names := range required {
		e, ok := c.Entry(slug)
		if !ok {
			t.Errorf("%s is missing", slug)
			continue
		}
		var have []string
		for _, a := range e.PartnerForces {
			for _, al := range a.Aliases {
				if al.Dataset == aftermath.DatasetUCDP {
					have = append(have, al.Name)
				}
			}
		}
		for _, n := range names {
			if !slices.Contains(have, n) {
				t.Errorf("%s: no partner force carries the UCDP alias %q (have %q)", slug, n, have)
			}
			if !ged[n] {
				t.Errorf("%s: UCDP alias %q does not occur in the shared GED file", slug, n)
			}
		}
	}
	for _, e := range c.Interventions {
		for _, a := range slices.Concat(e.Backers, e.PartnerForces) {
			var ucdp []string
			for _, al := range a.Aliases {
				if al.Dataset != aftermath.DatasetUCDP {
					continue
				}
				ucdp = append(ucdp, al.Name)
				if !known[al.Name] {
					t.Errorf("%s: %s: UCDP alias %q occurs in no shared UCDP file", e.Slug, a.Name, al.Name)
				}
			}
			if len(ucdp) > 0 && !slices.ContainsFunc(ucdp, func(n string) bool { return ged[n] }) {
				t.Errorf("%s: %s: none of the UCDP aliases %q occurs in the shared GED file", e.Slug, a.Name, ucdp)
			}
		}
	}
}

// TestTranslations: every entry ships its name, and each of its phases,
// in French and Arabic, written as each language writes (the French
// apostrophe, no Latin letters or Latin punctuation in Arabic), and
// different from the English.
func TestTranslations(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	latin := regexp.MustCompile(`[A-Za-z]`)
	for _, e := range c.Interventions {
		for _, lang := range []string{"fr", "ar"} {
			fields := []string{"name"}
			own := []string{e.Name}
			for i, ph := range e.Phases {
				fields, own = append(fields, aftermath.ListField("phases", i)), append(own, ph.Name)
			}
			for i, f := range fields {
				text, ok := e.Translations.Text(lang, f, own[i])
				switch {
				case !ok:
					t.Errorf("%s: no %s translation of %s", e.Slug, lang, f)
				case lang == "ar" && (latin.MatchString(text) || strings.ContainsAny(text, ",;?")):
					t.Errorf("%s: ar %s has Latin letters or punctuation: %q", e.Slug, f, text)
				case lang == "fr" && strings.Contains(text, "'"):
					t.Errorf("%s: fr %s has an ASCII apostrophe: %q", e.Slug, f, text)
				case lang == "fr" && text == own[i]:
					t.Errorf("%s: fr %s is the English text: %q", e.Slug, f, text)
				}
			}
		}
	}
	minusma, _ := c.Entry("minusma")
	if got, _ := minusma.Translations.Text("fr", "name", ""); !strings.HasPrefix(got, "Mission multidimensionnelle intégrée des Nations unies pour la stabilisation au Mali") {
		t.Errorf("minusma fr name = %q", got)
	}
}

// TestTranslationsChecked: a translation of a phase the entry does not
// have, or into a language the platform does not serve, is refused.
func TestTranslationsChecked(t *testing.T) {
	for name, tr := range map[string]string{
		"extra phase":      `{"fr": {"name": "Opération", "phases": ["Un", "Deux"]}}`,
		"unknown language": `{"de": {"name": "Operation"}}`,
		"no name":          `{"fr": {"phases": ["Un"]}}`,
		"own language":     `{"en": {"name": "Operation"}}`,
	} {
		_, err := Parse(strings.NewReader(oneEntry(tr)))
		if aftermath.ErrorCode(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "translations") {
			t.Errorf("%s: err = %v, want EINVALID about translations", name, err)
		}
	}
	if _, err := Parse(strings.NewReader(oneEntry(`{"fr": {"name": "Opération", "phases": ["Un"]}}`))); err != nil {
		t.Errorf("a valid translation: %v", err)
	}
}

// oneEntry is a minimal valid catalog whose one entry has translations tr.
func oneEntry(tr string) string {
	return `{"sources": [{"key": "s", "identifier": "S/RES/1", "title": "T", "publisher": "UN", "date": "2013"}],
	"interventions": [{"slug": "x", "name": "Operation", "backers": [{"name": "A"}], "area": [{"country": "MLI"}],
	"phases": [{"name": "One", "start": "2013-01-01"}], "translations": ` + tr + `,
	"citations": {"name": [{"source": "s", "confidence": "high"}], "backers": [{"source": "s", "confidence": "high"}],
	"area": [{"source": "s", "confidence": "high"}], "phases": [{"source": "s", "confidence": "high"}]}}]}`
}
