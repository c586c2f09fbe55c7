// Package sqldb is Aftermath's one hand-written SQL layer. The same queries
// run on SQLite (modernc.org/sqlite, the embedded default) and PostgreSQL
// (pgx); they are written with ? placeholders and rebound for PostgreSQL.
// Where the two dialects differ, the difference is in this package only.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Drivers.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open Aftermath database.
type DB struct {
	Driver string
	// write is the only connection that writes on SQLite (SQLite allows one
	// writer at a time; one connection avoids SQLITE_BUSY between our own
	// goroutines). On PostgreSQL write and read are the same pool.
	write *sql.DB
	read  *sql.DB
	// Now gives the time stored in records; tests replace it.
	Now func() time.Time
	dsn string
	// harm caches actor day sums until an import changes events.
	harm harmCache
	// publicMin is SetPublicMinCount's setting; 0 is the default.
	publicMin atomic.Int64
	// replicaState is the streaming replica's pool, if any (OpenReplica).
	replicaState
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (creating if needed, for SQLite) the database that dsn names:
// a file path for SQLite or a postgres:// URL. It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{Now: func() time.Time { return time.Now().UTC() }, dsn: dsn}
	var err error
	if IsPostgres(dsn) {
		db.Driver = Postgres
		if db.write, err = sql.Open("pgx", dsn); err != nil {
			return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
		}
		db.write.SetMaxOpenConns(16)
		db.write.SetMaxIdleConns(4)
		db.read = db.write
	} else {
		db.Driver = SQLite
		if dsn == "" {
			return nil, fmt.Errorf("open: empty database path")
		}
		// secure_delete: deleted rows (a destroyed data key above all) are
		// overwritten in the file rather than left in free pages.
		pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)"
		if db.write, err = sql.Open("sqlite", "file:"+dsn+"?"+pragmas+"&_txlock=immediate"); err != nil {
			return nil, fmt.Errorf("open %s: %w", dsn, err)
		}
		db.write.SetMaxOpenConns(1)
		db.write.SetConnMaxIdleTime(0)
		if db.read, err = sql.Open("sqlite", "file:"+dsn+"?"+pragmas+"&mode=ro"); err != nil {
			db.write.Close()
			return nil, fmt.Errorf("open %s: %w", dsn, err)
		}
		db.read.SetMaxOpenConns(8)
	}
	// The writer connects first, so a new SQLite file exists before readers open it.
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	return db, nil
}

// Close closes the pools.
func (db *DB) Close() error {
	err := db.write.Close()
	for _, p := range []*sql.DB{db.read, db.replica} {
		if p != nil && p != db.write {
			if perr := p.Close(); err == nil {
				err = perr
			}
		}
	}
	return err
}

// Name is the database for messages, with any password removed.
func (db *DB) Name() string { return redact(db.dsn) }

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	return dsn
}

// Migration is one embedded schema change.
type Migration struct {
	Version string // file name without .sql, e.g. 0001_foundation
	SQL     string
}

// Migrations lists this driver's migrations in order, rendered from the
// shared files (see migrate.go).
func (db *DB) Migrations() ([]Migration, error) {
	return loadMigrations(migrations, db.Driver)
}

// Migrate applies the migrations not yet applied, each in its own
// transaction, and returns the versions it applied. Migrations only go
// forward. On PostgreSQL the start lock (Exclusive) lets several processes
// start at once: one migrates, the others then find nothing to do.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	return db.migrateTo(ctx, -1)
}

// migrateTo applies those of the first n migrations (all when n < 0) not
// yet applied and returns their versions. A restore stops at its dump's migrations: the
// dump's rows fit that schema, and the newer ones then carry them forward
// as they would an old database.
func (db *DB) migrateTo(ctx context.Context, n int) ([]string, error) {
	ms, err := db.Migrations()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if n < 0 || n > len(ms) {
		n = len(ms)
	}
	// Nothing to apply is found by reading: on SQLite each migration's
	// check is a write transaction, and every command starts by migrating,
	// so a command would otherwise wait for (and, past the busy timeout,
	// fail behind) any other process's long write.
	if pending, err := db.Pending(ctx); err == nil {
		todo := false
		for _, m := range ms[:n] {
			todo = todo || slices.Contains(pending, m.Version)
		}
		if !todo {
			return nil, nil
		}
	}
	var applied []string
	err = db.Exclusive(ctx, func(ctx context.Context) error {
		if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, m := range ms[:n] {
			done, err := db.applyMigration(ctx, m)
			if err != nil {
				return fmt.Errorf("migrate %s: %w", m.Version, err)
			}
			if done {
				applied = append(applied, m.Version)
			}
		}
		return nil
	})
	return applied, err
}

