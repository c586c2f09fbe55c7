package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/geo"
	"aftermath/internal/vault"
)

// Testimony ("Voices"): who may do what is decided here, and only here.
//
// Original material (body, translations, finer place, speaker profile,
// consent record, review notes and, separately, the speaker's identity)
// is read by:
//   - the user who submitted the testimony;
//   - for a confidential testimony, the users named as its readers, and
//     nobody else;
//   - otherwise, admins, editors and researchers of the owning
//     organisation.
//
// Everyone else (viewers of the owning organisation, members of partner
// organisations, other contributors, anonymous visitors) sees a
// testimony only once it is approved, only if its audience reaches them
// (the same rule as every other record: visible in audience.go), and
// then only its metadata and its redacted text.
//
// Actions, for those who read the original:
//   - edit content: admins and editors of the owner while not approved
//     (reopen first); the submitter while submitted or returned;
//   - code themes: admins, editors, researchers; the submitter while
//     submitted or returned;
//   - review (start, redact, approve, return, reopen): admins and editors;
//   - resubmit a returned testimony: the submitter, admins and editors;
//   - delete: admins and editors; the submitter until it is approved.
// Submitting needs an admin, editor or contributor membership of the
// owning organisation (auth.ActionSubmit). The system viewer may do all.
//
// Reads of original material, and any read of a confidential testimony,
// are recorded in the audit log in the same transaction as the read.

// Record types of data keys and sealed fields.
const (
	rtTestimony = "testimony"
	rtIdentity  = "testimony_identity"
)

// Voices is the testimony store: the database and the key-encryption key
// that opens its data keys.
type Voices struct {
	db  *DB
	kek *vault.KEK
}

// Voices returns the testimony store using kek. With a nil kek, anything
// that encrypts or decrypts fails with a clear error; listing metadata,
// deleting and purging need no key (DB methods).
func (db *DB) Voices(kek *vault.KEK) *Voices { return &Voices{db: db, kek: kek} }

// ItemError says which item of a batch failed (CreateTestimonies).
type ItemError struct {
	Index int
	Err   error
}

func (e *ItemError) Error() string { return e.Err.Error() }
func (e *ItemError) Unwrap() error { return e.Err }

// details is the sealed "details" field.
type details struct {
	Locality string                   `json:"locality,omitempty"`
	Profile  aftermath.SpeakerProfile `json:"profile"`
}

// redaction is the sealed "redaction" field: the spans a reviewer marked
// and the texts they produce.
type redaction struct {
	Spans        []aftermath.RedactionSpan `json:"spans"`
	Body         string                    `json:"body"`
	Translations map[string]string         `json:"translations,omitempty"`
}

