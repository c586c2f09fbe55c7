package web

// Money and arms: sums of SIPRI's arms transfers and of IATI aid
// transactions (aftermath.Flows), as a page with its filters and as the
// CSV the CLI's "flows" writes. Everything here is published data: every
// viewer reads the same.

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"aftermath"
	"aftermath/internal/csvout"
	"aftermath/internal/geo"
	"aftermath/internal/i18n"
)

func (s *Server) routesFlows(r *router) {
	r.handle("GET /flows", Public, s.Cached(s.flows))
	r.handle("GET /flows.csv", Public, s.flowsCSV)
}

// flowsShown caps the rows on the page; the CSV has them all.
const flowsShown = 50

// flowsYears is how far back the default view reaches.
const flowsYears = 10

// flowQuery reads a flows query from the URL. Without a kind it is the
// default view: arms by supplier over the last flowsYears years.
func (s *Server) flowQuery(v url.Values) (aftermath.FlowQuery, error) {
	if !v.Has("kind") {
		return aftermath.FlowQuery{Kind: aftermath.FlowsArms, By: []string{"supplier"}, From: s.db.CurrentTime().Year() - flowsYears}, nil
	}
	q := aftermath.FlowQuery{Kind: v.Get("kind"), Supplier: strings.TrimSpace(v.Get("supplier")), Recipient: strings.ToUpper(strings.TrimSpace(v.Get("recipient")))}
	keys := flowKeys(q.Kind)
	if keys == nil {
		return q, aftermath.Errorf(aftermath.EINVALID, "kind %q: use arms or aid", q.Kind)
	}
	for _, b := range v["by"] {
		for k := range strings.SplitSeq(b, ",") {
			if k = strings.TrimSpace(k); k == "" {
				continue
			}
			if !slices.Contains(keys, k) || slices.Contains(q.By, k) {
				return q, aftermath.Errorf(aftermath.EINVALID, "by %q: use each of %s at most once", k, strings.Join(keys, ", "))
			}
			q.By = append(q.By, k)
		}
	}
	if q.Recipient != "" {
		if _, ok := geo.ByAlpha3(q.Recipient); !ok {
			return q, aftermath.Errorf(aftermath.EINVALID, "recipient %q is not an ISO 3166-1 alpha-3 code", q.Recipient)
		}
	}
	for _, y := range []struct {
		key string
		to  *int
	}{{"from", &q.From}, {"to", &q.To}} {
		if t := strings.TrimSpace(v.Get(y.key)); t != "" {
			n, err := strconv.Atoi(t)
			if err != nil || n < 1900 || n > 2999 {
				return q, aftermath.Errorf(aftermath.EINVALID, "%s %q is not a year", y.key, t)
			}
			*y.to = n
		}
	}
	if q.From != 0 && q.To != 0 && q.From > q.To {
		return q, aftermath.Errorf(aftermath.EINVALID, "from %d is after to %d", q.From, q.To)
	}
	return q, nil
}

func flowKeys(kind string) []string {
	switch kind {
	case aftermath.FlowsArms:
		return aftermath.ArmsFlowKeys
	case aftermath.FlowsAid:
		return aftermath.AidFlowKeys
	}
	return nil
}

// flowValues is the URL of a query, for links and the CSV.
func flowValues(q aftermath.FlowQuery) url.Values {
	v := url.Values{"kind": {q.Kind}}
	if len(q.By) > 0 {
		v.Set("by", strings.Join(q.By, ","))
	}
	for k, s := range map[string]string{"supplier": q.Supplier, "recipient": q.Recipient} {
		if s != "" {
			v.Set(k, s)
		}
	}
	for k, n := range map[string]int{"from": q.From, "to": q.To} {
		if n != 0 {
			v.Set(k, strconv.Itoa(n))
		}
	}
	return v
}

// flowCell is a key's cell: the value, a name for it where one is known,
// and the language of that name when it is not the page's.
type flowCell struct {
	Code, Name, Lang string
}

type flowRow struct {
	aftermath.FlowRow
	Cells []flowCell
}

type flowKeyBox struct {
	Key     string
	Checked bool
}

type flowCountry struct{ ISO3, Name string }

type flowsPage struct {
	page
	Q         aftermath.FlowQuery
	Arms      bool
	Keys      []flowKeyBox
	Countries []flowCountry
	Rows      []flowRow
	Total     int
	Span      int // the table's columns
	CSV       string
	AidLink   string
	FromYear  string
	ToYear    string
}

