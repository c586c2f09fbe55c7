package ucdpprio

import (
	"os"
	"slices"
	"strings"
	"testing"

	"aftermath/internal/sqldb/sqldbtest"
)

func TestReadSmall(t *testing.T) {
	const data = `conflict_id,location,side_a,side_a_id,side_a_2nd,side_b,side_b_id,side_b_2nd,incompatibility,territory_name,year,intensity_level,cumulative_intensity,type_of_conflict,start_date,end_date,gwno_a,gwno_a_2nd,gwno_b,gwno_b_2nd,gwno_loc,region
11347,Mali,Government of Mali,94,"Government of Chad, Government of France",AQIM,123,,2,,2013,2,1,4,01-01-2012,,432,"483, 220",,,432,4
`
	cys, err := Read(strings.NewReader(data), "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	cy := cys[0]
	if cy.Year != 2013 || cy.SideA != "Government of Mali" || len(cy.SideA2nd) != 2 || cy.SideA2nd[1] != "Government of France" ||
		len(cy.GWNoA2nd) != 2 || cy.GWNoA2nd[1] != 220 || cy.GWNoLoc[0] != 432 || cy.Line != 2 {
		t.Errorf("row = %+v", cy)
	}
	_, err = Read(strings.NewReader(strings.Replace(data, `"483, 220"`, `"483, x"`, 1)), "c.csv")
	if err == nil || !strings.Contains(err.Error(), `c.csv:2: column "gwno_a_2nd": "483, x" is not a comma list`) {
		t.Errorf("bad codes: %v", err)
	}
}

func TestReadShared(t *testing.T) {
	f, err := os.Open(sqldbtest.SharedData(t, "ucdp/UcdpPrioConflict_v24_1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cys, err := Read(f, "UcdpPrioConflict_v24_1.csv")
	if err != nil {
		t.Fatal(err)
	}
	// France joined the Government of Mali's side in the 2013 conflict-year.
	found := false
	for _, cy := range cys {
		if cy.Location == "Mali" && cy.Year == 2013 && cy.SideA == "Government of Mali" {
			found = slices.Contains(cy.SideA2nd, "Government of France") && slices.Contains(cy.GWNoA2nd, 220)
		}
	}
	if len(cys) < 2000 || !found {
		t.Errorf("read %d conflict-years; France on Mali's side in 2013: %v", len(cys), found)
	}
}
