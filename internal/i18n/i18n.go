// Package i18n holds Aftermath's user-visible text in English, French and
// Arabic, picks the reader's language for a request and formats numbers and
// dates for it.
//
// Every language is one JSON file in messages/, named by its BCP 47 tag
// (en.json, fr.json, ar.json): a flat object from key to message. Adding a
// language means adding one file; it then appears in Languages, Negotiate
// can choose it, and the tests list the keys it still lacks. A message is
// a string or, when it depends on a number, an object of CLDR plural forms:
//
//	"events.count": {"one": "{count} event", "other": "{count} events"}
//
// Arabic needs "zero", "one", "two", "few", "many" and "other"; French and
// English "one" and "other" (see plural.go for the rules). Messages use
// named placeholders, {count}, {name}, filled by T from name/value pairs.
//
// The keys under "locale." are not sentences but the data for formatting:
// the language's own name, digits, decimal and group separators, minus
// sign, month names and date patterns. Being ordinary keys, they are
// translated and checked like the rest.
//
// A missing or empty translation never renders blank: T falls back to the
// English message, and to the key itself if English lacks it too.
package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

//go:embed messages/*.json
var embedded embed.FS

// defaultBundle is the only package-level state: the embedded files,
// parsed once.
var defaultBundle = sync.OnceValue(func() *Bundle {
	sub, err := fs.Sub(embedded, "messages")
	if err != nil {
		panic(err)
	}
	b, err := Load(sub)
	if err != nil {
		panic(err) // a broken embedded file is a build defect; the tests catch it first
	}
	return b
})

// Default returns the bundle built from the embedded message files. It
// panics on first use if one of them is broken, which TestDefault catches
// before a release.
func Default() *Bundle { return defaultBundle() }

// Fallback is the language every other one falls back to.
const Fallback = "en"

// CookieName is the cookie Negotiate reads the chosen language from.
const CookieName = "lang"

// Bundle is a set of languages. It is read-only once loaded and safe for
// concurrent use.
type Bundle struct {
	locales map[string]*Locale
	langs   []string // Fallback first, then sorted
	matcher language.Matcher
}

type message struct {
	text  string            // a plain message
	forms map[string]string // plural forms by CLDR category; nil for a plain message
}

func (m message) empty() bool { return m.forms == nil && m.text == "" }

// Load reads every *.json file at the top of fsys as one language named by
// the file's base name, a BCP 47 tag. en.json must be present. Errors name
// the file and, where they can, the key and line.
func Load(fsys fs.FS) (*Bundle, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	b := &Bundle{locales: make(map[string]*Locale, len(names))}
	files := map[string]string{}
	for _, name := range names {
		tag, err := language.Parse(strings.TrimSuffix(name, ".json"))
		if err != nil || tag == language.Und {
			return nil, fmt.Errorf("i18n: %s: the file name is not a known BCP 47 language tag (en.json, fr.json, pt-BR.json…)", name)
		}
		id := tag.String()
		if other, dup := files[id]; dup {
			return nil, fmt.Errorf("i18n: %s and %s are both language %q", other, name, id)
		}
		files[id] = name
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		msgs, err := parseFile(data)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		base, _ := tag.Base()
		b.locales[id] = &Locale{tag: id, msgs: msgs, plural: ruleFor(base.String()), dir: dirOf(tag)}
	}
	en := b.locales[Fallback]
	if en == nil {
		return nil, errors.New("i18n: no en.json: English is the language every other one falls back to")
	}
	for id, l := range b.locales {
		if l != en {
			l.fallback = en
		}
		if err := l.setup(); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", files[id], err)
		}
		if id != Fallback {
			b.langs = append(b.langs, id)
		}
	}
	slices.Sort(b.langs)
	b.langs = slices.Insert(b.langs, 0, Fallback)
	tags := make([]language.Tag, len(b.langs))
	for i, id := range b.langs {
		tags[i] = language.Make(id)
	}
	b.matcher = language.NewMatcher(tags) // the first, English, is the default
	return b, nil
}

