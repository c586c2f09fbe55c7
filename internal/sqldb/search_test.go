package sqldb_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func init() {
	// Search keeps its words in each database's own way (migration 0019):
	// an FTS5 table and its shadow tables on SQLite, a tsvector column and
	// its GIN index on PostgreSQL.
	const why = "full-text search: FTS5 on SQLite, tsvector with GIN on PostgreSQL (0019)"
	for what, sides := range map[string][2]string{
		"search_docs index (doc)":  {missing, "search_docs_doc"},
		"search_docs.doc":          {missing, "type tsvector NOT NULL"},
		"table search_fts":         {"present (1 columns)", missing},
		"table search_fts_config":  {"present (2 columns)", missing},
		"table search_fts_data":    {"present (2 columns)", missing},
		"table search_fts_docsize": {"present (3 columns)", missing},
		"table search_fts_idx":     {"present (3 columns)", missing},
	} {
		knownSchemaDifferences[what] = struct{ sqlite, postgres, reason string }{sides[0], sides[1], why}
	}
	knownSchemaDifferences["search_state.id generated"] = struct{ sqlite, postgres, reason string }{
		"yes", "no", "one row, CHECK (id = 1), inserted by 0019 itself"}
}

// searchImport stores events as one import of a UCDP version.
func searchImport(t *testing.T, db *sqldb.DB, version string, evs ...*aftermath.Event) {
	t.Helper()
	im, err := db.BeginImport(context.Background(), aftermath.DatasetUCDP, version, version+".csv", "sha-"+version, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := im.Add(evs); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Commit(); err != nil {
		t.Fatal(err)
	}
}

func searchEvent(id, text, headline string) *aftermath.Event {
	e := ev(id, "Mali", 432, "Mopti", side(aftermath.RoleSideA, "Government of Mali", "112"), side(aftermath.RoleSideB, "JNIM", ""))
	e.SourceText = text
	if headline != "" {
		e.Extra = map[string]string{"source_headline": headline}
	}
	return e
}

// found searches as v and returns the hits' kind:key (or kind:id).
func found(t *testing.T, db *sqldb.DB, v aftermath.Viewer, q string) []string {
	t.Helper()
	res, err := db.Search(context.Background(), v, aftermath.SearchQuery{Text: q})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	if res.Pending {
		t.Fatalf("search %q: the index did not catch up", q)
	}
	var out []string
	for _, h := range res.Hits {
		key := h.Key
		if key == "" {
			key = h.Title
		}
		out = append(out, h.Kind+":"+key)
	}
	if len(out) != res.Total {
		t.Errorf("search %q: %d hits but a total of %d", q, len(out), res.Total)
	}
	return out
}

func has(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}

func TestSearchFindsEveryKindItsReaderMayRead(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		anon, member, outsider := aftermath.Anonymous, w.v["viewer"], w.v["outsider"]

		searchImport(t, db, "1",
			searchEvent("1", "Reuters 2013-01-12: ambush near Konna", "Soldiers caught in Konna firefight"),
			searchEvent("2", "RFI : des réfugiés ont fui Ségou", ""),
			searchEvent("3", "الجزيرة: هجوم على قرية قرب موبتي", ""))
		if got := found(t, db, anon, "ambush"); !has(got, "event:ucdp:1") || len(got) != 1 {
			t.Errorf("ambush: %v", got)
		}
		if got := found(t, db, anon, "firefight"); !has(got, "event:ucdp:1") {
			t.Errorf("a word of UCDP's source_headline: %v", got)
		}
		for _, q := range []string{"réfugiés", "refugies", "Réfugiés Ségou"} {
			if got := found(t, db, anon, q); !has(got, "event:ucdp:2") {
				t.Errorf("French %q: %v", q, got)
			}
		}
		if got := found(t, db, anon, "قرية"); !has(got, "event:ucdp:3") {
			t.Errorf("Arabic: %v", got)
		}
		// Every word must be there.
		if got := found(t, db, anon, "ambush réfugiés"); len(got) != 0 {
			t.Errorf("two words of two events: %v", got)
		}

		// A new version changes event 1's text: found by the new words only.
		searchImport(t, db, "2", searchEvent("1", "AFP: convoy struck by a mine near Konna", ""))
		if got := found(t, db, anon, "ambush"); len(got) != 0 {
			t.Errorf("the old text still finds the re-imported event: %v", got)
		}
		if got := found(t, db, anon, "convoy"); !has(got, "event:ucdp:1") {
			t.Errorf("the new text does not find the re-imported event: %v", got)
		}

		iv := &aftermath.Intervention{Slug: "operation-serval", Name: "Opération Serval", Owner: "hub", Audience: aftermath.AudiencePublic,
			Area: []aftermath.AreaRef{{Country: "MLI"}}, Phases: []aftermath.Phase{{Start: "2013-01-11"}}}
		if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
			t.Fatal(err)
		}
		inquiry := &aftermath.Inquiry{Body: aftermath.ActorRef{Name: "Sahel Accountability Panel", Kind: aftermath.KindOrganisation}, Type: "un-panel",
			Title: "Inquiry into the Boulkessi killings", Date: "2020-06-01", Audience: aftermath.AudiencePublic, Owner: "hub"}
		if err := db.CreateInquiry(ctx, aftermath.System, inquiry); err != nil {
			t.Fatal(err)
		}
		claim := &aftermath.Claim{Author: aftermath.ActorRef{Name: "A Minister", Kind: aftermath.KindPerson}, Date: "2021-01-01",
			Text: "No civilians were harmed in the Bounti strike", Audience: aftermath.AudienceInternal, Owner: "hub"}
		if err := db.CreateClaim(ctx, aftermath.System, claim); err != nil {
			t.Fatal(err)
		}
		brief := &aftermath.Brief{Slug: "after-serval", Title: "Ce qui a suivi Barkhane", Language: "fr", Body: "Les déplacements ont augmenté.",
			Audience: aftermath.AudienceInternal, Owner: "hub"}
		if err := db.CreateBrief(ctx, aftermath.System, brief); err != nil {
			t.Fatal(err)
		}
		// A record's texts in other languages find it too.
		decision := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Ministry of Defence", Kind: aftermath.KindState}, Date: "2014-07-01",
			Kind: "funding", Summary: "Funding for the border posts", Audience: aftermath.AudiencePublic, Owner: "hub",
			Translations: aftermath.Translations{"fr": {"summary": "Financement des postes frontaliers"}, "ar": {"summary": "تمويل المراكز الحدودية"}}}
		if err := db.CreateDecision(ctx, aftermath.System, decision); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"frontaliers", "الحدودية", "border posts"} {
			if got := found(t, db, anon, q); !has(got, "decision:Funding for the border posts") {
				t.Errorf("decision by %q: %v", q, got)
			}
		}
		if got := found(t, db, anon, "Serval"); !has(got, "intervention:operation-serval") {
			t.Errorf("intervention by its name: %v", got)
		}
		if got := found(t, db, anon, "operation"); !has(got, "intervention:operation-serval") {
			t.Errorf("intervention by its name without the accent: %v", got)
		}
		if got := found(t, db, anon, "Boulkessi"); !has(got, "inquiry:Inquiry into the Boulkessi killings") {
			t.Errorf("ledger record: %v", got)
		}
		if got := found(t, db, anon, "Accountability Panel"); !has(got, "actor:Sahel Accountability Panel") {
			t.Errorf("actor: %v", got)
		}
		if got := found(t, db, anon, "JNIM"); !has(got, "actor:JNIM") {
			t.Errorf("an actor of the events: %v", got)
		}
		// An internal claim and brief: their organisation's members find
		// them, nobody else does, not even as a count.
		for _, c := range []struct{ q, want string }{{"Bounti", "claim:No civilians were harmed in the Bounti strike"}, {"déplacements", "brief:after-serval"}} {
			if got := found(t, db, member, c.q); !has(got, c.want) {
				t.Errorf("%s as a member: %v", c.q, got)
			}
			for name, v := range map[string]aftermath.Viewer{"anonymous": anon, "outsider": outsider} {
				if got := found(t, db, v, c.q); len(got) != 0 {
					t.Errorf("%s as %s: %v", c.q, name, got)
				}
			}
		}
		// A changed record is found by its new words only.
		inquiry.Title = "Inquiry into the Djibo killings"
		if err := db.UpdateInquiry(ctx, aftermath.System, inquiry); err != nil {
			t.Fatal(err)
		}
		if got := found(t, db, anon, "Boulkessi"); len(got) != 0 {
			t.Errorf("old title: %v", got)
		}
		if got := found(t, db, anon, "Djibo"); !has(got, "inquiry:Inquiry into the Djibo killings") {
			t.Errorf("new title: %v", got)
		}
		// The snippet marks the words found, and the hit says what it is.
		res, err := db.Search(ctx, anon, aftermath.SearchQuery{Text: "convoy", Kind: aftermath.SearchEvent})
		if err != nil || len(res.Hits) != 1 {
			t.Fatalf("convoy: %+v %v", res, err)
		}
		h := res.Hits[0]
		var marked []string
		for _, f := range h.Snippet {
			if f.Match {
				marked = append(marked, f.Text)
			}
		}
		if strings.Join(marked, "|") != "convoy" || h.Date != "2023-05-01" || h.Country != "Mali" || h.Key != "ucdp:1" || h.Title != "Government of Mali - JNIM" && h.Title != "" {
			t.Errorf("hit: %+v (marked %v)", h, marked)
		}
		if _, err := db.Search(ctx, anon, aftermath.SearchQuery{Text: "x", Kind: "testimonies"}); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("unknown kind: %v", err)
		}
	})
}

