package cli_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/cli"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

const testimonyCSV = `date,country,admin1,language,body,translation_en,speaker_name,themes,audience,retain_until,consent,consent_may_contact,consent_method,consent_recorded_by,consent_recorded_at,consent_note
2024-02,MLI,Mopti,fr,"Ils ont brûlé le marché, dit-elle.",They burned the market,Awa,harm-from-military-operations;abuses-by-backed-partner-forces,public,2040-01-01,anonymous-publication,no,oral,K. Coulibaly,2024-02-10,
2023,SOM,Banaadir,so,Warbixin,,,shrinking-civic-space,internal,2040-01-01,internal-only,yes,written,H. Ali,2023-05-01,signed form kept offline
`

// voicesDB makes a database with an organisation and a user, and a key
// file beside it, and returns the DSN and the key file.
func voicesDB(t *testing.T, driver string) (string, string) {
	t.Helper()
	dsn := sqldbtest.DSN(t, driver)
	key := filepath.Join(t.TempDir(), "test.key")
	u := cmdIn(t, "user", "add", "--db", dsn, "--email", "ed@example.org", "--name", "Ed", "--org", "hub", "--role", "editor", "--password-stdin")
	if u != "" {
		t.Fatal(u)
	}
	if out, _, err := run(t, "key", "init", "--db", dsn, "--key-file", key); err != nil || !strings.Contains(out, "written to "+key) {
		t.Fatalf("key init: %q %v", out, err)
	}
	return dsn, key
}

// cmdIn runs a command with a password on standard input; "" on success.
func cmdIn(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb strings.Builder
	err := cli.Run(context.Background(), args, strings.NewReader("correct horse battery staple\n"), &out, &errb, func(string) string { return "" })
	if err != nil {
		return err.Error()
	}
	return ""
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func rawDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	var r *sql.DB
	var err error
	if driver == sqldb.SQLite {
		r, err = sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)")
	} else {
		r, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestKeyCommands(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn, key := voicesDB(t, driver)
			ctx := context.Background()
			if runtime.GOOS != "windows" {
				if st, _ := os.Stat(key); st.Mode().Perm() != 0o600 {
					t.Errorf("key file mode %o", st.Mode().Perm())
				}
			}
			first, err := vault.Load(key)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := run(t, "key", "init", "--db", dsn, "--key-file", key); err == nil || !strings.Contains(err.Error(), "never overwritten") {
				t.Errorf("second init: %v", err)
			}
			csvPath := writeFile(t, "t.csv", testimonyCSV)
			if out, _, err := run(t, "testimony", "import", csvPath, "--db", dsn, "--key-file", key, "--org", "hub", "--as", "ed@example.org"); err != nil ||
				!strings.Contains(out, "imported 2 testimonies") {
				t.Fatalf("import: %q %v", out, err)
			}
			// A new key while data sits under the current one is refused.
			other := filepath.Join(t.TempDir(), "other.key")
			if _, _, err := run(t, "key", "init", "--db", dsn, "--key-file", other); err == nil || !strings.Contains(err.Error(), "restore that key file") {
				t.Errorf("init over data: %v", err)
			}

			out, _, err := run(t, "key", "rotate", "--db", dsn, "--key-file", key)
			if err != nil || !strings.Contains(out, "3 data keys re-wrapped") {
				t.Fatalf("rotate: %q %v", out, err)
			}
			second, err := vault.Load(key)
			if err != nil || second.ID() == first.ID() {
				t.Fatalf("after rotation: %v", err)
			}
			if kept, err := vault.Load(vault.RetiredPath(key, first.ID())); err != nil || kept.ID() != first.ID() {
				t.Errorf("old key not kept: %v", err)
			}
			db, err := sqldb.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			list, _ := db.Testimonies(ctx, aftermath.System, sqldb.TestimonyFilter{})
			if len(list) != 2 {
				t.Fatalf("%d testimonies", len(list))
			}
			id := list[1].ID
			if _, err := db.Voices(first).TestimonyOriginal(ctx, aftermath.System, id); err == nil {
				t.Error("the old key still reads")
			}
			c, err := db.Voices(second).TestimonyOriginal(ctx, aftermath.System, id)
			if err != nil || c.Body != "Ils ont brûlé le marché, dit-elle." || c.Translations["en"] != "They burned the market" {
				t.Fatalf("new key: %+v %v", c, err)
			}

			// A rotation that crashed after its commit, before the new key
			// was put in place: the next run finishes it.
			third, _ := vault.GenerateKEK()
			if err := third.WriteNew(vault.PendingPath(key)); err != nil {
				t.Fatal(err)
			}
			if _, err := db.RewrapDataKeys(ctx, second, third); err != nil {
				t.Fatal(err)
			}
			out, _, _ = run(t, "key", "status", "--db", dsn, "--key-file", key)
			if !strings.Contains(out, "cannot be read") {
				t.Errorf("status during a broken rotation:\n%s", out)
			}
			out, _, err = run(t, "key", "rotate", "--db", dsn, "--key-file", key)
			if err != nil || !strings.Contains(out, "finishing the rotation to key "+third.ID()) || !strings.Contains(out, "0 data keys re-wrapped") {
				t.Fatalf("resumed rotation: %q %v", out, err)
			}
			if now, err := vault.Load(key); err != nil || now.ID() != third.ID() {
				t.Errorf("key after resuming: %v", err)
			}
			out, _, err = run(t, "key", "status", "--db", dsn, "--key-file", key)
			if err != nil || !strings.Contains(out, "3 data keys wrapped by key "+third.ID()+"\n") {
				t.Errorf("status:\n%s %v", out, err)
			}
			// Without the key file, a clear error.
			if _, _, err := run(t, "testimony", "import", csvPath, "--db", dsn, "--key-file", key+".missing", "--org", "hub"); err == nil ||
				!strings.Contains(err.Error(), "aftermath key init") {
				t.Errorf("missing key: %v", err)
			}
		})
	}
}

