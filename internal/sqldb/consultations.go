package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"aftermath"
	"aftermath/internal/consult"
	"aftermath/internal/csvout"
	"aftermath/internal/geo"
)

// Consultations: an organisation puts a questionnaire to partner
// organisations through single-use links that need no account.
//
// Who may do what, decided here:
//   - admins and editors of the owning organisation (and the system)
//     manage a consultation: create it, change it while it is a draft,
//     open and close it, invite, revoke invitations, delete it, and see
//     its invitations;
//   - everyone else sees a consultation that is open or closed, with its
//     combined results, when its audience reaches them (visible in
//     audience.go, record type "consultation"): public results are for
//     anyone, internal ones for the owner's members, and so on;
//   - a response comes through an invitation's link, from someone without
//     an account: it is stored as a testimony by the system viewer on the
//     invitation's behalf, and the audit log records which invitation.
//
// A response's free text exists only inside its testimony (sealed, and
// read, redacted and published through the testimony review). Its choices
// and rankings are sealed too, under the testimony's data key, in
// consultation_responses: a seized database does not tell which
// organisation answered what. They are only ever shown combined (choice
// counts, the Borda table) to those who see the consultation, which needs
// the key. Deleting or purging the
// testimony takes them out of the results.
//
// Every create, change, delete and export is recorded in the audit log,
// in the transaction of the change.

// Consultation states.
const (
	ConsultDraft  = consult.ConsultDraft
	ConsultOpen   = consult.ConsultOpen
	ConsultClosed = consult.ConsultClosed
)

// Record types in the audit log.
const (
	rtConsultation = "consultation"
	rtInvitation   = "consultation_invitation"
)

func init() {
	audienceTables[rtConsultation] = "consultations"
	dumpTables = append(dumpTables, "consultations", "consultation_invitations", "consultation_responses")
}

const (
	InvitationDays    = consult.InvitationDays
	MaxInvitationDays = consult.MaxInvitationDays
)

type Consultation = consult.Consultation

// consultManager is the SQL condition under which v manages consultation
// alias c: an admin or editor of its owning organisation.
func consultManager(v aftermath.Viewer, c string) string {
	if v.All {
		return "1 = 1"
	}
	if v.UserID == 0 {
		return "1 = 0"
	}
	return "EXISTS (SELECT 1 FROM memberships cm WHERE cm.user_id = " + strconv.FormatInt(v.UserID, 10) + " AND cm.org_id = " + c +
		".owner_org_id AND cm.role IN ('admin', 'editor'))"
}

// consultSeen is true for the consultations v may see: those v manages,
// and the others once opened, when their audience reaches v.
func consultSeen(v aftermath.Viewer, c string) string {
	if v.All {
		return "1 = 1"
	}
	return "(" + consultManager(v, c) + " OR (" + c + ".state <> 'draft' AND " + visible(v, c, rtConsultation) + "))"
}

func consultSelect(v aftermath.Viewer) string {
	return `SELECT c.id, c.title, c.description, c.purpose, c.questionnaire, c.owner_org_id, o.name, c.audience, c.state, c.opens_on, c.closes_on,
		c.country, c.retain_until, COALESCE(c.created_by, 0), c.created_at, c.updated_at,
		(SELECT count(*) FROM consultation_responses r WHERE r.consultation_id = c.id), CASE WHEN ` + consultManager(v, "c") + ` THEN 1 ELSE 0 END
		FROM consultations c JOIN organisations o ON o.id = c.owner_org_id`
}

func scanConsultation(r scanner) (*Consultation, error) {
	c := &Consultation{}
	var title, desc, purpose, qs, created, updated string
	var manage int
	if err := r.Scan(&c.ID, &title, &desc, &purpose, &qs, &c.OwnerOrgID, &c.OwnerOrg, &c.Audience, &c.State, &c.OpensOn, &c.ClosesOn,
		&c.Country, &c.RetainUntil, &c.CreatedBy, &created, &updated, &c.Responses, &manage); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		raw string
		to  any
	}{{title, &c.Title}, {desc, &c.Description}, {purpose, &c.Purpose}, {qs, &c.Questionnaire}} {
		if err := json.Unmarshal([]byte(f.raw), f.to); err != nil {
			return nil, fmt.Errorf("consultation %d: %w", c.ID, err)
		}
	}
	c.CreatedAt, _ = time.Parse(timeFormat, created)
	c.UpdatedAt, _ = time.Parse(timeFormat, updated)
	c.Manage = manage == 1
	return c, nil
}

