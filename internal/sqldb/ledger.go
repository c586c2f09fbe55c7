package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"aftermath"
)

// The accountability ledger: decisions, inquiries and their findings,
// recommendations with their status history, and claims. Every write
// takes the acting viewer: it is recorded in the audit log in the
// change's transaction, and the store decides who may change what
// (ledgerMayChange: EFORBIDDEN for what one may see but not change,
// ENOTFOUND for what one may not see). Every read takes the
// viewer and applies visible(); reading a confidential record is logged. A recommendation is seen only by those
// who see both it and its inquiry; findings, status changes, recurrence
// links and evidence links follow their parent record.

// The store is the ledger service.
var _ aftermath.Ledger = (*DB)(nil)

func init() {
	// Dump (and so sqldbtest.Snapshot) covers the ledger too, so tests can
	// check that a repeated seed or a refused change altered nothing.
	dumpTables = append(dumpTables, "decisions", "decision_interventions", "decision_actors", "inquiries",
		"inquiry_interventions", "inquiry_subjects", "inquiry_findings", "recommendations", "recommendation_status",
		"recommendation_recurrences", "claims", "claim_evidence", "claim_interventions")
}

// ledgerActorVisible is true for actors (alias a) named by a ledger record
// v may see: a decision-maker or the decision's other actors, an inquiry's
// body or subjects, a recommendation's addressee, a claim's author.
// actorVisible adds it, so an actor page opens for whoever sees the record.
func ledgerActorVisible(v aftermath.Viewer, a string) string {
	return `(EXISTS (SELECT 1 FROM decisions ld WHERE (ld.maker_id = ` + a + `.id OR EXISTS (SELECT 1 FROM decision_actors lx
			WHERE lx.decision_id = ld.id AND lx.actor_id = ` + a + `.id)) AND ` + visible(v, "ld", aftermath.RecordDecision) + `)
		OR EXISTS (SELECT 1 FROM inquiries lq WHERE (lq.body_id = ` + a + `.id OR EXISTS (SELECT 1 FROM inquiry_subjects lx
			WHERE lx.inquiry_id = lq.id AND lx.actor_id = ` + a + `.id)) AND ` + visible(v, "lq", aftermath.RecordInquiry) + `)
		OR EXISTS (SELECT 1 FROM recommendations lr JOIN inquiries lq ON lq.id = lr.inquiry_id WHERE lr.addressee_id = ` + a + `.id
			AND ` + recVisible(v, "lr", "lq") + `)
		OR EXISTS (SELECT 1 FROM claims lc WHERE lc.author_id = ` + a + `.id AND ` + visible(v, "lc", aftermath.RecordClaim) + `))`
}

// ledgerCitedVisible gives citedVisible its WHEN branches for the ledger's
// record types (alias c is the citation).
func ledgerCitedVisible(v aftermath.Viewer, c string) string {
	id := c + ".record_id"
	return `WHEN 'decision' THEN EXISTS (SELECT 1 FROM decisions ld WHERE ld.id = ` + id + ` AND ` + visible(v, "ld", aftermath.RecordDecision) + `)
		WHEN 'inquiry' THEN EXISTS (SELECT 1 FROM inquiries lq WHERE lq.id = ` + id + ` AND ` + visible(v, "lq", aftermath.RecordInquiry) + `)
		WHEN 'inquiry_finding' THEN EXISTS (SELECT 1 FROM inquiry_findings lf JOIN inquiries lq ON lq.id = lf.inquiry_id
			WHERE lf.id = ` + id + ` AND ` + visible(v, "lq", aftermath.RecordInquiry) + `)
		WHEN 'recommendation' THEN EXISTS (SELECT 1 FROM recommendations lr JOIN inquiries lq ON lq.id = lr.inquiry_id
			WHERE lr.id = ` + id + ` AND ` + recVisible(v, "lr", "lq") + `)
		WHEN 'recommendation_status' THEN EXISTS (SELECT 1 FROM recommendation_status ls JOIN recommendations lr ON lr.id = ls.recommendation_id
			JOIN inquiries lq ON lq.id = lr.inquiry_id WHERE ls.id = ` + id + ` AND ` + recVisible(v, "lr", "lq") + `)
		WHEN 'claim' THEN EXISTS (SELECT 1 FROM claims lc WHERE lc.id = ` + id + ` AND ` + visible(v, "lc", aftermath.RecordClaim) + `)`
}

// recVisible is true for a recommendation (alias r) whose inquiry (alias
// q) v may also see.
func recVisible(v aftermath.Viewer, r, q string) string {
	return "(" + visible(v, r, aftermath.RecordRecommendation) + " AND " + visible(v, q, aftermath.RecordInquiry) + ")"
}

// ---- shared parts ----

// ledgerActor resolves ref to a stored actor inside tx: by id, else the
// actor of that name (any case) or dataset spelling, else a new actor of
// ref.Kind (default "other"). It fills ref.ID and ref.Name.
func (db *DB) ledgerActor(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, ref *aftermath.ActorRef, where, field string) error {
	if ref.ID > 0 {
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT a.name, a.kind FROM actors a WHERE a.id = ? AND `+actorVisible(v, "a")), ref.ID).Scan(&ref.Name, &ref.Kind)
		if err == sql.ErrNoRows {
			return aftermath.Errorf(aftermath.EINVALID, "%s: %s: no actor %d", where, field, ref.ID)
		}
		return err
	}
	name := strings.TrimSpace(ref.Name)
	// Only actors the writer may see are matched: an id, a name or a
	// dataset spelling must not reveal one they may not (an unseen name
	// becomes an actor of their own).
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT a.id, a.name, a.kind FROM actors a WHERE lower(a.name) = lower(?) AND `+actorVisible(v, "a")+` ORDER BY a.id LIMIT 1`), name).
		Scan(&ref.ID, &ref.Name, &ref.Kind)
	if err != sql.ErrNoRows {
		return err
	}
	err = tx.QueryRowContext(ctx, db.rebind(`SELECT a.id, a.name, a.kind FROM actor_aliases aa JOIN actors a ON a.id = aa.actor_id
		JOIN datasets d ON d.name = aa.dataset WHERE lower(aa.name) = lower(?) AND `+visible(v, "d", "dataset")+` AND `+actorVisible(v, "a")+`
		ORDER BY a.id LIMIT 1`), name).Scan(&ref.ID, &ref.Name, &ref.Kind)
	if err != sql.ErrNoRows {
		return err
	}
	if ref.Kind == "" {
		ref.Kind = aftermath.KindOther
	}
	ref.Name = name
	return tx.QueryRowContext(ctx, db.rebind(`INSERT INTO actors (name, kind) VALUES (?, ?) RETURNING id`), name, ref.Kind).Scan(&ref.ID)
}

// ledgerActors resolves a list of actor references, refusing one named
// twice.
func (db *DB) ledgerActors(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, refs []aftermath.ActorRef, where, field string) error {
	seen := map[int64]bool{}
	for i := range refs {
		if err := db.ledgerActor(ctx, tx, v, &refs[i], where, field); err != nil {
			return err
		}
		if seen[refs[i].ID] {
			return aftermath.Errorf(aftermath.EINVALID, "%s: %s: %s is listed twice", where, field, refs[i].Name)
		}
		seen[refs[i].ID] = true
	}
	return nil
}

// placeLedger stores who may see a ledger record; a new record without an
// audience is internal. A confidential record keeps the readers it has.
func (db *DB) placeLedger(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, recordType string, id int64, a *aftermath.Audience, owner, where string) error {
	if *a == "" {
		*a = aftermath.AudienceInternal
	}
	p := Placement{Audience: *a}
	if owner != "" {
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM organisations WHERE slug = ?`), slugKey(owner)).Scan(&p.OwnerOrg); err == sql.ErrNoRows {
			return aftermath.Errorf(aftermath.EINVALID, "%s: no organisation %q", where, owner)
		} else if err != nil {
			return err
		}
		// Who may file a record under owner was decided before
		// (ledgerCreator, ledgerChanger).
	}
	if *a == aftermath.AudiencePublic {
		if err := db.mayPublish(ctx, tx, v, p.OwnerOrg, where); err != nil {
			return err
		}
	}
	if *a == aftermath.AudienceConfidential {
		var err error
		if p.Readers, err = db.readersOf(ctx, tx, recordType, id); err != nil {
			return err
		}
	}
	return db.setAudience(ctx, tx, recordType, id, p)
}

// mayPublish checks that v may make a record of owner org (0: none)
// public: the system, an admin or editor of that organisation, or for a
// record without an owner an admin (auth.ActionPublish, decided here for
// the web, the API and the command line alike).
func (db *DB) mayPublish(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, org int64, where string) error {
	w, err := db.writerOf(ctx, tx, v, aftermath.RoleAdmin, aftermath.RoleEditor)
	if err != nil {
		return err
	}
	if w.system || org != 0 && w.writes(org) || org == 0 && w.admin {
		return nil
	}
	return aftermath.Errorf(aftermath.EFORBIDDEN, "%s: publishing a ledger record (audience public) takes an editor or admin of its organisation", where)
}

// ledgerWriteCitations stores a record's citations, refusing a missing source.
func (db *DB) ledgerWriteCitations(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, recordType string, id int64, cs []aftermath.Citation, where string) error {
	for i := range cs {
		c := &cs[i]
		c.ID, c.RecordType, c.RecordID = 0, recordType, id
		if err := c.Validate(); err != nil {
			return err
		}
		var n int
		// A source the writer may not see is as missing as one that is not.
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM sources s WHERE s.id = ? AND `+visible(v, "s", "source")), c.SourceID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return aftermath.Errorf(aftermath.EINVALID, "%s: citation of %s: no source %d", where, c.Field, c.SourceID)
		}
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO citations (record_type, record_id, field, source_id, page, quote, confidence)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), c.RecordType, c.RecordID, c.Field, c.SourceID, c.Page, c.Quote, c.Confidence).Scan(&c.ID); err != nil {
			return err
		}
	}
	return nil
}

