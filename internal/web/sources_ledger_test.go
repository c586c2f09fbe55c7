package web_test

import (
	"strings"
	"testing"
)

// TestSourcePageListsLedgerRecords: a source page lists every record that
// cites it, the ledger's included, each linked to its page.
func TestSourcePageListsLedgerRecords(t *testing.T) {
	f := newLedgerFixture(t)
	code, _, body := fetch(t, f.h, "/sources/"+jsonNum(f.source.ID))
	if code != 200 {
		t.Fatalf("source page: %d", code)
	}
	for _, want := range []string{`href="/interventions/minusma"`, `href="/decisions/`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page of %s lacks a link %s", f.source.Identifier, want)
		}
	}
}
