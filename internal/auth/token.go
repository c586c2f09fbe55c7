package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Token prefixes tell a leaked secret's kind at a glance (and let secret
// scanners find them).
const (
	APITokenPrefix = "aft_"
	SessionPrefix  = "afs_"
)

// NewToken returns a random 256-bit token with a prefix.
func NewToken(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken is what the database keeps of a token: a stolen database then
// yields no usable session or API token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewRecoveryCodes returns n one-time codes of 10 characters in groups of
// five, from an alphabet without look-alike characters.
func NewRecoveryCodes(n int) ([]string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	// Bytes at or above the largest multiple of the alphabet's size are
	// drawn again, so every character is equally likely.
	limit := byte(256 / len(alphabet) * len(alphabet))
	out := make([]string, 0, n)
	buf := make([]byte, 1)
	for range n {
		var s strings.Builder
		for s.Len() < 11 {
			if s.Len() == 5 {
				s.WriteByte('-')
			}
			if _, err := rand.Read(buf); err != nil {
				return nil, err
			}
			if buf[0] >= limit {
				continue
			}
			s.WriteByte(alphabet[int(buf[0])%len(alphabet)])
		}
		out = append(out, s.String())
	}
	return out, nil
}
