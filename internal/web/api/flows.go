package api

import (
	"net/http"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/impact"
	"aftermath/internal/web/server"
)

// Method texts of the money-and-arms answers; docs/method.md §11 has the
// whole of them.
const (
	armsMethod = "SIPRI's own per-deal figures summed by the keys asked: deals, number delivered, SIPRI TIV for the total order and of delivered weapons (millions of trend-indicator values: the volume of major conventional arms at constant unit production cost, not a financial value). An empty cell counts as nothing. uncertain_deals counts the deals with SIPRI's '?' on the order year or number delivered."
	aidMethod  = "IATI transactions summed by the keys asked, each counted once: its own DAC sector and recipient country at 100 %, else the activity's by their percentages, split only for the keys grouped by. Values in the currency published; currencies are never added or converted."
	armsSource = "SIPRI Arms Transfers Database (c) SIPRI"
	aidSource  = "IATI activity data as their publishers report them; IATI codelists (CC BY 4.0)"
)

func (s *handlers) routesFlowsAPI(handle server.Handle) {
	handle("GET /api/v1/flows", server.Public, s.apiFlows)
	handle("GET /api/v1/funding", server.Public, s.apiFunding)
	handle("GET /api/v1/interventions/{id}/supply", server.Public, s.apiSupply)
}

// years reads ?from= and ?to= (0 when absent).
func years(q apiQuery) (from, to int, err error) {
	for _, k := range []string{"from", "to"} {
		v := q.Get(k)
		if v == "" {
			continue
		}
		n, e := strconv.Atoi(v)
		if e != nil || n < 1000 || n > 9999 {
			return 0, 0, aftermath.Errorf(aftermath.EINVALID, "%s %q is not a year", k, v)
		}
		if k == "from" {
			from = n
		} else {
			to = n
		}
	}
	return from, to, nil
}

// apiFlows answers ?kind=arms|aid&supplier=&recipient=ISO3&by=KEYS&from=&to=
// as `aftermath flows --format json` does, with the method and source.
func (s *handlers) apiFlows(w http.ResponseWriter, r *http.Request) {
	q := apiQuery{r.URL.Query()}
	from, to, err := years(q)
	fq := aftermath.FlowQuery{Kind: q.Get("kind"), Supplier: strings.TrimSpace(q.Get("supplier")), Recipient: strings.ToUpper(strings.TrimSpace(q.Get("recipient"))),
		By: q.list("by"), From: from, To: to}
	var rows []aftermath.FlowRow
	if err == nil {
		rows, err = s.db.Flows(r.Context(), fq)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	method, source := armsMethod, armsSource
	if fq.Kind == aftermath.FlowsAid {
		method, source = aidMethod, aidSource
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": fq.Kind, "by": fq.By, "rows": aftermath.FlowObjects(fq.Kind, fq.By, rows),
		"method": method, "source": source})
}

// apiFunding answers ?recipient=ISO3[&supplier=&types=3,4&from=&to=&force=]
// as `aftermath funding --format json`, with the method.
func (s *handlers) apiFunding(w http.ResponseWriter, r *http.Request) {
	q := apiQuery{r.URL.Query()}
	from, to, err := years(q)
	lq := aftermath.LandscapeQuery{Recipient: strings.ToUpper(q.Get("recipient")), Supplier: q.Get("supplier"), From: from, To: to, Mentions: q.Get("force")}
	for _, t := range q.list("types") {
		n, e := strconv.Atoi(t)
		if e != nil || n < 1 || n > 13 {
			err = aftermath.Errorf(aftermath.EINVALID, "types: %q is not an IATI transaction type (1-13)", t)
		}
		lq.Types = append(lq.Types, n)
	}
	var l *aftermath.Landscape
	if err == nil {
		l, err = s.db.FundingLandscape(r.Context(), lq)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"landscape": aftermath.LandscapeJSON(l), "source": aidSource,
		"method": "Disbursements to the country by year and currency: security (DAC 152xx but 15220, 15230), peacebuilding (15220, 15230), other, no sector; P/CVE = a P/CVE sector of an activity whose title or description holds one of the rule's terms; local = received by organisations based in the country (identifier with the country's code, or types 22 and 24 without one); gender = activities with the DAC gender marker at significance 1 or more, plus sector 15170. Never converted."})
}

// apiSupply is an intervention's money and arms (impact.Supply): arms to
// its states, supplied before harm, backers' deliveries.
func (s *handlers) apiSupply(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.apiReadIntervention(w, r)
	if !ok {
		return
	}
	rep, err := impact.Supply(r.Context(), s.db, s.db, iv, impact.HarmOptions{Viewer: viewerOf(r.Context()), Dataset: r.URL.Query().Get("dataset")})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