// testimonyOriginal is the SQL condition under which v reads the
// original of testimony alias t (the rule above). User and organisation
// ids are integers written into the text.
func testimonyOriginal(v aftermath.Viewer, t string) string {
	if v.All {
		return "1 = 1"
	}
	if v.UserID == 0 {
		return "1 = 0"
	}
	uid := strconv.FormatInt(v.UserID, 10)
	or := []string{t + ".created_by = " + uid,
		"(" + t + ".audience = 'confidential' AND EXISTS (SELECT 1 FROM record_readers rr WHERE rr.record_type = 'testimony' AND rr.record_id = " +
			t + ".id AND rr.user_id = " + uid + "))"}
	if len(v.Orgs) > 0 {
		or = append(or, "("+t+".audience <> 'confidential' AND "+t+".owner_org_id IN ("+ints(v.Orgs)+") AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = "+
			uid+" AND m.org_id = "+t+".owner_org_id AND m.role IN ('admin', 'editor', 'researcher')))")
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// testimonyVisible is true for the testimonies v may see at all: those
// whose original v reads, and approved ones whose audience reaches v.
func testimonyVisible(v aftermath.Viewer, t string) string {
	if v.All {
		return "1 = 1"
	}
	return "(" + testimonyOriginal(v, t) + " OR (" + t + ".state = 'approved' AND " + visible(v, t, "testimony") + "))"
}

// facts are what permissions are decided from.
type facts struct {
	id, owner, createdBy int64
	audience             aftermath.Audience
	state                aftermath.TestimonyState
	consent              aftermath.ConsentLevel
	original             bool
	role                 string // the viewer's role in the owning organisation
}

func permissions(v aftermath.Viewer, f *facts) aftermath.TestimonyPermissions {
	if v.All {
		return aftermath.TestimonyPermissions{ReadOriginal: true, Edit: true, Code: true, Review: true, Delete: true}
	}
	var p aftermath.TestimonyPermissions
	if !f.original {
		return p
	}
	p.ReadOriginal = true
	member := slices.Contains(v.Orgs, f.owner)
	staff := member && (f.role == aftermath.RoleAdmin || f.role == aftermath.RoleEditor)
	researcher := member && f.role == aftermath.RoleResearcher
	submitter := v.UserID != 0 && f.createdBy == v.UserID
	open := f.state == aftermath.StateSubmitted || f.state == aftermath.StateReturned
	p.Edit = staff && f.state != aftermath.StateApproved || submitter && open
	p.Code = staff || researcher || submitter && open
	p.Review = staff
	p.Delete = staff || submitter && f.state != aftermath.StateApproved
	return p
}

// summarySelect lists the columns scanSummary reads, for viewer v.
func summarySelect(v aftermath.Viewer) string {
	return `SELECT t.id, t.date, t.country, t.admin1, t.language, t.owner_org_id, COALESCE(t.partner_org_id, 0), t.audience, t.consent_level,
		t.state, t.retain_until, COALESCE(t.created_by, 0), t.created_at, t.updated_at, CASE WHEN t.redaction IS NULL THEN 0 ELSE 1 END,
		CASE WHEN ` + testimonyOriginal(v, "t") + ` THEN 1 ELSE 0 END,
		COALESCE((SELECT m.role FROM memberships m WHERE m.user_id = ` + strconv.FormatInt(v.UserID, 10) + ` AND m.org_id = t.owner_org_id), '')
		FROM testimonies t`
}

func scanSummary(v aftermath.Viewer, r scanner) (*aftermath.TestimonySummary, *facts, error) {
	s := &aftermath.TestimonySummary{}
	f := &facts{}
	var created, updated string
	var redacted, original int
	if err := r.Scan(&s.ID, &s.Date, &s.Country, &s.Admin1, &s.Language, &s.OwnerOrgID, &s.PartnerOrgID, &s.Audience, &s.ConsentLevel,
		&s.State, &s.RetainUntil, &s.CreatedBy, &created, &updated, &redacted, &original, &f.role); err != nil {
		return nil, nil, err
	}
	s.CreatedAt, _ = time.Parse(time.RFC3339, created)
	s.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
	s.Redacted = redacted == 1
	f.id, f.owner, f.createdBy, f.audience, f.state, f.consent, f.original = s.ID, s.OwnerOrgID, s.CreatedBy, s.Audience, s.State, s.ConsentLevel, original == 1
	s.Can = permissions(v, f)
	return s, f, nil
}

// load reads one testimony that v may see, within q; ENOTFOUND
// otherwise. On PostgreSQL, lock takes the row for the transaction.
func (db *DB) loadTestimony(ctx context.Context, q querier, v aftermath.Viewer, id int64, lock bool) (*aftermath.TestimonySummary, *facts, error) {
	query := summarySelect(v) + ` WHERE t.id = ? AND ` + testimonyVisible(v, "t")
	if lock && db.Driver == Postgres {
		query += ` FOR UPDATE OF t`
	}
	s, f, err := scanSummary(v, q.QueryRowContext(ctx, db.rebind(query), id))
	if err == sql.ErrNoRows {
		return nil, nil, aftermath.Errorf(aftermath.ENOTFOUND, "no testimony %d", id)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("testimony %d: %w", id, err)
	}
	return s, f, nil
}

func forbidden(format string, args ...any) error {
	return aftermath.Errorf(aftermath.EFORBIDDEN, format, args...)
}

type TestimonyFilter = aftermath.TestimonyFilter

// Testimonies lists the metadata of the testimonies v may see, newest
// first, with what v may do with each. It decrypts nothing.
func (db *DB) Testimonies(ctx context.Context, v aftermath.Viewer, f TestimonyFilter) ([]aftermath.TestimonySummary, error) {
	q := summarySelect(v) + ` WHERE ` + testimonyVisible(v, "t")
	var args []any
	if f.State != "" {
		q += ` AND t.state = ?`
		args = append(args, string(f.State))
	}
	if f.Country != "" {
		q += ` AND t.country = ?`
		args = append(args, strings.ToUpper(f.Country))
	}
	if f.Theme != "" {
		q += ` AND EXISTS (SELECT 1 FROM testimony_themes tt JOIN themes th ON th.id = tt.theme_id WHERE tt.testimony_id = t.id AND th.slug = ?)`
		args = append(args, slugKey(f.Theme))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += ` ORDER BY t.id DESC LIMIT ` + strconv.Itoa(min(limit, 1000)) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	var out []aftermath.TestimonySummary
	err := db.each(ctx, q, args, func(r *sql.Rows) error {
		s, _, err := scanSummary(v, r)
		if err == nil {
			out = append(out, *s)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list testimonies: %w", err)
	}
	for i := range out {
		if out[i].Themes, err = db.testimonyThemes(ctx, db.read, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) testimonyThemes(ctx context.Context, q querier, id int64) ([]string, error) {
	var out []string
	err := eachRow(ctx, q, db.rebind(`SELECT th.slug FROM testimony_themes tt JOIN themes th ON th.id = tt.theme_id WHERE tt.testimony_id = ? ORDER BY th.slug`),
		[]any{id}, func(r *sql.Rows) error {
			var s string
			err := r.Scan(&s)
			out = append(out, s)
			return err
		})
	return out, err
}

// checkInput validates a testimony against the database: country, the
// organisations, themes, linked records (interventions only if v may see
// them) and readers. It returns the theme ids.
func (db *DB) checkInput(ctx context.Context, q querier, v aftermath.Viewer, in *aftermath.TestimonyInput) ([]int64, error) {
	if _, ok := geo.ByAlpha3(in.Country); !ok {
		return nil, aftermath.FieldError("country", "%q is not an ISO 3166-1 alpha-3 country code", in.Country)
	}
	in.Country = strings.ToUpper(in.Country)
	if in.PartnerOrgID != 0 {
		if err := exists(ctx, db, q, "organisations o", "o", []int64{in.PartnerOrgID}, "1 = 1"); err != nil {
			return nil, aftermath.FieldError("partner_org", "%v", err)
		}
	}
	if err := exists(ctx, db, q, "interventions i", "i", in.Interventions, visible(v, "i", "intervention")); err != nil {
		return nil, aftermath.FieldError("interventions", "%v", err)
	}
	if err := exists(ctx, db, q, "actors a", "a", in.Actors, actorVisible(v, "a")); err != nil {
		return nil, aftermath.FieldError("actors", "%v", err)
	}
	if err := exists(ctx, db, q, "places p", "p", in.Places, "1 = 1"); err != nil {
		return nil, aftermath.FieldError("places", "%v", err)
	}
	if err := exists(ctx, db, q, "users u", "u", in.Readers, "1 = 1"); err != nil {
		return nil, aftermath.FieldError("readers", "%v", err)
	}
	var themeIDs []int64
	for _, slug := range in.Themes {
		var id int64
		err := q.QueryRowContext(ctx, db.rebind(`SELECT id FROM themes WHERE slug = ?`), slugKey(slug)).Scan(&id)
		if err == sql.ErrNoRows {
			return nil, aftermath.FieldError("themes", "no theme %q", slug)
		}
		if err != nil {
			return nil, err
		}
		if !slices.Contains(themeIDs, id) {
			themeIDs = append(themeIDs, id)
		}
	}
	return themeIDs, nil
}

// exists checks that every id names a row of table (alias a) meeting cond.
func exists(ctx context.Context, db *DB, q querier, table, a string, ids []int64, cond string) error {
	for _, id := range ids {
		var n int
		if err := q.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM `+table+` WHERE `+a+`.id = ? AND `+cond), id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("no record %d", id)
		}
	}
	return nil
}

// canSubmit: the system, or an admin, editor or contributor of the
// owning organisation.
func (db *DB) canSubmit(ctx context.Context, q querier, v aftermath.Viewer, org int64) error {
	if org == 0 {
		return aftermath.FieldError("owner_org", "say which organisation holds the testimony")
	}
	if err := exists(ctx, db, q, "organisations o", "o", []int64{org}, "1 = 1"); err != nil {
		return aftermath.FieldError("owner_org", "%v", err)
	}
	if v.All {
		return nil
	}
	var n int
	err := q.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM memberships WHERE user_id = ? AND org_id = ? AND role IN ('admin', 'editor', 'contributor')`),
		v.UserID, org).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 || v.UserID == 0 {
		return forbidden("only admins, editors and contributors of the organisation may submit testimony to it")
	}
	return nil
}

// CreateTestimony stores a testimony, submitted for review, and returns
// its id. Nothing is stored without a valid consent record, and never an
// audience wider than the consent allows.
func (s *Voices) CreateTestimony(ctx context.Context, v aftermath.Viewer, in *aftermath.TestimonyInput) (int64, error) {
	ids, err := s.CreateTestimonies(ctx, v, []*aftermath.TestimonyInput{in})
	if err != nil {
		var ie *ItemError
		if errors.As(err, &ie) {
			return 0, ie.Err
		}
		return 0, err
	}
	return ids[0], nil
}

// CreateTestimonies stores several testimonies in one transaction: if
// one is refused (an *ItemError says which), none is stored.
func (s *Voices) CreateTestimonies(ctx context.Context, v aftermath.Viewer, ins []*aftermath.TestimonyInput) ([]int64, error) {
	if s.kek == nil {
		return nil, errNoKey
	}
	now := s.db.Now()
	for i, in := range ins {
		if err := in.Validate(now); err != nil {
			return nil, &ItemError{i, err}
		}
	}
	var ids []int64
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		for i, in := range ins {
			id, err := s.create(ctx, tx, v, in)
			if err != nil {
				return &ItemError{i, err}
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

func (s *Voices) create(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, in *aftermath.TestimonyInput) (int64, error) {
	db := s.db
	if err := db.canSubmit(ctx, tx, v, in.OwnerOrgID); err != nil {
		return 0, err
	}
	themes, err := db.checkInput(ctx, tx, v, in)
	if err != nil {
		return 0, err
	}
	now := db.Now().Format(timeFormat)
	var id int64
	// The row is inserted first because the sealed fields are bound to
	// its id; the placeholders hold nothing.
	err = tx.QueryRowContext(ctx, db.rebind(`INSERT INTO testimonies (date, country, admin1, language, owner_org_id, partner_org_id, audience,
		consent_level, state, retain_until, created_by, created_at, updated_at, body, consent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		in.Date, in.Country, strings.TrimSpace(in.Admin1), in.Language, in.OwnerOrgID, nullID(in.PartnerOrgID), string(in.Audience),
		string(in.Consent.Level), string(aftermath.StateSubmitted), in.RetainUntil, nullID(v.UserID), now, now, []byte{}, []byte{}).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create testimony: %w", err)
	}
	dk, err := db.newDataKey(ctx, tx, s.kek, rtTestimony, id)
	if err != nil {
		return 0, err
	}
	defer dk.Destroy()
	if err := s.writeContent(ctx, tx, dk, id, in, nil); err != nil {
		return 0, err
	}
	if in.Identity != nil {
		if err := s.writeIdentity(ctx, tx, id, in.Identity); err != nil {
			return 0, err
		}
	}
	if err := db.writeParts(ctx, tx, id, in, themes); err != nil {
		return 0, err
	}
	if err := db.addReviewStep(ctx, tx, dk, id, v, aftermath.ReviewSubmit, "", aftermath.StateSubmitted, "", ""); err != nil {
		return 0, err
	}
	return id, db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditCreate, RecordType: rtTestimony, RecordID: id,
		Detail: fmt.Sprintf("submitted; consent %s; requested audience %s", in.Consent.Level, in.Audience)})
}

// writeContent seals and stores the content fields; red is the redaction
// to keep (nil clears it).
func (s *Voices) writeContent(ctx context.Context, tx *sql.Tx, dk *vault.DataKey, id int64, in *aftermath.TestimonyInput, red []byte) error {
	body, err := seal(dk, rtTestimony, id, "body", in.Body)
	if err != nil {
		return err
	}
	var tr []byte
	if len(in.Translations) > 0 {
		if tr, err = seal(dk, rtTestimony, id, "translations", in.Translations); err != nil {
			return err
		}
	}
	det, err := seal(dk, rtTestimony, id, "details", details{Locality: strings.TrimSpace(in.Locality), Profile: in.Profile})
	if err != nil {
		return err
	}
	con, err := seal(dk, rtTestimony, id, "consent", in.Consent)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.db.rebind(`UPDATE testimonies SET body = ?, translations = ?, details = ?, consent = ?, redaction = ? WHERE id = ?`),
		body, tr, det, con, red, id)
	return err
}

// writeIdentity replaces the speaker's identity: the old one's data key
// is destroyed with it, and the new one gets a key of its own.
func (s *Voices) writeIdentity(ctx context.Context, tx *sql.Tx, id int64, ident *aftermath.SpeakerIdentity) error {
	db := s.db
	if err := db.destroyDataKey(ctx, tx, rtIdentity, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM testimony_identities WHERE testimony_id = ?`), id); err != nil {
		return err
	}
	if ident == nil {
		return nil
	}
	dk, err := db.newDataKey(ctx, tx, s.kek, rtIdentity, id)
	if err != nil {
		return err
	}
	defer dk.Destroy()
	b, err := seal(dk, rtIdentity, id, "identity", aftermath.SpeakerIdentity{Name: strings.TrimSpace(ident.Name), Contact: strings.TrimSpace(ident.Contact)})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.rebind(`INSERT INTO testimony_identities (testimony_id, sealed, created_at) VALUES (?, ?, ?)`), id, b, db.Now().Format(timeFormat))
	return err
}

// writeParts replaces themes, links and readers.
func (db *DB) writeParts(ctx context.Context, tx *sql.Tx, id int64, in *aftermath.TestimonyInput, themes []int64) error {
	if err := db.writeThemes(ctx, tx, id, themes); err != nil {
		return err
	}
	for _, l := range []struct {
		table, col string
		ids        []int64
	}{{"testimony_interventions", "intervention_id", in.Interventions}, {"testimony_actors", "actor_id", in.Actors}, {"testimony_places", "place_id", in.Places}} {
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM `+l.table+` WHERE testimony_id = ?`), id); err != nil {
			return err
		}
		for _, x := range l.ids {
			if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO `+l.table+` (testimony_id, `+l.col+`) VALUES (?, ?) ON CONFLICT DO NOTHING`), id, x); err != nil {
				return err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM record_readers WHERE record_type = 'testimony' AND record_id = ?`), id); err != nil {
		return err
	}
	for _, u := range in.Readers {
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO record_readers (record_type, record_id, user_id) VALUES ('testimony', ?, ?) ON CONFLICT DO NOTHING`),
			id, u); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) writeThemes(ctx context.Context, tx *sql.Tx, id int64, themes []int64) error {
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM testimony_themes WHERE testimony_id = ?`), id); err != nil {
		return err
	}
	for _, th := range themes {
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO testimony_themes (testimony_id, theme_id) VALUES (?, ?)`), id, th); err != nil {
			return err
		}
	}
	return nil
}

// addReviewStep records a step of the review, its note sealed with the
// testimony's data key (bound to the step's own id).
func (db *DB) addReviewStep(ctx context.Context, tx *sql.Tx, dk *vault.DataKey, id int64, v aftermath.Viewer, action string,
	from, to aftermath.TestimonyState, audience aftermath.Audience, note string) error {
	var rid int64
	err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO testimony_reviews (testimony_id, at, actor_user_id, action, from_state, to_state, audience)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), id, db.Now().Format(timeFormat), nullID(v.UserID), action, string(from), string(to), string(audience)).Scan(&rid)
	if err != nil || note == "" {
		return err
	}
	b, err := seal(dk, rtTestimony, id, "review_note:"+strconv.FormatInt(rid, 10), note)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.rebind(`UPDATE testimony_reviews SET note = ? WHERE id = ?`), b, rid)
	return err
}

