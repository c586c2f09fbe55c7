package geo

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/unicode/norm"
)

// nameLanguages are the languages whose country names Find knows: the
// interface's, so a reader may type a country as their pages name it.
var nameLanguages = []language.Tag{language.English, language.French, language.Arabic}

// byName maps a folded name (see fold) to its country's index in the table.
var byName = sync.OnceValue(func() map[string]int {
	t := load()
	m := map[string]int{}
	for i, c := range t.all {
		m[fold(c.Name)] = i
		region, err := language.ParseRegion(c.Alpha2)
		if err != nil {
			continue
		}
		for _, tag := range nameLanguages {
			if n := display.Regions(tag).Name(region); n != "" {
				if _, taken := m[fold(n)]; !taken {
					m[fold(n)] = i
				}
			}
		}
	}
	return m
})

// Find returns the country s names: an ISO 3166-1 alpha-3 code, the
// table's English name or its CLDR name in English, French or Arabic
// (golang.org/x/text), compared without regard to case, accents,
// apostrophes, hyphens or spaces ("mli", "MALI", "cote d'ivoire",
// "Côte d’Ivoire", "ساحل العاج" all match).
func Find(s string) (Country, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 3 {
		if c, ok := ByAlpha3(s); ok {
			return c, true
		}
	}
	i, ok := byName()[fold(s)]
	if !ok || s == "" {
		return Country{}, false
	}
	return load().all[i], true
}

// fold reduces a name to its lower-case letters and digits without
// accents (Arabic short vowels and hamza seats included), so spellings
// that differ only in those compare equal.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
