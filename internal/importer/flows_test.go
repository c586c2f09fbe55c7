package importer_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
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

// The flows tests check the store's sums against sums computed here from
// the raw files with encoding/csv and encoding/xml alone, sharing no code
// with the readers.

func milli(t *testing.T, s string) int64 {
	t.Helper()
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("TIV %q: %v", s, err)
	}
	return int64(math.Round(f * 1000))
}

// flowMap keys rows by their joined keys (and currency).
func flowMap(t *testing.T, db *sqldb.DB, q aftermath.FlowQuery) map[string]aftermath.FlowRow {
	t.Helper()
	rows, err := db.Flows(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]aftermath.FlowRow{}
	for _, r := range rows {
		m[strings.Join(r.Keys, "|")+"|"+r.Currency] = r
	}
	return m
}

func TestSIPRIFlowsEqualRawSums(t *testing.T) {
	all := sqldbtest.SharedData(t, "sipri/trade-register-all-2025-03.csv")
	ukraine := sqldbtest.SharedData(t, "sipri/trade-register-ukraine-2000-2024.csv")
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		// The newer layout alone: one row per deal and delivery year.
		res, err := importer.ImportSIPRI(ctx, db, aftermath.ImportAs{}, ukraine)
		if err != nil {
			t.Fatal(err)
		}
		rows := shareddata.SIPRIRows(t, ukraine)
		type sums struct {
			deals       map[string]bool
			number, tiv int64
		}
		want := map[string]*sums{}
		for _, r := range rows {
			k := r["Supplier"] + "|" + r["Recipient"] + "|"
			s := want[k]
			if s == nil {
				s = &sums{deals: map[string]bool{}}
				want[k] = s
			}
			s.deals[r["SIPRI AT Database ID"]] = true
			if n := r["Numbers delivered"]; n != "" {
				v, _ := strconv.ParseInt(n, 10, 64)
				s.number += v
			}
			s.tiv += milli(t, r["TIV delivery values"])
		}
		var nDeals int64
		for _, s := range want {
			nDeals += int64(len(s.deals))
		}
		if res.Counts.Read != nDeals || res.Counts.Inserted != nDeals {
			t.Fatalf("ukraine import: %+v, want %d deals read and inserted", res.Counts, nDeals)
		}
		got := flowMap(t, db, aftermath.FlowQuery{Kind: aftermath.FlowsArms, By: []string{"supplier", "recipient"}})
		if len(got) != len(want) {
			t.Errorf("%d supplier-recipient rows, raw file has %d", len(got), len(want))
		}
		for k, w := range want {
			g := got[k]
			if g.Deals != int64(len(w.deals)) || g.NumberDelivered != w.number || int64(g.TIVDelivered) != w.tiv || g.TIVOrder != 0 {
				t.Errorf("%s: got %d deals, %d delivered, TIV %s ordered %s; raw %d, %d, %d", k, g.Deals, g.NumberDelivered, g.TIVDelivered, g.TIVOrder, len(w.deals), w.number, w.tiv)
			}
		}

		// The classic register over all countries covers Ukraine's: once
		// both are stored, only its deals count.
		res, err = importer.ImportSIPRI(ctx, db, aftermath.ImportAs{}, all)
		if err != nil {
			t.Fatal(err)
		}
		rows = shareddata.SIPRIRows(t, all)
		if res.Counts.Read != int64(len(rows)) || res.Counts.Inserted != int64(len(rows)) {
			t.Fatalf("register import: %+v, want %d deals", res.Counts, len(rows))
		}
		type armsSum struct{ deals, number, order, delivered int64 }
		wantAll := map[string]*armsSum{}
		for _, r := range rows {
			k := r["Supplier"] + "|" + r["Year of order"] + "|"
			s := wantAll[k]
			if s == nil {
				s = &armsSum{}
				wantAll[k] = s
			}
			s.deals++
			if n := r["Number delivered"]; n != "" {
				v, _ := strconv.ParseInt(n, 10, 64)
				s.number += v
			}
			s.order += milli(t, r["SIPRI TIV for total order"])
			s.delivered += milli(t, r["SIPRI TIV of delivered weapons"])
		}
		gotAll := flowMap(t, db, aftermath.FlowQuery{Kind: aftermath.FlowsArms, By: []string{"supplier", "order_year"}})
		if len(gotAll) != len(wantAll) {
			t.Errorf("%d supplier-year rows, raw file has %d", len(gotAll), len(wantAll))
		}
		for k, w := range wantAll {
			g := gotAll[k]
			if g.Deals != w.deals || g.NumberDelivered != w.number || int64(g.TIVOrder) != w.order || int64(g.TIVDelivered) != w.delivered {
				t.Errorf("%s: got %d/%d/%s/%s, raw %d/%d/%d/%d", k, g.Deals, g.NumberDelivered, g.TIVOrder, g.TIVDelivered, w.deals, w.number, w.order, w.delivered)
			}
		}

		// Hand-checked (python3 over the raw file): the United States'
		// deals with Saudi Arabia ordered 2015–2024 are 31, with 34,709
		// weapons delivered, 9,046.47 million TIV ordered and 4,512.1
		// delivered.
		us := flowMap(t, db, aftermath.FlowQuery{Kind: aftermath.FlowsArms, Supplier: "united states", Recipient: "sau", From: 2015, To: 2024})
		if g := us["|"]; g.Deals != 31 || g.NumberDelivered != 34709 || g.TIVOrder.String() != "9046.47" || g.TIVDelivered.String() != "4512.1" {
			t.Errorf("United States to Saudi Arabia 2015-2024: %+v", g)
		}

		// By delivery year, the spread parts add up to each deal's
		// delivered TIV exactly: United States to Saudi Arabia, every year.
		years, err := db.ArmsDeliveries(ctx, aftermath.DeliveryQuery{Suppliers: []string{"USA"}, Recipients: []string{"Saudi Arabia"}})
		if err != nil {
			t.Fatal(err)
		}
		var spread aftermath.MilliTIV
		estimates := 0
		for _, y := range years {
			spread += y.TIV
			if y.Estimate {
				estimates++
			}
			if y.Supplier != "United States" {
				t.Errorf("delivery year %+v", y)
			}
		}
		// Years with a deal delivered over several years are estimates;
		// 1955's one deal, delivered that year, is SIPRI's own figure.
		if estimates == 0 || estimates == len(years) || !slices.ContainsFunc(years, func(y aftermath.DeliveryYear) bool { return y.Year == 1955 && !y.Estimate }) {
			t.Errorf("%d of %d delivery years estimated: %+v", estimates, len(years), years)
		}
		whole := flowMap(t, db, aftermath.FlowQuery{Kind: aftermath.FlowsArms, Supplier: "United States", Recipient: "SAU"})
		if spread != whole["|"].TIVDelivered || spread == 0 {
			t.Errorf("deliveries by year sum to %s, deals to %s", spread, whole["|"].TIVDelivered)
		}

		// The same file again changes nothing.
		res, err = importer.ImportSIPRI(ctx, db, aftermath.ImportAs{}, all)
		if err != nil {
			t.Fatal(err)
		}
		if c := res.Counts; c.Unchanged != int64(len(rows)) || c.Inserted+c.Updated+c.Removed != 0 {
			t.Errorf("re-import: %+v", c)
		}
	})
}

