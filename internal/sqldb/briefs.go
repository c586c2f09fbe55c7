package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/brief"
)

// Briefs (aftermath.Briefs). Who may do what, decided here:
//
//   - the system changes any brief;
//   - a user changes only briefs they may see (else ENOTFOUND) owned by an
//     organisation in which they write (admin, editor, researcher; else
//     EFORBIDDEN); a brief without an owner, only admins;
//   - a user's new brief belongs to their organisation ("owner" chooses
//     among several);
//   - review steps take an admin or editor of the owning organisation
//     (submitting, any of its writers); approving for partners or the
//     public takes someone other than the last to change the text;
//   - a change of the text of a brief in review, approved or published
//     sends it back to draft: what was approved is what is shown;
//   - publishing (approved → published) runs the publishing checks in its
//     transaction (briefs_publish.go); only published briefs are seen
//     beyond their organisation.
//
// Every change and step appends an audit entry in its transaction.

const rtBrief = "brief"

func init() {
	audienceTables[rtBrief] = "briefs"
	dumpTables = append(dumpTables, "briefs", "brief_steps")
}

func (db *DB) briefWriterOf(ctx context.Context, tx *sql.Tx, v aftermath.Viewer) (writer, error) {
	return db.writerOf(ctx, tx, v, aftermath.RoleAdmin, aftermath.RoleEditor, aftermath.RoleResearcher)
}

// briefMayChange returns brief id's stored owner (0: none) and state if
// w, reading as v, may change it.
func (db *DB) briefMayChange(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, w writer, id int64) (int64, aftermath.BriefState, error) {
	var owner sql.NullInt64
	var state string
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT owner_org_id, state FROM briefs b WHERE b.id = ? AND `+briefVisible(v, "b")), id).Scan(&owner, &state)
	if err == sql.ErrNoRows {
		return 0, "", aftermath.Errorf(aftermath.ENOTFOUND, "no brief %d", id)
	}
	if err != nil {
		return 0, "", fmt.Errorf("brief %d: %w", id, err)
	}
	switch {
	case w.system:
	case !owner.Valid && !w.admin:
		return 0, "", aftermath.Errorf(aftermath.EFORBIDDEN, "brief %d belongs to no organisation: only an admin may change it", id)
	case owner.Valid && !w.writes(owner.Int64):
		return 0, "", aftermath.Errorf(aftermath.EFORBIDDEN, "brief %d belongs to another organisation: you may read it, not change it", id)
	}
	return owner.Int64, aftermath.BriefState(state), nil
}

// briefOwner resolves b.Owner as the ledger's records do (ledgerOwner):
// the organisation named, if w writes there or it is the stored one, else
// the stored one, else w's one organisation.
func (db *DB) briefOwner(ctx context.Context, tx *sql.Tx, w writer, b *aftermath.Brief, current int64) (int64, error) {
	if err := db.ledgerOwner(ctx, tx, w, &b.Owner, current, "brief "+b.Slug); err != nil {
		return 0, err
	}
	if b.Owner == "" {
		return 0, nil
	}
	var org int64
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM organisations WHERE slug = ?`), slugKey(b.Owner)).Scan(&org)
	if err == sql.ErrNoRows {
		return 0, aftermath.Errorf(aftermath.EINVALID, "brief %s: no organisation %q", b.Slug, b.Owner)
	}
	return org, err
}

// placeBrief stores who may see b; a confidential brief keeps its readers,
// and a new one names its writer.
func (db *DB) placeBrief(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, b *aftermath.Brief, org int64) error {
	if b.Audience == "" {
		b.Audience = aftermath.AudienceInternal
	}
	p := Placement{Audience: b.Audience, OwnerOrg: org}
	if b.Audience == aftermath.AudienceConfidential {
		var err error
		if p.Readers, err = db.readersOf(ctx, tx, rtBrief, b.ID); err != nil {
			return err
		}
		if len(p.Readers) == 0 && v.UserID > 0 {
			p.Readers = []int64{v.UserID}
		}
	}
	return db.setAudience(ctx, tx, rtBrief, b.ID, p)
}

