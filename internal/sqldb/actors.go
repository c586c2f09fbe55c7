package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/geo"
)

// Actors that connect: merges of duplicates, an actor's profile, and the
// actors every intervention backer is.

// actorPairTables hold one row per record and actor: a merge moves a row
// to the surviving actor unless that actor is there already (same record,
// and for events the same role), then drops what is left.
var actorPairTables = []struct{ table, key string }{
	{"event_actors", "event_id, role"},
	{"decision_actors", "decision_id"},
	{"inquiry_subjects", "inquiry_id"},
	{"testimony_actors", "testimony_id"},
}

// actorRefColumns name one actor per row.
var actorRefColumns = []struct{ table, column string }{
	{"decisions", "maker_id"},
	{"inquiries", "body_id"},
	{"recommendations", "addressee_id"},
	{"claims", "author_id"},
}

// MergeActors merges the actors ids into actor into. Their rows stay,
// marked merged, so their addresses lead to into (ActorMergedInto).
func (db *DB) MergeActors(ctx context.Context, v aftermath.Viewer, into int64, ids []int64) error {
	if len(ids) == 0 {
		return aftermath.Errorf(aftermath.EINVALID, "merge: name the actors to merge into actor %d", into)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := db.writerOf(ctx, tx, v, aftermath.RoleAdmin, aftermath.RoleEditor)
		if err != nil {
			return err
		}
		if !w.system && len(w.orgs) == 0 {
			return aftermath.Errorf(aftermath.EFORBIDDEN, "merge: only an admin or an editor may merge actors")
		}
		target, err := db.liveActor(ctx, tx, v, into)
		if err != nil {
			return err
		}
		var done []string
		for i, id := range ids {
			if id == into || slices.Contains(ids[:i], id) {
				return aftermath.Errorf(aftermath.EINVALID, "merge: actor %d is named twice", id)
			}
			m, err := db.mergeActor(ctx, tx, v, into, id)
			if err != nil {
				return err
			}
			done = append(done, fmt.Sprintf("%d (%s)", id, m.Name))
		}
		if err := db.recountActor(ctx, tx, into); err != nil {
			return err
		}
		// into's own row may not change, but it is now found by the
		// spellings it took over.
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO search_stale (kind, record_id) VALUES ('actor', ?) ON CONFLICT DO NOTHING`), into); err != nil {
			return err
		}
		if err := bumpAudienceGeneration(ctx, tx); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditUpdate, RecordType: "actor", RecordID: into,
			Detail: fmt.Sprintf("merged actors %s into %d (%s)", strings.Join(done, ", "), into, target.Name)})
	})
	if err == nil {
		// The harm sums are kept by actor id until an import; the merged
		// actors' events now count for into.
		db.harm.mu.Lock()
		db.harm.gen = ""
		db.harm.mu.Unlock()
	}
	return err
}

// liveActor reads an actor v may see that was not merged away.
func (db *DB) liveActor(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, id int64) (*aftermath.Actor, error) {
	a := &aftermath.Actor{ID: id}
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT a.name, a.kind FROM actors a WHERE a.id = ? AND `+actorVisible(v, "a")), id).Scan(&a.Name, &a.Kind)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "merge: no actor %d", id)
	}
	return a, err
}