func (s *Server) flows(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, err := s.flowQuery(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rows, err := s.db.Flows(ctx, q)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := flowsPage{page: s.newPage(w, r, "flows.title"), Q: q, Arms: q.Kind == aftermath.FlowsArms, Total: len(rows),
		CSV: "/flows.csv?" + flowValues(q).Encode()}
	p.Countries = flowCountries(p.L)
	p.AidLink = "/flows?" + flowValues(aftermath.FlowQuery{Kind: aftermath.FlowsAid, By: []string{"reporting_org"},
		From: s.db.CurrentTime().Year() - flowsYears}).Encode()
	if q.From != 0 {
		p.FromYear = strconv.Itoa(q.From)
	}
	if q.To != 0 {
		p.ToYear = strconv.Itoa(q.To)
	}
	p.Span = len(q.By) + len(aftermath.FlowColumns(q.Kind, nil))
	if p.Arms {
		p.Span++ // the uncertain deals
	}
	for _, k := range flowKeys(q.Kind) {
		p.Keys = append(p.Keys, flowKeyBox{Key: k, Checked: slices.Contains(q.By, k)})
	}
	if len(rows) > flowsShown {
		// The largest, kept in the order of their keys.
		idx := make([]int, len(rows))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			if p.Arms {
				return cmp.Compare(rows[b].TIVDelivered, rows[a].TIVDelivered)
			}
			return cmp.Compare(rows[b].Value, rows[a].Value)
		})
		idx = idx[:flowsShown]
		slices.Sort(idx)
		top := make([]aftermath.FlowRow, len(idx))
		for i, j := range idx {
			top[i] = rows[j]
		}
		rows = top
	}
	names, err := s.flowNames(ctx, p.L, q)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	for _, row := range rows {
		fr := flowRow{FlowRow: row}
		for i, k := range q.By {
			fr.Cells = append(fr.Cells, names.cell(p.L, k, row.Keys[i]))
		}
		p.Rows = append(p.Rows, fr)
	}
	s.render(w, r, http.StatusOK, "flows.html", p)
}

// flowCountries are the recipients the form offers, by name in the
// reader's language.
func flowCountries(l *i18n.Locale) []flowCountry {
	var out []flowCountry
	for _, c := range geo.All() {
		if c.Alpha2 != "" {
			out = append(out, flowCountry{ISO3: c.Alpha3, Name: countryName(l, c.Alpha3, c.Name)})
		}
	}
	col := collate.New(language.Make(l.Tag()))
	slices.SortFunc(out, func(a, b flowCountry) int { return col.CompareString(a.Name, b.Name) })
	return out
}

// codeNames are the names of the codes a flows table shows: IATI's
// codelists in the reader's language where published, with the English
// ones to tell which names are in English.
type codeNames struct {
	lists map[string]map[string]string // by key: the codelist in the reader's language
	en    map[string]map[string]string
	byA2  map[string]geo.Country
}

var flowCodelists = map[string]string{"sector": "Sector", "transaction_type": "TransactionType"}

func (s *Server) flowNames(ctx context.Context, l *i18n.Locale, q aftermath.FlowQuery) (*codeNames, error) {
	n := &codeNames{lists: map[string]map[string]string{}, en: map[string]map[string]string{}, byA2: map[string]geo.Country{}}
	if q.Kind != aftermath.FlowsAid {
		return n, nil
	}
	for _, k := range q.By {
		list, ok := flowCodelists[k]
		if !ok {
			continue
		}
		var err error
		if n.lists[k], err = s.db.CodeNames(ctx, list, l.Tag()); err != nil {
			return nil, err
		}
		if n.en[k], err = s.db.CodeNames(ctx, list, "en"); err != nil {
			return nil, err
		}
	}
	if slices.Contains(q.By, "recipient_country") {
		for _, c := range geo.All() {
			n.byA2[c.Alpha2] = c
		}
	}
	return n, nil
}

func (n *codeNames) cell(l *i18n.Locale, key, code string) flowCell {
	c := flowCell{Code: code}
	if key == "recipient_country" {
		if g, ok := n.byA2[code]; ok {
			c.Name = countryName(l, g.Alpha3, g.Name)
		}
		return c
	}
	if name := n.lists[key][code]; name != "" {
		c.Name = name
		if l.Tag() != "en" && name == n.en[key][code] {
			c.Lang = "en"
		}
	}
	return c
}

// flowsCSV is the query's rows, all of them, as "aftermath flows
// --format csv" writes them.
func (s *Server) flowsCSV(w http.ResponseWriter, r *http.Request) {
	q, err := s.flowQuery(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rows, err := s.db.Flows(r.Context(), q)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="flows-`+q.Kind+`.csv"`)
	cw := csvout.NewWriter(w)
	cw.Write(aftermath.FlowColumns(q.Kind, q.By))
	for _, row := range rows {
		cw.Write(aftermath.FlowCells(q.Kind, row))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.ErrorContext(r.Context(), "flows csv", "err", err)
	}
}
