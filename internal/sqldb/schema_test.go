package sqldb_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// Each migration is written once, but its placeholders and per-dialect
// sections (migrate.go) still let the dialects differ.
// TestSchemaDialectsAgree migrates a fresh database of each to the latest
// migration, reads back what each database actually holds
// (sqldb.DB.Schema) and compares them table by table and column by column:
//
//   - the set of tables;
//   - per column: its kind (types normalised by kind below), NOT NULL, the
//     default (normalised: casts dropped, false/true as 0/1) and whether
//     the database generates the value (rowid alias / identity);
//   - the primary key's columns, in order;
//   - every other index by (unique, keys, partial predicate), UNIQUE
//     constraints included, and the names of indexes that were named
//     (the importer drops and rebuilds some by name);
//   - foreign keys by columns, referenced table and columns, ON DELETE and
//     ON UPDATE.
//
// CHECK constraints, triggers and column order are not compared.
//
// Every difference the dialects are meant to have is in
// knownSchemaDifferences, with its reason; anything else fails the test
// with one line per difference, and an entry that no longer matches a
// difference fails it too, so the list cannot go stale.

// schemaDiff is one difference: what, and each side's value ("(missing)"
// when the side has no such thing).
type schemaDiff struct{ what, sqlite, postgres string }

func (d schemaDiff) String() string {
	return fmt.Sprintf("%s: sqlite %s, postgres %s", d.what, d.sqlite, d.postgres)
}

const missing = "(missing)"

// knownSchemaDifferences are the differences the two dialects have on
// purpose. Keys are a schemaDiff's what; the value must match both sides
// exactly.
var knownSchemaDifferences = map[string]struct{ sqlite, postgres, reason string }{}

func init() {
	// SQLite has no boolean type: flags are INTEGER 0/1 there (some with a
	// CHECK (x IN (0, 1))), BOOLEAN on PostgreSQL. Listed column by column
	// so that an integer column becoming boolean on one side only (or a
	// new flag declared differently) is still caught.
	for _, col := range []string{
		"events.civilian_targeting",             // 0001
		"users.disabled",                        // 0003
		"decisions.rationale_verbatim",          // 0007
		"inquiry_findings.verbatim",             // 0007
		"recommendations.verbatim",              // 0007
		"claims.verbatim",                       // 0007
		"claims.published",                      // 0007
		"monthly_aggregates.clear",              // 0010
		"monthly_aggregates.precise",            // 0010
		"actor_monthly_aggregates.clear",        // 0010
		"actor_monthly_aggregates.precise",      // 0010
		"aid_activities.humanitarian",           // 0017
		"aid_transactions.humanitarian",         // 0017
		"arms_deals.delivery_years_uncertain",   // 0017
		"arms_deals.number_delivered_uncertain", // 0017
		"arms_deals.number_ordered_uncertain",   // 0017
		"arms_deals.order_year_uncertain",       // 0017
		"arms_deliveries.estimate",              // 0017
		"arms_deliveries.number_uncertain",      // 0017
		"arms_deliveries.year_uncertain",        // 0017
		"actor_merges.public",                   // 0021
	} {
		knownSchemaDifferences[col+" kind"] = struct{ sqlite, postgres, reason string }{
			"integer", "boolean", "a flag: SQLite has no BOOLEAN type and stores 0/1 in an INTEGER"}
	}

	// On PostgreSQL the bulk event tables carry no foreign keys: row-by-row
	// checks were most of the import time (README "Bulk loads",
	// migrations/0001_foundation.sql); DB.IntegrityCheck verifies these
	// references instead, after every database test.
	for _, fk := range []string{
		"events foreign key (dataset_id) → datasets(id)",
		"events foreign key (version_id) → dataset_versions(id)",
		"events foreign key (place_id) → places(id)",
		"event_actors foreign key (actor_id) → actors(id)",
	} {
		knownSchemaDifferences[fk] = struct{ sqlite, postgres, reason string }{
			"ON DELETE NO ACTION ON UPDATE NO ACTION", missing, "no foreign keys on the PostgreSQL bulk event tables (README \"Bulk loads\")"}
	}
	knownSchemaDifferences["event_actors foreign key (event_id) → events(id)"] = struct{ sqlite, postgres, reason string }{
		"ON DELETE CASCADE ON UPDATE NO ACTION", missing, "no foreign keys on the PostgreSQL bulk event tables (README \"Bulk loads\")"}

	// A single INTEGER PRIMARY KEY is always SQLite's rowid, which SQLite
	// would assign if an insert gave none. These tables' keys are always
	// given by the writer, so PostgreSQL rightly has no identity there.
	for col, reason := range map[string]string{
		"cache_generation.id":                 "one row, CHECK (id = 1), inserted by 0014 itself",
		"records_generation.id":               "one row, CHECK (id = 1), inserted by 0025 itself",
		"consultation_responses.testimony_id": "the key is the testimony's id (a foreign key), given on insert",
		"testimony_identities.testimony_id":   "the key is the testimony's id (a foreign key), given on insert",
	} {
		knownSchemaDifferences[col+" generated"] = struct{ sqlite, postgres, reason string }{"yes", "no", reason}
	}

	// audit_log.id is INTEGER PRIMARY KEY on SQLite, which makes it the
	// rowid, assigned when an insert gives none; on PostgreSQL it is a
	// plain BIGINT PRIMARY KEY. audit.go always gives the id (the previous
	// entry's + 1, inside the hash chain), so neither database ever
	// assigns one.
	knownSchemaDifferences["audit_log.id generated"] = struct{ sqlite, postgres, reason string }{
		"yes", "no", "audit.go assigns audit ids itself (hash chain); SQLite's rowid alias is never used"}
}