// rawIATI scans an activity file with encoding/xml tokens: every
// transaction's type, year, currency (its own or the default), value,
// recipient country and reporting org.
type rawTx struct {
	org, typ, year, currency, country string
	value                             float64
}

func rawIATI(t *testing.T, path string) []rawTx {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	var out []rawTx
	var org, def string
	var cur *rawTx
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			attr := func(n string) string {
				for _, a := range e.Attr {
					if a.Name.Local == n {
						return a.Value
					}
				}
				return ""
			}
			stack = append(stack, e.Name.Local)
			switch e.Name.Local {
			case "iati-activity":
				def = attr("default-currency")
			case "reporting-org":
				org = attr("ref")
			case "transaction":
				cur = &rawTx{org: org, currency: def}
			case "transaction-type":
				cur.typ = attr("code")
			case "transaction-date":
				cur.year = attr("iso-date")[:4]
			case "value":
				if cur != nil && attr("currency") != "" {
					cur.currency = attr("currency")
				}
			case "recipient-country":
				if cur != nil {
					cur.country = attr("code")
				}
			}
		case xml.CharData:
			if cur != nil && len(stack) > 0 && stack[len(stack)-1] == "value" {
				v, err := strconv.ParseFloat(strings.TrimSpace(string(e)), 64)
				if err != nil {
					t.Fatal(err)
				}
				cur.value = v
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if e.Name.Local == "transaction" {
				out = append(out, *cur)
				cur = nil
			}
		}
	}
	return out
}

