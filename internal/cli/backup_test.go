package cli_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"filippo.io/age"

	"aftermath/internal/cli"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// backupSentinel is a phrase only a testimony holds: a backup must never
// show it, neither as stored nor once its age encryption is removed.
const backupSentinel = "Zephyrine-Quillback-7741 saw the convoy"

// drillDB makes a SQLite database with something in every part: events,
// the catalog and ledger, an account, testimony under a key file, an
// upload waiting for import. It returns its DSN, key file and upload dir.
func drillDB(t *testing.T) (dsn, key, uploads string) {
	t.Helper()
	dsn, key = voicesDB(t, sqldb.SQLite)
	for _, args := range [][]string{{"import", "ucdp", "--db", dsn, fixture}, {"seed", "--db", dsn}} {
		if _, _, err := run(t, args...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	csv := strings.Replace(testimonyCSV, "Ils ont brûlé le marché, dit-elle.", backupSentinel, 1)
	if _, _, err := run(t, "testimony", "import", writeFile(t, "t.csv", csv), "--db", dsn, "--key-file", key, "--org", "hub"); err != nil {
		t.Fatal(err)
	}
	uploads = dsn + ".uploads"
	if err := os.MkdirAll(uploads, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(uploads, "waiting.csv"), []byte("id,year\n1,2020\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dsn, key, uploads
}

// textDump is a database's every row as text, tables by name and columns
// by name (the two kinds may order tables and a table's columns
// differently), so dumps of the same content on SQLite and PostgreSQL
// compare equal.
type textDump struct {
	head   string
	tables map[string]*strings.Builder
	cur    *strings.Builder
	order  []int
	cols   []string
}

func (d *textDump) DumpHeader(h *sqldb.DumpHeader) error {
	d.head = "migrations " + strings.Join(h.Migrations, " ") + "\n"
	d.tables = map[string]*strings.Builder{}
	return nil
}

func (d *textDump) DumpTable(name string, cols []string) error {
	d.cols = cols
	d.order = make([]int, len(cols))
	for i := range d.order {
		d.order[i] = i
	}
	sort.Slice(d.order, func(i, j int) bool { return cols[d.order[i]] < cols[d.order[j]] })
	d.cur = &strings.Builder{}
	d.tables[name] = d.cur
	return nil
}

func (d *textDump) DumpRow(v []any) error {
	for _, i := range d.order {
		x := v[i]
		if b, ok := x.([]byte); ok {
			x = fmt.Sprintf("%x", b)
		}
		fmt.Fprintf(d.cur, "%s=%T:%v ", d.cols[i], x, x)
	}
	d.cur.WriteByte('\n')
	return nil
}

func (d *textDump) String() string {
	names := make([]string, 0, len(d.tables))
	for n := range d.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(d.head)
	for _, n := range names {
		b.WriteString("table " + n + "\n" + d.tables[n].String())
	}
	return b.String()
}

func dumpText(t *testing.T, dsn string) string {
	t.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var d textDump
	if err := db.WriteDump(context.Background(), &d); err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// firstDifference shows where two dumps part.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n  %.300s\n  %.300s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(al), len(bl))
}

// keygen makes an age identity with the CLI and returns its file and
// public key.
func keygen(t *testing.T) (string, string) {
	t.Helper()
	id := filepath.Join(t.TempDir(), "backup.identity")
	out, _, err := run(t, "backup", "keygen", "--out", id)
	if err != nil {
		t.Fatal(err)
	}
	_, pub, ok := strings.Cut(out, "recipient (give it to backup --recipient): ")
	if !ok {
		t.Fatalf("keygen printed %q", out)
	}
	st, err := os.Stat(id)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("identity file: %v %v", st, err)
	}
	return id, strings.TrimSpace(pub)
}

// The restore drill: SQLite → backup → PostgreSQL → backup → SQLite, with
// every row equal at each step, the testimony opening at each step and
// never readable in a backup.
func TestBackupRestoreDrill(t *testing.T) {
	src, key, uploads := drillDB(t)
	id, pub := keygen(t)
	want := dumpText(t, src)
	if !strings.Contains(want, "table testimonies") || !strings.Contains(want, "table events") {
		t.Fatalf("the drill database lacks tables:\n%.500s", want)
	}

	file1 := filepath.Join(t.TempDir(), "one.age")
	out, errOut, err := run(t, "backup", "--db", src, "--out", file1, "--recipient", pub)
	if err != nil || !strings.Contains(out, "1 uploads, without the key file") || errOut != "" {
		t.Fatalf("backup: %q %q %v", out, errOut, err)
	}
	raw, err := os.ReadFile(file1)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(backupSentinel)) || bytes.Contains(raw, []byte("Zephyrine")) {
		t.Fatal("the backup file shows the testimony's words")
	}
	// Even with the encryption and compression removed, testimony is
	// sealed under the key-encryption key, which stayed out.
	if plain := openBackup(t, raw, id); bytes.Contains(plain, []byte("Zephyrine")) || !bytes.Contains(plain, []byte(`"t":"table","name":"testimonies"`)) {
		t.Fatal("the decrypted backup shows the testimony's words, or lacks the testimonies")
	}
	if _, _, err := run(t, "backup", "--db", src, "--out", file1, "--recipient", pub); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Errorf("backup over an existing file: %v", err)
	}

	pg := sqldbtest.DSN(t, sqldb.Postgres)
	pgUploads := filepath.Join(t.TempDir(), "uploads")
	out, _, err = run(t, "restore", file1, "--identity", id, "--db", pg, "--key-file", key, "--upload-dir", pgUploads)
	if err != nil {
		t.Fatalf("restore into PostgreSQL: %v\n%s", err, out)
	}
	for _, w := range []string{"integrity: ok", "audit log intact", "testimony: 2 testimonies"} {
		if !strings.Contains(out, w) {
			t.Errorf("restore output lacks %q:\n%s", w, out)
		}
	}
	if got := dumpText(t, pg); got != want {
		t.Fatalf("PostgreSQL after the restore differs from the SQLite original at %s", firstDifference(want, got))
	}
	if b, err := os.ReadFile(filepath.Join(pgUploads, "waiting.csv")); err != nil || string(b) != "id,year\n1,2020\n" {
		t.Errorf("the upload came back as %q %v", b, err)
	}
	if got, err := os.ReadFile(filepath.Join(uploads, "waiting.csv")); err != nil || len(got) == 0 {
		t.Errorf("the original upload: %v", err)
	}

	// And back: PostgreSQL → backup (with a passphrase this time) → SQLite.
	pass := writeFile(t, "pass", "a long enough passphrase for the drill\n")
	file2 := filepath.Join(t.TempDir(), "two.age")
	if out, _, err := run(t, "backup", "--db", pg, "--out", file2, "--passphrase-file", pass, "--upload-dir", pgUploads); err != nil {
		t.Fatalf("backup of PostgreSQL: %v %s", err, out)
	}
	back := filepath.Join(t.TempDir(), "back.db")
	if out, _, err := run(t, "restore", file2, "--passphrase-file", pass, "--db", back, "--key-file", key); err != nil {
		t.Fatalf("restore into SQLite: %v\n%s", err, out)
	}
	if got := dumpText(t, back); got != want {
		t.Fatalf("SQLite after the round trip differs from the original at %s", firstDifference(want, got))
	}
	// The restored database works: the audit log verifies with the CLI,
	// and new records take ids the old ones never had.
	if out, _, err := run(t, "audit", "verify", "--db", back); err != nil || !strings.Contains(out, "audit log intact") {
		t.Errorf("audit verify after the round trip: %q %v", out, err)
	}
}

// openBackup decrypts and decompresses a backup as age and gzip would.
func openBackup(t *testing.T, raw []byte, identityFile string) []byte {
	t.Helper()
	f, err := os.Open(identityFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(bytes.NewReader(raw), ids...)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRestoreRefusals(t *testing.T) {
	src, key, _ := drillDB(t)
	id, pub := keygen(t)
	other, _ := keygen(t)
	file := filepath.Join(t.TempDir(), "b.age")
	if _, _, err := run(t, "backup", "--db", src, "--out", file, "--recipient", pub); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "target.db")

	_, _, err := run(t, "restore", file, "--identity", other, "--db", target, "--key-file", key)
	if err == nil || !strings.Contains(err.Error(), "the backup was not encrypted to this identity (the backup is encrypted to: X25519); nothing was restored") || cli.ExitCode(err) != 1 {
		t.Errorf("wrong identity: %v", err)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a refused restore left %s behind: %v", target, err)
	}

	// A backup cut short is refused and leaves the database as new.
	raw, _ := os.ReadFile(file)
	cut := writeFile(t, "cut.age", string(raw[:len(raw)*2/3]))
	if _, _, err := run(t, "restore", cut, "--identity", id, "--db", target, "--key-file", key); err == nil || !strings.Contains(err.Error(), "cut.age") {
		t.Errorf("a cut backup: %v", err)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a failed restore left %s behind: %v", target, err)
	}

	if _, _, err := run(t, "restore", file, "--db", target); err == nil || cli.ExitCode(err) != 2 || !strings.Contains(err.Error(), "give the identity") {
		t.Errorf("no identity: %v", err)
	}
	if _, _, err := run(t, "backup", "--db", src, "--out", filepath.Join(t.TempDir(), "x.age")); err == nil || cli.ExitCode(err) != 2 || !strings.Contains(err.Error(), "always encrypted") {
		t.Errorf("backup without a recipient: %v", err)
	}
	if _, _, err := run(t, "backup", "--db", src, "--out", filepath.Join(t.TempDir(), "x.age"), "--passphrase-file", writeFile(t, "p", "short\n")); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("short passphrase: %v", err)
	}
	// A database with tables already is not a restore's target.
	if _, _, err := run(t, "restore", file, "--identity", id, "--db", src, "--key-file", key); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore over a database in use: %v", err)
	}
}

