package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"aftermath"
)

// copyEvents inserts new events on PostgreSQL with COPY, which is several
// times faster than multi-row INSERTs. COPY returns no ids, so the batch's
// ids are drawn from the identity sequence first. The COPY of the events
// and of their actor links then runs in the background while the next
// batch is prepared (its places and actors found, its rows built): the
// server stores one batch while the importer readies the next, instead of
// each waiting for the other. The import's statements wait for it
// (importTx), and its error fails them.
func (im *Import) copyEvents(events []*aftermath.Event, args [][]any) error {
	if len(events) == 0 {
		return nil
	}
	drawn, err := im.allocIDs("events", len(events))
	if err != nil {
		return err
	}
	ids := make(map[string]int64, len(events))
	for i, id := range drawn {
		ids[events[i].NativeID] = id
		args[i] = append([]any{id}, args[i]...)
	}
	links, err := im.linksOf(events, ids)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	im.copying = done
	go func() {
		err := im.copyRows("events", eventCopyColumns, args)
		if err == nil && len(links) > 0 {
			err = im.copyLinks(links)
		}
		done <- err
	}()
	return nil
}

// copyLinks copies event_actors rows, given as actorLinks collects them
// (four values a row).
func (im *Import) copyLinks(links []any) error {
	rows := make([][]any, 0, len(links)/4)
	for i := 0; i < len(links); i += 4 {
		rows = append(rows, links[i:i+4])
	}
	return im.copyRows("event_actors", []string{"event_id", "actor_id", "role", "inter"}, rows)
}

// eventCopyColumns are the events' columns as COPY takes them: the id first.
var eventCopyColumns = func() []string {
	cols := []string{"id"}
	for _, c := range strings.Split(eventColumns, ",") {
		cols = append(cols, strings.TrimSpace(c))
	}
	return cols
}()

// copied waits for the COPY running in the background, if any, and
// returns the first error a COPY of this import met.
func (im *Import) copied() error {
	if im.copying != nil {
		if err := <-im.copying; err != nil && im.copyErr == nil {
			im.copyErr = err
		}
		im.copying = nil
	}
	return im.copyErr
}

// copyRows runs COPY on the import's own connection, inside its transaction.
func (im *Import) copyRows(table string, cols []string, rows [][]any) error {
	err := im.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs a pgx connection, have %T", dc)
		}
		_, err := c.Conn().CopyFrom(im.ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	return nil
}

// importTx is an import's transaction. Each statement first waits for the
// COPY that may be running on the same connection, and fails with its
// error; a row read (QueryRowContext) runs regardless, on PostgreSQL
// in a transaction the failed COPY aborted, and Add and Commit report the
// COPY's error rather than that one.
type importTx struct {
	*sql.Tx
	im *Import
}

func (t importTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.im.copied(); err != nil {
		return nil, err
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t importTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.im.copied(); err != nil {
		return nil, err
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t importTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	t.im.copied()
	return t.Tx.QueryRowContext(ctx, query, args...)
}

func (t importTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if err := t.im.copied(); err != nil {
		return nil, err
	}
	return t.Tx.PrepareContext(ctx, query)
}

func (t importTx) Commit() error {
	if err := t.im.copied(); err != nil {
		return err
	}
	return t.Tx.Commit()
}

func (t importTx) Rollback() error {
	t.im.copied()
	return t.Tx.Rollback()
}
