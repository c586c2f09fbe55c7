package sqldb_test

import (
	"context"
	"maps"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func TestCodeNames(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		cl := &aftermath.Codelist{Name: "Sector", Codes: []aftermath.Code{
			{Code: "15220", Name: map[string]string{"en": "Civilian peace-building, conflict prevention and resolution", "fr": "Participation à la paix"}, Category: "152"},
			{Code: "15170", Name: map[string]string{"en": "Women's rights organisations and movements"}, Category: "151"},
		}}
		if _, err := db.ImportCodelist(ctx, aftermath.ImportAs{}, cl); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			lang string
			want map[string]string
		}{
			{"en", map[string]string{"15220": "Civilian peace-building, conflict prevention and resolution", "15170": "Women's rights organisations and movements"}},
			// French where published, English where not.
			{"fr", map[string]string{"15220": "Participation à la paix", "15170": "Women's rights organisations and movements"}},
			{"ar", map[string]string{"15220": "Civilian peace-building, conflict prevention and resolution", "15170": "Women's rights organisations and movements"}},
		} {
			got, err := db.CodeNames(ctx, "Sector", tc.lang)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.lang, got, tc.want)
			}
		}
		if got, err := db.CodeNames(ctx, "Country", "en"); err != nil || len(got) != 0 {
			t.Errorf("a list never imported: %v, %v", got, err)
		}
	})
}
