package site

import (
	"bytes"
	"encoding/xml"
	"slices"
	"strings"
	"time"
)

// FeedEntry is one item of the Atom feed: a brief or a published claim.
// The caller takes them from the services as the anonymous reader, so
// the feed lists only what the site shows.
type FeedEntry struct {
	ID      string    // a permanent id: a tag: URI or the item's address
	Title   string    // the brief's title, the claim's text
	Summary string    // optional
	Path    string    // the item's page on the site, "/briefs/SLUG"
	Updated time.Time // from the record, never the clock
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	Title   string    `xml:"title"`
	ID      string    `xml:"id"`
	Updated string    `xml:"updated"`
	Link    *atomLink `xml:"link"`
	Summary string    `xml:"summary,omitempty"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Author  string      `xml:"author>name"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

// writeFeed writes L/feed.atom: newest first, the feed's updated time the
// newest entry's, links relative to the feed (absolute with a base URL)
// and only to pages the site holds.
func (c *crawler) writeFeed(lang string) error {
	entries := slices.Clone(c.opt.Feed)
	slices.SortStableFunc(entries, func(a, b FeedEntry) int {
		if n := b.Updated.Compare(a.Updated); n != 0 {
			return n
		}
		return strings.Compare(a.ID, b.ID)
	})
	file := lang + "/feed.atom"
	f := atomFeed{Lang: lang, Title: c.opt.Title, Author: c.opt.Title, Updated: epoch.Format(time.RFC3339),
		ID: "tag:aftermath,2000:site/" + lang}
	if c.opt.BaseURL != "" {
		f.ID = c.opt.BaseURL + "/" + file
		f.Links = append(f.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: f.ID})
	}
	if home := c.fileOf(target{lang: lang, path: "/"}); home != "" {
		f.Links = append(f.Links, atomLink{Rel: "alternate", Type: "text/html", Href: c.link(file, home)})
	}
	for i, e := range entries {
		up := e.Updated.UTC()
		if i == 0 {
			f.Updated = up.Format(time.RFC3339)
		}
		ae := atomEntry{Title: e.Title, ID: e.ID, Updated: up.Format(time.RFC3339), Summary: e.Summary}
		if to := c.fileOf(target{lang: lang, path: e.Path}); to != "" {
			ae.Link = &atomLink{Rel: "alternate", Type: "text/html", Href: c.link(file, to)}
		}
		f.Entries = append(f.Entries, ae)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	b.WriteByte('\n')
	return c.write(file, b.Bytes())
}

// link is the address of file to as written in file from: absolute under
// the base URL when there is one (a feed reader fetches the feed alone),
// else relative.
func (c *crawler) link(from, to string) string {
	if c.opt.BaseURL != "" {
		return c.pageURL(to)
	}
	return Rel(from, to)
}
