package cli_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aftermath/internal/auth"
	"aftermath/internal/cli"
	"aftermath/internal/sqldb"
)

// A secret stored in clear before the installation had a key is sealed
// by user seal-totp; user reset-totp removes a lost second factor.
func TestUserSealAndResetTOTP(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "a.db")
	runIn := func(stdin string, args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := cli.Run(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(string) string { return "" })
		return out.String(), err
	}
	if _, err := runIn("a long enough password\n", "user", "add", "--db", dbPath, "--email", "rim@example.org", "--name", "Rim", "--org", "o", "--role", "viewer", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if _, err := runIn("", "key", "init", "--db", dbPath); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := db.UserByEmail(ctx, "rim@example.org")
	secret, _ := auth.NewTOTPSecret()
	if err := db.SetTOTP(ctx, u.ID, secret, nil); err != nil { // as stored before sealing existed
		t.Fatal(err)
	}
	db.Close()
	if out, err := runIn("", "user", "seal-totp", "--db", dbPath); err != nil || !strings.HasPrefix(out, "1 TOTP secrets sealed") {
		t.Fatalf("seal-totp: %q %v", out, err)
	}
	for _, f := range []string{dbPath, dbPath + "-wal"} {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s still holds the secret in clear", f)
		}
	}
	if out, err := runIn("", "user", "list", "--db", dbPath); err != nil || !strings.Contains(out, "yes") {
		t.Errorf("user list after sealing: %q %v", out, err)
	}
	if out, err := runIn("", "user", "reset-totp", "rim@example.org", "--db", dbPath); err != nil || !strings.Contains(out, "removed") {
		t.Errorf("reset-totp: %q %v", out, err)
	}
	if out, _ := runIn("", "user", "list", "--db", dbPath); strings.Contains(out, "yes") {
		t.Errorf("second factor still listed after reset: %q", out)
	}
}

// serve seals second-factor secrets stored in clear as soon as it starts
// with a key, not only at their owners' next sign-in.
func TestServeSealsClearTOTPOnStart(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "a.db")
	runIn := func(stdin string, args ...string) error {
		return cli.Run(context.Background(), args, strings.NewReader(stdin), io.Discard, io.Discard, func(string) string { return "" })
	}
	if err := runIn("a long enough password\n", "user", "add", "--db", dbPath, "--email", "rim@example.org", "--name", "Rim", "--org", "o", "--role", "viewer", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if err := runIn("", "key", "init", "--db", dbPath); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := db.UserByEmail(ctx, "rim@example.org")
	secret, _ := auth.NewTOTPSecret()
	if err := db.SetTOTP(ctx, u.ID, secret, nil); err != nil { // as stored before sealing existed
		t.Fatal(err)
	}
	db.Close()
	sctx, cancel := context.WithCancel(ctx)
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(sctx, []string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, strings.NewReader(""), out, out, func(string) string { return "" })
	}()
	// Wait for serve to listen (it seals the secrets before), however
	// long a busy machine takes, not for a fixed time.
	for deadline := time.Now().Add(2 * time.Minute); !strings.Contains(out.String(), "http://127.0.0.1:") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "http://127.0.0.1:") {
		t.Fatalf("serve did not start: %s", out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, out.String())
	}
	for _, f := range []string{dbPath, dbPath + "-wal"} {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s still holds the secret in clear after serve started", f)
		}
	}
}
