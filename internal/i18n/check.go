package i18n

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Missing returns, for each language other than English that lacks some
// of English's keys, those keys, sorted. An empty map means every
// language is complete.
func (b *Bundle) Missing() map[string][]string {
	en := b.locales[Fallback]
	out := map[string][]string{}
	for _, id := range b.langs[1:] {
		l := b.locales[id]
		for _, k := range sortedKeys(en.msgs) {
			if _, ok := l.msgs[k]; !ok {
				out[id] = append(out[id], k)
			}
		}
	}
	return out
}

// Problems lists what is wrong with the translations, one line each,
// languages in Languages order and keys sorted: keys missing from a
// language or absent from English, empty messages, plural messages without
// the forms their language needs or with forms it never uses, placeholders
// that differ from English's, and braces that open no placeholder.
func (b *Bundle) Problems() []string {
	var out []string
	add := func(lang, key, format string, a ...any) {
		out = append(out, fmt.Sprintf("%s: %q: ", lang, key)+fmt.Sprintf(format, a...))
	}
	en := b.locales[Fallback]
	for _, id := range b.langs {
		l := b.locales[id]
		if l != en {
			for _, k := range sortedKeys(en.msgs) {
				if _, ok := l.msgs[k]; !ok {
					add(id, k, "missing")
				}
			}
		}
		for _, k := range sortedKeys(l.msgs) {
			m := l.msgs[k]
			enm, inEn := en.msgs[k]
			if !inEn {
				add(id, k, "not in en.json (renamed or stale key?)")
			}
			if m.forms == nil {
				if m.text == "" && k != "locale.number.group" {
					add(id, k, "empty message")
				}
			} else {
				for _, cat := range l.plural.categories {
					if m.forms[cat] == "" {
						add(id, k, "plural form %q missing or empty (%s needs %s)", cat, id, strings.Join(l.plural.categories, ", "))
					}
				}
				for _, cat := range sortedKeys(m.forms) {
					if !slices.Contains(l.plural.categories, cat) {
						add(id, k, "plural form %q is never used in %s", cat, id)
					}
				}
			}
			names, stray := m.placeholders()
			if stray {
				add(id, k, "a { that opens no {placeholder}")
			}
			if inEn && l != en {
				if want, _ := enm.placeholders(); !slices.Equal(names, want) {
					add(id, k, "placeholders %s differ from en %s", braces(names), braces(want))
				}
			}
		}
	}
	return out
}

// placeholders returns the sorted names of the placeholders in all forms
// of m (an Arabic "two" form may well spell the number out while "few"
// shows {count}), and whether a { opens none.
func (m message) placeholders() (names []string, stray bool) {
	texts := []string{m.text}
	if m.forms != nil {
		texts = slices.Collect(maps.Values(m.forms))
	}
	set := map[string]bool{}
	for _, s := range texts {
		for i := strings.IndexByte(s, '{'); i >= 0; i = strings.IndexByte(s, '{') {
			name, ok := placeholderAt(s[i:])
			if !ok {
				stray = true
				s = s[i+1:]
				continue
			}
			set[name] = true
			s = s[i+len(name)+2:]
		}
	}
	return sortedKeys(set), stray
}

func braces(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return "{" + strings.Join(names, "} {") + "}"
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
