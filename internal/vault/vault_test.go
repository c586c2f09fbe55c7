package vault

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestSealOpenBindsRecordAndField(t *testing.T) {
	dk, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("the checkpoint at the bridge")
	ct, err := dk.Seal(msg, FieldAD("testimony", 7, "body"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, msg) {
		t.Fatal("ciphertext contains the plaintext")
	}
	got, err := dk.Open(ct, FieldAD("testimony", 7, "body"))
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("open = %q, %v", got, err)
	}
	for _, ad := range [][]byte{FieldAD("testimony", 8, "body"), FieldAD("testimony", 7, "consent"), FieldAD("identity", 7, "body")} {
		if _, err := dk.Open(ct, ad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("opened with the wrong additional data %q: %v", ad, err)
		}
	}
	bad := bytes.Clone(ct)
	bad[len(bad)-1] ^= 1
	if _, err := dk.Open(bad, FieldAD("testimony", 7, "body")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("opened a flipped ciphertext: %v", err)
	}
	if _, err := dk.Open(ct[:10], FieldAD("testimony", 7, "body")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("opened a truncated ciphertext: %v", err)
	}
	other, _ := NewDataKey()
	if _, err := other.Open(ct, FieldAD("testimony", 7, "body")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("opened with another data key: %v", err)
	}
	again, _ := dk.Seal(msg, FieldAD("testimony", 7, "body"))
	if bytes.Equal(again, ct) {
		t.Error("two seals of the same text are equal: nonces repeat")
	}
}

func TestWrapUnwrap(t *testing.T) {
	k1, _ := GenerateKEK()
	k2, _ := GenerateKEK()
	if k1.ID() == k2.ID() || len(k1.ID()) != 16 {
		t.Fatalf("ids %q %q", k1.ID(), k2.ID())
	}
	dk, _ := NewDataKey()
	w, err := k1.Wrap(dk, "testimony", 3)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(w, dk.key[:]) {
		t.Fatal("wrapped key contains the key")
	}
	got, err := k1.Unwrap(w, "testimony", 3)
	if err != nil || got.key != dk.key {
		t.Fatalf("unwrap: %v", err)
	}
	if _, err := k2.Unwrap(w, "testimony", 3); !errors.Is(err, ErrWrongKey) {
		t.Errorf("another KEK unwrapped: %v", err)
	}
	if _, err := k1.Unwrap(w, "testimony", 4); !errors.Is(err, ErrWrongKey) {
		t.Errorf("unwrapped for another record: %v", err)
	}
	got.Destroy()
	if got.key != ([KeySize]byte{}) {
		t.Error("Destroy left the key")
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "aftermath.key")
	if _, err := Load(path); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "aftermath key init") {
		t.Fatalf("missing file: %v", err)
	}
	k, _ := GenerateKEK()
	if err := k.WriteNew(path); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("mode %o", st.Mode().Perm())
	}
	k2, _ := GenerateKEK()
	if err := k2.WriteNew(path); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Errorf("overwrote: %v", err)
	}
	got, err := Load(path)
	if err != nil || got.ID() != k.ID() || got.key != k.key {
		t.Fatalf("load: %v", err)
	}
	if runtime.GOOS != "windows" {
		os.Chmod(path, 0o640)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("group-readable file loaded: %v", err)
		}
		os.Chmod(path, 0o600)
	}
	// A damaged copy (one character changed) is caught by the id.
	b, _ := os.ReadFile(path)
	s := string(b)
	i := strings.LastIndex(s, " ") + 5
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte(s[:i]+string(c)+s[i+1:]), 0o600)
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("damaged key loaded: %v", err)
	}
	os.WriteFile(bad, []byte("hello\n"), 0o600)
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), "not an Aftermath key file") {
		t.Errorf("junk loaded: %v", err)
	}
}

func TestInstall(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k")
	old, _ := GenerateKEK()
	if err := old.WriteNew(path); err != nil {
		t.Fatal(err)
	}
	nk, _ := GenerateKEK()
	if err := nk.WriteNew(PendingPath(path)); err != nil {
		t.Fatal(err)
	}
	if err := Install(path, old); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(path); err != nil || got.ID() != nk.ID() {
		t.Fatalf("installed %v %v", got, err)
	}
	if got, err := Load(RetiredPath(path, old.ID())); err != nil || got.ID() != old.ID() {
		t.Fatalf("retired %v %v", got, err)
	}
	if _, err := os.Stat(PendingPath(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("pending file left: %v", err)
	}
}

func TestDefaultPath(t *testing.T) {
	for dsn, want := range map[string]string{
		"aftermath.db":             "aftermath.key",
		"/var/lib/a/data.sqlite":   "/var/lib/a/data.key",
		"plain":                    "plain.key",
		"postgres://u@h/db":        "aftermath.key",
		"postgresql://u@h/db?x=1":  "aftermath.key",
		"weird.key":                "weird.key.key",
		filepath.Join("d", "x.db"): filepath.Join("d", "x.key"),
	} {
		if got := DefaultPath(dsn); got != want {
			t.Errorf("DefaultPath(%q) = %q, want %q", dsn, got, want)
		}
	}
	env := func(string) string { return "/etc/aftermath/key" }
	none := func(string) string { return "" }
	if KeyFile("f", env, "x.db") != "f" || KeyFile("", env, "x.db") != "/etc/aftermath/key" || KeyFile("", none, "x.db") != "x.key" {
		t.Error("KeyFile precedence")
	}
}
