package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// A dump is every table's rows in a form neither dialect owns, so that one
// taken on SQLite restores on PostgreSQL and back (backups, `aftermath
// copy`). Values are SQLite's kinds: nil, int64, float64, string, []byte;
// PostgreSQL's booleans become 0 and 1 and turn back into booleans on the
// way in. Tables come parents first and rows by primary key, so two dumps of
// the same content are equal value for value.

// DumpHeader says what a dump holds before its rows.
type DumpHeader struct {
	Driver     string   `json:"driver"`     // the database it came from
	Migrations []string `json:"migrations"` // applied, in order: the schema the rows fit
	// Sequences are the next-id counters of tables whose ids are never
	// reused, so a restored database does not hand out an id a deleted row
	// (named in the audit log) once had.
	Sequences map[string]int64 `json:"sequences,omitempty"`
}

// DumpSink receives a dump: the header, then each table's columns followed
// by its rows. The values slice is reused between rows.
type DumpSink interface {
	DumpHeader(h *DumpHeader) error
	DumpTable(name string, columns []string) error
	DumpRow(values []any) error
}

// derivedTable reports tables a dump leaves out: the search index (rebuilt
// from the records after a restore), the database's own bookkeeping, and
// the records generation, a clock for caches that the restored database
// starts again (its triggers raise it as the rows go in; no process holds
// anything kept under the old database's number).
func derivedTable(name string) bool {
	return strings.HasPrefix(name, "search_") || strings.HasPrefix(name, "sqlite_") || name == "schema_migrations" || name == "records_generation"
}

// DumpTables returns the tables a dump holds, parents before the tables
// that reference them (ties by name).
func DumpTables(s Schema) ([]*SchemaTable, error) {
	var names []string
	for n := range s {
		if !derivedTable(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	placed := map[string]bool{}
	var out []*SchemaTable
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if placed[n] {
				continue
			}
			ready := true
			for _, fk := range s[n].ForeignKeys {
				if fk.RefTable != n && !placed[fk.RefTable] && s[fk.RefTable] != nil {
					ready = false
				}
			}
			if ready {
				placed[n] = true
				out = append(out, s[n])
				progress = true
			}
		}
		if !progress {
			return nil, fmt.Errorf("dump: the tables' references form a cycle")
		}
	}
	return out, nil
}

