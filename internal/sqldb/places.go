package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"aftermath"
)

type PlaceTotal = aftermath.PlaceTotal

// PlaceTotals sums, from the monthly aggregates of the datasets the viewer
// may see, the events of every country (iso3 "") or of every admin-1 area
// of one country (ISO 3166-1 alpha-3). Rows come by dataset, then most
// events first.
func (db *DB) PlaceTotals(ctx context.Context, v aftermath.Viewer, iso3 string) ([]PlaceTotal, error) {
	group, where := "a.country_iso3, a.country", "a.country_iso3 <> ''"
	var args []any
	if iso3 != "" {
		group, where = "a.country_iso3, a.country, a.admin1", "a.country_iso3 = ?"
		args = append(args, iso3)
	}
	q := `SELECT d.name, ` + group + `, sum(a.events), sum(a.deaths_best), sum(a.deaths_civilians), min(a.month), max(a.month)
		FROM monthly_aggregates a JOIN datasets d ON d.id = a.dataset_id
		WHERE ` + where + ` AND a.events > 0 AND ` + visible(v, "d", "dataset") + `
		GROUP BY d.name, ` + group + ` ORDER BY d.name, sum(a.events) DESC, ` + group
	var out []PlaceTotal
	err := db.eachMayLag(ctx, q, args, func(r *sql.Rows) error {
		var p PlaceTotal
		dest := []any{&p.Dataset, &p.ISO3, &p.Country}
		if iso3 != "" {
			dest = append(dest, &p.Admin1)
		}
		err := r.Scan(append(dest, &p.Events, &p.DeathsBest, &p.DeathsCivilians, &p.First, &p.Last)...)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("place totals: %w", err)
	}
	return out, nil
}

type EventPoint = aftermath.EventPoint

// EventPoints bins into cells of 0.1° the most recent events, up to max,
// that the filter selects and that have coordinates, and says how many it
// binned. Reading at most max rows keeps a map of millions of events about
// as fast as one page of them.
func (db *DB) EventPoints(ctx context.Context, f EventFilter, max int) (pts []EventPoint, binned int64, err error) {
	where, args, err := db.eventWhere(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	q := `SELECT round(x.latitude * 10), round(x.longitude * 10), x.country_gw, x.country_iso, count(*), sum(x.deaths_best) FROM (
		SELECT e.latitude, e.longitude, e.country_gw, e.country_iso, e.deaths_best FROM events e JOIN datasets d ON d.id = e.dataset_id
		WHERE ` + where + ` AND e.latitude IS NOT NULL AND e.longitude IS NOT NULL
		ORDER BY e.date_start DESC, e.id DESC LIMIT ?) x GROUP BY 1, 2, 3, 4`
	err = db.eachMayLag(ctx, q, append(args, max), func(r *sql.Rows) error {
		var p EventPoint
		if err := r.Scan(&p.Lat, &p.Lon, &p.CountryGW, &p.CountryISO, &p.Events, &p.DeathsBest); err != nil {
			return err
		}
		p.Lat, p.Lon = p.Lat/10, p.Lon/10
		binned += p.Events
		pts = append(pts, p)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("event points: %w", err)
	}
	return pts, binned, nil
}
