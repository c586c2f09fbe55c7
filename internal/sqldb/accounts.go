package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/vault"
)

var (
	emailRE   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	orgSlugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
)

// NewUser is what creating an account needs.
type NewUser struct {
	Email        string
	Name         string
	PasswordHash string // from auth.HashPassword
	OrgSlug      string // created if it does not exist
	OrgName      string // for a new organisation; default the slug
	Role         string
}

// CreateUser stores a user with one membership. ECONFLICT if the email is
// taken.
func (db *DB) CreateUser(ctx context.Context, nu NewUser) (*aftermath.User, error) {
	email := strings.ToLower(strings.TrimSpace(nu.Email))
	switch {
	case !emailRE.MatchString(email):
		return nil, aftermath.Errorf(aftermath.EINVALID, "%q is not an email address", nu.Email)
	case strings.TrimSpace(nu.Name) == "":
		return nil, aftermath.Errorf(aftermath.EINVALID, "a user needs a name")
	case !orgSlugRE.MatchString(nu.OrgSlug):
		return nil, aftermath.Errorf(aftermath.EINVALID, "organisation %q: use lower-case letters, digits and hyphens", nu.OrgSlug)
	case !slices.Contains(aftermath.Roles, nu.Role):
		return nil, aftermath.Errorf(aftermath.EINVALID, "role %q is not one of %s", nu.Role, strings.Join(aftermath.Roles, ", "))
	case !strings.HasPrefix(nu.PasswordHash, "$argon2id$"):
		return nil, aftermath.Errorf(aftermath.EINVALID, "a user needs an argon2id password hash")
	}
	var id int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM users WHERE email = ?`), email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return aftermath.Errorf(aftermath.ECONFLICT, "a user %s exists already", email)
		}
		now := db.Now().Format(time.RFC3339)
		orgName := nu.OrgName
		if orgName == "" {
			orgName = nu.OrgSlug
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO organisations (slug, name, created_at) VALUES (?, ?, ?) ON CONFLICT (slug) DO NOTHING`),
			nu.OrgSlug, orgName, now); err != nil {
			return err
		}
		var orgID int64
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM organisations WHERE slug = ?`), nu.OrgSlug).Scan(&orgID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`),
			email, strings.TrimSpace(nu.Name), nu.PasswordHash, now).Scan(&id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)`), id, orgID, nu.Role)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.User(ctx, id)
}

// User returns a user with memberships, or ENOTFOUND.
func (db *DB) User(ctx context.Context, id int64) (*aftermath.User, error) {
	return db.userWhere(ctx, `u.id = ?`, id)
}

// UserByEmail returns a user by email (any case), or ENOTFOUND.
func (db *DB) UserByEmail(ctx context.Context, email string) (*aftermath.User, error) {
	return db.userWhere(ctx, `u.email = ?`, strings.ToLower(strings.TrimSpace(email)))
}

func (db *DB) userWhere(ctx context.Context, where string, arg any) (*aftermath.User, error) {
	u := &aftermath.User{}
	var created string
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT u.id, u.email, u.name, u.disabled, (u.totp_secret <> '' OR u.totp_sealed IS NOT NULL), u.created_at
		FROM users u WHERE `+where), arg).
		Scan(&u.ID, &u.Email, &u.Name, &u.Disabled, &u.TOTP, &created)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no such user")
	}
	if err != nil {
		return nil, fmt.Errorf("user: %w", err)
	}
	u.CreatedAt, _ = time.Parse(time.RFC3339, created)
	err = db.each(ctx, `SELECT m.org_id, o.slug, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = ? ORDER BY o.slug`,
		[]any{u.ID}, func(r *sql.Rows) error {
			var m aftermath.Membership
			err := r.Scan(&m.OrgID, &m.OrgSlug, &m.Role)
			u.Memberships = append(u.Memberships, m)
			return err
		})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Users lists every user by email.
func (db *DB) Users(ctx context.Context) ([]aftermath.User, error) {
	var ids []int64
	if err := db.each(ctx, `SELECT id FROM users ORDER BY email`, nil, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	}); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := make([]aftermath.User, 0, len(ids))
	for _, id := range ids {
		u, err := db.User(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, nil
}

// SetUserDisabled disables (or enables) a user. Disabling also ends the
// user's sessions and revokes their API tokens.
func (db *DB) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE users SET disabled = ? WHERE id = ?`), disabled, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return aftermath.Errorf(aftermath.ENOTFOUND, "no user %d", id)
		}
		if !disabled {
			return nil
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM sessions WHERE user_id = ?`), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.rebind(`UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at = ''`),
			db.Now().Format(time.RFC3339), id)
		return err
	})
}

// Credentials are what signing in checks.
type Credentials = aftermath.Credentials