// WriteDump sends every table to sink from one consistent snapshot: what
// other connections commit meanwhile is either wholly in it or not at all.
func (db *DB) WriteDump(ctx context.Context, sink DumpSink) error {
	schema, err := db.Schema(ctx)
	if err != nil {
		return err
	}
	tables, err := DumpTables(schema)
	if err != nil {
		return err
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Driver == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	defer tx.Rollback()
	h := &DumpHeader{Driver: db.Driver}
	if err := eachRow(ctx, tx, `SELECT version FROM schema_migrations ORDER BY version`, nil, func(r *sql.Rows) error {
		var v string
		err := r.Scan(&v)
		h.Migrations = append(h.Migrations, v)
		return err
	}); err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	if h.Sequences, err = db.sequences(ctx, tx, tables); err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	if err := sink.DumpHeader(h); err != nil {
		return err
	}
	for _, t := range tables {
		if err := dumpTable(ctx, tx, t, sink); err != nil {
			return fmt.Errorf("dump %s: %w", t.Name, err)
		}
	}
	return nil
}

func dumpTable(ctx context.Context, tx *sql.Tx, t *SchemaTable, sink DumpSink) error {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = c.Name
	}
	order := t.PrimaryKey
	if len(order) == 0 {
		order = cols
	}
	if err := sink.DumpTable(t.Name, cols); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+quoteList(cols)+` FROM `+quoteIdent(t.Name)+` ORDER BY `+quoteList(order))
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			switch x := v.(type) {
			case nil, int64, float64, string, []byte:
			case bool:
				vals[i] = int64(0)
				if x {
					vals[i] = int64(1)
				}
			default:
				return fmt.Errorf("column %s: a %T value has no place in a dump", cols[i], v)
			}
		}
		if err := sink.DumpRow(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sequences reads the next-id counters: SQLite's sqlite_sequence (tables
// with AUTOINCREMENT), PostgreSQL's identity sequences.
func (db *DB) sequences(ctx context.Context, tx *sql.Tx, tables []*SchemaTable) (map[string]int64, error) {
	out := map[string]int64{}
	if db.Driver == SQLite {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'`).Scan(&n); err != nil || n == 0 {
			return out, err
		}
		err := eachRow(ctx, tx, `SELECT name, seq FROM sqlite_sequence`, nil, func(r *sql.Rows) error {
			var name string
			var seq int64
			err := r.Scan(&name, &seq)
			if !derivedTable(name) {
				out[name] = seq
			}
			return err
		})
		return out, err
	}
	for _, t := range tables {
		col := identityColumn(t)
		if col == "" {
			continue
		}
		var seq sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT pg_get_serial_sequence($1, $2)`, t.Name, col).Scan(&seq); err != nil {
			return nil, err
		}
		if !seq.Valid {
			continue
		}
		var last int64
		var called bool
		if err := tx.QueryRowContext(ctx, `SELECT last_value, is_called FROM `+seq.String).Scan(&last, &called); err != nil {
			return nil, err
		}
		if called {
			out[t.Name] = last
		}
	}
	return out, nil
}

// identityColumn is the column the database numbers itself, or "".
func identityColumn(t *SchemaTable) string {
	for _, c := range t.Columns {
		if c.Generated {
			return c.Name
		}
	}
	return ""
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quoteIdent(c)
	}
	return strings.Join(q, ", ")
}

// Restore loads a dump into a new, empty database in one transaction:
// nothing of it is visible, or kept, unless every row went in. Make one
// with BeginRestore, give it each table and its rows, then Commit.
type Restore struct {
	db       *DB
	tx       *sql.Tx
	header   *DumpHeader
	schema   Schema
	fks      []pgForeignKey
	indexes  []string // definitions of the indexes dropped for the load
	table    *SchemaTable
	columns  []string
	convert  []func(any) (any, error)
	batch    []any
	perBatch int
	counts   map[string]int64
	pending  int
}

type pgForeignKey struct{ table, name, def string }

// secondaryIndexes lists the indexes a restore drops while it loads and
// builds again before it commits: one sort per index instead of a B-tree
// insert per row. Indexes behind a primary key or a UNIQUE constraint stay
// (SQLite cannot drop those); a unique index built again still refuses
// duplicates, before anything commits.
func (db *DB) secondaryIndexes(ctx context.Context, tx *sql.Tx) (names, defs []string, err error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name NOT LIKE 'search\_%' ESCAPE '\' ORDER BY name`
	if db.Driver == Postgres {
		q = `SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			WHERE t.relnamespace = current_schema()::regnamespace AND NOT x.indisprimary AND t.relname NOT LIKE 'search\_%'
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY 1`
	}
	err = eachRow(ctx, tx, q, nil, func(r *sql.Rows) error {
		var n, d string
		err := r.Scan(&n, &d)
		names, defs = append(names, n), append(defs, d)
		return err
	})
	return names, defs, err
}

// ErrNotEmpty says a restore's target already holds tables.
var ErrNotEmpty = fmt.Errorf("the database is not empty")

// BeginRestore checks the database is new (no tables at all), brings its
// schema to the dump's migrations (which this release must know), clears
// the rows those migrations seed, and opens the transaction the rows go in.
func (db *DB) BeginRestore(ctx context.Context, h *DumpHeader) (*Restore, error) {
	schema, err := db.Schema(ctx)
	if err != nil {
		return nil, err
	}
	if len(schema) > 0 {
		names := make([]string, 0, len(schema))
		for n := range schema {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) > 3 {
			names = append(names[:3], "…")
		}
		return nil, fmt.Errorf("%w: %s already holds %d tables (%s); restore into a new database", ErrNotEmpty, db.Name(), len(schema), strings.Join(names, ", "))
	}
	known, err := db.Migrations()
	if err != nil {
		return nil, err
	}
	if len(h.Migrations) > len(known) {
		return nil, fmt.Errorf("the dump's schema is newer than this release knows (migration %s): restore it with a newer aftermath", h.Migrations[len(known)])
	}
	for i, v := range h.Migrations {
		if known[i].Version != v {
			return nil, fmt.Errorf("the dump's migration %d is %s, this release's is %s: the dump did not come from aftermath", i+1, v, known[i].Version)
		}
	}
	if _, err := db.migrateTo(ctx, len(h.Migrations)); err != nil {
		return nil, err
	}
	if schema, err = db.Schema(ctx); err != nil {
		return nil, err
	}
	tables, err := DumpTables(schema)
	if err != nil {
		return nil, err
	}
	r := &Restore{db: db, header: h, schema: schema, counts: map[string]int64{}}
	if r.tx, err = db.write.BeginTx(ctx, nil); err != nil {
		return nil, err
	}
	fail := func(err error) (*Restore, error) {
		r.tx.Rollback()
		return nil, fmt.Errorf("restore: %w", err)
	}
	// References are checked once all rows are in, not row by row: a dump
	// orders tables parents first, but rows of one table that reference
	// each other (a merged actor, a place's parent) may come in any order.
	if db.Driver == SQLite {
		if _, err := r.tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return fail(err)
		}
	} else {
		err := eachRow(ctx, r.tx, `SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
			WHERE contype = 'f' AND connamespace = current_schema()::regnamespace ORDER BY 1, 2`, nil, func(rows *sql.Rows) error {
			var fk pgForeignKey
			err := rows.Scan(&fk.table, &fk.name, &fk.def)
			r.fks = append(r.fks, fk)
			return err
		})
		if err != nil {
			return fail(err)
		}
		for _, fk := range r.fks {
			if _, err := r.tx.ExecContext(ctx, `ALTER TABLE `+fk.table+` DROP CONSTRAINT `+quoteIdent(fk.name)); err != nil {
				return fail(err)
			}
		}
		// The records generation's triggers would wait for the commit
		// (migration 0025), and a table with trigger events pending
		// cannot be indexed again at the end.
		if _, err := r.tx.ExecContext(ctx, `SET CONSTRAINTS ALL IMMEDIATE`); err != nil {
			return fail(err)
		}
	}
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := r.tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(tables[i].Name)); err != nil {
			return fail(err)
		}
	}
	names, defs, err := db.secondaryIndexes(ctx, r.tx)
	if err != nil {
		return fail(err)
	}
	for _, n := range names {
		if _, err := r.tx.ExecContext(ctx, `DROP INDEX `+quoteIdent(n)); err != nil {
			return fail(err)
		}
	}
	r.indexes = defs
	return r, nil
}

