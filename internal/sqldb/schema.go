package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// Schema is a database's tables as the database itself reports them (not
// as the migrations spell them), so tests can check that the SQLite and
// PostgreSQL migrations build the same thing.
type Schema map[string]*SchemaTable

// SchemaTable is one table.
type SchemaTable struct {
	Name        string
	Columns     []SchemaColumn // in the table's column order
	PrimaryKey  []string       // in key order
	Indexes     []SchemaIndex  // every index but the primary key's, sorted by name
	ForeignKeys []SchemaForeignKey
}

// Column returns the named column, or nil.
func (t *SchemaTable) Column(name string) *SchemaColumn {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// SchemaColumn is one column. Type is the declared type as the database
// reports it: SQLite's declaration as written ("INTEGER"), PostgreSQL's
// information_schema data_type ("bigint", "double precision").
type SchemaColumn struct {
	Name    string
	Type    string
	NotNull bool
	Default string // as the database reports it; "" when there is none
	// Generated: the database assigns a value when an insert gives none
	// (SQLite: the rowid alias INTEGER PRIMARY KEY; PostgreSQL: an identity
	// column or a nextval default).
	Generated bool
}

// SchemaIndex is one index, a UNIQUE constraint's included. A key is a
// column name or an expression as the database prints it; Where is the
// predicate of a partial index.
type SchemaIndex struct {
	Name   string
	Unique bool
	Keys   []string
	Where  string
}

// SchemaForeignKey is one foreign key. OnDelete and OnUpdate are upper-case
// actions: NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT.
type SchemaForeignKey struct {
	Columns    []string
	RefTable   string
	RefColumns []string
	OnDelete   string
	OnUpdate   string
}

// Schema reads the tables of the database (on PostgreSQL, of the current
// schema): columns, primary key, indexes and foreign keys.
func (db *DB) Schema(ctx context.Context) (Schema, error) {
	if db.Driver == Postgres {
		return db.pgSchema(ctx)
	}
	return db.sqliteSchema(ctx)
}

func (db *DB) sqliteSchema(ctx context.Context) (Schema, error) {
	s := Schema{}
	tableSQL := map[string]string{}
	err := db.each(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`, nil, func(r *sql.Rows) error {
		var name, q string
		if err := r.Scan(&name, &q); err != nil {
			return err
		}
		s[name] = &SchemaTable{Name: name}
		tableSQL[name] = q
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	indexSQL := map[string]string{}
	err = db.each(ctx, `SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index'`, nil, func(r *sql.Rows) error {
		var name, q string
		err := r.Scan(&name, &q)
		indexSQL[name] = q
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	for name, t := range s {
		type pkCol struct {
			name string
			pos  int
		}
		var pk []pkCol
		err := db.each(ctx, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`, []any{name}, func(r *sql.Rows) error {
			var c SchemaColumn
			var dflt sql.NullString
			var pos int
			if err := r.Scan(&c.Name, &c.Type, &c.NotNull, &dflt, &pos); err != nil {
				return err
			}
			c.Default = dflt.String
			if pos > 0 {
				pk = append(pk, pkCol{c.Name, pos})
			}
			t.Columns = append(t.Columns, c)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		sort.Slice(pk, func(i, j int) bool { return pk[i].pos < pk[j].pos })
		for _, p := range pk {
			t.PrimaryKey = append(t.PrimaryKey, p.name)
		}
		// A rowid table's single INTEGER PRIMARY KEY is the rowid: SQLite
		// assigns it when an insert gives none.
		withoutRowid := strings.Contains(strings.ToUpper(tableSQL[name]), "WITHOUT ROWID")
		if len(pk) == 1 && !withoutRowid {
			if c := t.Column(pk[0].name); strings.EqualFold(c.Type, "INTEGER") {
				c.Generated = true
			}
		}

		type idx struct {
			name   string
			unique bool
			origin string
		}
		var idxs []idx
		err = db.each(ctx, `SELECT name, "unique", origin FROM pragma_index_list(?)`, []any{name}, func(r *sql.Rows) error {
			var i idx
			err := r.Scan(&i.name, &i.unique, &i.origin)
			idxs = append(idxs, i)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		for _, i := range idxs {
			if i.origin == "pk" {
				continue
			}
			exprs, where := sqliteIndexParts(indexSQL[i.name])
			ix := SchemaIndex{Name: i.name, Unique: i.unique, Where: where}
			err := db.each(ctx, `SELECT cid, coalesce(name, '') FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, []any{i.name}, func(r *sql.Rows) error {
				var cid int
				var col string
				if err := r.Scan(&cid, &col); err != nil {
					return err
				}
				if cid == -2 { // an expression: take its text from the CREATE INDEX
					n := len(ix.Keys)
					if n < len(exprs) {
						col = exprs[n]
					} else {
						col = "?expression"
					}
				}
				ix.Keys = append(ix.Keys, col)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("schema %s: %w", i.name, err)
			}
			t.Indexes = append(t.Indexes, ix)
		}
		sort.Slice(t.Indexes, func(i, j int) bool { return t.Indexes[i].Name < t.Indexes[j].Name })

		fks := map[int]*SchemaForeignKey{}
		var ids []int
		err = db.each(ctx, `SELECT id, "table", "from", coalesce("to", ''), on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, []any{name}, func(r *sql.Rows) error {
			var id int
			var ref, from, to, upd, del string
			if err := r.Scan(&id, &ref, &from, &to, &upd, &del); err != nil {
				return err
			}
			fk := fks[id]
			if fk == nil {
				fk = &SchemaForeignKey{RefTable: ref, OnDelete: strings.ToUpper(del), OnUpdate: strings.ToUpper(upd)}
				fks[id] = fk
				ids = append(ids, id)
			}
			fk.Columns = append(fk.Columns, from)
			fk.RefColumns = append(fk.RefColumns, to)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		for _, id := range ids {
			t.ForeignKeys = append(t.ForeignKeys, *fks[id])
		}
	}
	// REFERENCES t without columns means t's primary key.
	for _, t := range s {
		for i := range t.ForeignKeys {
			fk := &t.ForeignKeys[i]
			if ref := s[fk.RefTable]; ref != nil {
				for j, c := range fk.RefColumns {
					if c == "" && j < len(ref.PrimaryKey) {
						fk.RefColumns[j] = ref.PrimaryKey[j]
					}
				}
			}
		}
	}
	return s, nil
}

// sqliteIndexParts splits CREATE INDEX … ON t (k1, k2, …) [WHERE p] into
// its keys and predicate. SQLite keeps only the statement's text for
// expression keys and predicates.
func sqliteIndexParts(q string) (keys []string, where string) {
	upper := strings.ToUpper(q)
	on := strings.Index(upper, " ON ")
	if on < 0 {
		return nil, ""
	}
	open := strings.IndexByte(q[on:], '(')
	if open < 0 {
		return nil, ""
	}
	open += on
	depth, start, quote := 0, open+1, byte(0)
	for i := open; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				keys = append(keys, strings.TrimSpace(q[start:i]))
				rest := strings.TrimSpace(q[i+1:])
				if len(rest) >= 5 && strings.EqualFold(rest[:5], "WHERE") {
					where = strings.TrimSpace(rest[5:])
				}
				return keys, where
			}
		case c == ',' && depth == 1:
			keys = append(keys, strings.TrimSpace(q[start:i]))
			start = i + 1
		}
	}
	return keys, where
}

func (db *DB) pgSchema(ctx context.Context) (Schema, error) {
	s := Schema{}
	err := db.each(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`, nil, func(r *sql.Rows) error {
		var name string
		err := r.Scan(&name)
		s[name] = &SchemaTable{Name: name}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	err = db.each(ctx, `SELECT table_name, column_name, data_type, is_nullable = 'NO', coalesce(column_default, ''), is_identity = 'YES'
		FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`, nil, func(r *sql.Rows) error {
		var table string
		var c SchemaColumn
		if err := r.Scan(&table, &c.Name, &c.Type, &c.NotNull, &c.Default, &c.Generated); err != nil {
			return err
		}
		if strings.HasPrefix(c.Default, "nextval(") {
			c.Generated, c.Default = true, ""
		}
		if t := s[table]; t != nil {
			t.Columns = append(t.Columns, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	err = db.each(ctx, `SELECT t.relname, i.relname, ix.indisunique, ix.indisprimary,
			coalesce(pg_get_expr(ix.indpred, ix.indrelid, true), ''), pg_get_indexdef(ix.indexrelid, k, true)
		FROM pg_index ix
		JOIN pg_class i ON i.oid = ix.indexrelid
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		CROSS JOIN LATERAL generate_series(1, ix.indnkeyatts) k
		WHERE n.nspname = current_schema()
		ORDER BY t.relname, i.relname, k`, nil, func(r *sql.Rows) error {
		var table, name, where, key string
		var unique, primary bool
		if err := r.Scan(&table, &name, &unique, &primary, &where, &key); err != nil {
			return err
		}
		t := s[table]
		if t == nil {
			return nil
		}
		// A column name that is a key word comes back quoted ("position").
		if len(key) > 2 && key[0] == '"' && key[len(key)-1] == '"' && !strings.ContainsAny(key[1:len(key)-1], `"(`) {
			key = key[1 : len(key)-1]
		}
		if primary {
			t.PrimaryKey = append(t.PrimaryKey, key)
			return nil
		}
		if n := len(t.Indexes); n == 0 || t.Indexes[n-1].Name != name {
			t.Indexes = append(t.Indexes, SchemaIndex{Name: name, Unique: unique, Where: where})
		}
		ix := &t.Indexes[len(t.Indexes)-1]
		ix.Keys = append(ix.Keys, key)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	lastFK := map[string]string{} // table → the constraint its last key came from
	err = db.each(ctx, `SELECT t.relname, c.conname, r.relname, c.confdeltype, c.confupdtype, a.attname, ra.attname
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_class r ON r.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(col, refcol, ord)
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
		JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refcol
		WHERE c.contype = 'f' AND n.nspname = current_schema()
		ORDER BY t.relname, c.conname, k.ord`, nil, func(r *sql.Rows) error {
		var table, name, ref, del, upd, col, refCol string
		if err := r.Scan(&table, &name, &ref, &del, &upd, &col, &refCol); err != nil {
			return err
		}
		t := s[table]
		if t == nil {
			return nil
		}
		// One constraint's rows arrive together; a new name starts a new key.
		if lastFK[table] != name {
			lastFK[table] = name
			t.ForeignKeys = append(t.ForeignKeys, SchemaForeignKey{RefTable: ref, OnDelete: pgAction(del), OnUpdate: pgAction(upd)})
		}
		fk := &t.ForeignKeys[len(t.ForeignKeys)-1]
		fk.Columns = append(fk.Columns, col)
		fk.RefColumns = append(fk.RefColumns, refCol)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return s, nil
}

func pgAction(c string) string {
	switch c {
	case "r":
		return "RESTRICT"
	case "c":
		return "CASCADE"
	case "n":
		return "SET NULL"
	case "d":
		return "SET DEFAULT"
	}
	return "NO ACTION"
}