func TestTestimonyImportIsAllOrNothing(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn, key := voicesDB(t, driver)
			bad := strings.Replace(testimonyCSV, "internal-only,yes,written,H. Ali", "internal-only,yes,written,", 1)
			p := writeFile(t, "bad.csv", bad)
			_, _, err := run(t, "testimony", "import", p, "--db", dsn, "--key-file", key, "--org", "hub")
			if err == nil || err.Error() != p+`:3: field "consent": say who recorded the consent (nothing imported)` || cli.ExitCode(err) != 2 {
				t.Errorf("bad line: %v", err)
			}
			p = writeFile(t, "wide.csv", strings.Replace(testimonyCSV, "shrinking-civic-space,internal,", "shrinking-civic-space,public,", 1))
			_, _, err = run(t, "testimony", "import", p, "--db", dsn, "--key-file", key, "--org", "hub")
			if err == nil || !strings.HasPrefix(err.Error(), p+`:3: field "audience": consent internal-only allows at most internal`) {
				t.Errorf("audience beyond consent: %v", err)
			}
			p = writeFile(t, "col.csv", "date,colour\n2024,red\n")
			if _, _, err = run(t, "testimony", "import", p, "--db", dsn, "--key-file", key, "--org", "hub"); err == nil || err.Error() != p+`:1: unknown column "colour"` {
				t.Errorf("unknown column: %v", err)
			}
			out, _, _ := run(t, "testimony", "list", "--db", dsn)
			if strings.Count(out, "\n") != 1 {
				t.Errorf("something was imported:\n%s", out)
			}
			out, _, _ = run(t, "audit", "verify", "--db", dsn)
			if out != "audit log intact: 0 entries\n" {
				t.Errorf("audit after failed imports: %q", out)
			}

			jl := `{"date":"2024-01-05","country":"YEM","admin1":"Taizz","language":"ar","body":"قصفوا الجسر","themes":["harm-from-military-operations"],"audience":"partners","retain_until":"2039-12-31","consent":{"level":"attributed-publication","method":"oral","recorded_by":"N. Saleh","recorded_at":"2024-01-05"},"identity":{"name":"Salem"}}

{"date":"2024-01-06","country":"YEM","language":"ar","body":"نص","audience":"internal","retain_until":"2039-12-31","consent":{"level":"internal-only","method":"written","recorded_by":"N. Saleh","recorded_at":"2024-01-06"},"colour":"red"}
`
			p = writeFile(t, "t.jsonl", jl)
			if _, _, err = run(t, "testimony", "import", p, "--db", dsn, "--key-file", key, "--org", "hub"); err == nil || !strings.HasPrefix(err.Error(), p+`:3: json: unknown field "colour"`) {
				t.Errorf("unknown field: %v", err)
			}
			p = writeFile(t, "t.jsonl", strings.Replace(jl, `,"colour":"red"`, "", 1))
			out, _, err = run(t, "testimony", "import", p, "--db", dsn, "--key-file", key, "--org", "hub")
			if err != nil || !strings.Contains(out, "imported 2 testimonies") {
				t.Fatalf("jsonl: %q %v", out, err)
			}
			out, _, _ = run(t, "testimony", "list", "--db", dsn, "--state", "submitted")
			if !strings.Contains(out, "YEM      Taizz   ar    submitted  partners  attributed-publication  2039-12-31    harm-from-military-operations") {
				t.Errorf("list:\n%s", out)
			}
			if strings.Contains(out, "قصفوا") {
				t.Error("list shows content")
			}
			out, _, err = run(t, "testimony", "delete", "1", "--db", dsn)
			if err != nil || !strings.Contains(out, "testimony 1 deleted") {
				t.Errorf("delete: %q %v", out, err)
			}
		})
	}
}

