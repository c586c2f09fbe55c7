package sqldb

import (
	"encoding/json"
	"testing"
)

func TestExtraJSONMatchesEncodingJSON(t *testing.T) {
	for _, m := range []map[string]string{
		nil,
		{"a": "plain"},
		{"source_headline": "Quote \"here\"\nand\\there\ttab\r", "z": "\x01\x1f", "é": "Arabic: العربية"},
		{"bad": "\xff\xfe ok"},
	} {
		got := extraJSON(m)
		var back map[string]string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Fatalf("%q is not JSON: %v", got, err)
		}
		want, _ := json.Marshal(m)
		if m == nil {
			want = []byte("{}")
		}
		var wantBack map[string]string
		json.Unmarshal(want, &wantBack)
		if len(back) != len(wantBack) {
			t.Fatalf("%q decodes to %v, want %v", got, back, wantBack)
		}
		for k, v := range wantBack {
			if back[k] != v {
				t.Errorf("key %q: %q, want %q", k, back[k], v)
			}
		}
	}
}
