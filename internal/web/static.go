package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// staticFiles serves the embedded assets under names that carry a hash of
// their content (site.3f2a9c1e.css), cached by browsers for a year: a
// changed file gets a new name, so nobody sees a stale one. The plain
// names keep working, revalidated on every use.
type staticFiles struct {
	fsys   fs.FS
	hashed map[string]string // hashed name → file name
	byName map[string]string // file name → hashed name
}

func newStaticFiles(fsys fs.FS) (*staticFiles, error) {
	s := &staticFiles{fsys: fsys, hashed: map[string]string{}, byName: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		h := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		s.hashed[h], s.byName[p] = p, h
		return nil
	})
	return s, err
}

// url returns the hashed URL of an asset ("site.css" → "/static/site.1a2b3c4d.css").
func (s *staticFiles) url(name string) string {
	if h, ok := s.byName[name]; ok {
		return "/static/" + h
	}
	return "/static/" + name
}

func (s *staticFiles) serve(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	if orig, ok := s.hashed[name]; ok {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		http.ServeFileFS(w, r, s.fsys, orig)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	if _, ok := s.byName[name]; !ok {
		http.NotFound(w, r)
		return
	}
	http.ServeFileFS(w, r, s.fsys, name)
}
