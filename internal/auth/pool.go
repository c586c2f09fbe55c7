package auth

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// ErrBusy refuses a password check because the hashing pool and its queue
// are full: the caller should answer 429 Too Many Requests and ask the
// client to retry after RetryAfter.
var ErrBusy = &BusyError{RetryAfter: 5 * time.Second}

// BusyError says too many password checks are running or waiting.
type BusyError struct{ RetryAfter time.Duration }

func (e *BusyError) Error() string { return "too many sign-ins at once: try again in a few seconds" }

// HashPool bounds concurrent argon2id work. Each check holds 19 MiB for
// its whole run, so without a bound a flood of sign-in attempts from many
// addresses (the per-address limit does not help) grows memory without
// end. At most workers checks run at once; at most queue more wait for a
// worker, each for at most maxWait; anything beyond is refused at once
// with ErrBusy, before any hashing. Peak argon2 memory is therefore
// workers × 19 MiB, whatever the load.
type HashPool struct {
	slots    chan struct{}
	limit    int64 // workers + queue
	admitted atomic.Int64
	runs     atomic.Int64
	maxWait  time.Duration
}

// NewHashPool returns a pool of workers concurrent checks with a queue of
// queue waiting ones.
func NewHashPool(workers, queue int) *HashPool {
	workers = max(workers, 1)
	return &HashPool{slots: make(chan struct{}, workers), limit: int64(workers + max(queue, 0)), maxWait: 5 * time.Second}
}

// DefaultPool is the pool of a Service without one: two checks per core
// (argon2id here runs one lane) and a queue of 32.
var DefaultPool = NewHashPool(2*runtime.NumCPU(), 32)

// Do runs fn, which hashes, when a worker is free. ErrBusy when the pool
// and its queue are full or no worker came free within the wait; fn does
// not run then.
func (p *HashPool) Do(ctx context.Context, fn func()) error {
	if p.admitted.Add(1) > p.limit {
		p.admitted.Add(-1)
		return ErrBusy
	}
	defer p.admitted.Add(-1)
	timer := time.NewTimer(p.maxWait)
	defer timer.Stop()
	select {
	case p.slots <- struct{}{}:
	case <-timer.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.slots }()
	p.runs.Add(1)
	fn()
	return nil
}

// Admitted counts the checks running or waiting now.
func (p *HashPool) Admitted() int { return int(p.admitted.Load()) }

// Runs counts the functions the pool has run since it was made.
func (p *HashPool) Runs() int64 { return p.runs.Load() }
