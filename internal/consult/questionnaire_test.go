package consult

import (
	"strings"
	"testing"
)

func sample() *Questionnaire {
	return &Questionnaire{Questions: []Question{
		{Key: "concern", Kind: KindText, Prompt: Text{"en": "What worries you most?", "fr": "Qu’est-ce qui vous inquiète le plus ?"}, Required: true},
		{Key: "safe", Kind: KindChoice, Prompt: Text{"en": "Do you feel safer than a year ago?"},
			Options: []Option{{Key: "yes", Label: Text{"en": "Yes"}}, {Key: "no", Label: Text{"en": "No"}}}},
		{Key: "priorities", Kind: KindRanking, Prompt: Text{"en": "Rank what should change first"},
			Options: []Option{{Key: "laws", Label: Text{"en": "Counter-terrorism laws"}}, {Key: "partners", Label: Text{"en": "Abuses by partner forces"}},
				{Key: "aid", Label: Text{"en": "Aid conditions"}}}},
	}}
}

func TestQuestionnaireShape(t *testing.T) {
	if err := sample().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := sample()
	bad.Questions[1].Options = bad.Questions[1].Options[:1]
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "safe") {
		t.Errorf("one option: %v", err)
	}
	bad = sample()
	bad.Questions[2].Kind = "slider"
	if err := bad.Validate(); err == nil {
		t.Error("unknown kind accepted")
	}
	if got := sample().Questions[0].Prompt.In("ar"); got != "What worries you most?" {
		t.Errorf("fallback to English: %q", got)
	}
}

func TestCheckAnswers(t *testing.T) {
	q := sample()
	ok := map[string]Answer{"concern": {Text: "Arrests"}, "safe": {Choice: "no"}, "priorities": {Ranking: []string{"partners", "laws"}}}
	if err := q.CheckAnswers(ok); err != nil {
		t.Fatal(err)
	}
	for name, answers := range map[string]map[string]Answer{
		"missing required": {"safe": {Choice: "no"}},
		"unknown choice":   {"concern": {Text: "x"}, "safe": {Choice: "maybe"}},
		"ranked twice":     {"concern": {Text: "x"}, "priorities": {Ranking: []string{"laws", "laws"}}},
		"unknown question": {"concern": {Text: "x"}, "colour": {Text: "red"}},
	} {
		if err := q.CheckAnswers(answers); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