// Table starts the rows of a table; columns are the dump's, a subset of
// the table's own in any order.
func (r *Restore) Table(ctx context.Context, name string, columns []string) error {
	if err := r.flush(ctx); err != nil {
		return err
	}
	t := r.schema[name]
	if t == nil || derivedTable(name) {
		return fmt.Errorf("restore: the dump has a table %s that the schema of its migrations does not", name)
	}
	if _, dup := r.counts[name]; dup {
		return fmt.Errorf("restore: table %s comes twice in the dump", name)
	}
	r.table, r.columns, r.counts[name] = t, columns, 0
	r.convert = make([]func(any) (any, error), len(columns))
	for i, c := range columns {
		sc := t.Column(c)
		if sc == nil {
			return fmt.Errorf("restore: table %s has no column %s", name, c)
		}
		r.convert[i] = converter(r.db.Driver, sc.Type)
	}
	// Both databases cap the parameters of one statement; stay well under.
	r.perBatch = max(1, 30000/max(1, len(columns)))
	return nil
}

// Row adds one row of the current table.
func (r *Restore) Row(ctx context.Context, values []any) error {
	if r.table == nil {
		return fmt.Errorf("restore: a row before any table")
	}
	if len(values) != len(r.columns) {
		return fmt.Errorf("restore: table %s: a row of %d values for %d columns", r.table.Name, len(values), len(r.columns))
	}
	for i, v := range values {
		x, err := r.convert[i](v)
		if err != nil {
			return fmt.Errorf("restore: table %s, row %d, column %s: %w", r.table.Name, r.counts[r.table.Name]+1, r.columns[i], err)
		}
		r.batch = append(r.batch, x)
	}
	r.pending++
	r.counts[r.table.Name]++
	if r.pending >= r.perBatch {
		return r.flush(ctx)
	}
	return nil
}

