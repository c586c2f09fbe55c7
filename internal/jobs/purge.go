package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Purger destroys testimony past its retention date: once when it starts,
// then every Every (default a day). Several servers sharing a PostgreSQL
// database may each run one: purging is idempotent, and each purge is a
// single transaction.
type Purger struct {
	DB interface {
		PurgeExpired(ctx context.Context, now time.Time) (int, error)
	}
	Log   *slog.Logger
	Every time.Duration
	// Now is the time purging compares retention dates with (default: the
	// current UTC time).
	Now func() time.Time
}

// Run works until ctx ends.
func (p *Purger) Run(ctx context.Context) {
	every := p.Every
	if every <= 0 {
		every = 24 * time.Hour
	}
	now := p.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := p.DB.PurgeExpired(ctx, now()); err != nil && ctx.Err() == nil {
			p.Log.Error("purge", "err", err)
		} else if n > 0 {
			p.Log.Info("purged testimony past its retention date", "testimonies", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
