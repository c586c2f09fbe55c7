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

// Who may change an intervention, decided here for the API, the command
// line and every other writer:
//
//   - the system (aftermath.System: the command line, the seed) changes
//     any record;
//   - a user changes only records they may see (else ENOTFOUND, as for a
//     missing record) and, of those, only records owned by an
//     organisation in which they are an admin or editor (else EFORBIDDEN:
//     partners and other organisations read, they do not write);
//   - a record without an owner (the seeded catalog) is changed only by
//     the system and by admins; editors may not (EFORBIDDEN);
//   - a user's new record belongs to their organisation (the one in which
//     they are an admin or editor; "owner" chooses when there are several),
//     and a user may give a record only to such an organisation.
//
// Every create, change and delete appends an entry to the audit log in
// its own transaction.

// interventionWriterOf reads v's roles: the organisations in which v may
// write interventions (admin or editor).
func (db *DB) interventionWriterOf(ctx context.Context, tx *sql.Tx, v aftermath.Viewer) (writer, error) {
	return db.writerOf(ctx, tx, v, aftermath.RoleAdmin, aftermath.RoleEditor)
}

// mayChangeIntervention returns the stored owner (0: none) of intervention
// id if w, reading as v, may change it: ENOTFOUND if it does not exist or
// v may not see it, EFORBIDDEN if v may see it but not change it.
func (db *DB) mayChangeIntervention(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, w writer, id int64) (int64, error) {
	var owner sql.NullInt64
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT owner_org_id FROM interventions i WHERE i.id = ? AND `+visible(v, "i", "intervention")), id).Scan(&owner)
	if err == sql.ErrNoRows {
		return 0, aftermath.Errorf(aftermath.ENOTFOUND, "no intervention %d", id)
	}
	if err != nil {
		return 0, fmt.Errorf("intervention %d: %w", id, err)
	}
	switch {
	case w.system:
	case !owner.Valid && !w.admin:
		return 0, aftermath.Errorf(aftermath.EFORBIDDEN, "intervention %d belongs to no organisation: only an admin may change it", id)
	case owner.Valid && !w.writes(owner.Int64):
		return 0, aftermath.Errorf(aftermath.EFORBIDDEN, "intervention %d belongs to another organisation: you may read it, not change it", id)
	}
	return owner.Int64, nil
}

// interventionOwner sets iv.Owner to the organisation a user's record is
// to belong to: the one iv names, if w writes there, else the stored
// owner (current > 0, or -1 for none) of a record being changed, else
// w's one organisation. The system's records keep the owner they name.
func (db *DB) interventionOwner(ctx context.Context, tx *sql.Tx, w writer, iv *aftermath.Intervention, current int64) error {
	if w.system {
		return nil
	}
	if iv.Owner != "" {
		var org int64
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM organisations WHERE slug = ?`), slugKey(iv.Owner)).Scan(&org)
		if err == sql.ErrNoRows {
			return aftermath.Errorf(aftermath.EINVALID, "intervention %s: no organisation %q", iv.Slug, iv.Owner)
		}
		if err != nil {
			return err
		}
		if org == current {
			return nil
		}
		if !w.writes(org) {
			return aftermath.Errorf(aftermath.EFORBIDDEN, "intervention %s: you may not write for organisation %q", iv.Slug, iv.Owner)
		}
		return nil
	}
	org := current
	switch {
	case current < 0:
		return nil // stays without an owner
	case current == 0 && len(w.orgs) == 1:
		org = w.orgs[0]
	case current == 0 && len(w.orgs) == 0:
		return aftermath.Errorf(aftermath.EFORBIDDEN, "your role does not allow writing interventions")
	case current == 0:
		return aftermath.Errorf(aftermath.EINVALID, "intervention %s: you write for several organisations: say which owns it (\"owner\")", iv.Slug)
	}
	return tx.QueryRowContext(ctx, db.rebind(`SELECT slug FROM organisations WHERE id = ?`), org).Scan(&iv.Owner)
}

// CreateIntervention stores a new intervention with its actors, area,
// phases and citations, and sets its id. v is the writer
// (aftermath.System for the command line and the seed). ECONFLICT if the
// slug is taken, EFORBIDDEN if v may not write for its owner.
func (db *DB) CreateIntervention(ctx context.Context, v aftermath.Viewer, iv *aftermath.Intervention) error {
	if err := iv.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := db.interventionWriterOf(ctx, tx, v)
		if err != nil {
			return err
		}
		if err := db.interventionOwner(ctx, tx, w, iv, 0); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM interventions WHERE slug = ?`), iv.Slug).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return aftermath.Errorf(aftermath.ECONFLICT, "an intervention %q exists already", iv.Slug)
		}
		now := db.Now().Format(time.RFC3339)
		cols, args := interventionRow(iv)
		err = tx.QueryRowContext(ctx, db.rebind(`INSERT INTO interventions (slug, `+cols+`, created_at, updated_at)
			VALUES (?, `+placeholders(len(args))+`, ?, ?) RETURNING id`), append(append([]any{iv.Slug}, args...), now, now)...).Scan(&iv.ID)
		if err != nil {
			return fmt.Errorf("create intervention %s: %w", iv.Slug, err)
		}
		if err := db.placeIntervention(ctx, tx, iv); err != nil {
			return err
		}
		if err := db.writeInterventionParts(ctx, tx, iv); err != nil {
			return err
		}
		return db.interventionAudit(ctx, tx, v, aftermath.AuditCreate, iv.ID, "created")
	})
}

// interventionAudit records a change in the audit log; it must be the
// transaction's last step.
func (db *DB) interventionAudit(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, action string, id int64, detail string) error {
	return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: action, RecordType: "intervention", RecordID: id, Detail: detail})
}

// placeIntervention stores who may see an intervention; a new record
// without an audience is internal.
func (db *DB) placeIntervention(ctx context.Context, tx *sql.Tx, iv *aftermath.Intervention) error {
	if iv.Audience == "" {
		iv.Audience = aftermath.AudienceInternal
	}
	p := Placement{Audience: iv.Audience}
	if iv.Owner != "" {
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM organisations WHERE slug = ?`), slugKey(iv.Owner)).Scan(&p.OwnerOrg); err == sql.ErrNoRows {
			return aftermath.Errorf(aftermath.EINVALID, "intervention %s: no organisation %q", iv.Slug, iv.Owner)
		} else if err != nil {
			return err
		}
	}
	if iv.Audience == aftermath.AudienceConfidential { // keep the people already named
		var err error
		if p.Readers, err = db.readersOf(ctx, tx, "intervention", iv.ID); err != nil {
			return err
		}
	}
	return db.setAudience(ctx, tx, "intervention", iv.ID, p)
}

