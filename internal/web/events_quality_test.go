package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// The explorer's downloads write number_of_sources as the file published
// it (-1 for UCDP's "not known", an empty cell where the file had none),
// and its code_status and precise filters select on the raw events.
func TestEventsSourceCountsAndQualityFilters(t *testing.T) {
	const file = "../importer/testdata/GEDEvent_v23_1_full.csv"
	raw, err := csvFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, r := range raw {
		want[r["id"]] = r["number_of_sources"]
	}
	if want["9001"] != "-1" || want["9002"] != "" {
		t.Fatalf("fixture: %v", want)
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if _, err := importer.Import(context.Background(), db, file, importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
			t.Fatal(err)
		}
		srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		h := srv.Handler()
		for _, url := range []string{"/events.csv?dataset=ucdp", "/events.hxl.csv?dataset=ucdp"} {
			code, _, body := fetch(t, h, url)
			recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if code != 200 || err != nil || len(recs) < 2 {
				t.Fatalf("%s: %d %v", url, code, err)
			}
			col := slices.Index(recs[0], "number_of_sources")
			id := slices.Index(recs[0], "event_id")
			rows := recs[1:]
			if strings.Contains(url, "hxl") {
				if recs[1][col] != "#meta+sources+num" {
					t.Errorf("HXL tag %q", recs[1][col])
				}
				rows = recs[2:]
			}
			got := map[string]string{}
			for _, r := range rows {
				got[r[id]] = r[col]
			}
			if !maps.Equal(got, want) {
				t.Errorf("%s: number_of_sources %v, want %v", url, got, want)
			}
		}
		_, _, body := fetch(t, h, "/events.geojson?dataset=ucdp")
		var fc struct {
			Features []struct{ Properties map[string]string }
		}
		if err := json.Unmarshal([]byte(body), &fc); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range fc.Features {
			got[f.Properties["event_id"]] = f.Properties["number_of_sources"]
		}
		if !maps.Equal(got, want) {
			t.Errorf("GeoJSON number_of_sources %v, want %v", got, want)
		}

		for _, tc := range []struct {
			query string
			keep  func(map[string]string) bool
		}{
			{"code_status=Clear", func(r map[string]string) bool { return r["code_status"] == "Clear" }},
			{"code_status=Check+dyad", func(r map[string]string) bool { return r["code_status"] == "Check dyad" }},
			{"precise=1", func(r map[string]string) bool {
				return strings.Contains("12", r["where_prec"]) && strings.Contains("12", r["date_prec"])
			}},
		} {
			_, _, body := fetch(t, h, "/events?"+tc.query)
			n := 0
			for _, r := range raw {
				in := strings.Contains(body, ">"+r["id"]+"</a></td>")
				if in != tc.keep(r) {
					t.Errorf("%s: event %s listed %v", tc.query, r["id"], in)
				}
				if in {
					n++
				}
			}
			if n == 0 {
				t.Errorf("%s: no event listed; the case proves nothing", tc.query)
			}
			// The filter carries into the download links.
			if key, _, _ := strings.Cut(tc.query, "="); !strings.Contains(body, "/events.csv?"+key+"=") {
				t.Errorf("%s: download links lose the filter", tc.query)
			}
		}
	})
}

func csvFile(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out, nil
}