// aftermath copy moves everything SQLite → PostgreSQL → SQLite, every row
// equal at each step.
func TestCopyBothWays(t *testing.T) {
	src, key, _ := drillDB(t)
	want := dumpText(t, src)
	pg := sqldbtest.DSN(t, sqldb.Postgres)
	out, _, err := run(t, "copy", "--from", src, "--to", pg, "--key-file", key)
	if err != nil || !strings.Contains(out, "integrity: ok") || !strings.Contains(out, "testimony: 2 testimonies") {
		t.Fatalf("copy to PostgreSQL: %v\n%s", err, out)
	}
	if got := dumpText(t, pg); got != want {
		t.Fatalf("PostgreSQL after the copy differs at %s", firstDifference(want, got))
	}
	sameIndexes(t, pg, sqldb.Postgres)
	back := filepath.Join(t.TempDir(), "back.db")
	if out, _, err := run(t, "copy", "--from", pg, "--to", back, "--key-file", key); err != nil {
		t.Fatalf("copy to SQLite: %v\n%s", err, out)
	}
	if got := dumpText(t, back); got != want {
		t.Fatalf("SQLite after the copy back differs at %s", firstDifference(want, got))
	}
	sameIndexes(t, back, sqldb.SQLite)
	if _, _, err := run(t, "copy", "--from", src, "--to", back, "--key-file", key); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("copy into a database in use: %v", err)
	}
	if got := dumpText(t, back); got != want {
		t.Error("a refused copy changed its target")
	}
}

