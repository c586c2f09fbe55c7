package sqldb_test

import (
	"context"
	"encoding/json"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func sampleIntervention(sourceID int64) *aftermath.Intervention {
	return &aftermath.Intervention{
		Slug:    "minusma",
		Name:    "MINUSMA",
		Backers: []aftermath.InterventionActor{{Name: "United Nations"}},
		PartnerForces: []aftermath.InterventionActor{{Name: "Malian armed forces",
			Aliases: aftermath.DatedAliases{{Dataset: aftermath.DatasetUCDP, Name: "Government of Mali"}}}},
		Instruments: []string{"troops"},
		Area:        []aftermath.AreaRef{{Country: "MLI"}},
		Phases:      []aftermath.Phase{{Name: "Mandate", Start: "2013-07-01", End: "2023-12-31"}},
		Objectives:  []string{"support the political process"},
		Budget:      &aftermath.Budget{Amount: 1.2e9, Currency: "USD", Year: 2022},
		Citations: []aftermath.Citation{
			{Field: "name", SourceID: sourceID, Page: "para. 7", Confidence: aftermath.ConfidenceHigh},
			{Field: "phases", SourceID: sourceID, Confidence: aftermath.ConfidenceMedium},
		},
	}
}

func TestInterventionCRUD(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		src := &aftermath.Source{Identifier: "S/RES/2100 (2013)", Title: "Resolution 2100 (2013)"}
		if err := db.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		iv := sampleIntervention(src.ID)
		if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateIntervention(ctx, aftermath.System, sampleIntervention(src.ID)); aftermath.ErrorCode(err) != aftermath.ECONFLICT {
			t.Errorf("duplicate slug: %v", err)
		}
		got, err := db.FindIntervention(ctx, aftermath.System, "minusma")
		if err != nil {
			t.Fatal(err)
		}
		want := sampleIntervention(src.ID)
		want.ID = iv.ID
		want.Audience = aftermath.AudienceInternal // the default for a new record
		for i := range want.Citations {
			want.Citations[i].ID = iv.Citations[i].ID
			want.Citations[i].RecordType, want.Citations[i].RecordID = "intervention", iv.ID
		}
		// Citations come back ordered by field; name < phases already.
		if a, b := jsonOf(got), jsonOf(want); a != b {
			t.Errorf("stored:\n%s\nwant:\n%s", a, b)
		}
		// Importing the dataset actor afterwards links the partner force.
		im, err := db.BeginImport(ctx, aftermath.DatasetUCDP, "1.0", "f.csv", "x", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := im.Add([]*aftermath.Event{ev("1", "Mali", 432, "", side(aftermath.RoleSideA, "Government of Mali", "72"))}); err != nil {
			t.Fatal(err)
		}
		if _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}
		got, _ = db.FindIntervention(ctx, aftermath.System, "minusma")
		if len(got.PartnerForces[0].ActorIDs) != 1 {
			t.Errorf("partner force not linked to the UCDP actor: %+v", got.PartnerForces)
		}
		got.Name = "MINUSMA (renamed)"
		got.Budget = nil
		got.Citations = got.Citations[:1]
		if err := db.UpdateIntervention(ctx, aftermath.System, got); err != nil {
			t.Fatal(err)
		}
		again, _ := db.Intervention(ctx, aftermath.System, iv.ID)
		if again.Name != "MINUSMA (renamed)" || again.Budget != nil || len(again.Citations) != 1 || len(again.PartnerForces) != 1 {
			t.Errorf("after update: %s", jsonOf(again))
		}
		bad := *again
		bad.Phases = []aftermath.Phase{{Start: "2013-07-01", End: "2012-01-01"}}
		if err := db.UpdateIntervention(ctx, aftermath.System, &bad); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("phase ending before it starts: %v", err)
		}
		bad = *again
		bad.Citations = []aftermath.Citation{{Field: "name", SourceID: 9999, Confidence: "high"}}
		if err := db.UpdateIntervention(ctx, aftermath.System, &bad); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("citation of a missing source: %v", err)
		}
		if after, _ := db.Intervention(ctx, aftermath.System, iv.ID); jsonOf(after) != jsonOf(again) {
			t.Error("a refused update changed the record")
		}
		if err := db.DeleteIntervention(ctx, aftermath.System, iv.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Intervention(ctx, aftermath.System, iv.ID); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("after delete: %v", err)
		}
		if cs, _ := db.Citations(ctx, aftermath.System, "intervention", iv.ID); len(cs) != 0 {
			t.Errorf("citations survive their intervention: %v", cs)
		}
	})
}

func jsonOf(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}

