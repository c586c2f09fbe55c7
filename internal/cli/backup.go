package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/backup"
)

const backupUsage = `Usage: aftermath backup --out FILE --recipient KEY… [--db DB] [--include-key]
       aftermath backup keygen --out FILE

  backup   write a consistent snapshot of the database (SQLite or PostgreSQL,
           taken while it serves), the uploads waiting for import and the
           settings, compressed and encrypted with age to every recipient
  keygen   write a new age identity (mode 0600) and print its public key,
           the recipient to give to backup --recipient

A recipient is an age public key (age1…), a file of them, one a line, or a
passphrase with --passphrase-file. Testimony stays sealed under the
key-encryption key inside the backup; the key file is left out unless
--include-key says otherwise. Restore with: aftermath restore FILE --identity KEY
`

func runBackup(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "keygen":
			return backupKeygen(env, args[1:])
		case "help":
			fmt.Fprint(env.Stdout, backupUsage)
			return nil
		}
	}
	fs := newFlags(env, "backup", "backup --out FILE --recipient KEY… [--passphrase-file FILE] [--db DB] [--include-key] [--key-file FILE] [--upload-dir DIR]")
	dsn := dbFlag(fs, env)
	out := fs.String("out", "", "the backup file to write (never overwritten)")
	var recips listFlag
	fs.Var(&recips, "recipient", "an age public key (age1…) or a file of them, one a line; repeat for more")
	passFile := fs.String("passphrase-file", "", "encrypt to the passphrase in this file instead (its first line)")
	includeKey := fs.Bool("include-key", false, "put the key-encryption key in the backup too: whoever holds the backup and its identity can then read every testimony")
	kf := keyFileFlag(fs)
	uploads := fs.String("upload-dir", "", "uploads waiting for import (default: as serve's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return &ExitError{Code: exitUsage, Err: errors.New("backup: say where the backup goes with --out FILE, and nothing else")}
	}
	recipients, err := backupRecipients(recips, *passFile)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(*out); err == nil {
		return &ExitError{Code: exitFailure, Err: fmt.Errorf("backup: %s exists already; a backup is never overwritten", *out)}
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	o := backup.Options{Recipients: recipients, UploadDir: *uploads, KeyFile: keyPath(env, *kf, *dsn), IncludeKey: *includeKey, Version: Version}
	if o.UploadDir == "" {
		o.UploadDir = defaultUploadDir(*dsn, db.Driver == sqldb.SQLite)
	}
	if *includeKey {
		fmt.Fprintf(env.Stderr, "WARNING: --include-key puts the key-encryption key (%s) in the backup: anyone with the backup and its identity can read every testimony and who gave it. Keep this backup as you keep the key.\n", o.KeyFile)
	}
	sum, err := backup.WriteFile(ctx, db, *out, o)
	if err != nil {
		return err
	}
	what := "without the key file"
	if sum.HasKey {
		what = "WITH the key file"
	}
	fmt.Fprintf(env.Stdout, "backup of %s written to %s: %d tables, %d rows, %d uploads, %s, %d bytes, encrypted to %d recipients\n",
		db.Name(), *out, len(sum.Tables), sum.Rows, sum.Files, what, sum.Bytes, len(recipients))
	return nil
}

// backupRecipients reads --recipient and --passphrase-file.
func backupRecipients(keys []string, passFile string) ([]age.Recipient, error) {
	var out []age.Recipient
	for _, k := range keys {
		if strings.HasPrefix(k, "age1") {
			r, err := age.ParseX25519Recipient(k)
			if err != nil {
				hr, herr := age.ParseHybridRecipient(k)
				if herr != nil {
					return nil, &ExitError{Code: exitUsage, Err: fmt.Errorf("backup: --recipient %s: %v", k, err)}
				}
				out = append(out, hr)
				continue
			}
			out = append(out, r)
			continue
		}
		f, err := os.Open(k)
		if err != nil {
			return nil, &ExitError{Code: exitUsage, Err: fmt.Errorf("backup: --recipient %s is neither an age public key (age1…) nor a file of them: %v", k, err)}
		}
		rs, err := age.ParseRecipients(f)
		f.Close()
		if err != nil {
			return nil, &ExitError{Code: exitUsage, Err: fmt.Errorf("backup: --recipient %s: %v", k, err)}
		}
		out = append(out, rs...)
	}
	if passFile != "" {
		if len(out) > 0 {
			return nil, &ExitError{Code: exitUsage, Err: errors.New("backup: a passphrase cannot be combined with other recipients (age's rule); give one or the other")}
		}
		pass, err := readPassphrase(passFile)
		if err != nil {
			return nil, err
		}
		r, err := age.NewScryptRecipient(pass)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, &ExitError{Code: exitUsage, Err: errors.New("backup: a backup is always encrypted: give --recipient KEY (see aftermath backup keygen) or --passphrase-file FILE")}
	}
	return out, nil
}

