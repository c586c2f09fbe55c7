package iati

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/ingest"
	"aftermath/internal/shareddata"
)

func readAll(t *testing.T, path string) ([]*aftermath.AidActivity, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var acts []*aftermath.AidActivity
	err = Read(f, filepath.Base(path), func(a *aftermath.AidActivity) error {
		acts = append(acts, a)
		return nil
	})
	return acts, err
}

func mustRead(t *testing.T, path string) []*aftermath.AidActivity {
	t.Helper()
	acts, err := readAll(t, path)
	if err != nil {
		t.Fatal(err)
	}
	return acts
}

// scan counts activities and transactions, and sums transaction values by
// type, with a bare encoding/xml token loop that shares no code with Read:
// an independent check of what Read yields.
type scanned struct {
	activities, transactions int
	sum                      map[string]float64 // by transaction-type code
}

func scan(t *testing.T, path string) scanned {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := scanned{sum: map[string]float64{}}
	dec := xml.NewDecoder(f)
	var stack []string
	var typ, val string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return s
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
			switch {
			case e.Name.Local == "iati-activity":
				s.activities++
			case e.Name.Local == "transaction":
				s.transactions++
				typ, val = "", ""
			case e.Name.Local == "transaction-type" && len(stack) >= 2 && stack[len(stack)-2] == "transaction":
				for _, a := range e.Attr {
					if a.Name.Local == "code" {
						typ = a.Value
					}
				}
			}
		case xml.CharData:
			if len(stack) >= 2 && stack[len(stack)-1] == "value" && stack[len(stack)-2] == "transaction" {
				val += string(e)
			}
		case xml.EndElement:
			if e.Name.Local == "transaction" {
				v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil {
					t.Fatalf("scan: %v", err)
				}
				s.sum[typ] += v
			}
			stack = stack[:len(stack)-1]
		}
	}
}

// The counts were also taken with grep -c '<iati-activity ' and
// grep -o '<transaction[ >]' | wc -l, and the usaid-bf disbursement sum
// with python3's xml.etree.ElementTree (sum of float(value.text.strip())
// over transactions of transaction-type code 3); they are hard-coded so a
// change of the files is noticed too.
var realFiles = []struct {
	name                     string
	activities, transactions int
}{
	{"usaid-bf.xml", 185, 1312},
	{"usaid-iq.xml", 315, 3189},
	{"usaid-ly.xml", 91, 1098},
	{"usaid-ne.xml", 320, 1960},
	{"acfspain-bf.xml", 1, 7},
	{"acfspain-ml.xml", 1, 6},
}

func TestRealFilesCounts(t *testing.T) {
	for _, rf := range realFiles {
		t.Run(rf.name, func(t *testing.T) {
			path := shareddata.Path(t, "iati/"+rf.name)
			acts := mustRead(t, path)
			s := scan(t, path)
			if s.activities != rf.activities || s.transactions != rf.transactions {
				t.Fatalf("the independent scan counts %d activities, %d transactions; the hard-coded counts are %d, %d",
					s.activities, s.transactions, rf.activities, rf.transactions)
			}
			n := 0
			sum := map[string]float64{}
			seen := map[string]bool{}
			for _, a := range acts {
				n += len(a.Transactions)
				if a.Identifier == "" || a.ReportingOrg.Ref == "" || a.Line < 2 {
					t.Errorf("activity %q at line %d: identifier or reporting org missing", a.Identifier, a.Line)
				}
				seen[a.Identifier] = true
				for _, tr := range a.Transactions {
					sum[strconv.Itoa(tr.Type)] += tr.Value.Amount
					if tr.Line <= a.Line || tr.Date == "" {
						t.Errorf("%s transaction at line %d: bad line or no date %q", a.Identifier, tr.Line, tr.Date)
					}
				}
			}
			if len(acts) != rf.activities || n != rf.transactions {
				t.Errorf("Read gives %d activities, %d transactions; want %d, %d", len(acts), n, rf.activities, rf.transactions)
			}
			for typ, want := range s.sum {
				if math.Abs(sum[typ]-want) > 0.005 {
					t.Errorf("transaction type %s: Read sums %.2f, the scan %.2f", typ, sum[typ], want)
				}
			}
		})
	}
}