// ledgerExec runs statements with the same arguments in tx, stopping at the
// first error.
func (db *DB) ledgerExec(ctx context.Context, tx *sql.Tx, args []any, queries ...string) error {
	for _, q := range queries {
		if _, err := tx.ExecContext(ctx, db.rebind(q), args...); err != nil {
			return err
		}
	}
	return nil
}

// ledgerLinkInterventions stores links from a record to interventions, refusing
// one that does not exist.
func (db *DB) ledgerLinkInterventions(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, table, col string, id int64, ivs []int64, where string) error {
	for _, iv := range ivs {
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM interventions i WHERE i.id = ? AND `+visible(v, "i", "intervention")), iv).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return aftermath.Errorf(aftermath.EINVALID, "%s: intervention_ids: no intervention %d", where, iv)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO `+table+` (`+col+`, intervention_id) VALUES (?, ?)`), id, iv); err != nil {
			return err
		}
	}
	return nil
}

// ledgerInterventions lists the interventions v may see that a record links
// to.
func (db *DB) ledgerInterventions(ctx context.Context, v aftermath.Viewer, table, col string, id int64) ([]int64, error) {
	var out []int64
	err := db.each(ctx, `SELECT x.intervention_id FROM `+table+` x JOIN interventions i ON i.id = x.intervention_id
		WHERE x.`+col+` = ? AND `+visible(v, "i", "intervention")+` ORDER BY x.intervention_id`, []any{id}, func(r *sql.Rows) error {
		var iv int64
		err := r.Scan(&iv)
		out = append(out, iv)
		return err
	})
	return out, err
}

func (db *DB) ledgerLinkedActors(ctx context.Context, table, col string, id int64) ([]aftermath.ActorRef, error) {
	var out []aftermath.ActorRef
	err := db.each(ctx, `SELECT a.id, a.name, a.kind FROM `+table+` x JOIN actors a ON a.id = x.actor_id WHERE x.`+col+` = ? ORDER BY x.position`,
		[]any{id}, func(r *sql.Rows) error {
			var a aftermath.ActorRef
			err := r.Scan(&a.ID, &a.Name, &a.Kind)
			out = append(out, a)
			return err
		})
	return out, err
}

func (db *DB) ledgerInsertActors(ctx context.Context, tx *sql.Tx, table, col string, id int64, refs []aftermath.ActorRef) error {
	for i, a := range refs {
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO `+table+` (`+col+`, actor_id, position) VALUES (?, ?, ?)`), id, a.ID, i); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) ledgerIDs(ctx context.Context, q string, args []any) ([]int64, error) {
	var out []int64
	err := db.each(ctx, q, args, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		out = append(out, id)
		return err
	})
	return out, err
}

func ledgerNotFound(err error, what string, id int64) error {
	if err == sql.ErrNoRows {
		return aftermath.Errorf(aftermath.ENOTFOUND, "no %s %d", what, id)
	}
	if err != nil {
		return fmt.Errorf("%s %d: %w", what, id, err)
	}
	return nil
}

func ledgerAffected(res sql.Result, what string, id int64) error {
	if n, _ := res.RowsAffected(); n == 0 {
		return aftermath.Errorf(aftermath.ENOTFOUND, "no %s %d", what, id)
	}
	return nil
}

func (db *DB) ledgerNow() string { return db.Now().Format(time.RFC3339) }

// ledgerToday is the date that overdue flags and status dates are judged by.
func (db *DB) ledgerToday() string { return db.Now().UTC().Format("2006-01-02") }

// ledgerAudit records a change to a ledger record in the audit log, in the
// change's own transaction (so a change that rolls back leaves no entry);
// it must be the transaction's last step. v is who made the change.
func (db *DB) ledgerAudit(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, action, recordType string, id int64, detail string) error {
	return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: action, RecordType: recordType, RecordID: id, Detail: detail})
}

// ledgerAuditRead records that v read a confidential ledger record, as the
// audit log requires of every read of confidential material.
func (db *DB) ledgerAuditRead(ctx context.Context, v aftermath.Viewer, a aftermath.Audience, recordType string, id int64) error {
	if a != aftermath.AudienceConfidential {
		return nil
	}
	_, err := db.AppendAudit(ctx, aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditReadConfidential, RecordType: recordType,
		RecordID: id, Detail: "read confidential " + recordType})
	return err
}

// Who may change a ledger record (decision, inquiry, recommendation,
// claim), decided here for the web forms, the API and the command line
// alike, as for interventions (interventions.go):
//
//   - the system (aftermath.System: the command line, the seed) changes
//     any record;
//   - a user changes only records they may see (else ENOTFOUND, as for a
//     missing record) and, of those, only records owned by an
//     organisation in which they may write the ledger (admin, editor or
//     researcher; else EFORBIDDEN: partners and other organisations
//     read, they do not write);
//   - a record without an owner (the starter ledger, the seed) is changed
//     only by the system and by admins (EFORBIDDEN for others);
//   - a user's new record belongs to their organisation (the one in which
//     they write; "owner" chooses when there are several), and a user may
//     give a record only to such an organisation; an update that names
//     no owner keeps the stored one.
//
// A status change is a change of its recommendation. Every write appends
// an entry to the audit log in its own transaction.

// ledgerWriterOf reads v's roles: the organisations in which v may write
// the ledger (admin, editor or researcher: auth.ActionWriteLedger).
func (db *DB) ledgerWriterOf(ctx context.Context, tx *sql.Tx, v aftermath.Viewer) (writer, error) {
	return db.writerOf(ctx, tx, v, aftermath.RoleAdmin, aftermath.RoleEditor, aftermath.RoleResearcher)
}

// ledgerMayChange returns the writer and the stored owner (0: none) of
// a record v is to change: ENOTFOUND if it does not exist or v may not
// see it (a recommendation: it and its inquiry), EFORBIDDEN if v may see
// it but not change it.
func (db *DB) ledgerMayChange(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, recordType string, id int64) (writer, int64, error) {
	w, err := db.ledgerWriterOf(ctx, tx, v)
	if err != nil {
		return w, 0, err
	}
	q := `SELECT t.owner_org_id FROM ` + audienceTables[recordType] + ` t WHERE t.id = ? AND ` + visible(v, "t", recordType)
	if recordType == aftermath.RecordRecommendation {
		q = `SELECT t.owner_org_id FROM recommendations t JOIN inquiries q ON q.id = t.inquiry_id WHERE t.id = ? AND ` + recVisible(v, "t", "q")
	}
	var owner sql.NullInt64
	err = tx.QueryRowContext(ctx, db.rebind(q), id).Scan(&owner)
	if err == sql.ErrNoRows {
		return w, 0, aftermath.Errorf(aftermath.ENOTFOUND, "no %s %d", recordType, id)
	}
	if err != nil {
		return w, 0, fmt.Errorf("%s %d: %w", recordType, id, err)
	}
	switch {
	case w.system:
	case !owner.Valid && !w.admin:
		return w, 0, aftermath.Errorf(aftermath.EFORBIDDEN, "%s %d belongs to no organisation: only an admin may change it", recordType, id)
	case owner.Valid && !w.writes(owner.Int64):
		return w, 0, aftermath.Errorf(aftermath.EFORBIDDEN, "%s %d belongs to another organisation: you may read it, not change it", recordType, id)
	}
	return w, owner.Int64, nil
}

// ledgerOwner sets *owner to the organisation a user's record is to
// belong to: the one named, if w writes there (or it is the stored
// owner), else the stored owner (current > 0; -1 for none) of a record
// being changed, else w's one organisation. The system's records keep
// the owner they name.
func (db *DB) ledgerOwner(ctx context.Context, tx *sql.Tx, w writer, owner *string, current int64, where string) error {
	if w.system {
		return nil
	}
	if *owner != "" {
		var org int64
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM organisations WHERE slug = ?`), slugKey(*owner)).Scan(&org)
		if err == sql.ErrNoRows {
			return aftermath.Errorf(aftermath.EINVALID, "%s: no organisation %q", where, *owner)
		}
		if err != nil {
			return err
		}
		if org != current && !w.writes(org) {
			return aftermath.Errorf(aftermath.EFORBIDDEN, "%s: you may not file records under %s, which is not your organisation", where, *owner)
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
		return aftermath.Errorf(aftermath.EFORBIDDEN, "%s: your role does not allow writing the ledger", where)
	case current == 0:
		return aftermath.Errorf(aftermath.EINVALID, "%s: you write for several organisations: say which owns it (\"owner\")", where)
	}
	return tx.QueryRowContext(ctx, db.rebind(`SELECT slug FROM organisations WHERE id = ?`), org).Scan(owner)
}

