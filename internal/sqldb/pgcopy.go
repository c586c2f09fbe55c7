package sqldb

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"aftermath"
)

// copyEvents inserts new events on PostgreSQL with COPY, which is several
// times faster than multi-row INSERTs. COPY returns no ids, so the batch's
// ids are drawn from the identity sequence first.
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
	cols := []string{"id"}
	for _, c := range strings.Split(eventColumns, ",") {
		cols = append(cols, strings.TrimSpace(c))
	}
	if err := im.copyRows("events", cols, args); err != nil {
		return err
	}
	return im.inserted(events, ids)
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