func TestUSAIDBurkinaFaso(t *testing.T) {
	path := shareddata.Path(t, "iati/usaid-bf.xml")
	acts := mustRead(t, path)
	var disbursed float64
	for _, a := range acts {
		for _, tr := range a.Transactions {
			if tr.Type == 3 {
				disbursed += tr.Value.Amount
			}
		}
	}
	// 648076188.00: python3 ElementTree over the file (see realFiles), and
	// the token scan of this test.
	if want := scan(t, path).sum["3"]; math.Abs(disbursed-want) > 0.005 || math.Abs(disbursed-648076188.00) > 0.005 {
		t.Errorf("disbursements sum to %.2f; the scan gives %.2f, python3 648076188.00", disbursed, want)
	}

	a := acts[0]
	// The inner space is USAID's, kept as published.
	if a.Identifier != "US-GOV-1- 720BHA25IO00023" || a.Line != 2 {
		t.Errorf("first activity %q at line %d", a.Identifier, a.Line)
	}
	if a.DefaultCurrency != "USD" || a.Language != "en" || a.Hierarchy != 1 || a.Status != 2 ||
		a.LastUpdated != "2025-04-03T20:52:13.509Z" || a.Humanitarian {
		t.Errorf("attributes: %q %q %d %d %q %v", a.DefaultCurrency, a.Language, a.Hierarchy, a.Status, a.LastUpdated, a.Humanitarian)
	}
	wantOrg := aftermath.AidOrg{Ref: "US-GOV-1", Type: "10", Name: "U.S. Agency for International Development"}
	if a.ReportingOrg != wantOrg {
		t.Errorf("reporting org %+v", a.ReportingOrg)
	}
	wantPart := []aftermath.AidOrg{
		{Ref: "", Type: "10", Role: 1, Name: "U.S. Department of Agriculture"},
		{Ref: "US-GOV-1", Type: "10", Role: 2, Name: "U.S. Agency for International Development"},
		{Ref: "US-GOV-1", Type: "10", Role: 3, Name: "U.S. Agency for International Development"},
		{Ref: "XM-DAC-41140", Type: "40", Role: 4, Name: "World Food Program"},
	}
	if !reflect.DeepEqual(a.Participating, wantPart) {
		t.Errorf("participating orgs\n%+v\nwant\n%+v", a.Participating, wantPart)
	}
	wantDates := []aftermath.AidDate{{Type: 1, Date: "2024-10-01"}, {Type: 2, Date: "2024-10-01"}, {Type: 3, Date: "2025-09-30"}}
	if !reflect.DeepEqual(a.Dates, wantDates) {
		t.Errorf("dates %+v", a.Dates)
	}
	if a.Title != "Title II Emergency Program through a partner of the US Agency for International Development." ||
		a.Description != a.Title || a.Narratives != nil {
		t.Errorf("title %q, description %q, narratives %v", a.Title, a.Description, a.Narratives)
	}
	tr := a.Transactions[0]
	yes := true
	want := aftermath.AidTransaction{
		Ref: "01321E74B4A7", Line: 49, Type: 2, Date: "2025-01-31",
		Value:        aftermath.AidValue{Amount: 5594718, ValueDate: "2025-01-31"},
		Humanitarian: &yes,
		Sectors: []aftermath.AidSector{
			{Vocabulary: "1", Code: "72040", Name: "Emergency food assistance"},
			{Vocabulary: "99", Code: "3009", Name: "Nutrition"},
		},
		RecipientCountry: "BF",
		// USAID's receiver-org has no ref, only receiver-activity-id.
		Receiver: aftermath.AidOrg{Type: "40", ActivityID: "XM-DAC-41140", Name: "World Food Program"},
	}
	if !reflect.DeepEqual(tr, want) {
		t.Errorf("first transaction\n%+v\nwant\n%+v", tr, want)
	}
	if tr := a.Transactions[1]; tr.Type != 3 || tr.Line != 70 || tr.Value.Amount != 5594718 {
		t.Errorf("second transaction %+v", tr)
	}

	// The second activity (line 226) has its title in French too.
	b := acts[1]
	if b.Line != 226 || b.Title != "Crisis Assistance and Recovery" ||
		b.Narratives["title:fr"] != "Assistance en cas de crise et redressement" ||
		!strings.HasPrefix(b.Narratives["description:fr"], "Fournir des biens, du personnel") ||
		!strings.HasPrefix(b.Description, "Provide goods, personnel") {
		t.Errorf("second activity at line %d: %q %q", b.Line, b.Title, b.Narratives)
	}
}