// TestSearchSyntaxNeverFails feeds both databases' query syntax to search:
// the words are searched, the syntax is not.
func TestSearchSyntaxNeverFails(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		searchImport(t, db, "1", searchEvent("1", "ambush near Konna", ""))
		// Each query, and whether its words are all in the event.
		for _, c := range []struct {
			q     string
			found bool
		}{{`"ambush`, true}, {`ambush"`, true}, {`"ambush near"`, true}, {`*`, false}, {`ambu*`, false}, {`-ambush`, true},
			{`ambush -Konna`, true}, {`Konna:ambush`, true}, {`body:ambush`, false}, {`NEAR(ambush Konna)`, true}, {`ambush NEAR Konna`, true},
			{`(ambush`, true}, {`ambush)`, true}, {`^ambush`, true}, {`'; DROP TABLE events; --`, false}, {`ambush & | ! <-> :*`, true},
			{"\x00ambush\xff", true}, {strings.Repeat("ambush ", 400), true}, {``, false}, {`   `, false}, {`" OR 1=1 --`, false}} {
			res, err := db.Search(context.Background(), aftermath.Anonymous, aftermath.SearchQuery{Text: c.q})
			if err != nil {
				t.Errorf("%.40q: %v", c.q, err)
				continue
			}
			if got := len(res.Hits) == 1; got != c.found {
				t.Errorf("%.40q found %d, want found %v", c.q, len(res.Hits), c.found)
			}
		}
	})
}

