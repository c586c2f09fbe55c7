package briefdoc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ErrNoChromium says the PDF needs a browser this machine lacks, and how
// to get one.
var ErrNoChromium = errors.New("printing a brief to PDF needs headless Chromium, which is not installed: " +
	"install it (Debian, Ubuntu: apt-get install chromium) or name it with AFTERMATH_CHROMIUM=/path/to/chromium")

// Chromium finds the browser: AFTERMATH_CHROMIUM, else the usual names on
// the PATH.
func Chromium() (string, error) {
	if p := os.Getenv("AFTERMATH_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("AFTERMATH_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// PDF prints a page (Page.HTML) on paper ("a4" or "letter") with page
// numbers in the footer and the headings as the PDF's outline. The file's
// dates and identifier follow its content (NormalizePDF), so the same
// brief prints to the same bytes.
func PDF(ctx context.Context, html []byte, paper string) ([]byte, error) {
	size, ok := Papers[paper]
	if !ok {
		return nil, fmt.Errorf("paper %q is not a4 or letter", paper)
	}
	path, err := Chromium()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "aftermath-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(dir),
		// Chromium's own singleton files go where the profile goes, so
		// nothing is left in /tmp after each print.
		chromedp.Env("TMPDIR="+dir),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancelTime := context.WithTimeout(bctx, 90*time.Second)
	defer cancelTime()

	var out []byte
	yes := true
	margin := 0.0 // the page's own @page margins apply
	err = chromedp.Do(bctx,
		chromedp.Navigate("about:blank"),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
			if err != nil {
				return err
			}
			_, err = chromedp.Call(ctx, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: string(html)})
			return err
		}),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{
				PaperWidth: size.Width, PaperHeight: size.Height,
				MarginTop: &margin, MarginBottom: &margin, MarginLeft: &margin, MarginRight: &margin,
				PreferCSSPageSize: &yes, PrintBackground: &yes, DisplayHeaderFooter: &yes,
				HeaderTemplate:          `<span></span>`,
				FooterTemplate:          `<div style="font-size:8pt;width:100%;text-align:center;font-family:sans-serif"><span class="pageNumber"></span> / <span class="totalPages"></span></div>`,
				GenerateDocumentOutline: &yes, GenerateTaggedPDF: &yes,
			})
			out = res.Data
			return err
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("printing the brief with %s: %w", path, err)
	}
	return NormalizePDF(out), nil
}

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