// loadConsultation reads a consultation v may see, within q, with its
// readers; ENOTFOUND otherwise.
func (db *DB) loadConsultation(ctx context.Context, q querier, v aftermath.Viewer, id int64) (*Consultation, error) {
	c, err := scanConsultation(q.QueryRowContext(ctx, db.rebind(consultSelect(v)+` WHERE c.id = ? AND `+consultSeen(v, "c")), id))
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no consultation %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("consultation %d: %w", id, err)
	}
	if c.Audience == aftermath.AudienceConfidential {
		err := eachRow(ctx, q, db.rebind(`SELECT user_id FROM record_readers WHERE record_type = ? AND record_id = ? ORDER BY user_id`),
			[]any{rtConsultation, id}, func(r *sql.Rows) error {
				var u int64
				err := r.Scan(&u)
				c.Readers = append(c.Readers, u)
				return err
			})
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Consultation returns a consultation v may see; ENOTFOUND otherwise, as
// for one that does not exist. Reading a confidential one is recorded in
// the audit log.
func (db *DB) Consultation(ctx context.Context, v aftermath.Viewer, id int64) (*Consultation, error) {
	c, err := db.loadConsultation(ctx, db.read, v, id)
	if err != nil {
		return nil, err
	}
	if err := db.consultAuditRead(ctx, v, c); err != nil {
		return nil, err
	}
	return c, nil
}

func (db *DB) consultAuditRead(ctx context.Context, v aftermath.Viewer, c *Consultation) error {
	if c.Audience != aftermath.AudienceConfidential {
		return nil
	}
	_, err := db.AppendAudit(ctx, aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditReadConfidential, RecordType: rtConsultation,
		RecordID: c.ID, Detail: "read confidential consultation"})
	return err
}