// TestInterventionPartnerWindows stores support windows and dated aliases,
// reads them back exactly (also after a re-save), and fills the links to
// dataset actors with the alias's dates.
func TestInterventionPartnerWindows(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		iv := &aftermath.Intervention{
			Slug: "rsm", Name: "Resolute Support",
			Backers: []aftermath.InterventionActor{{Name: "United States", From: "2015-01-01", To: "2021-08-30",
				Aliases: aftermath.DatedAliases{{Dataset: aftermath.DatasetUCDP, Name: "Government of United States of America"}}}},
			PartnerForces: []aftermath.InterventionActor{{Name: "ANDSF", To: "2021-08-15",
				Aliases: aftermath.DatedAliases{
					{Dataset: aftermath.DatasetACLED, Name: "Military Forces of Afghanistan (2004-2021)", From: "2004-12-07"},
					{Dataset: aftermath.DatasetUCDP, Name: "Government of Afghanistan", To: "2021-08-15"},
				}}},
			Instruments: []string{"train-and-equip"},
			Objectives:  []string{"train, advise and assist"},
			Area:        []aftermath.AreaRef{{Country: "AFG"}},
			Phases:      []aftermath.Phase{{Name: "Mission", Start: "2015-01-01", End: "2021-08-30"}},
		}
		if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
			t.Fatal(err)
		}
		want := jsonOf(iv)
		got, err := db.Intervention(ctx, aftermath.System, iv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if jsonOf(got) != want {
			t.Errorf("stored:\n%s\nwant:\n%s", jsonOf(got), want)
		}
		if err := db.UpdateIntervention(ctx, aftermath.System, got); err != nil {
			t.Fatal(err)
		}
		again, _ := db.Intervention(ctx, aftermath.System, iv.ID)
		if jsonOf(again) != want {
			t.Errorf("re-saved:\n%s\nwant:\n%s", jsonOf(again), want)
		}
		if from, to := again.SupportWindow(again.PartnerForces[0]); from != "2015-01-01" || to != "2021-08-15" {
			t.Errorf("partner window %s..%s", from, to)
		}

		// Import the dataset actor: the link carries the alias's dates.
		im, err := db.BeginImport(ctx, aftermath.DatasetUCDP, "1.0", "f.csv", "x", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := im.Add([]*aftermath.Event{ev("1", "Afghanistan", 700, "", side(aftermath.RoleSideA, "Government of Afghanistan", "130"))}); err != nil {
			t.Fatal(err)
		}
		if _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}
		linked, _ := db.Intervention(ctx, aftermath.System, iv.ID)
		p := linked.PartnerForces[0]
		if len(p.ActorIDs) != 1 || len(p.Links) != 1 {
			t.Fatalf("partner links: ids %v, links %+v", p.ActorIDs, p.Links)
		}
		l := p.Links[0]
		if l.ActorID != p.ActorIDs[0] || l.Dataset != aftermath.DatasetUCDP || l.Name != "Government of Afghanistan" || l.From != "" || l.To != "2021-08-15" {
			t.Errorf("link = %+v", l)
		}
		if !l.Covers("2021-08-15") || l.Covers("2021-08-16") {
			t.Errorf("link %+v should cover 2021-08-15 and not 2021-08-16", l)
		}
		// A linked record re-saves to the same aliases and windows.
		if err := db.UpdateIntervention(ctx, aftermath.System, linked); err != nil {
			t.Fatal(err)
		}
		if after, _ := db.Intervention(ctx, aftermath.System, iv.ID); jsonOf(after) != jsonOf(linked) {
			t.Errorf("re-saving a linked record changed it:\n%s\nwas:\n%s", jsonOf(after), jsonOf(linked))
		}

		for name, edit := range map[string]func(*aftermath.Intervention){
			"alias to before from": func(x *aftermath.Intervention) {
				x.PartnerForces[0].Aliases[1].From = "2022-01-01"
			},
			"alias date not a day": func(x *aftermath.Intervention) { x.PartnerForces[0].Aliases[1].To = "2021-02-30" },
			"window to before from": func(x *aftermath.Intervention) {
				x.PartnerForces[0].From = "2022-01-01"
			},
			"alias listed twice": func(x *aftermath.Intervention) {
				x.PartnerForces[0].Aliases = append(x.PartnerForces[0].Aliases, x.PartnerForces[0].Aliases[1])
			},
		} {
			bad, _ := db.Intervention(ctx, aftermath.System, iv.ID)
			edit(bad)
			if err := db.UpdateIntervention(ctx, aftermath.System, bad); aftermath.ErrorCode(err) != aftermath.EINVALID {
				t.Errorf("%s: %v, want EINVALID", name, err)
			}
		}
	})
}
