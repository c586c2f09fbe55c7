package backup

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"filippo.io/age"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/vault"
)

// ErrWrongIdentity says the backup was not encrypted to any identity given.
var ErrWrongIdentity = errors.New("the backup was not encrypted to this identity")

// RestoreOptions say where a backup's other parts go and what is checked.
type RestoreOptions struct {
	Identities []age.Identity
	// UploadDir receives the uploads the backup holds.
	UploadDir string
	// KeyFile is where a key the backup holds is written (never over a
	// different key), and the key that opens every testimony afterwards.
	KeyFile string
	// SkipSealedCheck leaves testimony unopened when no key is at hand.
	SkipSealedCheck bool
}

// Report says what a restore brought back and what its checks found.
type Report struct {
	CreatedAt, Version, Driver string
	Migrations                 int // the dump's; newer ones were applied after it
	Tables                     map[string]int64
	Rows                       int64
	Files                      int
	KeyWritten                 string // the key file written from the backup, if any
	Integrity                  string
	AuditEntries               int64
	Sealed                     *sqldb.KeyCheck // nil when not checked
}

// Restore reads an encrypted backup from r into db, which must be new,
// then checks the result: the database's integrity, the audit log's
// chain, every table's count against the backup's, and that every
// testimony opens with the key. When anything fails, the database is left
// as new and the files the restore wrote are removed.
func Restore(ctx context.Context, db *sqldb.DB, r io.Reader, o RestoreOptions) (*Report, error) {
	plain, err := age.Decrypt(r, o.Identities...)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return nil, fmt.Errorf("%w (the backup is encrypted to: %s)", ErrWrongIdentity, strings.Join(nomatch.StanzaTypes, ", "))
		}
		return nil, fmt.Errorf("not an aftermath backup, or damaged: %w", err)
	}
	zr, err := gzip.NewReader(bufio.NewReaderSize(plain, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("the backup's contents are damaged: %w", err)
	}
	rd := &streamReader{d: json.NewDecoder(zr)}
	rd.d.UseNumber()
	h, err := rd.header()
	if err != nil {
		return nil, err
	}
	rep := &Report{CreatedAt: h.CreatedAt, Version: h.Version, Driver: h.Driver, Migrations: len(h.Migrations)}
	res, err := db.BeginRestore(ctx, &sqldb.DumpHeader{Driver: h.Driver, Migrations: h.Migrations, Sequences: h.Sequences})
	if err != nil {
		return nil, err
	}
	st := &restoreState{o: o, res: res}
	if err := st.load(ctx, rd, rep); err != nil {
		st.undo(ctx)
		return nil, err
	}
	if err := res.Commit(ctx); err != nil {
		st.undo(ctx)
		return nil, err
	}
	if err := st.place(rep); err != nil {
		st.undo(ctx)
		return nil, err
	}
	if err := verify(ctx, db, rep, o, len(h.Migrations)); err != nil {
		st.undo(ctx)
		return nil, fmt.Errorf("restore: the restored database failed its checks, and was emptied again: %w", err)
	}
	return rep, nil
}

type streamReader struct {
	d    *json.Decoder
	line int // values read, for messages
}

// next reads one value: a row (an array) or a record (an object), in one
// pass over the text (rows are nearly all of a backup).
func (s *streamReader) next() (row []any, rec *record, err error) {
	var v any
	if err := s.d.Decode(&v); err != nil {
		if err == io.EOF {
			return nil, nil, errors.New("the backup is truncated: it ends before its closing record")
		}
		return nil, nil, fmt.Errorf("the backup's contents are damaged at value %d: %w", s.line+1, err)
	}
	s.line++
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			if x[i], err = rowValue(e); err != nil {
				return nil, nil, fmt.Errorf("value %d, column %d: %w", s.line, i+1, err)
			}
		}
		return x, nil, nil
	case map[string]any:
		// Records are few (tables, file chunks, the ends): a second
		// encoding into their struct costs nothing that matters.
		b, err := json.Marshal(x)
		if err == nil {
			rec = &record{}
			err = json.Unmarshal(b, rec)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("value %d: %w", s.line, err)
		}
		return nil, rec, nil
	}
	return nil, nil, fmt.Errorf("the backup's contents are damaged at value %d: neither a row nor a record", s.line)
}