// Consultations lists the consultations v may see, newest first.
func (db *DB) Consultations(ctx context.Context, v aftermath.Viewer) ([]Consultation, error) {
	var out []Consultation
	err := db.each(ctx, consultSelect(v)+` WHERE `+consultSeen(v, "c")+` ORDER BY c.id DESC`, nil, func(r *sql.Rows) error {
		c, err := scanConsultation(r)
		if err == nil {
			out = append(out, *c)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list consultations: %w", err)
	}
	return out, nil
}

// ConsultOrganisations lists the organisations in which v may start a
// consultation (admin or editor; every organisation for the system).
func (db *DB) ConsultOrganisations(ctx context.Context, v aftermath.Viewer) ([]aftermath.Organisation, error) {
	q := `SELECT o.id, o.slug, o.name FROM organisations o WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = o.id AND m.user_id = ?
		AND m.role IN ('admin', 'editor')) ORDER BY o.name`
	args := []any{v.UserID}
	if v.All {
		q, args = `SELECT o.id, o.slug, o.name FROM organisations o ORDER BY o.name`, nil
	}
	return db.organisations(ctx, q, args)
}

// ConsultPartners lists the organisations the consultation's owner shares
// with, whom it would usually invite (if v manages it).
func (db *DB) ConsultPartners(ctx context.Context, v aftermath.Viewer, id int64) ([]aftermath.Organisation, error) {
	c, err := db.loadConsultation(ctx, db.read, v, id)
	if err != nil {
		return nil, err
	}
	if !c.Manage {
		return nil, forbidden("only the organisation's admins and editors manage consultation %d", id)
	}
	return db.organisations(ctx, `SELECT o.id, o.slug, o.name FROM org_partners p JOIN organisations o ON o.id = p.partner_id WHERE p.org_id = ?
		ORDER BY o.name`, []any{c.OwnerOrgID})
}

func (db *DB) organisations(ctx context.Context, q string, args []any) ([]aftermath.Organisation, error) {
	var out []aftermath.Organisation
	err := db.each(ctx, q, args, func(r *sql.Rows) error {
		var o aftermath.Organisation
		err := r.Scan(&o.ID, &o.Slug, &o.Name)
		out = append(out, o)
		return err
	})
	return out, err
}

// canManageOrg: the system, or an admin or editor of org.
func (db *DB) canManageOrg(ctx context.Context, q querier, v aftermath.Viewer, org int64) error {
	if err := exists(ctx, db, q, "organisations o", "o", []int64{org}, "1 = 1"); err != nil || org == 0 {
		return aftermath.FieldError("owner_org", "say which organisation runs the consultation")
	}
	if v.All {
		return nil
	}
	var n int
	err := q.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM memberships WHERE user_id = ? AND org_id = ? AND role IN ('admin', 'editor')`),
		v.UserID, org).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 || v.UserID == 0 {
		return forbidden("only admins and editors of the organisation run its consultations")
	}
	return nil
}

func consultJSON(c *Consultation) (title, desc, purpose, qs string, err error) {
	var b [4][]byte
	for i, v := range []any{c.Title, c.Description, c.Purpose, c.Questionnaire} {
		if b[i], err = json.Marshal(v); err != nil {
			return
		}
	}
	if c.Description == nil {
		b[1] = []byte("{}")
	}
	return string(b[0]), string(b[1]), string(b[2]), string(b[3]), nil
}

// CreateConsultation stores a new consultation, as a draft, and sets its
// id. v must be an admin or editor of its owning organisation.
func (db *DB) CreateConsultation(ctx context.Context, v aftermath.Viewer, c *Consultation) error {
	if err := c.Validate(db.Now()); err != nil {
		return err
	}
	title, desc, purpose, qs, err := consultJSON(c)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.canManageOrg(ctx, tx, v, c.OwnerOrgID); err != nil {
			return err
		}
		if err := exists(ctx, db, tx, "users u", "u", c.Readers, "1 = 1"); err != nil {
			return aftermath.FieldError("readers", "%v", err)
		}
		now := db.Now().UTC().Format(timeFormat)
		c.State = ConsultDraft
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO consultations (title, description, purpose, questionnaire, owner_org_id, audience, state,
			opens_on, closes_on, country, retain_until, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			title, desc, purpose, qs, c.OwnerOrgID, string(c.Audience), c.State, c.OpensOn, c.ClosesOn, c.Country, c.RetainUntil, nullID(v.UserID),
			now, now).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("create consultation: %w", err)
		}
		if err := db.setAudience(ctx, tx, rtConsultation, c.ID, Placement{Audience: c.Audience, OwnerOrg: c.OwnerOrgID, Readers: c.Readers}); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditCreate, RecordType: rtConsultation, RecordID: c.ID,
			Detail: fmt.Sprintf("draft with %d questions; results audience %s", len(c.Questionnaire.Questions), c.Audience)})
	})
}

// manageTx loads a consultation inside tx (locking it on PostgreSQL) and
// refuses unless v manages it.
func (db *DB) manageTx(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, id int64) (*Consultation, error) {
	if db.Driver == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM consultations WHERE id = $1 FOR UPDATE`, id); err != nil {
			return nil, err
		}
	}
	c, err := db.loadConsultation(ctx, tx, v, id)
	if err != nil {
		return nil, err
	}
	if !c.Manage {
		return nil, forbidden("only the organisation's admins and editors manage consultation %d", id)
	}
	return c, nil
}

// UpdateConsultation changes a draft consultation (its owner stays).
// Once opened, the questionnaire is fixed: answers must keep meaning what
// they meant.
func (db *DB) UpdateConsultation(ctx context.Context, v aftermath.Viewer, c *Consultation) error {
	if err := c.Validate(db.Now()); err != nil {
		return err
	}
	title, desc, purpose, qs, err := consultJSON(c)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		old, err := db.manageTx(ctx, tx, v, c.ID)
		if err != nil {
			return err
		}
		if old.State != ConsultDraft {
			return aftermath.Errorf(aftermath.ECONFLICT, "consultation %d is %s: only a draft can be changed", c.ID, old.State)
		}
		if err := exists(ctx, db, tx, "users u", "u", c.Readers, "1 = 1"); err != nil {
			return aftermath.FieldError("readers", "%v", err)
		}
		_, err = tx.ExecContext(ctx, db.rebind(`UPDATE consultations SET title = ?, description = ?, purpose = ?, questionnaire = ?, audience = ?,
			opens_on = ?, closes_on = ?, country = ?, retain_until = ?, updated_at = ? WHERE id = ?`),
			title, desc, purpose, qs, string(c.Audience), c.OpensOn, c.ClosesOn, c.Country, c.RetainUntil, db.Now().UTC().Format(timeFormat), c.ID)
		if err != nil {
			return fmt.Errorf("update consultation: %w", err)
		}
		c.OwnerOrgID, c.State = old.OwnerOrgID, old.State
		if err := db.setAudience(ctx, tx, rtConsultation, c.ID, Placement{Audience: c.Audience, OwnerOrg: c.OwnerOrgID, Readers: c.Readers}); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditUpdate, RecordType: rtConsultation, RecordID: c.ID,
			Detail: fmt.Sprintf("draft changed: %d questions; results audience %s", len(c.Questionnaire.Questions), c.Audience)})
	})
}

