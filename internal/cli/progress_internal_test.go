package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"aftermath"
)

// lastFrame is the last line a terminal shows of what was drawn with \r.
func lastFrame(out string) string {
	frames := strings.Split(out, "\r")
	for i := len(frames) - 1; i >= 0; i-- {
		if frames[i] != "" {
			return frames[i]
		}
	}
	return ""
}

// The bar is redrawn at most every 200 ms, but the end is always drawn:
// an import that finishes between two redraws shows 100 %, the full bar
// and every row, not the last frame before the end.
func TestProgressBarReachesTheTotal(t *testing.T) {
	var term bytes.Buffer
	bar := &progressBar{w: &term, start: time.Now().Add(-time.Second)}
	const total = 10_000
	for done := int64(1000); done <= total; done += 1000 {
		bar.update("events.csv", done, total, aftermath.ImportCounts{Read: done / 10})
	}
	frame := lastFrame(term.String())
	if !strings.Contains(frame, "100.0%") || !strings.Contains(frame, "["+strings.Repeat("#", 30)+"]") || !strings.Contains(frame, " 1000 rows") {
		t.Errorf("the last frame drawn is %q, want the full bar, 100.0%% and 1000 rows", frame)
	}
	bar.clear()
	if strings.TrimSpace(lastFrame(term.String())) != "" {
		t.Errorf("clear leaves %q", lastFrame(term.String()))
	}
}
