package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/i18n"
)

// routesSearch registers the search page; the layout's search box
// submits to it with ?q= (and may pass ?lang=).
func (s *Server) routesSearch(r *router) {
	// Not cached: an import changes what is found without changing who
	// may see what, which is all the cache follows.
	r.handle("GET /search", Public, s.search)
}

// searchItem is one hit as the page shows it.
type searchItem struct {
	L *i18n.Locale
	aftermath.SearchHit
}

type searchPage struct {
	page
	Query, Kind   string
	Kinds         []string
	Results       *aftermath.SearchResults
	Hits          []searchItem
	Testimonies   *aftermath.TestimonyMatches
	TestimonyHits []searchItem
	// First and Last number the hits shown; Prev and Next are the
	// neighbouring pages' addresses ("" for none).
	First, Last int
	Prev, Next  string
}

// searchPageSize is how many results a page shows.
const searchPageSize = aftermath.DefaultSearchLimit

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	q := r.URL.Query()
	p := searchPage{page: s.newPage(w, r, "search.title"), Query: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind"),
		Kinds: aftermath.SearchKinds, Results: &aftermath.SearchResults{}, Testimonies: &aftermath.TestimonyMatches{}}
	if s.Voices() != nil {
		p.Kinds = append(slices.Clone(p.Kinds), aftermath.SearchTestimony)
	}
	n, _ := strconv.Atoi(q.Get("page"))
	n = min(max(n, 1), aftermath.SearchCountCap/searchPageSize)
	sq := aftermath.SearchQuery{Text: p.Query, Kind: p.Kind, Limit: searchPageSize, Offset: (n - 1) * searchPageSize}
	if p.Query != "" {
		var err error
		if p.Kind != aftermath.SearchTestimony {
			p.Results, err = s.db.Search(ctx, v, sq)
		}
		// Testimonies are matched apart from the ranked index, and shown
		// on the first page only.
		if err == nil && n == 1 && s.Voices() != nil && (p.Kind == "" || p.Kind == aftermath.SearchTestimony) {
			p.Testimonies, err = s.Voices().SearchTestimonies(ctx, v, aftermath.SearchQuery{Text: p.Query, Kind: aftermath.SearchTestimony})
		}
		if err != nil {
			s.PageError(w, r, err)
			return
		}
	}
	for _, h := range p.Results.Hits {
		p.Hits = append(p.Hits, searchItem{L: p.L, SearchHit: h})
	}
	for _, h := range p.Testimonies.Hits {
		p.TestimonyHits = append(p.TestimonyHits, searchItem{L: p.L, SearchHit: h})
	}
	if len(p.Hits) > 0 {
		p.First, p.Last = sq.Offset+1, sq.Offset+len(p.Hits)
	}
	link := func(page int) string {
		u := url.Values{"q": {p.Query}, "page": {strconv.Itoa(page)}}
		if p.Kind != "" {
			u.Set("kind", p.Kind)
		}
		return "/search?" + u.Encode()
	}
	if n > 1 {
		p.Prev = link(n - 1)
	}
	if p.Last > 0 && p.Last < p.Results.Total && n < aftermath.SearchCountCap/searchPageSize {
		p.Next = link(n + 1)
	}
	s.render(w, r, http.StatusOK, "search.html", p)
}