// kind normalises a declared type to the small set of kinds the two
// dialects share. BLOB and BYTEA are the same thing (bytes); an unknown
// type keeps its own name so it shows in a difference.
func kind(typ string) string {
	t := strings.ToLower(strings.TrimSpace(typ))
	if i := strings.IndexByte(t, '('); i >= 0 { // VARCHAR(40), NUMERIC(10, 2)
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "integer", "int", "bigint", "smallint", "int2", "int4", "int8":
		return "integer"
	case "real", "double precision", "double", "float", "float4", "float8":
		return "real"
	case "text", "varchar", "character varying", "character", "char":
		return "text"
	case "boolean", "bool":
		return "boolean"
	case "blob", "bytea":
		return "blob"
	case "json", "jsonb":
		return "json"
	case "numeric", "decimal":
		return "numeric"
	}
	return "type " + typ
}

var pgCast = regexp.MustCompile(`::(?:"?[a-z_][a-z0-9_]*"?)(?: (?:precision|varying|with(?:out)? time zone))?(?:\[\])?`)

// normSQL normalises a default, an index key expression or a predicate as
// each database prints it: PostgreSQL's ::type casts dropped, case and
// white space outside string literals ignored, wrapping parentheses
// dropped, and false/true written 0/1 (SQLite has no boolean literals of
// its own).
func normSQL(s string) string {
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case inQuote:
			b.WriteByte(c)
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"':
			// dropped: white space, and the quotes PostgreSQL puts
			// around identifiers that are key words ("position")
		default:
			b.WriteString(strings.ToLower(string(c)))
		}
	}
	out := pgCast.ReplaceAllString(b.String(), "")
	for len(out) >= 2 && out[0] == '(' && out[len(out)-1] == ')' && balanced(out[1:len(out)-1]) {
		out = out[1 : len(out)-1]
	}
	switch out {
	case "false":
		return "0"
	case "true":
		return "1"
	}
	return out
}

