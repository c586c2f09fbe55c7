package importer_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// gedRows writes a GED file of n one-line rows, copies of the fixture's
// first event with ids 5000000+i, except that row i takes row
// repeats[i]'s id; a row's line is its position + 2.
func gedRows(t *testing.T, name string, n int, repeats map[int]int) string {
	t.Helper()
	f, err := os.Open(fixture("GEDEvent_v23_1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(out)
	w.Write(recs[0])
	for i := range n {
		row := append([]string(nil), recs[1]...)
		for j := range row {
			row[j] = strings.ReplaceAll(row[j], "\n", " ")
		}
		id := i
		if r, ok := repeats[i]; ok {
			id = r
		}
		row[0] = strconv.Itoa(5_000_000 + id)
		w.Write(row)
	}
	w.Flush()
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRepeatedIDsAcrossBatches: an id met again far from its first row
// (batches apart) or close by stops the import at the later line, in a
// dataset with no events and in one with events, and is refused into the
// rejects file with --skip-bad-rows, the first row kept.
func TestRepeatedIDsAcrossBatches(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		const n = 4300 // more than two batches
		far := gedRows(t, "GEDEvent_v23_1.csv", n, map[int]int{3000: 3, 4200: 4190})
		want := fmt.Sprintf(`%s:3002: column "id": "5000003" appears twice in this file`, far)
		if _, err := importer.Import(ctx, db, far, importer.Options{Dataset: aftermath.DatasetUCDP}); err == nil || err.Error() != want {
			t.Fatalf("new dataset: error = %v, want %s", err, want)
		}
		if counts, _ := db.Counts(ctx); counts["events"] != 0 {
			t.Fatalf("the refused import left %d events", counts["events"])
		}

		rejects := filepath.Join(t.TempDir(), "rejected.csv")
		c := importFile(t, db, aftermath.DatasetUCDP, far, importer.Options{SkipBadRows: true, RejectsPath: rejects})
		if c != (aftermath.ImportCounts{Read: n, Inserted: n - 2, Rejected: 2}) {
			t.Errorf("new dataset, skipping: counts = %+v", c)
		}
		recs := readRejects(t, rejects)
		if len(recs) != 3 || recs[1][0] != "3002" || recs[1][2] != "5000003" || recs[2][0] != "4202" || recs[2][2] != "5004190" {
			t.Errorf("rejects file = %q", recs)
		}

		// Into the dataset that now has events: a new version of the same
		// rows, with the same repeats.
		v2 := gedRows(t, "GEDEvent_v23_2.csv", n, map[int]int{3000: 3, 4200: 4190})
		want = fmt.Sprintf(`%s:3002: column "id": "5000003" appears twice in this file`, v2)
		if _, err := importer.Import(ctx, db, v2, importer.Options{Dataset: aftermath.DatasetUCDP}); err == nil || err.Error() != want {
			t.Fatalf("dataset with events: error = %v, want %s", err, want)
		}
		// Twice, so that the second import on the pooled connection meets
		// no table the first left behind.
		for _, v := range []string{"23.2", "23.3"} {
			c = importFile(t, db, aftermath.DatasetUCDP, v2, importer.Options{Version: v, SkipBadRows: true, RejectsPath: rejects})
			if c != (aftermath.ImportCounts{Read: n, Unchanged: n - 2, Rejected: 2}) {
				t.Errorf("version %s, skipping: counts = %+v", v, c)
			}
		}
		if counts, _ := db.Counts(ctx); counts["events"] != n-2 {
			t.Errorf("%d events, want %d", counts["events"], n-2)
		}
	})
}
