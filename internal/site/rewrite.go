package site

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"aftermath/internal/i18n"
)

// linkAttr is the attribute of an element that names another resource.
func linkAttr(n *html.Node) string {
	switch n.DataAtom {
	case atom.A, atom.Link:
		return "href"
	case atom.Img, atom.Script, atom.Iframe, atom.Source:
		return "src"
	}
	return ""
}

func getAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func walk(n *html.Node, f func(*html.Node)) {
	// Children first, so that f may take a node out or put its children
	// in its place once they are done.
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		walk(c, f)
		f(c)
		c = next
	}
}

// links lists the same-site targets a page links to, in document order.
// Forms are not followed: the static site has none.
func (c *crawler) links(page target, body []byte) []target {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	var out []target
	walk(doc, func(n *html.Node) {
		attr := linkAttr(n)
		if attr == "" || n.DataAtom == atom.Script {
			return
		}
		if ref, ok := getAttr(n, attr); ok {
			if t, _, ok := c.resolve(page, ref); ok {
				out = append(out, t)
			}
		}
	})
	return out
}

// rewriteAll rewrites every page written, once all are known: a link
// leads to a file only if that file was written.
func (c *crawler) rewriteAll(rep *Report) error {
	for _, t := range c.order {
		r := c.done[t]
		if !r.html {
			continue
		}
		file := t.lang + "/" + r.file
		p := filepath.Join(c.dir, filepath.FromSlash(file))
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out, err := c.rewrite(t, file, body)
		if err != nil {
			return err
		}
		if err := os.WriteFile(p, out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// rewrite makes one page static: same-site links become relative paths to
// the written files; a link to anything not written (sign-in, the API, a
// refused or hidden page) is taken out, an <a> keeping its text; forms,
// scripts and refreshes go, since there is no server to answer them and
// a CSRF token differs on every run; the feed and Open Graph tags are
// added to the head.
func (c *crawler) rewrite(page target, file string, body []byte) ([]byte, error) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var head *html.Node
	var title string
	og := map[string]bool{}
	hasFeed := false
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.DataAtom {
		case atom.Head:
			head = n
		case atom.Title:
			if n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
				title = n.FirstChild.Data
			}
		case atom.Form, atom.Script, atom.Noscript:
			n.Parent.RemoveChild(n)
			return
		case atom.Input:
			if name, _ := getAttr(n, "name"); name == "csrf" {
				n.Parent.RemoveChild(n)
			}
			return
		case atom.Meta:
			if eq, _ := getAttr(n, "http-equiv"); strings.EqualFold(eq, "refresh") {
				n.Parent.RemoveChild(n)
				return
			}
			if prop, ok := getAttr(n, "property"); ok {
				og[prop] = true
			}
		}
		if rel, _ := getAttr(n, "rel"); n.DataAtom == atom.Link && rel == "alternate" {
			if typ, _ := getAttr(n, "type"); typ == "application/atom+xml" {
				hasFeed = true
			}
		}
		attr := linkAttr(n)
		if attr == "" {
			return
		}
		ref, ok := getAttr(n, attr)
		if !ok || strings.HasPrefix(ref, "#") {
			return
		}
		t, frag, ok := c.resolve(page, ref)
		to := ""
		if ok {
			to = c.fileOf(t)
		}
		switch {
		case to != "":
			link := Rel(file, to)
			if frag != "" {
				link += "#" + frag
			}
			setAttr(n, attr, link)
		case !isSameSite(ref):
			// another site's address: kept as it is
		case n.DataAtom == atom.A:
			unwrap(n)
		default:
			n.Parent.RemoveChild(n)
		}
	})
	if head != nil {
		add := func(attrs ...string) {
			m := &html.Node{Type: html.ElementNode, Data: "meta", DataAtom: atom.Meta}
			if attrs[0] == "link" {
				m.Data, m.DataAtom = "link", atom.Link
			}
			for i := 1; i+1 < len(attrs); i += 2 {
				m.Attr = append(m.Attr, html.Attribute{Key: attrs[i], Val: attrs[i+1]})
			}
			head.AppendChild(m)
			head.AppendChild(&html.Node{Type: html.TextNode, Data: "\n"})
		}
		if !hasFeed {
			add("link", "rel", "alternate", "type", "application/atom+xml", "title", c.opt.Title, "href", Rel(file, page.lang+"/feed.atom"))
		}
		if !og["og:title"] && title != "" {
			add("meta", "property", "og:title", "content", title)
		}
		if !og["og:type"] {
			add("meta", "property", "og:type", "content", "website")
		}
		if !og["og:locale"] {
			add("meta", "property", "og:locale", "content", i18n.Default().Locale(page.lang).T("locale.og"))
		}
		if u := c.pageURL(file); u != "" && !og["og:url"] {
			add("meta", "property", "og:url", "content", u)
		}
	}
	var b bytes.Buffer
	if err := html.Render(&b, doc); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// isSameSite says whether a link names this site (a path, relative or
// absolute) rather than another site or a scheme like mailto:.
func isSameSite(ref string) bool {
	ref = strings.TrimSpace(ref)
	if strings.HasPrefix(ref, "//") {
		return false
	}
	if i := strings.IndexAny(ref, ":/?#"); i >= 0 && ref[i] == ':' {
		return false
	}
	return true
}

// unwrap replaces n by its children: a link that cannot lead anywhere
// keeps its text.
func unwrap(n *html.Node) {
	parent := n.Parent
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		n.RemoveChild(c)
		parent.InsertBefore(c, n)
		c = next
	}
	parent.RemoveChild(n)
}