func (s *streamReader) header() (*record, error) {
	_, rec, err := s.next()
	if err != nil {
		return nil, err
	}
	if rec == nil || rec.T != "header" {
		return nil, errors.New("not an aftermath backup: it does not start with a header")
	}
	if rec.Format != Format {
		return nil, fmt.Errorf("the backup's format %d is not one this release reads (%d)", rec.Format, Format)
	}
	return rec, nil
}

// rowValue undoes appendValue.
func rowValue(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return x.Float64()
		}
		return x.Int64()
	case map[string]any:
		for k, e := range x {
			s, _ := e.(string)
			switch k {
			case "b":
				return base64.StdEncoding.DecodeString(s)
			case "s":
				b, err := base64.StdEncoding.DecodeString(s)
				return string(b), err
			case "f":
				return strconv.ParseFloat(s, 64)
			}
		}
		return nil, errors.New("an unknown kind of value")
	}
	return v, nil
}

type restoreState struct {
	o     RestoreOptions
	res   *sqldb.Restore
	files []pendingFile
	key   []byte
	// written: what place put down, removed again by undo.
	written []string
}

type pendingFile struct{ tmp, name string }

func (st *restoreState) load(ctx context.Context, rd *streamReader, rep *Report) error {
	var file *os.File
	var fileHash hash.Hash
	var fileName string
	var fileSize, fileGot int64
	defer func() {
		if file != nil {
			file.Close()
		}
	}()
	for {
		row, rec, err := rd.next()
		if err != nil {
			return err
		}
		if row != nil {
			if err := st.res.Row(ctx, row); err != nil {
				return err
			}
			rep.Rows++
			continue
		}
		switch rec.T {
		case "table":
			if err := st.res.Table(ctx, rec.Name, rec.Columns); err != nil {
				return err
			}
		case "file":
			if st.o.UploadDir == "" {
				return fmt.Errorf("the backup holds uploads (%s): say where they go", rec.Name)
			}
			if rec.Name != filepath.Base(rec.Name) || rec.Name == "." || rec.Name == ".." {
				return fmt.Errorf("the backup names an upload %q outside the upload folder", rec.Name)
			}
			if _, err := os.Lstat(filepath.Join(st.o.UploadDir, rec.Name)); err == nil {
				return fmt.Errorf("upload %s exists already in %s; it is never overwritten", rec.Name, st.o.UploadDir)
			}
			if err := os.MkdirAll(st.o.UploadDir, 0o700); err != nil {
				return err
			}
			if file, err = os.CreateTemp(st.o.UploadDir, ".restoring-*"); err != nil {
				return err
			}
			st.files = append(st.files, pendingFile{tmp: file.Name(), name: rec.Name})
			fileHash, fileName, fileSize, fileGot = sha256.New(), rec.Name, rec.Size, 0
		case "chunk":
			if file == nil {
				return errors.New("the backup's contents are damaged: file data outside a file")
			}
			fileGot += int64(len(rec.Data))
			if fileGot > fileSize {
				return fmt.Errorf("upload %s is longer in the backup than its stated size", fileName)
			}
			fileHash.Write(rec.Data)
			if _, err := file.Write(rec.Data); err != nil {
				return err
			}
		case "file_end":
			if file == nil || rec.Name != fileName {
				return errors.New("the backup's contents are damaged: a file's end without its start")
			}
			if fileGot != fileSize || hex.EncodeToString(fileHash.Sum(nil)) != rec.SHA256 {
				return fmt.Errorf("upload %s is damaged in the backup (size or checksum differ)", fileName)
			}
			if err := file.Sync(); err != nil {
				return err
			}
			if err := file.Close(); err != nil {
				return err
			}
			file = nil
			rep.Files++
		case "key":
			if st.o.KeyFile == "" {
				return errors.New("the backup holds the key file: say where it goes (--key-file)")
			}
			if have, err := os.ReadFile(st.o.KeyFile); err == nil && !bytes.Equal(have, rec.Data) {
				return fmt.Errorf("the backup holds a key file, and %s holds a different one; it is never overwritten", st.o.KeyFile)
			}
			st.key = rec.Data
		case "end":
			return st.end(rec, rep)
		default:
			return fmt.Errorf("the backup's contents are damaged: an unknown record %q", rec.T)
		}
	}
}

