package web

import (
	"html/template"
	"strings"

	"aftermath"
	"aftermath/internal/i18n"
)

func init() {
	funcs["tr"] = translated
	funcs["langDir"] = langDir
	funcs["trText"] = translatedText // where markup cannot go: an <option>
	funcs["quoted"] = quoted
	funcs["trShort"] = func(l *i18n.Locale, own string, t aftermath.Translations, field, text string, n int) template.HTML {
		s, in := t.For(l.Tag(), own, field, text)
		return mark(l, s, in, n)
	}
}

// langDir is the direction of a content language's script.
func langDir(tag string) string {
	if tag == "ar" {
		return "rtl"
	}
	return "ltr"
}

// shortText cuts s to n characters for a list, marking the cut.
func shortText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n])) + "…"
	}
	return s
}

// translated shows a record's field (item index[0] of a list field) in
// the reader's language: the translation where there is one, else the
// record's own text marked as written in another language, with that
// language and direction on the text so that browsers and screen readers
// read it as such, and a note in the reader's language saying which.
func translated(l *i18n.Locale, own string, t aftermath.Translations, field, text string, index ...int) template.HTML {
	if len(index) > 0 {
		field = aftermath.ListField(field, index[0])
	}
	s, in := t.For(l.Tag(), own, field, text)
	return mark(l, s, in, 0)
}

// mark writes text s, written in language in, for a reader of l, cut to
// n characters when n > 0.
func mark(l *i18n.Locale, s, in string, n int) template.HTML {
	if n > 0 {
		s = shortText(s, n)
	}
	if s == "" {
		return ""
	}
	if in == l.Tag() {
		return template.HTML(template.HTMLEscapeString(s))
	}
	return template.HTML(`<span lang="` + template.HTMLEscapeString(in) + `" dir="` + langDir(in) + `">` + template.HTMLEscapeString(s) + `</span> <small class="lang-fallback" lang="` +
		template.HTMLEscapeString(l.Tag()) + `">` + template.HTMLEscapeString(l.T("lang.in."+in)) + `</small>`)
}

// translatedText is a field's text in the reader's language, or its own,
// unmarked: for a page's <title>, which cannot hold markup.
func translatedText(l *i18n.Locale, own string, t aftermath.Translations, field, text string) string {
	s, _ := t.For(l.Tag(), own, field, text)
	return s
}

// quoted shows a verbatim text: always in its own words and language, a
// translation only beside it, labelled as one, so that no reader takes a
// translation for what the author said.
func quoted(l *i18n.Locale, own string, t aftermath.Translations, field, text, class string) template.HTML {
	if own == "" {
		own = aftermath.OriginalLanguage
	}
	var b strings.Builder
	b.WriteString(`<blockquote`)
	if class != "" {
		b.WriteString(` class="` + template.HTMLEscapeString(class) + `"`)
	}
	b.WriteString(` lang="` + template.HTMLEscapeString(own) + `" dir="` + langDir(own) + `">` + template.HTMLEscapeString(text) + `</blockquote>`)
	if own == l.Tag() {
		return template.HTML(b.String())
	}
	if s, ok := t.Text(l.Tag(), field, ""); ok {
		b.WriteString(`<p class="quote-translation"><small>` + template.HTMLEscapeString(l.T("translation.of_quote")) + `</small> ` + template.HTMLEscapeString(s) + `</p>`)
	} else {
		b.WriteString(`<p><small class="lang-fallback">` + template.HTMLEscapeString(l.T("lang.in."+own)) + `</small></p>`)
	}
	return template.HTML(b.String())
}