func TestACFSpainBurkinaFaso(t *testing.T) {
	acts := mustRead(t, shareddata.Path(t, "iati/acfspain-bf.xml"))
	if len(acts) != 1 {
		t.Fatalf("%d activities", len(acts))
	}
	a := acts[0]
	if a.Identifier != "ES-CIF-G81164105-R2G-ACF-BurkinaFaso" || a.Line != 3 || !a.Humanitarian ||
		a.DefaultCurrency != "EUR" || a.Hierarchy != 1 || a.Language != "en" {
		t.Errorf("activity %q line %d humanitarian %v currency %q hierarchy %d", a.Identifier, a.Line, a.Humanitarian, a.DefaultCurrency, a.Hierarchy)
	}
	// The title is published with a trailing space.
	if a.Title != "R2G ACF Burkina Faso" || a.ReportingOrg.Name != "ACTION AGAINST HUNGER SPAIN" || a.ReportingOrg.Type != "21" {
		t.Errorf("title %q, reporting org %+v", a.Title, a.ReportingOrg)
	}
	if parts := strings.Split(a.Description, "\n\n"); len(parts) != 3 ||
		parts[1] != "Most vulnerable children (under five) affected by undernutrition" {
		t.Errorf("description in %d parts: %q", len(parts), a.Description)
	}
	var codes []string
	for _, s := range a.Sectors {
		if s.Vocabulary != "1" || s.Percentage == nil || *s.Percentage != 25 {
			t.Errorf("sector %+v", s)
		}
		codes = append(codes, s.Code)
	}
	if !reflect.DeepEqual(codes, []string{"12240", "14030", "15110", "15150"}) {
		t.Errorf("sectors %v", codes)
	}
	wantPM := []aftermath.AidPolicyMarker{{Vocabulary: "1", Code: "1", Significance: 1}, {Vocabulary: "1", Code: "12", Significance: 2}, {Vocabulary: "1", Code: "3", Significance: 2}}
	if !reflect.DeepEqual(a.PolicyMarkers, wantPM) {
		t.Errorf("policy markers %+v", a.PolicyMarkers)
	}
	if len(a.RecipientCountries) != 1 || a.RecipientCountries[0].Code != "BF" || a.RecipientCountries[0].Percentage != nil {
		t.Errorf("recipient countries %+v", a.RecipientCountries)
	}
	// The second and third budgets have no type: 1 (original), as the
	// standard says; their values end in a space.
	wantB := []aftermath.AidBudget{
		{Type: 1, Status: 1, Start: "2021-01-01", End: "2021-12-31", Value: aftermath.AidValue{Amount: 294384, Currency: "EUR", ValueDate: "2021-01-01"}},
		{Type: 1, Status: 1, Start: "2022-01-01", End: "2022-12-31", Value: aftermath.AidValue{Amount: 304953.55, Currency: "EUR", ValueDate: "2022-01-01"}},
		{Type: 1, Status: 1, Start: "2023-01-01", End: "2023-12-31", Value: aftermath.AidValue{Amount: 379597.97, Currency: "EUR", ValueDate: "2023-01-01"}},
	}
	if !reflect.DeepEqual(a.Budgets, wantB) {
		t.Errorf("budgets\n%+v\nwant\n%+v", a.Budgets, wantB)
	}
	yes := true
	if tr := a.Transactions[0]; tr.Humanitarian == nil || *tr.Humanitarian != yes || tr.Type != 1 ||
		tr.Ref != "Incoming funds R2G ACF Burkina Faso 2021" || tr.Line != 57 {
		t.Errorf("first transaction %+v", tr)
	}
	// " 294384": a leading space; the fourth transaction's value has no
	// currency (the activity's EUR applies) and a trailing space.
	if tr := a.Transactions[1]; tr.Value.Amount != 294384 || tr.Type != 11 || tr.Humanitarian != nil {
		t.Errorf("second transaction %+v", tr)
	}
	if tr := a.Transactions[3]; tr.Value != (aftermath.AidValue{Amount: 304953.55, ValueDate: "2022-01-01"}) {
		t.Errorf("fourth transaction %+v", tr)
	}
}