// Checks IntegrityCheck runs: a sealed TOTP secret has its data key, and
// no user data key outlives the secret it sealed.
func init() {
	orphanChecks["users.totp_data_key"] = `SELECT count(*) FROM users u WHERE u.totp_sealed IS NOT NULL AND NOT EXISTS
		(SELECT 1 FROM data_keys k WHERE k.record_type = 'user' AND k.record_id = u.id)`
	orphanChecks["data_keys.user"] = `SELECT count(*) FROM data_keys k WHERE k.record_type = 'user' AND NOT EXISTS
		(SELECT 1 FROM users u WHERE u.id = k.record_id AND u.totp_sealed IS NOT NULL)`
}

// rtUser is the record type of a user's data key, which seals the TOTP
// secret.
const rtUser = "user"

// ErrTOTPNeedsKey refuses to enrol a second factor when no key-encryption
// key is loaded: TOTP secrets are stored sealed, never in clear.
var ErrTOTPNeedsKey = aftermath.ErrTOTPNeedsKey

// Accounts is the account store with the key-encryption key that seals
// TOTP secrets (kek may be nil: existing clear secrets still work, new
// enrolments are refused).
type Accounts struct {
	db  *DB
	kek *vault.KEK
}

// Accounts returns the account store sealing with kek (nil for none).
func (db *DB) Accounts(kek *vault.KEK) *Accounts { return &Accounts{db: db, kek: kek} }

// Accounts returns the account store with the testimony store's key, so
// that one key file seals both.
func (s *Voices) Accounts() *Accounts { return s.db.Accounts(s.kek) }

// CanSeal reports whether a key is loaded, so a second factor can be
// enrolled.
func (a *Accounts) CanSeal() bool { return a.kek != nil }

// CredentialsByEmail returns the secrets of an account, or ENOTFOUND. It
// opens no sealed TOTP secret (no key); see Accounts.Credentials.
func (db *DB) CredentialsByEmail(ctx context.Context, email string) (*Credentials, error) {
	return db.Accounts(nil).Credentials(ctx, email)
}

// Credentials returns the secrets of the account with that email (any
// case), or ENOTFOUND. A TOTP secret still stored in clear is sealed on
// the way when a key is loaded.
func (a *Accounts) Credentials(ctx context.Context, email string) (*Credentials, error) {
	return a.credentials(ctx, `email = ?`, strings.ToLower(strings.TrimSpace(email)))
}

// CredentialsByID is Credentials by user id.
func (a *Accounts) CredentialsByID(ctx context.Context, id int64) (*Credentials, error) {
	return a.credentials(ctx, `id = ?`, id)
}

func (a *Accounts) credentials(ctx context.Context, where string, arg any) (*Credentials, error) {
	db := a.db
	c := &Credentials{}
	var locked, clearSecret string
	var sealed []byte
	err := db.write.QueryRowContext(ctx, db.rebind(`SELECT id, password_hash, totp_secret, totp_sealed, totp_last_step, disabled, failed_logins, locked_until
		FROM users WHERE `+where), arg).Scan(&c.UserID, &c.PasswordHash, &clearSecret, &sealed, &c.TOTPLastStep, &c.Disabled, &c.FailedLogins, &locked)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no such user")
	}
	if err != nil {
		return nil, err
	}
	c.LockedUntil, _ = time.Parse(time.RFC3339, locked)
	switch {
	case len(sealed) > 0:
		c.TOTP = true
		c.TOTPSecret, c.TOTPUnavailable = a.openTOTP(ctx, c.UserID, sealed)
	case clearSecret != "":
		c.TOTP, c.TOTPSecret = true, clearSecret
		if a.kek != nil {
			if err := a.sealClear(ctx, c.UserID, clearSecret); err != nil {
				return nil, err
			}
			a.db.checkpoint(ctx)
		}
	}
	return c, nil
}

func (a *Accounts) openTOTP(ctx context.Context, userID int64, sealed []byte) (string, error) {
	dk, err := a.db.dataKey(ctx, a.db.write, a.kek, rtUser, userID)
	if err != nil {
		return "", err
	}
	defer dk.Destroy()
	var secret string
	if err := unseal(dk, rtUser, userID, "totp_secret", sealed, &secret); err != nil {
		return "", aftermath.Errorf(aftermath.EINTERNAL, "the TOTP secret of user %d does not open: %v", userID, err)
	}
	return secret, nil
}

// sealClear seals one clear TOTP secret in place, if it is still the one
// stored (a concurrent enrolment wins).
func (a *Accounts) sealClear(ctx context.Context, userID int64, secret string) error {
	return a.db.inTx(ctx, func(tx *sql.Tx) error {
		var still string
		if err := tx.QueryRowContext(ctx, a.db.rebind(`SELECT totp_secret FROM users WHERE id = ?`), userID).Scan(&still); err != nil {
			return err
		}
		if still != secret {
			return nil
		}
		return a.storeSealed(ctx, tx, userID, secret, -1)
	})
}