// sealedRow is a testimony's sealed columns.
type sealedRow struct {
	body, translations, details, consent, redaction []byte
}

func (db *DB) sealedRow(ctx context.Context, q querier, id int64) (*sealedRow, error) {
	r := &sealedRow{}
	err := q.QueryRowContext(ctx, db.rebind(`SELECT body, translations, details, consent, redaction FROM testimonies WHERE id = ?`), id).
		Scan(&r.body, &r.translations, &r.details, &r.consent, &r.redaction)
	if err != nil {
		return nil, fmt.Errorf("testimony %d: %w", id, err)
	}
	return r, nil
}

// open decrypts the original content of a testimony.
func (s *Voices) open(ctx context.Context, q querier, dk *vault.DataKey, id int64) (*aftermath.TestimonyContent, *redaction, error) {
	r, err := s.db.sealedRow(ctx, q, id)
	if err != nil {
		return nil, nil, err
	}
	c := &aftermath.TestimonyContent{ID: id}
	if err := unseal(dk, rtTestimony, id, "body", r.body, &c.Body); err != nil {
		return nil, nil, err
	}
	if r.translations != nil {
		if err := unseal(dk, rtTestimony, id, "translations", r.translations, &c.Translations); err != nil {
			return nil, nil, err
		}
	}
	if r.details != nil {
		var d details
		if err := unseal(dk, rtTestimony, id, "details", r.details, &d); err != nil {
			return nil, nil, err
		}
		c.Locality, c.Profile = d.Locality, d.Profile
	}
	if err := unseal(dk, rtTestimony, id, "consent", r.consent, &c.Consent); err != nil {
		return nil, nil, err
	}
	var red *redaction
	if r.redaction != nil {
		red = &redaction{}
		if err := unseal(dk, rtTestimony, id, "redaction", r.redaction, red); err != nil {
			return nil, nil, err
		}
		c.Redactions = red.Spans
	}
	return c, red, nil
}

