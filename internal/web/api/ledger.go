package api

// The ledger's JSON API under the audience rules of the store: a reader
// gets what they may see, a writer changes only what they may see, and
// every change is audit-logged by the store.

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/ledger"
	"aftermath/internal/web/server"
)

func (s *handlers) routesLedgerAPI(handle server.Handle) {
	w := auth.ActionWriteLedger
	handle("GET /api/v1/decisions", server.Public, s.apiDecisions)
	handle("POST /api/v1/decisions", w, s.may(w, s.apiCreateDecision))
	handle("GET /api/v1/decisions/{id}", server.Public, s.apiDecision)
	handle("GET /api/v1/inquiries", server.Public, s.apiInquiries)
	handle("POST /api/v1/inquiries", w, s.may(w, s.apiCreateInquiry))
	handle("GET /api/v1/inquiries/{id}", server.Public, s.apiInquiry)
	handle("GET /api/v1/recommendations", server.Public, s.apiRecommendations)
	handle("POST /api/v1/recommendations", w, s.may(w, s.apiCreateRecommendation))
	handle("GET /api/v1/recommendations/{id}", server.Public, s.apiRecommendation)
	handle("POST /api/v1/recommendations/{id}/status", w, s.may(w, s.apiAddStatus))
	handle("GET /api/v1/claims", server.Public, s.apiClaims)
	handle("POST /api/v1/claims", w, s.may(w, s.apiCreateClaim))
	handle("GET /api/v1/claims/{id}", server.Public, s.apiClaim)
	handle("GET /api/v1/claims/{id}/claimreview", server.Public, s.apiClaimReview)
}

// decodeLedger reads a JSON request body strictly: unknown keys are
// errors, as for the command line's add.
func decodeLedger(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return aftermath.Errorf(aftermath.EINVALID, "request body: %v", err)
	}
	return nil
}

// apiList answers a list, [] rather than null when empty.
func apiList[T any](s *handlers, w http.ResponseWriter, r *http.Request, list []T, err error) {
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if list == nil {
		list = []T{}
	}
	writeJSON(w, http.StatusOK, list)
}

func apiOne[T any](s *handlers, w http.ResponseWriter, r *http.Request, status int, v *T, err error) {
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

func (s *handlers) apiDecisions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := aftermath.DecisionFilter{Kind: q.Get("kind"), Reference: q.Get("reference")}
	var err error
	if f.MakerID, err = queryID(q, "maker"); err == nil {
		if f.ActorID, err = queryID(q, "actor"); err == nil {
			f.InterventionID, err = queryID(q, "intervention")
		}
	}
	var list []aftermath.Decision
	if err == nil {
		list, err = s.db.Decisions(r.Context(), viewerOf(r.Context()), f)
	}
	apiList(s, w, r, list, err)
}

func (s *handlers) apiDecision(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var d *aftermath.Decision
	if err == nil {
		d, err = s.db.Decision(r.Context(), viewerOf(r.Context()), id)
	}
	apiOne(s, w, r, http.StatusOK, d, err)
}

func (s *handlers) apiCreateDecision(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := &aftermath.Decision{}
	err := decodeLedger(w, r, d)
	if err == nil {
		d.ID = 0
	}
	if err == nil {
		err = s.db.CreateDecision(ctx, viewerOf(ctx), d)
	}
	if err == nil {
		w.Header().Set("Location", "/api/v1/decisions/"+strconv.FormatInt(d.ID, 10))
		d, err = s.db.Decision(ctx, viewerOf(ctx), d.ID)
	}
	apiOne(s, w, r, http.StatusCreated, d, err)
}

func (s *handlers) apiInquiries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := aftermath.InquiryFilter{Type: q.Get("type"), Reference: q.Get("reference")}
	var err error
	if f.SubjectID, err = queryID(q, "subject"); err == nil {
		if f.ActorID, err = queryID(q, "actor"); err == nil {
			f.InterventionID, err = queryID(q, "intervention")
		}
	}
	var list []aftermath.Inquiry
	if err == nil {
		list, err = s.db.Inquiries(r.Context(), viewerOf(r.Context()), f)
	}
	apiList(s, w, r, list, err)
}

// apiInquiryView is an inquiry with its recommendations, as the API shows
// one.
type apiInquiryView struct {
	*aftermath.Inquiry
	Recommendations []aftermath.Recommendation `json:"recommendations"`
}

func (s *handlers) apiInquiry(w http.ResponseWriter, r *http.Request) {
	s.apiInquiryStatus(w, r, http.StatusOK, 0)
}

func (s *handlers) apiInquiryStatus(w http.ResponseWriter, r *http.Request, status int, id int64) {
	ctx := r.Context()
	var err error
	if id == 0 {
		id, err = pathID(r)
	}
	var out apiInquiryView
	if err == nil {
		out.Inquiry, err = s.db.Inquiry(ctx, viewerOf(ctx), id)
	}
	if err == nil {
		out.Recommendations, err = s.db.RecommendationsOf(ctx, viewerOf(ctx), id)
		if out.Recommendations == nil {
			out.Recommendations = []aftermath.Recommendation{}
		}
	}
	apiOne(s, w, r, status, &out, err)
}

