package sqldb_test

import (
	"context"
	"fmt"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func TestMonthlyTotalsAndSpread(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		mk := func(id, date, country string, gw int, adm1, vt string, best, civ int) *aftermath.Event {
			a := aftermath.EventActor{Role: aftermath.RoleSideA, Name: "Government of " + country, Kind: aftermath.KindState}
			if vt == aftermath.ViolenceOneSided {
				a = aftermath.EventActor{Role: aftermath.RoleSideA, Name: "JNIM", Kind: aftermath.KindArmedGroup}
			}
			e := ev(id, country, gw, adm1, a)
			e.DateStart, e.DateEnd, e.Year, e.ViolenceType = date, date, 2000+int(date[2]-'0')*10+int(date[3]-'0'), vt
			e.DeathsBest, e.DeathsLow, e.DeathsHigh, e.DeathsCivilians = best, best, best, civ
			return e
		}
		im, err := db.BeginImport(ctx, aftermath.DatasetUCDP, "1.0", "f.csv", "x", nil)
		if err != nil {
			t.Fatal(err)
		}
		err = im.Add([]*aftermath.Event{
			mk("1", "2013-01-05", "Mali", 432, "Mopti", aftermath.ViolenceStateBased, 10, 0),
			mk("2", "2013-01-20", "Mali", 432, "Gao", aftermath.ViolenceOneSided, 5, 5),
			mk("3", "2013-03-02", "Mali", 432, "Mopti", aftermath.ViolenceStateBased, 7, 1),
			mk("4", "2014-02-02", "Mali", 432, "Kidal", aftermath.ViolenceStateBased, 1, 0),
			mk("5", "2013-01-09", "Niger", 436, "Tillaberi", aftermath.ViolenceStateBased, 100, 0),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}
		f := sqldb.AreaFilter{Dataset: aftermath.DatasetUCDP, Area: []aftermath.AreaRef{{Country: "MLI"}}}
		got, err := db.MonthlyTotals(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != "[{2013-01 2 15 15 15 5} {2013-03 1 7 7 7 1} {2014-02 1 1 1 1 0}]" {
			t.Errorf("Mali totals = %v", got)
		}
		f.Area = []aftermath.AreaRef{{Country: "MLI", Admin1: "Mopti"}, {Country: "NER"}}
		f.From, f.To, f.ViolenceTypes = "2013-01", "2013-12", []string{aftermath.ViolenceStateBased}
		got, _ = db.MonthlyTotals(ctx, f)
		if fmt.Sprint(got) != "[{2013-01 2 110 110 110 0} {2013-03 1 7 7 7 1}]" {
			t.Errorf("Mopti + Niger state-based 2013 = %v", got)
		}
		spread, err := db.Spread(ctx, sqldb.AreaFilter{Dataset: aftermath.DatasetUCDP, Area: []aftermath.AreaRef{{Country: "MLI"}}})
		if err != nil || fmt.Sprint(spread) != "map[2013:2 2014:1]" {
			t.Errorf("spread = %v %v", spread, err)
		}
		// Perpetrator split: events 1, 3, 4 have the Malian government as
		// side A, event 2 an armed group.
		gov, err := db.ActorByAlias(ctx, aftermath.DatasetUCDP, "Government of Mali")
		if err != nil {
			t.Fatal(err)
		}
		mali := sqldb.AreaFilter{Dataset: aftermath.DatasetUCDP, Area: []aftermath.AreaRef{{Country: "MLI"}}}
		got, err = db.ActorMonthlyTotals(ctx, mali, sqldb.ActorSelect{Spans: []sqldb.ActorSpan{{ActorID: gov.ID}}})
		if err != nil || fmt.Sprint(got) != "[{2013-01 1 10 10 10 0} {2013-03 1 7 7 7 1} {2014-02 1 1 1 1 0}]" {
			t.Errorf("by the Malian government: %v %v", got, err)
		}
		got, _ = db.ActorMonthlyTotals(ctx, mali, sqldb.ActorSelect{Kinds: []string{aftermath.KindArmedGroup}, ExcludeSpans: []sqldb.ActorSpan{{ActorID: gov.ID}}})
		if fmt.Sprint(got) != "[{2013-01 1 5 5 5 5}]" {
			t.Errorf("by armed groups: %v", got)
		}
		if _, err := db.MonthlyTotals(ctx, sqldb.AreaFilter{Dataset: aftermath.DatasetUCDP}); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("no area: %v", err)
		}
	})
}
