package aftermath

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Kinds of record search finds, as results and the ?kind= filter name them.
const (
	SearchEvent          = "event"
	SearchIntervention   = "intervention"
	SearchActor          = "actor"
	SearchSource         = "source"
	SearchDecision       = "decision"
	SearchInquiry        = "inquiry"
	SearchRecommendation = "recommendation"
	SearchClaim          = "claim"
	SearchBrief          = "brief"
	SearchTestimony      = "testimony"
)

// SearchKinds lists the kinds the index holds, in the order a results page
// offers them as filters. Testimonies are not among them: they are never
// indexed (TestimonySearch).
var SearchKinds = []string{SearchEvent, SearchIntervention, SearchActor, SearchSource, SearchDecision,
	SearchInquiry, SearchRecommendation, SearchClaim, SearchBrief}

// Bounds of a search: a page holds at most MaxSearchLimit results and
// the total counted stops at SearchCountCap, so that a common word over
// millions of events costs no more than that.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 100
	SearchCountCap     = 1000
	// MaxSearchQuery bounds what is read of a query, in bytes.
	MaxSearchQuery = 500
)

// SearchQuery is what a reader asked for.
type SearchQuery struct {
	Text   string
	Kind   string // one of SearchKinds; "" for all
	Limit  int    // default DefaultSearchLimit, at most MaxSearchLimit
	Offset int
}

// SearchFragment is a piece of a snippet; Match marks the words that
// matched the query. The text is plain: whoever shows it escapes it.
type SearchFragment struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// SearchHit is one record found.
type SearchHit struct {
	Kind string `json:"kind"`
	ID   int64  `json:"id"`
	// Key is what the record's address uses besides its id: an
	// intervention's or brief's slug, an event's dataset and native id
	// ("ucdp:12345").
	Key     string           `json:"key,omitempty"`
	Title   string           `json:"title"`
	Date    string           `json:"date,omitempty"`
	Country string           `json:"country,omitempty"` // events: as the dataset names it
	Snippet []SearchFragment `json:"snippet"`
	Score   float64          `json:"score"`
}

// Path is the address of the hit's page.
func (h SearchHit) Path() string {
	id := strconv.FormatInt(h.ID, 10)
	switch h.Kind {
	case SearchEvent:
		return "/events/" + id
	case SearchIntervention:
		return "/interventions/" + url.PathEscape(h.Key)
	case SearchBrief:
		return "/briefs/" + url.PathEscape(h.Key)
	case SearchActor:
		return "/actors/" + id
	case SearchInquiry:
		return "/inquiries/" + id
	case SearchTestimony:
		return "/testimonies/" + id
	}
	return "/" + h.Kind + "s/" + id // sources, decisions, recommendations, claims
}

// SearchResults is one page of results, best first.
type SearchResults struct {
	Terms []string    // the words searched for, as read from the query
	Hits  []SearchHit // this page
	// Total counts every result the viewer may see, up to SearchCountCap;
	// TotalCapped says there are more.
	Total       int
	TotalCapped bool
	// Pending says the index has not yet caught up with every change
	// (a large import): some records may be missing from these results.
	Pending bool
}

// Search finds the records a viewer may read, ranked. A record the
// viewer may not read is never found, nor counted.
type Search interface {
	Search(ctx context.Context, v Viewer, q SearchQuery) (*SearchResults, error)
	// CatchUpSearch brings the index up to date with every record: for a
	// job after an import (a search catches up for a bounded time only).
	CatchUpSearch(ctx context.Context) error
	// SearchGeneration changes, in every process, whenever what a search
	// may find changes: a record or an import indexed, a change of who may
	// see what. It is "" while the index has changes to catch up, when
	// results are not to be kept.
	SearchGeneration(ctx context.Context) (string, error)
}

// TestimonyMatches are the testimonies whose redacted text holds every
// word of a query, among the most recent MaxTestimoniesSearched that the
// viewer may read; Bounded says the viewer may read more than were
// searched.
type TestimonyMatches struct {
	Hits     []SearchHit
	Searched int
	Bounded  bool
}