// ledgerCreator checks that v may create a record owned as *owner and
// fills it in (ledgerOwner).
func (db *DB) ledgerCreator(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, owner *string, where string) error {
	w, err := db.ledgerWriterOf(ctx, tx, v)
	if err != nil {
		return err
	}
	return db.ledgerOwner(ctx, tx, w, owner, 0, where)
}

// ledgerChanger checks that v may change record id of recordType and that
// *owner, its owner after the change, is one v may give (an empty one
// keeps the stored owner).
func (db *DB) ledgerChanger(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, recordType string, id int64, owner *string, where string) error {
	w, current, err := db.ledgerMayChange(ctx, tx, v, recordType, id)
	if err != nil {
		return err
	}
	if current == 0 {
		current = -1
	}
	return db.ledgerOwner(ctx, tx, w, owner, current, where)
}

// bumpIfPublic raises the audience generation (audience.go) when record
// id of table is public, before it is deleted in the same transaction:
// every serve process then drops the cached pages that show it.
func bumpIfPublic(ctx context.Context, tx *sql.Tx, db *DB, table string, id int64) error {
	if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE cache_generation SET n = n + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM `+table+
		` WHERE id = ? AND audience = 'public')`), id); err != nil {
		return fmt.Errorf("audience generation: %w", err)
	}
	return nil
}

// ---- decisions ----

// DecisionFilter selects decisions; zero fields select all.
type DecisionFilter = aftermath.DecisionFilter

// CreateDecision stores a new decision, resolving its maker and actors
// (creating actors named for the first time), and sets its id. v is who
// makes the change (aftermath.System for the command line).
func (db *DB) CreateDecision(ctx context.Context, v aftermath.Viewer, d *aftermath.Decision) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		where := "decision"
		if err := db.ledgerCreator(ctx, tx, v, &d.Owner, where); err != nil {
			return err
		}
		if err := db.decisionActors(ctx, tx, v, d, where); err != nil {
			return err
		}
		now := db.ledgerNow()
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO decisions (maker_id, date, kind, reference, summary, rationale, rationale_verbatim,
			amounts, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			append(decisionRow(d), now, now)...).Scan(&d.ID)
		if err != nil {
			return fmt.Errorf("create decision: %w", err)
		}
		if err := db.writeDecisionParts(ctx, tx, v, d); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditCreate, aftermath.RecordDecision, d.ID, "created")
	})
}

// UpdateDecision replaces every field of the stored decision d.ID.
func (db *DB) UpdateDecision(ctx context.Context, v aftermath.Viewer, d *aftermath.Decision) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		where := fmt.Sprintf("decision %d", d.ID)
		if err := db.ledgerChanger(ctx, tx, v, aftermath.RecordDecision, d.ID, &d.Owner, where); err != nil {
			return err
		}
		if err := db.decisionActors(ctx, tx, v, d, where); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE decisions SET maker_id = ?, date = ?, kind = ?, reference = ?, summary = ?, rationale = ?,
			rationale_verbatim = ?, amounts = ?, notes = ?, updated_at = ? WHERE id = ?`), append(decisionRow(d), db.ledgerNow(), d.ID)...)
		if err != nil {
			return fmt.Errorf("update %s: %w", where, err)
		}
		if err := ledgerAffected(res, "decision", d.ID); err != nil {
			return err
		}
		if err := db.ledgerExec(ctx, tx, []any{d.ID}, `DELETE FROM decision_interventions WHERE decision_id = ?`,
			`DELETE FROM decision_actors WHERE decision_id = ?`, `DELETE FROM citations WHERE record_type = 'decision' AND record_id = ?`); err != nil {
			return err
		}
		if err := db.writeDecisionParts(ctx, tx, v, d); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditUpdate, aftermath.RecordDecision, d.ID, "updated")
	})
}

// DeleteDecision removes a decision, its citations and the recurrence
// links that point at it.
func (db *DB) DeleteDecision(ctx context.Context, v aftermath.Viewer, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, _, err := db.ledgerMayChange(ctx, tx, v, aftermath.RecordDecision, id); err != nil {
			return err
		}
		if err := bumpIfPublic(ctx, tx, db, "decisions", id); err != nil {
			return err
		}
		if err := db.ledgerExec(ctx, tx, []any{id}, `DELETE FROM citations WHERE record_type = 'decision' AND record_id = ?`,
			`DELETE FROM record_readers WHERE record_type = 'decision' AND record_id = ?`,
			`DELETE FROM translations WHERE record_type = 'decision' AND record_id = ?`, `DELETE FROM record_languages WHERE record_type = 'decision' AND record_id = ?`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM decisions WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("delete decision %d: %w", id, err)
		}
		if err := ledgerAffected(res, "decision", id); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditDelete, aftermath.RecordDecision, id, "deleted")
	})
}

func (db *DB) decisionActors(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, d *aftermath.Decision, where string) error {
	if err := db.ledgerActor(ctx, tx, v, &d.Maker, where, "maker"); err != nil {
		return err
	}
	return db.ledgerActors(ctx, tx, v, d.Actors, where, "actors")
}

func decisionRow(d *aftermath.Decision) []any {
	amounts := d.Amounts
	if amounts == nil {
		amounts = []aftermath.Amount{}
	}
	b, _ := json.Marshal(amounts)
	return []any{d.Maker.ID, d.Date, d.Kind, d.Reference, d.Summary, d.Rationale, d.RationaleVerbatim, string(b), d.Notes}
}

func (db *DB) writeDecisionParts(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, d *aftermath.Decision) error {
	if err := db.writeTranslations(ctx, tx, aftermath.RecordDecision, d.ID, d.Language, d.Translations); err != nil {
		return err
	}
	where := fmt.Sprintf("decision %d", d.ID)
	if err := db.placeLedger(ctx, tx, v, aftermath.RecordDecision, d.ID, &d.Audience, d.Owner, where); err != nil {
		return err
	}
	if err := db.ledgerLinkInterventions(ctx, tx, v, "decision_interventions", "decision_id", d.ID, d.InterventionIDs, where); err != nil {
		return err
	}
	if err := db.ledgerInsertActors(ctx, tx, "decision_actors", "decision_id", d.ID, d.Actors); err != nil {
		return err
	}
	return db.ledgerWriteCitations(ctx, tx, v, aftermath.RecordDecision, d.ID, d.Citations, where)
}