// --include-key carries the key file, loudly; a restore puts it down where
// --key-file says, never over another key, and a restore whose testimony
// does not open with the key at hand is undone.
func TestBackupWithKeyAndFailedChecks(t *testing.T) {
	src, key, _ := drillDB(t)
	id, pub := keygen(t)
	file := filepath.Join(t.TempDir(), "k.age")
	out, errOut, err := run(t, "backup", "--db", src, "--out", file, "--recipient", pub, "--key-file", key, "--include-key")
	if err != nil || !strings.Contains(out, "WITH the key file") || !strings.Contains(errOut, "WARNING: --include-key") {
		t.Fatalf("backup --include-key: %q %q %v", out, errOut, err)
	}
	raw, _ := os.ReadFile(file)
	if bytes.Contains(raw, []byte("Zephyrine")) || bytes.Contains(raw, []byte("aftermath-kek-v1")) {
		t.Fatal("the backup file shows the testimony or the key")
	}

	// Another key where the restore looks for one: refused before
	// anything is written.
	_, otherKey := voicesDB(t, sqldb.SQLite)
	target := filepath.Join(t.TempDir(), "t.db")
	_, _, err = run(t, "restore", file, "--identity", id, "--db", target, "--key-file", otherKey)
	if err == nil || !strings.Contains(err.Error(), "holds a different one; it is never overwritten") {
		t.Errorf("restore over another key: %v", err)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("the refused restore left %s: %v", target, err)
	}

	newKey := filepath.Join(t.TempDir(), "keys", "restored.key")
	out, _, err = run(t, "restore", file, "--identity", id, "--db", target, "--key-file", newKey)
	if err != nil || !strings.Contains(out, "key file written to "+newKey) || !strings.Contains(out, "testimony: 2 testimonies") {
		t.Fatalf("restore with the key: %q %v", out, err)
	}
	if st, err := os.Stat(newKey); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("restored key file: %v %v", st, err)
	}

	// Without the key, a backup that lacks it restores only when told to
	// leave testimony unopened; with the wrong key it fails its checks
	// and leaves nothing behind.
	plainBackup := filepath.Join(t.TempDir(), "p.age")
	if _, _, err := run(t, "backup", "--db", src, "--out", plainBackup, "--recipient", pub); err != nil {
		t.Fatal(err)
	}
	wrong := filepath.Join(t.TempDir(), "wrong.db")
	_, _, err = run(t, "restore", plainBackup, "--identity", id, "--db", wrong, "--key-file", otherKey)
	if err == nil || !strings.Contains(err.Error(), "failed its checks, and was emptied again") || !strings.Contains(err.Error(), "wrapped by key") {
		t.Errorf("restore checked with the wrong key: %v", err)
	}
	if _, err := os.Stat(wrong); !os.IsNotExist(err) {
		t.Errorf("the failed restore left %s: %v", wrong, err)
	}
	missing := filepath.Join(t.TempDir(), "none.key")
	if _, _, err := run(t, "restore", plainBackup, "--identity", id, "--db", wrong, "--key-file", missing); err == nil || !strings.Contains(err.Error(), "--skip-testimony-check") {
		t.Errorf("restore without a key: %v", err)
	}
	out, _, err = run(t, "restore", plainBackup, "--identity", id, "--db", wrong, "--key-file", missing, "--skip-testimony-check")
	if err != nil || !strings.Contains(out, "testimony: NOT checked") {
		t.Errorf("restore --skip-testimony-check: %q %v", out, err)
	}
}