// MaxTestimoniesSearched bounds the testimonies one search decrypts.
const MaxTestimoniesSearched = 500

// TestimonySearch matches testimony text without any index of it: the
// text is decrypted, within the viewer's own readable set, and matched
// in memory (docs/security.md, "Searching testimony").
type TestimonySearch interface {
	SearchTestimonies(ctx context.Context, v Viewer, q SearchQuery) (*TestimonyMatches, error)
}

// SearchTerms splits a query into the words searched for: runs of letters
// and digits (marks kept with their letters), at most 16. Everything else
// (quotes, *, -, :, parentheses) separates words, so no query syntax of
// either database reaches it.
func SearchTerms(q string) []string {
	if len(q) > MaxSearchQuery {
		q = q[:MaxSearchQuery]
	}
	q = strings.ToValidUTF8(q, " ")
	var terms []string
	for _, w := range strings.FieldsFunc(q, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	}) {
		if len(terms) == 16 {
			break
		}
		terms = append(terms, w)
	}
	return terms
}

// FoldSearch lowercases s and strips its diacritics (é → e, and Arabic
// short vowels), the way both indexes compare words.
func FoldSearch(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// searchWordMatches reports whether a word of a text matches a folded
// term: the same word, or one a prefix of the other when the shorter has
// four letters or more, so that the stemmed match of the index
// ("attacks" for "attack") is highlighted too.
func searchWordMatches(word, term string) bool {
	if word == term {
		return true
	}
	short, long := word, term
	if len(short) > len(long) {
		short, long = long, short
	}
	return len([]rune(short)) >= 4 && strings.HasPrefix(long, short)
}

// SearchMatchesAll reports whether text holds every term (folded), by
// the rule of searchWordMatches: how testimony text is matched.
func SearchMatchesAll(text string, terms []string) (bool, int) {
	words := strings.FieldsFunc(FoldSearch(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	hits := 0
	for _, t := range terms {
		ft, found := FoldSearch(t), false
		for _, w := range words {
			if searchWordMatches(w, ft) {
				found = true
				hits++
			}
		}
		if !found {
			return false, 0
		}
	}
	return true, hits
}

// SearchSnippet cuts from text a passage of about width characters
// around the first matched word, marking every matched word.
func SearchSnippet(text string, terms []string, width int) []SearchFragment {
	text = strings.Join(strings.Fields(text), " ")
	folded := make([]string, len(terms))
	for i, t := range terms {
		folded[i] = FoldSearch(t)
	}
	type word struct {
		start, end int
		match      bool
	}
	var words []word
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := FoldSearch(text[start:end])
		m := false
		for _, t := range folded {
			if searchWordMatches(w, t) {
				m = true
				break
			}
		}
		words = append(words, word{start, end, m})
		start = -1
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
	// The passage starts a few words before the first match.
	from, to := 0, len(text)
	for i, w := range words {
		if w.match {
			from = words[max(i-6, 0)].start
			break
		}
	}
	if to-from > width {
		to = from + width
		for to < len(text) && !isBoundary(text, to) {
			to++
		}
	}
	var out []SearchFragment
	add := func(s string, m bool) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Match == m {
			out[n-1].Text += s
			return
		}
		out = append(out, SearchFragment{Text: s, Match: m})
	}
	if from > 0 {
		add("… ", false)
	}
	pos := from
	for _, w := range words {
		if w.start < from || w.end > to {
			continue
		}
		add(text[pos:w.start], false)
		add(text[w.start:w.end], w.match)
		pos = w.end
	}
	add(text[pos:to], false)
	if to < len(text) {
		add(" …", false)
	}
	return out
}

// isBoundary reports whether i falls between two UTF-8 characters at a
// space, where a snippet may end.
func isBoundary(s string, i int) bool { return s[i] == ' ' || s[i] == '\n' }