// SetConsultationState opens a draft, closes an open consultation or
// opens a closed one again. A consultation never goes back to draft.
func (db *DB) SetConsultationState(ctx context.Context, v aftermath.Viewer, id int64, state string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := db.manageTx(ctx, tx, v, id)
		if err != nil {
			return err
		}
		ok := state == ConsultOpen && (c.State == ConsultDraft || c.State == ConsultClosed) || state == ConsultClosed && c.State == ConsultOpen
		if !ok {
			return aftermath.Errorf(aftermath.ECONFLICT, "consultation %d is %s: it cannot become %q", id, c.State, state)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE consultations SET state = ?, updated_at = ? WHERE id = ?`),
			state, db.Now().UTC().Format(timeFormat), id); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditUpdate, RecordType: rtConsultation, RecordID: id,
			Detail: "state " + c.State + " → " + state})
	})
}

// DeleteConsultation deletes a consultation with its invitations and the
// choices and rankings of its responses. The responses themselves are
// testimonies and stay, under their own review and retention.
func (db *DB) DeleteConsultation(ctx context.Context, v aftermath.Viewer, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := db.manageTx(ctx, tx, v, id)
		if err != nil {
			return err
		}
		var invitations int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM consultation_invitations WHERE consultation_id = ?`), id).Scan(&invitations); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM record_readers WHERE record_type = ? AND record_id = ?`), rtConsultation, id); err != nil {
			return err
		}
		// Invitations and response rows go with it (ON DELETE CASCADE).
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM consultations WHERE id = ?`), id); err != nil {
			return fmt.Errorf("delete consultation %d: %w", id, err)
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditDelete, RecordType: rtConsultation, RecordID: id,
			Detail: fmt.Sprintf("deleted with %d invitations; its %d responses stay as testimonies", invitations, c.Responses)})
	})
}

// ---- invitations ----

// Invitation states, as Invitation.State reports them.
const (
	InvitationPending = consult.InvitationPending
	InvitationUsed    = consult.InvitationUsed
	InvitationExpired = consult.InvitationExpired
	InvitationRevoked = consult.InvitationRevoked
)

type Invitation = consult.Invitation

type InvitationInput = consult.InvitationInput

var errInvalidLink = consult.ErrInvalidLink

// IsInvalidLink reports whether err is the answer to a link that does not
// work (for whatever reason).
func IsInvalidLink(err error) bool { return consult.IsInvalidLink(err) }

func hashLinkToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateInvitation makes a link for one organisation and returns it with
// its token, which is shown once and never stored.
func (db *DB) CreateInvitation(ctx context.Context, v aftermath.Viewer, consultationID int64, in InvitationInput) (*Invitation, string, error) {
	in.OrgName = strings.Join(strings.Fields(in.OrgName), " ")
	switch {
	case in.PartnerOrgID == 0 && in.OrgName == "":
		return nil, "", aftermath.FieldError("organisation", "choose a partner organisation or give the name of one")
	case in.PartnerOrgID != 0 && in.OrgName != "":
		return nil, "", aftermath.FieldError("organisation", "choose a partner organisation or give a name, not both")
	case utf8.RuneCountInString(in.OrgName) > 200:
		return nil, "", aftermath.FieldError("organisation", "a name of at most 200 characters")
	case in.Days < 0 || in.Days > MaxInvitationDays:
		return nil, "", aftermath.FieldError("days", "a link works for 1 to %d days", MaxInvitationDays)
	}
	if in.Days == 0 {
		in.Days = InvitationDays
	}
	if in.Country != "" {
		if _, ok := geo.ByAlpha3(in.Country); !ok {
			return nil, "", aftermath.FieldError("country", "%q is not an ISO 3166-1 alpha-3 country code", in.Country)
		}
		in.Country = strings.ToUpper(in.Country)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	var inv *Invitation
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := db.manageTx(ctx, tx, v, consultationID)
		if err != nil {
			return err
		}
		if c.State == ConsultClosed {
			return aftermath.Errorf(aftermath.ECONFLICT, "consultation %d is closed: open it again before inviting", consultationID)
		}
		if in.PartnerOrgID != 0 {
			if err := tx.QueryRowContext(ctx, db.rebind(`SELECT name FROM organisations WHERE id = ?`), in.PartnerOrgID).Scan(&in.OrgName); err == sql.ErrNoRows {
				return aftermath.FieldError("organisation", "no organisation %d", in.PartnerOrgID)
			} else if err != nil {
				return err
			}
		}
		if in.Country == "" {
			in.Country = c.Country
		}
		now := db.Now().UTC()
		inv = &Invitation{ConsultationID: consultationID, PartnerOrgID: in.PartnerOrgID, OrgName: in.OrgName, Country: in.Country,
			CreatedBy: v.UserID, CreatedAt: now.Truncate(time.Second), ExpiresAt: now.AddDate(0, 0, in.Days).Truncate(time.Second), State: InvitationPending}
		name := in.OrgName
		if in.PartnerOrgID != 0 {
			name = "" // the organisation's own name is read from it
		}
		err = tx.QueryRowContext(ctx, db.rebind(`INSERT INTO consultation_invitations (consultation_id, partner_org_id, org_name, country, token_hash,
			created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), consultationID, nullID(in.PartnerOrgID), name, in.Country,
			hashLinkToken(token), nullID(v.UserID), inv.CreatedAt.Format(timeFormat), inv.ExpiresAt.Format(timeFormat)).Scan(&inv.ID)
		if err != nil {
			return fmt.Errorf("create invitation: %w", err)
		}
		who := fmt.Sprintf("organisation %d", in.PartnerOrgID)
		if in.PartnerOrgID == 0 {
			who = "an organisation without an account"
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditCreate, RecordType: rtInvitation, RecordID: inv.ID,
			Detail: fmt.Sprintf("invitation to consultation %d for %s, valid %d days", consultationID, who, in.Days)})
	})
	if err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

const invitationColumns = `i.id, i.consultation_id, COALESCE(i.partner_org_id, 0), COALESCE(o.name, i.org_name), i.country, COALESCE(i.created_by, 0),
	i.created_at, i.expires_at, COALESCE(i.used_at, ''), COALESCE(i.revoked_at, ''), COALESCE(i.testimony_id, 0)
	FROM consultation_invitations i LEFT JOIN organisations o ON o.id = i.partner_org_id`

func scanInvitation(r scanner, now time.Time) (*Invitation, error) {
	inv := &Invitation{}
	var created, expires, used, revoked string
	if err := r.Scan(&inv.ID, &inv.ConsultationID, &inv.PartnerOrgID, &inv.OrgName, &inv.Country, &inv.CreatedBy, &created, &expires, &used, &revoked,
		&inv.TestimonyID); err != nil {
		return nil, err
	}
	inv.CreatedAt, _ = time.Parse(timeFormat, created)
	inv.ExpiresAt, _ = time.Parse(timeFormat, expires)
	inv.UsedAt, _ = time.Parse(timeFormat, used)
	inv.RevokedAt, _ = time.Parse(timeFormat, revoked)
	switch {
	case used != "":
		inv.State = InvitationUsed
	case revoked != "":
		inv.State = InvitationRevoked
	case !now.Before(inv.ExpiresAt):
		inv.State = InvitationExpired
	default:
		inv.State = InvitationPending
	}
	return inv, nil
}

// Invitations lists a consultation's invitations, newest first, for those
// who manage it.
func (db *DB) Invitations(ctx context.Context, v aftermath.Viewer, consultationID int64) ([]Invitation, error) {
	c, err := db.loadConsultation(ctx, db.read, v, consultationID)
	if err != nil {
		return nil, err
	}
	if !c.Manage {
		return nil, forbidden("only the organisation's admins and editors see the invitations")
	}
	now := db.Now()
	var out []Invitation
	err = db.each(ctx, `SELECT `+invitationColumns+` WHERE i.consultation_id = ? ORDER BY i.id DESC`, []any{consultationID}, func(r *sql.Rows) error {
		inv, err := scanInvitation(r, now)
		if err == nil {
			out = append(out, *inv)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	return out, nil
}

// RevokeInvitation stops an unused link from working.
func (db *DB) RevokeInvitation(ctx context.Context, v aftermath.Viewer, consultationID, invitationID int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.manageTx(ctx, tx, v, consultationID); err != nil {
			return err
		}
		now := db.Now().UTC().Format(timeFormat)
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE consultation_invitations SET revoked_at = ? WHERE id = ? AND consultation_id = ?
			AND used_at IS NULL AND revoked_at IS NULL`), now, invitationID, consultationID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return aftermath.Errorf(aftermath.ECONFLICT, "invitation %d is not an unused invitation of consultation %d", invitationID, consultationID)
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditUpdate, RecordType: rtInvitation, RecordID: invitationID,
			Detail: fmt.Sprintf("revoked (consultation %d)", consultationID)})
	})
}