func TestIATIFlowsEqualRawSums(t *testing.T) {
	var files []string
	for _, n := range []string{"usaid-bf.xml", "usaid-ne.xml", "usaid-ly.xml", "usaid-iq.xml", "acfspain-bf.xml", "acfspain-ml.xml"} {
		files = append(files, sqldbtest.SharedData(t, "iati/"+n))
	}
	codelists, err := filepath.Glob(filepath.Join(filepath.Dir(files[0]), "codelists", "*.xml"))
	if err != nil || len(codelists) != 5 {
		t.Fatalf("codelists: %v %v", codelists, err)
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		for _, f := range codelists {
			res, err := importer.ImportIATI(ctx, db, aftermath.ImportAs{}, f)
			if err != nil {
				t.Fatal(err)
			}
			if res.What != "codelist" || res.Counts.Read == 0 {
				t.Errorf("%s: %+v", f, res)
			}
		}
		type sum struct {
			n int64
			v float64
		}
		want := map[string]*sum{}
		byCountry := map[string]*sum{}
		for _, f := range files {
			res, err := importer.ImportIATI(ctx, db, aftermath.ImportAs{}, f)
			if err != nil {
				t.Fatal(err)
			}
			if res.What != "iati" || res.Counts.Inserted == 0 || res.Counts.Inserted != res.Counts.Read {
				t.Errorf("%s: %+v", f, res.Counts)
			}
			for _, tx := range rawIATI(t, f) {
				k := tx.org + "|" + tx.typ + "|" + tx.year + "|" + tx.currency
				if want[k] == nil {
					want[k] = &sum{}
				}
				want[k].n++
				want[k].v += tx.value
				if tx.country != "" {
					k := tx.country + "|" + tx.currency
					if byCountry[k] == nil {
						byCountry[k] = &sum{}
					}
					byCountry[k].n++
					byCountry[k].v += tx.value
				}
			}
		}
		got := flowMap(t, db, aftermath.FlowQuery{Kind: aftermath.FlowsAid, By: []string{"reporting_org", "transaction_type", "year"}})
		if len(got) != len(want) {
			t.Errorf("%d rows, raw files give %d", len(got), len(want))
		}
		for k, w := range want {
			g := got[k]
			if g.Transactions != w.n || math.Abs(g.Value-w.v) > 0.005 {
				t.Errorf("%s: got %d transactions, %.2f; raw %d, %.2f", k, g.Transactions, g.Value, w.n, w.v)
			}
		}
		// USAID's transactions each name their country.
		gotC := flowMap(t, db, aftermath.FlowQuery{Kind: aftermath.FlowsAid, Supplier: "US-GOV-1", By: []string{"recipient_country"}})
		for k, w := range byCountry {
			if g := gotC[k]; g.Transactions != w.n || math.Abs(g.Value-w.v) > 0.005 {
				t.Errorf("%s: got %d, %.2f; raw %d, %.2f", k, g.Transactions, g.Value, w.n, w.v)
			}
		}

		// Hand-checked (python3, ElementTree over usaid-ne.xml):
		// USAID's disbursements (type 3) in Niger under DAC 152xx security
		// codes other than 15220/15230 come to 700,000 USD in 4
		// transactions; under peacebuilding (15220) 2,280,220 USD in 17.
		ne := flowMap(t, db, aftermath.FlowQuery{Kind: aftermath.FlowsAid, Recipient: "NER", By: []string{"sector", "transaction_type"}})
		var secN int64
		var secV, peaceV float64
		var peaceN int64
		for _, r := range ne {
			if r.Keys[1] != "3" || r.Currency != "USD" {
				continue
			}
			switch s := r.Keys[0]; {
			case s == "15220" || s == "15230":
				peaceN += r.Transactions
				peaceV += r.Value
			case strings.HasPrefix(s, "152"):
				secN += r.Transactions
				secV += r.Value
			}
		}
		if secN != 4 || math.Abs(secV-700000) > 0.005 || peaceN != 17 || math.Abs(peaceV-2280220) > 0.005 {
			t.Errorf("Niger: security %d %.2f, peacebuilding %d %.2f", secN, secV, peaceN, peaceV)
		}

		// An activity with sectors by percentage and no transaction
		// sector (Action contre la Faim, Burkina Faso): each of its four
		// DAC sectors takes 25 % of every transaction, so the sum over
		// sectors equals the sum over transactions.
		acf := flowMap(t, db, aftermath.FlowQuery{Kind: aftermath.FlowsAid, Supplier: "ES-CIF-G81164105", Recipient: "BFA", By: []string{"sector"}})
		flat := flowMap(t, db, aftermath.FlowQuery{Kind: aftermath.FlowsAid, Supplier: "ES-CIF-G81164105", Recipient: "BFA"})
		var total float64
		for k, r := range acf {
			if !strings.HasPrefix(k, "1") {
				t.Errorf("ACF sector row %q", k)
			}
			total += r.Value
		}
		if len(acf) != 4 || math.Abs(total-flat["|EUR"].Value) > 0.005 || flat["|EUR"].Value == 0 {
			t.Errorf("ACF split: %d rows summing %.2f, whole %.2f", len(acf), total, flat["|EUR"].Value)
		}

		// Every file again: nothing changes.
		for _, f := range files {
			res, err := importer.ImportIATI(ctx, db, aftermath.ImportAs{}, f)
			if err != nil {
				t.Fatal(err)
			}
			if c := res.Counts; c.Inserted+c.Updated != 0 || c.Unchanged != c.Read {
				t.Errorf("re-import %s: %+v", f, c)
			}
		}
		_ = fmt.Sprint
	})
}
