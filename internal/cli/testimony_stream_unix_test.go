//go:build unix

package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"aftermath/internal/sqldb"
)

// TestTestimonyImportStreams: the import reads a stream and stops at the
// record limit, rather than reading the file to its end first. The file is
// a pipe whose one line goes on past 64 MiB and is never closed: reading
// all of it first would wait forever.
func TestTestimonyImportStreams(t *testing.T) {
	dsn, key := voicesDB(t, sqldb.SQLite)
	p := filepath.Join(t.TempDir(), "endless.jsonl")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("no named pipe: %v", err)
	}
	done, wrote := make(chan struct{}), make(chan int64, 1)
	go func() {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			wrote <- -1
			return
		}
		defer f.Close()
		n, chunk := int64(0), bytes.Repeat([]byte("x"), 64<<10)
		if _, err = f.Write([]byte(`{"body":"`)); err == nil {
			for n < 64<<20 {
				m, err := f.Write(chunk) // EPIPE once the reader gives up
				if n += int64(m); err != nil {
					break
				}
			}
		}
		wrote <- n
		<-done
	}()
	errc := make(chan error, 1)
	go func() {
		_, _, err := run(t, "testimony", "import", p, "--db", dsn, "--key-file", key, "--org", "hub")
		errc <- err
	}()
	select {
	case err := <-errc:
		if want := p + ":1: the line is longer than 1 MiB"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%v, want %s", err, want)
		}
	case <-time.After(15 * time.Second):
		t.Error("the import did not stop at the record limit: it reads the whole file first")
		close(done)
		<-errc
		done = nil
	}
	if done != nil {
		close(done)
	}
	if n := <-wrote; n < 0 || n >= 8<<20 {
		t.Errorf("the import took %d bytes of the stream, want about the 1 MiB limit", n)
	}
	nothingImported(t, dsn)
}
