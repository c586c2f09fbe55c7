// Package importer runs an import: it opens a CSV or a ZIP as published,
// hashes it, reads it with the format's reader in a stream, and hands
// batches to one database transaction. A bad row stops the import and
// leaves the database as it was, unless SkipBadRows is set, in which case
// the row goes to a rejects file.
package importer

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"aftermath"
	"aftermath/internal/csvout"
	"aftermath/internal/geo"
	"aftermath/internal/ingest"
	"aftermath/internal/ingest/acled"
	"aftermath/internal/ingest/ucdp"
)

// Options of one import.
type Options struct {
	Dataset     string // aftermath.DatasetUCDP or DatasetACLED
	Version     string // overrides the version found in the file name
	SkipBadRows bool
	// Place, when set, says who sees a dataset this import creates (nil:
	// the store's default for the dataset).
	Place *aftermath.Placement
	// As is on whose behalf the import runs (the zero value: the instance,
	// which writes every dataset); a dataset that exists must be one they
	// may write, or the import is refused with ENOTFOUND or EFORBIDDEN.
	As aftermath.ImportAs
	// RejectsPath is where rejected rows go; default NAME.rejected.csv
	// beside the input NAME.csv or NAME.zip (DefaultRejectsPath).
	RejectsPath string
	// CoversFrom and CoversTo (YYYY-MM, both or neither) and Countries
	// (ISO 3166-1 alpha-3; nil: not stated) are the coverage the user
	// states (--covers, --countries). What is not stated is found: a UCDP
	// monthly candidate's name gives its month, otherwise the events' dates
	// do, and a file of one country's events covers that country.
	CoversFrom, CoversTo string
	Countries            []string
	// Progress is told how far the import is, when not nil.
	Progress func(file string, done, total int64, counts aftermath.ImportCounts)
}

// Result is the outcome of importing one file.
type Result struct {
	File        string
	Version     string
	SHA256      string
	Counts      aftermath.ImportCounts
	RejectsPath string // set when rows were rejected
}

// batchSize is how many rows one lookup-and-insert round carries. 2,048
// rather than 512 made a PostgreSQL import of 522,210 rows 1.6 s (11%)
// faster, at 30 MiB more peak memory (docs/benchmarks.md).
const batchSize = 2048

// Import imports one file into db.
func Import(ctx context.Context, db aftermath.EventImports, file string, opt Options) (*Result, error) {
	sum, err := fileSHA256(file)
	if err != nil {
		return nil, err
	}
	if err := checkCoverage(opt); err != nil {
		return nil, err
	}
	if err := checkKind(file, opt.Dataset); err != nil {
		return nil, err
	}
	version := opt.Version
	if version == "" {
		version = versionFromName(opt.Dataset, file)
	}
	if version == "" {
		return nil, aftermath.Errorf(aftermath.EINVALID,
			"%s: the file name does not give the %s version; say which with --version (for example --version 23.1)", file, opt.Dataset)
	}
	src, err := openData(file)
	if err != nil {
		return nil, err
	}
	defer src.Close()

	res := &Result{File: file, Version: version, SHA256: sum}
	im, err := db.StartImport(ctx, opt.As, opt.Dataset, version, filepath.Base(file), sum, opt.Place)
	if err != nil {
		return nil, err
	}
	defer im.Rollback() // a no-op after Commit
	if opt.CoversFrom != "" || opt.Countries != nil {
		im.StateCoverage(opt.CoversFrom, opt.CoversTo, opt.Countries)
	}
	if opt.Dataset == aftermath.DatasetUCDP {
		if m := ucdp.MonthFromName(file); m != "" {
			im.CoverageFromFileName(m)
		}
	}
	rej := &rejects{path: opt.RejectsPath, input: file}
	if err := run(ctx, im, src, opt, rej); err != nil {
		rej.abandon()
		return nil, err
	}
	if err := rej.close(); err != nil {
		rej.abandon()
		return nil, err
	}
	if res.Counts, err = im.Commit(); err != nil {
		rej.abandon()
		return nil, err
	}
	if res.Counts.Rejected > 0 {
		res.RejectsPath = rej.path
	}
	return res, nil
}

// chunk is a batch of parsed events and the rows refused among them.
type chunk struct {
	events []*aftermath.Event
	lines  []int      // the line each event starts on
	raws   [][]string // each event's cells, kept with SkipBadRows to refuse a repeated id
	bad    []badRow   // rows refused, in file order
}