// balanced reports whether s's parentheses (outside string literals) pair up.
func balanced(s string) bool {
	depth, inQuote := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func keyList(keys []string) string {
	n := make([]string, len(keys))
	for i, k := range keys {
		n[i] = normSQL(k)
	}
	return "(" + strings.Join(n, ", ") + ")"
}

// automaticIndex reports whether the database named the index itself (a
// UNIQUE constraint's), so its name is not compared.
func automaticIndex(name string) bool {
	return strings.HasPrefix(name, "sqlite_autoindex_") || strings.HasSuffix(name, "_key")
}

// compareSchemas returns every difference between the two schemas, sorted.
func compareSchemas(lite, pg sqldb.Schema) []schemaDiff {
	var diffs []schemaDiff
	add := func(what, l, p string) {
		if l != p {
			diffs = append(diffs, schemaDiff{what, l, p})
		}
	}
	tables := map[string]bool{}
	for n := range lite {
		tables[n] = true
	}
	for n := range pg {
		tables[n] = true
	}
	for name := range tables {
		l, p := lite[name], pg[name]
		if l == nil || p == nil {
			add("table "+name, describeTable(l), describeTable(p))
			continue
		}

		// Columns.
		cols := map[string]bool{}
		for _, c := range l.Columns {
			cols[c.Name] = true
		}
		for _, c := range p.Columns {
			cols[c.Name] = true
		}
		lPK, pPK := map[string]bool{}, map[string]bool{}
		for _, c := range l.PrimaryKey {
			lPK[c] = true
		}
		for _, c := range p.PrimaryKey {
			pPK[c] = true
		}
		for col := range cols {
			lc, pc := l.Column(col), p.Column(col)
			what := name + "." + col
			if lc == nil || pc == nil {
				add(what, describeColumn(lc), describeColumn(pc))
				continue
			}
			add(what+" kind", kind(lc.Type), kind(pc.Type))
			// A primary key column is NOT NULL on PostgreSQL by definition
			// and an INTEGER PRIMARY KEY (the rowid) cannot be NULL on
			// SQLite either; SQLite reports neither as NOT NULL unless the
			// migration says so. (A non-integer key column of a rowid
			// table does accept NULL on SQLite, a documented SQLite quirk;
			// the store never writes one.)
			add(what+" NOT NULL", yesNo(lc.NotNull || lPK[col]), yesNo(pc.NotNull || pPK[col]))
			add(what+" default", describeDefault(lc.Default), describeDefault(pc.Default))
			add(what+" generated", yesNo(lc.Generated), yesNo(pc.Generated))
		}

		// Primary key.
		add(name+" primary key", "("+strings.Join(l.PrimaryKey, ", ")+")", "("+strings.Join(p.PrimaryKey, ", ")+")")

		// Indexes, by what they index.
		sig := func(ix sqldb.SchemaIndex) string {
			s := "index " + keyList(ix.Keys)
			if ix.Unique {
				s = "unique " + s
			}
			if ix.Where != "" {
				s += " where " + normSQL(ix.Where)
			}
			return s
		}
		lIx, pIx := map[string]string{}, map[string]string{}
		for _, ix := range l.Indexes {
			lIx[sig(ix)] = ix.Name
		}
		for _, ix := range p.Indexes {
			pIx[sig(ix)] = ix.Name
		}
		for s := range union(lIx, pIx) {
			ln, lok := lIx[s]
			pn, pok := pIx[s]
			switch {
			case !lok || !pok:
				add(name+" "+s, orMissing(ln, lok), orMissing(pn, pok))
			case !automaticIndex(ln) && !automaticIndex(pn):
				add(name+" "+s+" name", ln, pn)
			}
		}

		// Foreign keys.
		fkOf := func(fks []sqldb.SchemaForeignKey) map[string]string {
			m := map[string]string{}
			for _, fk := range fks {
				k := fmt.Sprintf("foreign key (%s) → %s(%s)", strings.Join(fk.Columns, ", "), fk.RefTable, strings.Join(fk.RefColumns, ", "))
				m[k] = "ON DELETE " + fk.OnDelete + " ON UPDATE " + fk.OnUpdate
			}
			return m
		}
		lFK, pFK := fkOf(l.ForeignKeys), fkOf(p.ForeignKeys)
		for k := range union(lFK, pFK) {
			lv, lok := lFK[k]
			pv, pok := pFK[k]
			add(name+" "+k, orMissing(lv, lok), orMissing(pv, pok))
		}
	}
	sort.Slice(diffs, func(i, j int) bool { return diffs[i].what < diffs[j].what })
	return diffs
}

func union(a, b map[string]string) map[string]bool {
	u := map[string]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

func orMissing(v string, ok bool) string {
	if !ok {
		return missing
	}
	return v
}

func describeTable(t *sqldb.SchemaTable) string {
	if t == nil {
		return missing
	}
	return fmt.Sprintf("present (%d columns)", len(t.Columns))
}

func describeColumn(c *sqldb.SchemaColumn) string {
	if c == nil {
		return missing
	}
	s := kind(c.Type)
	if c.NotNull {
		s += " NOT NULL"
	}
	if c.Default != "" {
		s += " DEFAULT " + normSQL(c.Default)
	}
	return s
}

func describeDefault(d string) string {
	if d == "" {
		return "none"
	}
	return normSQL(d)
}

// unexpected splits diffs into those knownSchemaDifferences does not
// explain, and the entries of knownSchemaDifferences that explain none.
func unexpected(diffs []schemaDiff) (unexplained []schemaDiff, stale []string) {
	used := map[string]bool{}
	for _, d := range diffs {
		if k, ok := knownSchemaDifferences[d.what]; ok && k.sqlite == d.sqlite && k.postgres == d.postgres {
			used[d.what] = true
			continue
		}
		unexplained = append(unexplained, d)
	}
	for what, k := range knownSchemaDifferences {
		if !used[what] {
			stale = append(stale, fmt.Sprintf("%s: sqlite %s, postgres %s (%s)", what, k.sqlite, k.postgres, k.reason))
		}
	}
	sort.Strings(stale)
	return unexplained, stale
}

func readSchema(t *testing.T, driver string) sqldb.Schema {
	t.Helper()
	db := sqldbtest.Open(t, driver)
	s, err := db.Schema(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", driver, err)
	}
	if len(s) == 0 {
		t.Fatalf("%s: a migrated database has no tables", driver)
	}
	return s
}

func TestSchemaDialectsAgree(t *testing.T) {
	lite := readSchema(t, sqldb.SQLite)
	pg := readSchema(t, sqldb.Postgres) // skips without AFTERMATH_TEST_PG, fails under CI
	unexplained, stale := unexpected(compareSchemas(lite, pg))
	if len(unexplained) > 0 {
		lines := make([]string, len(unexplained))
		for i, d := range unexplained {
			lines[i] = "\t" + d.String()
		}
		t.Errorf("the SQLite and PostgreSQL migrations build different schemas (fix with a new migration; "+
			"add to knownSchemaDifferences only a difference the dialects must have, with its reason):\n%s", strings.Join(lines, "\n"))
	}
	if len(stale) > 0 {
		t.Errorf("knownSchemaDifferences lists differences the schemas no longer have; remove them:\n\t%s", strings.Join(stale, "\n\t"))
	}
}

// TestSchemaReadsWhatMigrationsDeclare checks the reader itself on SQLite
// (so it runs without PostgreSQL): a few facts the migrations state must
// come back, or a comparison of two empty readings would pass.
func TestSchemaReadsWhatMigrationsDeclare(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, err := db.Schema(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		ev := s["events"]
		if ev == nil {
			t.Fatal("no events table")
		}
		if c := ev.Column("deaths_best"); c == nil || kind(c.Type) != "integer" || !c.NotNull {
			t.Errorf("events.deaths_best = %+v", c)
		}
		if c := ev.Column("source_count"); c == nil || c.NotNull {
			t.Errorf("events.source_count = %+v, want nullable (0010)", c)
		}
		if got := strings.Join(ev.PrimaryKey, ","); got != "id" {
			t.Errorf("events primary key %q", got)
		}
		if c := ev.Column("id"); c == nil || !c.Generated {
			t.Errorf("events.id = %+v, want generated", c)
		}
		var uniq, named bool
		for _, ix := range ev.Indexes {
			uniq = uniq || ix.Unique && keyList(ix.Keys) == "(dataset_id, native_id)"
			named = named || ix.Name == "events_date" && keyList(ix.Keys) == "(dataset_id, date_start)"
		}
		if !uniq || !named {
			t.Errorf("events indexes %+v", ev.Indexes)
		}
		places := s["places"]
		var expr bool
		for _, ix := range places.Indexes {
			expr = expr || ix.Name == "places_key" && ix.Unique && keyList(ix.Keys) == "(kind, coalesce(parent_id,0), name)"
		}
		if !expr {
			t.Errorf("places indexes %+v", places.Indexes)
		}
		var partial bool
		for _, ix := range s["sources"].Indexes {
			partial = partial || ix.Name == "sources_identifier" && normSQL(ix.Where) == "identifier<>''"
		}
		if !partial {
			t.Errorf("sources indexes %+v", s["sources"].Indexes)
		}
		if d := describeDefault(s["datasets"].Column("audience").Default); d != "'public'" {
			t.Errorf("datasets.audience default %s", d)
		}
		var cascade bool
		for _, fk := range s["actor_aliases"].ForeignKeys {
			cascade = cascade || strings.Join(fk.Columns, ",") == "actor_id" && fk.RefTable == "actors" &&
				strings.Join(fk.RefColumns, ",") == "id" && fk.OnDelete == "CASCADE"
		}
		if !cascade {
			t.Errorf("actor_aliases foreign keys %+v", s["actor_aliases"].ForeignKeys)
		}
	})
}

// TestSchemaDiffNamesOneSidedColumn: a column, index or foreign key that
// one dialect has and the other lacks is reported as table.column with
// both sides.
func TestSchemaDiffNamesOneSidedColumn(t *testing.T) {
	a := readSchema(t, sqldb.SQLite)
	b := readSchema(t, sqldb.SQLite)
	if d := compareSchemas(a, b); len(d) != 0 {
		t.Fatalf("a schema differs from itself: %v", d)
	}
	b["jobs"].Columns = append(b["jobs"].Columns, sqldb.SchemaColumn{Name: "priority", Type: "BIGINT", NotNull: true, Default: "0"})
	b["users"].Column("failed_logins").Type = "TEXT"
	b["users"].Indexes = nil
	got := compareSchemas(a, b)
	var lines []string
	for _, d := range got {
		lines = append(lines, d.String())
	}
	want := []string{
		"jobs.priority: sqlite (missing), postgres integer NOT NULL DEFAULT 0",
		"users unique index (email): sqlite sqlite_autoindex_users_1, postgres (missing)",
		"users.failed_logins kind: sqlite integer, postgres text",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("differences:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
