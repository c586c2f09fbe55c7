package importer_test

import (
	"archive/zip"
	"compress/flate"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func importFile(t *testing.T, db *sqldb.DB, dataset, file string, opt importer.Options) aftermath.ImportCounts {
	t.Helper()
	opt.Dataset = dataset
	res, err := importer.Import(context.Background(), db, file, opt)
	if err != nil {
		t.Fatalf("import %s: %v", file, err)
	}
	return res.Counts
}

func stats(t *testing.T, db *sqldb.DB, dataset string, by ...string) map[string][5]int64 {
	t.Helper()
	rows, err := db.Stats(context.Background(), aftermath.StatsFilter{Dataset: dataset, By: by})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][5]int64{}
	for _, r := range rows {
		out[strings.Join(r.Keys, "|")] = [5]int64{r.Events, r.DeathsBest, r.DeathsLow, r.DeathsHigh, r.DeathsCivilians}
	}
	return out
}

// gedSums sums a GED CSV straight from its rows, without the reader under
// test: events, best, low, high, civilians by country|year|violence type.
func gedSums(t *testing.T, path string) map[string][5]int64 {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var rc io.ReadCloser
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".csv") && !strings.HasPrefix(f.Name, "__MACOSX/") {
			if rc, err = f.Open(); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer rc.Close()
	r := csv.NewReader(rc)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	names := map[string]string{"1": "state-based", "2": "non-state", "3": "one-sided"}
	out := map[string][5]int64{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		k := rec[col["country"]] + "|" + rec[col["year"]] + "|" + names[rec[col["type_of_violence"]]]
		v := out[k]
		v[0]++
		for i, c := range []string{"best", "low", "high", "deaths_civilians"} {
			n, err := strconv.ParseInt(rec[col[c]], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			v[i+1] += n
		}
		out[k] = v
	}
	return out
}

func TestRealGEDTotals(t *testing.T) {
	files := []string{
		sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip"),
		sqldbtest.SharedData(t, "ucdp/GEDEvent_v22_0_2.csv.zip"),
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		want := map[string][5]int64{}
		wantEvents := []int64{17407, 984}
		for i, f := range files {
			c := importFile(t, db, aftermath.DatasetUCDP, f, importer.Options{})
			if c.Read != wantEvents[i] || c.Inserted != wantEvents[i] || c.Rejected != 0 {
				t.Errorf("%s: counts %+v, want %d read and inserted", f, c, wantEvents[i])
			}
			for k, v := range gedSums(t, f) {
				w := want[k]
				for j := range v {
					w[j] += v[j]
				}
				want[k] = w
			}
		}
		got := stats(t, db, aftermath.DatasetUCDP, "country", "year", "violence_type")
		if len(got) != len(want) {
			t.Errorf("stats has %d groups, the files have %d", len(got), len(want))
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: stats %v, file rows sum to %v", k, got[k], w)
			}
		}
		// Independently known: UCDP's Mali 2021 best estimates.
		if b := got["Mali|2021|state-based"][1]; b != 727 {
			t.Errorf("Mali 2021 state-based best = %d, want 727", b)
		}
		if b := got["Mali|2021|one-sided"][1]; b != 213 {
			t.Errorf("Mali 2021 one-sided best = %d, want 213", b)
		}
		// Actors and places became records linked to events.
		e, err := db.Event(context.Background(), aftermath.System, aftermath.DatasetUCDP, "412700")
		if err != nil {
			t.Fatal(err)
		}
		if e.Version != "21.01.21.12" || len(e.Actors) != 2 || e.Actors[0].Name != "Government of Iraq" || e.Actors[1].Name != "IS" {
			t.Errorf("event 412700 = version %q actors %+v", e.Version, e.Actors)
		}
		a, err := db.ActorByAlias(context.Background(), aftermath.DatasetUCDP, "Government of Mali")
		if err != nil {
			t.Fatal(err)
		}
		if len(a.ExternalIDs) != 1 || a.ExternalIDs[0].Scheme != "ucdp" {
			t.Errorf("Government of Mali external ids = %+v", a.ExternalIDs)
		}
		countries, err := db.Places(context.Background(), aftermath.PlaceCountry, 0)
		if err != nil {
			t.Fatal(err)
		}
		var mali *aftermath.Place
		for i := range countries {
			if countries[i].Name == "Mali" {
				mali = &countries[i]
			}
		}
		if mali == nil || mali.ISOAlpha3 != "MLI" || mali.GWCode != 432 || mali.ISONumeric != 466 {
			t.Errorf("Mali place = %+v", mali)
		}
	})
}

func fixture(name string) string { return filepath.Join("testdata", name) }

