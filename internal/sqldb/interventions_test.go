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
			Aliases: []aftermath.ActorAlias{{Dataset: aftermath.DatasetUCDP, Name: "Government of Mali"}}}},
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
		if err := db.CreateIntervention(ctx, iv); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateIntervention(ctx, sampleIntervention(src.ID)); aftermath.ErrorCode(err) != aftermath.ECONFLICT {
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
		if err := db.UpdateIntervention(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := db.Intervention(ctx, aftermath.System, iv.ID)
		if again.Name != "MINUSMA (renamed)" || again.Budget != nil || len(again.Citations) != 1 || len(again.PartnerForces) != 1 {
			t.Errorf("after update: %s", jsonOf(again))
		}
		bad := *again
		bad.Phases = []aftermath.Phase{{Start: "2013-07-01", End: "2012-01-01"}}
		if err := db.UpdateIntervention(ctx, &bad); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("phase ending before it starts: %v", err)
		}
		bad = *again
		bad.Citations = []aftermath.Citation{{Field: "name", SourceID: 9999, Confidence: "high"}}
		if err := db.UpdateIntervention(ctx, &bad); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("citation of a missing source: %v", err)
		}
		if after, _ := db.Intervention(ctx, aftermath.System, iv.ID); jsonOf(after) != jsonOf(again) {
			t.Error("a refused update changed the record")
		}
		if err := db.DeleteIntervention(ctx, iv.ID); err != nil {
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