// serve --backup-every writes the first backup at once when the folder
// has none, and it restores.
func TestServeWritesScheduledBackups(t *testing.T) {
	src, key, _ := drillDB(t)
	id, pub := keygen(t)
	dir := filepath.Join(t.TempDir(), "backups")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, logs := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--db", src, "--key-file", key, "--addr", "127.0.0.1:0",
			"--backup-every", "24h", "--backup-dir", dir, "--backup-keep", "3", "--backup-recipient", pub},
			strings.NewReader(""), out, logs, func(string) string { return "" })
	}()
	awaitOutput(t, out, regexp.MustCompile(`serving`), done)
	file := awaitOutput(t, logs, regexp.MustCompile(`msg="backup written" file=(\S+)`), done)[1]
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if filepath.Dir(file) != dir || !regexp.MustCompile(`^aftermath-\d{8}T\d{6}Z\.age$`).MatchString(filepath.Base(file)) {
		t.Fatalf("scheduled backup at %s", file)
	}
	target := filepath.Join(t.TempDir(), "r.db")
	res, _, err := run(t, "restore", file, "--identity", id, "--db", target, "--key-file", key, "--upload-dir", filepath.Join(t.TempDir(), "u"))
	if err != nil || !strings.Contains(res, "testimony: 2 testimonies") {
		t.Fatalf("restore of the scheduled backup: %q %v", res, err)
	}
	if _, _, err := run(t, "serve", "--db", src, "--backup-every", "24h"); err == nil || cli.ExitCode(err) != 2 {
		t.Errorf("serve --backup-every without a folder: %v", err)
	}
}