// checkConsent compares the clear consent level (which the database
// checks audiences against) with the sealed record: a mismatch means the
// row was altered outside Aftermath.
func checkConsent(f *facts, c *aftermath.Consent) error {
	if c.Level != f.consent {
		return aftermath.Errorf(aftermath.EINTERNAL, "testimony %d: its consent level was altered in the database (%s, the sealed record says %s)",
			f.id, f.consent, c.Level)
	}
	return nil
}

// Testimony returns what v may read of a testimony without opening the
// original: metadata, the links v may see and the redacted text. Reading
// a confidential testimony is recorded in the audit log, in the same
// transaction as the read.
func (s *Voices) Testimony(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Testimony, error) {
	db := s.db
	sum, _, err := db.loadTestimony(ctx, db.read, v, id, false)
	if err != nil {
		return nil, err
	}
	if sum.Audience != aftermath.AudienceConfidential {
		return s.testimony(ctx, db.read, v, id)
	}
	var t *aftermath.Testimony
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = s.testimony(ctx, tx, v, id); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditReadConfidential,
			RecordType: rtTestimony, RecordID: id, Detail: "read confidential testimony (redacted view)"})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Voices) testimony(ctx context.Context, q querier, v aftermath.Viewer, id int64) (*aftermath.Testimony, error) {
	db := s.db
	sum, _, err := db.loadTestimony(ctx, q, v, id, false)
	if err != nil {
		return nil, err
	}
	t := &aftermath.Testimony{TestimonySummary: *sum}
	if t.Themes, err = db.testimonyThemes(ctx, q, id); err != nil {
		return nil, err
	}
	for _, l := range []struct {
		dst  *[]int64
		q    string
		cond string
	}{
		{&t.Interventions, `SELECT i.id FROM testimony_interventions l JOIN interventions i ON i.id = l.intervention_id WHERE l.testimony_id = ?`, visible(v, "i", "intervention")},
		{&t.Actors, `SELECT a.id FROM testimony_actors l JOIN actors a ON a.id = l.actor_id WHERE l.testimony_id = ?`, actorVisible(v, "a")},
		{&t.Places, `SELECT p.id FROM testimony_places l JOIN places p ON p.id = l.place_id WHERE l.testimony_id = ?`, "1 = 1"},
	} {
		err := eachRow(ctx, q, db.rebind(l.q+` AND `+l.cond+` ORDER BY 1`), []any{id}, func(r *sql.Rows) error {
			var x int64
			err := r.Scan(&x)
			*l.dst = append(*l.dst, x)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if !sum.Redacted {
		return t, nil
	}
	dk, err := db.dataKey(ctx, q, s.kek, rtTestimony, id)
	if err != nil {
		return nil, err
	}
	defer dk.Destroy()
	r, err := db.sealedRow(ctx, q, id)
	if err != nil {
		return nil, err
	}
	var red redaction
	if err := unseal(dk, rtTestimony, id, "redaction", r.redaction, &red); err != nil {
		return nil, err
	}
	t.RedactedBody, t.RedactedTranslations = red.Body, red.Translations
	return t, nil
}

// TestimonyOriginal opens the original material: body, translations,
// finer place, profile, consent record, readers, redaction spans and the
// review history with notes. Only for those who read originals; the read
// is recorded in the audit log in the same transaction.
func (s *Voices) TestimonyOriginal(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.TestimonyContent, error) {
	db := s.db
	var c *aftermath.TestimonyContent
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		sum, f, err := db.loadTestimony(ctx, tx, v, id, false)
		if err != nil {
			return err
		}
		if !sum.Can.ReadOriginal {
			return forbidden("only the submitter and the people who handle testimony %d read its original; others read the redacted text", id)
		}
		dk, err := db.dataKey(ctx, tx, s.kek, rtTestimony, id)
		if err != nil {
			return err
		}
		defer dk.Destroy()
		if c, _, err = s.open(ctx, tx, dk, id); err != nil {
			return err
		}
		if err := checkConsent(f, &c.Consent); err != nil {
			return err
		}
		c.Language = sum.Language
		err = eachRow(ctx, tx, db.rebind(`SELECT user_id FROM record_readers WHERE record_type = 'testimony' AND record_id = ? ORDER BY user_id`), []any{id},
			func(r *sql.Rows) error {
				var u int64
				err := r.Scan(&u)
				c.Readers = append(c.Readers, u)
				return err
			})
		if err != nil {
			return err
		}
		err = eachRow(ctx, tx, db.rebind(`SELECT r.id, r.at, COALESCE(r.actor_user_id, 0), COALESCE(u.name, ''), r.action, r.from_state, r.to_state, r.audience, r.note
			FROM testimony_reviews r LEFT JOIN users u ON u.id = r.actor_user_id
			WHERE r.testimony_id = ? ORDER BY r.id`), []any{id}, func(r *sql.Rows) error {
			var st aftermath.ReviewStep
			var rid int64
			var at string
			var note []byte
			if err := r.Scan(&rid, &at, &st.ActorID, &st.ActorName, &st.Action, &st.From, &st.To, &st.Audience, &note); err != nil {
				return err
			}
			st.At, _ = time.Parse(time.RFC3339, at)
			if note != nil {
				if err := unseal(dk, rtTestimony, id, "review_note:"+strconv.FormatInt(rid, 10), note, &st.Note); err != nil {
					return err
				}
			}
			c.Reviews = append(c.Reviews, st)
			return nil
		})
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditReadConfidential,
			RecordType: rtTestimony, RecordID: id, Detail: "read original"})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// TestimonyIdentity returns the speaker's identity (nil if none was
// given), for those who read originals; the read is audited.
func (s *Voices) TestimonyIdentity(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.SpeakerIdentity, error) {
	db := s.db
	var ident *aftermath.SpeakerIdentity
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		sum, _, err := db.loadTestimony(ctx, tx, v, id, false)
		if err != nil {
			return err
		}
		if !sum.Can.ReadOriginal {
			return forbidden("only the submitter and the people who handle testimony %d read the speaker's identity", id)
		}
		if ident, err = s.identity(ctx, tx, id); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditReadConfidential,
			RecordType: rtTestimony, RecordID: id, Detail: "read speaker identity"})
	})
	return ident, err
}