// storeSealed replaces the user's data key and stores secret sealed with
// the new one; lastStep >= 0 also sets the last used step.
func (a *Accounts) storeSealed(ctx context.Context, tx *sql.Tx, userID int64, secret string, lastStep int64) error {
	db := a.db
	if err := db.destroyDataKey(ctx, tx, rtUser, userID); err != nil {
		return err
	}
	dk, err := db.newDataKey(ctx, tx, a.kek, rtUser, userID)
	if err != nil {
		return err
	}
	defer dk.Destroy()
	ct, err := seal(dk, rtUser, userID, "totp_secret", secret)
	if err != nil {
		return err
	}
	q, args := `UPDATE users SET totp_secret = '', totp_sealed = ? WHERE id = ?`, []any{ct, userID}
	if lastStep >= 0 {
		q, args = `UPDATE users SET totp_secret = '', totp_sealed = ?, totp_last_step = ? WHERE id = ?`, []any{ct, lastStep, userID}
	}
	_, err = tx.ExecContext(ctx, db.rebind(q), args...)
	return err
}

// SealClearTOTP seals every TOTP secret still stored in clear (from before
// a key was loaded) and returns how many it sealed.
func (a *Accounts) SealClearTOTP(ctx context.Context) (int, error) {
	if a.kek == nil {
		return 0, errNoKey
	}
	type row struct {
		id     int64
		secret string
	}
	var rows []row
	if err := a.db.each(ctx, `SELECT id, totp_secret FROM users WHERE totp_secret <> '' ORDER BY id`, nil, func(r *sql.Rows) error {
		var x row
		err := r.Scan(&x.id, &x.secret)
		rows = append(rows, x)
		return err
	}); err != nil {
		return 0, err
	}
	for _, x := range rows {
		if err := a.sealClear(ctx, x.id, x.secret); err != nil {
			return 0, fmt.Errorf("seal the TOTP secret of user %d: %w", x.id, err)
		}
	}
	a.db.checkpoint(ctx)
	return len(rows), nil
}

// ReserveLogin counts a sign-in attempt before its password is checked,
// atomically: one conditional UPDATE that succeeds only while the account
// is not locked, and locks it (until lockUntil) when the count reaches
// limit. However many attempts arrive at once, at most limit of them are
// reserved (and so checked) before the lock holds. A reserved attempt
// counts as a failure until RecordLoginSuccess clears it. false, with the
// lock's end, when the account is locked.
func (db *DB) ReserveLogin(ctx context.Context, userID int64, now time.Time, limit int, lockUntil time.Time) (bool, time.Time, error) {
	nowS := now.UTC().Format(time.RFC3339)
	res, err := db.write.ExecContext(ctx, db.rebind(`UPDATE users SET failed_logins = failed_logins + 1,
		locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END
		WHERE id = ? AND locked_until <= ?`),
		limit, lockUntil.UTC().Format(time.RFC3339), userID, nowS)
	if err != nil {
		return false, time.Time{}, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, time.Time{}, nil
	}
	var locked string
	if err := db.write.QueryRowContext(ctx, db.rebind(`SELECT locked_until FROM users WHERE id = ?`), userID).Scan(&locked); err == sql.ErrNoRows {
		return false, time.Time{}, aftermath.Errorf(aftermath.ENOTFOUND, "no such user")
	} else if err != nil {
		return false, time.Time{}, err
	}
	until, _ := time.Parse(time.RFC3339, locked)
	return false, until, nil
}

