// Package site writes the static site of everything public: it crawls the
// web handler in-process as an anonymous visitor, as wget --mirror
// --convert-links would, so the site is made of the web app's own pages
// and can never show more than they show an anonymous reader — the
// services decide what is public, not this package. Links are rewritten
// to relative paths, anything needing a server is taken out, and every
// byte is a function of the database: the same database gives the same
// files, which SHA256SUMS and its signature let a mirror prove.
package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sync/errgroup"

	"aftermath/internal/i18n"
	"aftermath/internal/publish"
)

// Bounds of one run: a site past them is a mistake (a view that
// multiplies without end), not something to write to a stick.
const (
	MaxFiles = 200_000
	MaxBytes = 8 << 30
)

// Options say what to write where.
type Options struct {
	Out     string      // the site's directory
	BaseURL string      // optional: its address, for og:url and the feed's links
	Langs   []string    // default en, fr, ar
	Signer  ssh.Signer  // nil: SHA256SUMS unsigned
	Feed    []FeedEntry // briefs and claims for feed.atom
	Title   string      // the feed's title; default "Aftermath"
}

// Skip is a URL the crawl met but did not write.
type Skip struct {
	Lang, URL string
	Status    int // the HTTP status; 0 when not fetched (not followed or an unusable name)
	Reason    string
}

// Report says what a run wrote.
type Report struct {
	Files, Pages int
	Bytes        int64
	Skipped      []Skip
}

// A target is one URL fetched in one language.
type target struct {
	lang, path, query string
}

func (t target) uri() string {
	if t.query == "" {
		return t.path
	}
	return t.path + "?" + t.query
}

type result struct {
	file  string // relative to the language directory; "" when not written
	html  bool
	links []target
}

// Build crawls h and writes the site to opt.Out (replacing a previous
// site there), all or nothing.
func Build(ctx context.Context, h http.Handler, opt Options) (*Report, error) {
	if len(opt.Langs) == 0 {
		opt.Langs = []string{"en", "fr", "ar"}
	}
	if opt.Title == "" {
		opt.Title = "Aftermath"
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	bundle := i18n.Default()
	for _, l := range opt.Langs {
		if loc, ok := bundle.Lookup(l); !ok || loc.Tag() != l {
			return nil, fmt.Errorf("site: no language %q (have %s)", l, strings.Join(bundle.Languages(), ", "))
		}
	}
	if err := checkOut(opt.Out); err != nil {
		return nil, err
	}
	out := filepath.Clean(opt.Out)
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after the rename; a failed run leaves nothing
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	c := &crawler{h: h, opt: opt, dir: tmp, done: map[target]*result{}, files: map[string]target{}}
	rep := &Report{}
	if err := c.crawl(ctx, rep); err != nil {
		return nil, err
	}
	if err := c.rewriteAll(rep); err != nil {
		return nil, err
	}
	for _, l := range opt.Langs {
		if err := c.writeFeed(l); err != nil {
			return nil, err
		}
		if err := c.writeDataPackage(l); err != nil {
			return nil, err
		}
	}
	if err := c.writeChooser(); err != nil {
		return nil, err
	}
	sums, err := publish.WriteSums(tmp)
	if err != nil {
		return nil, err
	}
	if opt.Signer != nil {
		if err := publish.SignSums(tmp, opt.Signer, sums); err != nil {
			return nil, err
		}
	}
	rep.Files, rep.Bytes = 0, 0
	err = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		rep.Files++
		rep.Bytes += st.Size()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := replace(tmp, out); err != nil {
		return nil, err
	}
	return rep, nil
}

// checkOut refuses to write over anything but a previous site: a
// directory that is missing, empty, or holds SHA256SUMS.
func checkOut(out string) error {
	if out == "" {
		return errors.New("site: say where to write the site")
	}
	entries, err := os.ReadDir(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("site: %w", err)
	case len(entries) == 0:
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, publish.SumsFile)); err != nil {
		return fmt.Errorf("site: %s exists and is not a site written before (no %s): give an empty or new directory", out, publish.SumsFile)
	}
	return nil
}