// parseFile decodes a message file, rejecting duplicate keys (which
// encoding/json would silently merge) and values that are neither a string
// nor an object of plural forms.
func parseFile(data []byte) (map[string]message, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	msgs := map[string]message{}
	err := decodeObject(dec, func(key string) error {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		m, err := parseValue(raw)
		if err != nil {
			return fmt.Errorf("key %q: %w", key, err)
		}
		if _, dup := msgs[key]; dup {
			return fmt.Errorf("key %q appears twice", key)
		}
		msgs[key] = m
		return nil
	})
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errors.New("unexpected data after the closing }")
		}
	}
	if err != nil {
		return nil, withLine(data, dec.InputOffset(), err)
	}
	return msgs, nil
}

// decodeObject reads a JSON object from dec, calling value for each key
// with the decoder positioned at the value.
func decodeObject(dec *json.Decoder, value func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("must be a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if err := value(tok.(string)); err != nil {
			return err
		}
	}
	_, err = dec.Token() // the closing }
	return err
}

func parseValue(raw json.RawMessage) (message, error) {
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return message{text: s}, err
	case '{':
		dec := json.NewDecoder(bytes.NewReader(raw))
		forms := map[string]string{}
		err := decodeObject(dec, func(cat string) error {
			if !isPluralCategory(cat) {
				return fmt.Errorf("%q is not a plural form (%s)", cat, strings.Join(pluralCategories, ", "))
			}
			if _, dup := forms[cat]; dup {
				return fmt.Errorf("plural form %q appears twice", cat)
			}
			var s string
			if err := dec.Decode(&s); err != nil {
				return fmt.Errorf("plural form %q must be a string", cat)
			}
			forms[cat] = s
			return nil
		})
		if err != nil {
			return message{}, err
		}
		if _, ok := forms["other"]; !ok {
			return message{}, errors.New(`a plural message needs an "other" form`)
		}
		return message{forms: forms}, nil
	}
	return message{}, errors.New("must be a string or an object of plural forms")
}

// withLine adds the line of a decoding error, for whoever edits the file.
func withLine(data []byte, off int64, err error) error {
	if se, ok := err.(*json.SyntaxError); ok {
		off = se.Offset
	}
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	return fmt.Errorf("line %d: %w", line, err)
}

// Languages returns the tags of the bundle's languages, English first and
// the others sorted.
func (b *Bundle) Languages() []string { return slices.Clone(b.langs) }

// Locale returns the language tag names, or the closest one the bundle has
// (fr for fr-CA), or English.
func (b *Bundle) Locale(tag string) *Locale {
	if l, ok := b.Lookup(tag); ok {
		return l
	}
	return b.locales[Fallback]
}

// Lookup returns the language for a tag from a URL or a cookie: the exact
// language, or else the nearest one up the tag's CLDR parents down to its
// base language (fr-CA → fr). ok is false when the bundle has none, or
// the tag is malformed or unknown.
func (b *Bundle) Lookup(tag string) (l *Locale, ok bool) {
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > 64 {
		return nil, false
	}
	t, err := language.Parse(tag)
	if err != nil {
		return nil, false
	}
	for p, n := t, 0; p != language.Und && n < 8; p, n = p.Parent(), n+1 {
		if l := b.locales[p.String()]; l != nil {
			return l, true
		}
	}
	base, _ := t.Base()
	l = b.locales[base.String()]
	return l, l != nil
}

// Negotiate picks the language of a request: ?lang= when it names a
// language the bundle has, then the "lang" cookie on the same terms, then
// the best match for the Accept-Language header by its q-values, and
// English when nothing matches.
func (b *Bundle) Negotiate(r *http.Request) *Locale {
	if r.URL != nil {
		if l, ok := b.Lookup(r.URL.Query().Get("lang")); ok {
			return l
		}
	}
	if c, err := r.Cookie(CookieName); err == nil {
		if l, ok := b.Lookup(c.Value); ok {
			return l
		}
	}
	if h := strings.Join(r.Header.Values("Accept-Language"), ","); h != "" && len(h) <= 4096 {
		// Entries with q=0 are dropped by the parser; the matcher maps
		// ar-EG to ar, fr-CH to fr and so on.
		if tags, _, err := language.ParseAcceptLanguage(h); err == nil && len(tags) > 0 {
			if _, i, conf := b.matcher.Match(tags...); conf != language.No {
				return b.locales[b.langs[i]]
			}
		}
	}
	return b.locales[Fallback]
}
