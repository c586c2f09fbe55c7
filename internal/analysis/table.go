package analysis

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Table is a CSV file read into trimmed string cells.
type Table struct {
	Name      string
	Header    []string
	Rows      [][]string
	Lines     []int // source line of each row
	Delimiter rune
}

// ReadTable reads a delimited text table with a header row. The delimiter
// (comma, semicolon or tab) is the one that occurs most often in the header
// line outside quotes, comma on ties; every row must then have as many
// fields as the header. Cells are trimmed; rows whose cells are all empty
// are skipped. name is used in error messages ("FILE:LINE: …").
func ReadTable(r io.Reader, name string) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	first := data
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	delim := detectDelimiter(string(first))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	t := &Table{Name: name, Delimiter: delim}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if t.Header == nil {
			seen := map[string]bool{}
			for _, h := range rec {
				if seen[h] {
					return nil, fmt.Errorf("%s:%d: column %q appears twice in the header", name, line, h)
				}
				seen[h] = true
			}
			t.Header = rec
			continue
		}
		if len(rec) != len(t.Header) {
			return nil, fmt.Errorf("%s:%d: %d fields, but the header has %d (delimiter %s)", name, line, len(rec), len(t.Header), delimName(delim))
		}
		empty := true
		for _, c := range rec {
			if c != "" {
				empty = false
				break
			}
		}
		if empty {
			continue
		}
		t.Rows = append(t.Rows, rec)
		t.Lines = append(t.Lines, line)
	}
	if t.Header == nil {
		return nil, fmt.Errorf("%s: empty file (no header row)", name)
	}
	return t, nil
}

func detectDelimiter(line string) rune {
	counts := map[rune]int{}
	inQ := false
	for _, c := range line {
		switch {
		case c == '"':
			inQ = !inQ
		case !inQ && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

func delimName(d rune) string {
	switch d {
	case '\t':
		return "tab"
	case ';':
		return `";"`
	}
	return `","`
}

func (t *Table) col(name string) (int, error) {
	for i, h := range t.Header {
		if h == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("%s: no column %q (have %s)", t.Name, name, strings.Join(quoteAll(t.Header), ", "))
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strconv.Quote(v)
	}
	return out
}

// Column returns the trimmed cells of a column.
func (t *Table) Column(name string) ([]string, error) {
	c, err := t.col(name)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = r[c]
	}
	return out, nil
}

// Float returns a column as numbers. Empty cells and NA, N/A or NaN (any
// case) are missing and become NaN; anything else that is not a finite
// number is an error naming the file, line, column and cell.
func (t *Table) Float(name string) ([]float64, error) {
	c, err := t.col(name)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(t.Rows))
	for i, r := range t.Rows {
		v, ok := parseCell(r[c])
		if !ok {
			return nil, fmt.Errorf("%s:%d: column %q: %q is not a number", t.Name, t.Lines[i], name, r[c])
		}
		out[i] = v
	}
	return out, nil
}

func parseCell(s string) (float64, bool) {
	switch strings.ToLower(s) {
	case "", "na", "n/a", "nan":
		return math.NaN(), true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// Panel builds a units × times panel. Units keep their order of first
// appearance, times are sorted; (unit, time) pairs absent from the file
// are missing (NaN). Unit and time cells must be present, times numeric or
// YYYY-MM (read as the month index YearMonthIndex), and a (unit, time) pair
// may occur only once.
func (t *Table) Panel(unitCol, timeCol, outcomeCol string, covariates []string) (Panel, error) {
	units, err := t.Column(unitCol)
	if err != nil {
		return Panel{}, err
	}
	tc, err := t.col(timeCol)
	if err != nil {
		return Panel{}, err
	}
	outcome, err := t.Float(outcomeCol)
	if err != nil {
		return Panel{}, err
	}
	covs := make([][]float64, len(covariates))
	for i, c := range covariates {
		if c == outcomeCol || c == unitCol || c == timeCol {
			return Panel{}, fmt.Errorf("%s: covariate %q is also the unit, time or outcome column", t.Name, c)
		}
		if covs[i], err = t.Float(c); err != nil {
			return Panel{}, err
		}
	}
	times := make([]float64, len(t.Rows))
	uIdx := map[string]int{}
	var p Panel
	tset := map[float64]bool{}
	for i, r := range t.Rows {
		if units[i] == "" {
			return Panel{}, fmt.Errorf("%s:%d: column %q is empty", t.Name, t.Lines[i], unitCol)
		}
		cell := r[tc]
		v, ok := parseCell(cell)
		if m, isMonth := ParseYearMonth(cell); !ok && isMonth {
			v, ok = float64(m), true
		}
		if !ok || math.IsNaN(v) {
			if cell == "" {
				return Panel{}, fmt.Errorf("%s:%d: column %q is empty", t.Name, t.Lines[i], timeCol)
			}
			return Panel{}, fmt.Errorf("%s:%d: column %q: %q is not a number", t.Name, t.Lines[i], timeCol, cell)
		}
		times[i] = v
		tset[v] = true
		if _, ok := uIdx[units[i]]; !ok {
			uIdx[units[i]] = len(p.Units)
			p.Units = append(p.Units, units[i])
		}
	}
	for v := range tset {
		p.Times = append(p.Times, v)
	}
	sort.Float64s(p.Times)
	tIdx := make(map[float64]int, len(p.Times))
	for i, v := range p.Times {
		tIdx[v] = i
	}
	grid := func() [][]float64 {
		g := make([][]float64, len(p.Units))
		for u := range g {
			g[u] = make([]float64, len(p.Times))
			for j := range g[u] {
				g[u][j] = math.NaN()
			}
		}
		return g
	}
	p.OutcomeName = outcomeCol
	p.Outcome = grid()
	if len(covariates) > 0 {
		p.Covariates = map[string][][]float64{}
		for _, c := range covariates {
			p.Covariates[c] = grid()
		}
	}
	firstLine := make(map[[2]int]int, len(t.Rows))
	for i := range t.Rows {
		u, ti := uIdx[units[i]], tIdx[times[i]]
		key := [2]int{u, ti}
		if l, dup := firstLine[key]; dup {
			return Panel{}, fmt.Errorf("%s:%d: duplicate row for unit %q at time %s (first at line %d)", t.Name, t.Lines[i], units[i], FormatTime(times[i]), l)
		}
		firstLine[key] = t.Lines[i]
		p.Outcome[u][ti] = outcome[i]
		for c, name := range covariates {
			p.Covariates[name][u][ti] = covs[c][i]
		}
	}
	return p, nil
}