func TestBadRowLeavesDatabaseAsItWas(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		importFile(t, db, aftermath.DatasetUCDP, fixture("GEDEvent_v23_1.csv"), importer.Options{})
		before := sqldbtest.Snapshot(t, db)
		bad := fixture("GEDEvent_v23_1_bad.csv")
		_, err := importer.Import(context.Background(), db, bad, importer.Options{Dataset: aftermath.DatasetUCDP})
		want := bad + `:3: column "best": "abc" is not a number`
		if err == nil || err.Error() != want {
			t.Fatalf("error = %v, want %s", err, want)
		}
		if after := sqldbtest.Snapshot(t, db); after != before {
			t.Errorf("a failed import changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}

func TestSkipBadRows(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		rejects := filepath.Join(t.TempDir(), "rejected.csv")
		c := importFile(t, db, aftermath.DatasetUCDP, fixture("GEDEvent_v23_1_bad.csv"),
			importer.Options{SkipBadRows: true, RejectsPath: rejects})
		if c != (aftermath.ImportCounts{Read: 3, Inserted: 2, Rejected: 1}) {
			t.Errorf("counts = %+v", c)
		}
		f, err := os.Open(rejects)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[0][0] != "line" || recs[0][1] != "error" || recs[0][2] != "id" {
			t.Fatalf("rejects file = %q", recs)
		}
		if recs[1][0] != "3" || !strings.HasSuffix(recs[1][1], `:3: column "best": "abc" is not a number`) || recs[1][2] != "1006" ||
			!strings.Contains(recs[1][17], "Two-line\nheadline") {
			t.Errorf("rejected row = %q", recs[1])
		}
		if _, err := db.Event(context.Background(), aftermath.System, aftermath.DatasetUCDP, "1007"); err != nil {
			t.Errorf("the row after the bad one was not imported: %v", err)
		}
	})
}

func TestReimportChangesNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := fixture("GEDEvent_v23_1.csv")
		first := importFile(t, db, aftermath.DatasetUCDP, f, importer.Options{})
		if first != (aftermath.ImportCounts{Read: 5, Inserted: 5}) {
			t.Errorf("first import: %+v", first)
		}
		before := sqldbtest.Snapshot(t, db)
		again := importFile(t, db, aftermath.DatasetUCDP, f, importer.Options{})
		if again != (aftermath.ImportCounts{Read: 5, Unchanged: 5}) {
			t.Errorf("second import: %+v", again)
		}
		if after := sqldbtest.Snapshot(t, db); after != before {
			t.Errorf("re-importing changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}

func TestNewerVersionUpdatesChangedEvents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		importFile(t, db, aftermath.DatasetUCDP, fixture("GEDEvent_v23_1.csv"), importer.Options{})
		c := importFile(t, db, aftermath.DatasetUCDP, fixture("GEDEvent_v24_1.csv"), importer.Options{})
		if c != (aftermath.ImportCounts{Read: 6, Inserted: 1, Updated: 2, Unchanged: 3}) {
			t.Errorf("v24.1 import: %+v", c)
		}
		for id, ver := range map[string]string{"1001": "24.1", "1002": "23.1", "1004": "24.1", "1008": "24.1"} {
			e, err := db.Event(ctx, aftermath.System, aftermath.DatasetUCDP, id)
			if err != nil {
				t.Fatal(err)
			}
			if e.Version != ver {
				t.Errorf("event %s comes from version %s, want %s", id, e.Version, ver)
			}
		}
		want := map[string][5]int64{
			"Mali|2023-01|state-based": {1, 8, 7, 9, 0},
			"Mali|2023-01|one-sided":   {1, 12, 10, 15, 12},
			"Mali|2023-02|non-state":   {1, 10, 8, 14, 0},
			// 1004 moved from February to March: February must be gone.
			"Somalia|2023-03|state-based": {1, 5, 5, 5, 1},
			"Somalia|2023-03|one-sided":   {1, 22, 20, 30, 20},
			"Somalia|2023-04|state-based": {1, 2, 2, 4, 0},
		}
		got := stats(t, db, "", "country", "month", "violence_type")
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("aggregates after update:\n got %v\nwant %v", got, want)
		}
		// An older release imported later does not overwrite newer data.
		before := stats(t, db, "", "country", "month", "violence_type")
		c = importFile(t, db, aftermath.DatasetUCDP, fixture("GEDEvent_v23_1.csv"), importer.Options{})
		if c.Updated != 0 || c.Inserted != 0 {
			t.Errorf("re-importing 23.1 after 24.1: %+v", c)
		}
		if after := stats(t, db, "", "country", "month", "violence_type"); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("older release changed aggregates: %v", after)
		}
	})
}

