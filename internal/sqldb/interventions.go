package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftermath"
)

// CreateIntervention stores a new intervention with its actors, area,
// phases and citations, and sets its id. ECONFLICT if the slug is taken.
func (db *DB) CreateIntervention(ctx context.Context, iv *aftermath.Intervention) error {
	if err := iv.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM interventions WHERE slug = ?`), iv.Slug).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return aftermath.Errorf(aftermath.ECONFLICT, "an intervention %q exists already", iv.Slug)
		}
		now := db.Now().Format(time.RFC3339)
		cols, args := interventionRow(iv)
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO interventions (slug, `+cols+`, created_at, updated_at)
			VALUES (?, `+placeholders(len(args))+`, ?, ?) RETURNING id`), append(append([]any{iv.Slug}, args...), now, now)...).Scan(&iv.ID)
		if err != nil {
			return fmt.Errorf("create intervention %s: %w", iv.Slug, err)
		}
		if err := db.placeIntervention(ctx, tx, iv); err != nil {
			return err
		}
		return db.writeInterventionParts(ctx, tx, iv)
	})
}

// placeIntervention stores who may see an intervention; a new record
// without an audience is internal.
func (db *DB) placeIntervention(ctx context.Context, tx *sql.Tx, iv *aftermath.Intervention) error {
	if iv.Audience == "" {
		iv.Audience = aftermath.AudienceInternal
	}
	p := Placement{Audience: iv.Audience}
	if iv.Owner != "" {
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM organisations WHERE slug = ?`), iv.Owner).Scan(&p.OwnerOrg); err == sql.ErrNoRows {
			return aftermath.Errorf(aftermath.EINVALID, "intervention %s: no organisation %q", iv.Slug, iv.Owner)
		} else if err != nil {
			return err
		}
	}
	if iv.Audience == aftermath.AudienceConfidential { // keep the people already named
		if err := eachRow(ctx, tx, db.rebind(`SELECT user_id FROM record_readers WHERE record_type = 'intervention' AND record_id = ?`), []any{iv.ID},
			func(r *sql.Rows) error {
				var u int64
				err := r.Scan(&u)
				p.Readers = append(p.Readers, u)
				return err
			}); err != nil {
			return err
		}
	}
	return db.setAudience(ctx, tx, "intervention", iv.ID, p)
}

// UpdateIntervention replaces every field of a stored intervention
// (found by iv.ID) with iv's. ENOTFOUND if there is none.
func (db *DB) UpdateIntervention(ctx context.Context, iv *aftermath.Intervention) error {
	if err := iv.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var other int64
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM interventions WHERE slug = ?`), iv.Slug).Scan(&other)
		if err == nil && other != iv.ID {
			return aftermath.Errorf(aftermath.ECONFLICT, "another intervention is called %q", iv.Slug)
		}
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		cols, args := interventionRow(iv)
		set := strings.ReplaceAll(cols, ",", " = ?,") + " = ?"
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE interventions SET slug = ?, `+set+`, updated_at = ? WHERE id = ?`),
			append(append([]any{iv.Slug}, args...), db.Now().Format(time.RFC3339), iv.ID)...)
		if err != nil {
			return fmt.Errorf("update intervention %d: %w", iv.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return aftermath.Errorf(aftermath.ENOTFOUND, "no intervention %d", iv.ID)
		}
		for _, t := range []string{"intervention_actors", "intervention_areas", "intervention_phases"} {
			if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM `+t+` WHERE intervention_id = ?`), iv.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM citations WHERE record_type = 'intervention' AND record_id = ?`), iv.ID); err != nil {
			return err
		}
		if err := db.placeIntervention(ctx, tx, iv); err != nil {
			return err
		}
		return db.writeInterventionParts(ctx, tx, iv)
	})
}

// DeleteIntervention removes an intervention and its citations.
func (db *DB) DeleteIntervention(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM citations WHERE record_type = 'intervention' AND record_id = ?`), id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM interventions WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("delete intervention %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return aftermath.Errorf(aftermath.ENOTFOUND, "no intervention %d", id)
		}
		return nil
	})
}