func (db *DB) briefStep(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, id int64, action string, from, to aftermath.BriefState, note string) error {
	return db.briefStepDetail(ctx, tx, v, id, action, from, to, note, "")
}

// briefStepDetail records a step; the audit entry carries the note (the
// overrides' reasons, when publishing) and detail after the change.
func (db *DB) briefStepDetail(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, id int64, action string, from, to aftermath.BriefState, note, detail string) error {
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO brief_steps (brief_id, action, actor_user_id, from_state, to_state, note, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), id, action, nullID(v.UserID), string(from), string(to), note, db.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("brief %d: %w", id, err)
	}
	auditAction := aftermath.AuditReview
	switch action {
	case aftermath.BriefCreate:
		auditAction = aftermath.AuditCreate
	case aftermath.BriefEdit:
		auditAction = aftermath.AuditUpdate
	}
	return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: auditAction, RecordType: rtBrief, RecordID: id,
		Detail: fmt.Sprintf("%s: %s → %s", action, from, to) + map[bool]string{true: "; " + note, false: ""}[action == aftermath.BriefPublish && note != ""] + detail})
}

// checkBrief checks a brief's fields and the syntax of every embed in
// its text, so that no caller stores a body that cannot be rendered.
func checkBrief(b *aftermath.Brief) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if _, err := brief.Embeds(b.Body); err != nil {
		return aftermath.FieldError("body", "%v", err)
	}
	return nil
}

// CreateBrief stores a new brief as a draft, owned by the writer's
// organisation, and sets its id.
func (db *DB) CreateBrief(ctx context.Context, v aftermath.Viewer, b *aftermath.Brief) error {
	if err := checkBrief(b); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := db.briefWriterOf(ctx, tx, v)
		if err != nil {
			return err
		}
		org, err := db.briefOwner(ctx, tx, w, b, 0)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM briefs WHERE slug = ?`), b.Slug).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return aftermath.Errorf(aftermath.ECONFLICT, "a brief %q exists already", b.Slug)
		}
		now := db.Now().UTC().Format(time.RFC3339Nano)
		b.State, b.EditedBy, b.ApprovedBy = aftermath.BriefDraft, v.UserID, 0
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO briefs (slug, title, summary, language, body, state, edited_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING id`), b.Slug, b.Title, b.Summary, b.Language, b.Body, nullID(v.UserID), now, now).Scan(&b.ID); err != nil {
			return fmt.Errorf("create brief %s: %w", b.Slug, err)
		}
		if err := db.placeBrief(ctx, tx, v, b, org); err != nil {
			return err
		}
		return db.briefStep(ctx, tx, v, b.ID, aftermath.BriefCreate, "", aftermath.BriefDraft, "")
	})
}

