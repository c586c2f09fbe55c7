package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"aftermath"
	"aftermath/internal/briefdoc"
	"aftermath/internal/i18n"
	"aftermath/internal/vault"
)

// briefRender writes a brief as a page of its own (HTML, styles inside,
// no script) or as PDF printed by headless Chromium, in the brief's
// language. The command line reads as the system; a quote needs the
// vault key, and without it the render stops naming the quote.
func briefRender(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "brief render", "brief render ID|SLUG [--format html|pdf] [--paper a4|letter] --out FILE")
	format := fs.String("format", "html", "html: one page, its styles inside; pdf: printed by headless Chromium")
	paper := fs.String("paper", "a4", "the paper a PDF is printed on: a4 or letter")
	out := fs.String("out", "", "the file to write (- writes HTML to standard output)")
	kf := keyFileFlag(fs)
	dsn := dbFlag(fs, env)
	ref, rest := firstArg(args)
	if err := parse(fs, rest); err != nil {
		return err
	}
	switch {
	case ref == "":
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("brief render: say which brief (ID or slug)")}
	case *format != "html" && *format != "pdf":
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("brief render: --format is html or pdf")}
	case *paper != "a4" && *paper != "letter":
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("brief render: --paper is a4 or letter")}
	case *out == "":
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("brief render: say where to write it with --out FILE")}
	case *out == "-" && *format == "pdf":
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("brief render: a PDF goes to a file: --out FILE.pdf")}
	}
	db, b, err := openBrief(ctx, *dsn, ref)
	if err != nil {
		return err
	}
	defer db.Close()
	l, _ := i18n.Default().Lookup(b.Language)
	svc := briefdoc.Services{Interventions: db, Figures: db, Flows: db, Records: db}
	if kek, err := vault.Load(keyPath(env, *kf, *dsn)); err == nil {
		svc.Quotes = db.Voices(kek)
	}
	o, err := briefdoc.Render(ctx, svc, aftermath.System, l, b.Body)
	if err != nil {
		return fmt.Errorf("brief %s: %w", b.Slug, err)
	}
	page, err := (&briefdoc.Page{Brief: b, Out: o, L: l, Paper: *paper}).HTML()
	if err != nil {
		return err
	}
	if *format == "pdf" {
		if page, err = briefdoc.PDF(ctx, page, *paper); err != nil {
			return err
		}
	}
	if *out == "-" {
		_, err = env.Stdout.Write(page)
		return err
	}
	if err := writeFileAtomic(*out, page); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "brief %s: %s written to %s (%d bytes)\n", b.Slug, *format, *out, len(page))
	return nil
}

// writeFileAtomic writes a file whole or not at all: a failed write
// leaves no half file where a reader expects a finished one.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