// usable is the condition under which invitation alias i works now: not
// used, not revoked, not expired, its consultation open and within its
// dates. Its arguments are now (a timestamp) and today (twice).
const usable = `i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ? AND EXISTS (SELECT 1 FROM consultations uc WHERE uc.id = i.consultation_id
	AND uc.state = 'open' AND (uc.opens_on = '' OR uc.opens_on <= ?) AND (uc.closes_on = '' OR uc.closes_on >= ?))`

func (db *DB) usableArgs() []any {
	now := db.Now().UTC()
	return []any{now.Format(timeFormat), now.Format(time.DateOnly), now.Format(time.DateOnly)}
}

// InvitationByToken returns the invitation a link's token opens, with its
// consultation, if the link works now. Whatever the reason it does not
// (unknown, used, expired, revoked, consultation not open), the answer is
// the same ENOTFOUND (IsInvalidLink).
func (db *DB) InvitationByToken(ctx context.Context, token string) (*Invitation, *Consultation, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, errInvalidLink
	}
	inv, err := scanInvitation(db.read.QueryRowContext(ctx, db.rebind(`SELECT `+invitationColumns+` WHERE i.token_hash = ? AND `+usable),
		append([]any{hashLinkToken(token)}, db.usableArgs()...)...), db.Now())
	if err == sql.ErrNoRows {
		return nil, nil, errInvalidLink
	}
	if err != nil {
		return nil, nil, fmt.Errorf("invitation: %w", err)
	}
	c, err := db.loadConsultation(ctx, db.read, aftermath.System, inv.ConsultationID)
	if err != nil {
		return nil, nil, err
	}
	c.Manage = false // the link opens the questionnaire, nothing more
	return inv, c, nil
}

type ConsultationResponse = consult.ConsultationResponse

