// Package jobs runs background imports that the web pages queue. Jobs
// live in the database, so a crash or a restart loses none.
package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"aftermath"
	"aftermath/internal/importer"
)

// Store is what the runner needs: the queue, the imports it runs, and the
// uploaders on whose behalf they run.
type Store interface {
	aftermath.JobQueue
	aftermath.EventImports
	User(ctx context.Context, id int64) (*aftermath.User, error)
}

// searchIndex is a store whose search index follows imports (sqldb.DB):
// the runner starts its catch-up once an import has landed, rather than
// leaving it to the first search.
type searchIndex interface{ CatchUpSearchSoon() }

// Runner takes queued jobs one at a time.
type Runner struct {
	DB   Store
	Log  *slog.Logger
	Poll time.Duration // how often to look for work; default 2 s
	// StaleAfter is how long a running job may stay silent before another
	// server takes it for dead; default DefaultStaleAfter.
	StaleAfter time.Duration
	// Wake, when set, says a job was just queued in this process.
	Wake <-chan struct{}
	// Ended, when set, hears of every import that ended, done or failed,
	// with its counts (serve's metrics).
	Ended func(dataset string, c aftermath.ImportCounts, err error)
	// Changed, when set, hears that an import landed (serve drops the
	// cached pages of every server).
	Changed func()

	progress sync.Map // job id → [2]int64{done, total} while it runs here
}

// Progress returns how far a job running in this process is.
func (r *Runner) Progress(id int64) (done, total int64, ok bool) {
	v, ok := r.progress.Load(id)
	if !ok {
		return 0, 0, false
	}
	p := v.([2]int64)
	return p[0], p[1], true
}

// shared reports whether other processes may run jobs too and need the
// heartbeat in the database. A SQLite file has one writer, which an import
// holds for its whole transaction, so there progress stays in memory.
func (r *Runner) shared() bool { return r.DB.SharedQueue() }

// DefaultStaleAfter is how long a running job may stay silent before
// another server takes it for dead; progress beats at least every beat.
// MinStaleAfter is two beats: a server that missed one is not dead.
const (
	DefaultStaleAfter = 2 * time.Minute
	MinStaleAfter     = 2 * beat
	beat              = 5 * time.Second
)

// Run works until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	poll := r.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	first := true
	for {
		stale := cmp.Or(r.StaleAfter, DefaultStaleAfter)
		if !r.shared() {
			stale = 0 // only this process runs jobs on this file
		}
		if n, err := r.requeue(ctx, stale, first); err != nil {
			r.Log.Error("requeue stale jobs", "err", err)
		} else if n > 0 {
			r.Log.Info("queued stopped jobs again", "jobs", n)
		}
		first = false
		for {
			ran, err := r.RunOnce(ctx)
			if err != nil {
				r.Log.Error("job", "err", err)
			}
			if !ran || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-r.Wake:
		case <-time.After(poll):
		}
	}
}

func (r *Runner) requeue(ctx context.Context, stale time.Duration, first bool) (int64, error) {
	if !r.shared() && !first {
		return 0, nil
	}
	return r.DB.RequeueStaleJobs(ctx, stale)
}

// RunOnce runs the oldest queued job, if any, and reports whether it ran one.
func (r *Runner) RunOnce(ctx context.Context) (bool, error) {
	j, err := r.DB.ClaimJob(ctx)
	if err != nil || j == nil {
		return false, err
	}
	// The import runs as its uploader, who must still be allowed to write
	// the dataset (a job queued with no user is the instance's own).
	var as aftermath.ImportAs
	if j.CreatedBy != 0 {
		if as.User, err = r.DB.User(ctx, j.CreatedBy); err != nil {
			return true, err // the job stays running and is queued again at the next start
		}
	}
	last := time.Time{}
	opt := importer.Options{Dataset: j.Dataset, Version: j.Version, SkipBadRows: false, As: as,
		Progress: func(_ string, done, total int64, _ aftermath.ImportCounts) {
			r.progress.Store(j.ID, [2]int64{done, total})
			if !r.shared() || time.Since(last) < time.Second {
				return
			}
			last = time.Now()
			if err := r.DB.JobProgress(ctx, j.ID, done, total); err != nil {
				r.Log.Error("job progress", "job", j.ID, "err", err)
			}
		}}
	defer r.progress.Delete(j.ID)
	// A heartbeat while the import works through parts without progress
	// (hashing the file, committing).
	beatCtx, stop := context.WithCancel(ctx)
	go func() {
		if !r.shared() {
			return
		}
		t := time.NewTicker(beat)
		defer t.Stop()
		for {
			select {
			case <-beatCtx.Done():
				return
			case <-t.C:
				if time.Since(last) >= beat {
					r.DB.JobProgress(beatCtx, j.ID, 0, 0)
				}
			}
		}
	}()
	res, ierr := importer.Import(ctx, r.DB, j.FilePath, opt)
	stop()
	if ierr != nil && ctx.Err() != nil {
		// Stopping mid-import: it rolled back, the job stays running and
		// is queued again at the next start. Only this case is ever run
		// again; an import that ended, done or failed, is final.
		return true, ctx.Err()
	}
	ctx = context.WithoutCancel(ctx) // record the end even while stopping
	summary := ""
	if ierr == nil {
		c := res.Counts
		summary = fmt.Sprintf("%s %s: read %d, inserted %d, updated %d, unchanged %d, rejected %d",
			j.Dataset, res.Version, c.Read, c.Inserted, c.Updated, c.Unchanged, c.Rejected)
	}
	if ierr != nil {
		// Name the file as the user knows it, not by its place on disk.
		ierr = errors.New(strings.ReplaceAll(ierr.Error(), j.FilePath, j.FileName))
	}
	if err := r.DB.FinishJob(ctx, j.ID, summary, ierr); err != nil {
		return true, err
	}
	if r.Ended != nil {
		var c aftermath.ImportCounts
		if res != nil {
			c = res.Counts
		}
		r.Ended(j.Dataset, c, ierr)
	}
	if s, ok := r.DB.(searchIndex); ok && ierr == nil {
		s.CatchUpSearchSoon()
	}
	if r.Changed != nil && ierr == nil {
		r.Changed()
	}
	// The upload is not kept: the database holds its content and SHA-256.
	// Only the directory of its own that the upload form made ("job-…")
	// goes; a job queued on a file elsewhere leaves its folder alone.
	if dir := filepath.Dir(j.FilePath); strings.HasPrefix(filepath.Base(dir), "job-") {
		os.RemoveAll(dir)
	}
	return true, nil
}
