package web

import (
	"context"
	"fmt"

	"aftermath"
)

// The records a page lists (interventions, the ledger, briefs) are kept
// like the figures (figures_cache.go), under the records generation as
// well: a number the database raises itself in the transaction of every
// change to those records, whoever makes it (a form, the API, the command
// line, another serve process). Signed-in pages are never cached whole,
// and without this the home page read every intervention and every
// ledger record again for each request (about 70 queries).

// recordsGeneration is the request's figures and records generations
// together, the records one read once per request.
func (c *figureStore) recordsGeneration(ctx context.Context) (string, error) {
	figures, err := c.generation(ctx)
	if err != nil {
		return "", err
	}
	read := func() (string, error) {
		n, err := c.RecordsGeneration(ctx)
		return fmt.Sprint(figures, "+", n), err
	}
	rg, _ := ctx.Value(generationKey{}).(*requestGeneration)
	if rg == nil {
		return read()
	}
	rg.recordsOnce.Do(func() { rg.records, rg.recordsErr = read() })
	return rg.records, rg.recordsErr
}

// cachedRecords is cachedFigure under both generations.
func cachedRecords[T any](ctx context.Context, c *figureStore, key string, read func(context.Context) (T, error), clone func(T) T) (T, error) {
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
	read := func(ctx context.Context) (*homeRecords, error) {
		ivs, err := s.db.Interventions(ctx, v)
		if err != nil {
			return nil, err
		}
		hr := &homeRecords{Interventions: ivs}
		if len(ivs) > homeInterventions {
			hr.Interventions, hr.More = ivs[:homeInterventions], len(ivs)-homeInterventions
		}
		if hr.Briefs, err = s.db.Briefs(ctx, v, aftermath.BriefFilter{Limit: 4}); err != nil {
			return nil, err
		}
		items, err := s.db.LedgerTimeline(ctx, v, aftermath.TimelineFilter{})
		if err != nil {
			return nil, err
		}
		// The timeline runs oldest first.
		for i := len(items) - 1; i >= 0 && len(hr.Ledger) < 5; i-- {
			hr.Ledger = append(hr.Ledger, items[i])
		}
		return hr, nil
	}
	c, ok := s.db.(*figureStore)
	if !ok {
		return read(ctx)
	}
	return cachedRecords(ctx, c, figureKey("home", v), read, same)
}