// replace puts the new site in place of the old in two renames, so that a
// reader of out sees one site or the other.
func replace(tmp, out string) error {
	if _, err := os.Stat(out); err == nil {
		old := tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			return fmt.Errorf("site: %w", err)
		}
		if err := os.Rename(tmp, out); err != nil {
			os.Rename(old, out)
			return fmt.Errorf("site: %w", err)
		}
		return os.RemoveAll(old)
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	return nil
}

type crawler struct {
	h     http.Handler
	opt   Options
	dir   string
	done  map[target]*result
	files map[string]target // lang/file → who wrote it, to catch two URLs on one file
	order []target          // in the order met, for the rewrite
	bytes int64
}

func (c *crawler) hasLang(l string) bool { return slices.Contains(c.opt.Langs, l) }

// crawl fetches breadth-first from each language's home. The order is
// that of the links in the pages, which are themselves deterministic:
// pages are fetched a batch at a time in parallel (the handler serves
// concurrent requests), but accepted one by one in queue order, so the
// result is that of a sequential crawl.
func (c *crawler) crawl(ctx context.Context, rep *Report) error {
	var queue []target
	for _, l := range c.opt.Langs {
		queue = append(queue, target{lang: l, path: "/"})
	}
	for len(queue) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		var batch []target
		inBatch := map[target]bool{}
		for len(queue) > 0 && len(batch) < batchSize {
			t := queue[0]
			queue = queue[1:]
			if _, seen := c.done[t]; !seen && !inBatch[t] {
				batch = append(batch, t)
				inBatch[t] = true
			}
		}
		answers := make([]*httptest.ResponseRecorder, len(batch))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(parallel)
		for i, t := range batch {
			if !follow(t.path, t.query) {
				continue
			}
			g.Go(func() error { answers[i] = c.get(gctx, t); return nil })
		}
		g.Wait()
		for i, t := range batch {
			res, err := c.accept(t, answers[i], rep)
			if err != nil {
				return err
			}
			c.done[t] = res
			if res.file == "" {
				continue
			}
			c.order = append(c.order, t)
			for _, n := range res.links {
				if t.query != "" && n.query != "" && n.path == t.path {
					// A filtered view's own filter links combine without
					// bound (status × addressee × overdue …): each filter is
					// published once, from the unfiltered page.
					continue
				}
				if _, seen := c.done[n]; !seen {
					queue = append(queue, n)
				}
			}
		}
	}
	return nil
}

// How many requests are in flight at once, and how many answers are held
// in memory before they are written.
const (
	parallel  = 8
	batchSize = 64
)

// get asks the handler for t as an anonymous visitor who chose the
// language: by the cookie, never ?lang=, so the links in the page carry
// no language of their own.
func (c *crawler) get(ctx context.Context, t target) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, (&url.URL{Path: t.path, RawQuery: t.query}).RequestURI(), nil)
	req.AddCookie(&http.Cookie{Name: i18n.CookieName, Value: t.lang})
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec
}

// accept writes an answer to its file, or records why it is not written.
func (c *crawler) accept(t target, rec *httptest.ResponseRecorder, rep *Report) (*result, error) {
	res := &result{}
	file, err := FileFor(t.path, t.query)
	if err != nil {
		rep.Skipped = append(rep.Skipped, Skip{Lang: t.lang, URL: t.uri(), Reason: err.Error()})
		return res, nil
	}
	if rec == nil {
		rep.Skipped = append(rep.Skipped, Skip{Lang: t.lang, URL: t.uri(), Reason: "not followed"})
		return res, nil
	}
	if rec.Code != http.StatusOK {
		rep.Skipped = append(rep.Skipped, Skip{Lang: t.lang, URL: t.uri(), Status: rec.Code, Reason: "not 200"})
		return res, nil
	}
	body := rec.Body.Bytes()
	ctype, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	isHTML := ctype == "text/html"
	if isHTML != strings.HasSuffix(file, ".html") {
		rep.Skipped = append(rep.Skipped, Skip{Lang: t.lang, URL: t.uri(), Status: rec.Code, Reason: "a " + ctype + " answer at a path named otherwise"})
		return res, nil
	}
	key := t.lang + "/" + file
	if other, ok := c.files[key]; ok {
		rep.Skipped = append(rep.Skipped, Skip{Lang: t.lang, URL: t.uri(), Status: rec.Code, Reason: "same file as " + other.uri()})
		return res, nil
	}
	c.files[key] = t
	if len(c.files) > MaxFiles {
		return nil, fmt.Errorf("site: more than %d files: a view multiplies without end (last: %s)", MaxFiles, t.uri())
	}
	if c.bytes += int64(len(body)); c.bytes > MaxBytes {
		return nil, fmt.Errorf("site: more than %d bytes (last: %s)", MaxBytes, t.uri())
	}
	switch {
	case isHTML:
		res.links = c.links(t, body)
		rep.Pages++
	}
	res.file, res.html = file, isHTML
	return res, c.write(key, body)
}

