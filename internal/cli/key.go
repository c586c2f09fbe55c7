package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"maps"
	"os"
	"slices"
	"strings"

	"aftermath/internal/vault"
)

// keyFileFlag adds --key-file; resolve it after parsing with keyPath.
func keyFileFlag(fs *flag.FlagSet) *string {
	return fs.String("key-file", "", "the key-encryption key file (env "+vault.EnvKeyFile+
		"; default: beside a SQLite database, named after it with .key, or aftermath.key for PostgreSQL)")
}

func keyPath(env *Env, flagValue, dsn string) string {
	return vault.KeyFile(flagValue, env.Getenv, dsn)
}

func runKey(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "key", keyUsage, []subcommand{
		{"init", keyInit},
		{"rotate", keyRotate},
		{"status", keyStatus},
	})
}

const keyUsage = `Usage: aftermath key init|rotate|status [--key-file FILE] [--db DB]

  init     write a new key-encryption key to the key file (mode 0600); never
           overwrites one, and refuses while the database holds data under
           another key
  rotate   make a new key, re-wrap every data key with it in one transaction,
           then put it in place; the old key is kept as FILE.old-ID
  status   show the key file's key id and which keys wrap the stored data keys

The key never enters the database. Without it, encrypted testimony cannot be
read by anyone: back it up offline (docs/keys.md).
`

func keyInit(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "key init", "key init [--key-file FILE] [--db DB] [--force]")
	dsn := dbFlag(fs, env)
	kf := keyFileFlag(fs)
	force := fs.Bool("force", false, "make a new key even though the database holds data encrypted under another (lost) key")
	if err := parse(fs, args); err != nil {
		return err
	}
	path := keyPath(env, *kf, *dsn)
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("key init: key file %s exists already; it is never overwritten", path)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	counts, err := db.DataKeyCounts(ctx)
	if err != nil {
		return err
	}
	if len(counts) > 0 && !*force {
		var ids []string
		for id := range counts {
			ids = append(ids, id)
		}
		return fmt.Errorf("key init: %s holds data encrypted under key %s: restore that key file rather than make a new one "+
			"(see docs/keys.md; --force makes a new key, and the data under the old one stays unreadable)", db.Name(), strings.Join(ids, ", "))
	}
	k, err := vault.GenerateKEK()
	if err != nil {
		return err
	}
	if err := k.WriteNew(path); err != nil {
		return fmt.Errorf("key init: %w", err)
	}
	fmt.Fprintf(env.Stdout, "key-encryption key %s written to %s (mode 0600)\n", k.ID(), path)
	fmt.Fprintf(env.Stdout, "Back it up now, offline and away from the database backups: without it the encrypted testimony cannot be read (docs/keys.md).\n")
	return nil
}

func keyRotate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "key rotate", "key rotate [--key-file FILE] [--db DB]")
	dsn := dbFlag(fs, env)
	kf := keyFileFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	path := keyPath(env, *kf, *dsn)
	old, err := vault.Load(path)
	if err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// The new key is on disk before the database uses it, so a crash at
	// any point leaves a key that opens every data key: before the commit
	// the old one (in FILE), after it the new one (in FILE.new, which a
	// second run picks up and finishes with).
	pending := vault.PendingPath(path)
	next, err := vault.Load(pending)
	switch {
	case err == nil:
		fmt.Fprintf(env.Stdout, "finishing the rotation to key %s found in %s\n", next.ID(), pending)
	case errors.Is(err, iofs.ErrNotExist):
		if next, err = vault.GenerateKEK(); err != nil {
			return err
		}
		if err := next.WriteNew(pending); err != nil {
			return err
		}
	default:
		return err
	}
	n, err := db.RewrapDataKeys(ctx, old, next)
	if err != nil {
		return fmt.Errorf("key rotate: %w (the key file is unchanged; %s holds the new key and a second run resumes)", err, pending)
	}
	if err := vault.Install(path, old); err != nil {
		return fmt.Errorf("key rotate: the database now uses key %s, kept in %s: %w", next.ID(), pending, err)
	}
	fmt.Fprintf(env.Stdout, "key-encryption key %s replaced by %s in %s: %d data keys re-wrapped\n", old.ID(), next.ID(), path, n)
	fmt.Fprintf(env.Stdout, "The old key is kept in %s for backups made before now; destroy it once they have expired.\n", vault.RetiredPath(path, old.ID()))
	fmt.Fprintf(env.Stdout, "Back up the new key, and restart running servers so they load it.\n")
	return nil
}

func keyStatus(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "key status", "key status [--key-file FILE] [--db DB]")
	dsn := dbFlag(fs, env)
	kf := keyFileFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	path := keyPath(env, *kf, *dsn)
	k, kerr := vault.Load(path)
	if kerr != nil {
		fmt.Fprintf(env.Stdout, "key file %s: %v\n", path, kerr)
	} else {
		fmt.Fprintf(env.Stdout, "key file %s: key %s\n", path, k.ID())
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	counts, err := db.DataKeyCounts(ctx)
	if err != nil {
		return err
	}
	for _, id := range sortedIDs(counts) {
		mark := ""
		if k != nil && id != k.ID() {
			mark = " (not the key file's key: these cannot be read)"
		}
		fmt.Fprintf(env.Stdout, "%d data keys wrapped by key %s%s\n", counts[id], id, mark)
	}
	if len(counts) == 0 {
		fmt.Fprintln(env.Stdout, "no encrypted records")
	}
	return kerr
}

func sortedIDs(m map[string]int64) []string {
	out := slices.Collect(maps.Keys(m))
	slices.Sort(out)
	return out
}
