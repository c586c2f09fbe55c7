package aftermath

import (
	"context"
	"time"
)

// Job is a background import.
type Job struct {
	ID         int64
	Kind       string
	State      string // queued, running, done, failed
	Dataset    string
	Version    string
	FilePath   string
	FileName   string
	DoneBytes  int64
	TotalBytes int64
	Summary    string
	Error      string
	CreatedBy  int64
	CreatedAt  time.Time
}

// JobQueue is the queue of background jobs, kept in the database so that a
// crash or a restart loses none.
type JobQueue interface {
	// ClaimJob takes the oldest queued job for this process (nil, nil when
	// there is none).
	ClaimJob(ctx context.Context) (*Job, error)
	// JobProgress records how far a running job is, and is its heartbeat.
	JobProgress(ctx context.Context, id, done, total int64) error
	// FinishJob records the end of a job: done with its summary, or
	// failed with its error (final).
	FinishJob(ctx context.Context, id int64, summary string, jobErr error) error
	// RequeueStaleJobs queues again the running jobs silent for longer
	// than stale, whose process died.
	RequeueStaleJobs(ctx context.Context, stale time.Duration) (int64, error)
	// SharedQueue reports whether other processes take jobs from the same
	// queue, so that progress and heartbeats must go to the database.
	SharedQueue() bool
}

// Jobs is the queue as the people who start jobs see it.
type Jobs interface {
	CreateJob(ctx context.Context, j *Job) error
	// JobFor is job id if u started it or administers its dataset's
	// owner (ENOTFOUND otherwise).
	JobFor(ctx context.Context, u *User, id int64) (*Job, error)
}
