package sqldb

import (
	"cmp"
	"context"
	"maps"
	"slices"

	"aftermath"
)

var _ aftermath.TestimonySearch = (*Voices)(nil)

// SearchTestimonies matches a query against testimony without any index
// of its words: it opens the redacted text of the most recent testimonies
// the viewer may read as quotes (QuoteBank: approved, redacted, not
// confidential, audience reaching the viewer) and matches them in memory.
// Nothing of the text is written anywhere, so the database holds no
// plaintext to leak (docs/security.md, "Searching testimony"). The
// original is never searched: its readers reach it from the testimony.
func (s *Voices) SearchTestimonies(ctx context.Context, v aftermath.Viewer, q aftermath.SearchQuery) (*aftermath.TestimonyMatches, error) {
	out := &aftermath.TestimonyMatches{}
	terms := aftermath.SearchTerms(q.Text)
	if len(terms) == 0 || q.Kind != "" && q.Kind != aftermath.SearchTestimony {
		return out, nil
	}
	quotes, err := s.QuoteBank(ctx, v, aftermath.QuoteFilter{Limit: aftermath.MaxTestimoniesSearched + 1})
	if err != nil {
		return nil, err
	}
	if len(quotes) > aftermath.MaxTestimoniesSearched {
		quotes, out.Bounded = quotes[:aftermath.MaxTestimoniesSearched], true
	}
	out.Searched = len(quotes)
	for _, qt := range quotes {
		// The text in the language it was given, else the first
		// translation that holds every word.
		texts := []string{qt.Text}
		for _, lang := range slices.Sorted(maps.Keys(qt.Translations)) {
			texts = append(texts, qt.Translations[lang])
		}
		for _, text := range texts {
			ok, n := aftermath.SearchMatchesAll(text, terms)
			if !ok {
				continue
			}
			out.Hits = append(out.Hits, aftermath.SearchHit{Kind: aftermath.SearchTestimony, ID: qt.TestimonyID,
				Title: qt.Country + " " + qt.Date, Date: qt.Date, Country: qt.Country,
				Snippet: aftermath.SearchSnippet(text, terms, 240), Score: float64(n)})
			break
		}
	}
	slices.SortStableFunc(out.Hits, func(a, b aftermath.SearchHit) int { return cmp.Compare(b.Score, a.Score) })
	limit := q.Limit
	if limit <= 0 {
		limit = aftermath.DefaultSearchLimit
	}
	if len(out.Hits) > min(limit, aftermath.MaxSearchLimit) {
		out.Hits = out.Hits[:min(limit, aftermath.MaxSearchLimit)]
	}
	return out, nil
}