// TestSearchTestimonyWithoutIndex: an approved testimony's words are
// found by those who may read it and by nobody else, and no file of the
// database holds them after the index has caught up.
func TestSearchTestimonyWithoutIndex(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		sentinel := "zephyr" + randomHex(t)
		in := w.input("Les soldats ont brûlé le marché de " + sentinel + " au matin.")
		in.Audience = aftermath.AudienceInternal
		control := "Control" + randomHex(t) // in a clear column: proves the files are read
		in.Admin1 = control
		id := w.create(t, "contributor", in)
		q := aftermath.SearchQuery{Text: sentinel}
		// Not approved yet: found by nobody, not even its reviewers.
		if m, err := w.vs.SearchTestimonies(ctx, w.v["editor"], q); err != nil || len(m.Hits) != 0 {
			t.Fatalf("before approval: %+v %v", m, err)
		}
		w.approve(t, id, aftermath.AudienceInternal)
		for name, want := range map[string]bool{"viewer": true, "researcher": true, "admin": true, "outsider": false, "anonymous": false, "contributor2": false} {
			m, err := w.vs.SearchTestimonies(ctx, w.v[name], q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got := len(m.Hits) == 1 && m.Hits[0].ID == id; got != want {
				t.Errorf("%s finds the testimony: %v, want %v (%+v)", name, got, want, m)
			}
			if !want && m.Searched != 0 {
				t.Errorf("%s searched %d testimonies it may not read", name, m.Searched)
			}
		}
		m, err := w.vs.SearchTestimonies(ctx, w.v["viewer"], aftermath.SearchQuery{Text: "marche brule"})
		if err != nil || len(m.Hits) != 1 {
			t.Errorf("French words without their accents: %+v %v", m, err)
		} else if frag := m.Hits[0].Snippet; !strings.Contains(joinMatched(frag), "brûlé") {
			t.Errorf("snippet: %+v", frag)
		}
		// The index holds no testimony: a full catch-up, then the files.
		if err := db.CatchUpSearch(ctx); err != nil {
			t.Fatal(err)
		}
		if got := found(t, db, aftermath.System, sentinel); len(got) != 0 {
			t.Errorf("the index finds the testimony: %v", got)
		}
		var files map[string][]byte
		if db.Driver == sqldb.SQLite {
			files = map[string][]byte{}
			for _, p := range []string{db.Name(), db.Name() + "-wal"} {
				b, err := os.ReadFile(p)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				files[p] = b
			}
		} else {
			files = map[string][]byte{"pg_dump": pgDump(t, db)}
		}
		seen := false
		for name, b := range files {
			seen = seen || bytes.Contains(b, []byte(control))
			for _, form := range encodings(sentinel) {
				if bytes.Contains(bytes.ToLower(b), bytes.ToLower(form.bytes)) {
					t.Errorf("%s holds the testimony's word (%s)", name, form.name)
				}
			}
		}
		if !seen {
			t.Error("the control word, stored in clear, was not found: the test does not see the data")
		}
	})
}

