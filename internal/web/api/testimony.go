package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"aftermath"
)

// maxTestimony bounds a submission, as the web form does.
const maxTestimony = 4 << 20

// testimonyJSON is the API's submission: the store's input with names a
// script writes.
type testimonyJSON struct {
	Date         string                     `json:"date"`
	Country      string                     `json:"country"`
	Admin1       string                     `json:"admin1"`
	Locality     string                     `json:"locality"`
	Org          string                     `json:"org"`
	PartnerOrg   string                     `json:"partner_org"`
	Language     string                     `json:"language"`
	Body         string                     `json:"body"`
	Translations map[string]string          `json:"translations"`
	Profile      aftermath.SpeakerProfile   `json:"profile"`
	Consent      *aftermath.Consent         `json:"consent"`
	Identity     *aftermath.SpeakerIdentity `json:"identity"`
	Themes       []string                   `json:"themes"`
	Audience     aftermath.Audience         `json:"audience"`
	RetainUntil  string                     `json:"retain_until"`
}

func (s *handlers) apiCreateTestimony(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if s.srv.Voices() == nil {
		s.apiError(w, r, aftermath.Errorf(aftermath.EINTERNAL, "no key-encryption key is configured on this server"))
		return
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxTestimony))
	dec.DisallowUnknownFields()
	var in testimonyJSON
	if err := dec.Decode(&in); err != nil {
		s.apiError(w, r, aftermath.Errorf(aftermath.EINVALID, "the body is not a testimony: %v", err))
		return
	}
	ti := &aftermath.TestimonyInput{Date: in.Date, Country: strings.ToUpper(in.Country), Admin1: in.Admin1, Locality: in.Locality,
		Language: in.Language, Body: in.Body, Translations: in.Translations, Profile: in.Profile, Consent: in.Consent,
		Identity: in.Identity, Themes: in.Themes, Audience: in.Audience, RetainUntil: in.RetainUntil}
	for _, o := range []struct {
		slug string
		dst  *int64
	}{{in.Org, &ti.OwnerOrgID}, {in.PartnerOrg, &ti.PartnerOrgID}} {
		if o.slug == "" {
			continue
		}
		org, err := s.db.Organisation(ctx, o.slug)
		if err != nil {
			s.apiError(w, r, aftermath.Errorf(aftermath.EINVALID, "no organisation %q", o.slug))
			return
		}
		*o.dst = org.ID
	}
	if ti.Audience == aftermath.AudienceConfidential {
		ti.Readers = []int64{userOf(ctx).ID}
	}
	if ti.OwnerOrgID == 0 {
		ti.OwnerOrgID = submitOrg(userOf(ctx))
	}
	id, err := s.srv.Voices().CreateTestimony(ctx, viewerOf(ctx), ti)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/testimonies/"+strconv.FormatInt(id, 10))
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "state": aftermath.StateSubmitted})
}

// apiThemeMatrix answers GET /api/v1/themes/matrix?by=region|country
// (and continent) with the cells the reader may see.
func (s *handlers) apiThemeMatrix(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	by := r.URL.Query().Get("by")
	if by == "" {
		by = aftermath.ByRegion
	}
	if by != aftermath.ByRegion && by != aftermath.ByCountry && by != aftermath.ByContinent {
		s.apiError(w, r, aftermath.Errorf(aftermath.EINVALID, "by=%q: use region, country or continent", by))
		return
	}
	cells, err := s.db.ThemeMatrix(ctx, viewerOf(ctx), by)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	type cell struct {
		Theme         string `json:"theme"`
		Area          string `json:"area"`
		AreaCode      string `json:"area_code"`
		Testimonies   int    `json:"testimonies"`
		Organisations int    `json:"organisations"`
		// Suppressed counts are 0 here: fewer than min_count, for
		// anonymous readers.
		Suppressed              bool `json:"suppressed,omitempty"`
		OrganisationsSuppressed bool `json:"organisations_suppressed,omitempty"`
		MinCount                int  `json:"min_count,omitempty"`
	}
	out := struct {
		By    string `json:"by"`
		Cells []cell `json:"cells"`
		Note  string `json:"note"`
	}{By: by, Cells: []cell{},
		Note: "Counts of the testimonies you may see, coded with each theme, by area, and of the distinct organisations they came through."}
	for _, c := range cells {
		out.Cells = append(out.Cells, cell{c.Theme, c.Area, c.AreaCode, c.Testimonies, c.Organisations, c.Suppressed, c.OrganisationsSuppressed, c.MinCount})
	}
	writeJSON(w, http.StatusOK, out)
}
