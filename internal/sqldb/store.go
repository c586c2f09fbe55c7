package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/geo"
)

// Datasets lists the datasets the viewer may see with their versions and
// imports, newest import first.
func (db *DB) Datasets(ctx context.Context, v aftermath.Viewer) ([]aftermath.Dataset, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT d.id, d.name, d.title, d.audience,
		(SELECT COALESCE(sum(a.events), 0) FROM monthly_aggregates a WHERE a.dataset_id = d.id) FROM datasets d
		WHERE `+visible(v, "d", "dataset")+` ORDER BY d.name`)
	if err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	var out []aftermath.Dataset
	for rows.Next() {
		var d aftermath.Dataset
		if err := rows.Scan(&d.ID, &d.Name, &d.Title, &d.Audience, &d.Events); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Versions, err = db.imports(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) imports(ctx context.Context, datasetID int64) ([]aftermath.DatasetVersion, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT v.id, v.version, i.file_name, i.sha256, i.imported_at,
		i.rows_read, i.inserted, i.updated, i.unchanged, i.rejected, v.covers_from, v.covers_to, v.countries, v.basis
		FROM imports i JOIN dataset_versions v ON v.id = i.version_id
		WHERE v.dataset_id = ? ORDER BY i.id DESC`), datasetID)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	defer rows.Close()
	var out []aftermath.DatasetVersion
	for rows.Next() {
		v := aftermath.DatasetVersion{DatasetID: datasetID}
		var at, countries string
		c, cov := &v.Counts, &v.Coverage
		if err := rows.Scan(&v.ID, &v.Version, &v.FileName, &v.SHA256, &at, &c.Read, &c.Inserted, &c.Updated, &c.Unchanged, &c.Rejected,
			&cov.From, &cov.To, &countries, &cov.Basis); err != nil {
			return nil, err
		}
		cov.Version, cov.Countries = v.Version, splitCountries(countries)
		v.ImportedAt, _ = time.Parse(time.RFC3339, at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// statsColumns maps a --by key to its aggregate column and how to render it.
var statsColumns = map[string]string{
	"dataset":       "d.name",
	"country":       "a.country",
	"admin1":        "a.admin1",
	"year":          "a.year",
	"month":         "a.month",
	"violence_type": "a.violence_type",
}

// Stats sums the monthly aggregates grouped by the filter's keys. Rows are
// sorted by the keys (byte order, numbers as numbers), the same on both
// databases whatever their collation.
func (db *DB) Stats(ctx context.Context, f aftermath.StatsFilter) ([]aftermath.StatsRow, error) {
	var cols []string
	for _, k := range f.By {
		c, ok := statsColumns[k]
		if !ok {
			return nil, aftermath.Errorf(aftermath.EINVALID, "unknown key %q; use %s", k, strings.Join(aftermath.StatsKeys, ","))
		}
		cols = append(cols, c)
	}
	q := `SELECT `
	for _, c := range cols {
		q += c + ", "
	}
	q += `count(*), COALESCE(sum(a.events), 0), COALESCE(sum(a.deaths_best), 0), COALESCE(sum(a.deaths_low), 0),
		COALESCE(sum(a.deaths_high), 0), COALESCE(sum(a.deaths_civilians), 0)
		FROM monthly_aggregates a JOIN datasets d ON d.id = a.dataset_id`
	var args []any
	var where []string
	if f.Dataset != "" {
		where = append(where, `d.name = ?`)
		args = append(args, slugKey(f.Dataset))
	}
	if f.ClearOnly {
		where = append(where, `a.clear = ?`)
		args = append(args, true)
	}
	if f.PreciseOnly {
		where = append(where, `a.precise = ?`)
		args = append(args, true)
	}
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	if len(cols) > 0 {
		q += ` GROUP BY ` + strings.Join(cols, ", ")
	}
	rows, err := db.lagged(ctx).QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	var out []aftermath.StatsRow
	for rows.Next() {
		r := aftermath.StatsRow{Keys: make([]string, len(cols))}
		var groups int64
		dest := make([]any, 0, len(cols)+6)
		for i := range cols {
			dest = append(dest, &r.Keys[i])
		}
		dest = append(dest, &groups, &r.Events, &r.DeathsBest, &r.DeathsLow, &r.DeathsHigh, &r.DeathsCivilians)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if groups == 0 { // no aggregates at all: no row rather than a row of zeros
			continue
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	numeric := make([]bool, len(f.By))
	for i, k := range f.By {
		numeric[i] = k == "year"
	}
	slices.SortFunc(out, func(a, b aftermath.StatsRow) int {
		for i := range a.Keys {
			if numeric[i] {
				x, _ := strconv.Atoi(a.Keys[i])
				y, _ := strconv.Atoi(b.Keys[i])
				if x != y {
					return x - y
				}
				continue
			}
			if c := strings.Compare(a.Keys[i], b.Keys[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	return out, nil
}

type EventFilter = aftermath.EventFilter

// eventWhere is the SQL condition and arguments selecting f's events.
// A country is first resolved to the dataset spellings it stands for
// (countrySpellings), so that the condition on e.country is plain values
// the country index serves: a subquery there made SQLite sort every event
// of the dataset instead.
func (db *DB) eventWhere(ctx context.Context, f EventFilter) (string, []any, error) {
	var spellings []string
	if f.Country != "" {
		var err error
		if spellings, err = db.countrySpellings(ctx, f.Country); err != nil {
			return "", nil, err
		}
	}
	where, args := eventCondition(f, spellings)
	return where, args, nil
}

// eventCondition is eventWhere's condition, the country given by its
// spellings.
func eventCondition(f EventFilter, spellings []string) (string, []any) {
	w := []string{visible(f.Viewer, "d", "dataset")}
	var args []any
	add := func(cond string, v ...any) {
		w = append(w, cond)
		args = append(args, v...)
	}
	if f.Dataset != "" {
		add("d.name = ?", slugKey(f.Dataset))
	}
	if f.Country != "" {
		if len(spellings) == 0 { // no dataset spells it so: nothing matches, as typed
			spellings = []string{f.Country}
		}
		args := make([]any, len(spellings))
		for i, sp := range spellings {
			args[i] = sp
		}
		add("e.country IN ("+placeholders(len(spellings))+")", args...)
	}
	if f.Admin1 != "" {
		add("e.admin1 = ?", f.Admin1)
	}
	if f.From != "" {
		add("e.date_start >= ?", f.From)
	}
	if f.To != "" {
		add("e.date_start <= ?", f.To)
	}
	if f.ViolenceType != "" {
		add("e.violence_type = ?", f.ViolenceType)
	}
	if f.Actor != "" {
		roles := "'side_a', 'actor1', 'assoc_actor_1', 'side_b', 'actor2', 'assoc_actor_2'"
		switch f.ActorSide {
		case aftermath.ActorSideA:
			roles = "'side_a', 'actor1', 'assoc_actor_1'"
		case aftermath.ActorSideB:
			roles = "'side_b', 'actor2', 'assoc_actor_2'"
		}
		// The aliases are few beside the events: matching them first keeps
		// the substring search off the events table.
		add(`e.id IN (SELECT l.event_id FROM event_actors l WHERE l.role IN (`+roles+`) AND l.actor_id IN (
			SELECT aa.actor_id FROM actor_aliases aa WHERE lower(aa.name) LIKE lower(?) ESCAPE '\'))`, likeContains(f.Actor))
	}
	if f.DeathsMin > 0 {
		add("e.deaths_best >= ?", f.DeathsMin)
	}
	if f.DeathsMax > 0 {
		add("e.deaths_best <= ?", f.DeathsMax)
	}
	if f.CodeStatus != "" {
		add("e.code_status = ?", f.CodeStatus)
	}
	if f.PreciseOnly {
		w = append(w, qualityPreciseSQL)
	}
	return strings.Join(w, " AND "), args
}

// countryIn is the condition that col holds a dataset's spelling of the
// country s names (see countrySpellings), for the monthly aggregates,
// which are few enough to match in a subquery.
func countryIn(col, s string) (string, []any) {
	q, args := spellingsQuery(s)
	return col + ` IN (` + q + `)`, args
}

// spellingsQuery selects the spellings of the country s names: s itself
// in any case, or, when geo.Find knows s (an ISO code or a name in
// English, French or Arabic), every spelling the datasets use for that
// country. The monthly aggregates know both the spellings and their ISO
// codes.
func spellingsQuery(s string) (string, []any) {
	if c, ok := geo.Find(s); ok {
		return `SELECT m.country FROM monthly_aggregates m WHERE m.country_iso3 = ? OR lower(m.country) = lower(?)`, []any{c.Alpha3, s}
	}
	return `SELECT m.country FROM monthly_aggregates m WHERE lower(m.country) = lower(?)`, []any{s}
}

// countrySpellings are the datasets' spellings of the country s names,
// kept until an import changes the aggregates (harmCache).
func (db *DB) countrySpellings(ctx context.Context, s string) ([]string, error) {
	out, err := byImport(ctx, db, func(c *harmCache) map[string][]string { return c.spellings }, s, func() ([]string, error) {
		q, args := spellingsQuery(s)
		var out []string
		// From the primary, as the generation was read.
		err := eachRow(ctx, db.read, db.rebind(`SELECT DISTINCT x.country FROM (`+q+`) x ORDER BY x.country`), args, func(r *sql.Rows) error {
			var c string
			err := r.Scan(&c)
			out = append(out, c)
			return err
		})
		return out, err
	})
	if err != nil {
		return nil, fmt.Errorf("spellings of %q: %w", s, err)
	}
	return slices.Clone(out), nil
}

// likeContains is a LIKE pattern matching s anywhere, its wildcards escaped.
func likeContains(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s) + "%"
}

// eventSide is the name of an event's first actor on one side, as the
// listing shows it (UCDP names one actor a side, ACLED one besides its
// associates).
func eventSide(roles string) string {
	return `COALESCE((SELECT min(a.name) FROM event_actors l JOIN actors a ON a.id = l.actor_id WHERE l.event_id = e.id AND l.role IN (` + roles + `)), '')`
}

var eventListColumns = `e.id, d.name, v.version, e.native_id, e.year, e.date_start, e.date_end, e.violence_type,
	e.country, e.admin1, e.admin2, e.location, e.latitude, e.longitude, e.deaths_low, e.deaths_best,
	e.deaths_high, e.deaths_civilians, e.where_precision, e.date_precision, e.code_status, e.source_count,
	e.country_gw, e.country_iso, ` + eventSide("'side_a', 'actor1'") + `, ` + eventSide("'side_b', 'actor2'") + `, e.source_text, e.notes`

// eventListJoins give the listing's columns their dataset and version.
const eventListJoins = ` JOIN datasets d ON d.id = e.dataset_id JOIN dataset_versions v ON v.id = e.version_id`

// Events lists events, newest first.
func (db *DB) Events(ctx context.Context, f EventFilter) ([]aftermath.Event, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	var out []aftermath.Event
	err := db.eachEvent(ctx, f, ` LIMIT ? OFFSET ?`, []any{f.Limit, f.Offset}, func(e *aftermath.Event) error {
		out = append(out, *e)
		return nil
	})
	return out, err
}

// EachEvent streams every event the filter selects, newest first, for
// downloads of any size.
func (db *DB) EachEvent(ctx context.Context, f EventFilter, fn func(*aftermath.Event) error) error {
	return db.eachEvent(ctx, f, "", nil, fn)
}

func (db *DB) eachEvent(ctx context.Context, f EventFilter, tail string, tailArgs []any, fn func(*aftermath.Event) error) error {
	where, args, err := db.eventWhere(ctx, f)
	if err != nil {
		return err
	}
	const order = ` ORDER BY e.date_start DESC, e.id DESC`
	q := `SELECT ` + eventListColumns + ` FROM events e` + eventListJoins + ` WHERE ` + where + order
	if tail != "" {
		// A page: pick its ids first, from the indexes alone, then read
		// their rows. Sorting whole rows (source texts and all) to keep 100
		// took SQLite 0.2 s on 35,000 events; the ids take 1 ms.
		q = `SELECT ` + eventListColumns + ` FROM (SELECT e.id FROM events e JOIN datasets d ON d.id = e.dataset_id WHERE ` + where + order + tail +
			`) k JOIN events e ON e.id = k.id` + eventListJoins + order
	}
	err = db.eachMayLag(ctx, q, append(args, tailArgs...), func(r *sql.Rows) error {
		var e aftermath.Event
		var lat, lon sql.NullFloat64
		var sources sql.NullInt64
		var sideA, sideB string
		if err := r.Scan(&e.ID, &e.Dataset, &e.Version, &e.NativeID, &e.Year, &e.DateStart, &e.DateEnd, &e.ViolenceType,
			&e.Country, &e.Admin1, &e.Admin2, &e.Location, &lat, &lon, &e.DeathsLow, &e.DeathsBest, &e.DeathsHigh,
			&e.DeathsCivilians, &e.WherePrecision, &e.DatePrecision, &e.CodeStatus, &sources,
			&e.CountryGW, &e.CountryISO, &sideA, &sideB, &e.SourceText, &e.Notes); err != nil {
			return err
		}
		e.Actors = sideActors(e.Dataset, sideA, sideB)
		if sources.Valid {
			n := int(sources.Int64)
			e.SourceCount = &n
		}
		if lat.Valid {
			e.Latitude = &lat.Float64
		}
		if lon.Valid {
			e.Longitude = &lon.Float64
		}
		return fn(&e)
	})
	if err != nil {
		return fmt.Errorf("list events: %w", err)
	}
	return nil
}

// CountEvents counts the events the filter selects, up to limit (0: no
// limit); exact is false when the count stopped at the limit. Filters
// the monthly aggregates can answer (dataset, country, admin-1, violence
// type, whole months) are counted there, exactly and fast.
func (db *DB) CountEvents(ctx context.Context, f EventFilter, limit int) (n int64, exact bool, err error) {
	if aggregatable(f) {
		where, args := aggregateWhere(f)
		q := `SELECT COALESCE(sum(a.events), 0) FROM monthly_aggregates a JOIN datasets d ON d.id = a.dataset_id WHERE ` + where
		if err := db.lagged(ctx).QueryRowContext(ctx, db.rebind(q), args...).Scan(&n); err != nil {
			return 0, false, fmt.Errorf("count events: %w", err)
		}
		return n, true, nil
	}
	where, args, err := db.eventWhere(ctx, f)
	if err != nil {
		return 0, false, err
	}
	q := `SELECT count(*) FROM events e JOIN datasets d ON d.id = e.dataset_id WHERE ` + where
	if limit > 0 {
		q = `SELECT count(*) FROM (SELECT 1 FROM events e JOIN datasets d ON d.id = e.dataset_id WHERE ` + where + ` LIMIT ?) x`
		args = append(args, limit+1)
	}
	if err := db.lagged(ctx).QueryRowContext(ctx, db.rebind(q), args...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("count events: %w", err)
	}
	if limit > 0 && n > int64(limit) {
		return int64(limit), false, nil
	}
	return n, true, nil
}

// aggregatable tells whether the monthly aggregates can count f's events:
// filters on dataset, country, admin-1, violence type, precision and
// whole months.
func aggregatable(f EventFilter) bool {
	return f.Actor == "" && f.DeathsMin == 0 && f.DeathsMax == 0 && f.CodeStatus == "" && monthStart(f.From) && monthEnd(f.To)
}

// aggregateWhere is the condition on monthly_aggregates a (joined to
// datasets d) selecting what an aggregatable filter selects.
func aggregateWhere(f EventFilter) (string, []any) {
	q := visible(f.Viewer, "d", "dataset")
	var args []any
	for _, c := range []struct {
		cond string
		v    string
	}{{" AND d.name = ?", slugKey(f.Dataset)}, {" AND a.admin1 = ?", f.Admin1},
		{" AND a.violence_type = ?", f.ViolenceType}, {" AND a.month >= ?", month(f.From)}, {" AND a.month <= ?", month(f.To)}} {
		if c.v != "" {
			q += c.cond
			args = append(args, c.v)
		}
	}
	if f.Country != "" {
		cond, v := countryIn("a.country", f.Country)
		q += " AND " + cond
		args = append(args, v...)
	}
	if f.PreciseOnly {
		q += " AND a.precise = ?"
		args = append(args, true)
	}
	return q, args
}

// monthStart and monthEnd tell whether a date filter covers whole months
// ("" is open and counts as whole).
func monthStart(d string) bool { return d == "" || strings.HasSuffix(d, "-01") }

func monthEnd(d string) bool {
	if d == "" {
		return true
	}
	t, err := time.Parse("2006-01-02", d)
	return err == nil && t.AddDate(0, 0, 1).Day() == 1
}

// Event returns one event of a dataset the viewer may see, with its
// actors, or ENOTFOUND.
func (db *DB) Event(ctx context.Context, v aftermath.Viewer, dataset, nativeID string) (*aftermath.Event, error) {
	var e aftermath.Event
	var id int64
	err := db.lagged(ctx).QueryRowContext(ctx, db.rebind(`SELECT e.id, v.version, e.year, e.date_start, e.violence_type, e.country, e.admin1,
		e.deaths_best, e.deaths_civilians, e.source_text FROM events e JOIN datasets d ON d.id = e.dataset_id
		JOIN dataset_versions v ON v.id = e.version_id WHERE d.name = ? AND e.native_id = ? AND `+visible(v, "d", "dataset")), slugKey(dataset), nativeID).
		Scan(&id, &e.Version, &e.Year, &e.DateStart, &e.ViolenceType, &e.Country, &e.Admin1, &e.DeathsBest, &e.DeathsCivilians, &e.SourceText)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no %s event %q", dataset, nativeID)
	}
	if err != nil {
		return nil, fmt.Errorf("event %s %s: %w", dataset, nativeID, err)
	}
	e.ID, e.Dataset, e.NativeID = id, dataset, nativeID
	rows, err := db.lagged(ctx).QueryContext(ctx, db.rebind(`SELECT ea.role, a.name, ea.inter FROM event_actors ea
		JOIN actors a ON a.id = ea.actor_id WHERE ea.event_id = ? ORDER BY ea.role, a.name`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a aftermath.EventActor
		if err := rows.Scan(&a.Role, &a.Name, &a.Inter); err != nil {
			return nil, err
		}
		e.Actors = append(e.Actors, a)
	}
	return &e, rows.Err()
}

// Counts returns the number of rows in each table, for checks and tests.
func (db *DB) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range []string{"datasets", "dataset_versions", "imports", "events", "event_actors", "actors",
		"actor_aliases", "actor_external_ids", "places", "monthly_aggregates", "sources", "citations"} {
		var n int64
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// dumpTables are the tables Dump reads, in order.
var dumpTables = []string{"datasets", "dataset_versions", "imports", "places", "actors", "actor_aliases",
	"actor_external_ids", "actor_relations", "events", "event_actors", "sources", "citations", "monthly_aggregates", "actor_monthly_aggregates",
	"interventions", "intervention_actors", "intervention_actor_aliases", "intervention_areas", "intervention_phases"}

// Dump returns every row of every table as text, each table's rows sorted.
// Tests use it to check that a failed or repeated import changed nothing.
func (db *DB) Dump(ctx context.Context) ([]string, error) {
	var out []string
	for _, t := range dumpTables {
		rows, err := db.read.QueryContext(ctx, `SELECT * FROM `+t)
		if err != nil {
			return nil, fmt.Errorf("dump %s: %w", t, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			var b strings.Builder
			b.WriteString(t)
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "|%v", v)
			}
			lines = append(lines, b.String())
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		slices.Sort(lines)
		out = append(out, lines...)
	}
	return out, nil
}

// IndexDefinitions returns the definition of every index, sorted, so tests
// can check that imports leave the schema as the migrations made it.
func (db *DB) IndexDefinitions(ctx context.Context) ([]string, error) {
	q := `SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`
	if db.Driver == Postgres {
		q = `SELECT indexname || ': ' || replace(indexdef, schemaname || '.', '') FROM pg_indexes WHERE schemaname = current_schema()`
	}
	var out []string
	err := db.each(ctx, q, nil, func(r *sql.Rows) error {
		var s string
		err := r.Scan(&s)
		out = append(out, s)
		return err
	})
	slices.Sort(out)
	return out, err
}