func interventionRow(iv *aftermath.Intervention) (string, []any) {
	inst, _ := json.Marshal(nonNil(iv.Instruments))
	obj, _ := json.Marshal(nonNil(iv.Objectives))
	var amount any
	var currency, note string
	var year int
	if b := iv.Budget; b != nil {
		amount, currency, year, note = b.Amount, b.Currency, b.Year, b.Note
	}
	return "name, instruments, objectives, budget_amount, budget_currency, budget_year, budget_note, notes",
		[]any{iv.Name, string(inst), string(obj), amount, currency, year, note, iv.Notes}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (db *DB) writeInterventionParts(ctx context.Context, tx *sql.Tx, iv *aftermath.Intervention) error {
	for role, list := range map[string][]aftermath.InterventionActor{"backer": iv.Backers, "partner": iv.PartnerForces} {
		for i, a := range list {
			var id int64
			err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO intervention_actors (intervention_id, role, position, name, start_date, end_date)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), iv.ID, role, i, a.Name, a.From, a.To).Scan(&id)
			if err != nil {
				return fmt.Errorf("intervention %s: %s %q: %w", iv.Slug, role, a.Name, err)
			}
			for _, al := range a.Aliases {
				// Validate refuses a name listed twice, so nothing is dropped.
				if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO intervention_actor_aliases (intervention_actor_id, dataset, name, from_date, to_date)
					VALUES (?, ?, ?, ?, ?)`), id, al.Dataset, al.Name, al.From, al.To); err != nil {
					return fmt.Errorf("intervention %s: %s %q: alias %s %q: %w", iv.Slug, role, a.Name, al.Dataset, al.Name, err)
				}
			}
		}
	}
	for i, ar := range iv.Area {
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO intervention_areas (intervention_id, position, country, admin1) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`), iv.ID, i, ar.Country, ar.Admin1); err != nil {
			return err
		}
	}
	for i, p := range iv.Phases {
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO intervention_phases (intervention_id, position, name, start_date, end_date) VALUES (?, ?, ?, ?, ?)`),
			iv.ID, i, p.Name, p.Start, p.End); err != nil {
			return err
		}
	}
	for i := range iv.Citations {
		c := &iv.Citations[i]
		c.RecordType, c.RecordID = "intervention", iv.ID
		if err := c.Validate(); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM sources WHERE id = ?`), c.SourceID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return aftermath.Errorf(aftermath.EINVALID, "intervention %s: citation of %s: no source %d", iv.Slug, c.Field, c.SourceID)
		}
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO citations (record_type, record_id, field, source_id, page, quote, confidence)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), c.RecordType, c.RecordID, c.Field, c.SourceID, c.Page, c.Quote, c.Confidence).Scan(&c.ID)
		if err != nil {
			return err
		}
	}
	return nil
}

