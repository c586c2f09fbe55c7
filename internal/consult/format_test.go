package consult

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const textSample = `# Priorities of the partner organisations
? priorities ranking required
en: What should change first?
fr: Que faudrait-il changer en premier ?
ar: ما الذي يجب أن يتغير أولاً؟
- protection
  en: Protection of civilians
  fr: Protection des civils
- justice
  en: Justice for abuses
- aid
  en: Aid reaching the villages

? safe choice
en: Do you feel safe speaking out?
- yes
  en: Yes
- no
  en: No

? story text
en: Tell us what happened.
`

func TestParseText(t *testing.T) {
	q, err := ParseText(textSample)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Questions) != 3 {
		t.Fatalf("%d questions", len(q.Questions))
	}
	p := q.Questions[0]
	if p.Key != "priorities" || p.Kind != KindRanking || !p.Required || p.Prompt["fr"] != "Que faudrait-il changer en premier ?" ||
		p.Prompt.In("ar") != "ما الذي يجب أن يتغير أولاً؟" || len(p.Options) != 3 || p.Options[0].Label["fr"] != "Protection des civils" ||
		p.Options[1].Label.In("fr") != "Justice for abuses" {
		t.Errorf("first question: %+v", p)
	}
	if q.Questions[1].Required || q.Questions[2].Kind != KindText || len(q.Questions[2].Options) != 0 {
		t.Errorf("other questions: %+v", q.Questions[1:])
	}
	// The text form and JSON both give it back the same.
	again, err := ParseText(FormatText(q, "en", "fr", "ar"))
	if err != nil || !reflect.DeepEqual(again, q) {
		t.Errorf("round trip: %v\n%s", err, FormatText(q, "en", "fr", "ar"))
	}
	if !strings.HasPrefix(FormatText(q, "en", "fr", "ar"), "? priorities ranking required\nen: What should change first?\nfr: ") {
		t.Errorf("format:\n%s", FormatText(q, "en", "fr", "ar"))
	}
	b, _ := json.Marshal(q)
	fromJSON, err := ParseText("  " + string(b))
	if err != nil || !reflect.DeepEqual(fromJSON, q) {
		t.Errorf("JSON: %v", err)
	}
}

func TestParseTextErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "at least one question"},
		{"en: Hello", "line 1: a text comes after"},
		{"- a", "line 1: an option comes after its question"},
		{"? q\nen: x", "line 1: write a question as"},
		{"? q essay\nen: x", `line 1: kind "essay"`},
		{"? q text optional\nen: x", "line 1: write a question"},
		{"? q text\nen: x\nen: y", "line 3: a second en text"},
		{"? q text\nen:   ", "line 2: the en text is empty"},
		{"? q text\nHello there", `line 2: "Hello there" is not`},
		{"? q choice\nen: x\n- a\n  en: A", "needs at least two options"},
		{"? q choice\nen: x\n- a\n  en: A\n- a\n  en: B", "unique key"},
		{"? q text\nen: x\n- a\n  en: A", "has no options"},
		{"? q/x text\nen: x", `key "q/x"`},
		{`{"questions": [{"key": "a", "kind": "text", "prompt": {"en": "x"}, "colour": 1}]}`, "JSON"},
	} {
		if _, err := ParseText(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.in, err, c.want)
		}
	}
}
