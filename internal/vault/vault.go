// Package vault is Aftermath's envelope encryption. Every sensitive record
// gets its own random 256-bit data key (DEK); its fields are sealed with
// XChaCha20-Poly1305 under that key, with additional data naming the
// record type, id and field, so a ciphertext moved to another record or
// field fails to open. Each DEK is stored wrapped (sealed) by the
// key-encryption key (KEK), which lives in a file outside the database and
// never enters it. Destroying a record's DEK makes its ciphertexts
// unreadable (crypto-shredding); rotating the KEK re-wraps every DEK.
//
// The package knows nothing about databases: internal/sqldb stores the
// wrapped keys and the ciphertexts.
package vault

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the size of every key, KEK and DEK: 256 bits.
const KeySize = chacha20poly1305.KeySize

// format is the first byte of every sealed value, so that a later change
// of algorithm can tell old ciphertexts from new.
const format byte = 1

var (
	// ErrWrongKey: a wrapped data key did not open with the loaded KEK.
	ErrWrongKey = errors.New("the data key does not open with this key-encryption key (wrong key file?)")
	// ErrCorrupt: a ciphertext did not open with its data key: it was
	// altered, truncated or moved from another record.
	ErrCorrupt = errors.New("encrypted value does not open: altered, truncated or moved from another record")
)

// KEK is a key-encryption key. Its ID is derived from the key, so a
// restored copy with a typo is caught when it is loaded and rotation can
// tell keys apart.
type KEK struct {
	id  string
	key [KeySize]byte
}

// ID names the key (16 hex digits); it is stored beside every DEK it wraps.
func (k *KEK) ID() string { return k.id }

// GenerateKEK makes a new random key-encryption key.
func GenerateKEK() (*KEK, error) {
	var b [KeySize]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return newKEK(b), nil
}

func newKEK(b [KeySize]byte) *KEK {
	return &KEK{id: keyID(b[:]), key: b}
}

// keyID is the first 8 bytes of a domain-separated SHA-256 of the key:
// enough to tell keys apart, and revealing nothing useful about the key.
func keyID(key []byte) string {
	h := sha256.New()
	h.Write([]byte("aftermath kek id v1\x00"))
	h.Write(key)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// DataKey is one record's data key.
type DataKey struct {
	key [KeySize]byte
}

// NewDataKey makes a random data key.
func NewDataKey() (*DataKey, error) {
	dk := &DataKey{}
	if _, err := rand.Read(dk.key[:]); err != nil {
		return nil, fmt.Errorf("generate data key: %w", err)
	}
	return dk, nil
}

// Destroy overwrites the key in memory (best effort: Go may have copied
// it, but the copies we control are gone).
func (dk *DataKey) Destroy() {
	if dk != nil {
		clear(dk.key[:])
	}
}

// wrapAD binds a wrapped DEK to the record it belongs to.
func wrapAD(recordType string, id int64) []byte {
	return []byte("aftermath dek v1\x00" + recordType + "\x00" + strconv.FormatInt(id, 10))
}

// FieldAD binds a sealed field to its record type, record id and field name.
func FieldAD(recordType string, id int64, field string) []byte {
	return []byte("aftermath field v1\x00" + recordType + "\x00" + strconv.FormatInt(id, 10) + "\x00" + field)
}

// Wrap seals a data key for the record (recordType, id) under the KEK.
func (k *KEK) Wrap(dk *DataKey, recordType string, id int64) ([]byte, error) {
	return seal(k.key[:], dk.key[:], wrapAD(recordType, id))
}

// Unwrap opens a data key wrapped for (recordType, id). ErrWrongKey if
// it does not open.
func (k *KEK) Unwrap(wrapped []byte, recordType string, id int64) (*DataKey, error) {
	b, err := open(k.key[:], wrapped, wrapAD(recordType, id))
	if err != nil || len(b) != KeySize {
		return nil, ErrWrongKey
	}
	dk := &DataKey{}
	copy(dk.key[:], b)
	clear(b)
	return dk, nil
}

// Seal encrypts plaintext; ad must name the record and field (FieldAD).
func (dk *DataKey) Seal(plaintext, ad []byte) ([]byte, error) {
	return seal(dk.key[:], plaintext, ad)
}

// Open decrypts what Seal produced with the same ad; ErrCorrupt otherwise.
func (dk *DataKey) Open(ciphertext, ad []byte) ([]byte, error) {
	b, err := open(dk.key[:], ciphertext, ad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return b, nil
}

// seal returns format byte || 24-byte random nonce || ciphertext+tag.
// XChaCha20's 192-bit nonces are safe to draw at random for any number of
// messages under one key.
func seal(key, plaintext, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = format
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return aead.Seal(out, out[1:], plaintext, ad), nil
}

func open(key, sealed, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	n := 1 + aead.NonceSize()
	if len(sealed) < n+aead.Overhead() || sealed[0] != format {
		return nil, ErrCorrupt
	}
	return aead.Open(nil, sealed[1:n], sealed[n:], ad)
}
