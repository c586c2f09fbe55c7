// Package brief reads and renders the body of a brief: CommonMark with
// embeds. An embed names a record of the project — a chart, a figure, a
// quote, a citation, a recommendation, a claim, a table — and the caller
// resolves it (with the reader's rights and the brief's audience), so this
// package knows the syntax and the layout of notes, never the records.
//
// Block embeds (chart, quote, recommendation, claim, table) stand on lines
// of their own; figure and cite are inline, since a figure is a number in
// a sentence and a citation a note mark after one:
//
//	{{chart intervention="minusma" kind="monthly" dataset="ucdp"}}
//	Deaths of civilians rose to {{figure intervention="minusma" measure="one-sided" period="during" partner="FAMa"}}.{{cite source=12 page="34"}}
//	{{quote testimony=7}}
//	{{table series intervention="minusma" by="year"}}
//
// Raw HTML in the body is not rendered and links with a script or data
// scheme are dropped (goldmark's safe mode), so a brief's author cannot
// put script or markup into a published page.
package brief

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Syntax shows how each embed is written, for help texts (code, the same
// in every language).
const Syntax = `{{chart intervention="SLUG" kind="monthly|yearly|harm|event-study" dataset="ucdp" outcome="events|deaths_best|deaths_civilians"}}
{{chart intervention="SLUG" kind="event-study" compare="ISO3,ISO3"}}
{{chart flows="arms" recipient="ISO3" supplier="NAME" from="YYYY" to="YYYY"}}   {{chart flows="aid" recipient="ISO3" currency="USD"}}
{{figure intervention="SLUG" measure="one-sided|battles" period="before|during|after" partner="NAME"}}
{{quote testimony=ID}}   {{cite source=ID page="12"}}   {{recommendation id=ID}}   {{claim id=ID}}
{{table series intervention="SLUG" by="year|month"}}`

// Embed kinds.
const (
	KindChart          = "chart"
	KindFigure         = "figure"
	KindQuote          = "quote"
	KindCite           = "cite"
	KindRecommendation = "recommendation"
	KindClaim          = "claim"
	KindTable          = "table"
)

// Embed is one embed as written, checked against its kind's rules.
type Embed struct {
	Kind  string
	Attrs map[string]string
	// Word is a bare word after the kind ("series" in a table).
	Word string
	Line int // in the body, from 1
}

// ID is the numeric attribute name (testimony=7), 0 when absent.
func (e *Embed) ID(name string) int64 {
	n, _ := strconv.ParseInt(e.Attrs[name], 10, 64)
	return n
}

// String writes the embed back in its canonical form, for messages.
func (e *Embed) String() string {
	var b strings.Builder
	b.WriteString("{{" + e.Kind)
	if e.Word != "" {
		b.WriteString(" " + e.Word)
	}
	keys := make([]string, 0, len(e.Attrs))
	for k := range e.Attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%q", k, e.Attrs[k])
	}
	b.WriteString("}}")
	return b.String()
}

// attr is what an attribute may hold.
type attr struct {
	required bool
	pattern  *regexp.Regexp
	what     string // for the error message
}

var (
	slugValue   = attr{pattern: regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,79}$`), what: "a slug (lower-case letters, digits and hyphens)"}
	idValue     = attr{pattern: regexp.MustCompile(`^[1-9][0-9]{0,17}$`), what: "a record number"}
	textValue   = attr{pattern: regexp.MustCompile(`^[^{}\n]{1,200}$`), what: "a short text"}
	datasetName = attr{pattern: regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`), what: "a dataset name"}
	areaCodes   = attr{pattern: regexp.MustCompile(`^[A-Z]{3}(,[A-Z]{3}){0,29}$`), what: "ISO 3166-1 alpha-3 codes separated by commas"}
	outcomes    = oneOf("events", "deaths_best", "deaths_civilians")
	areaCode    = attr{pattern: regexp.MustCompile(`^[A-Z]{3}$`), what: "an ISO 3166-1 alpha-3 code"}
	yearValue   = attr{pattern: regexp.MustCompile(`^[12][0-9]{3}$`), what: "a year"}
	currency    = attr{pattern: regexp.MustCompile(`^[A-Z]{3}$`), what: "an ISO 4217 currency code"}
)

func required(a attr) attr { a.required = true; return a }

func oneOf(values ...string) attr {
	return attr{pattern: regexp.MustCompile(`^(` + strings.Join(values, "|") + `)$`), what: "one of " + strings.Join(values, ", ")}
}

// rule is an embed kind's syntax.
type rule struct {
	inline bool
	word   string // the bare word it needs, if any
	attrs  map[string]attr
}

var rules = map[string]rule{
	// A chart is of an intervention (intervention and kind) or of money
	// and arms (flows and recipient); parseEmbed checks which.
	KindChart: {attrs: map[string]attr{"intervention": slugValue,
		"kind": oneOf("monthly", "yearly", "harm", "event-study"), "dataset": datasetName,
		"outcome": outcomes, "compare": areaCodes,
		"flows": oneOf("arms", "aid"), "recipient": areaCode, "supplier": textValue, "from": yearValue, "to": yearValue, "currency": currency}},
	KindFigure: {inline: true, attrs: map[string]attr{"intervention": required(slugValue),
		"measure": required(oneOf("one-sided", "battles")), "period": required(oneOf("before", "during", "after")),
		"partner": textValue, "dataset": datasetName}},
	KindQuote:          {attrs: map[string]attr{"testimony": required(idValue)}},
	KindCite:           {inline: true, attrs: map[string]attr{"source": required(idValue), "page": textValue}},
	KindRecommendation: {attrs: map[string]attr{"id": required(idValue)}},
	KindClaim:          {attrs: map[string]attr{"id": required(idValue)}},
	KindTable: {word: "series", attrs: map[string]attr{"intervention": required(slugValue),
		"by": required(oneOf("year", "month")), "dataset": datasetName, "outcome": outcomes}},
}