func TestACFSpainMali(t *testing.T) {
	acts := mustRead(t, shareddata.Path(t, "iati/acfspain-ml.xml"))
	a := acts[0]
	tr := a.Transactions[0]
	no := false
	if tr.Humanitarian == nil || *tr.Humanitarian != no ||
		tr.Receiver != (aftermath.AidOrg{Ref: "ES-CIF-G81164105", Type: "24", ActivityID: "ES-CIF-G81164105-R2G-ACF-Mali"}) {
		t.Errorf("first transaction %+v", tr)
	}
	if p := a.Participating[0]; p.ActivityID != "ES-CIF-G81164105-R2G-ACF-Mali" || p.Role != 4 {
		t.Errorf("participating %+v", p)
	}
	if c := a.RecipientCountries; len(c) != 1 || c[0].Code != "ML" || c[0].Percentage == nil || *c[0].Percentage != 100 {
		t.Errorf("recipient countries %+v", c)
	}
	// The results' titles are not the activity's.
	if a.Title != "R2G ACF Mali" || len(a.Budgets) != 4 || a.Budgets[3].Status != 2 {
		t.Errorf("title %q, budgets %+v", a.Title, a.Budgets)
	}
}

func readCodelist(t *testing.T, path string) *aftermath.Codelist {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ReadCodelist(f, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func codeOf(c *aftermath.Codelist, code string) *aftermath.Code {
	for i := range c.Codes {
		if c.Codes[i].Code == code {
			return &c.Codes[i]
		}
	}
	return nil
}

func TestRealCodelists(t *testing.T) {
	// Item counts: grep -c '<codelist-item[ >]' on each file.
	counts := map[string]int{"Country": 251, "OrganisationType": 16, "Region": 26, "Sector": 325, "SectorCategory": 44}
	lists := map[string]*aftermath.Codelist{}
	for name, n := range counts {
		c := readCodelist(t, shareddata.Path(t, "iati/codelists/"+name+".xml"))
		if c.Name != name || len(c.Codes) != n {
			t.Errorf("%s.xml: name %q, %d codes, want %d", name, c.Name, len(c.Codes), n)
		}
		lists[name] = c
	}
	s := lists["Sector"]
	for code, names := range map[string][2]string{
		"15210": {"Security system management and reform", "Gestion et réforme des systèmes de sécurité"},
		"15220": {"Civilian peace-building, conflict prevention and resolution",
			"Dispositifs civils de construction de la paix, et de prévention et de règlement des conflits"},
	} {
		c := codeOf(s, code)
		if c == nil || c.Name["en"] != names[0] || c.Name["fr"] != names[1] || c.Category != "152" {
			t.Errorf("Sector %s: %+v", code, c)
		}
	}
	for _, c := range s.Codes {
		if len(c.Code) != 5 || c.Category != c.Code[:3] {
			t.Errorf("Sector %s has category %q", c.Code, c.Category)
		}
	}
	// The metadata's <category> (Replicated) is no code's.
	if c := codeOf(lists["Country"], "BF"); c == nil || c.Name["en"] != "Burkina Faso" || c.Category != "" || len(c.Name) != 1 {
		t.Errorf("Country BF: %+v", c)
	}
	for _, c := range lists["Country"].Codes {
		if len(c.Code) != 2 || strings.ToUpper(c.Code) != c.Code {
			t.Errorf("Country code %q is not ISO alpha-2", c.Code)
		}
	}
	if c := codeOf(lists["OrganisationType"], "22"); c == nil || c.Name["en"] != "National NGO" {
		t.Errorf("OrganisationType 22: %+v", c)
	}
	if c := codeOf(lists["OrganisationType"], "10"); c == nil || c.Name["fr"] != "Gouvernement" {
		t.Errorf("OrganisationType 10: %+v", c)
	}
}

func TestCodelistFixture(t *testing.T) {
	c := readCodelist(t, "testdata/codelist.xml")
	want := &aftermath.Codelist{Name: "Test", Codes: []aftermath.Code{
		{Code: "A1", Name: map[string]string{"fr": "Premier", "en": "First"}, Category: "A"},
		{Code: "B2", Name: map[string]string{"fr": "Second"}},
	}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
}

func TestUnknownElementsIgnored(t *testing.T) {
	acts := mustRead(t, "testdata/unknown.xml")
	if len(acts) != 1 {
		t.Fatalf("%d activities", len(acts))
	}
	a := acts[0]
	pct := 40.5
	yesT := aftermath.AidTransaction{
		Line: 39, Type: 3, Date: "2024-06-30",
		// No currency on the value: the activity's XOF applies.
		Value:           aftermath.AidValue{Amount: 2500.50, ValueDate: "2024-06-30"},
		Description:     "Versement",
		Sectors:         []aftermath.AidSector{{Vocabulary: "2", Code: "720"}},
		RecipientRegion: "289",
		Provider:        aftermath.AidOrg{Ref: "XM-DONOR", Type: "10", ActivityID: "XM-DONOR-9", Name: "Donateur"},
		Receiver:        aftermath.AidOrg{Type: "22", Name: "ONG locale"},
	}
	want := &aftermath.AidActivity{
		Identifier: "XM-TEST-1", Line: 6,
		Language:        "fr", // from the iati-activities root
		DefaultCurrency: "XOF",
		Hierarchy:       1,
		ReportingOrg:    aftermath.AidOrg{Ref: "XM-TEST", Type: "21", Name: "Organisation d'essai"},
		Title:           "Une activité d'essai",
		Description:     "Première description.\n\nDeuxième description.",
		Narratives: map[string]string{
			"title:en":       "A test activity",
			"description:en": "First description.\n\nSecond description.",
		},
		Dates: []aftermath.AidDate{{Type: 1, Date: "2024-03-05"}},
		RecipientRegions: []aftermath.AidShare{
			{Code: "289", Vocabulary: "1"},
			{Code: "NE-1", Vocabulary: "99", Percentage: &pct},
		},
		Sectors:       []aftermath.AidSector{{Vocabulary: "1", Code: "72040", Name: "Aide alimentaire d'urgence"}},
		PolicyMarkers: []aftermath.AidPolicyMarker{{Vocabulary: "1", Code: "7", Significance: 0}},
		Budgets: []aftermath.AidBudget{{Type: 1, Status: 1, Start: "2024-01-01", End: "2024-12-31",
			Value: aftermath.AidValue{Amount: 1000, ValueDate: "2024-01-01"}}},
		Transactions: []aftermath.AidTransaction{yesT},
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got\n%+v\nwant\n%+v", a, want)
	}
}

func TestRowErrors(t *testing.T) {
	for _, c := range []struct {
		file, want string
		ok         int // activities read before the error
	}{
		{"bad-percentage.xml", `bad-percentage.xml:6: column "sector@percentage": "twenty" is not a number`, 0},
		{"bad-percentage-range.xml", `bad-percentage-range.xml:6: column "sector@percentage": "120" is outside 0 to 100`, 0},
		// The line is where the start tag begins, though it spans two.
		{"bad-date.xml", `bad-date.xml:8: column "transaction/transaction-date@iso-date": "2021-13-01" is not a date (expected YYYY-MM-DD)`, 0},
		{"bad-value.xml", `bad-value.xml:7: column "transaction/value": "1,000.00" is not an amount (expected a number such as 304953.55)`, 0},
		{"no-identifier.xml", `no-identifier.xml:6: column "iati-identifier": "" is missing; every activity needs an identifier`, 1},
		{"empty-identifier.xml", `empty-identifier.xml:4: column "iati-identifier": "" is empty; every activity needs an identifier`, 0},
	} {
		acts, err := readAll(t, "testdata/"+c.file)
		var re *ingest.RowError
		if !errors.As(err, &re) || err.Error() != c.want || len(acts) != c.ok {
			t.Errorf("%s: %d activities, error %v\nwant %s", c.file, len(acts), err, c.want)
		}
	}
}

func TestRoot(t *testing.T) {
	for file, want := range map[string]string{
		"organisations.xml": "iati-organisations",
		"unknown.xml":       "iati-activities",
		"codelist.xml":      "codelist",
	} {
		f, err := os.Open("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Root(f)
		if err != nil || got != want {
			t.Errorf("%s: Root = %q, %v; want %q", file, got, err, want)
		}
		f.Close()
	}
	// Root reads no further than the root's start tag.
	r := strings.NewReader(`<?xml version="1.0"?><!-- c --><iati-activities version="2.03"><rest/>`)
	if got, err := Root(r); err != nil || got != "iati-activities" || r.Len() != len("<rest/>") {
		t.Errorf("Root = %q, %v, %d bytes left", got, err, r.Len())
	}
	if _, err := Root(strings.NewReader("  ")); err == nil {
		t.Error("Root of an empty input: no error")
	}

	_, err := readAll(t, "testdata/organisations.xml")
	if err == nil || err.Error() != "organisations.xml:3: the root element is <iati-organisations>, not <iati-activities>; is this an IATI activity file?" {
		t.Errorf("Read of an organisation file: %v", err)
	}
	f, _ := os.Open("testdata/unknown.xml")
	defer f.Close()
	if _, err := ReadCodelist(f, "unknown.xml"); err == nil || !strings.Contains(err.Error(), "not <codelist>") {
		t.Errorf("ReadCodelist of an activity file: %v", err)
	}
}

// lower sets a knob for one test.
func lower[T any](t *testing.T, knob *T, v T) {
	old := *knob
	*knob = v
	t.Cleanup(func() { *knob = old })
}

func TestActivityLimit(t *testing.T) {
	lower(t, &maxActivityBytes, 400)
	acts, err := readAll(t, "testdata/many.xml")
	want := "many.xml:7: the activity is longer than 400 bytes, the limit of one activity"
	if err == nil || err.Error() != want || len(acts) != 1 {
		t.Errorf("%d activities, error %v\nwant %s", len(acts), err, want)
	}
}

func TestTransactionLimit(t *testing.T) {
	lower(t, &maxTransactions, 3)
	acts, err := readAll(t, "testdata/many.xml")
	want := "many.xml:13: the activity has more than 3 transactions, the limit of one activity"
	if err == nil || err.Error() != want || len(acts) != 1 {
		t.Errorf("%d activities, error %v\nwant %s", len(acts), err, want)
	}
}

func TestNarrativeLimit(t *testing.T) {
	lower(t, &maxNarrativeBytes, 64)
	_, err := readAll(t, "testdata/many.xml")
	want := "many.xml:9: the text of title/narrative is longer than 64 bytes, the limit of one narrative"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

func TestFileLimit(t *testing.T) {
	lower(t, &maxBytes, 300)
	_, err := readAll(t, "testdata/many.xml")
	if err == nil || !strings.HasPrefix(err.Error(), "many.xml:") ||
		!strings.HasSuffix(err.Error(), ": the file is longer than 300 bytes, the limit of one file") {
		t.Errorf("error %v", err)
	}
}

// An endless text outside any activity is stopped at the stretch bound, not
// gathered whole.
func TestTextBetweenActivitiesLimit(t *testing.T) {
	lower(t, &maxActivityBytes, 1000)
	in := "<iati-activities>\n" + strings.Repeat("x", 5000) + "</iati-activities>"
	err := Read(strings.NewReader(in), "long.xml", func(*aftermath.AidActivity) error { return nil })
	want := "long.xml:1: the text between activities is longer than 1000 bytes, the limit of one stretch of text"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

func TestCodelistLimit(t *testing.T) {
	lower(t, &maxCodes, 1)
	f, _ := os.Open("testdata/codelist.xml")
	defer f.Close()
	_, err := ReadCodelist(f, "codelist.xml")
	want := "codelist.xml:13: the codelist has more than 1 codes, the limit of one codelist"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

func TestFnErrorAndMalformed(t *testing.T) {
	stop := errors.New("stop")
	f, _ := os.Open("testdata/many.xml")
	defer f.Close()
	if err := Read(f, "many.xml", func(*aftermath.AidActivity) error { return stop }); err != stop {
		t.Errorf("fn's error came back as %v", err)
	}
	in := "<iati-activities>\n<iati-activity>\n<iati-identifier>X</iati-identifier>\n"
	err := Read(strings.NewReader(in), "cut.xml", func(*aftermath.AidActivity) error { return nil })
	if err == nil || err.Error() != "cut.xml:4: unexpected EOF" {
		t.Errorf("truncated file: %v", err)
	}
	in = "<iati-activities>\n<iati-activity>\n</title>\n"
	err = Read(strings.NewReader(in), "bad.xml", func(*aftermath.AidActivity) error { return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "bad.xml:3: ") {
		t.Errorf("mismatched tag: %v", err)
	}
	if err := Read(strings.NewReader(""), "empty.xml", nil); err == nil || err.Error() != "empty.xml: the file has no root element (is it empty?)" {
		t.Errorf("empty file: %v", err)
	}
}
