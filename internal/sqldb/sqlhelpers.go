package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// The helpers every store file shares: transactions, row loops,
// placeholders and NULLs. Both dialects go through them, so a query is
// written once with ? marks and rebound for PostgreSQL here.

// inTx runs fn in a write transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// each runs a read query and calls fn for every row.
func (db *DB) each(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	return eachRow(ctx, db.read, db.rebind(q), args, fn)
}

// eachRow runs a query (already rebound) on q and calls fn for every row.
func eachRow(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(...any) error }

// rebind turns ? placeholders into $1, $2 … for PostgreSQL. Queries in this
// package never put a ? inside a string literal.
func (db *DB) rebind(q string) string {
	if db.Driver != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// placeholders is n ? marks, for an IN list or a VALUES row.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// ints writes ids as a literal SQL list (ids are numbers the code
// holds, never input, so no placeholder is needed).
func ints(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

// nullID stores 0 as NULL: an optional reference.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
