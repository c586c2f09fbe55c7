// Package ingest holds what the per-format readers share: line-numbered row
// errors, header lookup by column name and strict field parsers. Readers
// live in sub-packages (ingest/ucdp, ingest/acled) and never touch a
// database: they turn rows into aftermath.Event values.
package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"aftermath"
)

// RowError is a problem with one field of one row. Its text names the file,
// the line the row starts on and the column, so a user can find it.
type RowError struct {
	File   string
	Line   int
	Column string // "" when the problem is with the row as a whole
	Value  string
	Msg    string // e.g. "is not a number"
}

func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: column %q: %q %s", e.File, e.Line, e.Column, e.Value, e.Msg)
}

// Reader is what every format reader offers the importer.
type Reader interface {
	// Next returns the next event, io.EOF at the end, a *RowError for a bad
	// row (the reader can go on after it) or another error (it cannot).
	Next() (*aftermath.Event, error)
	// Line is the line the last row returned (or rejected) starts on.
	Line() int
	// Header is the header row as published; Raw the last row's fields.
	Header() []string
	Raw() []string
}

// MaxRecordBytes bounds one CSV record: a row, with the line breaks of its
// quoted fields. encoding/csv holds a whole record in memory, so without
// a bound one endless line (a few MB zipped) would take all of it. Every
// reader gets the bound through NewCSV.
const MaxRecordBytes = 1 << 20

// MaxFieldBytes bounds one field of a record; a longer one is a bad row.
const MaxFieldBytes = 256 << 10

// ErrNoVersion is returned when neither the file name nor --version gives a
// dataset version.
var ErrNoVersion = errors.New("no dataset version")

// CSV wraps encoding/csv with what all readers need: header lookup by
// lower-cased name and the start line of each record.
type CSV struct {
	File   string
	r      *csv.Reader
	header []string
	index  map[string]int
	rec    []string
	line   int
	// pending holds the second row when it was read to look for HXL
	// hashtags and turned out to be data; Next returns it first.
	pending    []string
	pendLine   int
	pendErr    error
	hasPending bool
}

// NewCSV reads the header row. A byte-order mark before it is dropped. A
// second row of HXL hashtags (#event+code, #date+occurred …), as HDX
// serves ACLED and other data, is skipped: it is a header, not a row. Line
// numbers of the rows after it stay the file's physical lines.
func NewCSV(r io.Reader, file string) (*CSV, error) { return newCSV(r, file, true) }

// NewPlainCSV is NewCSV for files that are not published data (testimony
// imports): every row after the header is a row, hashtags or not.
func NewPlainCSV(r io.Reader, file string) (*CSV, error) { return newCSV(r, file, false) }

func newCSV(r io.Reader, file string, hxl bool) (*CSV, error) {
	cr := csv.NewReader(&recordLimiter{r: r, limit: MaxRecordBytes, line: 1, start: 1})
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // checked per row, to name the line
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: the file is empty", file)
	}
	if err != nil {
		return nil, readError(file, err)
	}
	c := &CSV{File: file, r: cr, header: append([]string(nil), head...), index: map[string]int{}}
	if err := c.checkFields(head, 1); err != nil {
		return nil, err
	}
	if len(c.header) > 0 {
		c.header[0] = strings.TrimPrefix(c.header[0], "\ufeff")
	}
	for i, h := range c.header {
		k := strings.ToLower(strings.TrimSpace(h))
		if _, dup := c.index[k]; !dup && k != "" {
			c.index[k] = i
		}
	}
	rec, err := cr.Read()
	switch {
	case err == io.EOF:
	case err == nil && hxl && IsHXLRow(rec):
	default:
		c.hasPending, c.pendErr = true, err
		if err == nil {
			c.pending = append([]string(nil), rec...)
			c.pendLine, _ = cr.FieldPos(0)
		}
	}
	return c, nil
}

// IsHXLRow reports whether a row is a row of HXL hashtags: at least one
// non-empty cell, and every non-empty cell starting with '#'.
func IsHXLRow(rec []string) bool {
	n := 0
	for _, v := range rec {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if v[0] != '#' {
			return false
		}
		n++
	}
	return n > 0
}

// Has reports whether the header has the column (case-insensitive).
func (c *CSV) Has(name string) bool { _, ok := c.index[name]; return ok }

// Require returns an error naming the first missing column.
func (c *CSV) Require(names ...string) error {
	for _, n := range names {
		if !c.Has(n) {
			return fmt.Errorf("%s:1: the header has no column %q; is this the right kind of file?", c.File, n)
		}
	}
	return nil
}

