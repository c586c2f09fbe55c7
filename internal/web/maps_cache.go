package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"sync"

	"aftermath/internal/chart"
	"aftermath/internal/i18n"
)

// drawnMaps keeps the SVG maps drawn, by what they draw: a map is a pure
// function of its spec, and drawing the country outlines took a fifth of
// the events page's time under load (2 ms a request), for the same counts
// every time until an import.
type drawnMaps struct {
	mu    sync.Mutex
	svgs  map[[sha256.Size]byte][]byte
	bytes int
}

// drawnMapsBytes bounds the SVGs kept; past it the set starts over.
const drawnMapsBytes = 32 << 20

var drawn drawnMaps

// drawMap is chart.Map(spec) kept in drawnMaps. The spec's FormatWeight,
// a function, cannot be part of the key: every caller formats numbers in
// l's language and nothing else, so l's tag stands for it.
func drawMap(l *i18n.Locale, spec chart.MapSpec) ([]byte, error) {
	// gob leaves func fields out (JSON refuses the whole spec for one).
	var b bytes.Buffer
	b.WriteString(l.Tag() + "\x00")
	if err := gob.NewEncoder(&b).Encode(spec); err != nil {
		return chart.Map(spec)
	}
	key := sha256.Sum256(b.Bytes())
	drawn.mu.Lock()
	svg, ok := drawn.svgs[key]
	drawn.mu.Unlock()
	if ok {
		return svg, nil
	}
	svg, err := chart.Map(spec)
	if err != nil {
		return nil, err
	}
	drawn.mu.Lock()
	if drawn.svgs == nil || drawn.bytes+len(svg) > drawnMapsBytes {
		drawn.svgs, drawn.bytes = map[[sha256.Size]byte][]byte{}, 0
	}
	if _, ok := drawn.svgs[key]; !ok {
		drawn.svgs[key] = svg
		drawn.bytes += len(svg)
	}
	drawn.mu.Unlock()
	return svg, nil
}
