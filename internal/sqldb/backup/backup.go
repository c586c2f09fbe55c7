// Package backup writes and restores Aftermath's encrypted backups: one
// file holding a consistent snapshot of every table (from either database
// kind, restorable into either), the uploads waiting for import and, only
// when asked, the key file, compressed and encrypted with age to one or
// more recipients. A backup holds testimony only as the database does,
// sealed under the key-encryption key; without --include-key, a stolen
// backup and its age identity together still do not reveal it.
package backup

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/age"

	"aftermath/internal/sqldb"
)

// Format is the version of the stream inside the encryption.
const Format = 1

// The stream inside the encryption and compression is JSON, one value a
// line: a header object, then for each table an object naming it and its
// columns followed by one array per row, then each file as an object and
// its chunks, and last an end object with the counts. A stream that stops
// before its end object is refused as truncated.
type record struct {
	T string `json:"t"`
	// header
	Format     int              `json:"format,omitempty"`
	CreatedAt  string           `json:"created_at,omitempty"`
	Version    string           `json:"version,omitempty"`
	Driver     string           `json:"driver,omitempty"`
	Migrations []string         `json:"migrations,omitempty"`
	Sequences  map[string]int64 `json:"sequences,omitempty"`
	// table
	Name    string   `json:"name,omitempty"`
	Columns []string `json:"columns,omitempty"`
	// file, chunk, key
	Size   int64  `json:"size,omitempty"`
	Data   []byte `json:"data,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	// end
	Tables map[string]int64 `json:"tables,omitempty"`
	Files  int              `json:"files,omitempty"`
	HasKey bool             `json:"has_key,omitempty"`
}

// Options say what goes into a backup besides the database.
type Options struct {
	Recipients []age.Recipient
	// UploadDir holds files waiting for import; they are included when it
	// exists.
	UploadDir string
	// KeyFile is included only with IncludeKey: whoever holds the backup
	// and its identity can then read every testimony.
	KeyFile    string
	IncludeKey bool
	Version    string // of the aftermath that writes it
	Now        time.Time
}

// Summary says what a backup holds.
type Summary struct {
	Tables map[string]int64
	Rows   int64
	Files  int
	HasKey bool
	Bytes  int64 // of the encrypted file
}

// chunkSize is how much of a file one chunk line carries.
const chunkSize = 256 << 10

// Write writes an encrypted backup of db to w.
func Write(ctx context.Context, db *sqldb.DB, w io.Writer, o Options) (*Summary, error) {
	if len(o.Recipients) == 0 {
		return nil, errors.New("backup: no recipient: a backup is always encrypted (give --recipient)")
	}
	counter := &countingWriter{w: w}
	enc, err := age.Encrypt(counter, o.Recipients...)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	zw, err := gzip.NewWriterLevel(enc, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(zw, 1<<20)
	s := &streamWriter{w: bw, o: o, sum: &Summary{Tables: map[string]int64{}}}
	if err := db.WriteDump(ctx, s); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if o.UploadDir != "" {
		if err := s.files(o.UploadDir); err != nil {
			return nil, fmt.Errorf("backup: uploads: %w", err)
		}
	}
	if o.IncludeKey {
		b, err := os.ReadFile(o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("backup: --include-key: %w", err)
		}
		if err := s.put(&record{T: "key", Data: b}); err != nil {
			return nil, err
		}
		s.sum.HasKey = true
	}
	if err := s.put(&record{T: "end", Tables: s.sum.Tables, Files: s.sum.Files, HasKey: s.sum.HasKey}); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	s.sum.Bytes = counter.n
	return s.sum, nil
}

// WriteFile writes a backup to path through a temporary file beside it,
// synced and renamed into place only when complete: a backup cut short
// (a full disk, a kill) never sits under the name of a good one.
func WriteFile(ctx context.Context, db *sqldb.DB, path string, o Options) (*Summary, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".part-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	sum, err := Write(ctx, db, f, o)
	if err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	// Link, not rename: it refuses to replace a file that appeared meanwhile.
	if err := os.Link(f.Name(), path); err != nil {
		os.Remove(f.Name())
		done = true
		return nil, fmt.Errorf("backup: %w", err)
	}
	os.Remove(f.Name())
	done = true
	return sum, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// streamWriter is the dump's sink: it writes the JSON lines.
type streamWriter struct {
	w     *bufio.Writer
	o     Options
	sum   *Summary
	table string
	buf   []byte
}

func (s *streamWriter) put(r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	s.w.Write(b)
	return s.w.WriteByte('\n')
}

func (s *streamWriter) DumpHeader(h *sqldb.DumpHeader) error {
	now := s.o.Now
	if now.IsZero() {
		now = time.Now()
	}
	return s.put(&record{T: "header", Format: Format, CreatedAt: now.UTC().Format(time.RFC3339), Version: s.o.Version,
		Driver: h.Driver, Migrations: h.Migrations, Sequences: h.Sequences})
}

func (s *streamWriter) DumpTable(name string, columns []string) error {
	s.table = name
	s.sum.Tables[name] = 0
	return s.put(&record{T: "table", Name: name, Columns: columns})
}

// DumpRow writes a row as a JSON array by hand: reflection over []any is
// most of the time of a large backup otherwise.
func (s *streamWriter) DumpRow(values []any) error {
	b := append(s.buf[:0], '[')
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendValue(b, v)
	}
	b = append(b, ']', '\n')
	s.buf = b
	s.sum.Tables[s.table]++
	s.sum.Rows++
	_, err := s.w.Write(b)
	return err
}

// appendValue encodes one value: numbers and strings as JSON's own, bytes
// as {"b":BASE64}, and what JSON cannot hold exactly as {"s":BASE64} (a
// string that is not UTF-8) or {"f":"NaN"} (a float without a literal).
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b = strconv.AppendFloat(append(b, `{"f":"`...), x, 'g', -1, 64)
			return append(b, `"}`...)
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		b = append(b, s...)
		if !strings.ContainsAny(s, ".eEn") {
			b = append(b, ".0"...) // stays a float on the way back
		}
		return b
	case string:
		if !utf8.ValidString(x) {
			b = append(b, `{"s":"`...)
			b = base64.StdEncoding.AppendEncode(b, []byte(x))
			return append(b, `"}`...)
		}
		q, _ := json.Marshal(x)
		return append(b, q...)
	case []byte:
		b = append(b, `{"b":"`...)
		b = base64.StdEncoding.AppendEncode(b, x)
		return append(b, `"}`...)
	}
	panic(fmt.Sprintf("backup: a %T value", v))
}

// files writes every regular file of dir (not its subfolders: uploads wait
// there flat).
func (s *streamWriter) files(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := s.file(filepath.Join(dir, e.Name()), e.Name()); err != nil {
			return err
		}
	}
	return nil
}

func (s *streamWriter) file(path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := s.put(&record{T: "file", Name: name, Size: st.Size()}); err != nil {
		return err
	}
	h := sha256.New()
	buf := make([]byte, chunkSize)
	var n int64
	for {
		k, err := io.ReadFull(f, buf)
		if k > 0 {
			h.Write(buf[:k])
			n += int64(k)
			if err := s.put(&record{T: "chunk", Data: buf[:k]}); err != nil {
				return err
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if n != st.Size() {
		return fmt.Errorf("%s changed while it was copied", name)
	}
	s.sum.Files++
	return s.put(&record{T: "file_end", Name: name, SHA256: hex.EncodeToString(h.Sum(nil))})
}

// sortedTables lists a count map's tables by name.
func sortedTables(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
