package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"aftermath"
)

type AreaFilter = aftermath.AreaFilter

type MonthTotal = aftermath.MonthTotal

// areaWhere is the SQL condition of an area filter on aggregates a of
// datasets d.
func areaWhere(f AreaFilter) (string, []any, error) {
	if f.Dataset == "" {
		return "", nil, aftermath.Errorf(aftermath.EINVALID, "say which dataset")
	}
	if len(f.Area) == 0 {
		return "", nil, aftermath.Errorf(aftermath.EINVALID, "an area needs at least one country")
	}
	w := []string{"d.name = ?", visible(f.Viewer, "d", "dataset")}
	args := []any{slugKey(f.Dataset)}
	var area []string
	for _, a := range f.Area {
		if a.Admin1 == "" {
			area = append(area, "a.country_iso3 = ?")
			args = append(args, a.Country)
		} else {
			area = append(area, "(a.country_iso3 = ? AND a.admin1 = ?)")
			args = append(args, a.Country, a.Admin1)
		}
	}
	w = append(w, "("+strings.Join(area, " OR ")+")")
	if f.From != "" {
		w = append(w, "a.month >= ?")
		args = append(args, f.From)
	}
	if f.To != "" {
		w = append(w, "a.month <= ?")
		args = append(args, f.To)
	}
	if len(f.ViolenceTypes) > 0 {
		w = append(w, "a.violence_type IN ("+placeholders(len(f.ViolenceTypes))+")")
		for _, v := range f.ViolenceTypes {
			args = append(args, v)
		}
	}
	if f.ClearOnly {
		w = append(w, "a.clear = ?")
		args = append(args, true)
	}
	if f.PreciseOnly {
		w = append(w, "a.precise = ?")
		args = append(args, true)
	}
	return strings.Join(w, " AND "), args, nil
}

// MonthlyTotals sums the monthly aggregates of an area by month. Months
// without events are absent; callers fill the calendar.
func (db *DB) MonthlyTotals(ctx context.Context, f AreaFilter) ([]MonthTotal, error) {
	where, args, err := areaWhere(f)
	if err != nil {
		return nil, err
	}
	var out []MonthTotal
	err = db.eachMayLag(ctx, `SELECT a.month, sum(a.events), sum(a.deaths_best), sum(a.deaths_low), sum(a.deaths_high), sum(a.deaths_civilians)
		FROM monthly_aggregates a JOIN datasets d ON d.id = a.dataset_id WHERE `+where+` GROUP BY a.month ORDER BY a.month`, args,
		func(r *sql.Rows) error {
			var m MonthTotal
			err := r.Scan(&m.Month, &m.Events, &m.DeathsBest, &m.DeathsLow, &m.DeathsHigh, &m.DeathsCivilians)
			out = append(out, m)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("monthly totals: %w", err)
	}
	return out, nil
}

// Spread counts, per year, the admin-1 areas of the area that had events.
func (db *DB) Spread(ctx context.Context, f AreaFilter) (map[int]int, error) {
	where, args, err := areaWhere(f)
	if err != nil {
		return nil, err
	}
	out := map[int]int{}
	err = db.eachMayLag(ctx, `SELECT a.year, count(DISTINCT a.country_iso3 || '/' || a.admin1) FROM monthly_aggregates a
		JOIN datasets d ON d.id = a.dataset_id WHERE `+where+` AND a.admin1 <> '' AND a.events > 0 GROUP BY a.year`, args,
		func(r *sql.Rows) error {
			var y, n int
			err := r.Scan(&y, &n)
			out[y] = n
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("spread: %w", err)
	}
	return out, nil
}

type ActorSelect = aftermath.ActorSelect

// spanCondition is the SQL condition that aggregate row a falls in one of
// the spans (months).
func spanCondition(spans []ActorSpan, args []any) (string, []any) {
	var or []string
	for _, s := range spans {
		c := "a.actor_id = ?"
		args = append(args, s.ActorID)
		if s.From != "" {
			c += " AND a.month >= ?"
			args = append(args, s.From)
		}
		if s.To != "" {
			c += " AND a.month <= ?"
			args = append(args, s.To)
		}
		or = append(or, "("+c+")")
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// ActorMonthlyTotals sums by month the events of an area whose primary
// actor (UCDP side A, ACLED actor 1) the select picks.
func (db *DB) ActorMonthlyTotals(ctx context.Context, f AreaFilter, sel ActorSelect) ([]MonthTotal, error) {
	if len(sel.Spans) == 0 && len(sel.Kinds) == 0 {
		return nil, nil
	}
	where, args, err := areaWhere(f)
	if err != nil {
		return nil, err
	}
	var pick string
	if len(sel.Spans) > 0 {
		pick, args = spanCondition(sel.Spans, args)
	} else {
		pick = "a.actor_id IN (SELECT id FROM actors WHERE kind IN (" + placeholders(len(sel.Kinds)) + "))"
		for _, k := range sel.Kinds {
			args = append(args, k)
		}
		if len(sel.ExcludeSpans) > 0 {
			var not string
			not, args = spanCondition(sel.ExcludeSpans, args)
			pick += " AND NOT " + not
		}
	}
	// The area filter speaks of country_iso3 like the country aggregates.
	var out []MonthTotal
	err = db.eachMayLag(ctx, `SELECT a.month, sum(a.events), sum(a.deaths_best), sum(a.deaths_low), sum(a.deaths_high), sum(a.deaths_civilians)
		FROM actor_monthly_aggregates a JOIN datasets d ON d.id = a.dataset_id WHERE `+where+` AND `+pick+`
		GROUP BY a.month ORDER BY a.month`, args, func(r *sql.Rows) error {
		var m MonthTotal
		err := r.Scan(&m.Month, &m.Events, &m.DeathsBest, &m.DeathsLow, &m.DeathsHigh, &m.DeathsCivilians)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("actor monthly totals: %w", err)
	}
	return out, nil
}

// CountryMonthlyTotals sums the monthly totals per country (alpha-3)
// for a period, for choosing and filling comparison units.
func (db *DB) CountryMonthlyTotals(ctx context.Context, v aftermath.Viewer, dataset, from, to string, violenceTypes []string, clearOnly, preciseOnly bool) (map[string][]MonthTotal, error) {
	q := `SELECT a.country_iso3, a.month, sum(a.events), sum(a.deaths_best), sum(a.deaths_low), sum(a.deaths_high), sum(a.deaths_civilians)
		FROM monthly_aggregates a JOIN datasets d ON d.id = a.dataset_id
		WHERE d.name = ? AND a.month >= ? AND a.month <= ? AND a.country_iso3 <> '' AND ` + visible(v, "d", "dataset")
	args := []any{slugKey(dataset), from, to}
	if len(violenceTypes) > 0 {
		q += ` AND a.violence_type IN (` + placeholders(len(violenceTypes)) + `)`
		for _, v := range violenceTypes {
			args = append(args, v)
		}
	}
	if clearOnly {
		q += ` AND a.clear = ?`
		args = append(args, true)
	}
	if preciseOnly {
		q += ` AND a.precise = ?`
		args = append(args, true)
	}
	out := map[string][]MonthTotal{}
	err := db.eachMayLag(ctx, q+` GROUP BY a.country_iso3, a.month ORDER BY a.country_iso3, a.month`, args, func(r *sql.Rows) error {
		var c string
		var m MonthTotal
		err := r.Scan(&c, &m.Month, &m.Events, &m.DeathsBest, &m.DeathsLow, &m.DeathsHigh, &m.DeathsCivilians)
		out[c] = append(out[c], m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("country totals: %w", err)
	}
	return out, nil
}