func (s *handlers) apiCreateInquiry(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := &aftermath.Inquiry{}
	err := decodeLedger(w, r, q)
	if err == nil {
		q.ID = 0
	}
	if err == nil {
		err = s.db.CreateInquiry(ctx, viewerOf(ctx), q)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/inquiries/"+strconv.FormatInt(q.ID, 10))
	s.apiInquiryStatus(w, r, http.StatusCreated, q.ID)
}

func (s *handlers) apiRecommendations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := aftermath.RecommendationFilter{Status: q.Get("status"), OverdueOnly: queryFlag(q, "overdue")}
	var err error
	if f.AddresseeID, err = queryID(q, "addressee"); err == nil {
		if f.InquiryID, err = queryID(q, "inquiry"); err == nil {
			f.InterventionID, err = queryID(q, "intervention")
		}
	}
	var list []aftermath.Recommendation
	if err == nil {
		list, err = s.db.Recommendations(r.Context(), viewerOf(r.Context()), f)
	}
	apiList(s, w, r, list, err)
}

func (s *handlers) apiRecommendation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var rec *aftermath.Recommendation
	if err == nil {
		rec, err = s.db.Recommendation(r.Context(), viewerOf(r.Context()), id)
	}
	apiOne(s, w, r, http.StatusOK, rec, err)
}

func (s *handlers) apiCreateRecommendation(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rec := &aftermath.Recommendation{}
	err := decodeLedger(w, r, rec)
	if err == nil {
		rec.ID = 0
	}
	if err == nil {
		err = s.db.CreateRecommendation(ctx, viewerOf(ctx), rec)
	}
	if err == nil {
		w.Header().Set("Location", "/api/v1/recommendations/"+strconv.FormatInt(rec.ID, 10))
		rec, err = s.db.Recommendation(ctx, viewerOf(ctx), rec.ID)
	}
	apiOne(s, w, r, http.StatusCreated, rec, err)
}

// apiAddStatus appends a judgement to a recommendation's history and
// answers with the recommendation.
func (s *handlers) apiAddStatus(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	sc := &aftermath.StatusChange{}
	if err == nil {
		err = decodeLedger(w, r, sc)
	}
	if err == nil {
		sc.ID = 0
		err = s.db.AddRecommendationStatus(ctx, viewerOf(ctx), id, sc)
	}
	var rec *aftermath.Recommendation
	if err == nil {
		rec, err = s.db.Recommendation(ctx, viewerOf(ctx), id)
	}
	apiOne(s, w, r, http.StatusCreated, rec, err)
}

func (s *handlers) apiClaims(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := aftermath.ClaimFilter{Verdict: q.Get("verdict"), PublishedOnly: queryFlag(q, "published")}
	var err error
	if f.AuthorID, err = queryID(q, "author"); err == nil {
		f.InterventionID, err = queryID(q, "intervention")
	}
	var list []aftermath.Claim
	if err == nil {
		list, err = s.db.Claims(r.Context(), viewerOf(r.Context()), f)
	}
	if err == nil && queryFlag(q, "contradicted") {
		list = slices.DeleteFunc(list, func(c aftermath.Claim) bool { return !aftermath.Contradicted(c.Verdict) })
	}
	apiList(s, w, r, list, err)
}

func (s *handlers) apiClaim(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var c *aftermath.Claim
	if err == nil {
		c, err = s.db.Claim(r.Context(), viewerOf(r.Context()), id)
	}
	apiOne(s, w, r, http.StatusOK, c, err)
}

func (s *handlers) apiCreateClaim(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := &aftermath.Claim{}
	err := decodeLedger(w, r, c)
	if err == nil {
		c.ID = 0
	}
	if err == nil {
		err = s.db.CreateClaim(ctx, viewerOf(ctx), c)
	}
	if err == nil {
		w.Header().Set("Location", "/api/v1/claims/"+strconv.FormatInt(c.ID, 10))
		c, err = s.db.Claim(ctx, viewerOf(ctx), c.ID)
	}
	apiOne(s, w, r, http.StatusCreated, c, err)
}

// apiClaimReview answers a published claim review as schema.org
// ClaimReview JSON-LD; a claim whose review is not published has none
// (404).
func (s *handlers) apiClaimReview(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var c *aftermath.Claim
	if err == nil {
		c, err = s.db.Claim(r.Context(), viewerOf(r.Context()), id)
	}
	if err == nil && !c.Published {
		err = aftermath.Errorf(aftermath.ENOTFOUND, "claim %d has no published review", id)
	}
	var b []byte
	if err == nil {
		b, err = ledger.ClaimReviewJSONLD(c, s.srv.SiteURL(r))
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/ld+json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(append(b, '\n'))
}
