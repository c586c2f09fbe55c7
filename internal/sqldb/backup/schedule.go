package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"aftermath/internal/sqldb"
)

// Schedule writes a backup into Dir every Every and keeps the newest Keep.
// The folder is the schedule's memory: the newest backup in it says when
// the next is due, so a restart neither skips one nor makes one early, and
// several servers sharing the folder make one between them (a lock file in
// it lets one at a time write).
type Schedule struct {
	DB      *sqldb.DB
	Every   time.Duration
	Dir     string
	Keep    int
	Options Options
	Log     *slog.Logger
	// Done hears of every backup written or failed (serve's metrics).
	Done func(bytes int64, err error)
	Now  func() time.Time
}

// backupName is a scheduled backup's file name: its time sorts as text.
const backupPrefix, backupSuffix, stampLayout = "aftermath-", ".age", "20060102T150405Z"

func (s *Schedule) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Run writes backups until ctx ends; a failed one is tried again after a
// tenth of the interval (at least a minute, at most an hour).
func (s *Schedule) Run(ctx context.Context) {
	retry := min(max(s.Every/10, time.Minute), time.Hour)
	for {
		wait, err := s.RunOnce(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.Log.Error("scheduled backup failed", "dir", s.Dir, "err", err)
			wait = retry
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// RunOnce writes a backup if one is due and prunes the old ones; it says
// how long until the next is due.
func (s *Schedule) RunOnce(ctx context.Context) (time.Duration, error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return 0, err
	}
	unlock, err := lockDir(s.Dir)
	if errors.Is(err, errLocked) {
		return s.Every / 10, nil // another server is writing one now
	}
	if err != nil {
		return 0, err
	}
	defer unlock()
	names, err := s.backups()
	if err != nil {
		return 0, err
	}
	now := s.now()
	if len(names) > 0 {
		last, err := time.Parse(stampLayout, strings.TrimSuffix(strings.TrimPrefix(names[len(names)-1], backupPrefix), backupSuffix))
		if err == nil && now.Sub(last) < s.Every {
			return s.Every - now.Sub(last), nil
		}
	}
	path := filepath.Join(s.Dir, backupPrefix+now.Format(stampLayout)+backupSuffix)
	o := s.Options
	o.Now, o.IncludeKey = now, false
	sum, err := WriteFile(ctx, s.DB, path, o)
	if s.Done != nil {
		var n int64
		if sum != nil {
			n = sum.Bytes
		}
		s.Done(n, err)
	}
	if err != nil {
		return 0, err
	}
	s.Log.Info("backup written", "file", path, "bytes", sum.Bytes, "rows", sum.Rows, "uploads", sum.Files)
	names = append(names, filepath.Base(path))
	for len(names) > max(s.Keep, 1) {
		if err := os.Remove(filepath.Join(s.Dir, names[0])); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, fmt.Errorf("remove an old backup: %w", err)
		}
		s.Log.Info("old backup removed", "file", names[0])
		names = names[1:]
	}
	return s.Every, nil
}

// backups lists the folder's scheduled backups, oldest first.
func (s *Schedule) backups() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, backupSuffix) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}
