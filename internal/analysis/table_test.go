package analysis

import (
	"math"
	"strings"
	"testing"
)

func TestReadTableDelimiters(t *testing.T) {
	cases := map[string]struct {
		src   string
		delim rune
	}{
		"comma":     {"unit,year,deaths\nA,2001,3\nB,2001,4\n", ','},
		"semicolon": {"unit;year;deaths\nA;2001;3\nB;2001;4\n", ';'},
		"tab":       {"unit\tyear\tdeaths\nA\t2001\t3\nB\t2001\t4\n", '\t'},
		// Commas inside quotes do not count; semicolons win.
		"quoted": {"\"unit, name\";year;deaths\r\n\"A, north\";2001;3\r\nB;2001;4\r\n", ';'},
		// A tie goes to comma.
		"tie": {"a,b;c\n1,2;3\n", ','},
		"bom": {"\xef\xbb\xbfunit,year,deaths\nA,2001,3\n", ','},
	}
	for name, c := range cases {
		tb, err := ReadTable(strings.NewReader(c.src), name+".csv")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if tb.Delimiter != c.delim {
			t.Errorf("%s: delimiter %q, want %q", name, tb.Delimiter, c.delim)
		}
		if name == "tie" {
			if len(tb.Header) != 2 || tb.Header[1] != "b;c" {
				t.Errorf("tie header %q", tb.Header)
			}
			continue
		}
		d, err := tb.Float("deaths")
		if err != nil || d[0] != 3 {
			t.Errorf("%s: deaths %v %v (header %q)", name, d, err, tb.Header)
		}
	}
}

func TestReadTableMissingAndErrors(t *testing.T) {
	src := "unit,year,deaths,note\nA,2001,,x\nA,2002,NA,\n\nA,2003,12a,y\n"
	tb, err := ReadTable(strings.NewReader(src), "data.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Rows) != 3 || tb.Lines[2] != 5 {
		t.Fatalf("rows %v lines %v", tb.Rows, tb.Lines)
	}
	notes, _ := tb.Column("note")
	if notes[1] != "" || notes[2] != "y" {
		t.Errorf("notes %q", notes)
	}
	_, err = tb.Float("deaths")
	if err == nil || err.Error() != `data.csv:5: column "deaths": "12a" is not a number` {
		t.Errorf("err = %v", err)
	}
	years, err := tb.Float("year")
	if err != nil || years[2] != 2003 {
		t.Errorf("years %v %v", years, err)
	}
	tb2, _ := ReadTable(strings.NewReader("a;b\n1;\n;2\n"), "m.csv")
	a, _ := tb2.Float("a")
	b, _ := tb2.Float("b")
	if a[0] != 1 || !math.IsNaN(a[1]) || !math.IsNaN(b[0]) || b[1] != 2 {
		t.Errorf("a %v b %v", a, b)
	}
	if _, err := tb.Float("nope"); err == nil || !strings.Contains(err.Error(), `no column "nope"`) {
		t.Errorf("unknown column: %v", err)
	}
	for src, want := range map[string]string{
		"a;b\n1;2\n3;4;5\n": `bad.csv:3: 3 fields, but the header has 2 (delimiter ";")`,
		"a,a\n1,2\n":        `bad.csv:1: column "a" appears twice in the header`,
		"a,b\n1,\"2\n":      `bad.csv:2:`,
		"":                  `bad.csv: empty file`,
		"a,b\n1,2\n3,inf\n": `bad.csv:3: column "b": "inf" is not a number`,
	} {
		tb, err := ReadTable(strings.NewReader(src), "bad.csv")
		if err == nil && tb != nil {
			_, err = tb.Float("b")
		}
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: err = %v, want prefix %q", src, err, want)
		}
	}
}

func TestTablePanel(t *testing.T) {
	src := "country;year;deaths;gdp\nB;2001;4;1.5\nA;2000;1;\nA;2001;2;2.5\nB;2000;3;1.0\nC;2001;7;3\n"
	tb, err := ReadTable(strings.NewReader(src), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	p, err := tb.Panel("country", "year", "deaths", []string{"gdp"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Units, ",") != "B,A,C" || len(p.Times) != 2 || p.Times[0] != 2000 {
		t.Fatalf("units %v times %v", p.Units, p.Times)
	}
	if p.Outcome[0][0] != 3 || p.Outcome[0][1] != 4 || p.Outcome[1][0] != 1 || !math.IsNaN(p.Outcome[2][0]) || p.Outcome[2][1] != 7 {
		t.Errorf("outcome %v", p.Outcome)
	}
	if g := p.Covariates["gdp"]; !math.IsNaN(g[1][0]) || g[1][1] != 2.5 {
		t.Errorf("gdp %v", g)
	}
	dup := "unit,year,deaths\nA,2000,1\nB,2000,2\nA,2000,3\n"
	tb, _ = ReadTable(strings.NewReader(dup), "dup.csv")
	_, err = tb.Panel("unit", "year", "deaths", nil)
	if err == nil || err.Error() != `dup.csv:4: duplicate row for unit "A" at time 2000 (first at line 2)` {
		t.Errorf("duplicate: %v", err)
	}
	bad := "unit,year,deaths\nA,2000,1\nB,,2\n"
	tb, _ = ReadTable(strings.NewReader(bad), "t.csv")
	if _, err = tb.Panel("unit", "year", "deaths", nil); err == nil || err.Error() != `t.csv:3: column "year" is empty` {
		t.Errorf("empty time: %v", err)
	}
}