func (s *Voices) identity(ctx context.Context, q querier, id int64) (*aftermath.SpeakerIdentity, error) {
	var b []byte
	err := q.QueryRowContext(ctx, s.db.rebind(`SELECT sealed FROM testimony_identities WHERE testimony_id = ?`), id).Scan(&b)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	dk, err := s.db.dataKey(ctx, q, s.kek, rtIdentity, id)
	if err != nil {
		return nil, err
	}
	defer dk.Destroy()
	ident := &aftermath.SpeakerIdentity{}
	return ident, unseal(dk, rtIdentity, id, "identity", b, ident)
}

// UpdateTestimony replaces a testimony's content and metadata (not its
// identity: SetTestimonyIdentity; not its owner). An approved testimony
// must be reopened first. The redaction is kept only if body and
// translations are unchanged.
func (s *Voices) UpdateTestimony(ctx context.Context, v aftermath.Viewer, id int64, in *aftermath.TestimonyInput) error {
	if s.kek == nil {
		return errNoKey
	}
	db := s.db
	in2 := *in
	in2.Identity = nil // not changed here
	if err := in2.Validate(db.Now()); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		sum, f, err := db.loadTestimony(ctx, tx, v, id, true)
		if err != nil {
			return err
		}
		if f.state == aftermath.StateApproved && (v.All || sum.Can.Review) {
			return aftermath.Errorf(aftermath.ECONFLICT, "testimony %d is approved: reopen it for review before changing it", id)
		}
		if !sum.Can.Edit {
			return forbidden("you may not change testimony %d", id)
		}
		themes, err := db.checkInput(ctx, tx, v, &in2)
		if err != nil {
			return err
		}
		dk, err := db.dataKey(ctx, tx, s.kek, rtTestimony, id)
		if err != nil {
			return err
		}
		defer dk.Destroy()
		old, _, err := s.open(ctx, tx, dk, id)
		if err != nil {
			return err
		}
		if !in2.Consent.MayContact {
			ident, err := s.identity(ctx, tx, id)
			if err != nil {
				return err
			}
			if ident != nil && ident.Contact != "" {
				return aftermath.FieldError("consent", "the speaker may no longer be contacted: remove the contact details from the identity first")
			}
		}
		var changed []string
		if old.Body != in2.Body {
			changed = append(changed, "body")
		}
		if !maps.Equal(old.Translations, in2.Translations) {
			changed = append(changed, "translations")
		}
		if old.Locality != strings.TrimSpace(in2.Locality) || old.Profile != in2.Profile {
			changed = append(changed, "details")
		}
		if old.Consent != *in2.Consent {
			changed = append(changed, "consent")
		}
		var keep []byte
		if !slices.Contains(changed, "body") && !slices.Contains(changed, "translations") {
			r, err := db.sealedRow(ctx, tx, id)
			if err != nil {
				return err
			}
			keep = r.redaction
		}
		if err := s.writeContent(ctx, tx, dk, id, &in2, keep); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.rebind(`UPDATE testimonies SET date = ?, country = ?, admin1 = ?, language = ?, partner_org_id = ?, audience = ?,
			consent_level = ?, retain_until = ?, updated_at = ? WHERE id = ?`), in2.Date, in2.Country, strings.TrimSpace(in2.Admin1), in2.Language,
			nullID(in2.PartnerOrgID), string(in2.Audience), string(in2.Consent.Level), in2.RetainUntil, db.Now().Format(timeFormat), id)
		if err != nil {
			return fmt.Errorf("update testimony %d: %w", id, err)
		}
		if err := bumpAudienceGeneration(ctx, tx); err != nil { // cached public pages quote it (audience.go)
			return err
		}
		if err := db.writeParts(ctx, tx, id, &in2, themes); err != nil {
			return err
		}
		detail := "updated"
		if len(changed) > 0 {
			detail += "; sealed fields changed: " + strings.Join(changed, ", ")
		}
		if keep == nil && sum.Redacted {
			detail += "; redaction cleared"
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditUpdate, RecordType: rtTestimony, RecordID: id, Detail: detail})
	})
}

