package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"aftermath"
)

// The instance's settings (its organisation's name and logo) and its
// first run (the one-time set-up link): migrations/0022_settings.sql.

// maxOrgName keeps the header to one or two lines.
const maxOrgName = 120

// SiteSettings returns the settings; a new instance has an empty name
// and no logo.
func (db *DB) SiteSettings(ctx context.Context) (*aftermath.SiteSettings, error) {
	s := &aftermath.SiteSettings{}
	var updated string
	err := db.read.QueryRowContext(ctx, `SELECT org_name, logo_type, logo_sha256, updated_at FROM site_settings WHERE id = 1`).
		Scan(&s.OrgName, &s.LogoType, &s.LogoSHA256, &updated)
	if err != nil {
		return nil, fmt.Errorf("site settings: %w", err)
	}
	if updated != "" {
		s.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
	}
	return s, nil
}

// Logo returns the stored logo, or ENOTFOUND.
func (db *DB) Logo(ctx context.Context) (*aftermath.Logo, error) {
	l := &aftermath.Logo{}
	err := db.read.QueryRowContext(ctx, `SELECT logo_type, logo, logo_sha256 FROM site_settings WHERE id = 1 AND logo_type <> ''`).
		Scan(&l.Type, &l.Data, &l.SHA256)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "no logo is set")
	}
	if err != nil {
		return nil, fmt.Errorf("logo: %w", err)
	}
	return l, nil
}

// SiteSettingsToEdit is SiteSettings for the settings form, which only
// admins may open.
func (db *DB) SiteSettingsToEdit(ctx context.Context, v aftermath.Viewer) (*aftermath.SiteSettings, error) {
	if err := db.mustBeAdmin(ctx, v); err != nil {
		return nil, err
	}
	return db.SiteSettings(ctx)
}

func (db *DB) mustBeAdmin(ctx context.Context, v aftermath.Viewer) error {
	ok, err := db.isAdmin(ctx, v)
	if err != nil {
		return err
	}
	if !ok {
		return aftermath.Errorf(aftermath.EFORBIDDEN, "only an admin may change the site settings")
	}
	return nil
}

// UpdateSiteSettings changes the name and logo, for admins only. The
// audit entry and the cache generation move in the same transaction, so
// no process keeps serving pages with the old header.
func (db *DB) UpdateSiteSettings(ctx context.Context, v aftermath.Viewer, c aftermath.SettingsChange) error {
	if err := db.mustBeAdmin(ctx, v); err != nil {
		return err
	}
	name := strings.Join(strings.Fields(c.OrgName), " ")
	if utf8.RuneCountInString(name) > maxOrgName {
		return aftermath.FieldError("org_name", "the name is longer than %d characters", maxOrgName)
	}
	if c.Logo != nil {
		if c.Logo.Type != "image/png" && c.Logo.Type != "image/jpeg" {
			return aftermath.FieldError("logo", "a logo is a PNG or JPEG image, not %s", c.Logo.Type)
		}
		if len(c.Logo.Data) == 0 || len(c.Logo.Data) > aftermath.MaxLogoBytes {
			return aftermath.FieldError("logo", "a logo is at most %d KiB", aftermath.MaxLogoBytes>>10)
		}
	}
	now := db.Now().UTC().Format(time.RFC3339)
	detail := "organisation name " + fmt.Sprintf("%q", name)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE site_settings SET org_name = ?, updated_at = ?, updated_by = ? WHERE id = 1`),
			name, now, nullID(v.UserID)); err != nil {
			return fmt.Errorf("site settings: %w", err)
		}
		switch {
		case c.Logo != nil:
			sum := sha256.Sum256(c.Logo.Data)
			hash := hex.EncodeToString(sum[:])
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE site_settings SET logo = ?, logo_type = ?, logo_sha256 = ? WHERE id = 1`),
				c.Logo.Data, c.Logo.Type, hash); err != nil {
				return fmt.Errorf("site logo: %w", err)
			}
			detail += fmt.Sprintf("; logo %s of %d bytes, sha256 %s", c.Logo.Type, len(c.Logo.Data), hash)
		case c.RemoveLogo:
			if _, err := tx.ExecContext(ctx, `UPDATE site_settings SET logo = NULL, logo_type = '', logo_sha256 = '' WHERE id = 1`); err != nil {
				return fmt.Errorf("site logo: %w", err)
			}
			detail += "; logo removed"
		}
		if err := bumpAudienceGeneration(ctx, tx); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditUpdate, RecordType: "site_settings", RecordID: 1, Detail: detail})
	})
}