// Decision returns a decision the viewer may see, with the interventions
// and citation sources they may see; ENOTFOUND otherwise.
func (db *DB) Decision(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Decision, error) {
	d := &aftermath.Decision{ID: id}
	var amounts string
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT a.id, a.name, a.kind, d.date, d.kind, d.reference, d.summary, d.rationale,
		d.rationale_verbatim, d.amounts, d.notes, d.audience, COALESCE(o.slug, '')
		FROM decisions d JOIN actors a ON a.id = d.maker_id LEFT JOIN organisations o ON o.id = d.owner_org_id
		WHERE d.id = ? AND `+visible(v, "d", aftermath.RecordDecision)), id).
		Scan(&d.Maker.ID, &d.Maker.Name, &d.Maker.Kind, &d.Date, &d.Kind, &d.Reference, &d.Summary, &d.Rationale,
			&d.RationaleVerbatim, &amounts, &d.Notes, &d.Audience, &d.Owner)
	if err := ledgerNotFound(err, "decision", id); err != nil {
		return nil, err
	}
	if err := db.ledgerAuditRead(ctx, v, d.Audience, aftermath.RecordDecision, id); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(amounts), &d.Amounts); err != nil {
		return nil, fmt.Errorf("decision %d amounts: %w", id, err)
	}
	if len(d.Amounts) == 0 {
		d.Amounts = nil
	}
	if d.InterventionIDs, err = db.ledgerInterventions(ctx, v, "decision_interventions", "decision_id", id); err != nil {
		return nil, err
	}
	if d.Actors, err = db.ledgerLinkedActors(ctx, "decision_actors", "decision_id", id); err != nil {
		return nil, err
	}
	if d.Citations, err = db.Citations(ctx, v, aftermath.RecordDecision, id); err != nil {
		return nil, err
	}
	if d.Language, d.Translations, err = db.readTranslations(ctx, aftermath.RecordDecision, id); err != nil {
		return nil, err
	}
	return d, nil
}

// Decisions lists the decisions the viewer may see that match f, oldest
// first.
func (db *DB) Decisions(ctx context.Context, v aftermath.Viewer, f DecisionFilter) ([]aftermath.Decision, error) {
	conds, args := []string{visible(v, "d", aftermath.RecordDecision)}, []any{}
	if f.InterventionID != 0 {
		conds = append(conds, `EXISTS (SELECT 1 FROM decision_interventions x WHERE x.decision_id = d.id AND x.intervention_id = ?)`)
		args = append(args, f.InterventionID)
	}
	if f.ActorID != 0 {
		conds = append(conds, `(d.maker_id = ? OR EXISTS (SELECT 1 FROM decision_actors x WHERE x.decision_id = d.id AND x.actor_id = ?))`)
		args = append(args, f.ActorID, f.ActorID)
	}
	if f.MakerID != 0 {
		conds, args = append(conds, `d.maker_id = ?`), append(args, f.MakerID)
	}
	if f.Reference != "" {
		conds, args = append(conds, `d.reference = ?`), append(args, f.Reference)
	}
	if f.Kind != "" {
		conds, args = append(conds, `d.kind = ?`), append(args, f.Kind)
	}
	ids, err := db.ledgerIDs(ctx, `SELECT d.id FROM decisions d WHERE `+strings.Join(conds, " AND ")+` ORDER BY d.date, d.id`, args)
	if err != nil {
		return nil, fmt.Errorf("list decisions: %w", err)
	}
	out := make([]aftermath.Decision, 0, len(ids))
	for _, id := range ids {
		d, err := db.Decision(ctx, v, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}

// ---- inquiries ----

// InquiryFilter selects inquiries; zero fields select all.
type InquiryFilter = aftermath.InquiryFilter

// CreateInquiry stores a new inquiry with its findings and sets the ids.
func (db *DB) CreateInquiry(ctx context.Context, v aftermath.Viewer, q *aftermath.Inquiry) error {
	if err := q.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ledgerCreator(ctx, tx, v, &q.Owner, "inquiry"); err != nil {
			return err
		}
		if err := db.inquiryActors(ctx, tx, v, q, "inquiry"); err != nil {
			return err
		}
		now := db.ledgerNow()
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO inquiries (body_id, type, title, reference, date, summary, notes, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), append(inquiryRow(q), now, now)...).Scan(&q.ID)
		if err != nil {
			return fmt.Errorf("create inquiry: %w", err)
		}
		if err := db.writeInquiryParts(ctx, tx, v, q); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditCreate, aftermath.RecordInquiry, q.ID, "created")
	})
}

// UpdateInquiry replaces every field and finding of the stored inquiry
// q.ID; its recommendations are left as they are.
func (db *DB) UpdateInquiry(ctx context.Context, v aftermath.Viewer, q *aftermath.Inquiry) error {
	if err := q.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		where := fmt.Sprintf("inquiry %d", q.ID)
		if err := db.ledgerChanger(ctx, tx, v, aftermath.RecordInquiry, q.ID, &q.Owner, where); err != nil {
			return err
		}
		if err := db.inquiryActors(ctx, tx, v, q, where); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE inquiries SET body_id = ?, type = ?, title = ?, reference = ?, date = ?, summary = ?,
			notes = ?, updated_at = ? WHERE id = ?`), append(inquiryRow(q), db.ledgerNow(), q.ID)...)
		if err != nil {
			return fmt.Errorf("update %s: %w", where, err)
		}
		if err := ledgerAffected(res, "inquiry", q.ID); err != nil {
			return err
		}
		if err := db.ledgerExec(ctx, tx, []any{q.ID},
			`DELETE FROM citations WHERE record_type = 'inquiry_finding' AND record_id IN (SELECT id FROM inquiry_findings WHERE inquiry_id = ?)`,
			`DELETE FROM inquiry_findings WHERE inquiry_id = ?`, `DELETE FROM inquiry_interventions WHERE inquiry_id = ?`,
			`DELETE FROM inquiry_subjects WHERE inquiry_id = ?`, `DELETE FROM citations WHERE record_type = 'inquiry' AND record_id = ?`); err != nil {
			return err
		}
		if err := db.writeInquiryParts(ctx, tx, v, q); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditUpdate, aftermath.RecordInquiry, q.ID, "updated")
	})
}

// DeleteInquiry removes an inquiry with its findings, its
// recommendations and their histories, and all their citations.
func (db *DB) DeleteInquiry(ctx context.Context, v aftermath.Viewer, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, _, err := db.ledgerMayChange(ctx, tx, v, aftermath.RecordInquiry, id); err != nil {
			return err
		}
		// Its recommendations go too: a public one shows only under a
		// public inquiry.
		if err := bumpIfPublic(ctx, tx, db, "inquiries", id); err != nil {
			return err
		}
		if err := db.ledgerExec(ctx, tx, []any{id},
			`DELETE FROM citations WHERE record_type = 'inquiry_finding' AND record_id IN (SELECT id FROM inquiry_findings WHERE inquiry_id = ?)`,
			`DELETE FROM citations WHERE record_type = 'recommendation_status' AND record_id IN (SELECT s.id FROM recommendation_status s
				JOIN recommendations r ON r.id = s.recommendation_id WHERE r.inquiry_id = ?)`,
			`DELETE FROM citations WHERE record_type = 'recommendation' AND record_id IN (SELECT id FROM recommendations WHERE inquiry_id = ?)`,
			`DELETE FROM record_readers WHERE record_type = 'recommendation' AND record_id IN (SELECT id FROM recommendations WHERE inquiry_id = ?)`,
			`DELETE FROM translations WHERE record_type = 'recommendation' AND record_id IN (SELECT id FROM recommendations WHERE inquiry_id = ?)`,
			`DELETE FROM record_languages WHERE record_type = 'recommendation' AND record_id IN (SELECT id FROM recommendations WHERE inquiry_id = ?)`,
			`DELETE FROM citations WHERE record_type = 'inquiry' AND record_id = ?`,
			`DELETE FROM record_readers WHERE record_type = 'inquiry' AND record_id = ?`,
			`DELETE FROM translations WHERE record_type = 'inquiry' AND record_id = ?`, `DELETE FROM record_languages WHERE record_type = 'inquiry' AND record_id = ?`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM inquiries WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("delete inquiry %d: %w", id, err)
		}
		if err := ledgerAffected(res, "inquiry", id); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditDelete, aftermath.RecordInquiry, id, "deleted with its findings and recommendations")
	})
}

func (db *DB) inquiryActors(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, q *aftermath.Inquiry, where string) error {
	if err := db.ledgerActor(ctx, tx, v, &q.Body, where, "body"); err != nil {
		return err
	}
	return db.ledgerActors(ctx, tx, v, q.Subjects, where, "subjects")
}

func inquiryRow(q *aftermath.Inquiry) []any {
	return []any{q.Body.ID, q.Type, q.Title, q.Reference, q.Date, q.Summary, q.Notes}
}

func (db *DB) writeInquiryParts(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, q *aftermath.Inquiry) error {
	if err := db.writeTranslations(ctx, tx, aftermath.RecordInquiry, q.ID, q.Language, q.Translations); err != nil {
		return err
	}
	where := fmt.Sprintf("inquiry %d", q.ID)
	if err := db.placeLedger(ctx, tx, v, aftermath.RecordInquiry, q.ID, &q.Audience, q.Owner, where); err != nil {
		return err
	}
	if err := db.ledgerLinkInterventions(ctx, tx, v, "inquiry_interventions", "inquiry_id", q.ID, q.InterventionIDs, where); err != nil {
		return err
	}
	if err := db.ledgerInsertActors(ctx, tx, "inquiry_subjects", "inquiry_id", q.ID, q.Subjects); err != nil {
		return err
	}
	for i := range q.Findings {
		f := &q.Findings[i]
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO inquiry_findings (inquiry_id, position, text, location, verbatim)
			VALUES (?, ?, ?, ?, ?) RETURNING id`), q.ID, i, f.Text, f.Location, f.Verbatim).Scan(&f.ID); err != nil {
			return err
		}
		if err := db.ledgerWriteCitations(ctx, tx, v, aftermath.RecordFinding, f.ID, f.Citations, fmt.Sprintf("%s: finding %d", where, i+1)); err != nil {
			return err
		}
	}
	return db.ledgerWriteCitations(ctx, tx, v, aftermath.RecordInquiry, q.ID, q.Citations, where)
}

// Inquiry returns an inquiry the viewer may see with its findings;
// ENOTFOUND otherwise. Its recommendations come from RecommendationsOf.
func (db *DB) Inquiry(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Inquiry, error) {
	q := &aftermath.Inquiry{ID: id}
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT a.id, a.name, a.kind, q.type, q.title, q.reference, q.date, q.summary, q.notes,
		q.audience, COALESCE(o.slug, '') FROM inquiries q JOIN actors a ON a.id = q.body_id LEFT JOIN organisations o ON o.id = q.owner_org_id
		WHERE q.id = ? AND `+visible(v, "q", aftermath.RecordInquiry)), id).
		Scan(&q.Body.ID, &q.Body.Name, &q.Body.Kind, &q.Type, &q.Title, &q.Reference, &q.Date, &q.Summary, &q.Notes, &q.Audience, &q.Owner)
	if err := ledgerNotFound(err, "inquiry", id); err != nil {
		return nil, err
	}
	if err := db.ledgerAuditRead(ctx, v, q.Audience, aftermath.RecordInquiry, id); err != nil {
		return nil, err
	}
	if q.InterventionIDs, err = db.ledgerInterventions(ctx, v, "inquiry_interventions", "inquiry_id", id); err != nil {
		return nil, err
	}
	if q.Subjects, err = db.ledgerLinkedActors(ctx, "inquiry_subjects", "inquiry_id", id); err != nil {
		return nil, err
	}
	err = db.each(ctx, `SELECT id, text, location, verbatim FROM inquiry_findings WHERE inquiry_id = ? ORDER BY position`, []any{id},
		func(r *sql.Rows) error {
			var f aftermath.Finding
			err := r.Scan(&f.ID, &f.Text, &f.Location, &f.Verbatim)
			q.Findings = append(q.Findings, f)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("inquiry %d findings: %w", id, err)
	}
	for i := range q.Findings {
		if q.Findings[i].Citations, err = db.Citations(ctx, v, aftermath.RecordFinding, q.Findings[i].ID); err != nil {
			return nil, err
		}
	}
	if q.Citations, err = db.Citations(ctx, v, aftermath.RecordInquiry, id); err != nil {
		return nil, err
	}
	if q.Language, q.Translations, err = db.readTranslations(ctx, aftermath.RecordInquiry, id); err != nil {
		return nil, err
	}
	return q, nil
}

