package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"aftermath"
)

type ActorSpan = aftermath.ActorSpan

type ActorEventsFilter = aftermath.ActorEventsFilter

type ActorEventDay = aftermath.ActorEventDay

// harmCache keeps the day sums of recent actor selections until the next
// import changes events: reading an actor's events scatters over the whole
// events table (about 100 ms for 24,000 events of one actor among 3
// million), and every intervention page asks for the same few actors.
// It keeps the countries' spellings (countrySpellings) as long, for the
// same reason: finding them scans every monthly aggregate (50 ms on 3
// million events), for every page filtered by a country.
type harmCache struct {
	mu        sync.Mutex
	gen       string
	days      map[string][]ActorEventDay
	spellings map[string][]string
}

// at empties the cache when the import generation has moved, or when it
// is full; the caller holds mu.
func (c *harmCache) at(gen string) {
	if c.gen != gen || len(c.days) >= harmCacheSize || len(c.spellings) >= harmCacheSize {
		c.gen, c.days, c.spellings = gen, map[string][]ActorEventDay{}, map[string][]string{}
	}
}

const harmCacheSize = 256

// importGeneration changes whenever an import changes events: every such
// import adds a row to imports. It is read from the database, so that
// several processes sharing one PostgreSQL agree.
func (db *DB) importGeneration(ctx context.Context) (string, error) {
	var n, last int64
	err := db.read.QueryRowContext(ctx, `SELECT count(*), COALESCE(max(id), 0) FROM imports`).Scan(&n, &last)
	return fmt.Sprint(n, "/", last), err
}

// ActorEventDays sums, by day, the events the spans' actors took part in,
// split by the clear and precise marks so that the re-runs need no other
// read. A dataset the viewer may not see gives nothing.
func (db *DB) ActorEventDays(ctx context.Context, f ActorEventsFilter) ([]ActorEventDay, error) {
	if len(f.Spans) == 0 {
		return nil, nil
	}
	var seen int
	if err := db.read.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM datasets d WHERE d.name = ? AND `+visible(f.Viewer, "d", "dataset")),
		slugKey(f.Dataset)).Scan(&seen); err != nil || seen == 0 {
		return nil, err
	}
	return byImport(ctx, db, func(c *harmCache) map[string][]ActorEventDay { return c.days }, fmt.Sprint(f.Dataset, f.Spans),
		func() ([]ActorEventDay, error) { return db.actorEventDays(ctx, f) })
}

// byImport returns what the cache's map (pick) holds under key for the
// current import generation, reading it when missing.
func byImport[T any](ctx context.Context, db *DB, pick func(*harmCache) map[string]T, key string, read func() (T, error)) (T, error) {
	var zero T
	gen, err := db.importGeneration(ctx)
	if err != nil {
		return zero, err
	}
	c := &db.harm
	c.mu.Lock()
	c.at(gen)
	v, ok := pick(c)[key]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	if v, err = read(); err != nil {
		return zero, err
	}
	c.mu.Lock()
	if c.gen == gen {
		pick(c)[key] = v
	}
	c.mu.Unlock()
	return v, nil
}

// actorEventDays reads the day sums from the events.
func (db *DB) actorEventDays(ctx context.Context, f ActorEventsFilter) ([]ActorEventDay, error) {
	w := []string{"d.name = ?"}
	args := []any{slugKey(f.Dataset)}
	var spans []string
	for _, s := range f.Spans {
		c := "ea.actor_id = ?"
		args = append(args, s.ActorID)
		if s.From != "" {
			c += " AND e.date_start >= ?"
			args = append(args, s.From)
		}
		if s.To != "" {
			c += " AND e.date_start <= ?"
			args = append(args, s.To)
		}
		spans = append(spans, "("+c+")")
	}
	w = append(w, "("+strings.Join(spans, " OR ")+")")
	const cols = `e.date_start, e.country_gw, e.country_iso, e.violence_type, e.civilian_targeting,
		e.deaths_low, e.deaths_best, e.deaths_high, e.deaths_civilians, e.deaths_a, e.deaths_b`
	q := `SELECT x.date_start, x.country_gw, x.country_iso, x.violence_type, x.civilian_targeting, x.on_a, x.on_b, x.clear, x.precise,
		count(*), sum(x.deaths_low), sum(x.deaths_best), sum(x.deaths_high), sum(x.deaths_civilians), sum(x.deaths_a), sum(x.deaths_b)
	FROM (SELECT e.id, ` + cols + `,
			CASE WHEN ` + qualityClearSQL + ` THEN 1 ELSE 0 END AS clear,
			CASE WHEN ` + qualityPreciseSQL + ` THEN 1 ELSE 0 END AS precise,
			max(CASE WHEN ea.role IN ('side_a', 'actor1', 'assoc_actor_1') THEN 1 ELSE 0 END) AS on_a,
			max(CASE WHEN ea.role IN ('side_b', 'actor2', 'assoc_actor_2') THEN 1 ELSE 0 END) AS on_b
		FROM event_actors ea JOIN events e ON e.id = ea.event_id JOIN datasets d ON d.id = e.dataset_id
		WHERE ` + strings.Join(w, " AND ") + `
		GROUP BY e.id, d.name, e.code_status, e.where_precision, e.date_precision, ` + cols + `) x
	GROUP BY x.date_start, x.country_gw, x.country_iso, x.violence_type, x.civilian_targeting, x.on_a, x.on_b, x.clear, x.precise
	ORDER BY x.date_start`
	var out []ActorEventDay
	// From the primary, never a replica behind it: the sums are cached
	// under the primary's import generation.
	err := eachRow(ctx, db.read, db.rebind(q), args, func(r *sql.Rows) error {
		var d ActorEventDay
		var onA, onB, clear, precise int
		err := r.Scan(&d.Date, &d.CountryGW, &d.CountryISO, &d.ViolenceType, &d.CivilianTargeting, &onA, &onB, &clear, &precise,
			&d.Events, &d.DeathsLow, &d.DeathsBest, &d.DeathsHigh, &d.DeathsCivilians, &d.DeathsA, &d.DeathsB)
		d.OnA, d.OnB, d.Clear, d.Precise = onA == 1, onB == 1, clear == 1, precise == 1
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("actor events: %w", err)
	}
	return out, nil
}
