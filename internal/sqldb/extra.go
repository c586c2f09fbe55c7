package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// An event's published columns without a field (Event.Extra) are kept in
// events.extra as [layout id, value, …]: the values in the order of the
// names in event_extra_layouts, so that the names are stored once and not
// on every row, where they were a fifth of the row. Events written before
// migration 0024 hold the JSON object {"name": "value", …}; readers take
// both (decodeExtra, eventExtra).

// extraLayout is one list of names events' extra values follow.
type extraLayout struct {
	id    int64
	names []string
	pos   map[string]int // name → its value's index in the array (1, 2, …)
}

// encodeExtra encodes an event's extra columns in the import's current
// layout, taking a larger one when the event names a column it lacks
// (events name only their non-empty cells, so the first rows of a file
// may not name them all).
func (im *Import) encodeExtra(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	l := im.layout
	for k := range m {
		if _, ok := l.pos[k]; !ok {
			l = nil
			break
		}
	}
	if l == nil {
		names := slices.Clone(im.layout.names)
		for k := range m {
			if _, ok := im.layout.pos[k]; !ok {
				names = append(names, k)
			}
		}
		slices.Sort(names) // the same names make the same layout, whatever order they came in
		var err error
		if l, err = im.extraLayout(names); err != nil {
			return "", err
		}
		im.layout = l
	}
	vals := im.extraVals[:0]
	vals = append(vals, make([]string, len(l.names)+1)...)
	last := 0
	for k, v := range m {
		i := l.pos[k]
		vals[i] = v
		last = max(last, i)
	}
	// Trailing empty values are left out; readers take them as "".
	b := strconv.AppendInt(append(im.extraBuf[:0], '['), l.id, 10)
	for _, v := range vals[1 : last+1] {
		b = appendJSONString(append(b, ','), v)
	}
	b = append(b, ']')
	im.extraVals, im.extraBuf = vals, b
	return string(b), nil
}

// extraLayout returns the layout of these names, storing it if it is new.
// Two PostgreSQL imports adding the same layout meet on its unique names:
// the second waits for the first and then reads its id.
func (im *Import) extraLayout(names []string) (*extraLayout, error) {
	b := []byte{'['}
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, n)
	}
	js := string(append(b, ']'))
	res, err := im.tx.ExecContext(im.ctx, im.q(`INSERT INTO event_extra_layouts (names) VALUES (?) ON CONFLICT (names) DO NOTHING`), js)
	if err != nil {
		return nil, fmt.Errorf("extra columns layout: %w", err)
	}
	l := &extraLayout{names: names, pos: make(map[string]int, len(names))}
	if err := im.tx.QueryRowContext(im.ctx, im.q(`SELECT id FROM event_extra_layouts WHERE names = ?`), js).Scan(&l.id); err != nil {
		return nil, fmt.Errorf("extra columns layout: %w", err)
	}
	rows := make([][]any, len(names))
	for i, n := range names {
		l.pos[n] = i + 1
		rows[i] = []any{l.id, i + 1, n}
	}
	if n, _ := res.RowsAffected(); n > 0 {
		if err := im.insertMany("event_extra_columns", []string{"layout_id", "pos", "name"}, rows, ""); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// decodeExtra reads events.extra in either form into the map of the
// event's non-empty extra columns.
func (db *DB) decodeExtra(ctx context.Context, s string) (map[string]string, error) {
	if !strings.HasPrefix(s, "[") {
		var m map[string]string
		err := json.Unmarshal([]byte(s), &m)
		return m, err
	}
	var vals []json.RawMessage
	if err := json.Unmarshal([]byte(s), &vals); err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		return nil, fmt.Errorf("no layout in %.40q", s)
	}
	id, err := strconv.ParseInt(string(vals[0]), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("layout %.20q: %w", vals[0], err)
	}
	var names string
	if err := db.read.QueryRowContext(ctx, db.rebind(`SELECT names FROM event_extra_layouts WHERE id = ?`), id).Scan(&names); err != nil {
		return nil, fmt.Errorf("layout %s: %w", vals[0], err)
	}
	var cols []string
	if err := json.Unmarshal([]byte(names), &cols); err != nil {
		return nil, fmt.Errorf("layout %s: %w", vals[0], err)
	}
	if len(vals)-1 > len(cols) {
		return nil, fmt.Errorf("layout %s names %d columns, the event has %d values", vals[0], len(cols), len(vals)-1)
	}
	m := make(map[string]string, len(vals)-1)
	for i, raw := range vals[1:] {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		if v != "" {
			m[cols[i]] = v
		}
	}
	return m, nil
}