// badRow is a row refused, with its cells for the rejects file.
type badRow struct {
	raw []string
	err *ingest.RowError
}

func newChunk(skip bool) chunk {
	c := chunk{events: make([]*aftermath.Event, 0, batchSize), lines: make([]int, 0, batchSize)}
	if skip {
		c.raws = make([][]string, 0, batchSize)
	}
	return c
}

// run reads and parses in one goroutine while this one writes to the
// database, so that on two cores parsing and hashing overlap with SQLite's
// or PostgreSQL's work. The rejects file is written here, in file order.
func run(ctx context.Context, im aftermath.ImportTx, src *dataFile, opt Options, rej *rejects) error {
	var rd ingest.Reader
	var err error
	switch opt.Dataset {
	case aftermath.DatasetUCDP:
		rd, err = ucdp.NewReader(src, src.name)
	case aftermath.DatasetACLED:
		rd, err = acled.NewReader(src, src.name)
	default:
		err = aftermath.Errorf(aftermath.EINVALID, "unknown dataset %q", opt.Dataset)
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan chunk, 2)
	readErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		readErr <- read(ctx, rd, opt, chunks)
	}()
	var werr error
	for c := range chunks {
		if werr != nil {
			continue // drain, so the reader can finish
		}
		werr = write(im, src.name, rd.Header(), opt, rej, c)
		if werr != nil {
			cancel()
		}
		if opt.Progress != nil {
			opt.Progress(src.name, src.done(), src.size, im.Counts())
		}
	}
	rerr := <-readErr
	if werr != nil {
		// The writer has seen only rows before any the reader stopped at,
		// so its error is the first in the file.
		return werr
	}
	return rerr
}

// write stores a chunk: it finds ids repeated in the file, refuses them
// and the rows the reader refused (or stops at the first of them, which is
// the first refused in the file), and adds the rest.
func write(im aftermath.ImportTx, name string, header []string, opt Options, rej *rejects, c chunk) error {
	reps, err := im.Repeats(c.events)
	if err != nil {
		return err
	}
	if len(reps) > 0 {
		slices.Sort(reps)
		if !opt.SkipBadRows {
			i := reps[0]
			return &ingest.RowError{File: name, Line: c.lines[i], Column: idColumn(opt.Dataset), Value: c.events[i].NativeID,
				Msg: "appears twice in this file"}
		}
		for _, i := range reps {
			c.bad = append(c.bad, badRow{raw: c.raws[i], err: &ingest.RowError{File: name, Line: c.lines[i],
				Column: idColumn(opt.Dataset), Value: c.events[i].NativeID, Msg: "appears twice in this file"}})
			c.events[i] = nil
		}
		c.events = slices.DeleteFunc(c.events, func(e *aftermath.Event) bool { return e == nil })
		slices.SortStableFunc(c.bad, func(a, b badRow) int { return a.err.Line - b.err.Line })
	}
	for _, b := range c.bad {
		if err := rej.write(header, b.raw, b.err); err != nil {
			return err
		}
		im.Rejected()
	}
	return im.Add(c.events)
}

// read parses rows into batches, refuses bad rows with SkipBadRows, and
// hashes each event. At a bad row without SkipBadRows it hands on the rows
// before it, whose ids may repeat one another earlier in the file, and
// stops.
func read(ctx context.Context, rd ingest.Reader, opt Options, out chan<- chunk) error {
	c := newChunk(opt.SkipBadRows)
	send := func() error {
		select {
		case out <- c:
		case <-ctx.Done():
			return ctx.Err()
		}
		c = newChunk(opt.SkipBadRows)
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		var rowErr *ingest.RowError
		if errors.As(err, &rowErr) && opt.SkipBadRows {
			c.bad = append(c.bad, badRow{raw: slices.Clone(rd.Raw()), err: rowErr})
			continue
		}
		if err != nil {
			if serr := send(); serr != nil {
				return serr
			}
			return err
		}
		e.ContentHash = aftermath.EventHash(e)
		c.events = append(c.events, e)
		c.lines = append(c.lines, rd.Line())
		if opt.SkipBadRows {
			c.raws = append(c.raws, slices.Clone(rd.Raw()))
		}
		if len(c.events) == batchSize {
			if err := send(); err != nil {
				return err
			}
		}
	}
	return send()
}

