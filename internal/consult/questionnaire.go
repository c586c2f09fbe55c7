package consult

import (
	"fmt"
	"slices"
	"strings"
)

// Kinds of question.
const (
	KindText    = "text"    // free text
	KindChoice  = "choice"  // one of the options
	KindRanking = "ranking" // some or all options, most important first
)

// Text is one text in several languages (en, fr, ar …).
type Text map[string]string

// In gives the text in a language, else English, else any.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	if s, ok := t["en"]; ok && s != "" {
		return s
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// Option is a choice or an item to rank.
type Option struct {
	Key   string `json:"key"`
	Label Text   `json:"label"`
}

// Question is one question of a questionnaire.
type Question struct {
	Key      string   `json:"key"`
	Kind     string   `json:"kind"`
	Prompt   Text     `json:"prompt"`
	Options  []Option `json:"options,omitempty"`
	Required bool     `json:"required,omitempty"`
}

// Questionnaire is what a consultation asks.
type Questionnaire struct {
	Questions []Question `json:"questions"`
}

// Validate checks the questionnaire's shape.
func (q *Questionnaire) Validate() error {
	if len(q.Questions) == 0 {
		return fmt.Errorf("a questionnaire needs at least one question")
	}
	keys := map[string]bool{}
	for i, qu := range q.Questions {
		where := fmt.Sprintf("question %d", i+1)
		switch {
		case qu.Key == "" || strings.ContainsAny(qu.Key, " \t\n"):
			return fmt.Errorf("%s: a key without spaces is required", where)
		case keys[qu.Key]:
			return fmt.Errorf("%s: key %q is used twice", where, qu.Key)
		case qu.Prompt.In("en") == "":
			return fmt.Errorf("%s (%s): the question needs a text", where, qu.Key)
		}
		keys[qu.Key] = true
		switch qu.Kind {
		case KindText:
			if len(qu.Options) > 0 {
				return fmt.Errorf("%s (%s): a free-text question has no options", where, qu.Key)
			}
		case KindChoice, KindRanking:
			if len(qu.Options) < 2 {
				return fmt.Errorf("%s (%s): a %s question needs at least two options", where, qu.Key, qu.Kind)
			}
			opts := map[string]bool{}
			for _, o := range qu.Options {
				if o.Key == "" || opts[o.Key] || o.Label.In("en") == "" {
					return fmt.Errorf("%s (%s): every option needs a unique key and a label", where, qu.Key)
				}
				opts[o.Key] = true
			}
		default:
			return fmt.Errorf("%s (%s): kind %q is not text, choice or ranking", where, qu.Key, qu.Kind)
		}
	}
	return nil
}

// Answer is a participant's answer to one question: Text for free text,
// Choice for a choice, Ranking (option keys, most important first) for a
// ranking.
type Answer struct {
	Text    string   `json:"text,omitempty"`
	Choice  string   `json:"choice,omitempty"`
	Ranking []string `json:"ranking,omitempty"`
}

// CheckAnswers refuses answers that do not fit the questionnaire, naming
// the question.
func (q *Questionnaire) CheckAnswers(answers map[string]Answer) error {
	for k := range answers {
		if !slices.ContainsFunc(q.Questions, func(qu Question) bool { return qu.Key == k }) {
			return fmt.Errorf("answer to %q: there is no such question", k)
		}
	}
	for _, qu := range q.Questions {
		a, given := answers[qu.Key]
		empty := strings.TrimSpace(a.Text) == "" && a.Choice == "" && len(a.Ranking) == 0
		if !given || empty {
			if qu.Required {
				return fmt.Errorf("question %q needs an answer", qu.Key)
			}
			continue
		}
		has := func(k string) bool { return slices.ContainsFunc(qu.Options, func(o Option) bool { return o.Key == k }) }
		switch qu.Kind {
		case KindText:
			if a.Choice != "" || len(a.Ranking) > 0 {
				return fmt.Errorf("question %q takes free text", qu.Key)
			}
		case KindChoice:
			if !has(a.Choice) || a.Text != "" || len(a.Ranking) > 0 {
				return fmt.Errorf("question %q: %q is not one of its options", qu.Key, a.Choice)
			}
		case KindRanking:
			seen := map[string]bool{}
			for _, k := range a.Ranking {
				if !has(k) || seen[k] {
					return fmt.Errorf("question %q: rank each option at most once (%q)", qu.Key, k)
				}
				seen[k] = true
			}
		}
	}
	return nil
}

// OptionKeys lists a question's option keys in order.
func (qu Question) OptionKeys() []string {
	out := make([]string, len(qu.Options))
	for i, o := range qu.Options {
		out[i] = o.Key
	}
	return out
}
