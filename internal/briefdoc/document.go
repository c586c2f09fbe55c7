package briefdoc

import (
	"bytes"
	_ "embed"
	"html/template"
	"regexp"
	"strings"

	"aftermath"
	"aftermath/internal/brief"
	"aftermath/internal/i18n"
)

// Papers a brief prints on.
var Papers = map[string]struct{ Width, Height float64 }{ // inches
	"a4":     {8.27, 11.69},
	"letter": {8.5, 11},
}

//go:embed brief.css
var css string

// Page is a rendered brief on a page of its own: what the PDF prints and
// what the static site and the download serve.
type Page struct {
	Brief *aftermath.Brief
	Out   *brief.Output
	L     *i18n.Locale
	Paper string // a4 or letter; default a4
}

var pageTemplate = template.Must(template.New("brief").Parse(`<!doctype html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>@page { size: {{.PaperCSS}}; margin: 18mm 16mm 20mm; }
{{.CSS}}</style>
</head>
<body>
<article class="brief">
<header>
<h1>{{.Title}}</h1>
{{with .Summary}}<p class="summary">{{.}}</p>{{end}}
<p class="meta">{{.Meta}}</p>
</header>
{{if .Headings}}<nav class="toc" aria-labelledby="toc-title"><h2 id="toc-title">{{.T "brief.contents"}}</h2><ol>
{{range .Headings}}<li class="toc-{{.Level}}"><a href="#{{.ID}}">{{.Text}}</a></li>
{{end}}</ol></nav>{{end}}
<div class="body">{{.Body}}</div>
{{if .Notes}}<section class="notes" aria-labelledby="notes-title"><h2 id="notes-title">{{.T "brief.notes"}}</h2><ol>
{{range .Notes}}<li id="note-{{.N}}">{{.HTML}} <a class="back" href="#note-ref-{{.N}}" aria-label="{{$.T "brief.back"}}">↩</a></li>
{{end}}</ol></section>{{end}}
{{if .Bibliography}}<section class="bibliography" aria-labelledby="bib-title"><h2 id="bib-title">{{.T "brief.sources"}}</h2><ol>
{{range .Bibliography}}<li>{{.}}</li>
{{end}}</ol></section>{{end}}
</article>
</body>
</html>
`))

type pageData struct {
	Lang, Dir, Title, Summary, Meta string
	PaperCSS                        string
	CSS                             template.CSS
	Headings                        []brief.Heading
	Body                            template.HTML
	Notes                           []brief.Note
	Bibliography                    []template.HTML
	l                               *i18n.Locale
}

func (d pageData) T(key string) string { return d.l.T(key) }

// HTML writes the page: one file, its styles inside, no script, so it
// prints the same from a browser, from Chromium and from a USB stick.
func (p *Page) HTML() ([]byte, error) {
	paper := p.Paper
	if _, ok := Papers[paper]; !ok {
		paper = "a4"
	}
	l := p.L
	meta := []string{l.T("audience." + string(p.Brief.Audience))}
	if p.Brief.Owner != "" {
		meta = append([]string{p.Brief.Owner}, meta...)
	}
	d := pageData{Lang: l.Tag(), Dir: l.Dir(), Title: p.Brief.Title, Summary: p.Brief.Summary, Meta: strings.Join(meta, " · "),
		PaperCSS: map[string]string{"a4": "A4", "letter": "letter"}[paper], CSS: template.CSS(css),
		Headings: p.Out.Headings, Body: p.Out.HTML, Notes: p.Out.Notes, Bibliography: p.Out.Bibliography, l: l}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	if l.Tag() == "fr" {
		return frenchSpacing(b.Bytes()), nil
	}
	return b.Bytes(), nil
}

var (
	textRun     = regexp.MustCompile(`>[^<]+<`)
	beforePunct = regexp.MustCompile(`([^\s>]) ([:;!?»])`)
	afterQuote  = regexp.MustCompile(`« `)
)

// frenchSpacing puts French typography's narrow no-break space before
// ; : ! ? and inside « », in text only (never inside a tag or a URL), so a
// line never starts with a colon.
func frenchSpacing(page []byte) []byte {
	at := bytes.Index(page, []byte("<body"))
	if at < 0 {
		return page
	}
	body := textRun.ReplaceAllFunc(page[at:], func(run []byte) []byte {
		run = beforePunct.ReplaceAll(run, []byte("$1\u202f$2"))
		return afterQuote.ReplaceAll(run, []byte("«\u202f"))
	})
	return append(page[:at:at], body...)
}