// Inquiries lists the inquiries the viewer may see that match f, oldest
// first.
func (db *DB) Inquiries(ctx context.Context, v aftermath.Viewer, f InquiryFilter) ([]aftermath.Inquiry, error) {
	conds, args := []string{visible(v, "q", aftermath.RecordInquiry)}, []any{}
	if f.InterventionID != 0 {
		conds = append(conds, `EXISTS (SELECT 1 FROM inquiry_interventions x WHERE x.inquiry_id = q.id AND x.intervention_id = ?)`)
		args = append(args, f.InterventionID)
	}
	if f.ActorID != 0 {
		conds = append(conds, `(q.body_id = ? OR EXISTS (SELECT 1 FROM inquiry_subjects x WHERE x.inquiry_id = q.id AND x.actor_id = ?))`)
		args = append(args, f.ActorID, f.ActorID)
	}
	if f.SubjectID != 0 {
		conds = append(conds, `EXISTS (SELECT 1 FROM inquiry_subjects x WHERE x.inquiry_id = q.id AND x.actor_id = ?)`)
		args = append(args, f.SubjectID)
	}
	if f.Reference != "" {
		conds, args = append(conds, `q.reference = ?`), append(args, f.Reference)
	}
	if f.Type != "" {
		conds, args = append(conds, `q.type = ?`), append(args, f.Type)
	}
	ids, err := db.ledgerIDs(ctx, `SELECT q.id FROM inquiries q WHERE `+strings.Join(conds, " AND ")+` ORDER BY q.date, q.id`, args)
	if err != nil {
		return nil, fmt.Errorf("list inquiries: %w", err)
	}
	out := make([]aftermath.Inquiry, 0, len(ids))
	for _, id := range ids {
		q, err := db.Inquiry(ctx, v, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *q)
	}
	return out, nil
}

// ---- recommendations ----

// RecommendationFilter selects recommendations; zero fields select all.
type RecommendationFilter = aftermath.RecommendationFilter

// CreateRecommendation stores a new recommendation of an existing inquiry
// and sets its id. Its history starts empty (status open); r.History is
// ignored: judgements are added with AddRecommendationStatus.
func (db *DB) CreateRecommendation(ctx context.Context, v aftermath.Viewer, r *aftermath.Recommendation) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ledgerCreator(ctx, tx, v, &r.Owner, "recommendation"); err != nil {
			return err
		}
		if err := db.recommendationRefs(ctx, tx, v, r, "recommendation"); err != nil {
			return err
		}
		// A recommendation is part of its inquiry's record: adding one
		// changes the inquiry, which only its own writers may.
		if _, _, err := db.ledgerMayChange(ctx, tx, v, aftermath.RecordInquiry, r.InquiryID); err != nil {
			return err
		}
		now := db.ledgerNow()
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO recommendations (inquiry_id, number, addressee_id, text, verbatim, response,
			response_date, deadline, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			append(recommendationRow(r), now, now)...).Scan(&r.ID)
		if err != nil {
			return fmt.Errorf("create recommendation: %w", err)
		}
		r.History = nil
		if err := db.writeRecommendationParts(ctx, tx, v, r); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditCreate, aftermath.RecordRecommendation, r.ID, "created")
	})
}