// SetupNeeded reports whether the instance has no user yet.
func (db *DB) SetupNeeded(ctx context.Context) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM users LIMIT 1) u`).Scan(&n); err != nil {
		return false, fmt.Errorf("setup: %w", err)
	}
	return n == 0, nil
}

// SetupTokenTTL is how long a set-up link works.
const SetupTokenTTL = 24 * time.Hour

// IssueSetupToken keeps the hash of a new set-up token and forgets every
// earlier one that was not used: only the link printed last works.
func (db *DB) IssueSetupToken(ctx context.Context, tokenHash string) error {
	expires := db.Now().UTC().Add(SetupTokenTTL).Format(time.RFC3339)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM setup_tokens WHERE used_at IS NULL`); err != nil {
			return fmt.Errorf("setup token: %w", err)
		}
		_, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?, ?)`), tokenHash, expires)
		if err != nil {
			return fmt.Errorf("setup token: %w", err)
		}
		return nil
	})
}

// SetupTokenValid reports whether a token may still create the first
// admin.
func (db *DB) SetupTokenValid(ctx context.Context, tokenHash string) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM setup_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
		AND NOT EXISTS (SELECT 1 FROM users)`), tokenHash, db.Now().UTC().Format(time.RFC3339)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("setup token: %w", err)
	}
	return n > 0, nil
}

// CreateFirstAdmin spends the token, in a transaction of its own that
// also checks no user exists, so that two people with the link cannot
// both become admin; then creates the admin. Should the account be
// refused (a mistyped email), the token is given back for another try.
func (db *DB) CreateFirstAdmin(ctx context.Context, tokenHash string, a aftermath.FirstAdmin) (*aftermath.User, error) {
	now := db.Now().UTC().Format(time.RFC3339)
	var spent bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE setup_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
			AND NOT EXISTS (SELECT 1 FROM users)`), now, tokenHash, now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		spent = n == 1
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	if !spent {
		return nil, aftermath.Errorf(aftermath.EFORBIDDEN, "this set-up link is not valid: it was used or has expired, or the instance has users already")
	}
	u, err := db.CreateUser(ctx, NewUser{Email: a.Email, Name: a.Name, PasswordHash: a.PasswordHash, OrgSlug: a.OrgSlug, OrgName: a.OrgName, Role: aftermath.RoleAdmin})
	if err != nil {
		if _, rerr := db.write.ExecContext(ctx, db.rebind(`UPDATE setup_tokens SET used_at = NULL WHERE token_hash = ? AND NOT EXISTS (SELECT 1 FROM users)`), tokenHash); rerr != nil {
			return nil, fmt.Errorf("setup: %w (and the link could not be given back: %v)", err, rerr)
		}
		return nil, err
	}
	// The organisation's name heads the pages until the admin changes it.
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE site_settings SET org_name = ?, updated_at = ?, updated_by = ? WHERE id = 1 AND org_name = ''`),
			strings.Join(strings.Fields(a.OrgName), " "), now, u.ID); err != nil {
			return err
		}
		if err := bumpAudienceGeneration(ctx, tx); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: u.ID, Action: aftermath.AuditCreate, RecordType: "user", RecordID: u.ID,
			Detail: "first admin, created with the set-up link"})
	})
	if err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	return u, nil
}
