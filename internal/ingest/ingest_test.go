package ingest

import (
	"io"
	"strconv"
	"strings"
	"testing"
)

// rows reads every row of a CSV with its line, or the error it gave.
func rows(t *testing.T, body string) []string {
	t.Helper()
	c, err := NewCSV(strings.NewReader(body), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		err := c.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		out = append(out, strings.Join(c.Raw(), "|")+"@"+strconv.Itoa(c.Line()))
	}
}

func TestSkipsHXLRow(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"hashtags", "id,date,notes\n#event+code,#date+occurred,\nA,2021-01-02,x\n\"B\",2021-01-03,\"two\nlines\"\nC,2021-01-04,z\n",
			[]string{"A|2021-01-02|x@3", "B|2021-01-03|two\nlines@4", "C|2021-01-04|z@6"}},
		{"no hashtags", "id,date\nA,2021-01-02\nB,2021-01-03\n", []string{"A|2021-01-02@2", "B|2021-01-03@3"}},
		// A data row that merely starts with a # is data: not every cell is a tag.
		{"one hash cell", "id,date\n#1,2021-01-02\n", []string{"#1|2021-01-02@2"}},
		// An empty row is not a row of tags.
		{"only hashtags", "id,date\n#event+code,#date\n", nil},
		{"hashtags later", "id,date\nA,2021\n#x,#y\n", []string{"A|2021@2", "#x|#y@3"}},
		{"short second row", "id,date\nA\nB,2\n", []string{"f.csv:2: has 1 fields, the header has 2", "B|2@3"}},
	} {
		if got := rows(t, tc.body); strings.Join(got, ";") != strings.Join(tc.want, ";") {
			t.Errorf("%s: rows %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestIsHXLRow(t *testing.T) {
	for row, want := range map[string]bool{
		"#event+code,#date+occurred,,#adm1+name": true,
		" #x , #y ":                              true,
		",,":                                     false,
		"#x,1":                                   false,
		"x,#y":                                   false,
	} {
		if got := IsHXLRow(strings.Split(row, ",")); got != want {
			t.Errorf("IsHXLRow(%q) = %v, want %v", row, got, want)
		}
	}
}

func TestOptCount(t *testing.T) {
	c, err := NewCSV(strings.NewReader("n\n-1\n\n7\n-2\nx\n"), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for c.Next() == nil {
		p, err := c.OptCount("n")
		switch {
		case err != nil:
			got = append(got, err.Error())
		case p == nil:
			got = append(got, "nil")
		default:
			got = append(got, strconv.Itoa(*p))
		}
	}
	// encoding/csv skips the empty line, so "" is tested through a column.
	want := []string{"-1", "7", `f.csv:5: column "n": "-2" is negative; a count cannot be (-1 means not known)`, `f.csv:6: column "n": "x" is not a number`}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("got %q, want %q", got, want)
	}
	c, _ = NewCSV(strings.NewReader("n,m\n,1\n"), "f.csv")
	if c.Next() != nil {
		t.Fatal("no row")
	}
	if p, err := c.OptCount("n"); p != nil || err != nil {
		t.Errorf("empty cell: %v %v", p, err)
	}
}