// Inline reports whether kind is written inside a sentence.
func Inline(kind string) bool { return rules[kind].inline }

// token is a bare word, or name=value with the value bare or in double
// quotes (no quote inside).
var token = regexp.MustCompile(`^\s*(?:([a-z][a-z0-9-]*)=(?:"([^"\n]*)"|([^\s"{}]+))|([a-z][a-z0-9-]*))`)

// parseEmbed reads the inside of {{ … }}.
func parseEmbed(inner string) (*Embed, error) {
	inner = strings.TrimSpace(inner)
	kind, rest, _ := strings.Cut(inner, " ")
	r, ok := rules[kind]
	if !ok {
		names := make([]string, 0, len(rules))
		for k := range rules {
			names = append(names, k)
		}
		slices.Sort(names)
		return nil, fmt.Errorf("%q is not an embed (one of %s)", kind, strings.Join(names, ", "))
	}
	e := &Embed{Kind: kind, Attrs: map[string]string{}}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		m := token.FindStringSubmatch(rest)
		if m == nil {
			return nil, fmt.Errorf("%s: cannot read %q: write name=\"value\"", kind, rest)
		}
		rest = rest[len(m[0]):]
		if m[4] != "" {
			if r.word == "" || m[4] != r.word || e.Word != "" {
				return nil, fmt.Errorf("%s: %q is not an attribute (write name=\"value\")", kind, m[4])
			}
			e.Word = m[4]
			continue
		}
		name, value := m[1], m[2]+m[3]
		a, ok := r.attrs[name]
		if !ok {
			return nil, fmt.Errorf("%s: no attribute %q (%s)", kind, name, attrNames(r))
		}
		if _, dup := e.Attrs[name]; dup {
			return nil, fmt.Errorf("%s: %s given twice", kind, name)
		}
		if !a.pattern.MatchString(value) {
			return nil, fmt.Errorf("%s: %s=%q is not %s", kind, name, value, a.what)
		}
		e.Attrs[name] = value
	}
	if kind == KindChart {
		if err := checkChart(e); err != nil {
			return nil, err
		}
	}
	if kind == KindChart && e.Attrs["kind"] == "event-study" && e.Attrs["compare"] == "" {
		return nil, fmt.Errorf(`%s: an event study needs a comparison area: compare="ISO3,…"`, kind)
	}
	if r.word != "" && e.Word == "" {
		return nil, fmt.Errorf("%s: write {{%s %s …}}", kind, kind, r.word)
	}
	for _, name := range attrNames(r) {
		if _, ok := e.Attrs[name]; !ok && r.attrs[name].required {
			return nil, fmt.Errorf("%s: %s is missing", kind, name)
		}
	}
	return e, nil
}

// checkChart tells an intervention's chart from a money-and-arms one:
// each has its own attributes, and neither takes the other's.
func checkChart(e *Embed) error {
	has := func(names ...string) string {
		for _, n := range names {
			if _, ok := e.Attrs[n]; ok {
				return n
			}
		}
		return ""
	}
	if _, ok := e.Attrs["flows"]; ok {
		if n := has("intervention", "kind", "dataset", "outcome", "compare"); n != "" {
			return fmt.Errorf(`chart: %s is for an intervention's chart, not a flows chart`, n)
		}
		if _, ok := e.Attrs["recipient"]; !ok {
			return fmt.Errorf(`chart: a flows chart needs recipient="ISO3"`)
		}
		if e.Attrs["flows"] == "aid" && has("supplier") != "" {
			return fmt.Errorf(`chart: supplier is for flows="arms"`)
		}
		if e.Attrs["flows"] == "arms" && has("currency") != "" {
			return fmt.Errorf(`chart: currency is for flows="aid"`)
		}
		if f, t := e.Attrs["from"], e.Attrs["to"]; f != "" && t != "" && f > t {
			return fmt.Errorf("chart: from=%s is after to=%s", f, t)
		}
		return nil
	}
	if n := has("recipient", "supplier", "from", "to", "currency"); n != "" {
		return fmt.Errorf(`chart: %s is for a flows chart (flows="arms|aid")`, n)
	}
	for _, n := range []string{"intervention", "kind"} {
		if _, ok := e.Attrs[n]; !ok {
			return fmt.Errorf("chart: %s is missing", n)
		}
	}
	return nil
}

func attrNames(r rule) []string {
	names := make([]string, 0, len(r.attrs))
	for k := range r.attrs {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// lineAt is the line, from 1, of byte offset off in source.
func lineAt(source []byte, off int) int {
	return bytes.Count(source[:min(off, len(source))], []byte("\n")) + 1
}

// SyntaxError lists every embed that could not be read, by line.
type SyntaxError struct{ Problems []LineError }

// LineError is one problem at one line of the body.
type LineError struct {
	Line int
	Err  error
}

func (e *SyntaxError) Error() string {
	s := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s[i] = fmt.Sprintf("line %d: %v", p.Line, p.Err)
	}
	return strings.Join(s, "; ")
}

// errNotOnItsOwnLine is the mistake of a block embed inside a sentence.
var errNotOnItsOwnLine = errors.New("goes on a line of its own")
