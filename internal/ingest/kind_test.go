package ingest_test

import (
	"os"
	"testing"

	"aftermath/internal/ingest"
	"aftermath/internal/shareddata"
)

// Identify names the kind of the real files from their first kilobytes.
func TestIdentifyRealFiles(t *testing.T) {
	for rel, want := range map[string]string{
		"sipri/trade-register-all-2025-03.csv":       ingest.KindSIPRI,
		"sipri/trade-register-ukraine-2000-2024.csv": ingest.KindSIPRI,
		"iati/acfspain-ml.xml":                       ingest.KindIATI,
		"ucdp/UcdpPrioConflict_v24_1.csv":            ingest.KindUCDPPRIO,
		"ucdp/BattleDeaths_v24_1.csv":                ingest.KindBattleDeath,
		"ucdp/GEDEvent_v22_0_2.csv.zip":              ingest.KindZIP,
	} {
		head := firstBytes(t, shareddata.Path(t, rel))
		if got := ingest.Identify(head); got != want {
			t.Errorf("%s: %q, want %q", rel, got, want)
		}
	}
	if got := ingest.Identify(firstBytes(t, "../importer/testdata/GEDEvent_v23_1.csv")); got != ingest.KindUCDPGED {
		t.Errorf("the UCDP fixture: %q", got)
	}
	if got := ingest.Identify(firstBytes(t, "../web/testdata/acled_sentinel_2024-06-30.csv")); got != ingest.KindACLED {
		t.Errorf("the ACLED fixture: %q", got)
	}
	for in, want := range map[string]string{
		"%PDF-1.7\n%âãÏÓ\n":                                ingest.KindPDF,
		"<!DOCTYPE html><html>":                            ingest.KindHTML,
		"name,age\nA,3\n":                                  ingest.KindUnknown,
		"\ufeffid,year,type_of_violence,date_start,best\n": ingest.KindUCDPGED,
	} {
		if got := ingest.Identify([]byte(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func firstBytes(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 8<<10)
	n, _ := f.Read(b)
	return b[:n]
}
