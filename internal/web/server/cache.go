package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"aftermath/internal/metrics"
)

// pageCache keeps rendered public pages for anonymous visitors for a short
// time: under load every visitor of a popular page shares one rendering.
// Pages may lag an import by up to two cacheTTLs (a page past its time is
// still served while a fresh one renders); signed-in users always get
// fresh pages. A change of who may see a record, or of a record the pages
// list, never lags: every page is kept with the database's page
// generation (sqldb PageGeneration: the audience and records generations),
// read before it was rendered, and it is served only while the generation
// is the same; every serve process sharing the database reads it before
// serving, so all drop the page at once, whoever made the change.
type pageCache struct {
	mu      sync.Mutex
	entries map[string]cachedPage
	max     int
	ttl     time.Duration
	gen     int64 // the newest page generation seen
}

type cachedPage struct {
	header  http.Header
	body    []byte
	gz      []byte // body, gzipped once when cached
	expires time.Time
	gen     int64 // the page generation it was rendered under
}

// gzipped compresses a page for the cache. Only anonymous pages are cached
// and they carry no secret (no session, no CSRF token), so compressing
// them cannot leak one through its size (BREACH); pages for signed-in
// users are never compressed.
func gzipped(body []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	return b.Bytes()
}

// acceptsGzip reports whether the request takes a gzip-encoded answer.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

const cacheTTL = 30 * time.Second

func newPageCache(maxEntries int, ttl time.Duration) *pageCache {
	return &pageCache{entries: map[string]cachedPage{}, max: maxEntries, ttl: ttl}
}

// get returns a page and whether it is stale: past its time but within
// one more ttl, when it may still be served while a fresh one renders.
// Older pages are dropped, and every page when the page generation gen
// has moved since they were rendered.
func (c *pageCache) get(key string, gen int64, now time.Time) (e cachedPage, ok, stale bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		clear(c.entries)
		c.gen = gen
		return e, false, false
	}
	e, ok = c.entries[key]
	if ok && now.After(e.expires.Add(c.ttl)) {
		delete(c.entries, key)
		return e, false, false
	}
	return e, ok, ok && now.After(e.expires)
}

// clear drops every page: after a change that must not linger in public
// (a testimony withdrawn from its audience, say).
func (c *pageCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}

func (c *pageCache) put(key string, e cachedPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.gen != c.gen {
		return // rendered under another generation than the newest seen
	}
	if len(c.entries) >= c.max {
		// Full: drop everything expired, and if that is not enough, all.
		now := time.Now()
		for k, v := range c.entries {
			if now.After(v.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[key] = e
}

// bufferedResponse records a handler's answer so it can be cached.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) WriteHeader(s int) {
	if b.status == 0 {
		b.status = s
	}
}
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// maxCachedPage keeps large answers (downloads) out of the cache.
const maxCachedPage = 512 << 10

// SetCacheTTL sets how long public pages are kept; 0 turns caching off.
func (s *Server) SetCacheTTL(d time.Duration) { s.cache.ttl = d }

// cached serves a public page from the cache to anonymous visitors.
func (s *Server) cached(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cache.ttl <= 0 || userOf(r.Context()) != nil || r.URL.Query().Has("lang") {
			h(w, r)
			return
		}
		key := s.bundle.Negotiate(r).Tag() + " " + r.URL.RequestURI()
		// Read before rendering: a change committed after this read marks
		// the page with a generation that is no longer current.
		gen, err := s.db.PageGeneration(r.Context())
		if err != nil {
			s.log.WarnContext(r.Context(), "page cache: no page generation; rendering afresh", "err", err)
			h(w, r)
			return
		}
		flightKey := strconv.FormatInt(gen, 10) + " " + key
		render := func(r *http.Request) func() (any, error) {
			return func() (any, error) {
				rec := &bufferedResponse{header: http.Header{}}
				h(rec, r)
				if rec.status == 0 {
					rec.status = http.StatusOK
				}
				if rec.status == http.StatusOK && rec.header.Get("Set-Cookie") == "" && rec.body.Len() <= maxCachedPage {
					body := bytes.Clone(rec.body.Bytes())
					hd := rec.header.Clone()
					hd.Set("Vary", strings.TrimPrefix(hd.Get("Vary")+", Accept-Encoding", ", "))
					s.cache.put(key, cachedPage{header: hd, body: body, gz: gzipped(body), expires: time.Now().Add(s.cache.ttl), gen: gen})
				}
				return rec, nil
			}
		}
		if e, ok, stale := s.cache.get(key, gen, time.Now()); ok {
			for k, v := range e.header {
				w.Header()[k] = v
			}
			if stale {
				// Serve the page a little late rather than make every
				// visitor wait while one renders it afresh.
				w.Header().Set("X-Cache", "stale")
				s.metrics.CachePage("stale")
				s.flight.DoChan(flightKey, render(r.Clone(context.WithoutCancel(r.Context()))))
			} else {
				w.Header().Set("X-Cache", "hit")
				s.metrics.CachePage("hit")
			}
			if acceptsGzip(r) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(e.gz)
				return
			}
			w.Write(e.body)
			return
		}
		// Concurrent misses of one page wait for a single rendering rather
		// than all rendering it (a stampede when a popular page expires).
		// The key has the generation: a visitor after a change never waits
		// for a rendering begun before it.
		s.metrics.CachePage("miss")
		v, _, shared := s.flight.Do(flightKey, render(r))
		rec := v.(*bufferedResponse)
		if shared && rec.header.Get("Set-Cookie") != "" {
			h(w, r) // never hand one visitor's cookies to another
			return
		}
		for k, vals := range rec.header {
			w.Header()[k] = vals
		}
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes())
	}
}

// changed drops the cached pages of this server and, through the
// database, of every other server sharing it (sqldb.DB.NotifyChanged);
// the other servers' listeners call DropCachedPages.
func (s *Server) changed(ctx context.Context) {
	s.cache.clear()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.db.NotifyChanged(ctx); err != nil {
		s.log.WarnContext(ctx, "page cache: the other servers were not told of a change; theirs lag by the cache lifetime", "err", err)
	}
}

// dropsCacheAfterWrite empties the page caches once a signed-in user's or
// a token's write succeeded, so that anonymous visitors on every server
// see it at once. Anonymous posts (signing in) change no public page and
// must not let anyone empty the caches at will.
func dropsCacheAfterWrite(changed func(context.Context), h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := metrics.RecordStatus(w)
		h(rec, r)
		if (userOf(r.Context()) != nil || byToken(r.Context())) && rec.Status() < 400 {
			changed(r.Context())
		}
	}
}