// SetTestimonyIdentity replaces the speaker's identity, or with nil
// destroys it (and its data key). Admins and editors may do it in any
// state, the submitter while the testimony is submitted or returned.
func (s *Voices) SetTestimonyIdentity(ctx context.Context, v aftermath.Viewer, id int64, ident *aftermath.SpeakerIdentity) error {
	db := s.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		sum, _, err := db.loadTestimony(ctx, tx, v, id, true)
		if err != nil {
			return err
		}
		if !sum.Can.Edit && !sum.Can.Review {
			return forbidden("you may not change the identity of testimony %d's speaker", id)
		}
		detail := "speaker identity removed"
		if ident != nil {
			if s.kek == nil {
				return errNoKey
			}
			if strings.TrimSpace(ident.Name) == "" && strings.TrimSpace(ident.Contact) == "" {
				return aftermath.FieldError("identity", "give a name or a contact, or remove the identity")
			}
			if ident.Contact != "" {
				dk, err := db.dataKey(ctx, tx, s.kek, rtTestimony, id)
				if err != nil {
					return err
				}
				c, _, err := s.open(ctx, tx, dk, id)
				dk.Destroy()
				if err != nil {
					return err
				}
				if !c.Consent.MayContact {
					return aftermath.FieldError("identity", "the speaker did not agree to be contacted again, so no contact details may be stored")
				}
			}
			detail = "speaker identity set"
		}
		if err := s.writeIdentity(ctx, tx, id, ident); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditUpdate, RecordType: rtTestimony, RecordID: id, Detail: detail})
	})
}