func idColumn(dataset string) string {
	if dataset == aftermath.DatasetACLED {
		return "event_id_cnty"
	}
	return "id"
}

// acledDate finds the dates in ACLED export names such as
// 2021-01-01-2024-06-30-Mali.csv; the last one is the export's end date.
var acledDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

func versionFromName(dataset, file string) string {
	if dataset == aftermath.DatasetUCDP {
		return ucdp.VersionFromName(file)
	}
	if m := acledDate.FindAllString(filepath.Base(file), -1); len(m) > 0 {
		return m[len(m)-1]
	}
	return ""
}

func fileSHA256(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// dataFile is the CSV inside a file: the file itself, or the one CSV entry
// of a ZIP as UCDP distributes it.
type dataFile struct {
	io.Reader
	name   string // for messages: file, or file.zip/entry.csv
	size   int64
	n      atomic.Int64 // bytes read, for progress, read from another goroutine
	closer []io.Closer
}

func (d *dataFile) Read(p []byte) (int, error) {
	n, err := d.Reader.Read(p)
	d.n.Add(int64(n))
	return n, err
}

func (d *dataFile) done() int64 { return d.n.Load() }

func (d *dataFile) Close() error {
	var err error
	for i := len(d.closer) - 1; i >= 0; i-- {
		if cerr := d.closer[i].Close(); err == nil {
			err = cerr
		}
	}
	return err
}

func openData(file string) (*dataFile, error) {
	if !strings.EqualFold(filepath.Ext(file), ".zip") {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		return &dataFile{Reader: f, name: file, size: st.Size(), closer: []io.Closer{f}}, nil
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable ZIP: %w", file, err)
	}
	var csvs []*zip.File
	for _, f := range zr.File {
		base := path.Base(f.Name)
		// Skip what archivers add: __MACOSX/ resource forks, ._ and dot files, folders.
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(base, ".") {
			continue
		}
		if strings.EqualFold(path.Ext(base), ".csv") {
			csvs = append(csvs, f)
		}
	}
	if len(csvs) != 1 {
		zr.Close()
		return nil, aftermath.Errorf(aftermath.EINVALID, "%s: expected one CSV file in the ZIP, found %d", file, len(csvs))
	}
	rc, err := csvs[0].Open()
	if err != nil {
		zr.Close()
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &dataFile{Reader: rc, name: file + "/" + csvs[0].Name, size: int64(csvs[0].UncompressedSize64),
		closer: []io.Closer{zr, rc}}, nil
}

// importCommands are the commands that import a kind of file, to point
// at the right one when a file is given to another.
var importCommands = map[string]string{
	ingest.KindUCDPGED: "aftermath import ucdp", ingest.KindACLED: "aftermath import acled",
	ingest.KindSIPRI: "aftermath import sipri", ingest.KindIATI: "aftermath import iati",
}

// checkKind refuses a file that is not of the dataset's kind, saying
// what it looks like, from its first kilobytes: before anything else is
// asked of it (its version) or done with it.
func checkKind(file, dataset string) error {
	src, err := openData(file)
	if err != nil {
		return err
	}
	defer src.Close()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(src, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return fmt.Errorf("%s: %w", file, err)
	}
	head = head[:n]
	kind := ingest.Identify(head)
	if kind == dataset {
		return nil
	}
	want := ingest.KindNames[dataset]
	if kind == ingest.KindUnknown {
		missing := ingest.MissingColumns(head, dataset)
		quoted := make([]string, len(missing))
		for i, m := range missing {
			quoted[i] = strconv.Quote(m)
		}
		return aftermath.Errorf(aftermath.EINVALID, "%s is not %s: its first line has no column %s", file, want, strings.Join(quoted, ", "))
	}
	msg := fmt.Sprintf("%s is not %s: it looks like %s", file, want, ingest.KindNames[kind])
	if cmd := importCommands[kind]; cmd != "" {
		msg += "; import it with '" + cmd + "'"
	}
	return aftermath.Errorf(aftermath.EINVALID, "%s", msg)
}

// DefaultRejectsPath is where the rows refused from input go when no
// rejects file is named: NAME.rejected.csv beside NAME.csv or NAME.zip,
// where the user looks for it, and never the working directory, which for
// a server is no place for a file of published rows.
func DefaultRejectsPath(input string) string {
	base := strings.TrimSuffix(filepath.Base(input), filepath.Ext(input))
	return filepath.Join(filepath.Dir(input), base+".rejected.csv")
}

// rejects writes refused rows, as published plus the reason, to a CSV that
// is created only when the first row is refused. Every cell goes through
// csvout, so a published cell such as =HYPERLINK(…) opens as text.
//
// The rows go to a new temporary file beside path (mode 0600, created
// exclusively, so no existing name is opened), which close renames onto
// path. A path that exists must be a regular file other than the input:
// a symlink is refused, never followed, and a rename replaces a name
// rather than writing through it. An import that fails leaves an earlier
// file at path as it was.
type rejects struct {
	path, input string
	tmp         string // the temporary file, until it is renamed onto path
	renamed     bool
	f           *os.File
	w           *csvout.Writer
}

func (r *rejects) write(header, raw []string, why *ingest.RowError) error {
	if r.w == nil {
		if r.path == "" {
			r.path = DefaultRejectsPath(r.input)
		}
		if err := r.check(); err != nil {
			return err
		}
		f, err := os.CreateTemp(filepath.Dir(r.path), filepath.Base(r.path)+".*.partial")
		if err != nil {
			return fmt.Errorf("rejects file: %w", err)
		}
		r.f, r.tmp, r.w = f, f.Name(), csvout.NewWriter(f)
		if err := r.w.Write(append([]string{"line", "error"}, header...)); err != nil {
			return fmt.Errorf("rejects file: %w", err)
		}
	}
	row := append([]string{fmt.Sprint(why.Line), why.Error()}, raw...)
	if err := r.w.Write(row); err != nil {
		return fmt.Errorf("rejects file: %w", err)
	}
	return nil
}

// check refuses a path that names something other than a regular file, or
// the input itself (which the rename would replace).
func (r *rejects) check() error {
	st, err := os.Lstat(r.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("rejects file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return aftermath.Errorf(aftermath.EINVALID,
			"rejects file %s exists and is not a regular file (a symlink, folder or device); it is left alone; name another rejects file", r.path)
	}
	if in, err := os.Stat(r.input); err == nil && os.SameFile(in, st) {
		return aftermath.Errorf(aftermath.EINVALID, "rejects file %s is the input file; name another rejects file", r.path)
	}
	return nil
}

// close puts the rejects file in place, when rows were refused.
func (r *rejects) close() error {
	if r.w == nil {
		return nil
	}
	r.w.Flush()
	err := r.w.Error()
	if err == nil {
		err = r.f.Sync()
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("rejects file: %w", err)
	}
	// Again: something may have taken the name while the rows were read.
	if err := r.check(); err != nil {
		return err
	}
	if err := os.Rename(r.tmp, r.path); err != nil {
		return fmt.Errorf("rejects file: %w", err)
	}
	r.renamed = true
	return nil
}

// abandon removes the rejects file of an import that failed, so that no
// file describes an import that did not happen.
func (r *rejects) abandon() {
	switch {
	case r.renamed:
		os.Remove(r.path)
	case r.f != nil:
		r.f.Close()
		os.Remove(r.tmp)
	}
}

// checkCoverage refuses stated coverage that is not months in order and
// ISO alpha-3 country codes.
func checkCoverage(opt Options) error {
	if (opt.CoversFrom == "") != (opt.CoversTo == "") {
		return aftermath.Errorf(aftermath.EINVALID, "coverage needs both a first and a last month (YYYY-MM:YYYY-MM)")
	}
	if opt.CoversFrom != "" {
		for _, m := range []string{opt.CoversFrom, opt.CoversTo} {
			if !aftermath.IsMonth(m) {
				return aftermath.Errorf(aftermath.EINVALID, "coverage: %q is not a month (YYYY-MM)", m)
			}
		}
		if opt.CoversFrom > opt.CoversTo {
			return aftermath.Errorf(aftermath.EINVALID, "coverage: %s is after %s", opt.CoversFrom, opt.CoversTo)
		}
	}
	for _, c := range opt.Countries {
		if _, ok := geo.ByAlpha3(c); !ok {
			return aftermath.Errorf(aftermath.EINVALID, "coverage: %q is not an ISO 3166-1 alpha-3 country code", c)
		}
	}
	return nil
}
