package briefdoc

import (
	"bytes"
	"testing"
)

// The print dates and /ID Chromium writes are replaced in place: the
// same content printed at two times gives the same bytes, of the same
// length.
func TestNormalizePDF(t *testing.T) {
	pdf := func(date, id string) []byte {
		return []byte("%PDF-1.4\n1 0 obj <</Creator (Chromium) /Producer (Skia/PDF m120) /CreationDate (D:" + date + "+00'00') /ModDate (D:" + date +
			"+00'00')>> endobj\ntrailer <</Size 9 /Root 2 0 R /Info 1 0 R /ID [<" + id + "> <" + id + ">]>>\n<xmp:CreateDate>2026-12-02T14:19:00+00:00</xmp:CreateDate>\n%%EOF\n")
	}
	a := pdf("20261202141900", "0123456789ABCDEF0123456789ABCDEF")
	b := pdf("20270101000001", "FEDCBA9876543210FEDCBA9876543210")
	na, nb := NormalizePDF(a), NormalizePDF(b)
	if !bytes.Equal(na, nb) || len(na) != len(a) {
		t.Errorf("normalised:\n%s\n%s", na, nb)
	}
	if bytes.Contains(na, []byte("2026")) || !bytes.Contains(na, []byte("/CreationDate (D:20000101000000+00'00')")) {
		t.Errorf("a date is left: %s", na)
	}
	other := NormalizePDF(bytes.Replace(a, []byte("Chromium"), []byte("Chromiun"), 1))
	if bytes.Equal(other[bytes.Index(other, []byte("/ID")):], na[bytes.Index(na, []byte("/ID")):]) {
		t.Errorf("the /ID does not follow the content")
	}
}