// SetTestimonyThemes codes a testimony with themes (slugs), in any state.
func (db *DB) SetTestimonyThemes(ctx context.Context, v aftermath.Viewer, id int64, slugs []string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		sum, _, err := db.loadTestimony(ctx, tx, v, id, true)
		if err != nil {
			return err
		}
		if !sum.Can.Code {
			return forbidden("you may not code testimony %d", id)
		}
		var ids []int64
		for _, slug := range slugs {
			var tid int64
			err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM themes WHERE slug = ?`), slugKey(slug)).Scan(&tid)
			if err == sql.ErrNoRows {
				return aftermath.FieldError("themes", "no theme %q", slug)
			}
			if err != nil {
				return err
			}
			if !slices.Contains(ids, tid) {
				ids = append(ids, tid)
			}
		}
		if err := db.writeThemes(ctx, tx, id, ids); err != nil {
			return err
		}
		sorted := slices.Clone(slugs)
		slices.Sort(sorted)
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditUpdate, RecordType: rtTestimony, RecordID: id,
			Detail: "themes: " + strings.Join(slices.Compact(sorted), ", ")})
	})
}

// DeleteTestimony destroys a testimony: its data keys first (so nothing
// sealed under them can be read again, wherever copies of the rows
// remain), then its rows. On SQLite the WAL is checkpointed afterwards.
func (db *DB) DeleteTestimony(ctx context.Context, v aftermath.Viewer, id int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		sum, _, err := db.loadTestimony(ctx, tx, v, id, true)
		if err != nil {
			return err
		}
		if !sum.Can.Delete {
			return forbidden("you may not delete testimony %d", id)
		}
		if err := db.destroyTestimony(ctx, tx, id); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditDelete, RecordType: rtTestimony, RecordID: id,
			Detail: "deleted with its data keys"})
	})
	if err == nil {
		db.checkpoint(ctx)
	}
	return err
}

func (db *DB) destroyTestimony(ctx context.Context, tx *sql.Tx, id int64) error {
	// Cached public pages quote a public one: every serve process drops
	// them (audience.go).
	if err := bumpIfPublic(ctx, tx, db, "testimonies", id); err != nil {
		return err
	}
	for _, rt := range []string{rtTestimony, rtIdentity} {
		if err := db.destroyDataKey(ctx, tx, rt, id); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM record_readers WHERE record_type = 'testimony' AND record_id = ?`), id); err != nil {
		return err
	}
	// Identities, reviews, themes and links go with the row (ON DELETE CASCADE).
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM testimonies WHERE id = ?`), id); err != nil {
		return fmt.Errorf("delete testimony %d: %w", id, err)
	}
	return nil
}

// PurgeExpired destroys every testimony whose retention date is before
// now's date, as DeleteTestimony does, and returns how many. It needs no
// key. The daily job and 'aftermath purge' call it.
func (db *DB) PurgeExpired(ctx context.Context, now time.Time) (int, error) {
	today := now.UTC().Format(time.DateOnly)
	var n int
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		type expired struct {
			id    int64
			until string
		}
		var ids []expired
		err := eachRow(ctx, tx, db.rebind(`SELECT id, retain_until FROM testimonies WHERE retain_until < ? ORDER BY id`), []any{today}, func(r *sql.Rows) error {
			var e expired
			err := r.Scan(&e.id, &e.until)
			ids = append(ids, e)
			return err
		})
		if err != nil {
			return err
		}
		for _, e := range ids {
			if err := db.destroyTestimony(ctx, tx, e.id); err != nil {
				return err
			}
		}
		for _, e := range ids {
			if err := db.appendAudit(ctx, tx, &aftermath.AuditEntry{Action: aftermath.AuditPurge, RecordType: rtTestimony, RecordID: e.id,
				Detail: "retention date " + e.until + " passed; destroyed with its data keys"}); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	if n > 0 {
		db.checkpoint(ctx)
	}
	return n, nil
}

// Redact marks spans to redact in the body and translations of a
// testimony in review and stores the redacted texts it produces (sealed;
// the original is untouched). It returns the redacted body. Calling it
// with no spans records that nothing needs redacting.
func (s *Voices) Redact(ctx context.Context, v aftermath.Viewer, id int64, spans []aftermath.RedactionSpan) (string, error) {
	db := s.db
	var out string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		sum, f, err := db.loadTestimony(ctx, tx, v, id, true)
		if err != nil {
			return err
		}
		if !sum.Can.Review {
			return forbidden("only admins and editors who handle testimony %d redact it", id)
		}
		if f.state != aftermath.StateInReview {
			return aftermath.Errorf(aftermath.ECONFLICT, "testimony %d is %s: only a testimony in review is redacted", id, f.state)
		}
		dk, err := db.dataKey(ctx, tx, s.kek, rtTestimony, id)
		if err != nil {
			return err
		}
		defer dk.Destroy()
		c, _, err := s.open(ctx, tx, dk, id)
		if err != nil {
			return err
		}
		byLang := map[string][]aftermath.RedactionSpan{}
		for _, sp := range spans {
			if sp.Lang != "" && sp.Lang != c.Language {
				if _, ok := c.Translations[sp.Lang]; !ok {
					return aftermath.FieldError("redactions", "there is no %s translation", sp.Lang)
				}
			} else {
				sp.Lang = ""
			}
			byLang[sp.Lang] = append(byLang[sp.Lang], sp)
		}
		red := redaction{Spans: spans}
		if red.Body, err = aftermath.Redact(c.Body, byLang[""]); err != nil {
			return err
		}
		for lang, text := range c.Translations {
			r, err := aftermath.Redact(text, byLang[lang])
			if err != nil {
				return err
			}
			if red.Translations == nil {
				red.Translations = map[string]string{}
			}
			red.Translations[lang] = r
		}
		b, err := seal(dk, rtTestimony, id, "redaction", red)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE testimonies SET redaction = ?, updated_at = ? WHERE id = ?`), b, db.Now().Format(timeFormat), id); err != nil {
			return err
		}
		if err := db.addReviewStep(ctx, tx, dk, id, v, aftermath.ReviewRedact, f.state, f.state, "", ""); err != nil {
			return err
		}
		out = red.Body
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditReview, RecordType: rtTestimony, RecordID: id,
			Detail: fmt.Sprintf("redacted %d spans", len(spans))})
	})
	return out, err
}

// reviewMoves are the state changes each review action makes.
var reviewMoves = map[string][2]aftermath.TestimonyState{
	aftermath.ReviewStart:    {aftermath.StateSubmitted, aftermath.StateInReview},
	aftermath.ReviewApprove:  {aftermath.StateInReview, aftermath.StateApproved},
	aftermath.ReviewReturn:   {aftermath.StateInReview, aftermath.StateReturned},
	aftermath.ReviewResubmit: {aftermath.StateReturned, aftermath.StateSubmitted},
	aftermath.ReviewReopen:   {aftermath.StateApproved, aftermath.StateInReview},
}

