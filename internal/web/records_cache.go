package web

import (
	"context"
	"fmt"
	"slices"
	"time"

	"aftermath"
)

// The records a page lists (interventions, the ledger, briefs) are kept
// like the figures (figures_cache.go), under the records generation as
// well: a number the database raises itself in the transaction of every
// change to those records, whoever makes it (a form, the API, the command
// line, another serve process). Signed-in pages are never cached whole,
// and without this the home page read every intervention and every
// ledger record again for each request (about 70 queries), the ledger
// page every decision and inquiry with their citations, a country's page
// every intervention. The lists are handed out as copies of the kept
// slice whose elements are shared: pages sort and cut their own, and
// never change a record they were given.

// recordsGeneration is the request's figures and records generations
// together, the records one read once per request.
func (c *keptStore) recordsGeneration(ctx context.Context) (string, error) {
	figures, err := c.generation(ctx)
	if err != nil {
		return "", err
	}
	read := func() (string, error) {
		n, err := c.RecordsGeneration(ctx)
		// The day too: a recommendation becomes overdue when its deadline
		// passes, with nothing written.
		return fmt.Sprint(figures, "+", n, "@", time.Now().UTC().Format(time.DateOnly)), err
	}
	rg, _ := ctx.Value(generationKey{}).(*requestGeneration)
	if rg == nil {
		return read()
	}
	rg.recordsOnce.Do(func() { rg.records, rg.recordsErr = read() })
	return rg.records, rg.recordsErr
}

// cachedRecords is cachedFigure under both generations.
func cachedRecords[T any](ctx context.Context, c *keptStore, key string, read func(context.Context) (T, error), clone func(T) T) (T, error) {
	gen, err := c.recordsGeneration(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return cachedIn(c, &c.records, gen, key, read, clone)
}

// homeRecords is what the home page lists of the records as one viewer
// may see them. It is shared by every request of that viewer: the page
// only reads it.
type homeRecords struct {
	Interventions []aftermath.Intervention // the first homeInterventions
	More          int                      // how many more there are
	Briefs        []aftermath.Brief
	Ledger        []aftermath.TimelineItem // the latest five, newest first
}

func (s *Server) homeRecords(ctx context.Context, v aftermath.Viewer) (*homeRecords, error) {
	db := s.db
	if c, ok := s.db.(*keptStore); ok {
		db = c.Store // the parts are not kept apart as well
	}
	read := func(ctx context.Context) (*homeRecords, error) {
		ivs, err := db.Interventions(ctx, v)
		if err != nil {
			return nil, err
		}
		hr := &homeRecords{Interventions: ivs}
		if len(ivs) > homeInterventions {
			hr.Interventions, hr.More = ivs[:homeInterventions], len(ivs)-homeInterventions
		}
		if hr.Briefs, err = db.Briefs(ctx, v, aftermath.BriefFilter{Limit: 4}); err != nil {
			return nil, err
		}
		items, err := db.LedgerTimeline(ctx, v, aftermath.TimelineFilter{})
		if err != nil {
			return nil, err
		}
		// The timeline runs oldest first.
		for i := len(items) - 1; i >= 0 && len(hr.Ledger) < 5; i-- {
			hr.Ledger = append(hr.Ledger, items[i])
		}
		return hr, nil
	}
	c, ok := s.db.(*keptStore)
	if !ok {
		return read(ctx)
	}
	return cachedRecords(ctx, c, figureKey("home", v), read, same)
}

func (c *keptStore) Interventions(ctx context.Context, v aftermath.Viewer) ([]aftermath.Intervention, error) {
	return cachedRecords(ctx, c, figureKey("Interventions", v),
		func(ctx context.Context) ([]aftermath.Intervention, error) { return c.Store.Interventions(ctx, v) }, cloneSlice)
}

func (c *keptStore) Decisions(ctx context.Context, v aftermath.Viewer, f aftermath.DecisionFilter) ([]aftermath.Decision, error) {
	return cachedRecords(ctx, c, figureKey("Decisions", v, f),
		func(ctx context.Context) ([]aftermath.Decision, error) { return c.Store.Decisions(ctx, v, f) }, cloneSlice)
}

func (c *keptStore) Inquiries(ctx context.Context, v aftermath.Viewer, f aftermath.InquiryFilter) ([]aftermath.Inquiry, error) {
	return cachedRecords(ctx, c, figureKey("Inquiries", v, f),
		func(ctx context.Context) ([]aftermath.Inquiry, error) { return c.Store.Inquiries(ctx, v, f) }, cloneSlice)
}

func (c *keptStore) Recommendations(ctx context.Context, v aftermath.Viewer, f aftermath.RecommendationFilter) ([]aftermath.Recommendation, error) {
	return cachedRecords(ctx, c, figureKey("Recommendations", v, f),
		func(ctx context.Context) ([]aftermath.Recommendation, error) {
			return c.Store.Recommendations(ctx, v, f)
		}, cloneSlice)
}

func (c *keptStore) Claims(ctx context.Context, v aftermath.Viewer, f aftermath.ClaimFilter) ([]aftermath.Claim, error) {
	return cachedRecords(ctx, c, figureKey("Claims", v, f),
		func(ctx context.Context) ([]aftermath.Claim, error) { return c.Store.Claims(ctx, v, f) }, cloneSlice)
}

func (c *keptStore) LedgerTimeline(ctx context.Context, v aftermath.Viewer, f aftermath.TimelineFilter) ([]aftermath.TimelineItem, error) {
	return cachedRecords(ctx, c, figureKey("LedgerTimeline", v, f),
		func(ctx context.Context) ([]aftermath.TimelineItem, error) { return c.Store.LedgerTimeline(ctx, v, f) }, cloneSlice)
}

// searchesKept bounds the pages of search results kept: each is twenty
// hits with their snippets, some 10 KB.
const searchesKept = 512

// Search keeps a page of results per viewer and query while the search
// generation stays the same: a search ranks every match (bm25 over the
// full-text index, every match's visibility checked), 10 ms for a word in
// 300 of 522,000 events and most of a second for one in most of them,
// for each request. While the index is catching up (the generation is
// "") every search is read afresh, and says that results may be missing.
func (c *keptStore) Search(ctx context.Context, v aftermath.Viewer, q aftermath.SearchQuery) (*aftermath.SearchResults, error) {
	gen, err := c.SearchGeneration(ctx)
	if err != nil {
		return nil, err
	}
	if gen == "" {
		return c.Store.Search(ctx, v, q)
	}
	return cachedIn(c, &c.search, "search:"+gen, figureKey("Search", v, q),
		func(ctx context.Context) (*aftermath.SearchResults, error) { return c.Store.Search(ctx, v, q) },
		func(r *aftermath.SearchResults) *aftermath.SearchResults {
			out := *r
			out.Hits = slices.Clone(r.Hits)
			return &out
		})
}