// mergeActor moves everything of actor id to into and records the merge.
func (db *DB) mergeActor(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, into, id int64) (*aftermath.ActorMerge, error) {
	a, err := db.liveActor(ctx, tx, v, id)
	if err != nil {
		return nil, err
	}
	m := &aftermath.ActorMerge{IntoID: into, MergedID: id, Name: a.Name, Kind: a.Kind, UserID: v.UserID, At: db.Now().UTC()}
	var public int
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM actors a WHERE a.id = ? AND `+actorVisible(aftermath.Anonymous, "a")), id).Scan(&public); err != nil {
		return nil, fmt.Errorf("merge actor %d: %w", id, err)
	}
	// Every spelling moves, those of datasets v may not see too: an actor
	// is one actor for everybody.
	err = eachRow(ctx, tx, db.rebind(`SELECT dataset, name FROM actor_aliases WHERE actor_id = ? ORDER BY dataset, name`), []any{id}, func(r *sql.Rows) error {
		var al aftermath.ActorAlias
		err := r.Scan(&al.Dataset, &al.Name)
		m.Aliases = append(m.Aliases, al)
		return err
	})
	if err == nil {
		err = eachRow(ctx, tx, db.rebind(`SELECT scheme, value FROM actor_external_ids WHERE actor_id = ? ORDER BY scheme, value`), []any{id}, func(r *sql.Rows) error {
			var x aftermath.ExternalID
			err := r.Scan(&x.Scheme, &x.Value)
			m.ExternalIDs = append(m.ExternalIDs, x)
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("merge actor %d: %w", id, err)
	}
	type stmt struct {
		q    string
		args []any
	}
	var stmts []stmt
	for _, q := range []string{
		`UPDATE actor_aliases SET actor_id = ? WHERE actor_id = ?`,
		`UPDATE actor_external_ids SET actor_id = ? WHERE actor_id = ?`,
		`UPDATE citations SET record_id = ? WHERE record_type = 'actor' AND record_id = ?`,
		// Earlier merges into id now lead to into, in one step.
		`UPDATE actors SET merged_into = ? WHERE merged_into = ?`,
		`UPDATE actor_merges SET into_id = ? WHERE into_id = ?`,
	} {
		stmts = append(stmts, stmt{q, []any{into, id}})
	}
	for _, c := range actorRefColumns {
		stmts = append(stmts, stmt{`UPDATE ` + c.table + ` SET ` + c.column + ` = ? WHERE ` + c.column + ` = ?`, []any{into, id}})
	}
	for _, p := range actorPairTables {
		var same []string
		for _, k := range strings.Split(p.key, ", ") {
			same = append(same, "x."+k+" = "+p.table+"."+k)
		}
		stmts = append(stmts,
			stmt{`UPDATE ` + p.table + ` SET actor_id = ? WHERE actor_id = ? AND NOT EXISTS (SELECT 1 FROM ` + p.table + ` x
				WHERE ` + strings.Join(same, " AND ") + ` AND x.actor_id = ?)`, []any{into, id, into}},
			stmt{`DELETE FROM ` + p.table + ` WHERE actor_id = ?`, []any{id}})
	}
	// A relation between the two would make into its own parent: it goes.
	stmts = append(stmts,
		stmt{`UPDATE actor_relations SET actor_id = ? WHERE actor_id = ? AND parent_id <> ?`, []any{into, id, into}},
		stmt{`UPDATE actor_relations SET parent_id = ? WHERE parent_id = ? AND actor_id <> ?`, []any{into, id, into}},
		stmt{`DELETE FROM actor_relations WHERE actor_id = ? OR parent_id = ?`, []any{id, id}},
		// recountActor counts into's events afresh, id's among them.
		stmt{`DELETE FROM actor_monthly_aggregates WHERE actor_id = ?`, []any{id}},
		stmt{`UPDATE actors SET merged_into = ? WHERE id = ?`, []any{into, id}})
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, db.rebind(st.q), st.args...); err != nil {
			return nil, fmt.Errorf("merge actor %d into %d: %w", id, into, err)
		}
	}
	aliases, _ := json.Marshal(orEmpty(m.Aliases))
	xids, _ := json.Marshal(orEmpty(m.ExternalIDs))
	_, err = tx.ExecContext(ctx, db.rebind(`INSERT INTO actor_merges (into_id, merged_id, name, kind, aliases, external_ids, public, user_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), into, id, m.Name, m.Kind, string(aliases), string(xids), public > 0, nullID(m.UserID), m.At.Format(time.RFC3339))
	if err != nil {
		return nil, fmt.Errorf("merge actor %d into %d: %w", id, into, err)
	}
	return m, nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// recountActor rebuilds an actor's monthly aggregates from its events, as
// the importer counts them (DB.IntegrityCheck's recount): after a merge
// an event may name the actor once where it named two.
func (db *DB) recountActor(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM actor_monthly_aggregates WHERE actor_id = ?`), id); err != nil {
		return fmt.Errorf("recount actor %d: %w", id, err)
	}
	_, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO actor_monthly_aggregates (dataset_id, actor_id, country_iso3, admin1, year, month, violence_type,
			clear, precise, events, deaths_best, deaths_low, deaths_high, deaths_civilians)
		SELECT e.dataset_id, l.actor_id, COALESCE(c.iso3, ''), e.admin1, e.year, substr(e.date_start, 1, 7), e.violence_type,
			`+qualityClearSQL+`, `+qualityPreciseSQL+`, count(*), sum(e.deaths_best), sum(e.deaths_low), sum(e.deaths_high), sum(e.deaths_civilians)
		FROM events e JOIN datasets d ON d.id = e.dataset_id JOIN event_actors l ON l.event_id = e.id AND l.role IN ('side_a', 'actor1')
		LEFT JOIN (SELECT dataset_id, country, max(country_iso3) AS iso3 FROM monthly_aggregates GROUP BY dataset_id, country) c
			ON c.dataset_id = e.dataset_id AND c.country = e.country
		WHERE l.actor_id = ?
		GROUP BY e.dataset_id, l.actor_id, COALESCE(c.iso3, ''), e.admin1, e.year, substr(e.date_start, 1, 7), e.violence_type, `+qualityClearSQL+`, `+qualityPreciseSQL),
		id)
	if err != nil {
		return fmt.Errorf("recount actor %d: %w", id, err)
	}
	return nil
}

