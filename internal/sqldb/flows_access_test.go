package sqldb_test

import (
	"context"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestFlowImportsTakeAnEditor: SIPRI and IATI data are written by the
// instance or an editor or admin; a researcher, contributor, viewer or
// disabled editor is refused, and nothing is written.
func TestFlowImportsTakeAnEditor(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		reg := &aftermath.ArmsRegister{Title: "Transfers from All countries to Mali", Layout: aftermath.ArmsLayoutRegister, Suppliers: "All countries", Recipients: "Mali",
			Deals: []aftermath.ArmsDeal{{Key: "h:1", Line: 12, Supplier: "Russia", Recipient: "Mali", RecipientISO3: "MLI", OrderYear: 2021, Designation: "Mi-171Sh"}}}
		acts := func(yield func(*aftermath.AidActivity) error) error {
			return yield(&aftermath.AidActivity{Identifier: "XM-1", Line: 3, DefaultCurrency: "USD"})
		}
		codes := &aftermath.Codelist{Name: "Sector", Codes: []aftermath.Code{{Code: "15210", Name: map[string]string{"en": "Security"}}}}
		for _, u := range []*aftermath.User{
			{ID: 1, Memberships: []aftermath.Membership{{OrgID: 1, Role: aftermath.RoleResearcher}}},
			{ID: 2, Memberships: []aftermath.Membership{{OrgID: 1, Role: aftermath.RoleContributor}, {OrgID: 2, Role: aftermath.RoleViewer}}},
			{ID: 3, Disabled: true, Memberships: []aftermath.Membership{{OrgID: 1, Role: aftermath.RoleEditor}}},
		} {
			as := aftermath.ImportAs{User: u}
			if _, err := db.ImportArmsRegister(ctx, as, "r.csv", "x", reg); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
				t.Errorf("user %d register: %v", u.ID, err)
			}
			if _, err := db.ImportAid(ctx, as, "a.xml", "x", acts); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
				t.Errorf("user %d aid: %v", u.ID, err)
			}
			if _, err := db.ImportCodelist(ctx, as, codes); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
				t.Errorf("user %d codelist: %v", u.ID, err)
			}
		}
		rows, err := db.Flows(ctx, aftermath.FlowQuery{Kind: aftermath.FlowsArms})
		if err != nil || len(rows) != 0 {
			t.Errorf("refused imports wrote %v %v", rows, err)
		}
		editor := aftermath.ImportAs{User: &aftermath.User{ID: 4, Memberships: []aftermath.Membership{{OrgID: 1, Role: aftermath.RoleEditor}}}}
		if c, err := db.ImportArmsRegister(ctx, editor, "r.csv", "x", reg); err != nil || c.Inserted != 1 {
			t.Errorf("editor: %+v %v", c, err)
		}
		if c, err := db.ImportAid(ctx, editor, "a.xml", "x", acts); err != nil || c.Inserted != 1 {
			t.Errorf("editor aid: %+v %v", c, err)
		}
		// A reader's error midway leaves nothing of the file.
		bad := func(yield func(*aftermath.AidActivity) error) error {
			if err := yield(&aftermath.AidActivity{Identifier: "XM-2", Line: 3, DefaultCurrency: "USD",
				Transactions: []aftermath.AidTransaction{{Line: 5, Type: 3, Date: "2024-01-02", Value: aftermath.AidValue{Amount: 10}, RecipientCountry: "ML"}}}); err != nil {
				return err
			}
			return aftermath.Errorf(aftermath.EINVALID, "b.xml:9: broken")
		}
		if _, err := db.ImportAid(ctx, editor, "b.xml", "y", bad); err == nil {
			t.Error("a broken file imported")
		}
		rows, err = db.Flows(ctx, aftermath.FlowQuery{Kind: aftermath.FlowsAid, By: []string{"reporting_org"}})
		if err != nil {
			t.Fatal(err)
		}
		land, err := db.FundingLandscape(ctx, aftermath.LandscapeQuery{Recipient: "MLI"})
		if err != nil || len(land.Rows) != 0 || len(rows) != 0 {
			t.Errorf("after a broken file: %v %+v %v", rows, land, err)
		}
	})
}
