package auth

import (
	"context"
	"errors"
	"time"

	"aftermath"
	"aftermath/internal/sqldb"
)

// Lockout: after MaxFailedLogins failures in a row an account refuses
// sign-in for LockoutFor, whatever the password.
const (
	MaxFailedLogins = 5
	LockoutFor      = 15 * time.Minute
)

// ErrBadCredentials is the one answer to a wrong email, password or
// second factor, so that sign-in does not tell which accounts exist.
var ErrBadCredentials = aftermath.Errorf(aftermath.EINVALID, "the email, password or code is wrong")

// ErrSecondFactor says the password was right and a TOTP or recovery code
// is needed.
var ErrSecondFactor = errors.New("second factor required")

// LockedError refuses sign-in to a locked account, whatever the password.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "too many failed sign-ins: this account is locked until " + e.Until.UTC().Format("2006-01-02 15:04") + " UTC"
}

// dummyHash is verified for unknown emails so that a missing account takes
// as long to refuse as a wrong password.
var dummyHash, _ = HashPassword("not a password of anyone")

// Service signs people in against the store.
type Service struct {
	DB  *sqldb.DB
	Now func() time.Time
}

// Login checks an email, password and (when enrolled) a TOTP code or a
// recovery code, with lockout after repeated failures.
func (s *Service) Login(ctx context.Context, email, password, code string) (*aftermath.User, error) {
	now := s.Now()
	c, err := s.DB.CredentialsByEmail(ctx, email)
	if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
		VerifyPassword(dummyHash, password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if now.Before(c.LockedUntil) {
		return nil, &LockedError{Until: c.LockedUntil}
	}
	fail := func() (*aftermath.User, error) {
		if err := s.DB.RecordLogin(ctx, c.UserID, false, MaxFailedLogins, now.Add(LockoutFor)); err != nil {
			return nil, err
		}
		return nil, ErrBadCredentials
	}
	if c.Disabled || VerifyPassword(c.PasswordHash, password) != nil {
		return fail()
	}
	if c.TOTPSecret != "" {
		switch {
		case code == "":
			return nil, ErrSecondFactor
		case len(code) == 6 && VerifyTOTP(c.TOTPSecret, code, now):
		default:
			used, err := s.DB.UseRecoveryCode(ctx, c.UserID, HashToken(code))
			if err != nil {
				return nil, err
			}
			if !used {
				return fail()
			}
		}
	}
	if err := s.DB.RecordLogin(ctx, c.UserID, true, 0, time.Time{}); err != nil {
		return nil, err
	}
	return s.DB.User(ctx, c.UserID)
}