func (r *Restore) flush(ctx context.Context) error {
	if r.pending == 0 {
		return nil
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(r.columns)), ", ") + ")"
	q := `INSERT INTO ` + quoteIdent(r.table.Name) + ` (` + quoteList(r.columns) + `) VALUES ` +
		strings.TrimSuffix(strings.Repeat(one+", ", r.pending), ", ")
	if _, err := r.tx.ExecContext(ctx, r.db.rebind(q), r.batch...); err != nil {
		return fmt.Errorf("restore: table %s: %w", r.table.Name, err)
	}
	r.batch, r.pending = r.batch[:0], 0
	return nil
}

// Counts returns how many rows each table received so far.
func (r *Restore) Counts() map[string]int64 { return r.counts }

// Commit checks the references, sets the id counters, commits, then
// applies the migrations newer than the dump's.
func (r *Restore) Commit(ctx context.Context) error {
	if err := r.flush(ctx); err != nil {
		r.tx.Rollback()
		return err
	}
	fail := func(err error) error {
		r.tx.Rollback()
		return fmt.Errorf("restore: %w", err)
	}
	for _, def := range r.indexes {
		if _, err := r.tx.ExecContext(ctx, def); err != nil {
			return fail(fmt.Errorf("the dump's rows do not fit an index (%s): %w", def, err))
		}
	}
	for _, fk := range r.fks {
		if _, err := r.tx.ExecContext(ctx, `ALTER TABLE `+fk.table+` ADD CONSTRAINT `+quoteIdent(fk.name)+` `+fk.def); err != nil {
			return fail(fmt.Errorf("the dump's rows break a reference (%s): %w", fk.name, err))
		}
	}
	if r.db.Driver == SQLite {
		var bad int
		if err := r.tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&bad); err != nil {
			return fail(err)
		}
		if bad > 0 {
			return fail(fmt.Errorf("the dump's rows break %d references", bad))
		}
	}
	if err := r.setSequences(ctx); err != nil {
		return fail(err)
	}
	if err := r.tx.Commit(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := r.db.Migrate(ctx); err != nil {
		return err
	}
	// The planner's statistics were not in the dump. The search index
	// was not either: the records' triggers marked every one of them for
	// the catch-up that each serve starts with.
	_, err := r.db.write.ExecContext(ctx, `ANALYZE`)
	return err
}

