package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
)

var (
	pdfDate = regexp.MustCompile(`/(?:CreationDate|ModDate)\s*\(([^)]*)\)`)
	pdfID   = regexp.MustCompile(`/ID\s*\[\s*<([0-9A-Fa-f]*)>\s*<([0-9A-Fa-f]*)>\s*\]`)
	xmpDate = regexp.MustCompile(`<xmp:(?:CreateDate|ModifyDate|MetadataDate)>([^<]*)<`)
	xmpUUID = regexp.MustCompile(`uuid:([0-9a-fA-F-]{36})`)
)

// fixedPDFDate replaces the print time Chromium writes into a PDF.
const fixedPDFDate = "D:20000101000000+00'00'"

// NormalizePDF makes a PDF's bytes depend on its content only: the dates
// Chromium stamps on it become a fixed date and its /ID a hash of the
// rest. Each replacement has the length of what it replaces, so the
// cross-reference offsets stay right.
func NormalizePDF(b []byte) []byte {
	b = bytes.Clone(b)
	fill := func(re *regexp.Regexp, with func(n int) []byte) {
		for _, m := range re.FindAllSubmatchIndex(b, -1) {
			for g := 2; g+1 < len(m); g += 2 {
				if m[g] >= 0 {
					copy(b[m[g]:m[g+1]], with(m[g+1]-m[g]))
				}
			}
		}
	}
	fill(pdfDate, func(n int) []byte { return pad(fixedPDFDate, n, '0') })
	fill(xmpDate, func(n int) []byte { return pad("2000-01-01T00:00:00Z", n, ' ') })
	// The ID and XMP uuids are zeroed, the rest hashed, and the hash put
	// in their place.
	fill(pdfID, func(n int) []byte { return bytes.Repeat([]byte("0"), n) })
	fill(xmpUUID, func(n int) []byte { return []byte("00000000-0000-0000-0000-000000000000"[:n]) })
	sum := sha256.Sum256(b)
	h := hex.EncodeToString(sum[:])
	fill(pdfID, func(n int) []byte { return pad(h, n, '0') })
	fill(xmpUUID, func(n int) []byte {
		return []byte((h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32])[:n])
	})
	return b
}

// pad cuts s to n bytes or fills it to n with c.
func pad(s string, n int, c byte) []byte {
	if len(s) >= n {
		return []byte(s[:n])
	}
	return append([]byte(s), bytes.Repeat([]byte{c}, n-len(s))...)
}
