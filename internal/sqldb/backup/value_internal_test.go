package backup

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// Every value a dump can hold comes back as it went in, also those JSON
// has no literal for.
func TestValuesSurviveTheStream(t *testing.T) {
	in := []any{nil, int64(math.MaxInt64), int64(-1), 0.1, 3.0, math.Inf(-1), 1e300, "UCDP -1 « é » عربي", "\xff\xfe not UTF-8", []byte{0, 1, 2, 255}, ""}
	line := appendValue(nil, in[0])
	for _, v := range in[1:] {
		line = appendValue(append(line, ','), v)
	}
	d := json.NewDecoder(bytes.NewReader(append(append([]byte{'['}, line...), ']')))
	d.UseNumber()
	s := &streamReader{d: d}
	row, rec, err := s.next()
	if err != nil || rec != nil || len(row) != len(in) {
		t.Fatalf("%s: %v %v %v", line, row, rec, err)
	}
	for i := range in {
		got, want := row[i], in[i]
		if gb, ok := got.([]byte); ok {
			if !bytes.Equal(gb, want.([]byte)) {
				t.Errorf("value %d: %v, want %v", i, got, want)
			}
			continue
		}
		if got != want {
			t.Errorf("value %d: %#v (%T), want %#v (%T)", i, got, got, want, want)
		}
	}
	nan, err := rowValue(map[string]any{"f": "NaN"})
	if f, ok := nan.(float64); err != nil || !ok || !math.IsNaN(f) {
		t.Errorf("NaN came back as %v %v", nan, err)
	}
}
