package web

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"aftermath"
	"aftermath/internal/impact"
)

// keptStore answers the reads of signed-in pages that cost the most from
// memory, each kept under the generation that changes with what it read:
// figures summed over the events and their aggregates under the figures
// generation (an import, a change of who may see what); the record lists
// under that and the records generation (records_cache.go); the
// explorer's tables under the figures generation; pages of search
// results under the search generation. Signed-in pages are never cached
// whole; without this every one of them summed the 3 million events'
// aggregates again (the explorer's counts and map, the places, the home
// page's analyses), 1 to 6 s a page under 50 clients. Each answer is kept
// per viewer (the whole Viewer is in the key), so no reader is given what
// another may see; filters naming an actor are read afresh, since actors
// are also named by ledger records and interventions that the figures
// generation does not follow.
type keptStore struct {
	Store
	mu      sync.Mutex
	figures kept // under the figures generation
	records kept // under it and the records generation (records_cache.go)
	tables  kept // the explorer's tables (eventTable), larger: fewer are kept
	search  kept // pages of search results, under the search generation (records_cache.go)
	// flight makes concurrent readers of one missing figure wait for a
	// single read instead of all running it (50 clients, one query each).
	flight singleflight.Group
}

// kept is what was read under one generation, by key, at most max
// values (0: figureCacheSize).
type kept struct {
	gen    string
	values map[string]any
	max    int
}

type generationKey struct{}

// requestGeneration is one request's figures generation, read at its
// first figure: a page reads a dozen, all under one generation; and its
// records generation, read at its first kept record.
type requestGeneration struct {
	once, recordsOnce sync.Once
	gen, records      string
	err, recordsErr   error
}

// withGeneration gives each page request its own generation to read once.
func withGeneration(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h(w, r.WithContext(context.WithValue(r.Context(), generationKey{}, &requestGeneration{})))
	}
}

// generation is the request's figures generation (the store's own when
// the request has none to share).
func (c *keptStore) generation(ctx context.Context) (string, error) {
	rg, _ := ctx.Value(generationKey{}).(*requestGeneration)
	if rg == nil {
		return c.FiguresGeneration(ctx)
	}
	rg.once.Do(func() { rg.gen, rg.err = c.FiguresGeneration(ctx) })
	return rg.gen, rg.err
}

// figureCacheSize bounds the figures kept; past it the cache starts over.
const figureCacheSize = 2048

// figureReadTimeout bounds one shared read, which runs apart from the
// request that started it so that this client's leaving does not fail
// the others waiting for it.
const figureReadTimeout = 2 * time.Minute

// eventTablesKept bounds the explorer's tables kept: each is a hundred
// events and their rows drawn, some 200 KB.
const eventTablesKept = 128

func newKeptStore(db Store) *keptStore {
	return &keptStore{Store: db, tables: kept{max: eventTablesKept}, search: kept{max: searchesKept}}
}