func (db *DB) applyMigration(ctx context.Context, m Migration) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	// Still taken inside the start lock: a process of an older release,
	// which knows only this lock, may be migrating during an upgrade.
	if db.Driver == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(4701)`); err != nil {
			return false, err
		}
		// The records generation's triggers wait for the commit
		// (migration 0025); a migration that writes rows and then alters
		// or indexes their table could not, with their events pending.
		if _, err := tx.ExecContext(ctx, `SET CONSTRAINTS ALL IMMEDIATE`); err != nil {
			return false, err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM schema_migrations WHERE version = ?`), m.Version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`),
		m.Version, db.Now().Format(time.RFC3339)); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// Pending returns the migrations not yet applied.
func (db *DB) Pending(ctx context.Context) ([]string, error) {
	ms, err := db.Migrations()
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	rows, err := db.read.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err == nil {
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, err
			}
			have[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// A missing schema_migrations table means nothing is applied yet.
	var pending []string
	for _, m := range ms {
		if !have[m.Version] {
			pending = append(pending, m.Version)
		}
	}
	return pending, nil
}

// orphanChecks find rows whose references point nowhere; on PostgreSQL the
// bulk event tables have no foreign keys, so this is what guards them.
var orphanChecks = map[string]string{
	"events.dataset_id":     `SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM datasets d WHERE d.id = e.dataset_id)`,
	"events.version_id":     `SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM dataset_versions v WHERE v.id = e.version_id AND v.dataset_id = e.dataset_id)`,
	"events.place_id":       `SELECT count(*) FROM events e WHERE e.place_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM places p WHERE p.id = e.place_id)`,
	"event_actors.event_id": `SELECT count(*) FROM event_actors l WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = l.event_id)`,
	"event_actors.actor_id": `SELECT count(*) FROM event_actors l WHERE NOT EXISTS (SELECT 1 FROM actors a WHERE a.id = l.actor_id)`,
}

// aggregateChecks recount the aggregates from the events, every dimension
// included (clear and precise by the rules of EventClear and
// EventPrecise): every group that differs, either way, is a fault of the
// importer or of a migration.
var aggregateChecks = map[string]string{
	"monthly_aggregates": `SELECT count(*) FROM (
		SELECT * FROM (` + recountMonthly + `) e
		EXCEPT SELECT dataset_id, country, admin1, year, month, violence_type, clear, precise, events, deaths_best, deaths_low, deaths_high, deaths_civilians FROM monthly_aggregates
		UNION ALL
		SELECT * FROM (SELECT dataset_id, country, admin1, year, month, violence_type, clear, precise, events, deaths_best, deaths_low, deaths_high, deaths_civilians FROM monthly_aggregates
		EXCEPT ` + recountMonthly + `) m) x`,
	"actor_monthly_aggregates": `SELECT count(*) FROM (
		SELECT * FROM (` + recountActors + `) e
		EXCEPT ` + sumActorAggs + `
		UNION ALL
		SELECT * FROM (` + sumActorAggs + `
		EXCEPT ` + recountActors + `) m) x`,
}

const (
	recountMonthly = `SELECT e.dataset_id, e.country, e.admin1, e.year, substr(e.date_start, 1, 7), e.violence_type,
			` + qualityClearSQL + `, ` + qualityPreciseSQL + `, count(*),
			sum(e.deaths_best), sum(e.deaths_low), sum(e.deaths_high), sum(e.deaths_civilians)
			FROM events e JOIN datasets d ON d.id = e.dataset_id
			GROUP BY e.dataset_id, e.country, e.admin1, e.year, substr(e.date_start, 1, 7), e.violence_type, ` + qualityClearSQL + `, ` + qualityPreciseSQL
	recountActors = `SELECT e.dataset_id, l.actor_id, e.admin1, e.year, substr(e.date_start, 1, 7), e.violence_type,
			` + qualityClearSQL + `, ` + qualityPreciseSQL + `, count(*), sum(e.deaths_best), sum(e.deaths_civilians)
			FROM events e JOIN datasets d ON d.id = e.dataset_id JOIN event_actors l ON l.event_id = e.id AND l.role IN ('side_a', 'actor1')
			GROUP BY e.dataset_id, l.actor_id, e.admin1, e.year, substr(e.date_start, 1, 7), e.violence_type, ` + qualityClearSQL + `, ` + qualityPreciseSQL
	sumActorAggs = `SELECT dataset_id, actor_id, admin1, year, month, violence_type, clear, precise, sum(events), sum(deaths_best), sum(deaths_civilians)
			FROM actor_monthly_aggregates GROUP BY dataset_id, actor_id, admin1, year, month, violence_type, clear, precise`
)

// IntegrityCheck returns "ok" when the database is sound: SQLite's own
// integrity and foreign-key checks, and on both databases a search for
// event rows whose references point nowhere. Otherwise it returns the
// first problem found.
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	if db.Driver == SQLite {
		var msg string
		if err := db.write.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&msg); err != nil {
			return "", err
		}
		if msg != "ok" {
			return msg, nil
		}
		rows, err := db.write.QueryContext(ctx, `PRAGMA foreign_key_check`)
		if err != nil {
			return "", err
		}
		bad := rows.Next()
		rows.Close()
		if bad {
			return "foreign key violations", nil
		}
	}
	for name, q := range aggregateChecks {
		var n int64
		if err := db.read.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		if n > 0 {
			return fmt.Sprintf("%s: %d groups differ from a recount of the events", name, n), nil
		}
	}
	names := make([]string, 0, len(orphanChecks))
	for k := range orphanChecks {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		var n int64
		if err := db.read.QueryRowContext(ctx, orphanChecks[k]).Scan(&n); err != nil {
			return "", err
		}
		if n > 0 {
			return fmt.Sprintf("%d rows of %s point nowhere", n, k), nil
		}
	}
	return "ok", nil
}