// end checks the closing record against what came before it.
func (st *restoreState) end(rec *record, rep *Report) error {
	got := st.res.Counts()
	for _, t := range sortedTables(rec.Tables) {
		if got[t] != rec.Tables[t] {
			return fmt.Errorf("the backup is damaged: table %s has %d rows, its closing record says %d", t, got[t], rec.Tables[t])
		}
	}
	if len(got) != len(rec.Tables) || rep.Files != rec.Files || rec.HasKey != (st.key != nil) {
		return errors.New("the backup is damaged: its closing record does not match its contents")
	}
	rep.Tables = rec.Tables
	return nil
}

// place puts the uploads and the key where they go, once the rows are in.
func (st *restoreState) place(rep *Report) error {
	for _, f := range st.files {
		dst := filepath.Join(st.o.UploadDir, f.name)
		if err := os.Link(f.tmp, dst); err != nil {
			return fmt.Errorf("upload %s: %w", f.name, err)
		}
		st.written = append(st.written, dst)
		os.Remove(f.tmp)
	}
	st.files = nil
	if st.key == nil {
		return nil
	}
	if _, err := os.Stat(st.o.KeyFile); err == nil {
		return nil // the same key, checked in load
	}
	if err := os.MkdirAll(filepath.Dir(st.o.KeyFile), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(st.o.KeyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	st.written = append(st.written, st.o.KeyFile)
	rep.KeyWritten = st.o.KeyFile
	if _, err := f.Write(st.key); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// undo removes what the restore wrote and empties the database again.
func (st *restoreState) undo(ctx context.Context) {
	for _, f := range st.files {
		os.Remove(f.tmp)
	}
	for _, p := range st.written {
		os.Remove(p)
	}
	st.res.Discard(ctx)
}

// verify checks a restored database.
func verify(ctx context.Context, db *sqldb.DB, rep *Report, o RestoreOptions, dumpMigrations int) error {
	msg, err := db.IntegrityCheck(ctx)
	if err != nil {
		return err
	}
	if rep.Integrity = msg; msg != "ok" {
		return fmt.Errorf("integrity: %s", msg)
	}
	audit, err := db.AuditVerify(ctx)
	if err != nil {
		return err
	}
	if audit.Break != nil {
		return fmt.Errorf("audit log broken at entry %d: %s", audit.Break.ID, audit.Break.Reason)
	}
	rep.AuditEntries = audit.Entries
	// Migrations newer than the backup may add or change rows; the counts
	// are the backup's own only when none ran.
	if ms, err := db.Migrations(); err == nil && len(ms) == dumpMigrations {
		have, err := db.TableCounts(ctx)
		if err != nil {
			return err
		}
		for _, t := range sortedTables(rep.Tables) {
			if have[t] != rep.Tables[t] {
				return fmt.Errorf("table %s holds %d rows, the backup %d", t, have[t], rep.Tables[t])
			}
		}
	}
	keys, err := db.DataKeyCounts(ctx)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		rep.Sealed = &sqldb.KeyCheck{}
		return nil
	}
	kek, err := vault.Load(o.KeyFile)
	if err != nil {
		if o.SkipSealedCheck {
			return nil
		}
		return fmt.Errorf("encrypted testimony cannot be checked without its key (%w); give --key-file, or --skip-testimony-check to restore without opening it", err)
	}
	check, err := db.Voices(kek).CheckSealed(ctx)
	if err != nil {
		return aftermath.Errorf(aftermath.EINTERNAL, "%v", err)
	}
	rep.Sealed = check
	return nil
}