// Review takes one step of the review: start, approve (for an audience
// no wider than the consent allows, once a redacted version exists),
// return (with a note), resubmit or reopen. Who and when are recorded in
// the review history and the audit log.
func (s *Voices) Review(ctx context.Context, v aftermath.Viewer, id int64, step aftermath.ReviewInput) error {
	move, ok := reviewMoves[step.Action]
	if !ok {
		return aftermath.FieldError("action", "%q is not one of start, approve, return, resubmit, reopen", step.Action)
	}
	db := s.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		sum, f, err := db.loadTestimony(ctx, tx, v, id, true)
		if err != nil {
			return err
		}
		allowed := sum.Can.Review
		if step.Action == aftermath.ReviewResubmit {
			allowed = sum.Can.Review || sum.Can.Edit
		}
		if !allowed {
			return forbidden("you may not %s testimony %d", step.Action, id)
		}
		if f.state != move[0] {
			return aftermath.Errorf(aftermath.ECONFLICT, "testimony %d is %s; %s needs it %s", id, f.state, step.Action, move[0])
		}
		dk, err := db.dataKey(ctx, tx, s.kek, rtTestimony, id)
		if err != nil {
			return err
		}
		defer dk.Destroy()
		audience := f.audience
		switch step.Action {
		case aftermath.ReviewReturn:
			if strings.TrimSpace(step.Note) == "" {
				return aftermath.FieldError("note", "say why the testimony is returned")
			}
		case aftermath.ReviewApprove:
			// Four eyes: what leaves the organisation is approved by
			// someone other than the person who submitted it.
			if !v.All && v.UserID == f.createdBy && (step.Audience == aftermath.AudiencePartners || step.Audience == aftermath.AudiencePublic) {
				return forbidden("testimony %d: someone other than its submitter approves it for %s", id, step.Audience)
			}
			if err := s.checkApproval(ctx, tx, dk, f, step.Audience); err != nil {
				return err
			}
			audience = step.Audience
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE testimonies SET state = ?, audience = ?, updated_at = ? WHERE id = ?`),
			string(move[1]), string(audience), db.Now().Format(timeFormat), id); err != nil {
			return fmt.Errorf("review testimony %d: %w", id, err)
		}
		if err := bumpAudienceGeneration(ctx, tx); err != nil { // cached public pages quote it (audience.go)
			return err
		}
		var stepAudience aftermath.Audience
		if step.Action == aftermath.ReviewApprove {
			stepAudience = audience
		}
		if err := db.addReviewStep(ctx, tx, dk, id, v, step.Action, move[0], move[1], stepAudience, strings.TrimSpace(step.Note)); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s: %s → %s", step.Action, move[0], move[1])
		if stepAudience != "" {
			detail += " for " + string(stepAudience)
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditReview, RecordType: rtTestimony, RecordID: id, Detail: detail})
	})
}

// checkApproval refuses an approval the consent does not allow, one
// without a redacted version, and, for an audience beyond the
// organisation, a redacted text that still names the speaker or the
// finer place.
func (s *Voices) checkApproval(ctx context.Context, tx *sql.Tx, dk *vault.DataKey, f *facts, a aftermath.Audience) error {
	if !a.Valid() {
		return aftermath.FieldError("audience", "%q is not one of confidential, internal, partners, public", a)
	}
	c, red, err := s.open(ctx, tx, dk, f.id)
	if err != nil {
		return err
	}
	if err := checkConsent(f, &c.Consent); err != nil {
		return err
	}
	if max := c.Consent.Level.MaxAudience(); a.Wider(max) {
		return aftermath.FieldError("audience", "consent %s allows at most %s, not %s", c.Consent.Level, max, a)
	}
	if red == nil {
		return aftermath.FieldError("redactions", "redact the testimony (even with nothing to remove) before approving it")
	}
	if a == aftermath.AudienceConfidential {
		var n int
		if err := tx.QueryRowContext(ctx, s.db.rebind(`SELECT count(*) FROM record_readers WHERE record_type = 'testimony' AND record_id = ?`), f.id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return aftermath.FieldError("readers", "a confidential testimony needs at least one named reader")
		}
	}
	if !a.Wider(aftermath.AudienceInternal) {
		return nil
	}
	ident, err := s.identity(ctx, tx, f.id)
	if err != nil {
		return err
	}
	var leaks []string
	if ident != nil {
		leaks = append(leaks, ident.Contact)
		if c.Consent.Level != aftermath.ConsentAttributed { // a speaker who chose attribution may be named
			leaks = append(leaks, ident.Name)
		}
	}
	leaks = append(leaks, c.Locality)
	texts := append([]string{red.Body}, slices.Collect(maps.Values(red.Translations))...)
	for _, l := range leaks {
		l = strings.ToLower(strings.TrimSpace(l))
		if len([]rune(l)) < 3 {
			continue
		}
		for _, t := range texts {
			if strings.Contains(strings.ToLower(t), l) {
				return aftermath.FieldError("redactions", "the redacted text still contains the speaker's name, contact or exact place: redact it before approving for %s", a)
			}
		}
	}
	return nil
}

type QuoteFilter = aftermath.QuoteFilter

// QuoteBank lists approved testimonies v may see as quotes (never a
// confidential one: quoting is for sharing, and each read of those is
// audited one by one on its own page): their
// redacted text (never the original, whoever asks) with the consent
// level, and the speaker's name only where they consented to attributed
// publication.
func (s *Voices) QuoteBank(ctx context.Context, v aftermath.Viewer, f QuoteFilter) ([]aftermath.Quote, error) {
	db := s.db
	if s.kek == nil {
		return nil, errNoKey
	}
	q := `SELECT t.id, t.date, t.country, t.admin1, t.language, t.audience, t.consent_level, t.redaction FROM testimonies t
		WHERE t.state = 'approved' AND t.redaction IS NOT NULL AND t.audience <> 'confidential' AND ` + testimonyVisible(v, "t")
	var args []any
	if f.Theme != "" {
		q += ` AND EXISTS (SELECT 1 FROM testimony_themes tt JOIN themes th ON th.id = tt.theme_id WHERE tt.testimony_id = t.id AND th.slug = ?)`
		args = append(args, slugKey(f.Theme))
	}
	if f.Country != "" {
		q += ` AND t.country = ?`
		args = append(args, strings.ToUpper(f.Country))
	}
	if f.Testimony != 0 {
		q += ` AND t.id = ?`
		args = append(args, f.Testimony)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += ` ORDER BY t.date DESC, t.id DESC LIMIT ` + strconv.Itoa(min(limit, 1000))
	type row struct {
		q   aftermath.Quote
		red []byte
	}
	var rows []row
	err := db.each(ctx, q, args, func(r *sql.Rows) error {
		var x row
		err := r.Scan(&x.q.TestimonyID, &x.q.Date, &x.q.Country, &x.q.Admin1, &x.q.Language, &x.q.Audience, &x.q.ConsentLevel, &x.red)
		rows = append(rows, x)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("quote bank: %w", err)
	}
	out := make([]aftermath.Quote, 0, len(rows))
	for _, x := range rows {
		id := x.q.TestimonyID
		dk, err := db.dataKey(ctx, db.read, s.kek, rtTestimony, id)
		if err != nil {
			return nil, err
		}
		var red redaction
		err = unseal(dk, rtTestimony, id, "redaction", x.red, &red)
		dk.Destroy()
		if err != nil {
			return nil, err
		}
		x.q.Text, x.q.Translations = red.Body, red.Translations
		if x.q.ConsentLevel == aftermath.ConsentAttributed {
			ident, err := s.identity(ctx, db.read, id)
			if err != nil {
				return nil, err
			}
			if ident != nil {
				x.q.Attribution = ident.Name
			}
		}
		if x.q.Themes, err = db.testimonyThemes(ctx, db.read, id); err != nil {
			return nil, err
		}
		out = append(out, x.q)
	}
	return out, nil
}
