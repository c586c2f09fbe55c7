package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// ledgerWriter is a user of an organisation with a role, with an API
// token, a session for the forms and their store viewer.
type ledgerWriter struct {
	token, session string
	user           *aftermath.User
	v              aftermath.Viewer
}

func newLedgerWriter(t *testing.T, db *sqldb.DB, email, org, role string) ledgerWriter {
	t.Helper()
	ctx := context.Background()
	tok, u := tokenIn(t, db, email, org, role)
	sess, _ := auth.NewToken(auth.SessionPrefix)
	if err := db.CreateSession(ctx, u.ID, auth.HashToken(sess), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The viewer is read after every organisation is made and shared.
	return ledgerWriter{token: tok, session: sess, user: u}
}

// postForm posts a form as a signed-in user, with the CSRF token.
func postForm(h http.Handler, path, session string, form url.Values) *httptest.ResponseRecorder {
	form.Set("csrf", ledgerCSRF)
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: ledgerCSRF})
	req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: session})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestLedgerWritesStayWithTheirOwner: an editor of another organisation
// (beta) and of a partner organisation (gamma, with whom alpha shares its
// partners records) cannot change alpha's ledger records — not through
// the store's updates and deletes (which the command line and every
// endpoint use), not through the status API, not through the status
// form: 403 for what they may see, 404 for what they may not, and nothing
// changes. Alpha's own editor changes them, audited with their name; a
// record without an owner is changed by an admin only.
func TestLedgerWritesStayWithTheirOwner(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		h := srv.Handler()
		alpha := newLedgerWriter(t, db, "editor@alpha.example", "alpha", aftermath.RoleEditor)
		admin := newLedgerWriter(t, db, "admin@alpha.example", "alpha", aftermath.RoleAdmin)
		beta := newLedgerWriter(t, db, "editor@beta.example", "beta", aftermath.RoleEditor)
		gamma := newLedgerWriter(t, db, "editor@gamma.example", "gamma", aftermath.RoleEditor)
		a, _ := db.Organisation(ctx, "alpha")
		g, _ := db.Organisation(ctx, "gamma")
		if err := db.SharePartners(ctx, a.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		for _, w := range []*ledgerWriter{&alpha, &admin, &beta, &gamma} {
			if w.v, err = db.Viewer(ctx, w.user); err != nil {
				t.Fatal(err)
			}
		}
		src := &aftermath.Source{Identifier: "OWN-1", Title: "A report"}
		if err := db.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		if err := db.SetAudience(ctx, "source", src.ID, sqldb.Placement{Audience: aftermath.AudiencePublic}); err != nil {
			t.Fatal(err)
		}
		inquiry := &aftermath.Inquiry{Body: aftermath.ActorRef{Name: "Review Board", Kind: aftermath.KindOrganisation}, Type: "un-panel",
			Title: "Alpha's review", Date: "2016-07-06", Audience: aftermath.AudiencePublic, Owner: "alpha"}
		if err := db.CreateInquiry(ctx, aftermath.System, inquiry); err != nil {
			t.Fatal(err)
		}
		audiences := map[string]aftermath.Audience{"public": aftermath.AudiencePublic, "partners": aftermath.AudiencePartners, "internal": aftermath.AudienceInternal}
		decisions, recs, claims := map[string]*aftermath.Decision{}, map[string]*aftermath.Recommendation{}, map[string]*aftermath.Claim{}
		for kind, aud := range audiences {
			d := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Ministry", Kind: aftermath.KindState}, Date: "2013-01-01", Kind: "funding",
				Summary: "Alpha " + kind + " decision", Audience: aud, Owner: "alpha"}
			r := &aftermath.Recommendation{InquiryID: inquiry.ID, Number: "R " + kind, Addressee: aftermath.ActorRef{Name: "Ministry"},
				Text: "Alpha " + kind + " recommendation", Audience: aud, Owner: "alpha"}
			c := &aftermath.Claim{Author: aftermath.ActorRef{Name: "A minister", Kind: aftermath.KindPerson}, Date: "2014-01-01",
				Text: "Alpha " + kind + " claim", Audience: aud, Owner: "alpha"}
			if err := db.CreateDecision(ctx, aftermath.System, d); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateRecommendation(ctx, aftermath.System, r); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateClaim(ctx, aftermath.System, c); err != nil {
				t.Fatal(err)
			}
			decisions[kind], recs[kind], claims[kind] = d, r, c
		}
		statusJSON := `{"status":"not-implemented","date":"2020-01-01","judged_by":"Monitor","criteria":"No plan was published.",` +
			`"citations":[{"field":"status","source_id":` + jsonNum(src.ID) + `,"confidence":"high"}]}`
		statusForm := func() url.Values {
			return url.Values{"status": {"not-implemented"}, "date": {"2020-01-01"}, "judged_by": {"Monitor"}, "criteria": {"No plan was published."},
				"cite_field": {"status"}, "cite_source": {"OWN-1"}, "cite_page": {""}, "cite_confidence": {"high"}}
		}
		codeOf := map[int]string{403: aftermath.EFORBIDDEN, 404: aftermath.ENOTFOUND}
		want := map[string]map[string]int{
			"beta":  {"public": 403, "partners": 404, "internal": 404},
			"gamma": {"public": 403, "partners": 403, "internal": 404},
		}
		before := sqldbtest.Snapshot(t, db)
		for name, w := range map[string]ledgerWriter{"beta": beta, "gamma": gamma} {
			for kind, status := range want[name] {
				wantCode := codeOf[status]
				// The store, for the command line, the API and the forms.
				d := *decisions[kind]
				d.Summary, d.Owner = "Taken over", ""
				r := *recs[kind]
				r.Text, r.Owner = "Taken over", ""
				c := *claims[kind]
				c.Text, c.Owner = "Taken over", ""
				for what, err := range map[string]error{
					"UpdateDecision":          db.UpdateDecision(ctx, w.v, &d),
					"DeleteDecision":          db.DeleteDecision(ctx, w.v, d.ID),
					"UpdateRecommendation":    db.UpdateRecommendation(ctx, w.v, &r),
					"DeleteRecommendation":    db.DeleteRecommendation(ctx, w.v, r.ID),
					"UpdateClaim":             db.UpdateClaim(ctx, w.v, &c),
					"DeleteClaim":             db.DeleteClaim(ctx, w.v, c.ID),
					"AddRecommendationStatus": db.AddRecommendationStatus(ctx, w.v, r.ID, &aftermath.StatusChange{Status: aftermath.StatusOpen, Date: "2020-01-01"}),
				} {
					if aftermath.ErrorCode(err) != wantCode {
						t.Errorf("%s of alpha's %s record by %s's editor: %v, want %s", what, kind, name, err, wantCode)
					}
				}
				// The API.
				code, out := call(t, h, "POST", "/api/v1/recommendations/"+jsonNum(r.ID)+"/status", w.token, statusJSON)
				if code != status || !strings.Contains(out, `"`+wantCode+`"`) {
					t.Errorf("API status of alpha's %s recommendation by %s's editor: %d %s, want %d", kind, name, code, out, status)
				}
				if strings.Contains(out, "Alpha internal") || strings.Contains(out, "Alpha partners") && status == 404 {
					t.Errorf("the refusal names the hidden record: %s", out)
				}
				// The form.
				if rec := postForm(h, "/recommendations/"+jsonNum(r.ID)+"/status", w.session, statusForm()); rec.Code != status {
					t.Errorf("form status of alpha's %s recommendation by %s's editor: %d, want %d", kind, name, rec.Code, status)
				}
			}
			// The inquiry is public: seen, not changed.
			q := *inquiry
			q.Title, q.Owner = "Taken over", ""
			if err := db.UpdateInquiry(ctx, w.v, &q); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
				t.Errorf("UpdateInquiry of alpha's public inquiry by %s's editor: %v", name, err)
			}
			if err := db.DeleteInquiry(ctx, w.v, q.ID); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
				t.Errorf("DeleteInquiry of alpha's public inquiry by %s's editor: %v", name, err)
			}
			// Nor may they file a record under alpha.
			if code, out := call(t, h, "POST", "/api/v1/decisions", w.token,
				`{"maker":{"name":"Ministry","kind":"state"},"date":"2013","kind":"funding","summary":"For alpha","owner":"alpha"}`); code != 403 {
				t.Errorf("POST of a decision owned by alpha as %s's editor: %d %s, want 403", name, code, out)
			}
		}
		if sqldbtest.Snapshot(t, db) != before {
			t.Error("refused ledger writes changed the database")
		}
		// What beta's editor creates is beta's.
		code, out := call(t, h, "POST", "/api/v1/claims", beta.token, `{"author":{"name":"A minister","kind":"person"},"date":"2014","text":"Beta's claim"}`)
		if code != 201 || !strings.Contains(out, `"owner": "beta"`) {
			t.Errorf("beta's own claim: %d %s, want 201 owned by beta", code, out)
		}

		// Alpha's editor changes alpha's records (the API, the form, the
		// store), each change audited with their name; an update that
		// names no owner keeps it.
		r := recs["partners"]
		if code, out := call(t, h, "POST", "/api/v1/recommendations/"+jsonNum(r.ID)+"/status", alpha.token, statusJSON); code != 201 || !strings.Contains(out, `"not-implemented"`) {
			t.Errorf("the owner's API status: %d %s", code, out)
		}
		form := statusForm()
		form.Set("date", "2021-01-01")
		if rec := postForm(h, "/recommendations/"+jsonNum(r.ID)+"/status", alpha.session, form); rec.Code != http.StatusSeeOther {
			t.Errorf("the owner's form status: %d %s", rec.Code, rec.Body.String())
		}
		d := *decisions["internal"]
		d.Summary, d.Owner = "Alpha internal decision, revised", ""
		if err := db.UpdateDecision(ctx, alpha.v, &d); err != nil {
			t.Errorf("the owner's update: %v", err)
		}
		if got, err := db.Decision(ctx, alpha.v, d.ID); err != nil || got.Owner != "alpha" || got.Summary != d.Summary {
			t.Errorf("the owner's updated decision: %+v %v, want still owned by alpha", got, err)
		}
		if err := db.DeleteDecision(ctx, alpha.v, d.ID); err != nil {
			t.Errorf("the owner's delete: %v", err)
		}
		audit := func(recordType string, id int64) []string {
			t.Helper()
			es, err := db.AuditEntries(ctx, aftermath.System, sqldb.AuditFilter{RecordType: recordType, RecordID: id, ActorID: alpha.user.ID})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Action)
			}
			return got
		}
		if got := strings.Join(audit(aftermath.RecordRecommendation, r.ID), ","); got != "update,update" {
			t.Errorf("audit of the owner's status changes: %s, want update,update", got)
		}
		if got := strings.Join(audit(aftermath.RecordDecision, d.ID), ","); got != "delete,update" {
			t.Errorf("audit of the owner's decision: %s, want delete,update", got)
		}
		for _, w := range []ledgerWriter{beta, gamma} {
			es, _ := db.AuditEntries(ctx, aftermath.System, sqldb.AuditFilter{ActorID: w.user.ID})
			for _, e := range es {
				if e.Action != aftermath.AuditCreate {
					t.Errorf("a refused writer's audit entry: %+v", e)
				}
			}
		}

		// A record without an owner (the starter ledger, the seed) is
		// changed by admins only.
		if err := db.SetAudience(ctx, aftermath.RecordRecommendation, recs["public"].ID, sqldb.Placement{Audience: aftermath.AudiencePublic}); err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/recommendations/" + jsonNum(recs["public"].ID) + "/status"
		if code, out := call(t, h, "POST", path, alpha.token, statusJSON); code != 403 {
			t.Errorf("an editor's status of an unowned recommendation: %d %s, want 403", code, out)
		}
		if code, out := call(t, h, "POST", path, admin.token, statusJSON); code != 201 {
			t.Errorf("an admin's status of an unowned recommendation: %d %s, want 201", code, out)
		}
		if got, _ := db.Recommendation(ctx, aftermath.System, recs["public"].ID); got == nil || got.Owner != "" {
			t.Errorf("the unowned recommendation after the admin's change: %+v, want still no owner", got)
		}
	})
}
