package sqldb

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Servers sharing one PostgreSQL tell each other that public content
// changed (an import landed, a signed-in user saved something), so that
// each drops the pages it keeps for anonymous visitors at once rather
// than after their lifetime: NOTIFY on a channel every server LISTENs
// to. A SQLite file has one server, which drops its own pages.

// changesChannel is the channel of those notifications.
const changesChannel = "aftermath_changes"

// NotifyChanged tells every server listening on this database (this one
// too) that public content changed. On SQLite it does nothing.
func (db *DB) NotifyChanged(ctx context.Context) error {
	if db.Driver != Postgres {
		return nil
	}
	_, err := db.write.ExecContext(ctx, `SELECT pg_notify($1, '')`, changesChannel)
	return err
}

// ListenChanges calls changed whenever a server notified a change
// (NotifyChanged), until ctx ends. It holds a connection of its own; when
// that connection is lost it connects again and calls changed once, as
// notifications sent meanwhile are lost. On SQLite it returns at once.
func (db *DB) ListenChanges(ctx context.Context, log *slog.Logger, changed func()) {
	if db.Driver != Postgres {
		return
	}
	for retry := time.Duration(0); ctx.Err() == nil; {
		began := time.Now()
		err := db.listen(ctx, changed)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > time.Minute {
			retry = 0 // a connection that lasted: this loss is a new one
		}
		retry = min(max(2*retry, 250*time.Millisecond), 10*time.Second)
		log.Warn("listening for other servers' changes: connection lost; connecting again", "err", err, "in", retry)
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry):
		}
		changed()
	}
}

// listen is one connection's life: LISTEN, then a call of changed per
// notification until an error.
func (db *DB) listen(ctx context.Context, changed func()) error {
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		changed()
	}
}