func joinMatched(fs []aftermath.SearchFragment) string {
	var out []string
	for _, f := range fs {
		if f.Match {
			out = append(out, f.Text)
		}
	}
	return strings.Join(out, " ")
}

// TestSearchGenerationFollowsTheIndex: the generation that kept search
// results live under (internal/web/records_cache.go) is "" while a change
// waits to be indexed, and is new once it is: an intervention written,
// rewritten and deleted, an import, a change of who may see a record.
// Reading it or searching changes nothing.
func TestSearchGenerationFollowsTheIndex(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx, sys := context.Background(), aftermath.System
		seen := map[string]string{}
		next := func(after string, pending bool) {
			t.Helper()
			if g, err := db.SearchGeneration(ctx); err != nil || (g == "") != pending {
				t.Fatalf("after %s, before the index caught up: generation %q (%v), want pending %v", after, g, err, pending)
			}
			if err := db.CatchUpSearch(ctx); err != nil {
				t.Fatal(err)
			}
			g, err := db.SearchGeneration(ctx)
			if err != nil || g == "" {
				t.Fatalf("after %s, caught up: generation %q (%v)", after, g, err)
			}
			if prev, ok := seen[g]; ok {
				t.Fatalf("after %s: generation %q, the same as after %s", after, g, prev)
			}
			seen[g] = after
			found(t, db, aftermath.Anonymous, "Konna")
			if again, err := db.SearchGeneration(ctx); err != nil || again != g {
				t.Fatalf("after %s: a search moved the generation from %q to %q (%v)", after, g, again, err)
			}
		}
		if err := db.CatchUpSearch(ctx); err != nil {
			t.Fatal(err)
		}
		next("migrating", false)

		iv := &aftermath.Intervention{Slug: "operation-serval", Name: "Opération Serval near Konna", Audience: aftermath.AudiencePublic,
			Area: []aftermath.AreaRef{{Country: "MLI"}}, Phases: []aftermath.Phase{{Start: "2013-01-11"}}}
		if err := db.CreateIntervention(ctx, sys, iv); err != nil {
			t.Fatal(err)
		}
		next("an intervention written", true)
		iv.Name = "Opération Serval"
		if err := db.UpdateIntervention(ctx, sys, iv); err != nil {
			t.Fatal(err)
		}
		next("the intervention renamed", true)

		searchImport(t, db, "1", searchEvent("1", "Reuters 2013-01-12: ambush near Konna", ""))
		next("an import", true)

		if err := db.SetAudience(ctx, "intervention", iv.ID, sqldb.Placement{Audience: aftermath.AudienceInternal}); err != nil {
			t.Fatal(err)
		}
		next("the intervention made internal", true)

		if err := db.DeleteIntervention(ctx, sys, iv.ID); err != nil {
			t.Fatal(err)
		}
		next("the intervention deleted", true)
	})
}
