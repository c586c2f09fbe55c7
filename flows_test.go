package aftermath

import (
	"encoding/json"
	"testing"
)

func TestMilliTIVJSON(t *testing.T) {
	for _, c := range []struct {
		m    MilliTIV
		json string
	}{{27000, "27"}, {25500, "25.5"}, {30, "0.03"}, {18615889, "18615.889"}, {-1250, "-1.25"}, {0, "0"}} {
		b, err := json.Marshal(c.m)
		if err != nil || string(b) != c.json {
			t.Errorf("%d: %s %v, want %s", c.m, b, err, c.json)
		}
		var back MilliTIV
		if err := json.Unmarshal(b, &back); err != nil || back != c.m {
			t.Errorf("%s: read back %d %v", b, back, err)
		}
	}
	var m MilliTIV
	if err := json.Unmarshal([]byte("1.2345"), &m); err == nil {
		t.Error("four decimals read")
	}
}
