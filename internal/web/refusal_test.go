package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/consult"
	"aftermath/internal/web"
)

// A service's refusal answers the same status on a page as in the API: a
// forbidden action 403, a conflicting one 409, never a 500. These send
// what the services really refuse, through the pages.
func TestPageRefusalsAre403And409(t *testing.T) {
	f := newVoicesFixture(t, true)
	ctx := context.Background()
	// The codebook: a slug that is taken.
	rec := f.do(t, "admin", "POST", "/voices/themes", url.Values{"slug": {"harm-from-military-operations"}, "name_en": {"Again"}})
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "exists already") {
		t.Errorf("a theme with a taken slug: %d, want 409 with the reason", rec.Code)
	}
	// A testimony its submitter sees but may not review or redact, and a
	// review step its state does not allow.
	rec = f.do(t, "contributor", "POST", "/testimonies", submission())
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body.String())
	}
	tp := strings.TrimSuffix(rec.Header().Get("Location"), "?created=1")
	for _, c := range []struct {
		name, person, path string
		form               url.Values
		want               int
	}{
		{"the submitter reviews", "contributor", tp + "/review", url.Values{"action": {"start"}}, http.StatusForbidden},
		{"the submitter redacts", "contributor", tp + "/redact", url.Values{"passages": {"name: Zqxmamadou"}}, http.StatusForbidden},
		{"approval of a testimony not in review", "editor", tp + "/review", url.Values{"action": {"approve"}, "audience": {"internal"}}, http.StatusConflict},
	} {
		rec := f.do(t, c.person, "POST", c.path, c.form)
		if rec.Code != c.want || !strings.Contains(rec.Body.String(), "testimony ") {
			t.Errorf("%s: %d, want %d with the reason", c.name, rec.Code, c.want)
		}
	}
	// A consultation's state: a draft is not closed.
	cons := consultationFixture(t, f.orgs["sahel-voices"], aftermath.AudiencePublic, "Refusals")
	if err := f.db.CreateConsultation(ctx, aftermath.System, cons); err != nil {
		t.Fatal(err)
	}
	rec = f.do(t, "editor", "POST", "/consultations/"+strconv.FormatInt(cons.ID, 10)+"/state", url.Values{"state": {"closed"}})
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "cannot become") {
		t.Errorf("closing a draft: %d, want 409 with the reason", rec.Code)
	}
}

// refusingStore answers err from the calls a test aims at and passes the
// rest to the real store.
type refusingStore struct {
	web.Store
	err error
}

func (s refusingStore) CreateDecision(context.Context, aftermath.Viewer, *aftermath.Decision) error {
	return s.err
}

func (s refusingStore) CreateConsultation(context.Context, aftermath.Viewer, *consult.Consultation) error {
	return s.err
}

func (s refusingStore) Intervention(context.Context, aftermath.Viewer, int64) (*aftermath.Intervention, error) {
	return nil, s.err
}

func (s refusingStore) FindIntervention(context.Context, aftermath.Viewer, string) (*aftermath.Intervention, error) {
	return nil, s.err
}

type refusingVoices struct {
	web.Voices
	err error
}

func (v refusingVoices) CreateTestimony(context.Context, aftermath.Viewer, *aftermath.TestimonyInput) (int64, error) {
	return 0, v.err
}

func (v refusingVoices) ConsultationResults(context.Context, aftermath.Viewer, int64) (*consult.ConsultationResults, error) {
	return nil, v.err
}