// ActorMergedInto is where a merged actor went; merges into a merged
// actor are followed when they are made, so one step is enough.
func (db *DB) ActorMergedInto(ctx context.Context, v aftermath.Viewer, id int64) (int64, error) {
	var into sql.NullInt64
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT merged_into FROM actors WHERE id = ?`), id).Scan(&into)
	if err == sql.ErrNoRows || (err == nil && !into.Valid) {
		return 0, aftermath.Errorf(aftermath.ENOTFOUND, "actor %d was not merged", id)
	}
	if err != nil {
		return 0, fmt.Errorf("actor %d: %w", id, err)
	}
	if _, err := db.Actor(ctx, v, into.Int64); err != nil {
		return 0, err
	}
	return into.Int64, nil
}

// ActorProfile reads an actor's totals by dataset, its opponents, the
// interventions that name it and the actors merged into it.
func (db *DB) ActorProfile(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.ActorProfile, error) {
	a, err := db.Actor(ctx, v, id)
	if err != nil {
		return nil, err
	}
	p := &aftermath.ActorProfile{}
	err = db.each(ctx, `SELECT d.name, count(*), sum(CASE WHEN EXISTS (SELECT 1 FROM event_actors p WHERE p.event_id = e.id AND p.actor_id = ?
			AND p.role IN ('side_a', 'actor1')) THEN 1 ELSE 0 END),
		sum(e.deaths_best), sum(e.deaths_low), sum(e.deaths_high), sum(e.deaths_civilians), min(substr(e.date_start, 1, 7)), max(substr(e.date_start, 1, 7))
		FROM events e JOIN datasets d ON d.id = e.dataset_id
		WHERE e.id IN (SELECT l.event_id FROM event_actors l WHERE l.actor_id = ?) AND `+visible(v, "d", "dataset")+`
		GROUP BY d.name ORDER BY d.name`, []any{id, id}, func(r *sql.Rows) error {
		var t aftermath.ActorTotal
		err := r.Scan(&t.Dataset, &t.Events, &t.Primary, &t.DeathsBest, &t.DeathsLow, &t.DeathsHigh, &t.DeathsCivilians, &t.First, &t.Last)
		p.Totals = append(p.Totals, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("actor %d totals: %w", id, err)
	}
	err = db.each(ctx, `SELECT d.name, e.year, count(*), sum(e.deaths_best), sum(e.deaths_low), sum(e.deaths_high), sum(e.deaths_civilians)
		FROM events e JOIN datasets d ON d.id = e.dataset_id
		WHERE e.id IN (SELECT l.event_id FROM event_actors l WHERE l.actor_id = ?) AND `+visible(v, "d", "dataset")+`
		GROUP BY d.name, e.year ORDER BY d.name, e.year`, []any{id}, func(r *sql.Rows) error {
		var y aftermath.ActorYear
		err := r.Scan(&y.Dataset, &y.Year, &y.Events, &y.DeathsBest, &y.DeathsLow, &y.DeathsHigh, &y.DeathsCivilians)
		p.Years = append(p.Years, y)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("actor %d years: %w", id, err)
	}
	// The other side: UCDP's side B against side A, ACLED's actor 2 and
	// its associates against actor 1 and its associates.
	err = db.each(ctx, `SELECT o.actor_id, oa.name, oa.kind, d.name, count(DISTINCT e.id) AS n
		FROM event_actors m JOIN event_actors o ON o.event_id = m.event_id AND o.actor_id <> m.actor_id
		JOIN events e ON e.id = m.event_id JOIN datasets d ON d.id = e.dataset_id JOIN actors oa ON oa.id = o.actor_id
		WHERE m.actor_id = ? AND `+visible(v, "d", "dataset")+` AND (
			(m.role = 'side_a' AND o.role = 'side_b') OR (m.role = 'side_b' AND o.role = 'side_a') OR
			(m.role IN ('actor1', 'assoc_actor_1') AND o.role IN ('actor2', 'assoc_actor_2')) OR
			(m.role IN ('actor2', 'assoc_actor_2') AND o.role IN ('actor1', 'assoc_actor_1')))
		GROUP BY o.actor_id, oa.name, oa.kind, d.name ORDER BY n DESC, oa.name LIMIT 30`, []any{id}, func(r *sql.Rows) error {
		var o aftermath.ActorOpponent
		err := r.Scan(&o.ID, &o.Name, &o.Kind, &o.Dataset, &o.Events)
		p.Opponents = append(p.Opponents, o)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("actor %d opponents: %w", id, err)
	}
	if p.Merged, err = db.actorMerges(ctx, v, id); err != nil {
		return nil, err
	}
	// An intervention names the actor by one of its names (its own or a
	// merged actor's, as the scorecard does) or by a spelling linked to it.
	names := []any{strings.ToLower(a.Name)}
	for _, m := range p.Merged {
		names = append(names, strings.ToLower(m.Name))
	}
	err = db.each(ctx, `SELECT DISTINCT i.id, i.slug, i.name, x.role, x.name FROM intervention_actors x JOIN interventions i ON i.id = x.intervention_id
		WHERE `+visible(v, "i", "intervention")+` AND (lower(x.name) IN (`+placeholders(len(names))+`) OR EXISTS (SELECT 1 FROM intervention_actor_aliases ia
			JOIN actor_aliases aa ON aa.dataset = ia.dataset AND aa.name = ia.name WHERE ia.intervention_actor_id = x.id AND aa.actor_id = ?))
		ORDER BY i.name, i.id, x.role, x.name`, append(names, id), func(r *sql.Rows) error {
		var iv aftermath.ActorIntervention
		err := r.Scan(&iv.ID, &iv.Slug, &iv.Name, &iv.Role, &iv.As)
		p.Interventions = append(p.Interventions, iv)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("actor %d interventions: %w", id, err)
	}
	return p, nil
}

// actorMerges lists the actors merged into id, with only the spellings of
// datasets v may see; one that was not public when it was merged is
// shown to the system only, or under a spelling v may see.
func (db *DB) actorMerges(ctx context.Context, v aftermath.Viewer, id int64) ([]aftermath.ActorMerge, error) {
	seen := map[string]bool{}
	err := db.each(ctx, `SELECT d.name FROM datasets d WHERE `+visible(v, "d", "dataset"), nil, func(r *sql.Rows) error {
		var n string
		err := r.Scan(&n)
		seen[n] = true
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []aftermath.ActorMerge
	err = db.each(ctx, `SELECT into_id, merged_id, name, kind, aliases, external_ids, public, COALESCE(user_id, 0), at FROM actor_merges WHERE into_id = ? ORDER BY id`,
		[]any{id}, func(r *sql.Rows) error {
			var m aftermath.ActorMerge
			var aliases, xids, at string
			var public bool
			if err := r.Scan(&m.IntoID, &m.MergedID, &m.Name, &m.Kind, &aliases, &xids, &public, &m.UserID, &at); err != nil {
				return err
			}
			var all []aftermath.ActorAlias
			if err := json.Unmarshal([]byte(aliases), &all); err != nil {
				return fmt.Errorf("merge of actor %d: aliases: %w", m.MergedID, err)
			}
			for _, al := range all {
				if seen[al.Dataset] {
					m.Aliases = append(m.Aliases, al)
				}
			}
			if !public && !v.All {
				if len(m.Aliases) == 0 {
					return nil
				}
				m.Name = m.Aliases[0].Name
			}
			if err := json.Unmarshal([]byte(xids), &m.ExternalIDs); err != nil {
				return fmt.Errorf("merge of actor %d: external ids: %w", m.MergedID, err)
			}
			m.At, _ = time.Parse(time.RFC3339, at)
			out = append(out, m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("actor %d merges: %w", id, err)
	}
	return out, nil
}

// addBackerActors gives every backer an actor, and so a page and a
// scorecard: one no actor is known by yet (by name, any case, or through
// a spelling) is added, a state if its name is a country's.
func (db *DB) addBackerActors(ctx context.Context, tx *sql.Tx, backers []aftermath.InterventionActor) error {
	for _, b := range backers {
		var n int
		names := []any{b.Name}
		cond := `lower(a.name) = lower(?)`
		for _, al := range b.Aliases {
			cond += ` OR EXISTS (SELECT 1 FROM actor_aliases aa WHERE aa.actor_id = a.id AND aa.dataset = ? AND aa.name = ?)`
			names = append(names, al.Dataset, al.Name)
		}
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM actors a WHERE a.merged_into IS NULL AND (`+cond+`)`), names...).Scan(&n); err != nil {
			return fmt.Errorf("backer %q: %w", b.Name, err)
		}
		if n > 0 {
			continue
		}
		kind := aftermath.KindOrganisation
		if _, ok := geo.Find(b.Name); ok {
			kind = aftermath.KindState
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO actors (name, kind) VALUES (?, ?)`), b.Name, kind); err != nil {
			return fmt.Errorf("backer %q: %w", b.Name, err)
		}
	}
	return nil
}

// eachWithoutJIT is db.each with PostgreSQL's JIT off: the actors'
// visibility subplans are priced high enough, before statistics exist
// (just after an import), to compile the query for longer than it runs
// (the public list of a year of GED: 0.5 s, of which 3 ms ran).
func (db *DB) eachWithoutJIT(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	if db.Driver != Postgres {
		return db.each(ctx, q, args, fn)
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL jit = off`); err != nil {
		return err
	}
	return eachRow(ctx, tx, db.rebind(q), args, fn)
}
