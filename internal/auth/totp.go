package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP follows RFC 6238 with the parameters every authenticator app
// supports: HMAC-SHA1, 30-second steps, 6 digits.
const (
	totpStep   = 30
	totpDigits = 6
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a random 160-bit secret, base32 without padding.
func NewTOTPSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return b32.EncodeToString(b), nil
}

// TOTPCode returns the code for the step that contains t.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := b32.DecodeString(strings.ToUpper(strings.ReplaceAll(secret, " ", "")))
	if err != nil {
		return "", fmt.Errorf("TOTP secret: %w", err)
	}
	return hotp(key, uint64(t.Unix())/totpStep), nil
}

func hotp(key []byte, counter uint64) string {
	mac := hmac.New(sha1.New, key)
	binary.Write(mac, binary.BigEndian, counter)
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, code%1_000_000)
}

// VerifyTOTP accepts the code of the current step or of one step either
// side, for clocks that drift and codes typed slowly. It does not know
// which codes were used already: sign-in uses MatchTOTP and refuses a
// step that signed in before.
func VerifyTOTP(secret, code string, t time.Time) bool {
	_, ok := MatchTOTP(secret, code, t)
	return ok
}

// MatchTOTP is VerifyTOTP that also returns the step (Unix time / 30) the
// code belongs to, so that the caller can refuse it, and every earlier
// code, once one has signed in.
func MatchTOTP(secret, code string, t time.Time) (int64, bool) {
	key, err := b32.DecodeString(strings.ToUpper(strings.ReplaceAll(secret, " ", "")))
	if err != nil || len(code) != totpDigits {
		return 0, false
	}
	step := uint64(t.Unix()) / totpStep
	var match uint64
	ok := 0
	for _, s := range []uint64{step - 1, step, step + 1} {
		eq := subtle.ConstantTimeCompare([]byte(hotp(key, s)), []byte(code))
		ok |= eq
		if eq == 1 {
			match = s
		}
	}
	return int64(match), ok == 1
}

// TOTPURI is the otpauth:// URI an authenticator app reads from a QR code.
func TOTPURI(issuer, account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", fmt.Sprint(totpDigits))
	v.Set("period", fmt.Sprint(totpStep))
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}
