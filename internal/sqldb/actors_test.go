package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/shareddata"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// actorFixture is Mali as three records name it: UCDP's "Government of
// Mali", ACLED's "Military Forces of Mali (2021-)" and the ledger's
// "Mali", with France backing a public intervention whose partner is
// UCDP's name.
type actorFixture struct {
	ucdp, acled, ledger int64
	decision            *aftermath.Decision
	iv                  *aftermath.Intervention
}

func importEvents(t *testing.T, db *sqldb.DB, dataset, version string, evs ...*aftermath.Event) {
	t.Helper()
	im, err := db.BeginImport(context.Background(), dataset, version, version+".csv", "sha-"+version, &sqldb.Placement{Audience: aftermath.AudiencePublic})
	if err != nil {
		t.Fatal(err)
	}
	if err := im.Add(evs); err != nil {
		im.Rollback()
		t.Fatal(err)
	}
	if _, err := im.Commit(); err != nil {
		t.Fatal(err)
	}
}

func maliEvent(id, date string, best, low, high int, actors ...aftermath.EventActor) *aftermath.Event {
	e := ev(id, "Mali", 432, "Gao", actors...)
	e.Year, e.DateStart, e.DateEnd = 2013, date, date
	e.DeathsBest, e.DeathsLow, e.DeathsHigh = best, low, high
	return e
}

func newActorFixture(t *testing.T, db *sqldb.DB) *actorFixture {
	t.Helper()
	ctx := context.Background()
	importEvents(t, db, aftermath.DatasetUCDP, "23.1",
		maliEvent("1", "2013-01-11", 5, 4, 8, side(aftermath.RoleSideA, "Government of Mali", "112"), side(aftermath.RoleSideB, "MNLA", "")),
		maliEvent("2", "2013-01-20", 3, 3, 3, side(aftermath.RoleSideA, "Government of Mali", "112"), side(aftermath.RoleSideB, "MNLA", "")),
		maliEvent("3", "2013-03-02", 7, 6, 9, side(aftermath.RoleSideA, "Government of Mali", "112"), side(aftermath.RoleSideB, "AQIM", "")))
	importEvents(t, db, aftermath.DatasetACLED, "2024-06",
		maliEvent("MLI1", "2013-02-01", 4, 4, 4, side(aftermath.RoleActor1, "Military Forces of Mali (2021-)", ""), side(aftermath.RoleActor2, "JNIM", "")))
	f := &actorFixture{}
	for _, a := range []struct {
		dataset, name string
		id            *int64
	}{{aftermath.DatasetUCDP, "Government of Mali", &f.ucdp}, {aftermath.DatasetACLED, "Military Forces of Mali (2021-)", &f.acled}} {
		got, err := db.ActorByAlias(ctx, a.dataset, a.name)
		if err != nil {
			t.Fatal(err)
		}
		*a.id = got.ID
	}
	f.decision = &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Mali", Kind: aftermath.KindState}, Date: "2013-01-11", Kind: "deployment",
		Summary: "Mali asks France for help", Audience: aftermath.AudiencePublic}
	if err := db.CreateDecision(ctx, aftermath.System, f.decision); err != nil {
		t.Fatal(err)
	}
	f.ledger = f.decision.Maker.ID
	f.iv = &aftermath.Intervention{Slug: "operation-serval", Name: "Operation Serval", Audience: aftermath.AudiencePublic,
		Area: []aftermath.AreaRef{{Country: "MLI"}}, Phases: []aftermath.Phase{{Start: "2013-01-11", End: "2014-07-31"}},
		Backers: []aftermath.InterventionActor{{Name: "France"}},
		PartnerForces: []aftermath.InterventionActor{{Name: "Malian Armed Forces",
			Aliases: aftermath.DatedAliases{{Dataset: aftermath.DatasetUCDP, Name: "Government of Mali"}}}}}
	if err := db.CreateIntervention(ctx, aftermath.System, f.iv); err != nil {
		t.Fatal(err)
	}
	return f
}

