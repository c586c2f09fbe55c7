package i18n

import (
	"math"
	"slices"
)

// Plural categories as CLDR names them. A plural message in a file is an
// object whose keys are some of these; "other" is always required.
var pluralCategories = []string{"zero", "one", "two", "few", "many", "other"}

// pluralRule chooses the CLDR plural category for a number. Only the
// categories a language distinguishes for the numbers this application
// shows (counts, and now and then a decimal) are modelled.
type pluralRule struct {
	// categories are those a translation must provide, "other" last.
	categories []string
	choose     func(n float64) string
}

// Rules by base language. Languages not listed use ruleOneIsOne (English,
// German, Spanish, Italian, Hausa, Swahili, Turkish, Urdu, Hebrew without
// its dual…). A language whose rules differ needs one line here besides
// its message file. Sources: CLDR plural rules, integer and simple
// decimal operands (i = integer part, v = has visible fraction digits).
var pluralRules = map[string]pluralRule{
	// French: one is i = 0,1 ("0 événement", "1,5 million"). CLDR also
	// has "many" for exact multiples of a million ("1 000 000 d’événements");
	// numbers are printed as digits here and "other" reads correctly, so it
	// is not required.
	"fr":  ruleZeroOne,
	"ff":  ruleZeroOne,
	"kab": ruleZeroOne,
	"hy":  ruleZeroOne,
	// Persian, Hindi, Bengali, Amharic: one is i = 0 or n = 1.
	"fa": ruleZeroOrOne,
	"hi": ruleZeroOrOne,
	"bn": ruleZeroOrOne,
	"am": ruleZeroOrOne,
	// Arabic: zero n=0; one n=1; two n=2; few n%100=3..10; many n%100=11..99.
	"ar":  ruleArabic,
	"ars": ruleArabic,
	// No plural inflection (CLDR "other" only); includes Bambara, Songhay,
	// Wolof and N'Ko, spoken in the Sahel.
	"bm": ruleOther, "ses": ruleOther, "wo": ruleOther, "nqo": ruleOther,
	"yo": ruleOther, "ig": ruleOther, "id": ruleOther, "ms": ruleOther,
	"ja": ruleOther, "ko": ruleOther, "zh": ruleOther, "th": ruleOther,
	"vi": ruleOther, "my": ruleOther, "km": ruleOther, "lo": ruleOther,
}

var (
	ruleOneIsOne = pluralRule{
		categories: []string{"one", "other"},
		choose: func(n float64) string {
			if n == 1 {
				return "one"
			}
			return "other"
		},
	}
	ruleZeroOne = pluralRule{
		categories: []string{"one", "other"},
		choose: func(n float64) string {
			if i := math.Trunc(math.Abs(n)); i == 0 || i == 1 {
				return "one"
			}
			return "other"
		},
	}
	ruleZeroOrOne = pluralRule{
		categories: []string{"one", "other"},
		choose: func(n float64) string {
			if math.Trunc(math.Abs(n)) == 0 || n == 1 {
				return "one"
			}
			return "other"
		},
	}
	ruleOther = pluralRule{
		categories: []string{"other"},
		choose:     func(float64) string { return "other" },
	}
	ruleArabic = pluralRule{
		categories: []string{"zero", "one", "two", "few", "many", "other"},
		choose: func(n float64) string {
			n = math.Abs(n)
			if n != math.Trunc(n) || n > 1<<53 {
				return "other"
			}
			switch m := math.Mod(n, 100); {
			case n == 0:
				return "zero"
			case n == 1:
				return "one"
			case n == 2:
				return "two"
			case m >= 3 && m <= 10:
				return "few"
			case m >= 11 && m <= 99:
				return "many"
			}
			return "other"
		},
	}
)

// ruleFor returns the plural rule of a base language.
func ruleFor(base string) pluralRule {
	if r, ok := pluralRules[base]; ok {
		return r
	}
	return ruleOneIsOne
}

func isPluralCategory(s string) bool { return slices.Contains(pluralCategories, s) }
