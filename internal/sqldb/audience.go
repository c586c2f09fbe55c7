package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"aftermath"
)

// Audience rules live here and only here: every query that returns
// records a viewer asked for adds the condition visible builds, so a
// handler or template cannot show what the viewer may not see.

// audienceTables are the record types that carry an audience, with their
// tables.
var audienceTables = map[string]string{"dataset": "datasets", "intervention": "interventions", "source": "sources",
	"decision": "decisions", "inquiry": "inquiries", "recommendation": "recommendations", "claim": "claims",
	"testimony": "testimonies"}

// visible returns an SQL condition, true for the rows of alias t (a
// table of audienceTables with columns id, audience, owner_org_id) that v
// may see. Organisation and user ids are integers written into the text;
// nothing a user typed is.
func visible(v aftermath.Viewer, t, recordType string) string {
	if v.All {
		return "1 = 1"
	}
	or := []string{t + ".audience = 'public'"}
	if len(v.Orgs) > 0 {
		or = append(or, "("+t+".audience IN ('internal', 'partners') AND ("+t+".owner_org_id IS NULL OR "+t+".owner_org_id IN ("+ints(v.Orgs)+")))")
	}
	if len(v.PartnerOf) > 0 {
		or = append(or, "("+t+".audience = 'partners' AND "+t+".owner_org_id IN ("+ints(v.PartnerOf)+"))")
	}
	if v.UserID > 0 {
		or = append(or, "("+t+".audience = 'confidential' AND EXISTS (SELECT 1 FROM record_readers rr WHERE rr.record_type = '"+
			recordType+"' AND rr.record_id = "+t+".id AND rr.user_id = "+strconv.FormatInt(v.UserID, 10)+"))")
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// actorVisible is true for the actors (alias a) that v may see: those
// some dataset v sees spells, that an intervention v sees names, or that
// a ledger record v sees names (ledger.go).
func actorVisible(v aftermath.Viewer, a string) string {
	// A merged actor is no longer one, for anybody: its address leads to
	// the actor it went into (DB.ActorMergedInto).
	live := a + `.merged_into IS NULL`
	if v.All {
		return live
	}
	return `(` + live + ` AND (EXISTS (SELECT 1 FROM actor_aliases av JOIN datasets d ON d.name = av.dataset WHERE av.actor_id = ` + a + `.id AND ` +
		visible(v, "d", "dataset") + `) OR EXISTS (SELECT 1 FROM actor_aliases av JOIN intervention_actor_aliases ia
		ON ia.dataset = av.dataset AND ia.name = av.name JOIN intervention_actors ix ON ix.id = ia.intervention_actor_id
		JOIN interventions i ON i.id = ix.intervention_id WHERE av.actor_id = ` + a + `.id AND ` + visible(v, "i", "intervention") + `)
		OR EXISTS (SELECT 1 FROM intervention_actors ix JOIN interventions i ON i.id = ix.intervention_id
		WHERE ix.role = 'backer' AND lower(ix.name) = lower(` + a + `.name) AND ` + visible(v, "i", "intervention") + `)
		OR ` + ledgerActorVisible(v, a) + `))`
}

// citedVisible is true for the citations (alias c) whose cited record v
// may see. A record type without a rule here is seen by nobody but the
// system, so a new kind of record stays hidden until it has one.
func citedVisible(v aftermath.Viewer, c string) string {
	if v.All {
		return "1 = 1"
	}
	return `(CASE ` + c + `.record_type
		WHEN 'intervention' THEN EXISTS (SELECT 1 FROM interventions i WHERE i.id = ` + c + `.record_id AND ` + visible(v, "i", "intervention") + `)
		WHEN 'source' THEN EXISTS (SELECT 1 FROM sources s2 WHERE s2.id = ` + c + `.record_id AND ` + visible(v, "s2", "source") + `)
		WHEN 'dataset' THEN EXISTS (SELECT 1 FROM datasets d WHERE d.id = ` + c + `.record_id AND ` + visible(v, "d", "dataset") + `)
		WHEN 'event' THEN EXISTS (SELECT 1 FROM events e JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ` + c + `.record_id AND ` + visible(v, "d", "dataset") + `)
		WHEN 'actor' THEN EXISTS (SELECT 1 FROM actors a WHERE a.id = ` + c + `.record_id AND ` + actorVisible(v, "a") + `)
		` + ledgerCitedVisible(v, c) + `
		ELSE 1 = 0 END)`
}

// Viewer works out what a user may see: the organisations where they read
// internal records (every role but contributor, who submits but does not
// read others' work) and the organisations that share with those.
// A nil or disabled user is anonymous.
func (db *DB) Viewer(ctx context.Context, u *aftermath.User) (aftermath.Viewer, error) {
	if u == nil || u.Disabled {
		return aftermath.Anonymous, nil
	}
	v := aftermath.Viewer{UserID: u.ID}
	for _, m := range u.Memberships {
		if m.Role != aftermath.RoleContributor {
			v.Orgs = append(v.Orgs, m.OrgID)
		}
	}
	if len(v.Orgs) == 0 {
		return v, nil
	}
	err := db.each(ctx, `SELECT DISTINCT org_id FROM org_partners WHERE partner_id IN (`+ints(v.Orgs)+`) ORDER BY org_id`, nil,
		func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			v.PartnerOf = append(v.PartnerOf, id)
			return err
		})
	if err != nil {
		return aftermath.Viewer{}, fmt.Errorf("viewer: %w", err)
	}
	return v, nil
}

// Organisation finds an organisation by its slug.
func (db *DB) Organisation(ctx context.Context, slug string) (*aftermath.Organisation, error) {
	var o aftermath.Organisation
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT id, slug, name FROM organisations WHERE slug = ?`), slugKey(slug)).Scan(&o.ID, &o.Slug, &o.Name)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no organisation %q", slug)
	}
	if err != nil {
		return nil, fmt.Errorf("organisation %s: %w", slug, err)
	}
	return &o, nil
}

// SharePartners lets partner's members see org's partners records.
func (db *DB) SharePartners(ctx context.Context, orgID, partnerID int64) error {
	if orgID == partnerID {
		return aftermath.Errorf(aftermath.EINVALID, "an organisation already sees its own records")
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO org_partners (org_id, partner_id) VALUES (?, ?) ON CONFLICT DO NOTHING`), orgID, partnerID); err != nil {
			return fmt.Errorf("share: %w", err)
		}
		return bumpAudienceGeneration(ctx, tx)
	})
}

