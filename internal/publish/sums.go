// Package publish writes what the public may have: the static site, its
// checksums and their signature. This file and sign.go make a site's
// integrity checkable by anyone holding its public key, with common tools
// (sha256sum -c; ssh-keygen -Y verify), so that a mirror can prove it is
// faithful.
package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// SumsFile and SignatureFile are the names the site's checksums and their
// signature take at its root.
const (
	SumsFile      = "SHA256SUMS"
	SignatureFile = "SHA256SUMS.sig"
)

// WriteSums writes DIR/SHA256SUMS: one line per regular file under dir
// (but the sums and their signature), "HEX  PATH" as sha256sum writes it,
// with slash-separated paths relative to dir in byte order, so the same
// files always give the same bytes. A symlink or other special file is an
// error: a site copied to a stick or a mirror must be plain files.
func WriteSums(dir string) ([]byte, error) {
	type entry struct{ path, sum string }
	var entries []entry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%s: not a regular file (a site holds plain files only)", p)
		case rel == SumsFile || rel == SignatureFile:
			return nil
		case strings.ContainsAny(rel, "\n\\"):
			return fmt.Errorf("%s: a file name with a line break or backslash cannot be listed", p)
		}
		sum, err := fileSum(p)
		if err != nil {
			return err
		}
		entries = append(entries, entry{rel, sum})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("checksums of %s: %w", dir, err)
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.path, b.path) })
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.sum + "  " + e.path + "\n")
	}
	out := []byte(b.String())
	if err := os.WriteFile(filepath.Join(dir, SumsFile), out, 0o644); err != nil {
		return nil, err
	}
	return out, nil
}

func fileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
