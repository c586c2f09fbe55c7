package shareddata

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// SIPRIRows reads a SIPRI trade-register export plainly, so that tests
// can compute totals apart from the project's reader: Latin-1 decoded
// byte by byte, the rows after the header line (found by its first
// column), and the records SIPRI breaks over two lines (a line break in
// Comments) joined again. Each row maps header name → cell; the classic
// layout's blank-named '?' columns are keyed by the column before them
// plus " ?".
func SIPRIRows(t testing.TB, path string) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	lines := strings.Split(sb.String(), "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "Recipient,Supplier,") || strings.HasPrefix(l, "SIPRI AT Database ID,") {
			start = i
			break
		}
	}
	if start < 0 {
		t.Fatalf("%s: no SIPRI header", path)
	}
	r := csv.NewReader(strings.NewReader(strings.Join(lines[start:], "\n")))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	for i := range header {
		if strings.TrimSpace(header[i]) == "" && i > 0 {
			header[i] = header[i-1] + " ?"
		}
	}
	var rows []map[string]string
	for i := 1; i < len(recs); i++ {
		rec := recs[i]
		if len(rec) < len(header) && i+1 < len(recs) {
			next := recs[i+1]
			rec = append(append(rec[:len(rec)-1:len(rec)-1], rec[len(rec)-1]+"\n"+next[0]), next[1:]...)
			i++
		}
		if len(rec) != len(header) {
			t.Fatalf("%s: record %d has %d fields", path, i, len(rec))
		}
		m := make(map[string]string, len(header))
		for j, h := range header {
			m[h] = strings.TrimSpace(rec[j])
		}
		rows = append(rows, m)
	}
	return rows
}

// SIPRISubset writes, in a test's temporary directory, the export at
// path with only the deals whose recipient keep accepts: the preamble
// and header as published, the rows as published bytes (a record broken
// over two lines stays whole), so the project's reader reads it as it
// reads SIPRI's file, in a fraction of the time.
func SIPRISubset(t testing.TB, path string, keep func(recipient string) bool) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	var out strings.Builder
	header, kept := false, false
	for _, l := range lines {
		switch {
		case !header:
			out.WriteString(l)
			header = strings.HasPrefix(l, "Recipient,Supplier,")
		case strings.HasPrefix(l, ","): // the rest of a record broken by a line break
			if kept {
				out.WriteString(l)
			}
		default:
			recipient, _, _ := strings.Cut(l, ",")
			if kept = keep(recipient); kept {
				out.WriteString(l)
			}
		}
	}
	if !header {
		t.Fatalf("%s: no classic SIPRI header", path)
	}
	sub := t.TempDir() + "/" + filepath.Base(path)
	if err := os.WriteFile(sub, []byte(out.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return sub
}
