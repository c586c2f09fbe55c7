package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"aftermath"
)

// ActorSpan is one dataset actor standing for a partner force on the days
// its dataset name means that force (YYYY-MM-DD, inclusive; "" is open).
type ActorSpan struct {
	ActorID  int64
	From, To string
}

// ActorEventsFilter selects the events in which any of the spans' actors
// took part, on the days each span allows. Harm is attributed through an
// actor's own events only, so there is no area here.
type ActorEventsFilter struct {
	Viewer        aftermath.Viewer
	Dataset       string
	Spans         []ActorSpan
	ViolenceTypes []string // empty for all
	ClearOnly     bool     // UCDP code_status "Clear" only (ACLED events all count)
	PreciseOnly   bool     // precise places and dates only (see eventQuality)
}

// ActorEventDay sums the selected events of one day that share a country,
// violence type, civilian-targeting mark and the sides the actors were on.
// An event is counted once however many of the spans' actors it names.
type ActorEventDay struct {
	Date              string // YYYY-MM-DD of date_start
	CountryGW         int
	CountryISO        int
	ViolenceType      string
	CivilianTargeting bool
	OnA               bool // UCDP side A, ACLED actor 1 or its associate
	OnB               bool // UCDP side B, ACLED actor 2 or its associate
	Events            int64
	DeathsLow         int64
	DeathsBest        int64
	DeathsHigh        int64
	DeathsCivilians   int64
	DeathsA           int64
	DeathsB           int64
}

// eventQuality is the SQL condition on events e (of dataset d) for the
// "Clear events only" and "precise locations only" re-runs, matching the
// aggregates' clear and precise dimensions.
func eventQuality(clearOnly, preciseOnly bool) string {
	var w []string
	if clearOnly {
		w = append(w, "(d.name <> 'ucdp' OR e.code_status = 'Clear')")
	}
	if preciseOnly {
		w = append(w, "((d.name = 'ucdp' AND e.where_precision BETWEEN 1 AND 2 AND e.date_precision BETWEEN 1 AND 2) OR "+
			"(d.name <> 'ucdp' AND e.where_precision = 1 AND e.date_precision BETWEEN 1 AND 2))")
	}
	return strings.Join(w, " AND ")
}

// ActorEventDays sums, by day, the events the spans' actors took part in.
func (db *DB) ActorEventDays(ctx context.Context, f ActorEventsFilter) ([]ActorEventDay, error) {
	if len(f.Spans) == 0 {
		return nil, nil
	}
	w := []string{"d.name = ?", visible(f.Viewer, "d", "dataset")}
	args := []any{f.Dataset}
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
	if len(f.ViolenceTypes) > 0 {
		w = append(w, "e.violence_type IN ("+placeholders(len(f.ViolenceTypes))+")")
		for _, v := range f.ViolenceTypes {
			args = append(args, v)
		}
	}
	if q := eventQuality(f.ClearOnly, f.PreciseOnly); q != "" {
		w = append(w, q)
	}
	const cols = `e.date_start, e.country_gw, e.country_iso, e.violence_type, e.civilian_targeting,
		e.deaths_low, e.deaths_best, e.deaths_high, e.deaths_civilians, e.deaths_a, e.deaths_b`
	q := `SELECT x.date_start, x.country_gw, x.country_iso, x.violence_type, x.civilian_targeting, x.on_a, x.on_b,
		count(*), sum(x.deaths_low), sum(x.deaths_best), sum(x.deaths_high), sum(x.deaths_civilians), sum(x.deaths_a), sum(x.deaths_b)
	FROM (SELECT e.id, ` + cols + `,
			max(CASE WHEN ea.role IN ('side_a', 'actor1', 'assoc_actor_1') THEN 1 ELSE 0 END) AS on_a,
			max(CASE WHEN ea.role IN ('side_b', 'actor2', 'assoc_actor_2') THEN 1 ELSE 0 END) AS on_b
		FROM event_actors ea JOIN events e ON e.id = ea.event_id JOIN datasets d ON d.id = e.dataset_id
		WHERE ` + strings.Join(w, " AND ") + `
		GROUP BY e.id, ` + cols + `) x
	GROUP BY x.date_start, x.country_gw, x.country_iso, x.violence_type, x.civilian_targeting, x.on_a, x.on_b
	ORDER BY x.date_start`
	var out []ActorEventDay
	err := db.each(ctx, q, args, func(r *sql.Rows) error {
		var d ActorEventDay
		var onA, onB int
		err := r.Scan(&d.Date, &d.CountryGW, &d.CountryISO, &d.ViolenceType, &d.CivilianTargeting, &onA, &onB,
			&d.Events, &d.DeathsLow, &d.DeathsBest, &d.DeathsHigh, &d.DeathsCivilians, &d.DeathsA, &d.DeathsB)
		d.OnA, d.OnB = onA == 1, onB == 1
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("actor events: %w", err)
	}
	return out, nil
}