// RecordLoginSuccess clears the failure count and any lock.
func (db *DB) RecordLoginSuccess(ctx context.Context, userID int64) error {
	_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE users SET failed_logins = 0, locked_until = '' WHERE id = ?`), userID)
	return err
}

// UseTOTPStep records that a code of step signed in; false when a code of
// that step or a later one already did (a replay). Atomic: of two
// concurrent uses of one code, one wins.
func (db *DB) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := db.write.ExecContext(ctx, db.rebind(`UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`), step, userID, step)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// SetTOTP enrols (secret and recovery code hashes) or removes ("" and
// nil) a second factor, sealing the secret with a new data key; lastStep
// is the step of the code that proved the enrolment (0 for none).
// ErrTOTPNeedsKey without a key; removal needs none, and destroys the
// data key.
func (a *Accounts) SetTOTP(ctx context.Context, userID int64, secret string, recoveryHashes []string) error {
	return a.EnrolTOTP(ctx, userID, secret, 0, recoveryHashes)
}

// EnrolTOTP is SetTOTP with the step of the confirming code, which then
// cannot sign in again.
func (a *Accounts) EnrolTOTP(ctx context.Context, userID int64, secret string, lastStep int64, recoveryHashes []string) error {
	if secret != "" && a.kek == nil {
		return ErrTOTPNeedsKey
	}
	err := a.db.inTx(ctx, func(tx *sql.Tx) error {
		if secret == "" {
			if err := a.db.destroyDataKey(ctx, tx, rtUser, userID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, a.db.rebind(`UPDATE users SET totp_secret = '', totp_sealed = NULL WHERE id = ?`), userID); err != nil {
				return err
			}
		} else if err := a.storeSealed(ctx, tx, userID, secret, lastStep); err != nil {
			return err
		}
		return replaceRecoveryCodes(ctx, a.db, tx, userID, recoveryHashes)
	})
	if err == nil {
		a.db.checkpoint(ctx)
	}
	return err
}

// SetTOTP stores a second factor UNSEALED, as installations without a key
// file did before sealing existed; it serves tests and such legacy data
// only, and the secret is sealed at the next sign-in with a key loaded.
// Enrolment goes through Accounts.SetTOTP.
func (db *DB) SetTOTP(ctx context.Context, userID int64, secret string, recoveryHashes []string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.destroyDataKey(ctx, tx, rtUser, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE users SET totp_secret = ?, totp_sealed = NULL WHERE id = ?`), secret, userID); err != nil {
			return err
		}
		return replaceRecoveryCodes(ctx, db, tx, userID, recoveryHashes)
	})
}

func replaceRecoveryCodes(ctx context.Context, db *DB, tx *sql.Tx, userID int64, hashes []string) error {
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM recovery_codes WHERE user_id = ?`), userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`), userID, h); err != nil {
			return err
		}
	}
	return nil
}

// UseRecoveryCode spends one unused recovery code; false if there is none
// with that hash.
func (db *DB) UseRecoveryCode(ctx context.Context, userID int64, codeHash string) (bool, error) {
	res, err := db.write.ExecContext(ctx, db.rebind(`UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at = ''`),
		db.Now().Format(time.RFC3339), userID, codeHash)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// CreateSession stores a session by its token's hash.
func (db *DB) CreateSession(ctx context.Context, userID int64, tokenHash string, expires time.Time) error {
	_, err := db.write.ExecContext(ctx, db.rebind(`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
		tokenHash, userID, db.Now().Format(time.RFC3339), expires.UTC().Format(time.RFC3339))
	return err
}

// SessionUser returns the user of a live session, or ENOTFOUND for an
// unknown, expired or disabled one.
func (db *DB) SessionUser(ctx context.Context, tokenHash string) (*aftermath.User, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ? AND NOT u.disabled`), tokenHash, db.Now().Format(time.RFC3339)).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no session")
	}
	if err != nil {
		return nil, err
	}
	return db.User(ctx, id)
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
	return err
}

// CreateAPIToken stores a personal API token by its hash.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, name, tokenHash string) error {
	if strings.TrimSpace(name) == "" {
		return aftermath.Errorf(aftermath.EINVALID, "a token needs a name (what it is for)")
	}
	_, err := db.write.ExecContext(ctx, db.rebind(`INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)`),
		userID, name, tokenHash, db.Now().Format(time.RFC3339))
	return err
}

// APITokenUser returns the user of a valid API token, or ENOTFOUND for an
// unknown or revoked token or a disabled user.
func (db *DB) APITokenUser(ctx context.Context, tokenHash string) (*aftermath.User, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at = '' AND NOT u.disabled`), tokenHash).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no such token")
	}
	if err != nil {
		return nil, err
	}
	return db.User(ctx, id)
}

// The account store with its key is the accounts service sign-in uses.
var _ aftermath.AccountStore = (*Accounts)(nil)

// ReserveLogin is DB.ReserveLogin.
func (a *Accounts) ReserveLogin(ctx context.Context, userID int64, now time.Time, limit int, lockUntil time.Time) (bool, time.Time, error) {
	return a.db.ReserveLogin(ctx, userID, now, limit, lockUntil)
}

// RecordLoginSuccess is DB.RecordLoginSuccess.
func (a *Accounts) RecordLoginSuccess(ctx context.Context, userID int64) error {
	return a.db.RecordLoginSuccess(ctx, userID)
}

// UseTOTPStep is DB.UseTOTPStep.
func (a *Accounts) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	return a.db.UseTOTPStep(ctx, userID, step)
}

// UseRecoveryCode is DB.UseRecoveryCode.
func (a *Accounts) UseRecoveryCode(ctx context.Context, userID int64, codeHash string) (bool, error) {
	return a.db.UseRecoveryCode(ctx, userID, codeHash)
}

// User is DB.User.
func (a *Accounts) User(ctx context.Context, id int64) (*aftermath.User, error) {
	return a.db.User(ctx, id)
}
