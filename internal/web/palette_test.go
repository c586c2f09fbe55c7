package web_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestStyleSheetSharesTheChartPalette: every colour the charts draw
// series with (internal/chart) is one of the style sheet's palette
// variables, so a legend's colour means the same on the page around it.
func TestStyleSheetSharesTheChartPalette(t *testing.T) {
	src, err := os.ReadFile("../chart/chart.go")
	if err != nil {
		t.Fatal(err)
	}
	css, err := os.ReadFile("static/site.css")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)var palette = \[\]string\{(.*?)\}`).FindSubmatch(src)
	if block == nil {
		t.Fatal("no palette in internal/chart/chart.go")
	}
	chart := regexp.MustCompile(`#[0-9A-Fa-f]{6}`).FindAllString(string(block[1]), -1)
	vars := map[string]bool{}
	for _, m := range regexp.MustCompile(`--c-[a-z]+:(#[0-9A-Fa-f]{3,6})`).FindAllStringSubmatch(string(css), -1) {
		vars[strings.ToUpper(m[1])] = true
	}
	if len(chart) < 6 {
		t.Fatalf("only %d chart colours read", len(chart))
	}
	for _, c := range chart {
		c = strings.ToUpper(c)
		if c == "#000000" {
			c = "#000" // written short in the sheet
		}
		if !vars[c] {
			t.Errorf("chart colour %s is not a --c-* variable of site.css", c)
		}
	}
}
