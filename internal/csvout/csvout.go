// Package csvout writes CSV that a spreadsheet opens as data: a cell a
// spreadsheet would run as a formula is written with a leading single
// quote, so a record's text such as =HYPERLINK(…) reaches the reader as
// text. Every CSV the project writes goes through it.
package csvout

import (
	"encoding/csv"
	"io"
	"strings"
)

// Cell returns s as it is safe to write in a CSV cell. A cell beginning
// with =, +, -, @, a tab or a carriage return gets a leading single quote
// (OWASP's rule for CSV injection), except a plain decimal number such as
// -1 (UCDP's "not known") or -3.5, which stays exactly as it is, so
// numeric columns stay numeric.
func Cell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) || isNumber(s) {
		return s
	}
	return "'" + s
}

// isNumber reports whether s is a decimal number: an optional sign,
// digits with an optional fraction (or a fraction alone), and an optional
// exponent. Nothing else (no spaces, hex, Inf or NaN) counts.
func isNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// Comment returns a "# …" comment line's text safe too: a spreadsheet
// splits the line at commas, semicolons and tabs, so each piece after one
// is made a safe cell. Line breaks become spaces, so the comment stays one
// line.
func Comment(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	var b strings.Builder
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' || s[i] == ';' || s[i] == '\t' {
			piece := s[start:i]
			if start > 0 {
				piece = Cell(piece)
			}
			b.WriteString(piece)
			if i < len(s) {
				b.WriteByte(s[i])
			}
			start = i + 1
		}
	}
	return b.String()
}

// Writer is a csv.Writer whose every cell goes through Cell.
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, each cell made safe.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, c := range record {
		w.buf = append(w.buf, Cell(c))
	}
	return w.w.Write(w.buf)
}

// WriteAll writes the records and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.w.Flush()
	return w.w.Error()
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports any error from a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
