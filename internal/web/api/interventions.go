package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/impact"
	"aftermath/internal/web/server"
)

func (s *handlers) routesAPI(handle server.Handle) {
	w := auth.ActionWriteInterventions
	handle("GET /api/v1/interventions", server.Public, s.apiInterventions)
	handle("POST /api/v1/interventions", w, s.may(w, s.apiCreateIntervention))
	handle("GET /api/v1/interventions/{id}", server.Public, s.apiIntervention)
	handle("PUT /api/v1/interventions/{id}", w, s.may(w, s.apiUpdateIntervention))
	handle("DELETE /api/v1/interventions/{id}", w, s.may(w, s.apiDeleteIntervention))
	handle("GET /api/v1/interventions/{id}/impact", server.Public, s.apiImpact)
	handle("GET /api/v1/interventions/{id}/harm", server.Public, s.apiHarm)
	handle("GET /api/v1/interventions/{id}/series", server.Public, s.apiSeries)
}

// apiReadIntervention reads the intervention of the path for the caller, or
// answers the error.
func (s *handlers) apiReadIntervention(w http.ResponseWriter, r *http.Request) (*aftermath.Intervention, bool) {
	id, err := pathID(r)
	var iv *aftermath.Intervention
	if err == nil {
		iv, err = s.db.Intervention(r.Context(), viewerOf(r.Context()), id)
	}
	if err != nil {
		s.apiError(w, r, err)
		return nil, false
	}
	return iv, true
}

// apiQuery reads the query options the figure endpoints share.
type apiQuery struct{ url.Values }

