package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// A streaming replica of the primary PostgreSQL (serve --db-replica) takes
// the reads that tolerate its lag: the public pages an anonymous visitor
// reads (explorer, search, figures, records). Everything else stays on the
// primary: writes, and whatever a signed-in user, the session, the audit
// chain or the jobs read, which must see their own writes.
//
// One rule keeps the lag harmless: a request reads from the replica only
// if the replica has replayed every change of who may see what that the
// primary has (the audience generation, AudienceGeneration), so a record
// withdrawn from the public is never shown from a replica behind, and
// every import. Other edits may show a moment late, as the page cache
// already lets them.

// OpenReplica adds a read pool on a streaming replica of this PostgreSQL
// database. A replica that cannot be reached now is not an error: reads
// go to the primary until it answers.
func (db *DB) OpenReplica(ctx context.Context, dsn string) error {
	if db.Driver != Postgres || !IsPostgres(dsn) {
		return fmt.Errorf("replica: a replica is a postgres:// URL, beside a PostgreSQL primary")
	}
	r, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("replica %s: %w", redact(dsn), err)
	}
	r.SetMaxOpenConns(16)
	r.SetMaxIdleConns(4)
	db.replica = r
	db.replicaName = redact(dsn)
	return nil
}

// ReplicaName is the replica for messages, "" without one.
func (db *DB) ReplicaName() string { return db.replicaName }

type lagKey struct{}

// lagRead is one request's choice of pool, made at its first read.
type lagRead struct {
	once sync.Once
	pool *sql.DB
}

// ReadsMayLag marks ctx's reads as tolerating the replica's lag; without a
// replica it changes nothing.
func (db *DB) ReadsMayLag(ctx context.Context) context.Context {
	if db.replica == nil {
		return ctx
	}
	return context.WithValue(ctx, lagKey{}, &lagRead{})
}

// replicaRetry is how long a replica that failed is left alone before it
// is tried again, so that a replica that is down costs no time per page.
const replicaRetry = 5 * time.Second

// replicaFreshness is what a replica must have replayed before it answers
// for the primary: the audience generation and the newest import (a page
// rendered from a replica without it would be kept, stale, in the page
// cache that the import's notification just emptied).
const replicaFreshness = `SELECT (SELECT n FROM cache_generation WHERE id = 1), (SELECT COALESCE(max(id), 0) FROM imports)`

// lagged is the pool for a read that may lag: the replica when ctx is
// marked (ReadsMayLag), the replica answers and it has caught up with the
// primary (replicaFreshness); else the primary's read pool.
func (db *DB) lagged(ctx context.Context) *sql.DB {
	lr, _ := ctx.Value(lagKey{}).(*lagRead)
	if lr == nil || db.replica == nil {
		return db.read
	}
	lr.once.Do(func() {
		lr.pool = db.read
		if time.Now().UnixNano() < db.replicaDownUntil.Load() {
			return
		}
		// Both asked at once: the check costs one round trip, not two.
		var pAud, pImp, rAud, rImp int64
		primary := make(chan error, 1)
		go func() { primary <- db.read.QueryRowContext(ctx, replicaFreshness).Scan(&pAud, &pImp) }()
		check, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		rerr := db.replica.QueryRowContext(check, replicaFreshness).Scan(&rAud, &rImp)
		if perr := <-primary; perr != nil {
			return
		}
		if rerr != nil {
			if ctx.Err() == nil {
				db.replicaDownUntil.Store(time.Now().Add(replicaRetry).UnixNano())
			}
			return
		}
		if rAud >= pAud && rImp >= pImp {
			lr.pool = db.replica
			db.replicaReads.Add(1)
		}
	})
	return lr.pool
}

// ReplicaReads counts the requests whose reads the replica answered.
func (db *DB) ReplicaReads() int64 { return db.replicaReads.Load() }

// replicaState is what DB keeps of its replica.
type replicaState struct {
	replica     *sql.DB
	replicaName string
	// replicaDownUntil (Unix ns): the replica failed; until then reads
	// that may lag go to the primary without trying it.
	replicaDownUntil atomic.Int64
	replicaReads     atomic.Int64
}

// eachMayLag is each for a read that tolerates the replica's lag.
func (db *DB) eachMayLag(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	return eachRow(ctx, db.lagged(ctx), db.rebind(q), args, fn)
}
