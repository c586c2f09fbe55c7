package backup

import (
	"context"
	"fmt"

	"aftermath/internal/sqldb"
)

// Copy moves everything from one database into another, new one of either
// kind (SQLite to PostgreSQL and back), in one transaction on the target,
// then checks the target as a restore does. Uploads waiting on disk and
// the key file stay where they are: both databases use the same ones.
func Copy(ctx context.Context, from, to *sqldb.DB, o RestoreOptions) (*Report, error) {
	pending, err := from.Pending(ctx)
	if err != nil {
		return nil, err
	}
	if len(pending) > 0 {
		return nil, fmt.Errorf("copy: %s is not up to date (%d migrations pending): run aftermath migrate on it first", from.Name(), len(pending))
	}
	sink := &copySink{ctx: ctx, to: to, rep: &Report{Driver: from.Driver, Tables: map[string]int64{}}}
	if err := from.WriteDump(ctx, sink); err != nil {
		if sink.res != nil {
			sink.res.Discard(ctx)
		}
		return nil, fmt.Errorf("copy: %w", err)
	}
	if err := sink.res.Commit(ctx); err != nil {
		sink.res.Discard(ctx)
		return nil, fmt.Errorf("copy: %w", err)
	}
	if err := verify(ctx, to, sink.rep, o, sink.rep.Migrations); err != nil {
		sink.res.Discard(ctx)
		return nil, fmt.Errorf("copy: the copy failed its checks, and %s was emptied again: %w", to.Name(), err)
	}
	return sink.rep, nil
}

// copySink feeds a dump straight into a restore.
type copySink struct {
	ctx   context.Context
	to    *sqldb.DB
	res   *sqldb.Restore
	rep   *Report
	table string
}

func (c *copySink) DumpHeader(h *sqldb.DumpHeader) error {
	c.rep.Migrations = len(h.Migrations)
	res, err := c.to.BeginRestore(c.ctx, h)
	c.res = res
	return err
}

func (c *copySink) DumpTable(name string, columns []string) error {
	c.table = name
	c.rep.Tables[name] = 0
	return c.res.Table(c.ctx, name, columns)
}

func (c *copySink) DumpRow(values []any) error {
	c.rep.Tables[c.table]++
	c.rep.Rows++
	return c.res.Row(c.ctx, values)
}