// Header returns the header as published.
func (c *CSV) Header() []string { return c.header }

// Raw returns the fields of the current row.
func (c *CSV) Raw() []string { return c.rec }

// Line returns the line the current row starts on.
func (c *CSV) Line() int { return c.line }

// Next advances to the next row. It returns io.EOF at the end, a *RowError
// for a row with the wrong number of fields, or a parse error of the file.
func (c *CSV) Next() error {
	var rec []string
	var err error
	line := 0
	if c.hasPending {
		rec, err, line = c.pending, c.pendErr, c.pendLine
		c.hasPending, c.pending, c.pendErr = false, nil, nil
	} else {
		rec, err = c.r.Read()
		if err == nil {
			line, _ = c.r.FieldPos(0)
		}
	}
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return readError(c.File, err)
	}
	c.rec = rec
	c.line = line
	if err := c.checkFields(rec, line); err != nil {
		return err
	}
	if len(rec) != len(c.header) {
		return &RowError{File: c.File, Line: c.line,
			Msg: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(c.header))}
	}
	return nil
}

// readError names the file and line of an error of encoding/csv or of the
// record limit.
func readError(file string, err error) error {
	var pe *csv.ParseError
	var le *LimitError
	switch {
	case errors.As(err, &le):
		return fmt.Errorf("%s:%d: %s", file, le.Line, le.Msg())
	case errors.As(err, &pe):
		return fmt.Errorf("%s:%d: %v", file, pe.StartLine, pe.Err)
	}
	return fmt.Errorf("%s: %w", file, err)
}

// checkFields refuses a field longer than MaxFieldBytes: a bounded check,
// one length per field.
func (c *CSV) checkFields(rec []string, line int) error {
	for i, f := range rec {
		if len(f) > MaxFieldBytes {
			name := fmt.Sprintf("%d", i+1)
			if i < len(c.header) && strings.TrimSpace(c.header[i]) != "" {
				name = strings.TrimSpace(c.header[i])
			}
			return &RowError{File: c.File, Line: line,
				Msg: fmt.Sprintf("column %q is longer than %s, the limit of one field", name, bytesText(MaxFieldBytes))}
		}
	}
	return nil
}

// bytesText writes a limit in KiB or MiB.
func bytesText(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// LimitError is a record longer than MaxRecordBytes; Line is the line it
// starts on.
type LimitError struct {
	Line  int
	Limit int
}

// Msg says what is wrong, without the place.
func (e *LimitError) Msg() string {
	return fmt.Sprintf("the record is longer than %s, the limit of one record (is this a CSV file?)", bytesText(e.Limit))
}

func (e *LimitError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg()) }

// recordLimiter sits under encoding/csv and fails the read once a record
// passes limit bytes, before csv can gather it: it follows line breaks
// and the parity of quotes (a break inside quotes continues the record;
// an escaped quote "" counts twice and changes nothing). The bytes before
// the failing record are delivered first, so csv reports any error of
// theirs first. Its cost is two vectorised scans (IndexByte, Count) per
// line.
type recordLimiter struct {
	r      io.Reader
	limit  int
	n      int  // bytes of the current record so far
	quoted bool // inside a quoted field
	line   int  // the physical line the next byte is on
	start  int  // the line the current record starts on
	err    error
}

func (l *recordLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	b := p[:n]
	for len(b) > 0 {
		seg := b
		j := bytes.IndexByte(b, '\n')
		if j >= 0 {
			seg = b[:j+1]
		}
		if l.n+len(seg) > l.limit {
			l.err = &LimitError{Line: l.start, Limit: l.limit}
			return n - len(b), l.err
		}
		l.n += len(seg)
		if bytes.Count(seg, quote)&1 == 1 {
			l.quoted = !l.quoted
		}
		if j < 0 {
			break
		}
		l.line++
		if !l.quoted {
			l.n, l.start = 0, l.line
		}
		b = b[j+1:]
	}
	return n, err
}

var quote = []byte{'"'}

// Get returns the current row's value of a column ("" if the header lacks it).
func (c *CSV) Get(name string) string {
	if i, ok := c.index[name]; ok {
		return c.rec[i]
	}
	return ""
}

// Err builds a RowError for a column of the current row.
func (c *CSV) Err(column, value, msg string) *RowError {
	return &RowError{File: c.File, Line: c.line, Column: column, Value: value, Msg: msg}
}

