package publish

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"os"

	"golang.org/x/crypto/ssh"
)

// SignatureNamespace is the SSHSIG namespace of a site's signature: a
// verifier names it (ssh-keygen -Y verify -n aftermath-site), so that a
// signature made for something else cannot pass for one of a site.
const SignatureNamespace = "aftermath-site"

// LoadSigningKey reads an Ed25519 private key in OpenSSH's format, as
// `ssh-keygen -t ed25519` writes it. A key protected by a passphrase is
// refused with what to do, since the site is signed unattended.
func LoadSigningKey(path string) (ssh.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	key, err := ssh.ParseRawPrivateKey(b)
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, fmt.Errorf("signing key %s is protected by a passphrase: keep an unprotected copy for signing on the machine that publishes (ssh-keygen -p -N '' -f COPY)", path)
	case err != nil:
		return nil, fmt.Errorf("signing key %s: %w (give an OpenSSH Ed25519 private key: ssh-keygen -t ed25519 -f FILE)", path, err)
	}
	priv, ok := key.(*ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s is not an Ed25519 key (ssh-keygen -t ed25519 -f FILE)", path)
	}
	return ssh.NewSignerFromKey(*priv)
}

// Sign returns an armoured SSH signature of message (PROTOCOL.sshsig,
// SHA-512), which `ssh-keygen -Y verify -n aftermath-site` checks against
// the signer's public key. Ed25519 signatures are deterministic, so the
// same key and message give the same bytes.
func Sign(signer ssh.Signer, message []byte) ([]byte, error) {
	h := sha512.Sum512(message)
	var signed bytes.Buffer
	signed.WriteString("SSHSIG")
	for _, s := range [][]byte{[]byte(SignatureNamespace), nil, []byte("sha512"), h[:]} {
		writeString(&signed, s)
	}
	sig, err := signer.Sign(rand.Reader, signed.Bytes())
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	var blob bytes.Buffer
	blob.WriteString("SSHSIG")
	blob.Write([]byte{0, 0, 0, 1}) // version
	for _, s := range [][]byte{signer.PublicKey().Marshal(), []byte(SignatureNamespace), nil, []byte("sha512"), ssh.Marshal(sig)} {
		writeString(&blob, s)
	}
	enc := base64.StdEncoding.EncodeToString(blob.Bytes())
	var out bytes.Buffer
	out.WriteString("-----BEGIN SSH SIGNATURE-----\n")
	for len(enc) > 70 {
		out.WriteString(enc[:70] + "\n")
		enc = enc[70:]
	}
	out.WriteString(enc + "\n-----END SSH SIGNATURE-----\n")
	return out.Bytes(), nil
}

// writeString appends an SSH wire string: a big-endian length, then the
// bytes.
func writeString(b *bytes.Buffer, s []byte) {
	n := len(s)
	b.Write([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	b.Write(s)
}

// SignSums signs DIR/SHA256SUMS into DIR/SHA256SUMS.sig.
func SignSums(dir string, signer ssh.Signer, sums []byte) error {
	sig, err := Sign(signer, sums)
	if err != nil {
		return err
	}
	return os.WriteFile(dir+string(os.PathSeparator)+SignatureFile, sig, 0o644)
}