// UpdateBrief replaces a brief's slug, title, summary, language, text and
// placement. A changed text or audience of a brief in review or approved
// sends it back to draft.
func (db *DB) UpdateBrief(ctx context.Context, v aftermath.Viewer, b *aftermath.Brief) error {
	if err := checkBrief(b); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := db.briefWriterOf(ctx, tx, v)
		if err != nil {
			return err
		}
		current, state, err := db.briefMayChange(ctx, tx, v, w, b.ID)
		if err != nil {
			return err
		}
		if current == 0 {
			current = -1
		}
		org, err := db.briefOwner(ctx, tx, w, b, current)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM briefs WHERE slug = ? AND id <> ?`), b.Slug, b.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return aftermath.Errorf(aftermath.ECONFLICT, "a brief %q exists already", b.Slug)
		}
		// A new text or a new audience is not what was approved.
		if b.Audience == "" {
			b.Audience = aftermath.AudienceInternal
		}
		var changed int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM briefs WHERE id = ? AND
			(title <> ? OR summary <> ? OR language <> ? OR body <> ? OR audience <> ?)`), b.ID, b.Title, b.Summary, b.Language, b.Body,
			string(b.Audience)).Scan(&changed); err != nil {
			return err
		}
		to := state
		if changed > 0 {
			to = aftermath.BriefDraft
		}
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE briefs SET slug = ?, title = ?, summary = ?, language = ?, body = ?, state = ?,
			edited_by = CASE WHEN ? > 0 THEN ? ELSE edited_by END, approved_by = CASE WHEN ? IN ('approved', 'published') THEN approved_by END, updated_at = ? WHERE id = ?`),
			b.Slug, b.Title, b.Summary, b.Language, b.Body, string(to), changed, nullID(v.UserID), string(to), db.Now().UTC().Format(time.RFC3339Nano), b.ID)
		if err != nil {
			return fmt.Errorf("update brief %d: %w", b.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return aftermath.Errorf(aftermath.ENOTFOUND, "no brief %d", b.ID)
		}
		if err := db.placeBrief(ctx, tx, v, b, org); err != nil {
			return err
		}
		if changed == 0 {
			return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditUpdate, RecordType: rtBrief, RecordID: b.ID,
				Detail: "slug or owner changed"})
		}
		return db.briefStep(ctx, tx, v, b.ID, aftermath.BriefEdit, state, to, "")
	})
}

// DeleteBrief removes a brief and its history (the audit log keeps the
// record of it).
func (db *DB) DeleteBrief(ctx context.Context, v aftermath.Viewer, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := db.briefWriterOf(ctx, tx, v)
		if err != nil {
			return err
		}
		if _, _, err := db.briefMayChange(ctx, tx, v, w, id); err != nil {
			return err
		}
		if err := bumpIfPublic(ctx, tx, db, "briefs", id); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM brief_steps WHERE brief_id = ?`, `DELETE FROM record_readers WHERE record_type = 'brief' AND record_id = ?`,
			`DELETE FROM briefs WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, db.rebind(q), id); err != nil {
				return fmt.Errorf("delete brief %d: %w", id, err)
			}
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditDelete, RecordType: rtBrief, RecordID: id})
	})
}

// ReviewBrief takes a brief one review step: submit, approve, return (with
// a note), reopen or unpublish. Publishing checks the text against the
// identity vault, whose key this store does not hold: it is refused here
// and done through the testimony store (Voices.ReviewBrief).
func (db *DB) ReviewBrief(ctx context.Context, v aftermath.Viewer, id int64, step aftermath.BriefReview) error {
	return db.reviewBrief(ctx, v, id, step, nil)
}

// reviewBrief is ReviewBrief with, for publishing, vaultNames: what reads
// the names and contacts from the identity vault in the step's
// transaction (nil: no key, publishing refused rather than unchecked).
func (db *DB) reviewBrief(ctx context.Context, v aftermath.Viewer, id int64, step aftermath.BriefReview, vaultNames func(context.Context, querier) ([]string, error)) error {
	if step.Action == aftermath.BriefPublish && vaultNames == nil {
		return aftermath.Errorf(aftermath.EINVALID, "brief %d: publishing checks the text for names from the identity vault, which needs the "+
			"key-encryption key: none is loaded (create one with 'aftermath key init' or name it with --key-file)", id)
	}
	if len(step.Overrides) > 0 && step.Action != aftermath.BriefPublish {
		return aftermath.FieldError("override", "overrides are for publishing only")
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := db.briefWriterOf(ctx, tx, v)
		if err != nil {
			return err
		}
		owner, state, err := db.briefMayChange(ctx, tx, v, w, id)
		if err != nil {
			return err
		}
		var from []aftermath.BriefState
		var to aftermath.BriefState
		switch step.Action {
		case aftermath.BriefSubmit:
			from, to = []aftermath.BriefState{aftermath.BriefDraft}, aftermath.BriefInReview
		case aftermath.BriefApprove:
			from, to = []aftermath.BriefState{aftermath.BriefInReview}, aftermath.BriefApproved
		case aftermath.BriefReturn:
			from, to = []aftermath.BriefState{aftermath.BriefInReview}, aftermath.BriefDraft
			if step.Note == "" {
				return aftermath.FieldError("note", "say why the brief goes back to its writers")
			}
		case aftermath.BriefReopen:
			from, to = []aftermath.BriefState{aftermath.BriefApproved, aftermath.BriefPublished}, aftermath.BriefDraft
		case aftermath.BriefPublish:
			from, to = []aftermath.BriefState{aftermath.BriefApproved}, aftermath.BriefPublished
		case aftermath.BriefUnpublish:
			from, to = []aftermath.BriefState{aftermath.BriefPublished}, aftermath.BriefApproved
		default:
			return aftermath.FieldError("action", "%q is not one of submit, approve, return, reopen, publish, unpublish", step.Action)
		}
		if !slices.Contains(from, state) {
			return aftermath.Errorf(aftermath.ECONFLICT, "brief %d is %s: %s takes a brief that is %s", id, state, step.Action, joinStates(from))
		}
		if step.Action != aftermath.BriefSubmit && !w.system {
			reviewer, err := db.writerOf(ctx, tx, v, aftermath.RoleAdmin, aftermath.RoleEditor)
			if err != nil {
				return err
			}
			if owner != 0 && !reviewer.writes(owner) || owner == 0 && !reviewer.admin {
				return aftermath.Errorf(aftermath.EFORBIDDEN, "brief %d: reviewing takes an editor or admin of its organisation", id)
			}
		}
		var audience string
		var editedBy sql.NullInt64
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT audience, edited_by FROM briefs WHERE id = ?`), id).Scan(&audience, &editedBy); err != nil {
			return err
		}
		if step.Action == aftermath.BriefApprove && !w.system && editedBy.Valid && editedBy.Int64 == v.UserID &&
			(audience == string(aftermath.AudiencePartners) || audience == string(aftermath.AudiencePublic)) {
			return aftermath.Errorf(aftermath.EFORBIDDEN, "brief %d is for %s: someone other than its last writer approves it", id, audience)
		}
		note, detail := step.Note, ""
		switch step.Action {
		case aftermath.BriefApprove:
			if err := db.briefEmbedsReach(ctx, tx, v, id); err != nil {
				return err
			}
		case aftermath.BriefPublish:
			// Records may have narrowed since the approval: checked again.
			if err := db.briefEmbedsReach(ctx, tx, v, id); err != nil {
				return err
			}
			names, err := vaultNames(ctx, tx)
			if err != nil {
				return err
			}
			flags, err := db.briefFlags(ctx, tx, id, names)
			if err != nil {
				return err
			}
			if err := checkOverrides(id, flags, step.Overrides); err != nil {
				return err
			}
			note, detail = overrideNote(step.Note, step.Overrides), fmt.Sprintf("; checked against %d names from the identity vault", len(names))
		}
		approver := any(nil)
		if to == aftermath.BriefApproved || to == aftermath.BriefPublished {
			approver = nullID(v.UserID)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE briefs SET state = ?, approved_by = CASE WHEN ? THEN approved_by ELSE ? END, updated_at = ? WHERE id = ?`),
			string(to), step.Action != aftermath.BriefApprove && to != aftermath.BriefDraft, approver, db.Now().UTC().Format(time.RFC3339Nano), id); err != nil {
			return fmt.Errorf("brief %d: %w", id, err)
		}
		if audience == string(aftermath.AudiencePublic) {
			// A public brief appears or disappears: cached pages go.
			if err := bumpAudienceGeneration(ctx, tx); err != nil {
				return err
			}
		}
		return db.briefStepDetail(ctx, tx, v, id, step.Action, state, to, note, detail)
	})
}

func joinStates(ss []aftermath.BriefState) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, " or ")
}

// briefVisible is true for the briefs (alias b) v may see: the writers of
// its organisation see it in every state (their visibility by audience),
// everyone else only once published: approved is not yet past the
// publishing checks.
func briefVisible(v aftermath.Viewer, b string) string {
	if v.All {
		return "1 = 1"
	}
	cond := "(" + b + ".state = 'published' AND " + visible(v, b, rtBrief) + ")"
	if len(v.Orgs) > 0 {
		cond = "(" + cond + " OR (" + b + ".owner_org_id IN (" + ints(v.Orgs) + ") AND " + visible(v, b, rtBrief) + "))"
	}
	return cond
}

const briefColumns = `b.id, b.slug, b.title, b.summary, b.language, b.body, b.state, b.audience, coalesce(o.slug, ''),
	coalesce(b.edited_by, 0), coalesce(b.approved_by, 0), b.created_at, b.updated_at`

func scanBrief(r scanner) (*aftermath.Brief, error) {
	var b aftermath.Brief
	var state, audience, created, updated string
	if err := r.Scan(&b.ID, &b.Slug, &b.Title, &b.Summary, &b.Language, &b.Body, &state, &audience, &b.Owner,
		&b.EditedBy, &b.ApprovedBy, &created, &updated); err != nil {
		return nil, err
	}
	b.State, b.Audience = aftermath.BriefState(state), aftermath.Audience(audience)
	b.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	b.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	return &b, nil
}

// Brief returns one brief v may see, with its history. A draft is seen
// only by its organisation's members; a confidential brief's read is
// audited.
func (db *DB) Brief(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Brief, error) {
	b, err := scanBrief(db.read.QueryRowContext(ctx, db.rebind(`SELECT `+briefColumns+` FROM briefs b LEFT JOIN organisations o ON o.id = b.owner_org_id
		WHERE b.id = ? AND `+briefVisible(v, "b")), id))
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no brief %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("brief %d: %w", id, err)
	}
	err = db.each(ctx, `SELECT action, coalesce(actor_user_id, 0), from_state, to_state, note, at FROM brief_steps WHERE brief_id = ? ORDER BY id`,
		[]any{id}, func(r *sql.Rows) error {
			var s aftermath.BriefStep
			var from, to, at string
			err := r.Scan(&s.Action, &s.ActorID, &from, &to, &s.Note, &at)
			s.From, s.To = aftermath.BriefState(from), aftermath.BriefState(to)
			s.At, _ = time.Parse(time.RFC3339Nano, at)
			b.History = append(b.History, s)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("brief %d history: %w", id, err)
	}
	if err := db.ledgerAuditRead(ctx, v, b.Audience, rtBrief, id); err != nil {
		return nil, err
	}
	return b, nil
}

// FindBrief takes a slug or a numeric id.
func (db *DB) FindBrief(ctx context.Context, v aftermath.Viewer, ref string) (*aftermath.Brief, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return db.Brief(ctx, v, id)
	}
	var id int64
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT b.id FROM briefs b WHERE b.slug = ? AND `+briefVisible(v, "b")), slugKey(ref)).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no brief %q", ref)
	}
	if err != nil {
		return nil, err
	}
	return db.Brief(ctx, v, id)
}

