package consult

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The text form of a questionnaire, for a plain form field that anyone
// can fill in without JavaScript (or JSON, which ParseText also takes):
//
//	# A line starting with # is a comment; blank lines are ignored.
//	? priorities ranking required
//	en: What should change first?
//	fr: Que faudrait-il changer en premier ?
//	- protection
//	  en: Protection of civilians
//	  fr: Protection des civils
//	- justice
//	  en: Justice for abuses
//
// "? KEY KIND [required]" starts a question (KIND is text, choice or
// ranking); "- KEY" starts one of its options; "LANG: TEXT" lines give the
// text of the question or option above them in a language. Indentation is
// free.

var (
	langLineRE = regexp.MustCompile(`^([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\s*:\s*(.*)$`)
	keyRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

// ParseText reads a questionnaire in the text form above, or as JSON when
// the text starts with "{", and validates it. Errors name the line.
func ParseText(s string) (*Questionnaire, error) {
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") {
		q := &Questionnaire{}
		dec := json.NewDecoder(strings.NewReader(t))
		dec.DisallowUnknownFields()
		if err := dec.Decode(q); err != nil {
			return nil, fmt.Errorf("JSON: %v", err)
		}
		return q, q.Validate()
	}
	q := &Questionnaire{}
	var text Text // where LANG: lines go
	for n, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		where := fmt.Sprintf("line %d", n+1)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "?"):
			f := strings.Fields(strings.TrimPrefix(line, "?"))
			if len(f) < 2 || len(f) > 3 || len(f) == 3 && f[2] != "required" {
				return nil, fmt.Errorf("%s: write a question as \"? KEY KIND\" or \"? KEY KIND required\", KIND being text, choice or ranking", where)
			}
			if !keyRE.MatchString(f[0]) {
				return nil, fmt.Errorf("%s: key %q: use letters, digits, - _ and . only", where, f[0])
			}
			if !slices.Contains([]string{KindText, KindChoice, KindRanking}, f[1]) {
				return nil, fmt.Errorf("%s: kind %q is not text, choice or ranking", where, f[1])
			}
			q.Questions = append(q.Questions, Question{Key: f[0], Kind: f[1], Prompt: Text{}, Required: len(f) == 3})
			text = q.Questions[len(q.Questions)-1].Prompt
		case strings.HasPrefix(line, "-"):
			if len(q.Questions) == 0 {
				return nil, fmt.Errorf("%s: an option comes after its question (\"? KEY KIND\")", where)
			}
			key := strings.TrimSpace(strings.TrimPrefix(line, "-"))
			if !keyRE.MatchString(key) {
				return nil, fmt.Errorf("%s: option key %q: use letters, digits, - _ and . only", where, key)
			}
			qu := &q.Questions[len(q.Questions)-1]
			qu.Options = append(qu.Options, Option{Key: key, Label: Text{}})
			text = qu.Options[len(qu.Options)-1].Label
		default:
			m := langLineRE.FindStringSubmatch(line)
			switch {
			case m == nil:
				return nil, fmt.Errorf("%s: %q is not \"? KEY KIND\", \"- KEY\" or \"LANG: TEXT\"", where, line)
			case text == nil:
				return nil, fmt.Errorf("%s: a text comes after its question or option", where)
			case strings.TrimSpace(m[2]) == "":
				return nil, fmt.Errorf("%s: the %s text is empty", where, m[1])
			case text[m[1]] != "":
				return nil, fmt.Errorf("%s: a second %s text for the same question or option", where, m[1])
			}
			text[m[1]] = strings.TrimSpace(m[2])
		}
	}
	return q, q.Validate()
}

// FormatText writes a questionnaire in the text form ParseText reads,
// languages in the order of langs and then any others.
func FormatText(q *Questionnaire, langs ...string) string {
	var b strings.Builder
	texts := func(t Text, indent string) {
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, c string) int {
			ia, ic := slices.Index(langs, a), slices.Index(langs, c)
			if ia < 0 {
				ia = len(langs)
			}
			if ic < 0 {
				ic = len(langs)
			}
			if ia != ic {
				return ia - ic
			}
			return strings.Compare(a, c)
		})
		for _, k := range keys {
			if t[k] != "" {
				fmt.Fprintf(&b, "%s%s: %s\n", indent, k, strings.Join(strings.Fields(t[k]), " "))
			}
		}
	}
	for i, qu := range q.Questions {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "? %s %s", qu.Key, qu.Kind)
		if qu.Required {
			b.WriteString(" required")
		}
		b.WriteString("\n")
		texts(qu.Prompt, "")
		for _, o := range qu.Options {
			fmt.Fprintf(&b, "- %s\n", o.Key)
			texts(o.Label, "  ")
		}
	}
	return b.String()
}
