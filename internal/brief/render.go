package brief

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Resolver turns an embed into what the page shows. It decides, with the
// reader's rights and the brief's audience, whether the record may be
// shown at all (an error stops the rendering, naming the embed).
type Resolver interface {
	Resolve(e *Embed) (*Resolved, error)
}

// Resolved is an embed as shown.
type Resolved struct {
	// HTML is the block (a chart, a quote, a table …) or, for a figure,
	// the number in the sentence; empty for a cite.
	HTML template.HTML
	// Note, when set, becomes a numbered note marked where the embed
	// stands: a figure's range, source and method, a cite's source and
	// page.
	Note template.HTML
	// Source, when set, is the bibliography entry, listed once per
	// SourceKey in the order first cited.
	SourceKey string
	Source    template.HTML
}

// Note is a numbered note.
type Note struct {
	N    int
	HTML template.HTML
}

// Output is a rendered body.
type Output struct {
	HTML         template.HTML
	Notes        []Note
	Bibliography []template.HTML
	// Headings are the body's sections of level 2 and 3, for a table of
	// contents; each heading's id is "section-N", the same in every
	// language, since words make poor anchors in Arabic.
	Headings []Heading
}

// Heading is a section of the body.
type Heading struct {
	Level int
	ID    string
	Text  string
}

// sectionIDs numbers headings in order.
type sectionIDs struct{ n int }

func (s *sectionIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	s.n++
	return []byte("section-" + strconv.Itoa(s.n))
}

func (s *sectionIDs) Put(value []byte) {}

var (
	kindEmbedBlock  = ast.NewNodeKind("EmbedBlock")
	kindEmbedInline = ast.NewNodeKind("EmbedInline")
)

// embedNode is an embed in the document, or the error of one that could
// not be read.
type embedNode struct {
	embed *Embed
	err   error
	line  int
}

type embedBlock struct {
	ast.BaseBlock
	embedNode
}

type embedInline struct {
	ast.BaseInline
	embedNode
}

func (n *embedBlock) Kind() ast.NodeKind             { return kindEmbedBlock }
func (n *embedBlock) Dump(source []byte, level int)  { ast.DumpHelper(n, source, level, nil, nil) }
func (n *embedBlock) node() *embedNode               { return &n.embedNode }
func (n *embedInline) Kind() ast.NodeKind            { return kindEmbedInline }
func (n *embedInline) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }
func (n *embedInline) node() *embedNode              { return &n.embedNode }

// read parses the inside of an embed at line; a block kind inside a
// sentence is an error there.
func read(inner []byte, line int, inline bool) embedNode {
	e, err := parseEmbed(string(inner))
	if err == nil && Inline(e.Kind) != inline {
		if inline {
			err = fmt.Errorf("%s %w", e.Kind, errNotOnItsOwnLine)
		} else {
			err = fmt.Errorf("%s goes inside a sentence", e.Kind)
		}
	}
	if e != nil {
		e.Line = line
	}
	return embedNode{embed: e, err: err, line: line}
}

// blockEmbedParser takes a line that is one block embed.
type blockEmbedParser struct{}

func (p *blockEmbedParser) Trigger() []byte             { return []byte{'{'} }
func (p *blockEmbedParser) CanInterruptParagraph() bool { return true }
func (p *blockEmbedParser) CanAcceptIndentedLine() bool { return false }

func (p *blockEmbedParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	t := bytes.TrimSpace(line)
	if !bytes.HasPrefix(t, []byte("{{")) || !bytes.HasSuffix(t, []byte("}}")) || bytes.Count(t, []byte("{{")) != 1 {
		return nil, parser.NoChildren
	}
	inner := t[2 : len(t)-2]
	kind, _, _ := bytes.Cut(bytes.TrimSpace(inner), []byte(" "))
	if Inline(string(kind)) {
		return nil, parser.NoChildren // a cite or figure alone on its line is still inline
	}
	n := &embedBlock{embedNode: read(inner, lineAt(reader.Source(), seg.Start), false)}
	reader.Advance(seg.Len() - 1)
	return n, parser.NoChildren
}

func (p *blockEmbedParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	return parser.Close
}

