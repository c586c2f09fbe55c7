package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"aftermath"
)

// Lockout: after MaxFailedLogins failures in a row an account refuses
// sign-in for LockoutFor, whatever the password. Each attempt is counted
// in the database before its password is checked (AccountStore.ReserveLogin), so
// concurrent attempts cannot check more than MaxFailedLogins passwords
// before the lock holds. After a lock ends, the next failure locks again;
// only a success clears the count.
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

// ErrTOTPUnavailable says an authenticator code cannot be checked: the
// account's secret is sealed and this server holds no key to open it (or
// it does not open). A recovery code still signs in. The cause is wrapped
// for the log; the message is what the person signing in may read.
var ErrTOTPUnavailable = errors.New("authenticator codes cannot be checked on this server right now: sign in with a recovery code, and tell an administrator (the server needs its key file)")

// ErrWrongNewCode refuses an enrolment whose confirming code does not
// match the new secret (the app does not hold it yet, or its clock is off).
var ErrWrongNewCode = aftermath.Errorf(aftermath.EINVALID, "the code does not match the new secret")

// LockedError refuses sign-in to a locked account, whatever the password.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "too many failed sign-ins: this account is locked until " + e.Until.UTC().Format("2006-01-02 15:04") + " UTC"
}

// dummyHash is verified for unknown emails so that a missing account takes
// as long to refuse as a wrong password.
var dummyHash, _ = HashPassword("not a password of anyone")

// Service signs people in against the store, and lets them change their
// second factor. Every password check runs in Pool.
type Service struct {
	// Accounts is the account store, with the key-encryption key that
	// seals TOTP secrets when one is loaded (without one, secrets stored
	// in clear still work and new enrolments are refused).
	Accounts aftermath.AccountStore
	// Pool bounds concurrent argon2id checks; nil means DefaultPool.
	Pool *HashPool
	Now  func() time.Time
}

func (s *Service) accounts() aftermath.AccountStore { return s.Accounts }

func (s *Service) pool() *HashPool {
	if s.Pool != nil {
		return s.Pool
	}
	return DefaultPool
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Login checks an email, password and (when enrolled) a TOTP code or a
// recovery code, with lockout after repeated failures. ErrBusy when the
// hashing pool is full (nothing was checked or counted).
func (s *Service) Login(ctx context.Context, email, password, code string) (*aftermath.User, error) {
	c, err := s.accounts().Credentials(ctx, email)
	if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
		if err := s.pool().Do(ctx, func() { VerifyPassword(dummyHash, password) }); err != nil {
			return nil, err
		}
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkPassword(ctx, c, password); err != nil {
		return nil, err
	}
	if c.TOTP {
		if code == "" {
			// The attempt stays counted: omitting the code must not be a
			// way to clear failures.
			return nil, ErrSecondFactor
		}
		if err := s.checkSecondFactor(ctx, c, code); err != nil {
			return nil, err
		}
	}
	if err := s.Accounts.RecordLoginSuccess(ctx, c.UserID); err != nil {
		return nil, err
	}
	return s.Accounts.User(ctx, c.UserID)
}

// checkPassword reserves an attempt (counted as a failure until a success
// clears it) and then, only if reserved, checks the password in the pool.
// A disabled account is checked too, so it answers like a wrong password
// and as slowly.
func (s *Service) checkPassword(ctx context.Context, c *aftermath.Credentials, password string) error {
	now := s.now()
	if now.Before(c.LockedUntil) {
		return &LockedError{Until: c.LockedUntil}
	}
	var reserved bool
	var lockedUntil time.Time
	var verr, rerr error
	if err := s.pool().Do(ctx, func() {
		reserved, lockedUntil, rerr = s.Accounts.ReserveLogin(ctx, c.UserID, now, MaxFailedLogins, now.Add(LockoutFor))
		if rerr == nil && reserved {
			verr = VerifyPassword(c.PasswordHash, password)
		}
	}); err != nil {
		return err
	}
	switch {
	case rerr != nil:
		return rerr
	case !reserved:
		return &LockedError{Until: lockedUntil}
	case verr != nil || c.Disabled:
		return ErrBadCredentials
	}
	return nil
}

// checkSecondFactor accepts a TOTP code of a step later than the last one
// used (then recorded) or an unused recovery code (then spent).
func (s *Service) checkSecondFactor(ctx context.Context, c *aftermath.Credentials, code string) error {
	if len(code) == totpDigits && isDigits(code) {
		if c.TOTPSecret == "" {
			if c.TOTPUnavailable != nil {
				return fmt.Errorf("%w (%v)", ErrTOTPUnavailable, c.TOTPUnavailable)
			}
			return ErrBadCredentials
		}
		step, ok := MatchTOTP(c.TOTPSecret, code, s.now())
		if !ok {
			return ErrBadCredentials
		}
		fresh, err := s.Accounts.UseTOTPStep(ctx, c.UserID, step)
		if err != nil {
			return err
		}
		if !fresh {
			return ErrBadCredentials // a replay
		}
		return nil
	}
	used, err := s.Accounts.UseRecoveryCode(ctx, c.UserID, HashToken(code))
	if err != nil {
		return err
	}
	if !used {
		return ErrBadCredentials
	}
	return nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// EnrolTOTP gives userID the second factor secret, proved by newCode from
// the app, and returns its recovery codes (to show once). A signed-in
// session is not enough: first enrolment needs the password; replacing
// an enrolled factor also needs a current code or a recovery code
// (ErrSecondFactor when it is missing). Password failures count towards
// the lockout like sign-in's. aftermath.ErrTOTPNeedsKey when no
// key-encryption key is loaded.
func (s *Service) EnrolTOTP(ctx context.Context, userID int64, password, currentCode, secret, newCode string) ([]string, error) {
	acc := s.accounts()
	if !acc.CanSeal() {
		return nil, aftermath.ErrTOTPNeedsKey
	}
	step, ok := MatchTOTP(secret, newCode, s.now())
	if !ok {
		return nil, ErrWrongNewCode
	}
	if err := s.reauthenticate(ctx, userID, password, currentCode); err != nil {
		return nil, err
	}
	codes, err := NewRecoveryCodes(10)
	if err != nil {
		return nil, err
	}
	hashes := make([]string, len(codes))
	for i, c := range codes {
		hashes[i] = HashToken(c)
	}
	if err := acc.EnrolTOTP(ctx, userID, secret, step, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// RemoveTOTP removes userID's second factor (and destroys its data key),
// with the password and a current code or recovery code.
func (s *Service) RemoveTOTP(ctx context.Context, userID int64, password, currentCode string) error {
	if err := s.reauthenticate(ctx, userID, password, currentCode); err != nil {
		return err
	}
	return s.accounts().SetTOTP(ctx, userID, "", nil)
}

// reauthenticate checks the password and, when a second factor is
// enrolled, a current code, as sign-in does (lockout included).
func (s *Service) reauthenticate(ctx context.Context, userID int64, password, currentCode string) error {
	c, err := s.accounts().CredentialsByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.checkPassword(ctx, c, password); err != nil {
		return err
	}
	if c.TOTP {
		if currentCode == "" {
			return ErrSecondFactor
		}
		if err := s.checkSecondFactor(ctx, c, currentCode); err != nil {
			return err
		}
	}
	return s.Accounts.RecordLoginSuccess(ctx, c.UserID)
}