// readPassphrase reads a passphrase file's first line; short ones are
// refused, since a backup may be attacked offline for as long as it exists.
func readPassphrase(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", &ExitError{Code: exitUsage, Err: fmt.Errorf("--passphrase-file: %v", err)}
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return "", &ExitError{Code: exitUsage, Err: fmt.Errorf("--passphrase-file %s is empty", path)}
	}
	line = strings.TrimRight(line, "\r\n")
	if len([]rune(line)) < 16 {
		return "", &ExitError{Code: exitUsage, Err: fmt.Errorf("--passphrase-file %s: the passphrase has %d characters; use at least 16", path, len([]rune(line)))}
	}
	return line, nil
}

func backupKeygen(env *Env, args []string) error {
	fs := newFlags(env, "backup keygen", "backup keygen --out FILE")
	out := fs.String("out", "", "where the identity goes (mode 0600, never overwritten)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return &ExitError{Code: exitUsage, Err: errors.New("backup keygen: say where the identity goes with --out FILE")}
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return &ExitError{Code: exitFailure, Err: fmt.Errorf("backup keygen: %w", err)}
	}
	_, err = fmt.Fprintf(f, "# aftermath backup identity; keep it away from the server and its backups\n# public key: %s\n%s\n", id.Recipient(), id)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return err
	}
	fmt.Fprintf(env.Stdout, "identity written to %s\nrecipient (give it to backup --recipient): %s\n", *out, id.Recipient())
	return nil
}

func runRestore(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "restore", "restore FILE --identity KEY… [--passphrase-file FILE] [--db DB] [--key-file FILE] [--upload-dir DIR] [--skip-testimony-check]")
	dsn := dbFlag(fs, env)
	var idFiles listFlag
	fs.Var(&idFiles, "identity", "an age identity file the backup was encrypted to; repeat for more")
	passFile := fs.String("passphrase-file", "", "the passphrase the backup was encrypted with (its first line)")
	kf := keyFileFlag(fs)
	uploads := fs.String("upload-dir", "", "where the backup's uploads go (default: as serve's)")
	skip := fs.Bool("skip-testimony-check", false, "restore even without the key file, leaving testimony unopened")
	// The form puts the file first: restore FILE --identity KEY.
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") && args[0] != "help" {
		args = append(append([]string{}, args[1:]...), "--", args[0])
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &ExitError{Code: exitUsage, Err: errors.New("restore: name one backup file")}
	}
	file := fs.Arg(0)
	var ids []age.Identity
	for _, p := range idFiles {
		f, err := os.Open(p)
		if err != nil {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("restore: --identity: %v", err)}
		}
		got, err := age.ParseIdentities(f)
		f.Close()
		if err != nil {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("restore: --identity %s: %v", p, err)}
		}
		ids = append(ids, got...)
	}
	if *passFile != "" {
		pass, err := readPassphrase(*passFile)
		if err != nil {
			return err
		}
		id, err := age.NewScryptIdentity(pass)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return &ExitError{Code: exitUsage, Err: errors.New("restore: give the identity the backup was encrypted to (--identity FILE or --passphrase-file FILE)")}
	}
	f, err := os.Open(file)
	if err != nil {
		return &ExitError{Code: exitFailure, Err: fmt.Errorf("restore: %w", err)}
	}
	defer f.Close()
	db, created, err := openTarget(ctx, *dsn)
	if err != nil {
		return err
	}
	o := backup.RestoreOptions{Identities: ids, UploadDir: *uploads, KeyFile: keyPath(env, *kf, *dsn), SkipSealedCheck: *skip}
	if o.UploadDir == "" {
		o.UploadDir = defaultUploadDir(*dsn, db.Driver == sqldb.SQLite)
	}
	rep, err := backup.Restore(ctx, db, f, o)
	name := db.Name()
	db.Close()
	if err != nil {
		created.remove()
		if errors.Is(err, backup.ErrWrongIdentity) {
			return &ExitError{Code: exitFailure, Err: fmt.Errorf("restore: %s: %w; nothing was restored", file, err)}
		}
		return &ExitError{Code: exitFailure, Err: fmt.Errorf("restore: %s: %w", file, err)}
	}
	fmt.Fprintf(env.Stdout, "restored %s (made %s by aftermath %s on %s) into %s\n", file, rep.CreatedAt, rep.Version, rep.Driver, name)
	printChecks(env, rep)
	return nil
}