// AudienceGeneration is a number that changes whenever who may see some
// record changes (setAudience, SharePartners, a testimony's audience): a
// cache of what a viewer saw is good while it stays the same. One read of
// a one-row table by its primary key.
func (db *DB) AudienceGeneration(ctx context.Context) (int64, error) {
	var n int64
	if err := db.read.QueryRowContext(ctx, `SELECT n FROM cache_generation WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("audience generation: %w", err)
	}
	return n, nil
}

// bumpAudienceGeneration raises the generation, in the transaction of the
// change, so that no process sees the change without the new number.
func bumpAudienceGeneration(ctx context.Context, q querier) error {
	if _, err := q.ExecContext(ctx, `UPDATE cache_generation SET n = n + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("audience generation: %w", err)
	}
	return nil
}

// Placement says who may see a record: its audience, the organisation
// that owns it (0: the instance) and, for a confidential record, the
// users allowed to read it.
type Placement = aftermath.Placement

// SetAudience places a record of a type in audienceTables. A confidential
// record with nobody named could be read by no one, so it is refused.
func (db *DB) SetAudience(ctx context.Context, recordType string, id int64, p Placement) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.setAudience(ctx, tx, recordType, id, p) })
}

func (db *DB) setAudience(ctx context.Context, tx *sql.Tx, recordType string, id int64, p Placement) error {
	table, ok := audienceTables[recordType]
	if !ok {
		return fmt.Errorf("set audience: %q records have no audience", recordType)
	}
	if !p.Audience.Valid() {
		return aftermath.Errorf(aftermath.EINVALID, "audience %q is not one of confidential, internal, partners, public", p.Audience)
	}
	if p.Audience == aftermath.AudienceConfidential && len(p.Readers) == 0 {
		return aftermath.Errorf(aftermath.EINVALID, "a confidential %s needs at least one named reader", recordType)
	}
	var owner any
	if p.OwnerOrg > 0 {
		owner = p.OwnerOrg
	}
	res, err := tx.ExecContext(ctx, db.rebind(`UPDATE `+table+` SET audience = ?, owner_org_id = ? WHERE id = ?`), string(p.Audience), owner, id)
	if err != nil {
		return fmt.Errorf("set audience: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return aftermath.Errorf(aftermath.ENOTFOUND, "no %s %d", recordType, id)
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM record_readers WHERE record_type = ? AND record_id = ?`), recordType, id); err != nil {
		return fmt.Errorf("set audience: %w", err)
	}
	for _, u := range p.Readers {
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO record_readers (record_type, record_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
			recordType, id, u); err != nil {
			return fmt.Errorf("set audience: %w", err)
		}
	}
	return bumpAudienceGeneration(ctx, tx)
}

// AudienceOf tells where a record is placed.
func (db *DB) AudienceOf(ctx context.Context, recordType string, id int64) (Placement, error) {
	table, ok := audienceTables[recordType]
	if !ok {
		return Placement{}, fmt.Errorf("audience: %q records have no audience", recordType)
	}
	var p Placement
	var a string
	var owner sql.NullInt64
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT audience, owner_org_id FROM `+table+` WHERE id = ?`), id).Scan(&a, &owner)
	if err == sql.ErrNoRows {
		return p, aftermath.Errorf(aftermath.ENOTFOUND, "no %s %d", recordType, id)
	}
	if err != nil {
		return p, fmt.Errorf("audience: %w", err)
	}
	p.Audience, p.OwnerOrg = aftermath.Audience(a), owner.Int64
	p.Readers, err = db.readersOf(ctx, db.read, recordType, id)
	return p, err
}

// readersOf lists the people named on a confidential record, in id order:
// a change of placement keeps them unless it names others.
func (db *DB) readersOf(ctx context.Context, q querier, recordType string, id int64) ([]int64, error) {
	var readers []int64
	err := eachRow(ctx, q, db.rebind(`SELECT user_id FROM record_readers WHERE record_type = ? AND record_id = ? ORDER BY user_id`), []any{recordType, id},
		func(r *sql.Rows) error {
			var u int64
			err := r.Scan(&u)
			readers = append(readers, u)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("readers of %s %d: %w", recordType, id, err)
	}
	return readers, nil
}
