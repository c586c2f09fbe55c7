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
	var created, secret string
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT u.id, u.email, u.name, u.disabled, u.totp_secret, u.created_at FROM users u WHERE `+where), arg).
		Scan(&u.ID, &u.Email, &u.Name, &u.Disabled, &secret, &created)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no such user")
	}
	if err != nil {
		return nil, fmt.Errorf("user: %w", err)
	}
	u.TOTP = secret != ""
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
type Credentials struct {
	UserID       int64
	PasswordHash string
	TOTPSecret   string
	Disabled     bool
	FailedLogins int
	LockedUntil  time.Time
}

// CredentialsByEmail returns the secrets of an account, or ENOTFOUND.
func (db *DB) CredentialsByEmail(ctx context.Context, email string) (*Credentials, error) {
	c := &Credentials{}
	var locked string
	err := db.write.QueryRowContext(ctx, db.rebind(`SELECT id, password_hash, totp_secret, disabled, failed_logins, locked_until FROM users WHERE email = ?`),
		strings.ToLower(strings.TrimSpace(email))).Scan(&c.UserID, &c.PasswordHash, &c.TOTPSecret, &c.Disabled, &c.FailedLogins, &locked)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no such user")
	}
	if err != nil {
		return nil, err
	}
	c.LockedUntil, _ = time.Parse(time.RFC3339, locked)
	return c, nil
}

// RecordLogin notes a sign-in attempt: a success clears the failure
// count; a failure adds to it and, at the limit, locks the account until
// lockUntil.
func (db *DB) RecordLogin(ctx context.Context, userID int64, ok bool, limit int, lockUntil time.Time) error {
	if ok {
		_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE users SET failed_logins = 0, locked_until = '' WHERE id = ?`), userID)
		return err
	}
	_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE users SET failed_logins = failed_logins + 1,
		locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END WHERE id = ?`),
		limit, lockUntil.UTC().Format(time.RFC3339), userID)
	return err
}

// SetTOTP enrols (secret and recovery code hashes) or removes ("" and nil)
// a second factor.
func (db *DB) SetTOTP(ctx context.Context, userID int64, secret string, recoveryHashes []string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE users SET totp_secret = ? WHERE id = ?`), secret, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM recovery_codes WHERE user_id = ?`), userID); err != nil {
			return err
		}
		for _, h := range recoveryHashes {
			if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`), userID, h); err != nil {
				return err
			}
		}
		return nil
	})
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