// FindIntervention returns an intervention the viewer may see by id, or
// else by slug, or else by name (any case). ENOTFOUND if there is none,
// the same whether it does not exist or is hidden from the viewer.
func (db *DB) FindIntervention(ctx context.Context, v aftermath.Viewer, ref string) (*aftermath.Intervention, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return db.Intervention(ctx, v, id)
	}
	var id, rank int64
	vis := visible(v, "i", "intervention")
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT id, 0 AS r FROM interventions i WHERE slug = ? AND `+vis+`
		UNION ALL SELECT id, 1 AS r FROM interventions i WHERE lower(name) = lower(?) AND `+vis+` ORDER BY r, id LIMIT 1`), ref, ref).Scan(&id, &rank)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no intervention %q", ref)
	}
	if err != nil {
		return nil, err
	}
	return db.Intervention(ctx, v, id)
}

// Intervention returns one intervention the viewer may see with
// everything attached, its backers' and partners' links to dataset actors
// included, and only the citations of sources the viewer may see.
func (db *DB) Intervention(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Intervention, error) {
	iv := &aftermath.Intervention{ID: id}
	var inst, obj string
	var amount sql.NullFloat64
	var currency, note string
	var year int
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT i.slug, i.name, i.instruments, i.objectives, i.budget_amount, i.budget_currency,
		i.budget_year, i.budget_note, i.notes, i.audience, COALESCE(o.slug, '')
		FROM interventions i LEFT JOIN organisations o ON o.id = i.owner_org_id WHERE i.id = ? AND `+visible(v, "i", "intervention")), id).
		Scan(&iv.Slug, &iv.Name, &inst, &obj, &amount, &currency, &year, &note, &iv.Notes, &iv.Audience, &iv.Owner)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no intervention %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("intervention %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(inst), &iv.Instruments); err != nil {
		return nil, fmt.Errorf("intervention %d instruments: %w", id, err)
	}
	if err := json.Unmarshal([]byte(obj), &iv.Objectives); err != nil {
		return nil, fmt.Errorf("intervention %d objectives: %w", id, err)
	}
	if amount.Valid {
		iv.Budget = &aftermath.Budget{Amount: amount.Float64, Currency: currency, Year: year, Note: note}
	}
	actorRows := map[int64]*aftermath.InterventionActor{}
	type ref struct {
		id   int64
		role string
	}
	var order []ref
	var actors []aftermath.InterventionActor
	err = db.each(ctx, `SELECT id, role, name, start_date, end_date FROM intervention_actors WHERE intervention_id = ? ORDER BY role, position`, []any{id}, func(r *sql.Rows) error {
		var a aftermath.InterventionActor
		var x ref
		err := r.Scan(&x.id, &x.role, &a.Name, &a.From, &a.To)
		actors = append(actors, a)
		order = append(order, x)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range actors {
		actorRows[order[i].id] = &actors[i]
	}
	// One row per alias and linked dataset actor (an alias no actor is
	// known by yet gives one row with actor 0). Links carry the alias's
	// dates, so a reader attributes an actor's events to the partner only
	// on the days the name means the partner.
	type aliasKey struct {
		xid           int64
		dataset, name string
	}
	seenAlias := map[aliasKey]bool{}
	err = db.each(ctx, `SELECT ia.intervention_actor_id, ia.dataset, ia.name, ia.from_date, ia.to_date, COALESCE(aa.actor_id, 0) FROM intervention_actor_aliases ia
		JOIN intervention_actors x ON x.id = ia.intervention_actor_id
		LEFT JOIN actor_aliases aa ON aa.dataset = ia.dataset AND aa.name = ia.name
		WHERE x.intervention_id = ? ORDER BY ia.dataset, ia.name, aa.actor_id`, []any{id}, func(r *sql.Rows) error {
		var xid, actorID int64
		var al aftermath.DatedAlias
		if err := r.Scan(&xid, &al.Dataset, &al.Name, &al.From, &al.To, &actorID); err != nil {
			return err
		}
		a := actorRows[xid]
		if k := (aliasKey{xid, al.Dataset, al.Name}); !seenAlias[k] {
			seenAlias[k] = true
			a.Aliases = append(a.Aliases, al)
		}
		if actorID != 0 {
			if !slices.Contains(a.ActorIDs, actorID) {
				a.ActorIDs = append(a.ActorIDs, actorID)
			}
			a.Links = append(a.Links, aftermath.ActorLink{ActorID: actorID, Dataset: al.Dataset, Name: al.Name, From: al.From, To: al.To})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, x := range order {
		if x.role == "backer" {
			iv.Backers = append(iv.Backers, actors[i])
		} else {
			iv.PartnerForces = append(iv.PartnerForces, actors[i])
		}
	}
	err = db.each(ctx, `SELECT country, admin1 FROM intervention_areas WHERE intervention_id = ? ORDER BY position`, []any{id}, func(r *sql.Rows) error {
		var a aftermath.AreaRef
		err := r.Scan(&a.Country, &a.Admin1)
		iv.Area = append(iv.Area, a)
		return err
	})
	if err == nil {
		err = db.each(ctx, `SELECT name, start_date, end_date FROM intervention_phases WHERE intervention_id = ? ORDER BY position`, []any{id}, func(r *sql.Rows) error {
			var p aftermath.Phase
			err := r.Scan(&p.Name, &p.Start, &p.End)
			iv.Phases = append(iv.Phases, p)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	if iv.Citations, err = db.Citations(ctx, v, "intervention", id); err != nil {
		return nil, err
	}
	return iv, nil
}

// Interventions lists the interventions the viewer may see, by name.
func (db *DB) Interventions(ctx context.Context, v aftermath.Viewer) ([]aftermath.Intervention, error) {
	var ids []int64
	err := db.each(ctx, `SELECT id FROM interventions i WHERE `+visible(v, "i", "intervention")+` ORDER BY name, id`, nil, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list interventions: %w", err)
	}
	out := make([]aftermath.Intervention, 0, len(ids))
	for _, id := range ids {
		iv, err := db.Intervention(ctx, v, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *iv)
	}
	return out, nil
}

// Source returns a source the viewer may see by id, or ENOTFOUND.
func (db *DB) Source(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Source, error) {
	return db.source(ctx, v, `s.id = ?`, id)
}

// SourceByIdentifier returns the source with a document identifier, or
// ENOTFOUND.
func (db *DB) SourceByIdentifier(ctx context.Context, v aftermath.Viewer, identifier string) (*aftermath.Source, error) {
	return db.source(ctx, v, `s.identifier = ?`, identifier)
}

func (db *DB) source(ctx context.Context, v aftermath.Viewer, where string, arg any) (*aftermath.Source, error) {
	s := &aftermath.Source{}
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT s.id, s.identifier, s.title, s.publisher, s.date, s.url, s.archive_sha256, s.reliability,
		s.language, s.audience FROM sources s WHERE `+where+` AND `+visible(v, "s", "source")), arg).
		Scan(&s.ID, &s.Identifier, &s.Title, &s.Publisher, &s.Date, &s.URL, &s.ArchiveSHA256, &s.Reliability, &s.Language, &s.Audience)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no source %v", arg)
	}
	return s, err
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
