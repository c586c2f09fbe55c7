package backup_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/backup"
	"aftermath/internal/sqldb/sqldbtest"
)

// The schedule writes a backup when none is younger than its interval,
// keeps the newest Keep, and each one restores.
func TestScheduleWritesDueBackupsAndKeepsTheNewest(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
	var written []int64
	dir := filepath.Join(t.TempDir(), "backups")
	s := &backup.Schedule{DB: db, Every: 24 * time.Hour, Dir: dir, Keep: 2,
		Options: backup.Options{Recipients: []age.Recipient{id.Recipient()}},
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Done: func(n int64, err error) {
			if err != nil {
				t.Errorf("backup failed: %v", err)
			}
			written = append(written, n)
		},
		Now: func() time.Time { return now }}
	ctx := context.Background()
	step := func(wantWait time.Duration) {
		t.Helper()
		wait, err := s.RunOnce(ctx)
		if err != nil || wait != wantWait {
			t.Fatalf("at %s: wait %s, %v; want %s", now, wait, err, wantWait)
		}
	}
	step(24 * time.Hour) // none yet: one now
	now = now.Add(5 * time.Hour)
	step(19 * time.Hour) // the last is 5 hours old: nothing
	now = now.Add(19 * time.Hour)
	step(24 * time.Hour)
	now = now.Add(30 * time.Hour)
	step(24 * time.Hour)
	if len(written) != 3 {
		t.Fatalf("%d backups written, want 3", len(written))
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	want := []string{"aftermath-20261204T010000Z.age", "aftermath-20261205T070000Z.age"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("the folder holds %v, want %v", names, want)
	}
	raw, err := os.ReadFile(filepath.Join(dir, want[1]))
	if err != nil {
		t.Fatal(err)
	}
	target, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	rep, err := backup.Restore(ctx, target, bytes.NewReader(raw), backup.RestoreOptions{Identities: []age.Identity{id}})
	if err != nil || rep.Integrity != "ok" || rep.CreatedAt != "2026-12-05T07:00:00Z" {
		t.Fatalf("restore of the scheduled backup: %+v %v", rep, err)
	}
}