// Int parses an integer column. Empty counts as 0 unless required. Values
// such as "12.0" that some exports write for whole numbers are accepted.
func (c *CSV) Int(column string, required bool) (int, error) {
	v := strings.TrimSpace(c.Get(column))
	if v == "" {
		if required {
			return 0, c.Err(column, v, "is empty; a number is required")
		}
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err == nil {
		return n, nil
	}
	f, ferr := strconv.ParseFloat(v, 64)
	if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1e15 {
		return 0, c.Err(column, v, "is not a number")
	}
	return int(f), nil
}

// Count parses a non-negative count column such as deaths.
func (c *CSV) Count(column string, required bool) (int, error) {
	n, err := c.Int(column, required)
	if err == nil && n < 0 {
		return 0, c.Err(column, c.Get(column), "is negative; a count cannot be")
	}
	return n, err
}

// OptCount parses a count whose codebook has codes for "not known".
//
// Codebooks write "not known" as -1 (UCDP's number_of_sources in full
// releases) or leave the cell empty. OptCount keeps the two apart, exactly
// as published: nil for an empty cell, a pointer to -1 for -1, otherwise a
// pointer to the count. Neither unknown form is a number to sum or compare.
func (c *CSV) OptCount(column string) (*int, error) {
	v := strings.TrimSpace(c.Get(column))
	if v == "" {
		return nil, nil
	}
	n, err := c.Int(column, false)
	if err != nil {
		return nil, err
	}
	if n < -1 {
		return nil, c.Err(column, c.Get(column), "is negative; a count cannot be (-1 means not known)")
	}
	return &n, nil
}

// Coord parses a latitude (limit 90) or longitude (limit 180); empty gives nil.
func (c *CSV) Coord(column string, limit float64) (*float64, error) {
	v := strings.TrimSpace(c.Get(column))
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) {
		return nil, c.Err(column, v, "is not a number")
	}
	if f < -limit || f > limit {
		return nil, c.Err(column, v, fmt.Sprintf("is outside -%g to %g", limit, limit))
	}
	return &f, nil
}

// dateLayouts are the date forms found in published UCDP and ACLED files.
var dateLayouts = []string{
	"2006-01-02",
	"2006-01-02 15:04:05.000",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z",
	"2006-01-02T15:04:05",
	"2 January 2006",
	"02 January 2006",
	"2-Jan-06",
	"02-Jan-06",
	"2-January-2006",
}

// Date parses a date column in any published form and returns YYYY-MM-DD.
func (c *CSV) Date(column string, required bool) (string, error) {
	v := strings.TrimSpace(c.Get(column))
	if v == "" {
		if required {
			return "", c.Err(column, v, "is empty; a date is required")
		}
		return "", nil
	}
	if d, ok := ParseDate(v); ok {
		return d, nil
	}
	return "", c.Err(column, v, "is not a date (expected e.g. 2021-03-02 or 2 March 2021)")
}

// ParseDate returns v as YYYY-MM-DD when it is a date in a known layout.
func ParseDate(v string) (string, bool) {
	// Fast path for the common ISO form, with or without a time part.
	if len(v) >= 10 && v[4] == '-' && v[7] == '-' && (len(v) == 10 || v[10] == ' ' || v[10] == 'T') {
		if t, err := time.Parse("2006-01-02", v[:10]); err == nil {
			return t.Format("2006-01-02"), true
		}
		return "", false
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// Parser parses columns of the current row in turn and keeps the first
// error, so that a reader can list its columns without checking each; the
// columns after a failure are not parsed.
type Parser struct {
	c   *CSV
	Err error
}

// Parser starts parsing the current row.
func (c *CSV) Parser() *Parser { return &Parser{c: c} }

// Int parses an integer column into dst.
func (p *Parser) Int(dst *int, column string, required bool) {
	if p.Err == nil {
		*dst, p.Err = p.c.Int(column, required)
	}
}

// Count parses a non-negative count column into dst.
func (p *Parser) Count(dst *int, column string, required bool) {
	if p.Err == nil {
		*dst, p.Err = p.c.Count(column, required)
	}
}

// OptCount parses a count with not-known codes into dst (see CSV.OptCount).
func (p *Parser) OptCount(dst **int, column string) {
	if p.Err == nil {
		*dst, p.Err = p.c.OptCount(column)
	}
}

// Date parses a date column into dst as YYYY-MM-DD.
func (p *Parser) Date(dst *string, column string, required bool) {
	if p.Err == nil {
		*dst, p.Err = p.c.Date(column, required)
	}
}

// Coord parses a coordinate column into dst (nil when empty).
func (p *Parser) Coord(dst **float64, column string, limit float64) {
	if p.Err == nil {
		*dst, p.Err = p.c.Coord(column, limit)
	}
}
