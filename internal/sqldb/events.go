package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"aftermath"
	"aftermath/internal/geo"
)

// sideActors are the listing's side A and side B as event actors, in the
// roles the dataset names them with.
func sideActors(dataset, sideA, sideB string) []aftermath.EventActor {
	a, b := aftermath.RoleSideA, aftermath.RoleSideB
	if dataset != aftermath.DatasetUCDP {
		a, b = aftermath.RoleActor1, aftermath.RoleActor2
	}
	var out []aftermath.EventActor
	if sideA != "" {
		out = append(out, aftermath.EventActor{Role: a, Name: sideA})
	}
	if sideB != "" {
		out = append(out, aftermath.EventActor{Role: b, Name: sideB})
	}
	return out
}

// EventByID returns one event of a dataset the viewer may see with every
// stored field, its published columns without a field (Extra) and its
// actors with their dataset ids, or ENOTFOUND.
func (db *DB) EventByID(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Event, error) {
	e := aftermath.Event{ID: id}
	var lat, lon sql.NullFloat64
	var sources sql.NullInt64
	var extra string
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT d.name, v.version, e.native_id, e.relid, e.year, e.date_start, e.date_end,
		e.date_precision, e.violence_type, e.sub_event_type, e.disorder_type, e.code_status, e.clarity, e.conflict_id, e.conflict_name,
		e.dyad_id, e.dyad_name, e.country, e.country_gw, e.country_iso, e.region, e.admin1, e.admin2, e.admin3, e.location,
		e.latitude, e.longitude, e.where_precision, e.deaths_a, e.deaths_b, e.deaths_civilians, e.deaths_unknown, e.deaths_low,
		e.deaths_best, e.deaths_high, e.civilian_targeting, e.source_count, e.source_text, e.notes, e.tags, e.extra
		FROM events e JOIN datasets d ON d.id = e.dataset_id JOIN dataset_versions v ON v.id = e.version_id
		WHERE e.id = ? AND `+visible(v, "d", "dataset")), id).Scan(&e.Dataset, &e.Version, &e.NativeID, &e.RelID, &e.Year,
		&e.DateStart, &e.DateEnd, &e.DatePrecision, &e.ViolenceType, &e.SubEventType, &e.DisorderType, &e.CodeStatus, &e.Clarity,
		&e.ConflictID, &e.ConflictName, &e.DyadID, &e.DyadName, &e.Country, &e.CountryGW, &e.CountryISO, &e.Region, &e.Admin1,
		&e.Admin2, &e.Admin3, &e.Location, &lat, &lon, &e.WherePrecision, &e.DeathsA, &e.DeathsB, &e.DeathsCivilians,
		&e.DeathsUnknown, &e.DeathsLow, &e.DeathsBest, &e.DeathsHigh, &e.CivilianTargeting, &sources, &e.SourceText, &e.Notes,
		&e.Tags, &extra)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no event %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("event %d: %w", id, err)
	}
	if lat.Valid {
		e.Latitude = &lat.Float64
	}
	if lon.Valid {
		e.Longitude = &lon.Float64
	}
	if sources.Valid {
		n := int(sources.Int64)
		e.SourceCount = &n
	}
	if e.Extra, err = db.decodeExtra(ctx, extra); err != nil {
		return nil, fmt.Errorf("event %d: extra columns: %w", id, err)
	}
	err = db.each(ctx, `SELECT l.role, a.name, l.inter, a.kind,
		COALESCE((SELECT min(x.value) FROM actor_external_ids x WHERE x.actor_id = a.id AND x.scheme = ?), '')
		FROM event_actors l JOIN actors a ON a.id = l.actor_id WHERE l.event_id = ? ORDER BY l.role, a.name`, []any{e.Dataset, id},
		func(r *sql.Rows) error {
			var a aftermath.EventActor
			err := r.Scan(&a.Role, &a.Name, &a.Inter, &a.Kind, &a.ExternalID)
			e.Actors = append(e.Actors, a)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("event %d: actors: %w", id, err)
	}
	return &e, nil
}

// CountryCounts counts the events f selects by country (ISO 3166-1
// alpha-3): from the monthly aggregates, exactly, when they can answer f;
// otherwise over the most recent max events, as the explorer's map bins
// them, with exact false when there were more.
func (db *DB) CountryCounts(ctx context.Context, f EventFilter, max int) ([]aftermath.CountryCount, bool, error) {
	var out []aftermath.CountryCount
	if aggregatable(f) {
		where, args := aggregateWhere(f)
		err := db.each(ctx, `SELECT a.country_iso3, sum(a.events) FROM monthly_aggregates a JOIN datasets d ON d.id = a.dataset_id
			WHERE `+where+` AND a.country_iso3 <> '' GROUP BY a.country_iso3 HAVING sum(a.events) > 0 ORDER BY a.country_iso3`, args,
			func(r *sql.Rows) error {
				var c aftermath.CountryCount
				err := r.Scan(&c.ISO3, &c.Events)
				out = append(out, c)
				return err
			})
		if err != nil {
			return nil, false, fmt.Errorf("country counts: %w", err)
		}
		return out, true, nil
	}
	where, args, err := db.eventWhere(ctx, f)
	if err != nil {
		return nil, false, err
	}
	byISO := map[string]int{}
	var total int64
	err = db.each(ctx, `SELECT x.country_gw, x.country_iso, count(*) FROM (SELECT e.country_gw, e.country_iso FROM events e
		JOIN datasets d ON d.id = e.dataset_id WHERE `+where+` ORDER BY e.date_start DESC, e.id DESC LIMIT ?) x GROUP BY 1, 2`,
		append(args, max), func(r *sql.Rows) error {
			var gw, iso int
			var n int64
			if err := r.Scan(&gw, &iso, &n); err != nil {
				return err
			}
			total += n
			c, ok := geo.ByGW(gw)
			if !ok {
				c, ok = geo.ByNumeric(iso)
			}
			if !ok {
				return nil // no country to shade
			}
			i, seen := byISO[c.Alpha3]
			if !seen {
				i = len(out)
				byISO[c.Alpha3] = i
				out = append(out, aftermath.CountryCount{ISO3: c.Alpha3})
			}
			out[i].Events += n
			return nil
		})
	if err != nil {
		return nil, false, fmt.Errorf("country counts: %w", err)
	}
	// Exactly max rows may be all there are; saying "at least" is the safe side.
	return out, total < int64(max), nil
}