func totalsText(p *aftermath.ActorProfile) string {
	var out []string
	for _, t := range p.Totals {
		out = append(out, fmt.Sprintf("%s %d events (%d primary), %d deaths (%d–%d) %s..%s", t.Dataset, t.Events, t.Primary, t.DeathsBest, t.DeathsLow, t.DeathsHigh, t.First, t.Last))
	}
	return strings.Join(out, "; ")
}

// Merging UCDP's, ACLED's and the ledger's Mali makes one actor: the
// spellings, the events of both datasets (their totals summed, each
// dataset on its own), the ledger's decision; the merged actors' ids
// lead to it, what was merged is kept and audited, and a later import of
// a merged spelling counts for the one actor.
func TestMergeActors(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newActorFixture(t, db)
		before := map[int64]*aftermath.ActorProfile{}
		for _, id := range []int64{f.ucdp, f.acled} {
			p, err := db.ActorProfile(ctx, aftermath.Anonymous, id)
			if err != nil {
				t.Fatal(err)
			}
			before[id] = p
		}
		if got, want := totalsText(before[f.ucdp])+" | "+totalsText(before[f.acled]),
			"ucdp 3 events (3 primary), 15 deaths (13–20) 2013-01..2013-03 | acled 1 events (1 primary), 4 deaths (4–4) 2013-02..2013-02"; got != want {
			t.Fatalf("before the merge: %s\nwant %s", got, want)
		}
		if got := actorHits(t, db, "Forces"); !slices.Equal(got, []int64{f.acled}) {
			t.Errorf("actors found by the ACLED spelling before the merge: %v, want [%d]", got, f.acled)
		}
		if err := db.MergeActors(ctx, aftermath.System, f.ucdp, []int64{f.acled, f.ledger}); err != nil {
			t.Fatal(err)
		}
		// The surviving actor is found by the spelling it took over.
		if got := actorHits(t, db, "Forces"); !slices.Equal(got, []int64{f.ucdp}) {
			t.Errorf("actors found by the ACLED spelling after the merge: %v, want [%d]", got, f.ucdp)
		}
		p, err := db.ActorProfile(ctx, aftermath.Anonymous, f.ucdp)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := totalsText(p), "acled 1 events (1 primary), 4 deaths (4–4) 2013-02..2013-02; ucdp 3 events (3 primary), 15 deaths (13–20) 2013-01..2013-03"; got != want {
			t.Errorf("after the merge: %s\nwant %s", got, want)
		}
		if got := fmt.Sprint(p.Years); got != "[{acled 2013 1 4 4 4 0} {ucdp 2013 3 15 13 20 0}]" {
			t.Errorf("years after the merge: %s", got)
		}
		a, err := db.Actor(ctx, aftermath.Anonymous, f.ucdp)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(a.Aliases); got != "[{acled Military Forces of Mali (2021-)} {ucdp Government of Mali}]" {
			t.Errorf("spellings after the merge: %s", got)
		}
		var merged []string
		for _, m := range p.Merged {
			merged = append(merged, fmt.Sprint(m.MergedID == f.acled || m.MergedID == f.ledger, " ", m.Name, " ", m.Aliases))
		}
		if got := strings.Join(merged, "; "); got != "true Military Forces of Mali (2021-) [{acled Military Forces of Mali (2021-)}]; true Mali []" {
			t.Errorf("merged: %s", got)
		}
		for _, id := range []int64{f.acled, f.ledger} {
			if _, err := db.Actor(ctx, aftermath.System, id); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
				t.Errorf("merged actor %d: %v, want ENOTFOUND", id, err)
			}
			if into, err := db.ActorMergedInto(ctx, aftermath.Anonymous, id); err != nil || into != f.ucdp {
				t.Errorf("merged actor %d leads to %d (%v), want %d", id, into, err, f.ucdp)
			}
		}
		if _, err := db.ActorMergedInto(ctx, aftermath.Anonymous, f.ucdp); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("the surviving actor was merged: %v", err)
		}
		d, err := db.Decision(ctx, aftermath.System, f.decision.ID)
		if err != nil || d.Maker.ID != f.ucdp {
			t.Errorf("the decision's maker after the merge: %+v %v", d, err)
		}
		months, err := db.ActorMonths(ctx, aftermath.Anonymous, f.ucdp, aftermath.DatasetACLED)
		if err != nil || len(months) != 1 || months[0].Month != "2013-02" || months[0].Events != 1 {
			t.Errorf("ACLED months of the merged actor: %+v %v", months, err)
		}
		if msg, err := db.IntegrityCheck(ctx); err != nil || msg != "ok" {
			t.Errorf("integrity after the merge: %s %v", msg, err)
		}
		if got := auditDetails(t, db, "actor", f.ucdp); len(got) != 1 || !strings.Contains(got[0], "merged actors") ||
			!strings.Contains(got[0], "Military Forces of Mali (2021-)") || !strings.Contains(got[0], "(Mali)") {
			t.Errorf("audit: %q", got)
		}
		list, err := db.SearchActors(ctx, aftermath.System, "mali", 10)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range list {
			names = append(names, s.Name)
		}
		if !slices.Equal(names, []string{"Government of Mali"}) {
			t.Errorf("actors called Mali after the merge: %q", names)
		}
		// A new ACLED file with the merged spelling counts for the one actor.
		importEvents(t, db, aftermath.DatasetACLED, "2024-07",
			maliEvent("MLI2", "2013-02-09", 1, 1, 1, side(aftermath.RoleActor1, "Military Forces of Mali (2021-)", ""), side(aftermath.RoleActor2, "JNIM", "")))
		if got, err := db.ActorByAlias(ctx, aftermath.DatasetACLED, "Military Forces of Mali (2021-)"); err != nil || got.ID != f.ucdp {
			t.Errorf("the merged spelling after a new import: %+v %v", got, err)
		}
		if msg, err := db.IntegrityCheck(ctx); err != nil || msg != "ok" {
			t.Errorf("integrity after a new import: %s %v", msg, err)
		}
		// An actor is merged once; an actor into itself, never.
		if err := db.MergeActors(ctx, aftermath.System, f.ucdp, []int64{f.acled}); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("merging a merged actor again: %v", err)
		}
		if err := db.MergeActors(ctx, aftermath.System, f.ucdp, []int64{f.ucdp}); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("merging an actor into itself: %v", err)
		}
	})
}

