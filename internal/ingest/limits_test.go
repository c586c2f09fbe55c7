package ingest

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// endless yields head, then n bytes of body repeated, then tail, without
// ever holding more than one body in memory.
type endless struct {
	head, body, tail string
	n                int64 // body bytes still to give
	off              int   // offset in body
}

func (e *endless) Read(p []byte) (int, error) {
	w := 0
	for w < len(p) {
		switch {
		case e.head != "":
			c := copy(p[w:], e.head)
			e.head = e.head[c:]
			w += c
		case e.n > 0:
			s := e.body[e.off:]
			if int64(len(s)) > e.n {
				s = s[:e.n]
			}
			c := copy(p[w:], s)
			e.off = (e.off + c) % len(e.body)
			e.n -= int64(c)
			w += c
		case e.tail != "":
			c := copy(p[w:], e.tail)
			e.tail = e.tail[c:]
			w += c
		default:
			if w == 0 {
				return 0, io.EOF
			}
			return w, nil
		}
	}
	return w, nil
}

// peakHeap runs f while sampling the heap and returns the largest heap
// seen above the heap before it.
func peakHeap(t *testing.T, f func()) uint64 {
	t.Helper()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapAlloc
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			mu.Lock()
			peak = max(peak, m.HeapAlloc)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	runtime.ReadMemStats(&m)
	peak = max(peak, m.HeapAlloc)
	if peak < base {
		return 0
	}
	return peak - base
}

// TestRecordTooLong: a record longer than MaxRecordBytes, on one line or
// over many lines of a quoted field, stops the read with FILE:LINE and
// the limit, and memory stays bounded whatever the length.
func TestRecordTooLong(t *testing.T) {
	const size = 400 << 20 // 400 MB that must never be held
	const bound = 32 << 20
	for _, tc := range []struct {
		name string
		in   *endless
	}{
		{"one line", &endless{head: "id,notes\n1,ok\n2,", body: strings.Repeat("x", 4096), n: size, tail: "\n"}},
		{"quoted lines", &endless{head: "id,notes\n1,ok\n2,\"", body: strings.Repeat("x", 63) + "\n", n: size, tail: "\"\n"}},
		{"header", &endless{head: "id,", body: strings.Repeat("x", 4096), n: size, tail: "\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errs []string
			peak := peakHeap(t, func() {
				c, err := NewCSV(tc.in, "f.csv")
				for err == nil {
					err = c.Next()
					if err == nil {
						errs = append(errs, "row "+c.Raw()[0])
					}
				}
				errs = append(errs, err.Error())
			})
			if peak > bound {
				t.Errorf("heap grew by %d MB reading a %d MB record; the bound is %d MB", peak>>20, size>>20, bound>>20)
			}
			want := []string{"row 1", "f.csv:3: the record is longer than 1 MiB, the limit of one record (is this a CSV file?)"}
			if tc.name == "header" {
				want = []string{"f.csv:1: the record is longer than 1 MiB, the limit of one record (is this a CSV file?)"}
			}
			if strings.Join(errs, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(errs, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestRecordsUnderTheLimit: records just under the limit, and quoted
// fields over many lines, read as before with their lines.
func TestRecordsUnderTheLimit(t *testing.T) {
	long := strings.Repeat("y", MaxFieldBytes)
	body := "id,notes\n1,\"a\"\"b\nc\"\n2," + long + "\n3,\"" + strings.Repeat("z\n", 1000) + "\"\n4,end\n"
	got := rows(t, body)
	if len(got) != 4 || got[0] != "1|a\"b\nc@2" || got[1] != "2|"+long+"@4" || !strings.HasSuffix(got[2], "@5") || got[3] != "4|end@1006" {
		for i := range got {
			got[i] = got[i][:min(len(got[i]), 40)]
		}
		t.Errorf("rows: %q", got)
	}
}

// TestFieldTooLong: a field over MaxFieldBytes is a bad row, which the
// reader can go on after.
func TestFieldTooLong(t *testing.T) {
	body := "id,notes\n1," + strings.Repeat("y", MaxFieldBytes+1) + "\n2,fine\n"
	c, err := NewCSV(strings.NewReader(body), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	err = c.Next()
	var re *RowError
	if !errors.As(err, &re) || err.Error() != `f.csv:2: column "notes" is longer than 256 KiB, the limit of one field` {
		t.Fatalf("long field: %v", err)
	}
	if err := c.Next(); err != nil || c.Raw()[1] != "fine" || c.Line() != 3 {
		t.Fatalf("the row after: %v %q", err, c.Raw())
	}
}