// A backup taken while testimony keeps arriving holds each import wholly
// or not at all: every testimony in it has its data key and audit entry,
// so the restore's checks pass.
func TestBackupWhileWriting(t *testing.T) {
	src, key, _ := drillDB(t)
	id, pub := keygen(t)
	stop := make(chan struct{})
	wrote := make(chan int)
	go func() {
		n := 0
		defer func() { wrote <- n }()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			csv := strings.Replace(testimonyCSV, "Ils ont brûlé le marché, dit-elle.", fmt.Sprintf("Récit numéro %d", i), 1)
			if _, _, err := run(t, "testimony", "import", writeFile(t, "w.csv", csv), "--db", src, "--key-file", key, "--org", "hub"); err != nil {
				t.Errorf("import %d during the backup: %v", i, err)
				return
			}
			n++
		}
	}()
	var files []string
	for i := 0; i < 3; i++ {
		f := filepath.Join(t.TempDir(), fmt.Sprintf("w%d.age", i))
		if _, _, err := run(t, "backup", "--db", src, "--out", f, "--recipient", pub); err != nil {
			t.Fatalf("backup while writing: %v", err)
		}
		files = append(files, f)
	}
	close(stop)
	if n := <-wrote; n == 0 {
		t.Fatal("no import ran during the backups")
	}
	for _, f := range files {
		target := filepath.Join(t.TempDir(), "r.db")
		out, _, err := run(t, "restore", f, "--identity", id, "--db", target, "--key-file", key, "--upload-dir", filepath.Join(t.TempDir(), "u"))
		if err != nil || !strings.Contains(out, "integrity: ok") {
			t.Errorf("restore of a backup taken while writing: %v\n%s", err, out)
		}
	}
}

// sameIndexes checks a restored database has every index a new one of its
// kind has, as the migrations define them (a restore drops and rebuilds
// them around the load).
func sameIndexes(t *testing.T, dsn, driver string) {
	t.Helper()
	defs := func(db *sqldb.DB) string {
		d, err := db.IndexDefinitions(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(d, "\n")
	}
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, want := defs(db), defs(sqldbtest.Open(t, driver)); got != want {
		t.Errorf("the restored %s indexes differ from the migrations' at %s", driver, firstDifference(want, got))
	}
}

// Ids the audit log names stay unique after a restore: a testimony made
// after it never takes the id of one deleted before the backup, on either
// kind of database, even when every testimony had been deleted.
func TestRestoredIdsAreNeverReused(t *testing.T) {
	src, key, _ := drillDB(t)
	id, pub := keygen(t)
	for _, n := range []string{"1", "2"} {
		if _, _, err := run(t, "testimony", "delete", n, "--db", src); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "b.age")
	if _, _, err := run(t, "backup", "--db", src, "--out", file, "--recipient", pub); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{filepath.Join(t.TempDir(), "r.db"), sqldbtest.DSN(t, sqldb.Postgres)} {
		if out, _, err := run(t, "restore", file, "--identity", id, "--db", target, "--key-file", key, "--upload-dir", filepath.Join(t.TempDir(), "u")); err != nil {
			t.Fatalf("restore: %v\n%s", err, out)
		}
		if _, _, err := run(t, "testimony", "import", writeFile(t, "t.csv", testimonyCSV), "--db", target, "--key-file", key, "--org", "hub"); err != nil {
			t.Fatal(err)
		}
		driver := sqldb.SQLite
		if sqldb.IsPostgres(target) {
			driver = sqldb.Postgres
		}
		var low int64
		if err := rawDB(t, driver, target).QueryRow(`SELECT min(id) FROM testimonies`).Scan(&low); err != nil || low <= 2 {
			t.Errorf("%s: the first testimony after the restore has id %d (%v); ids 1 and 2 were deleted before the backup", driver, low, err)
		}
	}
}