// actorHits is the ids of the actors a visitor's search for q finds.
func actorHits(t *testing.T, db *sqldb.DB, q string) []int64 {
	t.Helper()
	if err := db.CatchUpSearch(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := db.Search(context.Background(), aftermath.Anonymous, aftermath.SearchQuery{Text: q, Kind: aftermath.SearchActor})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// Who may merge is decided by the store: admins and editors, and the
// command line; a viewer, a researcher or a visitor is refused and
// nothing changes.
func TestOnlyEditorsMergeActors(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newActorFixture(t, db)
		viewers := map[string]aftermath.Viewer{"anonymous": aftermath.Anonymous}
		for _, role := range []string{aftermath.RoleViewer, aftermath.RoleResearcher, aftermath.RoleContributor, aftermath.RoleEditor} {
			u, err := db.CreateUser(ctx, sqldb.NewUser{Email: role + "@example.org", Name: role, PasswordHash: "$argon2id$test", OrgSlug: "org", Role: role})
			if err != nil {
				t.Fatal(err)
			}
			if viewers[role], err = db.Viewer(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		snap := sqldbtest.Snapshot(t, db)
		for _, name := range []string{"anonymous", aftermath.RoleViewer, aftermath.RoleResearcher, aftermath.RoleContributor} {
			if err := db.MergeActors(ctx, viewers[name], f.ucdp, []int64{f.acled}); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
				t.Errorf("%s merges: %v, want EFORBIDDEN", name, err)
			}
		}
		if sqldbtest.Snapshot(t, db) != snap {
			t.Error("a refused merge changed the database")
		}
		if err := db.MergeActors(ctx, viewers[aftermath.RoleEditor], f.ucdp, []int64{f.acled}); err != nil {
			t.Errorf("an editor merges: %v", err)
		}
	})
}

// Every backer is an actor with a page: its profile lists the
// interventions it backs, and its scorecard counts them; a backer of an
// intervention a visitor may not see is not shown to them.
func TestBackersAreActors(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newActorFixture(t, db)
		hidden := &aftermath.Intervention{Slug: "eu-mission", Name: "EU mission", Audience: aftermath.AudienceInternal,
			Area: []aftermath.AreaRef{{Country: "MLI"}}, Phases: []aftermath.Phase{{Start: "2013-02-18"}},
			Backers: []aftermath.InterventionActor{{Name: "European Union"}, {Name: "France"}}}
		if err := db.CreateIntervention(ctx, aftermath.System, hidden); err != nil {
			t.Fatal(err)
		}
		france, err := db.SearchActors(ctx, aftermath.Anonymous, "France", 10)
		if err != nil || len(france) != 1 || france[0].Name != "France" || france[0].Kind != aftermath.KindState {
			t.Fatalf("France: %+v %v", france, err)
		}
		p, err := db.ActorProfile(ctx, aftermath.Anonymous, france[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Interventions) != 1 || p.Interventions[0].Slug != "operation-serval" || p.Interventions[0].Role != "backer" {
			t.Errorf("France backs, for a visitor: %+v", p.Interventions)
		}
		all, _ := db.ActorProfile(ctx, aftermath.System, france[0].ID)
		if len(all.Interventions) != 2 {
			t.Errorf("France backs, for the system: %+v", all.Interventions)
		}
		sc, err := db.Scorecard(ctx, aftermath.Anonymous, france[0].ID)
		if err != nil || sc.InterventionsBacked.Count != 1 || sc.InterventionsBacked.IDs[0] != f.iv.ID {
			t.Errorf("France's scorecard: %+v %v", sc, err)
		}
		if eu, _ := db.SearchActors(ctx, aftermath.Anonymous, "European Union", 10); len(eu) != 0 {
			t.Errorf("a visitor sees the backer of an internal intervention: %+v", eu)
		}
		if eu, _ := db.SearchActors(ctx, aftermath.System, "European Union", 10); len(eu) != 1 || eu[0].Kind != aftermath.KindOrganisation {
			t.Errorf("the European Union: %+v", eu)
		}
		// The partner's page lists the intervention through its spelling.
		mali, _ := db.ActorProfile(ctx, aftermath.Anonymous, f.ucdp)
		if len(mali.Interventions) != 1 || mali.Interventions[0].Role != "partner" || mali.Interventions[0].As != "Malian Armed Forces" {
			t.Errorf("Mali's interventions: %+v", mali.Interventions)
		}
	})
}

