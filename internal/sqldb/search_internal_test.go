package sqldb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftermath"
)

// TestSearchCatchUpInRanges: events are indexed a range of ids per
// transaction; a catch-up out of time stops between ranges and the next
// one goes on from there, and a re-import's changed events, past the first
// range, are found by their new words only.
func TestSearchCatchUpInRanges(t *testing.T) {
	ctx := context.Background()
	db := openMigrated(t, t.TempDir()+"/s.db")
	n := 3*searchChunk + 17
	load := func(version string, text func(i int) string) { loadEvents(t, db, version, n, text) }
	load("1", func(i int) string { return fmt.Sprintf("market attack number%d", i) })
	if done, err := db.catchUpSearch(ctx, time.Now().Add(-time.Second)); err != nil || done {
		t.Fatalf("a catch-up out of time: done %v, %v", done, err)
	}
	indexed := func() (n int) {
		db.read.QueryRowContext(ctx, `SELECT count(*) FROM search_docs WHERE kind = 'event'`).Scan(&n)
		return n
	}
	if got := indexed(); got != 0 {
		t.Errorf("out of time, yet %d events indexed", got)
	}
	if err := db.CatchUpSearch(ctx); err != nil {
		t.Fatal(err)
	}
	if got := indexed(); got != n {
		t.Errorf("%d events indexed, want %d", got, n)
	}
	// The writer's larger page cache is the catch-up's only: an import
	// on the same connection would take it too.
	var pages string
	if err := db.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&pages); err != nil || pages != sqliteCachePages {
		t.Errorf("after the catch-up the writer's cache_size is %s (%v), want %s", pages, err, sqliteCachePages)
	}
	// Version 2 changes the events past the first range.
	load("2", func(i int) string {
		if i > searchChunk+100 {
			return fmt.Sprintf("convoy ambush number%d", i)
		}
		return fmt.Sprintf("market attack number%d", i)
	})
	last := fmt.Sprintf("number%d", n-1)
	// A changed event is never found by its old words, even before the
	// index has caught up with it (its document carries the old hash).
	if res, err := db.Search(ctx, aftermath.Anonymous, aftermath.SearchQuery{Text: "market " + last}); err != nil || res.Total != 0 {
		t.Errorf("the old words of a changed event, before the catch-up: %+v %v", res, err)
	}
	// Each search catches up for a bounded time, so on a loaded machine
	// several may be needed; within the bound here, one must finish.
	for i := 0; ; i++ {
		res, err := db.Search(ctx, aftermath.Anonymous, aftermath.SearchQuery{Text: "ambush " + last})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Pending {
			break
		}
		if i == 100 {
			t.Fatal("searches never finished catching up")
		}
	}
	for _, c := range []struct {
		q     string
		found int
	}{{"ambush " + last, 1}, {"market " + last, 0}, {"market number7", 1}} {
		res, err := db.Search(ctx, aftermath.Anonymous, aftermath.SearchQuery{Text: c.q})
		if err != nil || res.Pending || res.Total != c.found {
			t.Errorf("%q: %+v %v, want %d found", c.q, res, err, c.found)
		}
	}
	if got := indexed(); got != n {
		t.Errorf("after the re-import %d events indexed, want %d", got, n)
	}
}
