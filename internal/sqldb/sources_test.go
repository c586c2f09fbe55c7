package sqldb_test

import (
	"context"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// SourcesByID, one read for a record's citations, gives only the sources
// the reader may see, like Source one by one.
func TestSourcesByIDKeepsTheirAudience(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		public := &aftermath.Source{Title: "Resolution", Audience: aftermath.AudiencePublic}
		memo := &aftermath.Source{Title: "Internal memo", Audience: aftermath.AudienceInternal}
		for _, s := range []*aftermath.Source{public, memo} {
			if err := db.CreateSource(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		ids := []int64{public.ID, memo.ID, public.ID, memo.ID + 1000}
		for _, c := range []struct {
			v    aftermath.Viewer
			want []int64
		}{{aftermath.Anonymous, []int64{public.ID}}, {aftermath.System, []int64{public.ID, memo.ID}}} {
			got, err := db.SourcesByID(ctx, c.v, ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Errorf("viewer %+v: %d sources, want %d", c.v, len(got), len(c.want))
			}
			for _, id := range c.want {
				if got[id].Title == "" {
					t.Errorf("viewer %+v: source %d missing", c.v, id)
				}
			}
		}
		if got, err := db.SourcesByID(ctx, aftermath.System, nil); err != nil || len(got) != 0 {
			t.Errorf("no ids: %v, %v", got, err)
		}
	})
}
