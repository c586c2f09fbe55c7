package web_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/impact"
	"aftermath/internal/importer"
	"aftermath/internal/shareddata"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestInterventionMoneyAndArms: the coalition in Yemen's page shows what
// its states received while they intervened. Hand-checked with python3
// over the raw register: the United States' deals with Saudi Arabia, each
// deal's delivered TIV spread evenly over its delivery years (the
// remaining thousandths to the earliest), come to 18,615.889 million TIV
// in delivery years 2015 on (58 deals); with the United Arab Emirates to
// 4,647.22 (41 deals).
func TestInterventionMoneyAndArms(t *testing.T) {
	// The coalition's states and Yemen only (the importer tests read the
	// whole register).
	register := shareddata.SIPRISubset(t, sqldbtest.SharedData(t, "sipri/trade-register-all-2025-03.csv"), func(r string) bool {
		return slices.Contains([]string{"Saudi Arabia", "UAE", "Bahrain", "Sudan", "Yemen"}, r)
	})
	h, db := fixtureServer(t)
	seedLedgerCatalog(t, db)
	// Without SIPRI or IATI data about its parties a page has no such
	// section, rather than empty tables.
	if _, _, body := fetch(t, h, "/interventions/test-mission"); strings.Contains(body, `id="money"`) {
		t.Error("test mission shows a money section without data")
	}
	// Read once before the import: what the page keeps of it (its
	// supply figures) must not outlive the import.
	if _, _, body := fetch(t, h, "/interventions/saudi-uae-coalition-yemen?lang=en"); strings.Contains(body, `id="money"`) {
		t.Error("the coalition's page shows a money section before any SIPRI data")
	}
	if _, err := importer.ImportSIPRI(context.Background(), db, aftermath.ImportAs{}, register); err != nil {
		t.Fatal(err)
	}
	code, _, body := fetch(t, h, "/interventions/saudi-uae-coalition-yemen?lang=en")
	if code != 200 {
		t.Fatalf("page: %d", code)
	}
	for _, want := range []string{"Money and arms", "Arms delivered to Saudi Arabia from \u20662015\u2069", "Arms delivered to United Arab Emirates from \u20662015\u2069",
		`<th scope="row">United States</th><td>18,615.889 <small>(estimate)</small>`, `<th scope="row">United States</th><td>4,647.22 <small>(estimate)</small>`,
		"spread evenly over the deal&#39;s delivery years", "SIPRI Arms Transfers Database",
		"Evidence of the instruments", "<strong>Arms transfers</strong> <small>(not listed among the intervention&#39;s instruments)</small>"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The partner force's state is named in its name: Yemen.
	if !strings.Contains(body, "Supplied before harm: Forces of the internationally recognised Government of Yemen") || !strings.Contains(body, "counted to Yemen") {
		t.Error("no partner timeline for Yemen")
	}
	// The API gives the same figures, with method and source.
	code, _, js := fetch(t, h, "/api/v1/flows?kind=arms&recipient=SAU&by=supplier&from=2015&to=2024")
	var flows struct {
		Rows           []map[string]any
		Method, Source string
	}
	if err := json.Unmarshal([]byte(js), &flows); code != 200 || err != nil {
		t.Fatalf("API flows: %d %v", code, err)
	}
	us := flows.Rows[slices.IndexFunc(flows.Rows, func(r map[string]any) bool { return r["supplier"] == "United States" })]
	if us["tiv_delivered"] != 4512.1 || us["tiv_order"] != 9046.47 || us["deals"] != 31.0 || flows.Source != "SIPRI Arms Transfers Database (c) SIPRI" ||
		!strings.HasPrefix(flows.Method, "SIPRI's own per-deal figures") {
		t.Errorf("API flows: %v %q %q", us, flows.Method, flows.Source)
	}
	if code, _, _ := fetch(t, h, "/api/v1/flows?kind=loans"); code != 400 {
		t.Errorf("API flows of no kind: %d", code)
	}
	iv, err := db.FindIntervention(context.Background(), aftermath.System, "saudi-uae-coalition-yemen")
	if err != nil {
		t.Fatal(err)
	}
	code, _, js = fetch(t, h, "/api/v1/interventions/"+lid(iv.ID)+"/supply")
	var supply impact.SupplyReport
	if err := json.Unmarshal([]byte(js), &supply); code != 200 || err != nil || len(supply.Interveners) == 0 {
		t.Fatalf("API supply: %d %v", code, err)
	}
	if s := supply.Interveners[0]; s.Backer != "Saudi Arabia" || s.Suppliers[0].Supplier != "United States" || s.Suppliers[0].TIV.String() != "18615.889" {
		t.Errorf("API supply: %+v", s)
	}
	_, _, fr := fetch(t, h, "/interventions/saudi-uae-coalition-yemen?lang=fr")
	if !strings.Contains(fr, "Argent et armes") || !strings.Contains(fr, "18\u202f615,889") {
		t.Error("French page lacks the section or French numbers")
	}
	_, _, ar := fetch(t, h, "/interventions/saudi-uae-coalition-yemen?lang=ar")
	if !strings.Contains(ar, "المال والسلاح") || strings.Contains(ar, "money.") {
		t.Error("Arabic page lacks the section or shows key names")
	}
}

// TestScorecardShowsWhatABackerSupplied: the United States' scorecard
// lists, for the interventions it backed, its deliveries to the partner
// forces' states and what those forces did afterwards.
func TestScorecardShowsWhatABackerSupplied(t *testing.T) {
	register := shareddata.SIPRISubset(t, sqldbtest.SharedData(t, "sipri/trade-register-all-2025-03.csv"), func(r string) bool {
		return slices.Contains([]string{"Somalia", "Iraq", "Syria", "Afghanistan"}, r)
	})
	f := newLedgerFixture(t)
	ctx := context.Background()
	if _, err := importer.ImportSIPRI(ctx, f.db, aftermath.ImportAs{}, register); err != nil {
		t.Fatal(err)
	}
	inqs, err := f.db.Inquiries(ctx, aftermath.System, sqldb.InquiryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var us int64
	for _, in := range inqs {
		for _, s := range in.Subjects {
			if s.Name == "United States" {
				us = s.ID
			}
		}
	}
	if us == 0 {
		t.Fatal("no United States actor in the starter ledger")
	}
	code, body := f.get(t, "/actors/"+lid(us)+"/scorecard")
	if code != 200 {
		t.Fatalf("scorecard: %d", code)
	}
	for _, want := range []string{"Arms it delivered to the partners&#39; states", "(Somalia)", "(Iraq)", "#money"} {
		if !strings.Contains(body, want) {
			t.Errorf("scorecard lacks %q", want)
		}
	}
}

// TestUSAIDSecurityAgainstPeacebuilding: the country pages give USAID's
// disbursements by purpose. Hand-checked with python3 (ElementTree over
// the published files, transaction type 3, each transaction's own DAC
// sector): Niger 2020, security 700,000 USD and peacebuilding 266,004;
// Libya 2016, 356,000 and 9,550,848; Burkina Faso 2021, no security and
// 789,708; Iraq 2013, security −2,673,043 (de-obligations, kept as
// published) and no peacebuilding.
func TestUSAIDSecurityAgainstPeacebuilding(t *testing.T) {
	h, db := fixtureServer(t)
	ctx := context.Background()
	dir := sqldbtest.SharedData(t, "iati")
	for _, f := range []string{"codelists/Sector.xml", "usaid-ne.xml", "usaid-ly.xml", "usaid-bf.xml", "usaid-iq.xml"} {
		if _, err := importer.ImportIATI(ctx, db, aftermath.ImportAs{}, dir+"/"+f); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ iso3, row string }{
		{"NER", "<th scope=\"row\">\u20662020\u2069</th><td>USD</td><td>91,815,397.00</td><td>700,000.00</td><td>266,004.00</td>"},
		{"LBY", "<th scope=\"row\">\u20662016\u2069</th><td>USD</td><td>11,298,857.00</td><td>356,000.00</td><td>9,550,848.00</td>"},
		{"BFA", "<th scope=\"row\">\u20662021\u2069</th><td>USD</td><td>85,187,939.00</td><td>0.00</td><td>789,708.00</td>"},
		{"IRQ", "<th scope=\"row\">\u20662013\u2069</th><td>USD</td><td>185,521,592.00</td><td>-2,673,043.00</td><td>0.00</td>"},
	} {
		code, _, body := fetch(t, h, "/places/"+c.iso3)
		if code != 200 || !strings.Contains(body, c.row) {
			t.Errorf("%s: %d, no row %q", c.iso3, code, c.row)
		}
		if !strings.Contains(body, "<svg") || !strings.Contains(body, "15220") {
			t.Errorf("%s: no chart or no stated rule", c.iso3)
		}
	}
	// The places index links each of them, so the static site has them.
	_, _, index := fetch(t, h, "/places")
	for _, want := range []string{`<a href="/places/NER">Niger</a>`, `<a href="/places/LBY">Libya</a>`, `<a href="/places/BFA">Burkina Faso</a>`, `<a href="/places/IRQ">Iraq</a>`} {
		if !strings.Contains(index, want) {
			t.Errorf("places index lacks %s", want)
		}
	}
	// Iraq's net negative security part cannot be stacked: the chart says
	// it is drawn as none.
	if _, _, body := fetch(t, h, "/places/IRQ"); !strings.Contains(body, "drawn as none") {
		t.Error("Iraq's chart does not say a negative part is drawn as none")
	}
}
