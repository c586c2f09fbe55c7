package ingest

import (
	"bytes"
	"encoding/csv"
	"strings"
)

// Kinds of file Identify tells apart: the datasets the program reads and
// what people give it by mistake.
const (
	KindUCDPGED     = "ucdp"   // UCDP GED events (aftermath.DatasetUCDP)
	KindACLED       = "acled"  // an ACLED export (aftermath.DatasetACLED)
	KindSIPRI       = "sipri"  // a SIPRI arms-transfers trade register
	KindIATI        = "iati"   // IATI activity XML
	KindUCDPPRIO    = "prio"   // the UCDP/PRIO Armed Conflict Dataset
	KindBattleDeath = "deaths" // UCDP Battle-Related Deaths
	KindPDF         = "pdf"
	KindZIP         = "zip" // a ZIP archive, or a workbook (XLSX, ODS) that is one
	KindHTML        = "html"
	KindXML         = "xml"
	KindUnknown     = ""
)

// KindNames say what a kind of file is, to name it in a message.
var KindNames = map[string]string{
	KindUCDPGED:     "a UCDP GED events file",
	KindACLED:       "an ACLED export",
	KindSIPRI:       "a SIPRI arms-transfers trade register",
	KindIATI:        "an IATI activity file",
	KindUCDPPRIO:    "the UCDP/PRIO Armed Conflict Dataset",
	KindBattleDeath: "the UCDP Battle-Related Deaths dataset",
	KindPDF:         "a PDF document",
	KindZIP:         "a ZIP archive or a spreadsheet workbook (XLSX, ODS), not a CSV",
	KindHTML:        "a web page (HTML)",
	KindXML:         "an XML document",
}

// columns are the header columns that mark each kind of CSV (lower case).
var columns = []struct {
	kind string
	cols []string
}{
	{KindUCDPGED, []string{"id", "type_of_violence", "date_start", "best"}},
	{KindACLED, []string{"event_id_cnty", "event_date", "event_type"}},
	{KindBattleDeath, []string{"conflict_id", "dyad_id", "bd_best"}},
	{KindUCDPPRIO, []string{"conflict_id", "side_a_2nd", "intensity_level"}},
}

// Identify tells what kind of file begins with head (its first few
// kilobytes): by its magic bytes for documents and archives, by its
// header for the CSVs of the datasets. KindUnknown when it cannot tell.
func Identify(head []byte) string {
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	lower := bytes.ToLower(trimmed[:min(len(trimmed), 512)])
	switch {
	case bytes.HasPrefix(head, []byte("%PDF")):
		return KindPDF
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return KindZIP
	case bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")):
		return KindHTML
	case bytes.Contains(lower, []byte("<iati-activities")) || bytes.Contains(lower, []byte("<iati-organisations")):
		return KindIATI
	case bytes.HasPrefix(lower, []byte("<?xml")):
		return KindXML
	case bytes.Contains(head, []byte("SIPRI TIV")) || bytes.Contains(head, []byte("SIPRI AT Database ID")) ||
		bytes.HasPrefix(trimmed, []byte("Transfers of major")):
		return KindSIPRI
	}
	have := headerColumns(head)
	for _, c := range columns {
		all := true
		for _, col := range c.cols {
			all = all && have[col]
		}
		if all {
			return c.kind
		}
	}
	return KindUnknown
}

// MissingColumns lists the columns that mark kind (KindUCDPGED,
// KindACLED…) which the header line at the start of head lacks.
func MissingColumns(head []byte, kind string) []string {
	have := headerColumns(head)
	var missing []string
	for _, c := range columns {
		if c.kind != kind {
			continue
		}
		for _, col := range c.cols {
			if !have[col] {
				missing = append(missing, col)
			}
		}
	}
	return missing
}

// headerColumns is the set of the columns of the header line that head
// starts with, in lower case; empty when the line is not CSV.
func headerColumns(head []byte) map[string]bool {
	line, _, _ := bytes.Cut(bytes.TrimPrefix(head, []byte("\ufeff")), []byte("\n"))
	rec, _ := csv.NewReader(bytes.NewReader(line)).Read()
	have := map[string]bool{}
	for _, h := range rec {
		have[strings.ToLower(strings.TrimSpace(h))] = true
	}
	return have
}