// Discard abandons the restore, before or after Commit (a restore that
// fails its checks): it drops every table and function the restore made,
// so the database is as new again and nothing of the dump stays in it.
// BeginRestore found it with no tables, so all of them are the restore's.
func (r *Restore) Discard(ctx context.Context) error {
	r.tx.Rollback()
	db := r.db
	if db.Driver == Postgres {
		var drops []string
		err := db.each(ctx, `SELECT 'DROP TABLE IF EXISTS ' || quote_ident(table_name) || ' CASCADE' FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
			UNION ALL SELECT 'DROP FUNCTION IF EXISTS ' || p.oid::regprocedure::text || ' CASCADE' FROM pg_proc p
			WHERE p.pronamespace = current_schema()::regnamespace`, nil, func(rows *sql.Rows) error {
			var q string
			err := rows.Scan(&q)
			drops = append(drops, q)
			return err
		})
		if err != nil {
			return fmt.Errorf("discard the restore: %w", err)
		}
		return db.inTx(ctx, func(tx *sql.Tx) error {
			for _, q := range drops {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("discard the restore: %w", err)
				}
			}
			return nil
		})
	}
	var drops []string
	// Virtual tables first: dropping one drops its shadow tables with it.
	err := db.each(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
		ORDER BY sql NOT LIKE 'CREATE VIRTUAL%', name`, nil, func(rows *sql.Rows) error {
		var n string
		err := rows.Scan(&n)
		drops = append(drops, n)
		return err
	})
	if err != nil {
		return fmt.Errorf("discard the restore: %w", err)
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer db.write.ExecContext(ctx, `PRAGMA foreign_keys = ON`)
	for _, n := range drops {
		if _, err := db.write.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(n)); err != nil {
			return fmt.Errorf("discard the restore: %w", err)
		}
	}
	// secure_delete zeroed the dropped pages; VACUUM gives them back.
	_, err = db.write.ExecContext(ctx, `VACUUM`)
	return err
}

func (r *Restore) setSequences(ctx context.Context) error {
	for name := range r.counts {
		t := r.schema[name]
		col := identityColumn(t)
		if col == "" {
			continue
		}
		var top sql.NullInt64
		if err := r.tx.QueryRowContext(ctx, `SELECT max(`+quoteIdent(col)+`) FROM `+quoteIdent(name)).Scan(&top); err != nil {
			return err
		}
		next := max(top.Int64, r.header.Sequences[name])
		if next == 0 {
			continue
		}
		if r.db.Driver == Postgres {
			if _, err := r.tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), $3)`, name, col, next); err != nil {
				return err
			}
			continue
		}
		// Only AUTOINCREMENT tables have a counter; the others number from
		// their largest id, as they did where the dump came from.
		if _, err := r.tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?`, next, name); err != nil {
			return err
		}
		// A table whose every row was deleted has no counter row yet.
		if _, err := r.tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)
			AND EXISTS (SELECT 1 FROM sqlite_master WHERE name = ? AND sql LIKE '%AUTOINCREMENT%')`, name, next, name, name); err != nil {
			return err
		}
	}
	return nil
}

// converter turns a dump's value into what a column of the type takes.
func converter(driver, typ string) func(any) (any, error) {
	typ = strings.ToLower(typ)
	switch {
	case driver == Postgres && typ == "boolean":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil:
				return nil, nil
			case int64:
				return x != 0, nil
			case json.Number:
				return x.String() != "0", nil
			case bool:
				return x, nil
			}
			return nil, fmt.Errorf("%T is not a flag", v)
		}
	case strings.Contains(typ, "int"):
		return func(v any) (any, error) {
			switch x := v.(type) {
			case json.Number:
				if n, err := x.Int64(); err == nil {
					return n, nil
				}
				f, err := x.Float64()
				return f, err
			case bool:
				if x {
					return int64(1), nil
				}
				return int64(0), nil
			case string:
				if driver == Postgres {
					return strconv.ParseInt(x, 10, 64)
				}
			}
			return v, nil
		}
	case strings.Contains(typ, "real") || strings.Contains(typ, "double") || strings.Contains(typ, "float") || strings.Contains(typ, "numeric"):
		return func(v any) (any, error) {
			switch x := v.(type) {
			case json.Number:
				return x.Float64()
			case int64:
				return float64(x), nil
			}
			return v, nil
		}
	case strings.Contains(typ, "char") || strings.Contains(typ, "text") || typ == "":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case json.Number:
				if driver == Postgres {
					return x.String(), nil
				}
				if n, err := x.Int64(); err == nil {
					return n, nil
				}
				return x.Float64()
			case int64:
				if driver == Postgres {
					return strconv.FormatInt(x, 10), nil
				}
			case float64:
				if driver == Postgres {
					return strconv.FormatFloat(x, 'g', -1, 64), nil
				}
			case []byte:
				if driver == Postgres {
					return string(x), nil
				}
			}
			return v, nil
		}
	}
	return func(v any) (any, error) {
		if x, ok := v.(json.Number); ok {
			if n, err := x.Int64(); err == nil {
				return n, nil
			}
			return x.Float64()
		}
		return v, nil
	}
}