// Briefs lists the briefs v may see, the latest changed first, without
// their history.
func (db *DB) Briefs(ctx context.Context, v aftermath.Viewer, f aftermath.BriefFilter) ([]aftermath.Brief, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q := `SELECT ` + briefColumns + ` FROM briefs b LEFT JOIN organisations o ON o.id = b.owner_org_id WHERE ` + briefVisible(v, "b")
	var args []any
	if f.State != "" {
		q += ` AND b.state = ?`
		args = append(args, string(f.State))
	}
	if f.Language != "" {
		q += ` AND b.language = ?`
		args = append(args, f.Language)
	}
	q += ` ORDER BY b.updated_at DESC, b.id DESC LIMIT ? OFFSET ?`
	var out []aftermath.Brief
	err := db.each(ctx, q, append(args, f.Limit, f.Offset), func(r *sql.Rows) error {
		b, err := scanBrief(r)
		if err == nil {
			out = append(out, *b)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("briefs: %w", err)
	}
	return out, nil
}

// embedTarget says, for an embed, which record it shows: its table, the
// column that names it, the attribute that holds the name and, for
// testimony, that only an approved one may be shown.
type embedTarget struct {
	what, table, column, attr string
	approved                  bool
}

var embedTargets = map[string][]embedTarget{
	brief.KindChart:          {{"intervention", "interventions", "slug", "intervention", false}, {"dataset", "datasets", "name", "dataset", false}},
	brief.KindFigure:         {{"intervention", "interventions", "slug", "intervention", false}, {"dataset", "datasets", "name", "dataset", false}},
	brief.KindTable:          {{"intervention", "interventions", "slug", "intervention", false}, {"dataset", "datasets", "name", "dataset", false}},
	brief.KindQuote:          {{"testimony", "testimonies", "id", "testimony", true}},
	brief.KindCite:           {{"source", "sources", "id", "source", false}},
	brief.KindRecommendation: {{"recommendation", "recommendations", "id", "id", false}},
	brief.KindClaim:          {{"claim", "claims", "id", "id", false}},
}

// briefEmbedsReach checks, before a brief is approved, that everything it
// embeds may be shown to everyone the brief will reach: a public record
// for a public brief; for a narrower brief, a record at least as wide
// and of the same organisation (or of none); a testimony only once
// approved. The first that does not stops the approval, named with its
// line, so nothing unapproved goes out inside a brief. A record the
// approver v may not see is as missing to them as one that does not
// exist.
func (db *DB) briefEmbedsReach(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, id int64) error {
	var body, audience string
	var owner sql.NullInt64
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT body, audience, owner_org_id FROM briefs WHERE id = ?`), id).Scan(&body, &audience, &owner); err != nil {
		return err
	}
	embeds, err := brief.Embeds(body)
	if err != nil {
		return aftermath.FieldError("body", "%v", err)
	}
	reach := aftermath.Audience(audience)
	for _, e := range embeds {
		for _, t := range embedTargets[e.Kind] {
			name, ok := e.Attrs[t.attr]
			if !ok {
				continue
			}
			var ra, state string
			var ro sql.NullInt64
			seen := visible(v, "t", t.what)
			if t.what == "testimony" {
				seen = testimonyVisible(v, "t")
			}
			q := `SELECT t.audience, t.owner_org_id, ` + map[bool]string{true: "t.state", false: "''"}[t.approved] + ` FROM ` + t.table + ` t WHERE t.` + t.column + ` = ? AND ` + seen
			var key any = name
			if t.column == "id" {
				key = e.ID(t.attr)
			}
			err := tx.QueryRowContext(ctx, db.rebind(q), key).Scan(&ra, &ro, &state)
			if err == sql.ErrNoRows {
				return aftermath.Errorf(aftermath.EINVALID, "line %d: %s: there is no %s %s", e.Line, e, t.what, name)
			}
			if err != nil {
				return fmt.Errorf("brief %d: %s: %w", id, e, err)
			}
			if t.approved && state != string(aftermath.StateApproved) {
				return aftermath.Errorf(aftermath.EINVALID, "line %d: %s: %s %s is not approved (it is %s): it cannot be quoted", e.Line, e, t.what, name, state)
			}
			recAudience := aftermath.Audience(ra)
			sameOwner := !ro.Valid || owner.Valid && ro.Int64 == owner.Int64
			if recAudience != aftermath.AudiencePublic && (reach == aftermath.AudiencePublic || reach.Wider(recAudience) || !sameOwner) {
				return aftermath.Errorf(aftermath.EINVALID, "line %d: %s: %s %s is for %s%s, which does not reach this brief's audience (%s)",
					e.Line, e, t.what, name, recAudience, map[bool]string{true: "", false: " of another organisation"}[sameOwner], reach)
			}
		}
	}
	return nil
}