// Wherever a page meets a service's EFORBIDDEN or ECONFLICT, it answers
// 403 or 409 with the service's reason under a title in the reader's
// language; a form comes back filled in.
func TestServiceRefusalsReachPagesAs403And409(t *testing.T) {
	for _, c := range []struct {
		code   string
		status int
		title  map[string]string // language → the page's heading
	}{
		{aftermath.EFORBIDDEN, http.StatusForbidden, map[string]string{"en": "Access denied", "fr": "Accès refusé", "ar": "الوصول مرفوض"}},
		{aftermath.ECONFLICT, http.StatusConflict, map[string]string{"en": "This cannot be done now", "fr": "Action impossible pour le moment",
			"ar": "لا يمكن تنفيذ هذا الآن"}},
	} {
		t.Run(c.code, func(t *testing.T) {
			refusal := aftermath.Errorf(c.code, "Zqxrefusal: the service says no")
			f := newVoicesFixtureWith(t, true,
				func(s web.Store) web.Store { return refusingStore{Store: s, err: refusal} },
				func(v web.Voices) web.Voices { return refusingVoices{Voices: v, err: refusal} })
			cons := consultationFixture(t, f.orgs["sahel-voices"], aftermath.AudiencePublic, "Refused results")
			if err := f.db.CreateConsultation(context.Background(), aftermath.System, cons); err != nil {
				t.Fatal(err)
			}
			decision := url.Values{"maker": {"Ministry of Defence of Testland"}, "maker_kind": {"state"}, "date": {"2015-03"},
				"kind": {"arms-export-licence"}, "summary": {"Zqxsummary of the decision."}, "audience": {"internal"}}
			consultation := url.Values{"title_en": {"Zqxtitle"}, "purpose_en": {"A report."}, "questionnaire": {consultQuestions},
				"audience": {"public"}, "country": {"MLI"}, "retain_until": {"2040-01-01"}, "org": {strconv.FormatInt(f.orgs["sahel-voices"], 10)}}
			for _, p := range []struct {
				name, method, path string
				form               url.Values
				kept               string // what was typed, shown again on the form
			}{
				{"a decision through the ledger form", "POST", "/decisions", decision, "Zqxsummary"},
				{"a consultation through its form", "POST", "/consultations", consultation, "Zqxtitle"},
				{"a testimony through its form", "POST", "/testimonies", submission(), "Zqxbougou"},
				{"an intervention's page", "GET", "/interventions/some-mission", nil, ""},
				{"a consultation's results", "GET", "/consultations/" + strconv.FormatInt(cons.ID, 10) + "/results", nil, ""},
			} {
				rec := f.do(t, "editor", p.method, p.path, p.form)
				body := rec.Body.String()
				if rec.Code != c.status || !strings.Contains(body, "Zqxrefusal: the service says no") || !strings.Contains(body, p.kept) {
					t.Errorf("%s: %d, want %d with the reason and what was typed", p.name, rec.Code, c.status)
				}
			}
			for lang, title := range c.title {
				rec := f.do(t, "editor", "GET", "/interventions/some-mission?lang="+lang, nil)
				if body := rec.Body.String(); rec.Code != c.status || !strings.Contains(body, "<h1>"+title+"</h1>") ||
					!strings.Contains(body, `lang="`+lang+`"`) {
					t.Errorf("%s page: %d, no title %q", lang, rec.Code, title)
				}
			}
			// The API answers the same code, in the JSON it always had.
			code, out := call(t, f.h, "POST", "/api/v1/testimonies", f.tokens["editor"], `{"body":"x"}`)
			var e struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal([]byte(out), &e); err != nil || code != c.status || e.Error.Code != c.code || e.Error.Message != refusal.Message {
				t.Errorf("API: %d %s", code, out)
			}
		})
	}
}

// A fault that is not a refusal shows nothing of itself, on a page or in
// the API.
func TestFaultsRevealNothing(t *testing.T) {
	fault := errors.New("Zqxsecret: connection to 10.0.0.7 refused")
	f := newVoicesFixtureWith(t, true, func(s web.Store) web.Store { return refusingStore{Store: s, err: fault} }, nil)
	rec := f.do(t, "editor", "GET", "/interventions/some-mission", nil)
	if body := rec.Body.String(); rec.Code != 500 || !strings.Contains(body, "<p>Something went wrong on our side; it has been logged.</p>") || strings.Contains(body, "Zqx") {
		t.Errorf("page: %d %q", rec.Code, rec.Body.String())
	}
	if code, out := call(t, f.h, "GET", "/api/v1/interventions/1", f.tokens["editor"], ""); code != 500 ||
		out != "{\n  \"error\": {\n    \"code\": \"internal\",\n    \"message\": \"internal error; it has been logged\"\n  }\n}\n" {
		t.Errorf("API: %d %q", code, out)
	}
	internal := aftermath.Errorf(aftermath.EINTERNAL, "Zqxinternal: the store gave up")
	f = newVoicesFixtureWith(t, true, func(s web.Store) web.Store { return refusingStore{Store: s, err: internal} }, nil)
	if rec := f.do(t, "editor", "GET", "/interventions/some-mission", nil); rec.Code != 500 || strings.Contains(rec.Body.String(), "Zqx") {
		t.Errorf("page with an internal error: %d %q", rec.Code, rec.Body.String())
	}
}