// The opponents are the actors on the other side of the actor's own
// events, with how many events each.
func TestActorOpponents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newActorFixture(t, db)
		if err := db.MergeActors(ctx, aftermath.System, f.ucdp, []int64{f.acled}); err != nil {
			t.Fatal(err)
		}
		p, err := db.ActorProfile(ctx, aftermath.Anonymous, f.ucdp)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range p.Opponents {
			got = append(got, fmt.Sprintf("%s %s %d", o.Dataset, o.Name, o.Events))
		}
		if want := []string{"ucdp MNLA 2", "ucdp AQIM 1", "acled JNIM 1"}; !slices.Equal(got, want) {
			t.Errorf("opponents: %q, want %q", got, want)
		}
		mnla, _ := db.ActorByAlias(ctx, aftermath.DatasetUCDP, "MNLA")
		p, _ = db.ActorProfile(ctx, aftermath.Anonymous, mnla.ID)
		if len(p.Opponents) != 1 || p.Opponents[0].ID != f.ucdp || p.Opponents[0].Events != 2 {
			t.Errorf("MNLA's opponents: %+v", p.Opponents)
		}
	})
}

// On UCDP GED 23.1 for the Central African Republic, an actor's profile
// is what a recount of the published rows gives: its events on either
// side with their deaths (best, low, high), and its opponents with how
// many events each.
func TestActorProfileAgainstUCDPRows(t *testing.T) {
	path := shareddata.Path(t, "ucdp/GEDEvent_v23_1_CAF.csv.zip")
	rows := shareddata.Rows(t, path)
	const name = "Government of Central African Republic"
	var events, best, low, high int64
	opponents := map[string]int64{}
	for _, r := range rows {
		var other string
		switch name {
		case r["side_a"]:
			other = r["side_b"]
		case r["side_b"]:
			other = r["side_a"]
		default:
			continue
		}
		events++
		for _, c := range []struct {
			sum *int64
			col string
		}{{&best, "best"}, {&low, "low"}, {&high, "high"}} {
			n, err := strconv.ParseInt(r[c.col], 10, 64)
			if err != nil {
				t.Fatalf("event %s %s: %v", r["id"], c.col, err)
			}
			*c.sum += n
		}
		opponents[other]++
	}
	if events < 100 {
		t.Fatalf("only %d events of %s in the file", events, name)
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := importer.Import(ctx, db, path, importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
			t.Fatal(err)
		}
		a, err := db.ActorByAlias(ctx, aftermath.DatasetUCDP, name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.ActorProfile(ctx, aftermath.Anonymous, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Totals) != 1 || p.Totals[0].Events != events || p.Totals[0].DeathsBest != best || p.Totals[0].DeathsLow != low || p.Totals[0].DeathsHigh != high {
			t.Errorf("totals %+v, want %d events, %d deaths (%d–%d)", p.Totals, events, best, low, high)
		}
		var sum int64
		for _, y := range p.Years {
			sum += y.Events
		}
		if sum != events {
			t.Errorf("years sum to %d events, want %d", sum, events)
		}
		if len(p.Opponents) != min(len(opponents), 30) {
			t.Errorf("%d opponents, want %d", len(p.Opponents), min(len(opponents), 30))
		}
		for _, o := range p.Opponents {
			if opponents[o.Name] != o.Events {
				t.Errorf("opponent %s: %d events, want %d", o.Name, o.Events, opponents[o.Name])
			}
		}
	})
}

