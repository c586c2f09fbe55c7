package csvout_test

import (
	"strings"
	"testing"

	"aftermath/internal/csvout"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x","y")`: `'=HYPERLINK("http://x","y")`,
		"+cmd":                       "'+cmd",
		"-2+3+cmd|' /C calc'!A0":     "'-2+3+cmd|' /C calc'!A0",
		"@SUM(A1)":                   "'@SUM(A1)",
		"\t=1":                       "'\t=1",
		"\r=1":                       "'\r=1",
		"-":                          "'-",
		"-Inf":                       "'-Inf",
		"-0x1p-2":                    "'-0x1p-2",
		"- 1":                        "'- 1",
		"-1e":                        "'-1e",
		"+.":                         "'+.",
		// Numbers stay numbers.
		"-1": "-1", "-3.5": "-3.5", "+2": "+2", "-.5": "-.5", "-1.": "-1.", "-1e-3": "-1e-3", "+4E+2": "+4E+2",
		// Anything else is left alone.
		"": "", "Mali": "Mali", "2023-01-05": "2023-01-05", "#adm1+name": "#adm1+name", " =1": " =1", "a=b": "a=b",
	} {
		if got := csvout.Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriterAndComment(t *testing.T) {
	var b strings.Builder
	w := csvout.NewWriter(&b)
	w.Write([]string{"=1+1", "-1", "-3.5", "@x", "plain"})
	if err := w.WriteAll([][]string{{"+y", "0"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "'=1+1,-1,-3.5,'@x,plain\n'+y,0\n"; got != want {
		t.Errorf("written %q, want %q", got, want)
	}
	if got, want := csvout.Comment("Name: a,=1+1; -1;@x\tb\nc"), "Name: a,'=1+1; -1;'@x\tb c"; got != want {
		t.Errorf("Comment = %q, want %q", got, want)
	}
}
