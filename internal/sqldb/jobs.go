package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"aftermath"
)

// Job is a background import.
type Job = aftermath.Job

// The store is the job queue.
var _ aftermath.JobQueue = (*DB)(nil)

// CreateJob queues an import job and sets its id.
func (db *DB) CreateJob(ctx context.Context, j *Job) error {
	var by any
	if j.CreatedBy != 0 {
		by = j.CreatedBy
	}
	j.Kind, j.State = "import", "queued"
	return db.write.QueryRowContext(ctx, db.rebind(`INSERT INTO jobs (kind, state, dataset, version, file_path, file_name, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), j.Kind, j.State, j.Dataset, j.Version, j.FilePath, j.FileName, by,
		db.Now().Format(time.RFC3339)).Scan(&j.ID)
}

// Job returns a job, or ENOTFOUND.
func (db *DB) Job(ctx context.Context, id int64) (*Job, error) {
	j := &Job{}
	var by sql.NullInt64
	var created string
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT id, kind, state, dataset, version, file_path, file_name, done_bytes, total_bytes,
		summary, error, created_by, created_at FROM jobs WHERE id = ?`), id).Scan(&j.ID, &j.Kind, &j.State, &j.Dataset, &j.Version,
		&j.FilePath, &j.FileName, &j.DoneBytes, &j.TotalBytes, &j.Summary, &j.Error, &by, &created)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no job %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("job %d: %w", id, err)
	}
	j.CreatedBy = by.Int64
	j.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return j, nil
}

// JobFor returns a job as u may read it: only its uploader and the admins
// of an organisation the uploader belongs to see it (its file name and
// failing rows are theirs); for anyone else it is ENOTFOUND, like a
// missing one.
func (db *DB) JobFor(ctx context.Context, u *aftermath.User, id int64) (*Job, error) {
	j, err := db.Job(ctx, id)
	if err != nil {
		return nil, err
	}
	if u == nil || u.Disabled || j.CreatedBy == 0 {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no job %d", id)
	}
	if j.CreatedBy == u.ID {
		return j, nil
	}
	var n int
	err = db.read.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM memberships a JOIN memberships c ON c.org_id = a.org_id
		WHERE a.user_id = ? AND a.role = 'admin' AND c.user_id = ?`), u.ID, j.CreatedBy).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("job %d: %w", id, err)
	}
	if n == 0 {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no job %d", id)
	}
	return j, nil
}

// ClaimJob takes the oldest queued job and marks it running; nil when
// there is none. Several servers share the queue without running a job
// twice: on PostgreSQL each takes the oldest job no other is taking (FOR
// UPDATE SKIP LOCKED), so servers that look at once take different jobs
// rather than queue behind one row lock; SQLite, one writer, keeps a
// conditional update.
func (db *DB) ClaimJob(ctx context.Context) (*Job, error) {
	if db.Driver == Postgres {
		return db.claimJobSkipLocked(ctx)
	}
	for {
		var id int64
		err := db.read.QueryRowContext(ctx, `SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1`).Scan(&id)
		if err == sql.ErrNoRows {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		now := db.Now().Format(time.RFC3339)
		res, err := db.write.ExecContext(ctx, db.rebind(`UPDATE jobs SET state = 'running', started_at = ?, heartbeat_at = ?, claimed_by = ? WHERE id = ? AND state = 'queued'`),
			now, now, processName, id)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return db.Job(ctx, id)
		}
	}
}

func (db *DB) claimJobSkipLocked(ctx context.Context) (*Job, error) {
	var id int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`).Scan(&id)
		if err != nil {
			return err
		}
		now := db.Now().Format(time.RFC3339)
		_, err = tx.ExecContext(ctx, `UPDATE jobs SET state = 'running', started_at = $1, heartbeat_at = $1, claimed_by = $2 WHERE id = $3`,
			now, processName, id)
		return err
	})
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim job: %w", err)
	}
	return db.Job(ctx, id)
}

// processName names this server process in jobs.claimed_by: host and
// process id.
var processName = func() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}()

// JobProgress records how far a running job is, and that it is alive.
func (db *DB) JobProgress(ctx context.Context, id, done, total int64) error {
	_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE jobs SET done_bytes = ?, total_bytes = ?, heartbeat_at = ? WHERE id = ?`),
		done, total, db.Now().Format(time.RFC3339), id)
	return err
}

// FinishJob marks a job done with a summary, or failed with an error.
func (db *DB) FinishJob(ctx context.Context, id int64, summary string, jobErr error) error {
	state, msg := "done", ""
	if jobErr != nil {
		state, msg = "failed", jobErr.Error()
	}
	_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE jobs SET state = ?, summary = ?, error = ?, finished_at = ? WHERE id = ?`),
		state, summary, msg, db.Now().Format(time.RFC3339), id)
	return err
}

// RequeueStaleJobs puts back running jobs that showed no sign of life for
// longer than stale: their server stopped, their import rolled back with
// it, and running them again is exact. Jobs of live servers (which beat
// every few seconds) are left alone. Only these are ever run again: a job
// that finished, done or failed, is final. A job queued again
// MaxJobRestarts times already, whose server stops under it each time (a
// file this server cannot read), fails instead.
func (db *DB) RequeueStaleJobs(ctx context.Context, stale time.Duration) (int64, error) {
	now := db.Now()
	cutoff := now.Add(-stale).Format(time.RFC3339)
	if _, err := db.write.ExecContext(ctx, db.rebind(`UPDATE jobs SET state = 'failed', finished_at = ?,
		error = ? WHERE state = 'running' AND heartbeat_at < ? AND restarts >= ?`), now.Format(time.RFC3339),
		fmt.Sprintf("the server stopped during this import %d times; it is not tried again", MaxJobRestarts+1), cutoff, MaxJobRestarts); err != nil {
		return 0, err
	}
	res, err := db.write.ExecContext(ctx, db.rebind(`UPDATE jobs SET state = 'queued', done_bytes = 0, restarts = restarts + 1
		WHERE state = 'running' AND heartbeat_at < ? AND restarts < ?`), cutoff, MaxJobRestarts)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// MaxJobRestarts is how many times a job whose server stopped under it is
// queued again before it fails.
const MaxJobRestarts = 3

// SharedQueue reports whether other processes may take jobs from the same
// queue (PostgreSQL); a SQLite file has one writer, so there progress
// stays in the running process's memory.
func (db *DB) SharedQueue() bool { return db.Driver == Postgres }