// RespondToConsultation stores a response given through a link: checks
// the answers and the consent, marks the link used, stores the response
// as a testimony (submitted for review, by the system on the
// invitation's behalf) with its choices and rankings beside it, and
// records in the audit log which invitation it came through — all in one
// transaction, so a link is used exactly once. It returns the
// testimony's id. A link that does not work gives IsInvalidLink.
func (s *Voices) RespondToConsultation(ctx context.Context, token string, r *ConsultationResponse) (int64, error) {
	db := s.db
	if s.kek == nil {
		return 0, errNoKey
	}
	inv, c, err := db.InvitationByToken(ctx, token)
	if err != nil {
		return 0, err
	}
	if !r.Agreed {
		return 0, aftermath.FieldError("consent", "the answers cannot be stored without the participant's agreement")
	}
	if r.Language == "" {
		r.Language = "en"
	}
	for k, a := range r.Answers {
		a.Text = strings.TrimSpace(a.Text)
		if utf8.RuneCountInString(a.Text) > consult.MaxAnswerRunes {
			return 0, aftermath.FieldError("answers", "the answer to %q is longer than %d characters", k, consult.MaxAnswerRunes)
		}
		r.Answers[k] = a
	}
	if err := c.Questionnaire.CheckAnswers(r.Answers); err != nil {
		return 0, aftermath.FieldError("answers", "%v", err)
	}
	now := db.Now().UTC()
	today := now.Format(time.DateOnly)
	in := &aftermath.TestimonyInput{
		Date: today, Country: inv.Country, OwnerOrgID: c.OwnerOrgID, PartnerOrgID: inv.PartnerOrgID, Language: r.Language,
		Body: responseBody(c, r),
		Consent: &aftermath.Consent{Level: r.Consent, MayContact: r.MayContact, Method: aftermath.ConsentWritten, RecordedBy: inv.OrgName,
			RecordedAt: today, Note: fmt.Sprintf("given online with the answers to consultation %d, through invitation %d", c.ID, inv.ID)},
		Audience: c.Audience, RetainUntil: c.RetainUntil,
	}
	if in.Audience == aftermath.AudienceConfidential {
		in.Readers = c.Readers
	}
	if r.Consent.Valid() && in.Audience.Wider(r.Consent.MaxAudience()) {
		in.Audience = r.Consent.MaxAudience()
	}
	if name, contact := strings.TrimSpace(r.Name), strings.TrimSpace(r.Contact); name != "" || contact != "" {
		in.Identity = &aftermath.SpeakerIdentity{Name: name, Contact: contact}
	}
	if err := in.Validate(now); err != nil {
		return 0, err
	}
	structured := map[string]consult.Answer{}
	for _, q := range c.Questionnaire.Questions {
		if a := r.Answers[q.Key]; q.Kind == consult.KindChoice && a.Choice != "" || q.Kind == consult.KindRanking && len(a.Ranking) > 0 {
			structured[q.Key] = consult.Answer{Choice: a.Choice, Ranking: a.Ranking}
		}
	}
	var id int64
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		// Using the link first: of two submissions at once, the second
		// waits here for the first and then finds the link used.
		var invID int64
		err := tx.QueryRowContext(ctx, db.rebind(`UPDATE consultation_invitations AS i SET used_at = ? WHERE i.token_hash = ? AND `+usable+` RETURNING id`),
			append([]any{now.Format(timeFormat), hashLinkToken(token)}, db.usableArgs()...)...).Scan(&invID)
		if err == sql.ErrNoRows || err == nil && invID != inv.ID {
			return errInvalidLink
		}
		if err != nil {
			return err
		}
		if id, err = s.create(ctx, tx, aftermath.System, in); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE consultation_invitations SET testimony_id = ? WHERE id = ?`), id, inv.ID); err != nil {
			return err
		}
		dk, err := db.dataKey(ctx, tx, s.kek, rtTestimony, id)
		if err != nil {
			return err
		}
		answers, err := seal(dk, rtTestimony, id, "consultation answers", structured)
		dk.Destroy()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO consultation_responses (testimony_id, consultation_id, invitation_id, answers, created_at)
			VALUES (?, ?, ?, ?, ?)`), id, c.ID, inv.ID, answers, now.Format(timeFormat)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{Action: aftermath.AuditUpdate, RecordType: rtInvitation, RecordID: inv.ID,
			Detail: fmt.Sprintf("used: the response to consultation %d came through invitation %d and is stored as testimony %d", c.ID, inv.ID, id)})
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// responseBody writes the answers as the testimony's text, in the
// participant's language: each question answered, then its answer.
func responseBody(c *Consultation, r *ConsultationResponse) string {
	var b strings.Builder
	b.WriteString(c.Title.In(r.Language))
	for _, q := range c.Questionnaire.Questions {
		a, ok := r.Answers[q.Key]
		if !ok || a.Text == "" && a.Choice == "" && len(a.Ranking) == 0 {
			continue
		}
		label := func(key string) string {
			for _, o := range q.Options {
				if o.Key == key {
					return o.Label.In(r.Language)
				}
			}
			return key
		}
		b.WriteString("\n\n" + q.Prompt.In(r.Language) + "\n")
		switch q.Kind {
		case consult.KindText:
			b.WriteString(a.Text)
		case consult.KindChoice:
			b.WriteString(label(a.Choice))
		case consult.KindRanking:
			for i, k := range a.Ranking {
				if i > 0 {
					b.WriteString("\n")
				}
				fmt.Fprintf(&b, "%d. %s", i+1, label(k))
			}
		}
	}
	return b.String()
}

// ---- results ----

type ChoiceCount = consult.ChoiceCount

type QuestionResult = consult.QuestionResult

type ConsultationResults = consult.ConsultationResults

const MinResultOrganisations = consult.MinResultOrganisations

