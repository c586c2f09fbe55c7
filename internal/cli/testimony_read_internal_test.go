package cli

import (
	"fmt"
	"strings"
	"testing"
)

// TestTestimonyBatchLimits: the bounds on the records one import holds
// for its transaction, lowered here so that the test stays small.
func TestTestimonyBatchLimits(t *testing.T) {
	jl := strings.Repeat(`{"body":"`+strings.Repeat("x", 300<<10)+`"}`+"\n", 5)
	csv := "body\n" + strings.Repeat(strings.Repeat("x", 200<<10)+"\n", 7)
	read := func(name string, lim importLimits) ([]*testimonyRecord, error) {
		if strings.HasSuffix(name, ".jsonl") {
			return readTestimonyJSONL(name, strings.NewReader(jl), lim)
		}
		return readTestimonyCSV(name, strings.NewReader(csv), lim)
	}
	for _, tc := range []struct {
		name, want string
		lim        importLimits
	}{
		{"count.jsonl", "count.jsonl:5: more than 4 testimonies, the limit of one import", importLimits{4, 1 << 30}},
		{"size.jsonl", "size.jsonl:4: the testimonies up to this line are more than 1 MiB, the limit of one import", importLimits{100, 1 << 20}},
		{"count.csv", "count.csv:7: more than 5 testimonies, the limit of one import", importLimits{5, 1 << 30}},
		{"size.csv", "size.csv:7: the testimonies up to this line are more than 1 MiB, the limit of one import", importLimits{100, 1 << 20}},
	} {
		recs, err := read(tc.name, tc.lim)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || recs != nil {
			t.Errorf("%s: %d records, %v; want %s", tc.name, len(recs), err, tc.want)
		}
		// Within the limits everything is read.
		if recs, err = read(tc.name, importLimits{100, 1 << 30}); err != nil || len(recs) < 5 {
			t.Errorf("%s within the limits: %d records, %v", tc.name, len(recs), err)
		}
	}
	if want := fmt.Sprintf("%d testimonies and %d MiB", maxImportTestimonies, maxImportBytes>>20); !strings.Contains(testimonyUsage, want) {
		t.Errorf("the usage does not give the limits (%s)", want)
	}
}
