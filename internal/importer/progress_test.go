package importer_test

import (
	"context"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/shareddata"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// The last progress report of an import is its end: every byte of the
// file and every row read, so that a bar drawn from it reaches the total.
func TestProgressEndsAtTheTotal(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	for _, file := range []string{fixture("GEDEvent_v23_1.csv"), shareddata.Path(t, "ucdp/GEDEvent_v22_0_2.csv.zip")} {
		var calls int
		var done, total int64
		var counts aftermath.ImportCounts
		opt := importer.Options{Dataset: aftermath.DatasetUCDP, Progress: func(_ string, d, tot int64, c aftermath.ImportCounts) {
			calls++
			done, total, counts = d, tot, c
		}}
		res, err := importer.Import(context.Background(), db, file, opt)
		if err != nil {
			t.Fatal(err)
		}
		if calls == 0 || total <= 0 || done != total || counts.Read != res.Counts.Read {
			t.Errorf("%s: last report %d of %d bytes, %d of %d rows (%d reports)", file, done, total, counts.Read, res.Counts.Read, calls)
		}
	}
}