func TestPurgeAndAuditVerifyCommands(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn, key := voicesDB(t, driver)
			p := writeFile(t, "t.csv", testimonyCSV)
			if _, _, err := run(t, "testimony", "import", p, "--db", dsn, "--key-file", key, "--org", "hub"); err != nil {
				t.Fatal(err)
			}
			if out, _, err := run(t, "purge", "--db", dsn); err != nil || out != "purged 0 testimonies past their retention date\n" {
				t.Errorf("purge: %q %v", out, err)
			}
			// Time passes for one of them.
			r := rawDB(t, driver, dsn)
			if _, err := r.Exec(`UPDATE testimonies SET retain_until = '2020-01-01' WHERE country = 'SOM'`); err != nil {
				t.Fatal(err)
			}
			if out, _, err := run(t, "purge", "--db", dsn); err != nil || out != "purged 1 testimony past their retention date\n" {
				t.Errorf("purge: %q %v", out, err)
			}
			out, _, err := run(t, "audit", "verify", "--db", dsn)
			if err != nil || !strings.HasPrefix(out, "audit log intact: 3 entries\nhead ") {
				t.Fatalf("verify: %q %v", out, err)
			}
			head := strings.TrimSpace(strings.TrimPrefix(out[strings.Index(out, "head "):], "head "))
			out, _, _ = run(t, "audit", "list", "--db", dsn)
			if !strings.Contains(out, "purge") || !strings.Contains(out, "create") {
				t.Errorf("audit list:\n%s", out)
			}
			// Someone edits the log directly.
			if driver == sqldb.SQLite {
				_, err = r.Exec(`DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete`)
			} else {
				_, err = r.Exec(`ALTER TABLE audit_log DISABLE TRIGGER USER`)
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Exec(`UPDATE audit_log SET actor_user_id = 1 WHERE id = 2`); err != nil {
				t.Fatal(err)
			}
			out, _, err = run(t, "audit", "verify", "--db", dsn)
			if out != "audit log broken at entry 2: its contents do not match its hash: the entry was altered\n" || cli.ExitCode(err) != 1 {
				t.Errorf("tampered: %q %v", out, err)
			}
			r.Exec(`UPDATE audit_log SET actor_user_id = NULL WHERE id = 2`)
			r.Exec(`DELETE FROM audit_log WHERE id = 3`)
			out, _, err = run(t, "audit", "verify", "--db", dsn, "--head", head)
			if !strings.Contains(out, "head "+head+" is no longer in it") || cli.ExitCode(err) != 1 {
				t.Errorf("cut back: %q %v", out, err)
			}
		})
	}
}