// UpdateIntervention replaces every field of a stored intervention
// (found by iv.ID) with iv's, as v. ENOTFOUND if there is none or v may
// not see it, EFORBIDDEN if v may see it but not change it. A user's
// record without "owner" keeps its owner.
func (db *DB) UpdateIntervention(ctx context.Context, v aftermath.Viewer, iv *aftermath.Intervention) error {
	if err := iv.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := db.interventionWriterOf(ctx, tx, v)
		if err != nil {
			return err
		}
		owner, err := db.mayChangeIntervention(ctx, tx, v, w, iv.ID)
		if err != nil {
			return err
		}
		if owner == 0 {
			owner = -1
		}
		if err := db.interventionOwner(ctx, tx, w, iv, owner); err != nil {
			return err
		}
		var other int64
		err = tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM interventions WHERE slug = ?`), iv.Slug).Scan(&other)
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
		if err := db.writeInterventionParts(ctx, tx, iv); err != nil {
			return err
		}
		return db.interventionAudit(ctx, tx, v, aftermath.AuditUpdate, iv.ID, "updated")
	})
}

// DeleteIntervention removes an intervention, its citations and named
// readers, as v: ENOTFOUND if there is none or v may not see it,
// EFORBIDDEN if v may see it but not change it.
func (db *DB) DeleteIntervention(ctx context.Context, v aftermath.Viewer, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := db.interventionWriterOf(ctx, tx, v)
		if err != nil {
			return err
		}
		if _, err := db.mayChangeIntervention(ctx, tx, v, w, id); err != nil {
			return err
		}
		// Cached public pages show it: every serve process drops them.
		if err := bumpIfPublic(ctx, tx, db, "interventions", id); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM citations WHERE record_type = 'intervention' AND record_id = ?`,
			`DELETE FROM record_readers WHERE record_type = 'intervention' AND record_id = ?`} {
			if _, err := tx.ExecContext(ctx, db.rebind(q), id); err != nil {
				return err
			}
		}
		if err := db.deleteTranslations(ctx, tx, "intervention", id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM interventions WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("delete intervention %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return aftermath.Errorf(aftermath.ENOTFOUND, "no intervention %d", id)
		}
		return db.interventionAudit(ctx, tx, v, aftermath.AuditDelete, id, "deleted")
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
	if err := db.addBackerActors(ctx, tx, iv.Backers); err != nil {
		return err
	}
	for role, list := range map[string][]aftermath.InterventionActor{"backer": iv.Backers, "partner": iv.PartnerForces} {
		for i, a := range list {
			var id int64
			err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO intervention_actors (intervention_id, role, position, name, start_date, end_date, flows_state, flows_force)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), iv.ID, role, i, a.Name, a.From, a.To, a.State, a.Force).Scan(&id)
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
	if err := db.writeTranslations(ctx, tx, "intervention", iv.ID, iv.Language, iv.Translations); err != nil {
		return err
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
	if id, err := strconv.ParseInt(strings.TrimSpace(ref), 10, 64); err == nil {
		return db.Intervention(ctx, v, id)
	}
	var id, rank int64
	vis := visible(v, "i", "intervention")
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT id, 0 AS r FROM interventions i WHERE slug = ? AND `+vis+`
		UNION ALL SELECT id, 1 AS r FROM interventions i WHERE lower(name) = lower(?) AND `+vis+` ORDER BY r, id LIMIT 1`), slugKey(ref), strings.TrimSpace(ref)).Scan(&id, &rank)
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
	err = db.each(ctx, `SELECT id, role, name, start_date, end_date, flows_state, flows_force FROM intervention_actors WHERE intervention_id = ? ORDER BY role, position`, []any{id}, func(r *sql.Rows) error {
		var a aftermath.InterventionActor
		var x ref
		err := r.Scan(&x.id, &x.role, &a.Name, &a.From, &a.To, &a.State, &a.Force)
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
	if iv.Language, iv.Translations, err = db.readTranslations(ctx, "intervention", id); err != nil {
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