func TestVersionIsRequired(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	dir := t.TempDir()
	f := filepath.Join(dir, "events.csv")
	data, err := os.ReadFile(fixture("GEDEvent_v23_1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = importer.Import(context.Background(), db, f, importer.Options{Dataset: aftermath.DatasetUCDP})
	if err == nil || !strings.Contains(err.Error(), "--version") || aftermath.ErrorCode(err) != aftermath.EINVALID {
		t.Fatalf("error = %v, want a request for --version", err)
	}
	c := importFile(t, db, aftermath.DatasetUCDP, f, importer.Options{Version: "23.1"})
	if c.Inserted != 5 {
		t.Errorf("with --version: %+v", c)
	}
}

func TestZipWithStrayEntries(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	zpath := filepath.Join(t.TempDir(), "GEDEvent_v23_1.csv.zip")
	zf, err := os.Create(zpath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	data, _ := os.ReadFile(fixture("GEDEvent_v23_1.csv"))
	for name, body := range map[string][]byte{
		"GEDEvent_v23_1.csv":            data,
		"__MACOSX/._GEDEvent_v23_1.csv": []byte("\x00\x05\x16\x07junk"),
		"readme/.DS_Store":              []byte("junk"),
	} {
		w, _ := zw.Create(name)
		w.Write(body)
	}
	zw.Close()
	zf.Close()
	c := importFile(t, db, aftermath.DatasetUCDP, zpath, importer.Options{})
	if c.Inserted != 5 {
		t.Errorf("zip import: %+v", c)
	}
}

func TestDuplicateIDInFile(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	data, _ := os.ReadFile(fixture("GEDEvent_v23_1.csv"))
	lines := strings.SplitAfter(string(data), "\n")
	f := filepath.Join(t.TempDir(), "GEDEvent_v23_1.csv")
	// Repeat the last event (line 7) as line 8.
	os.WriteFile(f, []byte(string(data)+lines[len(lines)-2]), 0o644)
	_, err := importer.Import(context.Background(), db, f, importer.Options{Dataset: aftermath.DatasetUCDP})
	if want := f + `:8: column "id": "1005" appears twice in this file`; err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %s", err, want)
	}
}

func TestACLEDImport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		for _, tc := range []struct {
			file    string
			version string
		}{
			{"../ingest/acled/testdata/current.csv", "2024-06-30"},
			{"../ingest/acled/testdata/v6_dyadic.csv", "2016-01-01"},
			{"../ingest/acled/testdata/monadic.csv", "2015-01-01"},
		} {
			c := importFile(t, db, aftermath.DatasetACLED, tc.file, importer.Options{Version: tc.version})
			if c.Inserted == 0 || c.Rejected != 0 {
				t.Errorf("%s: %+v", tc.file, c)
			}
		}
		rows := stats(t, db, aftermath.DatasetACLED)
		total := rows[""]
		if total[0] == 0 || total[1] != total[2] || total[1] != total[3] {
			t.Errorf("ACLED totals %v: fatalities must be low = best = high", total)
		}
		// Civilian deaths come only from events ACLED marks as civilian targeting.
		byType := stats(t, db, aftermath.DatasetACLED, "violence_type")
		if v := byType["Battles"]; v[0] > 0 && v[4] != 0 {
			t.Errorf("battles counted civilian deaths: %v", v)
		}
	})
}

// TestEndlessLineInAZIP: a small ZIP holding one line of hundreds of MB
// fails at the record limit with FILE:LINE, leaves the database as it
// was, and never holds the line in memory.
func TestEndlessLineInAZIP(t *testing.T) {
	const size = 300 << 20
	zpath := filepath.Join(t.TempDir(), "GEDEvent_v23_1.csv.zip")
	f, err := os.Create(zpath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	w, err := zw.Create("GEDEvent_v23_1.csv")
	if err != nil {
		t.Fatal(err)
	}
	head, _ := os.ReadFile(fixture("GEDEvent_v23_1.csv"))
	io.WriteString(w, strings.SplitAfter(string(head), "\n")[0]) // the header
	chunk := []byte(strings.Repeat("1", 1<<16))
	for n := 0; n < size; n += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	db := sqldbtest.Open(t, sqldb.SQLite)
	runtime.GC()
	var before, m runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := before.HeapAlloc
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	_, err = importer.Import(context.Background(), db, zpath, importer.Options{Dataset: aftermath.DatasetUCDP})
	close(stop)
	<-sampled
	if grew := peak - min(peak, before.HeapAlloc); grew > 48<<20 {
		t.Errorf("heap grew by %d MB importing a line of %d MB", grew>>20, size>>20)
	}
	want := zpath + "/GEDEvent_v23_1.csv:2: the record is longer than 1 MiB, the limit of one record (is this a CSV file?)"
	if err == nil || err.Error() != want {
		t.Errorf("import: %v\nwant %s", err, want)
	}
	if n, _, _ := db.CountEvents(context.Background(), sqldb.EventFilter{}, 0); n != 0 {
		t.Errorf("%d events after a failed import", n)
	}
}
