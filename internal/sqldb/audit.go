package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftermath"
)

// The audit log is append-only and hash-chained: each entry's hash is
// SHA-256 over a canonical encoding of its fields and the previous
// entry's hash. Changing or removing any entry breaks the chain at that
// entry or the next one, which AuditVerify reports. Entries are appended
// inside the transaction of the change they record, so a change that
// rolls back leaves no entry, and a committed change always has one.
//
// The chain has no secret: someone who can write the database could
// rebuild it from the altered entry on. Keeping the head hash that
// AuditVerify reports somewhere else (a printout, another system) and
// checking it later with --head closes that gap.

// auditLock is the PostgreSQL advisory lock that makes appends take
// turns, so the chain stays one line (SQLite has one writer anyway).
const auditLock = 4702

// appendAudit adds an entry within tx, filling its ID, At, PrevHash and
// Hash. Call it as the last step of a transaction: on PostgreSQL it takes
// a lock that other writers wait for until the transaction ends.
func (db *DB) appendAudit(ctx context.Context, tx *sql.Tx, e *aftermath.AuditEntry) error {
	if !slices.Contains(aftermath.AuditActions, e.Action) {
		return fmt.Errorf("audit: unknown action %q", e.Action)
	}
	if db.Driver == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+strconv.Itoa(auditLock)+`)`); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
	}
	var last int64
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("audit: %w", err)
	}
	e.ID, e.PrevHash = last+1, prev
	e.At = db.Now().UTC()
	at := e.At.Format(time.RFC3339Nano)
	e.Hash = auditHash(e.ID, at, e.ActorID, e.Action, e.RecordType, e.RecordID, e.Detail, e.PrevHash)
	_, err = tx.ExecContext(ctx, db.rebind(`INSERT INTO audit_log (id, at, actor_user_id, action, record_type, record_id, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), e.ID, at, nullID(e.ActorID), e.Action, e.RecordType, nullID(e.RecordID), e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// auditHash encodes every field as its length and its bytes, so no two
// different entries encode alike, and hashes that with the previous hash.
func auditHash(id int64, at string, actor int64, action, recordType string, recordID int64, detail, prev string) string {
	h := sha256.New()
	h.Write([]byte("aftermath audit v1"))
	for _, f := range []string{strconv.FormatInt(id, 10), at, idText(actor), action, recordType, idText(recordID), detail, prev} {
		h.Write([]byte("\n" + strconv.Itoa(len(f)) + ":"))
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// AppendAudit records an action that changes nothing in this package's
// tables (an export, a page of confidential material read elsewhere) in
// a transaction of its own.
func (db *DB) AppendAudit(ctx context.Context, e aftermath.AuditEntry) (*aftermath.AuditEntry, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error { return db.appendAudit(ctx, tx, &e) })
	if err != nil {
		return nil, err
	}
	return &e, nil
}

type AuditBreak = aftermath.AuditBreak

type AuditReport = aftermath.AuditReport

// VerifyAudit is AuditVerify for viewer v, who must be an admin (or the
// system): the walk reads every organisation's entries.
func (db *DB) VerifyAudit(ctx context.Context, v aftermath.Viewer, heads ...string) (*AuditReport, error) {
	ok, err := db.isAdmin(ctx, v)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, aftermath.Errorf(aftermath.EFORBIDDEN, "only an admin may verify the audit log")
	}
	return db.AuditVerify(ctx, heads...)
}

// AuditVerify walks the log in order and reports the first entry whose
// contents do not match its hash, or whose link to the previous entry is
// broken (an entry before it was removed or altered). Heads are hashes
// noted earlier; each must still be in the chain.
func (db *DB) AuditVerify(ctx context.Context, heads ...string) (*AuditReport, error) {
	r := &AuditReport{}
	want := map[string]bool{}
	for _, h := range heads {
		want[h] = true
	}
	var prev string
	var prevID int64
	err := db.each(ctx, `SELECT id, at, actor_user_id, action, record_type, record_id, detail, prev_hash, hash FROM audit_log ORDER BY id`, nil,
		func(rows *sql.Rows) error {
			var id int64
			var at, action, rt, detail, ph, hash string
			var actor, rid sql.NullInt64
			if err := rows.Scan(&id, &at, &actor, &action, &rt, &rid, &detail, &ph, &hash); err != nil {
				return err
			}
			r.Entries++
			delete(want, hash)
			if r.Break != nil {
				return nil // keep counting
			}
			switch {
			case ph != prev && prevID == 0:
				r.Break = &AuditBreak{ID: id, Reason: "the log does not start here: earlier entries were removed"}
			case ph != prev:
				r.Break = &AuditBreak{ID: id, Reason: fmt.Sprintf("it does not follow entry %d: an entry between them was removed or altered", prevID)}
			case auditHash(id, at, actor.Int64, action, rt, rid.Int64, detail, ph) != hash:
				r.Break = &AuditBreak{ID: id, Reason: "its contents do not match its hash: the entry was altered"}
			}
			prev, prevID = hash, id
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("audit verify: %w", err)
	}
	r.Head = prev
	for h := range want {
		r.Missing = append(r.Missing, h)
	}
	slices.Sort(r.Missing)
	return r, nil
}

// auditOwnedTables are the record types of the audit log whose rows name
// an owning organisation.
var auditOwnedTables = map[string]string{
	"dataset": "datasets", "intervention": "interventions", "source": "sources", "testimony": "testimonies",
	"consultation": "consultations", "decision": "decisions", "inquiry": "inquiries", "recommendation": "recommendations", "claim": "claims",
}

// AuditExport records that a reader exported records, the rule for every
// download in one place: a signed-in reader's (or the system's) export
// may hold records that are not public and goes in the log; an anonymous
// one holds public records only and would fill the log with traffic.
func (db *DB) AuditExport(ctx context.Context, v aftermath.Viewer, recordType string, id int64, detail string) error {
	if v.UserID == 0 && !v.All {
		return nil
	}
	_, err := db.AppendAudit(ctx, aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditExport, RecordType: recordType, RecordID: id, Detail: detail})
	return err
}

type AuditFilter = aftermath.AuditFilter

// AuditEntries lists entries for the system, or for an admin the entries
// of their organisations: what their members did, and what was done to
// records their organisations own. EFORBIDDEN for anyone else. (One
// organisation's admin does not learn from the log what another holds.)
func (db *DB) AuditEntries(ctx context.Context, v aftermath.Viewer, f AuditFilter) ([]aftermath.AuditEntry, error) {
	ok, err := db.isAdmin(ctx, v)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, aftermath.Errorf(aftermath.EFORBIDDEN, "only admins read the audit log")
	}
	q := `SELECT id, at, actor_user_id, action, record_type, record_id, detail, prev_hash, hash FROM audit_log WHERE 1 = 1`
	if !v.All {
		var orgs []int64
		err := db.each(ctx, `SELECT org_id FROM memberships WHERE user_id = ? AND role = 'admin' ORDER BY org_id`, []any{v.UserID}, func(r *sql.Rows) error {
			var o int64
			err := r.Scan(&o)
			orgs = append(orgs, o)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("audit entries: %w", err)
		}
		in := ints(orgs)
		scope := []string{`actor_user_id IN (SELECT user_id FROM memberships WHERE org_id IN (` + in + `))`}
		types := make([]string, 0, len(auditOwnedTables))
		for t := range auditOwnedTables {
			types = append(types, t)
		}
		slices.Sort(types)
		for _, t := range types {
			scope = append(scope, `(record_type = '`+t+`' AND record_id IN (SELECT id FROM `+auditOwnedTables[t]+` WHERE owner_org_id IN (`+in+`)))`)
		}
		q += ` AND (` + strings.Join(scope, " OR ") + `)`
	}
	var args []any
	if f.RecordType != "" {
		q += ` AND record_type = ?`
		args = append(args, f.RecordType)
	}
	if f.RecordID != 0 {
		q += ` AND record_id = ?`
		args = append(args, f.RecordID)
	}
	if f.Action != "" {
		q += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.ActorID != 0 {
		q += ` AND actor_user_id = ?`
		args = append(args, f.ActorID)
	}
	if f.Before > 0 {
		q += ` AND id < ?`
		args = append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	q += ` ORDER BY id DESC LIMIT ` + strconv.Itoa(limit)
	var out []aftermath.AuditEntry
	err = db.each(ctx, q, args, func(rows *sql.Rows) error {
		var e aftermath.AuditEntry
		var at string
		var actor, rid sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &actor, &e.Action, &e.RecordType, &rid, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return err
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		e.ActorID, e.RecordID = actor.Int64, rid.Int64
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit entries: %w", err)
	}
	return out, nil
}

// isAdmin reports whether v is the system or an admin of one of its
// organisations.
func (db *DB) isAdmin(ctx context.Context, v aftermath.Viewer) (bool, error) {
	if v.All {
		return true, nil
	}
	if v.UserID == 0 || len(v.Orgs) == 0 {
		return false, nil
	}
	var n int
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM memberships WHERE user_id = ? AND role = 'admin' AND org_id IN (`+ints(v.Orgs)+`)`),
		v.UserID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("admin check: %w", err)
	}
	return n > 0, nil
}