// cachedFigure returns the figure kept under key for the current
// generation, reading it once when missing. The read runs on a context of
// its own: not cancelled with the request, and carrying none of its
// values, so it is answered by the primary (a replica behind it would
// keep old figures under the new generation).
func cachedFigure[T any](ctx context.Context, c *keptStore, key string, read func(context.Context) (T, error), clone func(T) T) (T, error) {
	gen, err := c.generation(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return cachedIn(c, &c.figures, gen, key, read, clone)
}

// cachedIn returns the value kept in k under key for gen, reading it once
// when missing.
func cachedIn[T any](c *keptStore, k *kept, gen, key string, read func(context.Context) (T, error), clone func(T) T) (T, error) {
	var zero T
	c.mu.Lock()
	if k.gen != gen || len(k.values) >= cmp.Or(k.max, figureCacheSize) {
		k.gen, k.values = gen, map[string]any{}
	}
	v, ok := k.values[key]
	c.mu.Unlock()
	if ok {
		return clone(v.(T)), nil
	}
	// Keys name their method and the records generation has a "+", so
	// one flight group serves every set.
	v, err, _ := c.flight.Do(gen+"\x00"+key, func() (any, error) {
		rctx, cancel := context.WithTimeout(context.Background(), figureReadTimeout)
		defer cancel()
		val, err := read(rctx)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if k.gen == gen {
			k.values[key] = val
		}
		c.mu.Unlock()
		return val, nil
	})
	if err != nil {
		return zero, err
	}
	return clone(v.(T)), nil
}

// A figure is handed out as a copy of the kept slice or map, so that a
// page sorting or appending to its own never changes another's.
func cloneSlice[S ~[]E, E any](s S) S { return slices.Clone(s) }

type countResult struct {
	n     int64
	exact bool
}

type countriesResult struct {
	counts []aftermath.CountryCount
	exact  bool
}

type pointsResult struct {
	pts    []aftermath.EventPoint
	binned int64
}

func same[T any](v T) T { return v }

func figureKey(method string, args ...any) string { return method + fmt.Sprintf("%#v", args) }

func (c *keptStore) Datasets(ctx context.Context, v aftermath.Viewer) ([]aftermath.Dataset, error) {
	return cachedFigure(ctx, c, figureKey("Datasets", v), func(ctx context.Context) ([]aftermath.Dataset, error) { return c.Store.Datasets(ctx, v) },
		func(ds []aftermath.Dataset) []aftermath.Dataset {
			out := slices.Clone(ds)
			for i := range out {
				out[i].Versions = slices.Clone(out[i].Versions)
			}
			return out
		})
}

func (c *keptStore) DatasetCoverage(ctx context.Context, v aftermath.Viewer, dataset string) (aftermath.CoverageSet, error) {
	return cachedFigure(ctx, c, figureKey("DatasetCoverage", v, dataset),
		func(ctx context.Context) (aftermath.CoverageSet, error) {
			return c.Store.DatasetCoverage(ctx, v, dataset)
		}, cloneSlice)
}

func (c *keptStore) CountEvents(ctx context.Context, f aftermath.EventFilter, limit int) (int64, bool, error) {
	if f.Actor != "" {
		return c.Store.CountEvents(ctx, f, limit)
	}
	r, err := cachedFigure(ctx, c, figureKey("CountEvents", f, limit), func(ctx context.Context) (countResult, error) {
		n, exact, err := c.Store.CountEvents(ctx, f, limit)
		return countResult{n, exact}, err
	}, same)
	return r.n, r.exact, err
}

func (c *keptStore) CountryCounts(ctx context.Context, f aftermath.EventFilter, max int) ([]aftermath.CountryCount, bool, error) {
	if f.Actor != "" {
		return c.Store.CountryCounts(ctx, f, max)
	}
	r, err := cachedFigure(ctx, c, figureKey("CountryCounts", f, max), func(ctx context.Context) (countriesResult, error) {
		counts, exact, err := c.Store.CountryCounts(ctx, f, max)
		return countriesResult{counts, exact}, err
	}, func(r countriesResult) countriesResult { return countriesResult{slices.Clone(r.counts), r.exact} })
	return r.counts, r.exact, err
}

func (c *keptStore) EventPoints(ctx context.Context, f aftermath.EventFilter, max int) ([]aftermath.EventPoint, int64, error) {
	if f.Actor != "" {
		return c.Store.EventPoints(ctx, f, max)
	}
	r, err := cachedFigure(ctx, c, figureKey("EventPoints", f, max), func(ctx context.Context) (pointsResult, error) {
		pts, binned, err := c.Store.EventPoints(ctx, f, max)
		return pointsResult{pts, binned}, err
	}, func(r pointsResult) pointsResult { return pointsResult{slices.Clone(r.pts), r.binned} })
	return r.pts, r.binned, err
}

func (c *keptStore) PlaceTotals(ctx context.Context, v aftermath.Viewer, iso3 string) ([]aftermath.PlaceTotal, error) {
	return cachedFigure(ctx, c, figureKey("PlaceTotals", v, iso3),
		func(ctx context.Context) ([]aftermath.PlaceTotal, error) { return c.Store.PlaceTotals(ctx, v, iso3) }, cloneSlice)
}

func (c *keptStore) MonthlyTotals(ctx context.Context, f aftermath.AreaFilter) ([]aftermath.MonthTotal, error) {
	return cachedFigure(ctx, c, figureKey("MonthlyTotals", f),
		func(ctx context.Context) ([]aftermath.MonthTotal, error) { return c.Store.MonthlyTotals(ctx, f) }, cloneSlice)
}

func (c *keptStore) ActorMonthlyTotals(ctx context.Context, f aftermath.AreaFilter, sel aftermath.ActorSelect) ([]aftermath.MonthTotal, error) {
	return cachedFigure(ctx, c, figureKey("ActorMonthlyTotals", f, sel),
		func(ctx context.Context) ([]aftermath.MonthTotal, error) {
			return c.Store.ActorMonthlyTotals(ctx, f, sel)
		}, cloneSlice)
}

func (c *keptStore) Spread(ctx context.Context, f aftermath.AreaFilter) (map[int]int, error) {
	return cachedFigure(ctx, c, figureKey("Spread", f), func(ctx context.Context) (map[int]int, error) { return c.Store.Spread(ctx, f) }, maps.Clone)
}

func (c *keptStore) ActorEventDays(ctx context.Context, f aftermath.ActorEventsFilter) ([]aftermath.ActorEventDay, error) {
	return cachedFigure(ctx, c, figureKey("ActorEventDays", f),
		func(ctx context.Context) ([]aftermath.ActorEventDay, error) { return c.Store.ActorEventDays(ctx, f) }, cloneSlice)
}

// analyze is impact.Analyze with its report kept like a figure, for the
// methods that read nothing but the figures and the intervention given
// (summary and the event study; synthetic control also reads the other
// interventions, which the generation does not follow). The key holds
// the intervention whole, so an edit of it is a new key. The report is
// shared by every reader: the pages only read it.
func (s *Server) analyze(ctx context.Context, iv *aftermath.Intervention, opt impact.Options) (*impact.Report, error) {
	c, ok := s.db.(*keptStore)
	method := opt.Method
	if method == "" {
		method = "summary"
	}
	if !ok || (method != "summary" && method != "did") {
		return impact.Analyze(ctx, s.db, iv, opt)
	}
	key, err := interventionKey("Analyze", iv, opt)
	if err != nil {
		return nil, err
	}
	return cachedFigure(ctx, c, key, func(ctx context.Context) (*impact.Report, error) { return impact.Analyze(ctx, c, iv, opt) }, same)
}

// interventionKey keys a figure by the intervention whole and the options
// it was read with, so that an edit of either is a new key.
func interventionKey(method string, iv *aftermath.Intervention, opt any) (string, error) {
	ivKey, err := json.Marshal(iv)
	if err != nil {
		return "", err
	}
	optKey, err := json.Marshal(opt)
	if err != nil {
		return "", err
	}
	return method + string(ivKey) + string(optKey), nil
}
