package importer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"

	"aftermath"
	"aftermath/internal/ingest/iati"
	"aftermath/internal/ingest/sipri"
)

// FlowResult says what one SIPRI or IATI file's import did.
type FlowResult struct {
	// What is "sipri" (a trade register), "iati" (activities) or
	// "codelist".
	What   string
	Title  string // the register's title, or the codelist's name
	Counts aftermath.FlowImportCounts
}

// ImportSIPRI imports one SIPRI trade-register export in one transaction.
func ImportSIPRI(ctx context.Context, store aftermath.Flows, as aftermath.ImportAs, file string) (*FlowResult, error) {
	f, sha, err := openHashed(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	reg, err := sipri.Read(bufio.NewReaderSize(f, 1<<16), file)
	if err != nil {
		return nil, err
	}
	c, err := store.ImportArmsRegister(ctx, as, file, sha, reg)
	if err != nil {
		return nil, err
	}
	return &FlowResult{What: "sipri", Title: reg.Title, Counts: c}, nil
}

// ImportIATI imports one IATI file: an activity file in one transaction,
// streamed, or a codelist.
func ImportIATI(ctx context.Context, store aftermath.Flows, as aftermath.ImportAs, file string) (*FlowResult, error) {
	f, sha, err := openHashed(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	root, err := iati.Root(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return nil, err
	}
	switch root {
	case "codelist":
		cl, err := iati.ReadCodelist(bufio.NewReaderSize(f, 1<<16), file)
		if err != nil {
			return nil, err
		}
		n, err := store.ImportCodelist(ctx, as, cl)
		if err != nil {
			return nil, err
		}
		return &FlowResult{What: "codelist", Title: cl.Name, Counts: aftermath.FlowImportCounts{Read: int64(n), Inserted: int64(n)}}, nil
	case "iati-activities":
		c, err := store.ImportAid(ctx, as, file, sha, func(yield func(*aftermath.AidActivity) error) error {
			return iati.Read(bufio.NewReaderSize(f, 1<<16), file, yield)
		})
		if err != nil {
			return nil, err
		}
		return &FlowResult{What: "iati", Counts: c}, nil
	case "":
		return nil, errors.New(file + ": not an XML file")
	default:
		return nil, fmt.Errorf("%s: not an IATI activity file or codelist (its root element is <%s>, not <iati-activities> or <codelist>)", file, root)
	}
}

// openHashed opens a file and gives its SHA-256, for provenance.
func openHashed(file string) (*os.File, string, error) {
	sha, err := fileSHA256(file)
	if err != nil {
		return nil, "", err
	}
	f, err := os.Open(file)
	return f, sha, err
}
