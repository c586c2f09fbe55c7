package api

import (
	"net/http"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/web/server"
)

func (s *handlers) routesSearchAPI(handle server.Handle) {
	handle("GET /api/v1/search", server.Public, s.apiSearch)
}

// searchResult is a hit with the address of its page.
type searchResult struct {
	aftermath.SearchHit
	URL string `json:"url"`
}

func searchResults(hits []aftermath.SearchHit) []searchResult {
	out := make([]searchResult, 0, len(hits))
	for _, h := range hits {
		out = append(out, searchResult{SearchHit: h, URL: h.Path()})
	}
	return out
}

// apiSearch answers ?q=WORDS[&kind=KIND&limit=N&offset=N] with the records
// the caller may read, best first, as the search page finds them; the
// testimonies matched (with the first page only) come apart, since they
// are not ranked with the index.
func (s *handlers) apiSearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	q := apiQuery{r.URL.Query()}
	sq := aftermath.SearchQuery{Text: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind")}
	limit, err := q.count("limit", aftermath.DefaultSearchLimit)
	if err == nil {
		sq.Offset, err = q.count("offset", 0)
	}
	switch {
	case err != nil:
	case sq.Text == "":
		err = aftermath.Errorf(aftermath.EINVALID, "q: give one or more words to search for")
	case limit < 1 || limit > aftermath.MaxSearchLimit:
		err = aftermath.Errorf(aftermath.EINVALID, "limit %d is not between 1 and %d", limit, aftermath.MaxSearchLimit)
	case sq.Offset >= aftermath.SearchCountCap:
		err = aftermath.Errorf(aftermath.EINVALID, "offset %d: results are counted up to %d", sq.Offset, aftermath.SearchCountCap)
	}
	sq.Limit = limit
	res := &aftermath.SearchResults{Terms: aftermath.SearchTerms(sq.Text)}
	if err == nil && sq.Kind != aftermath.SearchTestimony {
		res, err = s.db.Search(ctx, v, sq)
	}
	var testimonies map[string]any
	if err == nil && sq.Offset == 0 && s.srv.Voices() != nil && (sq.Kind == "" || sq.Kind == aftermath.SearchTestimony) {
		var m *aftermath.TestimonyMatches
		if m, err = s.srv.Voices().SearchTestimonies(ctx, v, aftermath.SearchQuery{Text: sq.Text, Kind: aftermath.SearchTestimony, Limit: limit}); err == nil {
			testimonies = map[string]any{"results": searchResults(m.Hits), "searched": m.Searched, "bounded": m.Bounded,
				"method": "matched in the redacted text of the most recent testimonies the caller may read (at most " +
					strconv.Itoa(aftermath.MaxTestimoniesSearched) + "), decrypted for this search only; testimony is never indexed"}
		}
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := map[string]any{"query": sq.Text, "terms": res.Terms, "kind": sq.Kind, "limit": limit, "offset": sq.Offset,
		"total": res.Total, "total_capped": res.TotalCapped, "pending": res.Pending, "results": searchResults(res.Hits)}
	if testimonies != nil {
		out["testimonies"] = testimonies
	}
	writeJSON(w, http.StatusOK, out)
}
