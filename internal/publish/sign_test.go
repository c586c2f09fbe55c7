package publish

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// needTool finds a command the check needs; under CI its absence is a
// failure, elsewhere the check is skipped.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; CI must run this check", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

func site(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html":                   "<!doctype html><title>Aftermath</title>",
		"ar/index.html":                "<html dir=rtl>",
		"briefs/minusma/brief.pdf":     "%PDF-1.7 …",
		"data/series-minusma.csv":      "month,events\n2013-01,4\n",
		"places/côte-d'ivoire/a b.txt": "a name with an accent, a quote and a space",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The sums are what sha256sum writes and checks, in a fixed order.
func TestSumsAreWhatSha256sumChecks(t *testing.T) {
	dir := site(t)
	sums, err := WriteSums(dir)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(sums), "\n"), "\n")
	if len(lines) != 5 || !strings.HasSuffix(lines[0], "  ar/index.html") || !strings.HasSuffix(lines[4], "  places/côte-d'ivoire/a b.txt") {
		t.Errorf("sums:\n%s", sums)
	}
	again, _ := WriteSums(dir) // the sums file itself is never listed
	if !bytes.Equal(sums, again) {
		t.Errorf("a second run differs:\n%s\n%s", sums, again)
	}
	cmd := exec.Command(needTool(t, "sha256sum"), "--check", "--strict", "--quiet", SumsFile)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}
	if err := os.Symlink("index.html", filepath.Join(dir, "link.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteSums(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a symlink in the site: %v", err)
	}
}

func writeKey(t *testing.T, dir string) (string, ssh.PublicKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "site key")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "site_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, _ := ssh.NewPublicKey(pub)
	return path, sp
}

// A mirror proves it is faithful with ssh-keygen alone: the signature
// verifies against the site's public key in the aftermath-site namespace,
// and fails for a changed sums file or another namespace.
func TestSignatureVerifiesWithSshKeygen(t *testing.T) {
	keygen := needTool(t, "ssh-keygen")
	dir := site(t)
	keyDir := t.TempDir()
	keyPath, pub := writeKey(t, keyDir)
	signer, err := LoadSigningKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	sums, err := WriteSums(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := SignSums(dir, signer, sums); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(filepath.Join(dir, SignatureFile))
	if err := SignSums(dir, signer, sums); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(filepath.Join(dir, SignatureFile)); !bytes.Equal(first, second) {
		t.Errorf("signing twice gives different bytes")
	}
	allowed := filepath.Join(keyDir, "allowed_signers")
	line := `site@example.org namespaces="` + SignatureNamespace + `" ` + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + "\n"
	if err := os.WriteFile(allowed, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	verify := func(namespace string, message []byte) error {
		cmd := exec.Command(keygen, "-Y", "verify", "-f", allowed, "-I", "site@example.org", "-n", namespace, "-s", filepath.Join(dir, SignatureFile))
		cmd.Stdin = bytes.NewReader(message)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return &exec.ExitError{ProcessState: cmd.ProcessState, Stderr: out}
		}
		return nil
	}
	if err := verify(SignatureNamespace, sums); err != nil {
		t.Fatalf("ssh-keygen -Y verify refuses the signature: %v %s", err, err.(*exec.ExitError).Stderr)
	}
	changed := bytes.Replace(sums, []byte("index.html"), []byte("index.htm1"), 1)
	if err := verify(SignatureNamespace, changed); err == nil {
		t.Errorf("a changed sums file verifies")
	}
	if err := verify("file", sums); err == nil {
		t.Errorf("the signature verifies in another namespace")
	}
}

func TestSigningKeyMistakesSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, _ := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret"))
	locked := filepath.Join(dir, "locked")
	os.WriteFile(locked, pem.EncodeToMemory(block), 0o600)
	if _, err := LoadSigningKey(locked); err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Errorf("a passphrase-protected key: %v", err)
	}
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("not a key"), 0o600)
	if _, err := LoadSigningKey(junk); err == nil || !strings.Contains(err.Error(), "ssh-keygen -t ed25519") {
		t.Errorf("a file that is no key: %v", err)
	}
}