func (c *crawler) write(rel string, body []byte) error {
	p := filepath.Join(c.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, body, 0o644)
}

// resolve turns a link found on page t into the target it names, or ok
// false when it is not a same-site GET the static site can hold.
func (c *crawler) resolve(page target, ref string) (t target, frag string, ok bool) {
	base := &url.URL{Scheme: "http", Host: "site.invalid", Path: page.path, RawQuery: page.query}
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return t, "", false
	}
	if u.Scheme != "" || u.Host != "" || u.Opaque != "" {
		return t, "", false
	}
	abs := base.ResolveReference(u)
	q, err := url.ParseQuery(abs.RawQuery)
	if err != nil {
		return t, "", false
	}
	lang := page.lang
	if l := q.Get("lang"); l != "" {
		lang = l
	}
	t = target{lang: lang, path: abs.Path, query: canonicalQuery(abs.RawQuery)}
	return t, u.Fragment, c.hasLang(lang) && follow(t.path, t.query)
}

// follow says whether a same-site path is one the static site holds.
// Routes that need a server or a signed-in user are never fetched (they
// would answer a redirect, 403 or 404 anyway); the events explorer is
// followed only without a query, because its filters and paging combine
// without bound and its downloads are whole datasets' raw rows, which the
// site does not republish.
func follow(p, query string) bool {
	for _, pre := range []string{"/login", "/logout", "/account", "/api/", "/c/", "/jobs/", "/healthz"} {
		if p == strings.TrimSuffix(pre, "/") || strings.HasPrefix(p, pre) {
			return false
		}
	}
	switch {
	case p == "/events":
		return query == ""
	case strings.HasPrefix(p, "/events."):
		return false
	case strings.HasSuffix(p, "/new"), strings.HasSuffix(p, "/edit"):
		return false
	}
	return true
}

// fileOf is the file a target was written to, relative to the root, or "".
func (c *crawler) fileOf(t target) string {
	if r := c.done[t]; r != nil && r.file != "" {
		return t.lang + "/" + r.file
	}
	return ""
}

// writeChooser writes DIR/index.html, the languages to choose from.
func (c *crawler) writeChooser() error {
	var b bytes.Buffer
	b.WriteString("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + htmlEscape(c.opt.Title) + "</title>\n<meta property=\"og:title\" content=\"" + htmlEscape(c.opt.Title) + "\">\n<meta property=\"og:type\" content=\"website\">\n")
	if c.opt.BaseURL != "" {
		b.WriteString("<meta property=\"og:url\" content=\"" + htmlEscape(c.opt.BaseURL+"/") + "\">\n")
	}
	b.WriteString("</head>\n<body>\n<h1>" + htmlEscape(c.opt.Title) + "</h1>\n<ul>\n")
	bundle := i18n.Default()
	for _, l := range c.opt.Langs {
		loc := bundle.Locale(l)
		b.WriteString(fmt.Sprintf("<li><a href=\"%s/index.html\" lang=\"%s\" hreflang=\"%s\" dir=\"%s\">%s</a></li>\n",
			l, l, l, loc.Dir(), htmlEscape(loc.Name())))
	}
	b.WriteString("</ul>\n</body>\n</html>\n")
	return c.write("index.html", b.Bytes())
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// pageURL is a page's absolute address under the base URL: a directory
// for an index.html, as static hosts serve it.
func (c *crawler) pageURL(file string) string {
	if c.opt.BaseURL == "" {
		return ""
	}
	if file == "index.html" || strings.HasSuffix(file, "/index.html") {
		file = strings.TrimSuffix(file, "index.html")
	}
	return c.opt.BaseURL + "/" + (&url.URL{Path: file}).EscapedPath()
}

// updated is a fixed instant for a feed with no entries: never the clock.
var epoch = time.Unix(0, 0).UTC()