// UpdateRecommendation replaces the fields, recurrence links and citations
// of the stored recommendation r.ID. The status history is not touched.
func (db *DB) UpdateRecommendation(ctx context.Context, v aftermath.Viewer, r *aftermath.Recommendation) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		where := fmt.Sprintf("recommendation %d", r.ID)
		if err := db.ledgerChanger(ctx, tx, v, aftermath.RecordRecommendation, r.ID, &r.Owner, where); err != nil {
			return err
		}
		if err := db.recommendationRefs(ctx, tx, v, r, where); err != nil {
			return err
		}
		if _, _, err := db.ledgerMayChange(ctx, tx, v, aftermath.RecordInquiry, r.InquiryID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE recommendations SET inquiry_id = ?, number = ?, addressee_id = ?, text = ?, verbatim = ?,
			response = ?, response_date = ?, deadline = ?, updated_at = ? WHERE id = ?`), append(recommendationRow(r), db.ledgerNow(), r.ID)...)
		if err != nil {
			return fmt.Errorf("update %s: %w", where, err)
		}
		if err := ledgerAffected(res, "recommendation", r.ID); err != nil {
			return err
		}
		if err := db.ledgerExec(ctx, tx, []any{r.ID}, `DELETE FROM recommendation_recurrences WHERE recommendation_id = ?`,
			`DELETE FROM citations WHERE record_type = 'recommendation' AND record_id = ?`); err != nil {
			return err
		}
		if err := db.writeRecommendationParts(ctx, tx, v, r); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditUpdate, aftermath.RecordRecommendation, r.ID, "updated")
	})
}

// DeleteRecommendation removes a recommendation with its history and
// citations.
func (db *DB) DeleteRecommendation(ctx context.Context, v aftermath.Viewer, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, _, err := db.ledgerMayChange(ctx, tx, v, aftermath.RecordRecommendation, id); err != nil {
			return err
		}
		if err := bumpIfPublic(ctx, tx, db, "recommendations", id); err != nil {
			return err
		}
		if err := db.ledgerExec(ctx, tx, []any{id},
			`DELETE FROM citations WHERE record_type = 'recommendation_status' AND record_id IN (SELECT id FROM recommendation_status WHERE recommendation_id = ?)`,
			`DELETE FROM citations WHERE record_type = 'recommendation' AND record_id = ?`,
			`DELETE FROM record_readers WHERE record_type = 'recommendation' AND record_id = ?`,
			`DELETE FROM translations WHERE record_type = 'recommendation' AND record_id = ?`, `DELETE FROM record_languages WHERE record_type = 'recommendation' AND record_id = ?`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM recommendations WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("delete recommendation %d: %w", id, err)
		}
		if err := ledgerAffected(res, "recommendation", id); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditDelete, aftermath.RecordRecommendation, id, "deleted with its status history")
	})
}

func (db *DB) recommendationRefs(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, r *aftermath.Recommendation, where string) error {
	var n int
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM inquiries q WHERE q.id = ? AND `+visible(v, "q", aftermath.RecordInquiry)),
		r.InquiryID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return aftermath.Errorf(aftermath.EINVALID, "%s: inquiry_id: no inquiry %d", where, r.InquiryID)
	}
	if err := db.ledgerActor(ctx, tx, v, &r.Addressee, where, "addressee"); err != nil {
		return err
	}
	for i, x := range r.Recurrences {
		if x.Kind != "decision" {
			continue
		}
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM decisions d WHERE d.id = ? AND `+visible(v, "d", aftermath.RecordDecision)), x.DecisionID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return aftermath.Errorf(aftermath.EINVALID, "%s: recurrence %d: no decision %d", where, i+1, x.DecisionID)
		}
	}
	return nil
}

func recommendationRow(r *aftermath.Recommendation) []any {
	return []any{r.InquiryID, r.Number, r.Addressee.ID, r.Text, r.Verbatim, r.Response, r.ResponseDate, r.Deadline}
}

func (db *DB) writeRecommendationParts(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, r *aftermath.Recommendation) error {
	if err := db.writeTranslations(ctx, tx, aftermath.RecordRecommendation, r.ID, r.Language, r.Translations); err != nil {
		return err
	}
	where := fmt.Sprintf("recommendation %d", r.ID)
	if err := db.placeLedger(ctx, tx, v, aftermath.RecordRecommendation, r.ID, &r.Audience, r.Owner, where); err != nil {
		return err
	}
	for i := range r.Recurrences {
		x := &r.Recurrences[i]
		var decision any
		if x.Kind == "decision" {
			decision = x.DecisionID
		}
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO recommendation_recurrences (recommendation_id, position, kind, dataset, native_id,
			decision_id, note) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), r.ID, i, x.Kind, x.Dataset, x.NativeID, decision, x.Note).Scan(&x.ID); err != nil {
			return err
		}
	}
	return db.ledgerWriteCitations(ctx, tx, v, aftermath.RecordRecommendation, r.ID, r.Citations, where)
}

// AddRecommendationStatus appends a judgement to a recommendation's
// history and sets sc.ID. Any status but open needs who judged, written
// criteria and at least one citation (aftermath.StatusChange.Validate).
// The date may not precede the previous change, the inquiry, or be in
// the future: the history reads in order and records what was known.
func (db *DB) AddRecommendationStatus(ctx context.Context, v aftermath.Viewer, recommendationID int64, sc *aftermath.StatusChange) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		where := fmt.Sprintf("recommendation %d: status %s", recommendationID, sc.Status)
		if _, _, err := db.ledgerMayChange(ctx, tx, v, aftermath.RecordRecommendation, recommendationID); err != nil {
			return err
		}
		var inquiryDate string
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT q.date FROM recommendations r JOIN inquiries q ON q.id = r.inquiry_id WHERE r.id = ?`),
			recommendationID).Scan(&inquiryDate)
		if err := ledgerNotFound(err, "recommendation", recommendationID); err != nil {
			return err
		}
		if sc.Date < inquiryDate {
			return aftermath.Errorf(aftermath.EINVALID, "%s: date %s is before the inquiry reported (%s)", where, sc.Date, inquiryDate)
		}
		if today := db.ledgerToday(); sc.Date > today {
			return aftermath.Errorf(aftermath.EINVALID, "%s: date %s is in the future (today is %s)", where, sc.Date, today)
		}
		var prev string
		err = tx.QueryRowContext(ctx, db.rebind(`SELECT date FROM recommendation_status WHERE recommendation_id = ? ORDER BY date DESC, id DESC LIMIT 1`),
			recommendationID).Scan(&prev)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		if sc.Date < prev {
			return aftermath.Errorf(aftermath.EINVALID, "%s: date %s is earlier than the previous change (%s); the history is append-only", where, sc.Date, prev)
		}
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO recommendation_status (recommendation_id, status, date, judged_by, criteria, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), recommendationID, sc.Status, sc.Date, strings.TrimSpace(sc.JudgedBy),
			strings.TrimSpace(sc.Criteria), sc.Note, db.ledgerNow()).Scan(&sc.ID); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE recommendations SET updated_at = ? WHERE id = ?`), db.ledgerNow(), recommendationID); err != nil {
			return err
		}
		if err := db.ledgerWriteCitations(ctx, tx, v, aftermath.RecordStatusChange, sc.ID, sc.Citations, where); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditUpdate, aftermath.RecordRecommendation, recommendationID, fmt.Sprintf("status %s as of %s (change %d)", sc.Status, sc.Date, sc.ID))
	})
}

// Recommendation returns a recommendation the viewer may see (it and its
// inquiry) with its history, current status and overdue flag; ENOTFOUND
// otherwise.
func (db *DB) Recommendation(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Recommendation, error) {
	r := &aftermath.Recommendation{ID: id}
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT r.inquiry_id, r.number, a.id, a.name, a.kind, r.text, r.verbatim, r.response,
		r.response_date, r.deadline, r.audience, COALESCE(o.slug, '') FROM recommendations r JOIN inquiries q ON q.id = r.inquiry_id
		JOIN actors a ON a.id = r.addressee_id LEFT JOIN organisations o ON o.id = r.owner_org_id
		WHERE r.id = ? AND `+recVisible(v, "r", "q")), id).
		Scan(&r.InquiryID, &r.Number, &r.Addressee.ID, &r.Addressee.Name, &r.Addressee.Kind, &r.Text, &r.Verbatim, &r.Response,
			&r.ResponseDate, &r.Deadline, &r.Audience, &r.Owner)
	if err := ledgerNotFound(err, "recommendation", id); err != nil {
		return nil, err
	}
	if err := db.ledgerAuditRead(ctx, v, r.Audience, aftermath.RecordRecommendation, id); err != nil {
		return nil, err
	}
	r.History = []aftermath.StatusChange{}
	err = db.each(ctx, `SELECT id, status, date, judged_by, criteria, note FROM recommendation_status WHERE recommendation_id = ? ORDER BY date, id`,
		[]any{id}, func(rows *sql.Rows) error {
			var s aftermath.StatusChange
			err := rows.Scan(&s.ID, &s.Status, &s.Date, &s.JudgedBy, &s.Criteria, &s.Note)
			r.History = append(r.History, s)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("recommendation %d history: %w", id, err)
	}
	for i := range r.History {
		if r.History[i].Citations, err = db.Citations(ctx, v, aftermath.RecordStatusChange, r.History[i].ID); err != nil {
			return nil, err
		}
	}
	// Event links show unless their dataset is hidden from the viewer (a
	// dataset not imported yet hides nothing); decision links show when
	// the decision does.
	err = db.each(ctx, `SELECT x.id, x.kind, x.dataset, x.native_id, COALESCE(x.decision_id, 0), x.note FROM recommendation_recurrences x
		WHERE x.recommendation_id = ? AND ((x.kind = 'event' AND NOT EXISTS (SELECT 1 FROM datasets d WHERE d.name = x.dataset
			AND NOT (`+visible(v, "d", "dataset")+`)))
		OR (x.kind = 'decision' AND EXISTS (SELECT 1 FROM decisions d WHERE d.id = x.decision_id AND `+visible(v, "d", aftermath.RecordDecision)+`)))
		ORDER BY x.position`, []any{id}, func(rows *sql.Rows) error {
		var x aftermath.Recurrence
		err := rows.Scan(&x.ID, &x.Kind, &x.Dataset, &x.NativeID, &x.DecisionID, &x.Note)
		r.Recurrences = append(r.Recurrences, x)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("recommendation %d recurrences: %w", id, err)
	}
	if r.Citations, err = db.Citations(ctx, v, aftermath.RecordRecommendation, id); err != nil {
		return nil, err
	}
	db.ledgerComputeStatus(r)
	if r.Language, r.Translations, err = db.readTranslations(ctx, aftermath.RecordRecommendation, id); err != nil {
		return nil, err
	}
	return r, nil
}

func (db *DB) ledgerComputeStatus(r *aftermath.Recommendation) {
	r.Status, r.StatusDate = r.CurrentStatus(), ""
	if n := len(r.History); n > 0 {
		r.StatusDate = r.History[n-1].Date
	}
	r.Overdue = r.OverdueOn(db.ledgerToday())
}

// Recommendations lists the recommendations the viewer may see that match
// f, by inquiry date, inquiry and id.
func (db *DB) Recommendations(ctx context.Context, v aftermath.Viewer, f RecommendationFilter) ([]aftermath.Recommendation, error) {
	if f.Status != "" && !slices.Contains(aftermath.RecommendationStatuses, f.Status) {
		return nil, aftermath.Errorf(aftermath.EINVALID, "status %q is not one of %s", f.Status, strings.Join(aftermath.RecommendationStatuses, ", "))
	}
	conds, args := []string{recVisible(v, "r", "q")}, []any{}
	if f.InquiryID != 0 {
		conds, args = append(conds, `r.inquiry_id = ?`), append(args, f.InquiryID)
	}
	if f.AddresseeID != 0 {
		conds, args = append(conds, `r.addressee_id = ?`), append(args, f.AddresseeID)
	}
	if f.InterventionID != 0 {
		conds = append(conds, `EXISTS (SELECT 1 FROM inquiry_interventions x WHERE x.inquiry_id = q.id AND x.intervention_id = ?)`)
		args = append(args, f.InterventionID)
	}
	ids, err := db.ledgerIDs(ctx, `SELECT r.id FROM recommendations r JOIN inquiries q ON q.id = r.inquiry_id WHERE `+strings.Join(conds, " AND ")+`
		ORDER BY q.date, q.id, r.id`, args)
	if err != nil {
		return nil, fmt.Errorf("list recommendations: %w", err)
	}
	out := make([]aftermath.Recommendation, 0, len(ids))
	for _, id := range ids {
		r, err := db.Recommendation(ctx, v, id)
		if err != nil {
			return nil, err
		}
		if (f.Status != "" && r.Status != f.Status) || (f.OverdueOnly && !r.Overdue) {
			continue
		}
		out = append(out, *r)
	}
	return out, nil
}

// RecommendationsOf lists the recommendations of an inquiry the viewer may
// see; ENOTFOUND if the inquiry is hidden or missing.
func (db *DB) RecommendationsOf(ctx context.Context, v aftermath.Viewer, inquiryID int64) ([]aftermath.Recommendation, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM inquiries q WHERE q.id = ? AND `+visible(v, "q", aftermath.RecordInquiry)),
		inquiryID).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no inquiry %d", inquiryID)
	}
	return db.Recommendations(ctx, v, RecommendationFilter{InquiryID: inquiryID})
}

// ---- claims ----

// ClaimFilter selects claims; zero fields select all.
type ClaimFilter = aftermath.ClaimFilter

// CreateClaim stores a new claim and sets its id.
func (db *DB) CreateClaim(ctx context.Context, v aftermath.Viewer, c *aftermath.Claim) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ledgerCreator(ctx, tx, v, &c.Owner, "claim"); err != nil {
			return err
		}
		if err := db.ledgerActor(ctx, tx, v, &c.Author, "claim", "author"); err != nil {
			return err
		}
		now := db.ledgerNow()
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO claims (author_id, date, appearance_url, appearance_title, text, verbatim, verdict,
			reasoning, reviewed_by, published, published_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			append(claimRow(c), now, now)...).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("create claim: %w", err)
		}
		if err := db.writeClaimParts(ctx, tx, v, c); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditCreate, aftermath.RecordClaim, c.ID, "created")
	})
}

// UpdateClaim replaces every field of the stored claim c.ID.
func (db *DB) UpdateClaim(ctx context.Context, v aftermath.Viewer, c *aftermath.Claim) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		where := fmt.Sprintf("claim %d", c.ID)
		if err := db.ledgerChanger(ctx, tx, v, aftermath.RecordClaim, c.ID, &c.Owner, where); err != nil {
			return err
		}
		if err := db.ledgerActor(ctx, tx, v, &c.Author, where, "author"); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE claims SET author_id = ?, date = ?, appearance_url = ?, appearance_title = ?, text = ?,
			verbatim = ?, verdict = ?, reasoning = ?, reviewed_by = ?, published = ?, published_date = ?, updated_at = ? WHERE id = ?`),
			append(claimRow(c), db.ledgerNow(), c.ID)...)
		if err != nil {
			return fmt.Errorf("update %s: %w", where, err)
		}
		if err := ledgerAffected(res, "claim", c.ID); err != nil {
			return err
		}
		if err := db.ledgerExec(ctx, tx, []any{c.ID}, `DELETE FROM claim_evidence WHERE claim_id = ?`, `DELETE FROM claim_interventions WHERE claim_id = ?`,
			`DELETE FROM citations WHERE record_type = 'claim' AND record_id = ?`); err != nil {
			return err
		}
		if err := db.writeClaimParts(ctx, tx, v, c); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditUpdate, aftermath.RecordClaim, c.ID, "updated")
	})
}