// ConsultationResults combines the responses of a consultation v may see.
// The answers are sealed, so it needs the key.
func (s *Voices) ConsultationResults(ctx context.Context, v aftermath.Viewer, id int64) (*ConsultationResults, error) {
	db := s.db
	if s.kek == nil {
		return nil, errNoKey
	}
	c, err := db.Consultation(ctx, v, id)
	if err != nil {
		return nil, err
	}
	res := &ConsultationResults{Consultation: c}
	orgs := map[string]bool{}
	var all []map[string]consult.Answer
	err = db.each(ctx, `SELECT r.answers, COALESCE(i.partner_org_id, 0), COALESCE(i.org_name, ''), r.testimony_id FROM consultation_responses r
		LEFT JOIN consultation_invitations i ON i.id = r.invitation_id WHERE r.consultation_id = ? ORDER BY r.testimony_id`, []any{id},
		func(r *sql.Rows) error {
			var sealed []byte
			var name string
			var org, tid int64
			if err := r.Scan(&sealed, &org, &name, &tid); err != nil {
				return err
			}
			dk, err := db.dataKey(ctx, db.read, s.kek, rtTestimony, tid)
			if err != nil {
				return fmt.Errorf("response %d: %w", tid, err)
			}
			a := map[string]consult.Answer{}
			err = unseal(dk, rtTestimony, tid, "consultation answers", sealed, &a)
			dk.Destroy()
			if err != nil {
				return fmt.Errorf("response %d: %w", tid, err)
			}
			all = append(all, a)
			switch {
			case org != 0:
				orgs["id:"+strconv.FormatInt(org, 10)] = true
			case name != "":
				orgs["name:"+strings.ToLower(name)] = true
			default: // the invitation is gone: count it on its own
				orgs["response:"+strconv.FormatInt(tid, 10)] = true
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("results of consultation %d: %w", id, err)
	}
	res.Responses, res.Organisations = len(all), len(orgs)
	if !c.Manage && !v.All && res.Organisations < MinResultOrganisations {
		res.Withheld = true
		return res, nil
	}
	for _, q := range c.Questionnaire.Questions {
		qr := QuestionResult{Question: q}
		switch q.Kind {
		case consult.KindChoice:
			counts := map[string]int{}
			for _, a := range all {
				if a[q.Key].Choice != "" {
					counts[a[q.Key].Choice]++
					qr.Answered++
				}
			}
			for _, o := range q.Options {
				qr.Choices = append(qr.Choices, ChoiceCount{Option: o.Key, Count: counts[o.Key]})
			}
		case consult.KindRanking:
			var ballots [][]string
			for _, a := range all {
				if len(a[q.Key].Ranking) > 0 {
					ballots = append(ballots, a[q.Key].Ranking)
				}
			}
			qr.Answered = len(ballots)
			if qr.Ranking, err = consult.Borda(q.OptionKeys(), ballots); err != nil {
				return nil, fmt.Errorf("consultation %d, question %s: %w", id, q.Key, err)
			}
		}
		res.Questions = append(res.Questions, qr)
	}
	return res, nil
}

// ExportConsultationResults writes a consultation's results as CSV, labels
// in lang, and records the export in the audit log. One row per option of
// each choice and ranking question: a choice's count, or a ranking's
// place, tie, points, ballots that ranked it, and how many ballots put it
// at each position (position_1 …).
func (s *Voices) ExportConsultationResults(ctx context.Context, v aftermath.Viewer, id int64, lang string, w io.Writer) error {
	db := s.db
	res, err := s.ConsultationResults(ctx, v, id)
	if err != nil {
		return err
	}
	positions := 0
	for _, q := range res.Questions {
		if q.Kind == consult.KindRanking {
			positions = max(positions, len(q.Options))
		}
	}
	head := []string{"consultation_id", "responses", "organisations", "question", "kind", "answered", "option", "label", "count", "rank", "tied", "points", "ballots"}
	for i := range positions {
		head = append(head, "position_"+strconv.Itoa(i+1))
	}
	cw := csvout.NewWriter(w)
	cw.Write(head)
	n := strconv.Itoa
	common := func(q *QuestionResult) []string {
		return []string{strconv.FormatInt(id, 10), n(res.Responses), n(res.Organisations), q.Key, q.Kind, n(q.Answered)}
	}
	for i := range res.Questions {
		q := &res.Questions[i]
		for _, ch := range q.Choices {
			row := append(common(q), ch.Option, q.Label(ch.Option, lang), n(ch.Count), "", "", "", "")
			cw.Write(append(row, make([]string, positions)...))
		}
		for _, b := range q.Ranking {
			tied := "no"
			if b.TiedWithin {
				tied = "yes"
			}
			row := append(common(q), b.Option, q.Label(b.Option, lang), "", n(b.Rank), tied, n(b.Points), n(b.Ballots))
			for p := range positions {
				if p < len(b.Positions) {
					row = append(row, n(b.Positions[p]))
				} else {
					row = append(row, "")
				}
			}
			cw.Write(row)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return db.AuditExport(ctx, v, rtConsultation, id, fmt.Sprintf("results exported as CSV (%d responses)", res.Responses))
}