func (p *blockEmbedParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {}

// inlineEmbedParser takes {{ … }} inside a paragraph.
type inlineEmbedParser struct{}

func (p *inlineEmbedParser) Trigger() []byte { return []byte{'{'} }

func (p *inlineEmbedParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if !bytes.HasPrefix(line, []byte("{{")) {
		return nil
	}
	at := lineAt(block.Source(), seg.Start)
	end := bytes.Index(line, []byte("}}"))
	if end < 0 {
		block.Advance(2)
		return &embedInline{embedNode: embedNode{err: fmt.Errorf("an embed opened with {{ is not closed with }} on the same line"), line: at}}
	}
	block.Advance(end + 2)
	return &embedInline{embedNode: read(line[2:end], at, true)}
}

// embedRenderer writes embeds through the resolver and numbers notes.
type embedRenderer struct {
	res      Resolver
	out      *Output
	err      error
	seen     map[string]bool
	noteRefs int
}

func (r *embedRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindEmbedBlock, r.render)
	reg.Register(kindEmbedInline, r.render)
}

func (r *embedRenderer) render(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering || r.err != nil {
		return ast.WalkContinue, nil
	}
	en := n.(interface{ node() *embedNode }).node()
	if en.err != nil {
		r.err = &SyntaxError{Problems: []LineError{{en.line, en.err}}}
		return ast.WalkStop, nil
	}
	got, err := r.res.Resolve(en.embed)
	if err != nil {
		r.err = fmt.Errorf("line %d: %s: %w", en.line, en.embed, err)
		return ast.WalkStop, nil
	}
	_, block := n.(*embedBlock)
	if block {
		w.WriteString(`<div class="embed embed-` + en.embed.Kind + `">`)
	}
	w.WriteString(string(got.HTML))
	if got.Note != "" {
		// A block's mark stays inside it, after what it annotates.
		r.noteRefs++
		k := strconv.Itoa(r.noteRefs)
		r.out.Notes = append(r.out.Notes, Note{N: r.noteRefs, HTML: got.Note})
		w.WriteString(`<sup class="note-ref"><a href="#note-` + k + `" id="note-ref-` + k + `">` + k + `</a></sup>`)
	}
	if block {
		w.WriteString("</div>\n")
	}
	if got.Source != "" && !r.seen[got.SourceKey] {
		r.seen[got.SourceKey] = true
		r.out.Bibliography = append(r.out.Bibliography, got.Source)
	}
	return ast.WalkContinue, nil
}

// plainText is a heading's text without its markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() {
				b.WriteByte(' ')
			}
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

func markdown(extra ...renderer.Option) goldmark.Markdown {
	return goldmark.New(
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithBlockParsers(util.Prioritized(&blockEmbedParser{}, 50)),
			parser.WithInlineParsers(util.Prioritized(&inlineEmbedParser{}, 50)),
		),
		goldmark.WithRendererOptions(extra...),
	)
}

// Embeds reads a body and lists its embeds in order, or a SyntaxError
// naming every embed that cannot be read, by line. Publishing checks
// start here: every record a brief shows is one of these.
func Embeds(body string) ([]*Embed, error) {
	src := []byte(body)
	doc := markdown().Parser().Parse(text.NewReader(src))
	var list []*Embed
	var bad SyntaxError
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if en, ok := n.(interface{ node() *embedNode }); ok && entering {
			if e := en.node(); e.err != nil {
				bad.Problems = append(bad.Problems, LineError{e.line, e.err})
			} else {
				list = append(list, e.embed)
			}
		}
		return ast.WalkContinue, nil
	})
	if len(bad.Problems) > 0 {
		return list, &bad
	}
	return list, nil
}

// Render writes a body as HTML, each embed through res, with its notes
// numbered in order and its bibliography. The Markdown is CommonMark in
// goldmark's safe mode: raw HTML is left out and dangerous link schemes
// dropped.
func Render(body string, res Resolver) (*Output, error) {
	if _, err := Embeds(body); err != nil {
		return nil, err
	}
	out := &Output{}
	er := &embedRenderer{res: res, out: out, seen: map[string]bool{}}
	var b bytes.Buffer
	md := markdown(renderer.WithNodeRenderers(util.Prioritized(er, 50)))
	src := []byte(body)
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(parser.NewContext(parser.WithIDs(&sectionIDs{}))))
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering && (h.Level == 2 || h.Level == 3) {
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			out.Headings = append(out.Headings, Heading{Level: h.Level, ID: string(idb), Text: plainText(h, src)})
		}
		return ast.WalkContinue, nil
	})
	if err := md.Renderer().Render(&b, src, doc); err != nil {
		return nil, err
	}
	if er.err != nil {
		return nil, er.err
	}
	out.HTML = template.HTML(b.String())
	return out, nil
}
