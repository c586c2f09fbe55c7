package site

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// keptExtensions are the file names a URL path keeps as they are: what a
// static host serves by its extension. Any other path is a page, written
// as DIR/PATH/index.html so that the URL a reader sees stays the same
// directory.
var keptExtensions = map[string]bool{
	".csv": true, ".svg": true, ".pdf": true, ".json": true, ".css": true, ".atom": true,
	".geojson": true, ".png": true, ".jpg": true, ".xml": true, ".txt": true, ".woff2": true, ".ico": true,
}

// canonicalQuery orders a query's keys (and drops lang, which chooses the
// directory, not the file), so that the same view reached by two links
// spelled differently is one file.
func canonicalQuery(raw string) string {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return raw
	}
	v.Del("lang")
	return v.Encode()
}

// FileFor maps a URL path and its (canonical) query to the slash-separated
// file the site holds it in, relative to a language's directory:
// "/" → index.html, "/interventions/minusma" → interventions/minusma/index.html,
// "/ledger/claims.csv" → ledger/claims.csv.
//
// A query is kept in the file name rather than dropped, because on these
// pages it chooses a real view (the outcome a chart shows, the Clear-only
// re-run of a harm table, a ledger filter): "monthly.csv?outcome=deaths_best"
// → monthly.q-outcome-deaths_best-HASH.csv. The readable part helps a
// person browsing the files; the hash of the whole query keeps two queries
// that sanitise alike apart. Views whose queries combine without bound (the
// events explorer) are not followed at all (see follow).
func FileFor(p, query string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("path %q is not absolute", p)
	}
	clean := path.Clean(p)
	if strings.ContainsAny(clean, "\\\n\r\x00") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") {
		return "", fmt.Errorf("path %q cannot be a file name", p)
	}
	rel := strings.TrimPrefix(clean, "/")
	ext := path.Ext(rel)
	base := rel
	if !keptExtensions[ext] {
		ext = ".html"
		base = path.Join(rel, "index")
	} else {
		base = strings.TrimSuffix(rel, ext)
	}
	for _, seg := range strings.Split(base, "/") {
		if seg == "." || seg == ".." || strings.HasPrefix(seg, ".") {
			return "", fmt.Errorf("path %q has a hidden or dot segment", p)
		}
	}
	if query != "" {
		sum := sha256.Sum256([]byte(query))
		base += ".q-" + readable(query) + "-" + hex.EncodeToString(sum[:])[:8]
	}
	return base + ext, nil
}

// readable keeps letters, digits, '_' and '-' of a query, every other run
// of bytes becoming one '-', at most 40 bytes.
func readable(q string) string {
	var b strings.Builder
	dash := false
	for _, c := range []byte(q) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		switch {
		case ok:
			b.WriteByte(c)
			dash = false
		case !dash:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// Rel is the relative link from the file from to the file to (both
// slash-separated, relative to the site's root), escaped for an href, so
// that the site works from file://, a USB stick or IPFS, wherever it sits.
func Rel(from, to string) string {
	fromDir := strings.Split(path.Dir(from), "/")
	if path.Dir(from) == "." {
		fromDir = nil
	}
	toSegs := strings.Split(to, "/")
	i := 0
	for i < len(fromDir) && i < len(toSegs)-1 && fromDir[i] == toSegs[i] {
		i++
	}
	var parts []string
	for range fromDir[i:] {
		parts = append(parts, "..")
	}
	for _, s := range toSegs[i:] {
		parts = append(parts, url.PathEscape(s))
	}
	out := strings.Join(parts, "/")
	// A first segment with a colon would read as a scheme.
	if first, _, _ := strings.Cut(out, "/"); strings.Contains(first, ":") {
		out = "./" + out
	}
	return out
}