// printChecks says what a restore or copy brought and what its checks found.
func printChecks(env *Env, rep *backup.Report) {
	fmt.Fprintf(env.Stdout, "%d tables, %d rows, %d uploads\n", len(rep.Tables), rep.Rows, rep.Files)
	fmt.Fprintf(env.Stdout, "integrity: %s\naudit log intact: %d entries\n", rep.Integrity, rep.AuditEntries)
	switch {
	case rep.Sealed == nil:
		fmt.Fprintln(env.Stdout, "testimony: NOT checked (no key file); it stays sealed until its key is loaded")
	default:
		fmt.Fprintf(env.Stdout, "testimony: %d testimonies and %d data keys open with the key\n", rep.Sealed.Testimonies, rep.Sealed.DataKeys)
	}
	if rep.KeyWritten != "" {
		fmt.Fprintf(env.Stdout, "key file written to %s\n", rep.KeyWritten)
	}
}

// createdFile is a SQLite file a command made, removed if it fails.
type createdFile string

func (c createdFile) remove() {
	if c != "" {
		for _, suffix := range []string{"", "-wal", "-shm", ".lock"} {
			os.Remove(string(c) + suffix)
		}
	}
}

// openTarget opens the database a restore or copy fills, without migrating
// it (the restore brings it to the dump's schema), and says whether it
// made a new SQLite file for it.
func openTarget(ctx context.Context, dsn string) (*sqldb.DB, createdFile, error) {
	var created createdFile
	if !sqldb.IsPostgres(dsn) {
		if _, err := os.Stat(dsn); errors.Is(err, iofs.ErrNotExist) {
			created = createdFile(dsn)
			if err := os.MkdirAll(filepath.Dir(dsn), 0o700); err != nil {
				return nil, "", err
			}
		}
	}
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		created.remove()
		return nil, "", err
	}
	return db, created, nil
}

func runCopy(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "copy", "copy --from SQLITE_OR_URL --to SQLITE_OR_URL [--key-file FILE] [--skip-testimony-check]")
	from := fs.String("from", "", "the database to copy: a SQLite file or a postgres:// URL")
	to := fs.String("to", "", "the new, empty database to copy into: a SQLite file or a postgres:// URL")
	kf := keyFileFlag(fs)
	skip := fs.Bool("skip-testimony-check", false, "copy even without the key file, leaving testimony unopened")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return &ExitError{Code: exitUsage, Err: errors.New("copy: give --from and --to, and nothing else")}
	}
	if *from == *to {
		return &ExitError{Code: exitUsage, Err: errors.New("copy: --from and --to name the same database")}
	}
	src, err := openExistingDB(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, created, err := openTarget(ctx, *to)
	if err != nil {
		return err
	}
	rep, err := backup.Copy(ctx, src, dst, backup.RestoreOptions{KeyFile: keyPath(env, *kf, *from), SkipSealedCheck: *skip})
	name := dst.Name()
	dst.Close()
	if err != nil {
		created.remove()
		return &ExitError{Code: exitFailure, Err: err}
	}
	fmt.Fprintf(env.Stdout, "copied %s into %s\n", src.Name(), name)
	printChecks(env, rep)
	return nil
}
