package brief

import (
	"errors"
	"fmt"
	"html/template"
	"strings"
	"testing"
)

const every = `# What followed MINUSMA

Civilian deaths at the hands of the partner rose to {{figure intervention="minusma" measure="one-sided" period="during" partner="FAMa"}} in the years of support.{{cite source=12 page="34"}}

{{chart intervention="minusma" kind="monthly" dataset="ucdp"}}
{{quote testimony=7}}

The panel's finding, restated by the ministry,{{cite source=12 page="40"}} was later disputed.{{cite source=3}}

{{recommendation id=4}}
{{claim id=9}}
{{table series intervention="minusma" by="year"}}
`

func TestEveryEmbedKindReads(t *testing.T) {
	list, err := Embeds(every)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		got = append(got, fmt.Sprintf("%d %s", e.Line, e))
	}
	want := []string{
		`3 {{figure intervention="minusma" measure="one-sided" partner="FAMa" period="during"}}`,
		`3 {{cite page="34" source="12"}}`,
		`5 {{chart dataset="ucdp" intervention="minusma" kind="monthly"}}`,
		`6 {{quote testimony="7"}}`,
		`8 {{cite page="40" source="12"}}`,
		`8 {{cite source="3"}}`,
		`10 {{recommendation id="4"}}`,
		`11 {{claim id="9"}}`,
		`12 {{table series by="year" intervention="minusma"}}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("embeds:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if list[3].ID("testimony") != 7 || list[0].Attrs["partner"] != "FAMa" {
		t.Errorf("attributes: %v %v", list[3].Attrs, list[0].Attrs)
	}
}

// Every mistake is reported at its line, all at once, so an author fixes
// a brief in one pass.
func TestEmbedMistakesNameTheirLines(t *testing.T) {
	body := strings.Join([]string{
		`{{chrat intervention="minusma" kind="monthly"}}`,            // 1: unknown kind
		`{{chart intervention="minusma"}}`,                           // 2: kind missing
		`{{chart intervention="minusma" kind="weekly"}}`,             // 3: bad value
		`{{quote testimony=7 speaker="x"}}`,                          // 4: unknown attribute
		`{{quote testimony=seven}}`,                                  // 5: not a number
		`Text with {{chart intervention="m" kind="monthly"}} in it.`, // 6: a block inline
		`A figure {{figure intervention="m" measure="one-sided"`,     // 7: not closed
		``,
		`{{table intervention="m" by="year"}}`, // 9: no "series"
		`{{quote testimony=7 testimony=8}}`,    // 10: twice
		"```",                                  // 11
		`{{chart this is code and no embed}}`,  // 12
		"```",                                  // 13
		"Inline code `{{quote testimony=x}}` is text too.",                      // 14
		`{{figure intervention="m" measure="deaths" period="during"}} as text.`, // 15: bad measure
		`{{chart intervention="m" kind="event-study"}}`,                         // 16: no comparison area
		`{{chart intervention="m" kind="event-study" compare="bfa,NER"}}`,       // 17: codes in lower case
		`{{chart flows="arms"}}`,                                                // 18: no recipient
		`{{chart flows="aid" recipient="MLI" supplier="France"}}`,               // 19: supplier on aid
		`{{chart flows="arms" recipient="MLI" from="2020" to="2019"}}`,          // 20: years reversed
		`{{chart recipient="MLI"}}`,                                             // 21: flows missing
		`{{chart flows="loans" recipient="MLI"}}`,                               // 22: bad kind of flow
	}, "\n")
	_, err := Embeds(body)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a SyntaxError", err)
	}
	lines := map[int]string{}
	for _, p := range se.Problems {
		lines[p.Line] = p.Err.Error()
	}
	for line, want := range map[int]string{1: `"chrat" is not an embed`, 2: "kind is missing", 3: `kind="weekly" is not one of monthly`,
		4: `no attribute "speaker"`, 5: "is not a record number", 6: "goes on a line of its own", 7: "not closed",
		9: "write {{table series", 10: "given twice", 15: `measure="deaths" is not one of one-sided, battles`,
		16: "an event study needs a comparison area", 17: `compare="bfa,NER" is not ISO 3166-1 alpha-3 codes`,
		18: `a flows chart needs recipient="ISO3"`, 19: `supplier is for flows="arms"`, 20: "from=2020 is after to=2019",
		21: "recipient is for a flows chart", 22: `flows="loans" is not one of arms, aid`} {
		if !strings.Contains(lines[line], want) {
			t.Errorf("line %d: %q, want it to say %q", line, lines[line], want)
		}
	}
	for _, line := range []int{12, 14} {
		if msg, ok := lines[line]; ok {
			t.Errorf("line %d is code, not an embed: %s", line, msg)
		}
	}
	if len(se.Problems) != 17 {
		t.Errorf("%d problems, want 17: %v", len(se.Problems), se)
	}
	if !strings.Contains(err.Error(), `line 3: chart: kind="weekly"`) {
		t.Errorf("message: %v", err)
	}
}

