package briefdoc

import (
	"context"
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
// dates are fixed, so the same brief prints to the same bytes.
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
	return FixPDFDates(out), nil
}

var pdfDate = regexp.MustCompile(`/(CreationDate|ModDate) ?\(D:[0-9]{4,14}[^)]{0,8}\)`)

// FixPDFDates replaces a PDF's creation and modification dates by one
// fixed date of the same length, keeping the cross-reference offsets
// true: two prints of the same brief are the same bytes, and mirrors can
// prove they are faithful.
func FixPDFDates(pdf []byte) []byte {
	return pdfDate.ReplaceAllFunc(pdf, func(m []byte) []byte {
		out := make([]byte, len(m))
		copy(out, m)
		open := 0
		for i, c := range out {
			if c == '(' {
				open = i
				break
			}
		}
		digits := []byte("20000101000000")
		for i, j := open+3, 0; i < len(out)-1; i++ {
			c := out[i]
			if c >= '0' && c <= '9' {
				if j < len(digits) {
					out[i] = digits[j]
				} else {
					out[i] = '0'
				}
				j++
			}
		}
		return out
	})
}