func (q apiQuery) list(k string) []string {
	var out []string
	for _, v := range strings.Split(q.Get(k), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (q apiQuery) flag(k string) bool { return q.Get(k) == "true" || q.Get(k) == "1" }

// count reads a whole number ≥ 0 (def when absent).
func (q apiQuery) count(k string, def int) (int, error) {
	v := q.Get(k)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, aftermath.Errorf(aftermath.EINVALID, "%s %q is not a whole number ≥ 0", k, v)
	}
	return n, nil
}

// apiImpact runs impact.Analyze: ?method=summary|its|did|synth|all,
// &dataset=, &outcome=, &compare=ISO3,…, &donors=ISO3,…, &violence_type=,
// &hac_lags=, &placebos=true, &model=ols|poisson|negbin, &seasonal=true,
// &min_pre=N, &aggregate=month|quarter|year, &log=true,
// &include_excluded=true, &clear_only=true, &precise_only=true,
// &side_by_side=true. Uncovered months come out with null figures.
func (s *handlers) apiImpact(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.apiReadIntervention(w, r)
	if !ok {
		return
	}
	q := apiQuery{r.URL.Query()}
	opt := impact.Options{Viewer: viewerOf(r.Context()), Dataset: q.Get("dataset"), Outcome: q.Get("outcome"), Method: q.Get("method"),
		Comparison: q.list("compare"), Donors: q.list("donors"), ViolenceTypes: q.list("violence_type"), Placebos: q.flag("placebos"),
		Model: q.Get("model"), Seasonal: q.flag("seasonal"), SynthAggregate: q.Get("aggregate"), SynthLog: q.flag("log"),
		IncludeExcluded: q.flag("include_excluded"), ClearOnly: q.flag("clear_only"), PreciseOnly: q.flag("precise_only"), SideBySide: q.flag("side_by_side")}
	lags, err := q.count("hac_lags", -1)
	if err == nil {
		opt.HACLags = lags
		switch lags {
		case -1:
			opt.HACLags = 0 // the default rule
		case 0:
			opt.HACLags = -1 // no lags
		}
		opt.MinPre, err = q.count("min_pre", 0)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	rep, err := impact.Analyze(r.Context(), s.db, iv, opt)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// apiHarm answers impact.Harm: ?dataset=, &clear_only=true, &precise_only=true.
func (s *handlers) apiHarm(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.apiReadIntervention(w, r)
	if !ok {
		return
	}
	q := apiQuery{r.URL.Query()}
	h, err := impact.Harm(r.Context(), s.db, iv, impact.HarmOptions{Viewer: viewerOf(r.Context()), Dataset: q.Get("dataset"),
		ClearOnly: q.flag("clear_only"), PreciseOnly: q.flag("precise_only")})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

// apiSeries answers impact.Series for the intervention's area: ?dataset=,
// &from=YYYY-MM, &to=YYYY-MM, &by=month|year, &violence_type=,
// &clear_only=true, &precise_only=true.
func (s *handlers) apiSeries(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.apiReadIntervention(w, r)
	if !ok {
		return
	}
	q := apiQuery{r.URL.Query()}
	res, err := impact.Series(r.Context(), s.db, impact.SeriesOptions{Viewer: viewerOf(r.Context()), Dataset: q.Get("dataset"), Area: iv.Area,
		From: q.Get("from"), To: q.Get("to"), By: q.Get("by"), ViolenceTypes: q.list("violence_type"),
		ClearOnly: q.flag("clear_only"), PreciseOnly: q.flag("precise_only")})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// may guards an API endpoint: the caller's personal API token
// (Authorization: Bearer …) must belong to a user whom the policy allows
// the action. 401 without a valid token, 403 without the role.
func (s *handlers) may(action string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !byToken(r.Context()) { // a browser session would need a CSRF token
			s.apiError(w, r, aftermath.Errorf(server.EUnauthorized, "this needs a personal API token: Authorization: Bearer TOKEN"))
			return
		}
		if u := userOf(r.Context()); !auth.Can(u, action) {
			s.apiError(w, r, aftermath.Errorf(aftermath.EFORBIDDEN, "your role does not allow this (%s)", action))
			return
		}
		h(w, r)
	}
}

func decodeIntervention(w http.ResponseWriter, r *http.Request) (*aftermath.Intervention, error) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	iv := &aftermath.Intervention{}
	if err := dec.Decode(iv); err != nil {
		return nil, aftermath.Errorf(aftermath.EINVALID, "request body: %v", err)
	}
	return iv, nil
}

func (s *handlers) apiInterventions(w http.ResponseWriter, r *http.Request) {
	ivs, err := s.db.Interventions(r.Context(), viewerOf(r.Context()))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if ivs == nil {
		ivs = []aftermath.Intervention{}
	}
	writeJSON(w, http.StatusOK, ivs)
}

func (s *handlers) apiIntervention(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var iv *aftermath.Intervention
		if iv, err = s.db.Intervention(r.Context(), viewerOf(r.Context()), id); err == nil {
			writeJSON(w, http.StatusOK, iv)
			return
		}
	}
	s.apiError(w, r, err)
}

func (s *handlers) apiCreateIntervention(w http.ResponseWriter, r *http.Request) {
	iv, err := decodeIntervention(w, r)
	if err == nil {
		iv.ID = 0
		err = s.db.CreateIntervention(r.Context(), viewerOf(r.Context()), iv)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/interventions/"+strconv.FormatInt(iv.ID, 10))
	s.apiInterventionStatus(w, r, iv.ID, http.StatusCreated)
}

func (s *handlers) apiUpdateIntervention(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var iv *aftermath.Intervention
	if err == nil {
		iv, err = decodeIntervention(w, r)
	}
	if err == nil {
		iv.ID = id
		err = s.db.UpdateIntervention(r.Context(), viewerOf(r.Context()), iv)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiInterventionStatus(w, r, id, http.StatusOK)
}

func (s *handlers) apiInterventionStatus(w http.ResponseWriter, r *http.Request, id int64, status int) {
	iv, err := s.db.Intervention(r.Context(), viewerOf(r.Context()), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, status, iv)
}

func (s *handlers) apiDeleteIntervention(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.db.DeleteIntervention(r.Context(), viewerOf(r.Context()), id)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