// DeleteClaim removes a claim and its citations.
func (db *DB) DeleteClaim(ctx context.Context, v aftermath.Viewer, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, _, err := db.ledgerMayChange(ctx, tx, v, aftermath.RecordClaim, id); err != nil {
			return err
		}
		if err := bumpIfPublic(ctx, tx, db, "claims", id); err != nil {
			return err
		}
		if err := db.ledgerExec(ctx, tx, []any{id}, `DELETE FROM citations WHERE record_type = 'claim' AND record_id = ?`,
			`DELETE FROM record_readers WHERE record_type = 'claim' AND record_id = ?`,
			`DELETE FROM translations WHERE record_type = 'claim' AND record_id = ?`, `DELETE FROM record_languages WHERE record_type = 'claim' AND record_id = ?`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM claims WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("delete claim %d: %w", id, err)
		}
		if err := ledgerAffected(res, "claim", id); err != nil {
			return err
		}
		return db.ledgerAudit(ctx, tx, v, aftermath.AuditDelete, aftermath.RecordClaim, id, "deleted")
	})
}

func claimRow(c *aftermath.Claim) []any {
	return []any{c.Author.ID, c.Date, c.AppearanceURL, c.AppearanceTitle, c.Text, c.Verbatim, c.Verdict, c.Reasoning,
		strings.TrimSpace(c.ReviewedBy), c.Published, c.PublishedDate}
}

