package vault

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// keyLine starts the one line of a key file that holds the key:
//
//	aftermath-kek-v1 ID BASE64KEY
//
// Lines starting with # are comments.
const keyLine = "aftermath-kek-v1"

// EnvKeyFile names the environment variable that gives the key file.
const EnvKeyFile = "AFTERMATH_KEY_FILE"

// DefaultPath is where the key file is looked for when neither --key-file
// nor AFTERMATH_KEY_FILE says: beside a SQLite database, named after it
// with .key for its extension (aftermath.db → aftermath.key), so a backup
// of aftermath.db* does not sweep the key along with the data; for
// PostgreSQL, aftermath.key in the working directory. Production setups
// should point AFTERMATH_KEY_FILE somewhere the database backups never go.
func DefaultPath(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") || dsn == "" {
		return "aftermath.key"
	}
	ext := filepath.Ext(dsn)
	if ext == ".key" {
		return dsn + ".key"
	}
	return strings.TrimSuffix(dsn, ext) + ".key"
}

// KeyFile resolves the key file: the flag if given, else
// AFTERMATH_KEY_FILE, else DefaultPath(dsn).
func KeyFile(flag string, getenv func(string) string, dsn string) string {
	if flag != "" {
		return flag
	}
	if p := getenv(EnvKeyFile); p != "" {
		return p
	}
	return DefaultPath(dsn)
}

// Load reads a key file. It refuses a file that group or others may
// read or write, a malformed file, and a key whose id does not match it.
// A missing file gives an error that wraps fs.ErrNotExist.
func Load(path string) (*KEK, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		msg := "key file %s does not exist: create one with 'aftermath key init' or name it with --key-file or " + EnvKeyFile
		if _, perr := os.Stat(PendingPath(path)); perr == nil {
			msg += "; %s exists, so a key rotation was interrupted: run 'aftermath key rotate' to finish it"
			return nil, fmt.Errorf(msg+": %w", path, PendingPath(path), fs.ErrNotExist)
		}
		return nil, fmt.Errorf(msg+": %w", path, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("key file %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s may be read by others (mode %04o): run chmod 600 %s", path, st.Mode().Perm(), path)
	}
	if st.Size() > 4096 {
		return nil, fmt.Errorf("key file %s is too large to be a key file", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	k, err := parseKeyFile(b)
	clear(b)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

func parseKeyFile(b []byte) (*KEK, error) {
	var found *KEK
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != keyLine {
			return nil, fmt.Errorf("not an Aftermath key file (expected a line %q ID KEY)", keyLine)
		}
		if found != nil {
			return nil, fmt.Errorf("more than one key")
		}
		raw, err := base64.StdEncoding.DecodeString(f[2])
		if err != nil || len(raw) != KeySize {
			return nil, fmt.Errorf("the key is not %d bytes of base64", KeySize)
		}
		var key [KeySize]byte
		copy(key[:], raw)
		clear(raw)
		k := newKEK(key)
		if k.id != f[1] {
			return nil, fmt.Errorf("the key does not match its id %s (damaged or mistyped copy?)", f[1])
		}
		found = k
	}
	if found == nil {
		return nil, fmt.Errorf("no key in the file")
	}
	return found, nil
}

// encode renders the key file.
func (k *KEK) encode() []byte {
	return []byte("# Aftermath key-encryption key " + k.id + ". Without it the encrypted testimony\n" +
		"# in the database cannot be read, by anyone. Keep an offline copy; see docs/keys.md.\n" +
		keyLine + " " + k.id + " " + base64.StdEncoding.EncodeToString(k.key[:]) + "\n")
}

// WriteNew writes the key to a new file with mode 0600 and syncs it and
// its directory. It refuses to overwrite an existing file: overwriting a
// key would make everything encrypted under it unreadable.
func (k *KEK) WriteNew(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("key file %s exists already; it is never overwritten", path)
	}
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	b := k.encode()
	_, err = f.Write(b)
	clear(b)
	if err == nil {
		err = f.Chmod(0o600) // whatever the umask did
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// PendingPath is where rotation writes the new key before the database
// has been re-wrapped.
func PendingPath(path string) string { return path + ".new" }

// RetiredPath is where rotation keeps the previous key, named by its id.
func RetiredPath(path, id string) string { return path + ".old-" + id }

// Install finishes a rotation once the database commits the re-wrapped
// keys: the current key file (old) is kept as RetiredPath (a hard link,
// so path never goes missing), then PendingPath is renamed over path,
// atomically. Safe to repeat after a crash.
func Install(path string, old *KEK) error {
	retired := RetiredPath(path, old.ID())
	if prev, err := Load(retired); err == nil {
		if prev.ID() != old.ID() {
			return fmt.Errorf("%s holds another key", retired)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	} else if err := os.Link(path, retired); err != nil {
		// No hard links on this file system: write a copy instead.
		if err := old.WriteNew(retired); err != nil {
			return err
		}
	}
	if err := os.Rename(PendingPath(path), path); err != nil {
		return fmt.Errorf("install new key: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
