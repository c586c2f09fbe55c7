package sipri

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/ingest"
	"aftermath/internal/shareddata"
)

func readFile(t *testing.T, path string) (*aftermath.ArmsRegister, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Read(f, filepath.Base(path))
}

func mustRead(t *testing.T, path string) *aftermath.ArmsRegister {
	t.Helper()
	reg, err := readFile(t, path)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func i64(n int64) *int64                { return &n }
func milli(n int64) *aftermath.MilliTIV { m := aftermath.MilliTIV(n); return &m }
func tivs(ds []aftermath.ArmsDelivery) []any {
	var out []any
	for _, d := range ds {
		if d.TIV == nil {
			out = append(out, nil)
		} else {
			out = append(out, int64(*d.TIV))
		}
	}
	return out
}

func TestClassicFixture(t *testing.T) {
	reg := mustRead(t, "testdata/classic_small.csv")
	if reg.Layout != aftermath.ArmsLayoutRegister || reg.Suppliers != "All countries" || reg.Recipients != "Chile" ||
		reg.FromYear != 1979 || reg.ToYear != 2024 || reg.Generated != "2025-01-02T13:05:09" {
		t.Errorf("scope: %+v", *reg)
	}
	if want := "Transfers of major conventional arms from All countries to Chile . Deals with deliveries made for the year range '1979' to '2024'"; reg.Title != want {
		t.Errorf("Title = %q", reg.Title)
	}
	if len(reg.Deals) != 6 {
		t.Fatalf("%d deals, want 6", len(reg.Deals))
	}

	// Delivery years with a '?', the three flags, Latin-1 decoded, 3 decimals.
	d := reg.Deals[0]
	want := aftermath.ArmsDeal{
		Key: d.Key, Line: 5, Supplier: "France", Recipient: "Chile", SupplierISO3: "FRA", RecipientISO3: "CHL",
		OrderYear: 1978, OrderYearUncertain: true, NumberOrdered: i64(3), NumberOrderedUncertain: true,
		Designation: "Exocet", Description: "anti-ship missile",
		NumberDelivered: i64(3), NumberDeliveredUncertain: true,
		DeliveryYears: []int{1979, 1980, 1981}, DeliveryYearsUncertain: true,
		Status: "New", Comments: "Señal test; 3 missiles",
		TIVUnit: milli(3333), TIVOrder: milli(10000), TIVDelivered: milli(10000),
		Deliveries: []aftermath.ArmsDelivery{
			{Year: 1979, TIV: milli(3334), Estimate: true},
			{Year: 1980, YearUncertain: true, TIV: milli(3333), Estimate: true},
			{Year: 1981, TIV: milli(3333), Estimate: true},
		},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("deal 0:\n got %+v\nwant %+v", d, want)
	}
	if !strings.HasPrefix(d.Key, "h:") || len(d.Key) != 18 {
		t.Errorf("Key = %q", d.Key)
	}

	// Empty cells stay nil: empty is not zero.
	e := reg.Deals[1]
	if e.NumberOrdered != nil || e.NumberDelivered != nil || e.TIVUnit != nil || e.TIVOrder != nil ||
		e.TIVDelivered != nil || e.DeliveryYears != nil || e.Deliveries != nil || e.OrderYearUncertain {
		t.Errorf("deal 1 should have nil numbers: %+v", e)
	}

	// Identical rows are two deals; the second key gets #2. 25.5 over 3 years.
	a, b := reg.Deals[2], reg.Deals[3]
	if b.Key != a.Key+"#2" || strings.Contains(a.Key, "#") {
		t.Errorf("keys %q %q", a.Key, b.Key)
	}
	if got := tivs(a.Deliveries); !reflect.DeepEqual(got, []any{int64(8500), int64(8500), int64(8500)}) {
		t.Errorf("25.5 over 3 years: %v", got)
	}
	if a.SupplierISO3 != "" {
		t.Errorf("Soviet Union ISO3 = %q", a.SupplierISO3)
	}

	// A record broken over lines 9-10 is rejoined, reported at line 9.
	r := reg.Deals[4]
	if r.Line != 9 || r.Comments != "a comment broken\n" || *r.TIVUnit != 500 || *r.TIVOrder != 1000 || *r.TIVDelivered != 1000 {
		t.Errorf("rejoined: %+v", r)
	}
	if u := reg.Deals[5]; u.Line != 11 || u.Recipient != "United Nations**" || u.RecipientISO3 != "" || u.SupplierISO3 != "CHL" {
		t.Errorf("deal 5: %+v", u)
	}
}

func TestCRLFAndReordered(t *testing.T) {
	lf := mustRead(t, "testdata/classic_small.csv")
	crlf := mustRead(t, "testdata/classic_crlf.csv")
	if !reflect.DeepEqual(lf, crlf) {
		t.Errorf("CRLF reads differently:\n%+v\n%+v", lf, crlf)
	}
	re := mustRead(t, "testdata/classic_reordered.csv")
	if len(re.Deals) != 2 {
		t.Fatalf("%d deals", len(re.Deals))
	}
	for i := range re.Deals {
		got, want := re.Deals[i], lf.Deals[i]
		got.Line, want.Line = 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("reordered deal %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"short_row.csv", `short_row.csv:5: has 10 fields, the header has 16`},
		{"bad_year.csv", `bad_year.csv:5: column "Year of order": "19x8" is not a year`},
		{"decimals.csv", `decimals.csv:5: column "SIPRI TIV per unit": "1.2345" has more than 3 decimals; TIV values are kept in thousandths`},
		{"not_register.csv", `not_register.csv: not a SIPRI trade register (no header row with Recipient/Supplier or SIPRI AT Database ID within the first 50 lines)`},
		{"deliveries_unit.csv", `deliveries_unit.csv:5: column "TIV deal unit": "0.15" differs from "0.14" on line 4, the first row of deal 100`},
	} {
		_, err := readFile(t, "testdata/"+c.file)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: err = %v\nwant %s", c.file, err, c.want)
		}
		var re *ingest.RowError
		if c.file != "not_register.csv" && !errors.As(err, &re) {
			t.Errorf("%s: %T is not a *ingest.RowError", c.file, err)
		}
	}
	// An empty input and a header past line 50 are not registers either.
	long := strings.Repeat("note\n", 50) + "Recipient,Supplier\n"
	for _, in := range []string{"", long} {
		if _, err := Read(strings.NewReader(in), "x.csv"); err == nil || !strings.Contains(err.Error(), "x.csv: not a SIPRI trade register") {
			t.Errorf("err = %v", err)
		}
	}
}

func TestDeliveriesFixture(t *testing.T) {
	reg := mustRead(t, "testdata/deliveries_small.csv")
	if reg.Layout != aftermath.ArmsLayoutDeliveries || reg.Recipients != "Ukraine" || reg.FromYear != 2000 ||
		reg.ToYear != 2024 || reg.Generated != "2025-02-17T19:10:21" || len(reg.Deals) != 2 {
		t.Fatalf("%+v", *reg)
	}
	d := reg.Deals[0]
	want := aftermath.ArmsDeal{
		Key: "id:100", SIPRIID: "100", Line: 4, Supplier: "Australia", Recipient: "Ukraine",
		SupplierISO3: "AUS", RecipientISO3: "UKR", OrderYear: 2022,
		Designation: "Bushmaster", Description: "APC", Category: "Armoured vehicles",
		NumberDelivered: i64(120), NumberDeliveredUncertain: true, DeliveryYears: []int{2022, 2023},
		Status: "Second hand", TIVUnit: milli(140), TIVDelivered: milli(16800),
		SIPRIEstimate: "0.35", LocalProduction: "No",
		Deliveries: []aftermath.ArmsDelivery{
			{Year: 2022, Number: i64(70), NumberUncertain: true, TIV: milli(9800)},
			{Year: 2023, Number: i64(50), TIV: milli(7000)},
		},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("deal 100:\n got %+v\nwant %+v", d, want)
	}
	e := reg.Deals[1]
	if e.Key != "id:200" || e.SupplierISO3 != "ARE" || !e.OrderYearUncertain || !e.DeliveryYearsUncertain ||
		e.NumberDelivered != nil || e.TIVDelivered != nil || e.NumberOrdered != nil || e.TIVOrder != nil ||
		e.LocalProduction != "Yes" || len(e.Deliveries) != 1 || e.Deliveries[0].TIV != nil {
		t.Errorf("deal 200: %+v", e)
	}
}

func TestSpread(t *testing.T) {
	for _, c := range []struct {
		total aftermath.MilliTIV
		n     int
		want  []aftermath.MilliTIV
	}{
		{25500, 3, []aftermath.MilliTIV{8500, 8500, 8500}},
		{10000, 3, []aftermath.MilliTIV{3334, 3333, 3333}},
		{2, 3, []aftermath.MilliTIV{1, 1, 0}},
		{0, 2, []aftermath.MilliTIV{0, 0}},
		{5, 0, nil},
	} {
		if got := spread(c.total, c.n); !reflect.DeepEqual(got, c.want) {
			t.Errorf("spread(%d, %d) = %v, want %v", c.total, c.n, got, c.want)
		}
	}
}

func TestParseTIV(t *testing.T) {
	for v, want := range map[string]aftermath.MilliTIV{"0": 0, "27": 27000, "25.5": 25500, "0.03": 30, "3.333": 3333, "1.0": 1000} {
		if got, msg := parseTIV(v); msg != "" || got != want {
			t.Errorf("parseTIV(%q) = %d, %q", v, got, msg)
		}
	}
	for _, v := range []string{"1.2345", "-1", "1e3", "1,5", "x", "1.", "99999999999999999999"} {
		if _, msg := parseTIV(v); msg == "" {
			t.Errorf("parseTIV(%q) accepted", v)
		}
	}
}

func TestLimits(t *testing.T) {
	data, err := os.ReadFile("testdata/classic_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer func(b int64, d, l int) { maxBytes, maxDeals, maxLine = b, d, l }(maxBytes, maxDeals, maxLine)

	maxBytes = 300
	_, err = Read(bytes.NewReader(data), "big.csv")
	if err == nil || err.Error() != "big.csv: the file is larger than 300 bytes, the limit of one SIPRI export" {
		t.Errorf("size: %v", err)
	}
	maxBytes = int64(len(data))
	if _, err := Read(bytes.NewReader(data), "exact.csv"); err != nil {
		t.Errorf("a file of exactly the limit: %v", err)
	}

	maxBytes, maxDeals = MaxBytes, 3
	_, err = Read(bytes.NewReader(data), "many.csv")
	if err == nil || err.Error() != "many.csv:8: more than 3 deals, the limit of one SIPRI export" {
		t.Errorf("deals: %v", err)
	}

	maxDeals, maxLine = MaxDeals, 100
	_, err = Read(bytes.NewReader(data), "line.csv")
	if err == nil || !strings.HasPrefix(err.Error(), "line.csv:1: the line is longer than 100 bytes") {
		t.Errorf("line: %v", err)
	}
}

func TestISO3(t *testing.T) {
	for name, want := range map[string]string{
		"United States": "USA", "Ukraine": "UKR", "South Korea": "KOR", "Kosovo": "XKX",
		"Bosnia-Herzegovina": "BIH", "Congo": "COG", "Cote d'Ivoire": "CIV", "DR Congo": "COD",
		"Turkiye": "TUR", "UAE": "ARE", "Viet Nam": "VNM", "eSwatini": "SWZ", "Saint Vincent": "VCT",
		"Soviet Union": "", "Czechoslovakia": "", "Yugoslavia": "", "East Germany (GDR)": "",
		"South Vietnam": "", "North Yemen": "", "South Yemen": "", "Yemen Arab Republic (North Yemen)": "",
		"Northern Cyprus": "", "Biafra": "", "Katanga": "", "Houthi rebels (Yemen)*": "",
		"Libya HoR*": "", "NATO**": "", "United Nations**": "", "unknown supplier(s)": "",
		"unknown recipient(s)": "", "Atlantis": "",
	} {
		if got := ISO3(name); got != want {
			t.Errorf("ISO3(%q) = %q, want %q", name, got, want)
		}
	}
}

// rawRows reads a real register with encoding/csv alone (Latin-1 decoded
// byte by byte) and returns the header and the data records after it,
// each with its line.
func rawRows(t *testing.T, path, first string) ([]string, [][]string, []int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	cr := csv.NewReader(strings.NewReader(string(rs)))
	cr.FieldsPerRecord = -1
	var head []string
	var recs [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if err != nil {
			break
		}
		line, _ := cr.FieldPos(0)
		if head == nil {
			if rec[0] == first {
				head = rec
			}
			continue
		}
		recs, lines = append(recs, rec), append(lines, line)
	}
	return head, recs, lines
}

// ratSum adds decimal strings exactly.
func ratSum(t *testing.T, vs []string) *big.Rat {
	sum := new(big.Rat)
	for _, v := range vs {
		if v == "" {
			continue
		}
		r, ok := new(big.Rat).SetString(v)
		if !ok {
			t.Fatalf("not a decimal: %q", v)
		}
		sum.Add(sum, r)
	}
	return sum
}

func milliRat(m aftermath.MilliTIV) *big.Rat { return big.NewRat(int64(m), 1000) }

func TestRealClassic(t *testing.T) {
	path := shareddata.Path(t, "sipri/trade-register-all-2025-03.csv")
	reg := mustRead(t, path)
	if reg.Title != "Transfers of major conventional arms from All countries to All countries . Deals with deliveries made for the year range 'Not specified' to 'Not specified'" ||
		reg.Suppliers != "All countries" || reg.Recipients != "All countries" || reg.FromYear != 0 || reg.ToYear != 0 ||
		reg.Generated != "2025-03-13T10:02:49" || reg.Layout != aftermath.ArmsLayoutRegister {
		t.Errorf("scope: %q %q %q %d %d %q", reg.Title, reg.Suppliers, reg.Recipients, reg.FromYear, reg.ToYear, reg.Generated)
	}

	// Independently: full records count once, and a short record plus the
	// short one after it count once together.
	head, recs, _ := rawRows(t, path, "Recipient")
	deals, short := 0, 0
	var delivered, saudi []string
	for i := 0; i < len(recs); i++ {
		r := recs[i]
		if len(r) < len(head) {
			r = append(r[:len(r)-1:len(r)-1], append([]string{r[len(r)-1] + recs[i+1][0]}, recs[i+1][1:]...)...)
			i++
			short++
		}
		deals++
		delivered = append(delivered, r[15])
		if r[0] == "Saudi Arabia" && (r[1] == "United States" || r[1] == "United Kingdom") {
			saudi = append(saudi, r[15])
		}
	}
	// python3 (csv module, Latin-1, rejoining the 4 broken records) gives
	// 29515 deals, 2092211.45 TIV delivered in all, 60504.65 of it to Saudi
	// Arabia from the United States and the United Kingdom.
	if deals != 29515 || short != 4 || len(reg.Deals) != deals {
		t.Errorf("%d deals read, %d counted (%d rejoined); python: 29515", len(reg.Deals), deals, short)
	}
	var total, sa, spreadSum aftermath.MilliTIV
	keys := map[string]bool{}
	repeats := 0
	var rejoined []int
	for _, d := range reg.Deals {
		if d.TIVDelivered != nil {
			total += *d.TIVDelivered
			if d.Recipient == "Saudi Arabia" && (d.Supplier == "United States" || d.Supplier == "United Kingdom") {
				sa += *d.TIVDelivered
			}
		}
		for _, del := range d.Deliveries {
			if del.TIV != nil {
				spreadSum += *del.TIV
			}
		}
		if keys[d.Key] {
			t.Errorf("key %s twice", d.Key)
		}
		keys[d.Key] = true
		if strings.Contains(d.Key, "#") {
			repeats++
		}
		if strings.Contains(d.Comments, "\n") {
			rejoined = append(rejoined, d.Line)
		}
	}
	if total != 2092211450 || milliRat(total).Cmp(ratSum(t, delivered)) != 0 {
		t.Errorf("TIV delivered = %d milli, want 2092211450 (%s)", total, ratSum(t, delivered).FloatString(3))
	}
	if sa != 60504650 || milliRat(sa).Cmp(ratSum(t, saudi)) != 0 {
		t.Errorf("Saudi Arabia from US and UK = %d milli, want 60504650", sa)
	}
	// Deals with no delivery year all have 0 delivered (python: 1164 such
	// rows, none above 0), so the spread parts sum to the total exactly.
	if spreadSum != total {
		t.Errorf("deliveries sum to %d, deals to %d", spreadSum, total)
	}
	// python: 104 rows repeat the six key fields of an earlier row.
	if repeats != 104 {
		t.Errorf("%d keys with #n, want 104", repeats)
	}
	if !reflect.DeepEqual(rejoined, []int{5432, 21488, 25178, 27955}) {
		t.Errorf("rejoined records at lines %v", rejoined)
	}

	found := false
	for _, d := range reg.Deals {
		if d.Line != 5432 {
			continue
		}
		found = true
		if d.Recipient != "Cote d'Ivoire" || d.RecipientISO3 != "CIV" || d.Supplier != "United States" ||
			d.Comments != "Cummins (275hp) diesel engine for 12 Puma M-36 APC from South Africa\n" ||
			*d.TIVUnit != 30 || *d.TIVOrder != 360 || *d.TIVDelivered != 0 || !d.OrderYearUncertain ||
			!d.NumberOrderedUncertain || *d.NumberOrdered != 12 || *d.NumberDelivered != 0 || d.DeliveryYears != nil {
			t.Errorf("Cote d'Ivoire: %+v", d)
		}
	}
	if !found {
		t.Error("no deal at line 5432")
	}
	// Line 14: Afghanistan, Soviet Union, 1987?, 3 An-26, delivered 1987.
	d := reg.Deals[1]
	if d.Line != 14 || d.Supplier != "Soviet Union" || d.OrderYear != 1987 || !d.OrderYearUncertain ||
		d.NumberOrderedUncertain || *d.TIVUnit != 8500 || *d.TIVDelivered != 25500 ||
		!reflect.DeepEqual(d.DeliveryYears, []int{1987}) || *d.Deliveries[0].TIV != 25500 {
		t.Errorf("line 14: %+v", d)
	}
	checkISO3(t, reg)
}

// checkISO3 checks that every party that is not marked or historical maps
// to a state.
func checkISO3(t *testing.T, reg *aftermath.ArmsRegister) {
	t.Helper()
	for _, d := range reg.Deals {
		for _, n := range []string{d.Supplier, d.Recipient} {
			if !strings.HasSuffix(n, "*") && !notStates[n] && ISO3(n) == "" {
				t.Errorf("no ISO3 for %q", n)
			}
		}
	}
}

func TestRealDeliveries(t *testing.T) {
	path := shareddata.Path(t, "sipri/trade-register-ukraine-2000-2024.csv")
	reg := mustRead(t, path)
	if reg.Layout != aftermath.ArmsLayoutDeliveries || reg.Suppliers != "All countries" || reg.Recipients != "Ukraine" ||
		reg.FromYear != 2000 || reg.ToYear != 2024 || reg.Generated != "2025-02-17T19:10:21" {
		t.Errorf("scope: %+v", *reg)
	}
	_, recs, _ := rawRows(t, path, "SIPRI AT Database ID")
	ids := map[string]bool{}
	var values []string
	for _, r := range recs {
		ids[r[0]] = true
		values = append(values, r[15])
	}
	// python3: 382 rows, 323 deal ids, 6998.29 TIV delivered.
	if len(recs) != 382 || len(ids) != 323 || len(reg.Deals) != 323 {
		t.Errorf("%d deals, %d ids in %d rows; python: 323 in 382", len(reg.Deals), len(ids), len(recs))
	}
	var total aftermath.MilliTIV
	rows := 0
	for _, d := range reg.Deals {
		if d.TIVDelivered != nil {
			total += *d.TIVDelivered
		}
		rows += len(d.Deliveries)
	}
	if total != 6998290 || milliRat(total).Cmp(ratSum(t, values)) != 0 || rows != 382 {
		t.Errorf("TIV delivered = %d milli in %d deliveries, want 6998290 in 382", total, rows)
	}
	found := false
	for _, d := range reg.Deals {
		if d.SIPRIID != "65361" {
			continue
		}
		found = true
		want := []aftermath.ArmsDelivery{
			{Year: 2022, Number: i64(70), NumberUncertain: true, TIV: milli(9800)},
			{Year: 2023, Number: i64(50), NumberUncertain: true, TIV: milli(7000)},
		}
		if d.Key != "id:65361" || d.Line != 14 || d.Designation != "Bushmaster" || *d.TIVDelivered != 16800 ||
			*d.NumberDelivered != 120 || *d.TIVUnit != 140 || d.SIPRIEstimate != "0.35" ||
			!reflect.DeepEqual(d.Deliveries, want) || !reflect.DeepEqual(d.DeliveryYears, []int{2022, 2023}) {
			t.Errorf("65361: %+v", d)
		}
	}
	if !found {
		t.Error("no deal 65361")
	}
	checkISO3(t, reg)
}