// fakeResolver shows each embed by its kind, with notes for figures and
// cites and one bibliography entry per source.
type fakeResolver struct{ refuse int64 }

func (f fakeResolver) Resolve(e *Embed) (*Resolved, error) {
	switch e.Kind {
	case KindCite:
		src := fmt.Sprintf("Source %d", e.ID("source"))
		return &Resolved{Note: template.HTML(src + ", p. " + e.Attrs["page"]), SourceKey: src, Source: template.HTML(src)}, nil
	case KindFigure:
		return &Resolved{HTML: "<span class=figure>412 (380–460)</span>", Note: "UCDP GED one-sided violence by the partner; best estimate, low–high."}, nil
	case KindQuote:
		if e.ID("testimony") == f.refuse {
			return nil, errors.New("testimony 7 is not approved for public")
		}
	}
	return &Resolved{HTML: template.HTML("<p>[" + e.Kind + "]</p>")}, nil
}

func TestRenderPlacesEmbedsNotesAndBibliography(t *testing.T) {
	out, err := Render(every, fakeResolver{})
	if err != nil {
		t.Fatal(err)
	}
	html := string(out.HTML)
	for _, want := range []string{
		`<h1 id="section-1">What followed MINUSMA</h1>`,
		`rose to <span class=figure>412 (380–460)</span><sup class="note-ref"><a href="#note-1" id="note-ref-1">1</a></sup> in the years`,
		`support.<sup class="note-ref"><a href="#note-2" id="note-ref-2">2</a></sup></p>`,
		`<div class="embed embed-chart"><p>[chart]</p></div>`,
		`<div class="embed embed-quote"><p>[quote]</p></div>`,
		`ministry,<sup class="note-ref"><a href="#note-3" id="note-ref-3">3</a></sup> was later disputed.<sup class="note-ref"><a href="#note-4" id="note-ref-4">4</a></sup>`,
		`<div class="embed embed-table"><p>[table]</p></div>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s\n%s", want, html)
		}
	}
	if len(out.Notes) != 4 || out.Notes[1].HTML != "Source 12, p. 34" || out.Notes[3].N != 4 {
		t.Errorf("notes: %+v", out.Notes)
	}
	if len(out.Bibliography) != 2 || out.Bibliography[0] != "Source 12" || out.Bibliography[1] != "Source 3" {
		t.Errorf("bibliography: %v", out.Bibliography)
	}
}

// An author cannot put script or markup into a published brief, and a
// record the resolver refuses stops the rendering, named with its line.
func TestRenderIsSafeAndStopsOnARefusal(t *testing.T) {
	body := "Hello <script>alert(1)</script> and <b onclick=x>bold</b>.\n\n[a link](javascript:alert(1)) and [ok](https://example.org/r?a=1&b=2)\n\n<iframe src=x></iframe>\n"
	out, err := Render(body, fakeResolver{})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<b ", "onclick", "javascript:", "<iframe"} {
		if strings.Contains(string(out.HTML), bad) {
			t.Errorf("the page holds %q: %s", bad, out.HTML)
		}
	}
	if !strings.Contains(string(out.HTML), `<a href="https://example.org/r?a=1&amp;b=2">ok</a>`) {
		t.Errorf("a plain link was lost: %s", out.HTML)
	}
	_, err = Render(every, fakeResolver{refuse: 7})
	if err == nil || !strings.Contains(err.Error(), `line 6: {{quote testimony="7"}}: testimony 7 is not approved for public`) {
		t.Errorf("a refused quote: %v", err)
	}
}