func (db *DB) writeClaimParts(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, c *aftermath.Claim) error {
	if err := db.writeTranslations(ctx, tx, aftermath.RecordClaim, c.ID, c.Language, c.Translations); err != nil {
		return err
	}
	where := fmt.Sprintf("claim %d", c.ID)
	if err := db.placeLedger(ctx, tx, v, aftermath.RecordClaim, c.ID, &c.Audience, c.Owner, where); err != nil {
		return err
	}
	if err := db.ledgerLinkInterventions(ctx, tx, v, "claim_interventions", "claim_id", c.ID, c.InterventionIDs, where); err != nil {
		return err
	}
	for i := range c.Evidence {
		e := &c.Evidence[i]
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO claim_evidence (claim_id, position, kind, ref, note) VALUES (?, ?, ?, ?, ?) RETURNING id`),
			c.ID, i, e.Kind, strings.TrimSpace(e.Ref), e.Note).Scan(&e.ID); err != nil {
			return err
		}
	}
	return db.ledgerWriteCitations(ctx, tx, v, aftermath.RecordClaim, c.ID, c.Citations, where)
}

// Claim returns a claim the viewer may see; ENOTFOUND otherwise. Evidence
// links to events of hidden datasets, and to sources or interventions the
// viewer may not see, are left out.
func (db *DB) Claim(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Claim, error) {
	c := &aftermath.Claim{ID: id}
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT a.id, a.name, a.kind, c.date, c.appearance_url, c.appearance_title, c.text, c.verbatim,
		c.verdict, c.reasoning, c.reviewed_by, c.published, c.published_date, c.audience, COALESCE(o.slug, '')
		FROM claims c JOIN actors a ON a.id = c.author_id LEFT JOIN organisations o ON o.id = c.owner_org_id
		WHERE c.id = ? AND `+visible(v, "c", aftermath.RecordClaim)), id).
		Scan(&c.Author.ID, &c.Author.Name, &c.Author.Kind, &c.Date, &c.AppearanceURL, &c.AppearanceTitle, &c.Text, &c.Verbatim,
			&c.Verdict, &c.Reasoning, &c.ReviewedBy, &c.Published, &c.PublishedDate, &c.Audience, &c.Owner)
	if err := ledgerNotFound(err, "claim", id); err != nil {
		return nil, err
	}
	if err := db.ledgerAuditRead(ctx, v, c.Audience, aftermath.RecordClaim, id); err != nil {
		return nil, err
	}
	var links []aftermath.EvidenceLink
	err = db.each(ctx, `SELECT id, kind, ref, note FROM claim_evidence WHERE claim_id = ? ORDER BY position`, []any{id}, func(r *sql.Rows) error {
		var e aftermath.EvidenceLink
		err := r.Scan(&e.ID, &e.Kind, &e.Ref, &e.Note)
		links = append(links, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim %d evidence: %w", id, err)
	}
	for _, e := range links {
		ok, err := db.evidenceVisible(ctx, v, e)
		if err != nil {
			return nil, err
		}
		if ok {
			c.Evidence = append(c.Evidence, e)
		}
	}
	if c.InterventionIDs, err = db.ledgerInterventions(ctx, v, "claim_interventions", "claim_id", id); err != nil {
		return nil, err
	}
	if c.Citations, err = db.Citations(ctx, v, aftermath.RecordClaim, id); err != nil {
		return nil, err
	}
	if c.Language, c.Translations, err = db.readTranslations(ctx, aftermath.RecordClaim, id); err != nil {
		return nil, err
	}
	return c, nil
}

// evidenceVisible tells whether v may see what an evidence link points at,
// as far as the store can tell; testimony and analysis links are resolved,
// with the viewer, by whoever follows them.
func (db *DB) evidenceVisible(ctx context.Context, v aftermath.Viewer, e aftermath.EvidenceLink) (bool, error) {
	if v.All {
		return true, nil
	}
	var n int
	var err error
	switch e.Kind {
	case "event":
		dataset, _, _ := strings.Cut(e.Ref, ":")
		err = db.read.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM datasets d WHERE d.name = ? AND NOT (`+visible(v, "d", "dataset")+`)`),
			slugKey(dataset)).Scan(&n)
		return n == 0, err
	case "source":
		id, perr := strconv.ParseInt(e.Ref, 10, 64)
		if perr != nil {
			return true, nil
		}
		err = db.read.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM sources s WHERE s.id = ? AND NOT (`+visible(v, "s", "source")+`)`),
			id).Scan(&n)
		return n == 0, err
	case "intervention":
		err = db.read.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM interventions i WHERE (CAST(i.id AS TEXT) = ? OR i.slug = ?)
			AND NOT (`+visible(v, "i", "intervention")+`)`), e.Ref, e.Ref).Scan(&n)
		return n == 0, err
	}
	return true, nil
}

// Claims lists the claims the viewer may see that match f, oldest first.
func (db *DB) Claims(ctx context.Context, v aftermath.Viewer, f ClaimFilter) ([]aftermath.Claim, error) {
	if _, ok := aftermath.VerdictByName(f.Verdict); f.Verdict != "" && !ok {
		return nil, aftermath.Errorf(aftermath.EINVALID, "verdict %q is not on the scale (false, mostly-false, mixed, mostly-accurate, accurate)", f.Verdict)
	}
	conds, args := []string{visible(v, "c", aftermath.RecordClaim)}, []any{}
	if f.AuthorID != 0 {
		conds, args = append(conds, `c.author_id = ?`), append(args, f.AuthorID)
	}
	if f.InterventionID != 0 {
		conds = append(conds, `EXISTS (SELECT 1 FROM claim_interventions x WHERE x.claim_id = c.id AND x.intervention_id = ?)`)
		args = append(args, f.InterventionID)
	}
	if f.Verdict != "" {
		conds, args = append(conds, `c.verdict = ?`), append(args, f.Verdict)
	}
	if f.PublishedOnly {
		conds, args = append(conds, `c.published = ?`), append(args, true)
	}
	ids, err := db.ledgerIDs(ctx, `SELECT c.id FROM claims c WHERE `+strings.Join(conds, " AND ")+` ORDER BY c.date, c.id`, args)
	if err != nil {
		return nil, fmt.Errorf("list claims: %w", err)
	}
	out := make([]aftermath.Claim, 0, len(ids))
	for _, id := range ids {
		c, err := db.Claim(ctx, v, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

// ---- timelines and scorecards ----

type TimelineFilter = aftermath.TimelineFilter

// timelineOrder puts same-day items in the order things happen: a decision,
// then the review, its recommendations, their judgements, then claims.
var timelineOrder = map[string]int{aftermath.TimelineDecision: 0, aftermath.TimelineInquiry: 1,
	aftermath.TimelineRecommendation: 2, aftermath.TimelineStatus: 3, aftermath.TimelineClaim: 4}

// LedgerTimeline returns the dated ledger records the viewer may see for
// an intervention or an actor, by date: decisions (linked to it / made by
// or naming the actor), inquiries (linked / conducted by or examining the
// actor), their recommendations (dated by the inquiry, with current status
// and overdue flag; for an actor: those addressed to it), each status
// change, and claims (linked / made by the actor).
func (db *DB) LedgerTimeline(ctx context.Context, v aftermath.Viewer, f TimelineFilter) ([]aftermath.TimelineItem, error) {
	var items []aftermath.TimelineItem
	ds, err := db.Decisions(ctx, v, DecisionFilter{InterventionID: f.InterventionID, ActorID: f.ActorID})
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		items = append(items, aftermath.TimelineItem{Date: d.Date, Type: aftermath.TimelineDecision, ID: d.ID, Title: d.Summary, Actor: d.Maker.Name})
	}
	qs, err := db.Inquiries(ctx, v, InquiryFilter{InterventionID: f.InterventionID, ActorID: f.ActorID})
	if err != nil {
		return nil, err
	}
	inquiryDate := map[int64]string{}
	for _, q := range qs {
		inquiryDate[q.ID] = q.Date
		items = append(items, aftermath.TimelineItem{Date: q.Date, Type: aftermath.TimelineInquiry, ID: q.ID, Title: q.Title, Actor: q.Body.Name})
	}
	rs, err := db.Recommendations(ctx, v, RecommendationFilter{InterventionID: f.InterventionID, AddresseeID: f.ActorID})
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		date, ok := inquiryDate[r.InquiryID]
		if !ok {
			q, err := db.Inquiry(ctx, v, r.InquiryID)
			if err != nil {
				return nil, err
			}
			date = q.Date
		}
		items = append(items, aftermath.TimelineItem{Date: date, Type: aftermath.TimelineRecommendation, ID: r.ID, Title: r.Text,
			Actor: r.Addressee.Name, Status: r.Status, Overdue: r.Overdue})
		for _, s := range r.History {
			items = append(items, aftermath.TimelineItem{Date: s.Date, Type: aftermath.TimelineStatus, ID: r.ID, ChangeID: s.ID,
				Title: r.Text, Actor: s.JudgedBy, Status: s.Status})
		}
	}
	cs, err := db.Claims(ctx, v, ClaimFilter{AuthorID: f.ActorID, InterventionID: f.InterventionID})
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		it := aftermath.TimelineItem{Date: c.Date, Type: aftermath.TimelineClaim, ID: c.ID, Title: c.Text, Actor: c.Author.Name}
		if c.Published {
			it.Verdict = c.Verdict
		}
		items = append(items, it)
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.Date != b.Date {
			return a.Date < b.Date
		}
		if a.Type != b.Type {
			return timelineOrder[a.Type] < timelineOrder[b.Type]
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.ChangeID < b.ChangeID
	})
	return items, nil
}

func ledgerFigure(recordType string) aftermath.Figure {
	return aftermath.Figure{RecordType: recordType, IDs: []int64{}}
}

// Scorecard sums an actor's ledger record as the viewer may see it, each
// figure with the ids of the records it counts; ENOTFOUND if the actor is
// hidden from the viewer. Interventions backed are those naming the actor
// as a backer by the same name or a dataset spelling of it; only
// published claim reviews count.
func (db *DB) Scorecard(ctx context.Context, v aftermath.Viewer, actorID int64) (*aftermath.Scorecard, error) {
	a, err := db.Actor(ctx, v, actorID)
	if err != nil {
		return nil, err
	}
	sc := &aftermath.Scorecard{ActorID: a.ID, ActorName: a.Name,
		Decisions: ledgerFigure(aftermath.RecordDecision), InterventionsBacked: ledgerFigure("intervention"), Inquiries: ledgerFigure(aftermath.RecordInquiry),
		Recommendations: ledgerFigure(aftermath.RecordRecommendation), Open: ledgerFigure(aftermath.RecordRecommendation),
		Implemented: ledgerFigure(aftermath.RecordRecommendation), PartlyImplemented: ledgerFigure(aftermath.RecordRecommendation),
		NotImplemented: ledgerFigure(aftermath.RecordRecommendation), Superseded: ledgerFigure(aftermath.RecordRecommendation),
		Overdue: ledgerFigure(aftermath.RecordRecommendation), ClaimsReviewed: ledgerFigure(aftermath.RecordClaim),
		ClaimsContradicted: ledgerFigure(aftermath.RecordClaim)}
	ids, err := db.ledgerIDs(ctx, `SELECT d.id FROM decisions d WHERE d.maker_id = ? AND `+visible(v, "d", aftermath.RecordDecision)+` ORDER BY d.date, d.id`,
		[]any{actorID})
	if err != nil {
		return nil, fmt.Errorf("scorecard: %w", err)
	}
	for _, id := range ids {
		sc.Decisions.Add(id)
	}
	ids, err = db.ledgerIDs(ctx, `SELECT i.id FROM interventions i WHERE `+visible(v, "i", "intervention")+` AND EXISTS (SELECT 1 FROM intervention_actors x
		WHERE x.intervention_id = i.id AND x.role = 'backer' AND (lower(x.name) = lower(?) OR EXISTS (SELECT 1 FROM intervention_actor_aliases ia
		JOIN actor_aliases aa ON aa.dataset = ia.dataset AND aa.name = ia.name WHERE ia.intervention_actor_id = x.id AND aa.actor_id = ?)))
		ORDER BY i.id`, []any{a.Name, actorID})
	if err != nil {
		return nil, fmt.Errorf("scorecard: %w", err)
	}
	for _, id := range ids {
		sc.InterventionsBacked.Add(id)
	}
	ids, err = db.ledgerIDs(ctx, `SELECT q.id FROM inquiries q WHERE EXISTS (SELECT 1 FROM inquiry_subjects x WHERE x.inquiry_id = q.id AND x.actor_id = ?)
		AND `+visible(v, "q", aftermath.RecordInquiry)+` ORDER BY q.date, q.id`, []any{actorID})
	if err != nil {
		return nil, fmt.Errorf("scorecard: %w", err)
	}
	for _, id := range ids {
		sc.Inquiries.Add(id)
	}
	rs, err := db.Recommendations(ctx, v, RecommendationFilter{AddresseeID: actorID})
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		sc.Recommendations.Add(r.ID)
		switch r.Status {
		case aftermath.StatusOpen:
			sc.Open.Add(r.ID)
		case aftermath.StatusImplemented:
			sc.Implemented.Add(r.ID)
		case aftermath.StatusPartlyImplemented:
			sc.PartlyImplemented.Add(r.ID)
		case aftermath.StatusNotImplemented:
			sc.NotImplemented.Add(r.ID)
		case aftermath.StatusSuperseded:
			sc.Superseded.Add(r.ID)
		}
		if r.Overdue {
			sc.Overdue.Add(r.ID)
		}
	}
	if n := sc.Recommendations.Count - sc.Superseded.Count; n > 0 {
		share := float64(sc.Implemented.Count) / float64(n)
		sc.ShareImplemented = &share
	}
	cs, err := db.Claims(ctx, v, ClaimFilter{AuthorID: actorID, PublishedOnly: true})
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		sc.ClaimsReviewed.Add(c.ID)
		if aftermath.Contradicted(c.Verdict) {
			sc.ClaimsContradicted.Add(c.ID)
		}
	}
	return sc, nil
}
