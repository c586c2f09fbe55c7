package web_test

import (
	"context"
	"strings"
	"testing"

	"aftermath"
)

// The home page says what is here at a glance: the interventions with
// their headline figures (deaths before and during, with the range), the
// latest events, briefs and ledger records, a search box; the datasets
// come last, without their files' checksums.
func TestHomeShowsWhatIsHereAtAGlance(t *testing.T) {
	h, db, _ := mainPages(t)
	code, _, body := fetch(t, h, "/")
	if code != 200 {
		t.Fatalf("home: %d", code)
	}
	for _, want := range []string{
		`<h1>Sahel Civilian Harm Observatory</h1>`,
		`action="/search"`, `name="q"`,
		`href="/interventions/test-mission"`, "20 (17–24)", "10 (8–14)", // deaths, best (low–high), before and during
		`href="/events/`, "Somalia · <bdi>Banadir</bdi>",
		`href="/briefs/test-mission"`, "A public brief",
		"Route decision.", "Route claim.",
		"UCDP Georeferenced Event Dataset", "6 events stored",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if i, j := strings.Index(body, `id="home-datasets"`), strings.Index(body, `id="home-interventions"`); i < j {
		t.Error("the datasets come before the interventions")
	}
	ds, err := db.Datasets(context.Background(), aftermath.System)
	if err != nil || len(ds) == 0 || len(ds[0].Versions) == 0 {
		t.Fatal(ds, err)
	}
	if sha := ds[0].Versions[0].SHA256; strings.Contains(body, sha[:12]) || strings.Contains(body, "SHA-256") {
		t.Error("the home page shows checksums")
	}
}

// An Arabic reader sees the countries of the interventions and of the
// latest events by their Arabic names, never as ISO codes or as the
// dataset's English spelling.
func TestHomeNamesCountriesInTheReadersLanguage(t *testing.T) {
	h, _, _ := mainPages(t)
	code, _, body := fetch(t, h, "/?lang=ar")
	if code != 200 {
		t.Fatalf("home: %d", code)
	}
	for _, bad := range []string{"MLI", "SOM", "Somalia ·", "Mali ·"} {
		if strings.Contains(body, bad) {
			t.Errorf("the Arabic home page shows %q", bad)
		}
	}
	for _, want := range []string{"مالي", "الصومال"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Arabic home page lacks %q", want)
		}
	}
}