// The name of an actor only an internal record named is not shown, after
// a merge, to the visitors of the public actor it went into.
func TestMergedNamesKeepTheirAudience(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newActorFixture(t, db)
		d := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Malian intelligence liaison", Kind: aftermath.KindOrganisation}, Date: "2013-02-01",
			Kind: "partnership", Summary: "S", Audience: aftermath.AudienceInternal}
		if err := db.CreateDecision(ctx, aftermath.System, d); err != nil {
			t.Fatal(err)
		}
		if err := db.MergeActors(ctx, aftermath.System, f.ucdp, []int64{d.Maker.ID, f.ledger}); err != nil {
			t.Fatal(err)
		}
		names := func(v aftermath.Viewer) string {
			p, err := db.ActorProfile(ctx, v, f.ucdp)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range p.Merged {
				out = append(out, m.Name)
			}
			return strings.Join(out, ", ")
		}
		if got := names(aftermath.Anonymous); got != "Mali" {
			t.Errorf("merged, for a visitor: %q, want Mali only", got)
		}
		if got := names(aftermath.System); got != "Malian intelligence liaison, Mali" {
			t.Errorf("merged, for the system: %q", got)
		}
	})
}

// Actors of one dataset that share events merge into one count of those
// events: an event is counted once, and the aggregates still agree with
// a recount of the events.
func TestMergeActorsThatShareEvents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newActorFixture(t, db)
		mnla, err := db.ActorByAlias(ctx, aftermath.DatasetUCDP, "MNLA")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.MergeActors(ctx, aftermath.System, f.ucdp, []int64{mnla.ID}); err != nil {
			t.Fatal(err)
		}
		p, err := db.ActorProfile(ctx, aftermath.Anonymous, f.ucdp)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := totalsText(p), "ucdp 3 events (3 primary), 15 deaths (13–20) 2013-01..2013-03"; got != want {
			t.Errorf("totals: %s, want %s", got, want)
		}
		if len(p.Opponents) != 1 || p.Opponents[0].Name != "AQIM" {
			t.Errorf("opponents: %+v", p.Opponents)
		}
		if msg, err := db.IntegrityCheck(ctx); err != nil || msg != "ok" {
			t.Errorf("integrity: %s %v", msg, err)
		}
	})
}
