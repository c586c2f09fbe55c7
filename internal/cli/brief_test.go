package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/cli"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

// A brief goes from a Markdown file to an approved record and back to
// draft when its text changes; a text with a bad embed is refused with
// its line, and check lists a good text's embeds.
func TestBriefCommands(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn := sqldbtest.DSN(t, driver)
			if out, err := runIn(t, "", "seed", "--db", dsn); err != nil { // the catalog holds minusma, which the brief embeds
				t.Fatalf("seed: %q %v", out, err)
			}
			dir := t.TempDir()
			text := "# Après la MINUSMA\n\nLes civils tués par le partenaire : {{figure intervention=\"minusma\" measure=\"one-sided\" period=\"during\"}}.\n\n{{chart intervention=\"minusma\" kind=\"yearly\"}}\n"
			file := filepath.Join(dir, "brief.md")
			os.WriteFile(file, []byte(text), 0o644)
			out, err := runIn(t, "", "brief", "check", file)
			if err != nil || !strings.Contains(out, file+":3: {{figure") || !strings.Contains(out, file+":5: {{chart") || !strings.Contains(out, "2 embeds, all readable") {
				t.Fatalf("check: %q %v", out, err)
			}
			out, err = runIn(t, "", "brief", "add", "--db", dsn, "--slug", "apres-minusma", "--title", "Après la MINUSMA", "--language", "fr",
				"--audience", "public", file)
			if err != nil || !strings.Contains(out, "added as a draft") {
				t.Fatalf("add: %q %v", out, err)
			}
			for _, action := range []string{"submit", "approve"} {
				if out, err := runIn(t, "", "brief", "review", "apres-minusma", "--db", dsn, "--action", action); err != nil {
					t.Fatalf("review %s: %q %v", action, out, err)
				}
			}
			out, err = runIn(t, "", "brief", "list", "--db", dsn)
			if err != nil || !strings.Contains(out, "apres-minusma") || !strings.Contains(out, "approved") {
				t.Errorf("list: %q %v", out, err)
			}
			out, err = runIn(t, "Un nouveau texte.\n", "brief", "edit", "apres-minusma", "--db", dsn, "--body", "-")
			if err != nil || !strings.HasSuffix(out, "it is draft\n") {
				t.Errorf("edit: %q %v", out, err)
			}
			out, err = runIn(t, "", "brief", "show", "apres-minusma", "--db", dsn)
			var b aftermath.Brief
			if err != nil || json.Unmarshal([]byte(out), &b) != nil || b.Body != "Un nouveau texte.\n" || len(b.History) != 4 || b.State != aftermath.BriefDraft {
				t.Errorf("show: %q %v", out, err)
			}
			bad := filepath.Join(dir, "bad.md")
			os.WriteFile(bad, []byte("Intro.\n\n{{quote testimony=seven}}\n"), 0o644)
			_, err = runIn(t, "", "brief", "add", "--db", dsn, "--slug", "bad", "--title", "Bad", "--language", "en", bad)
			if cli.ExitCode(err) != 2 || !strings.Contains(err.Error(), `line 3: quote: testimony="seven" is not a record number`) {
				t.Errorf("a bad embed: %v (exit %d)", err, cli.ExitCode(err))
			}
			if _, err := runIn(t, "", "brief", "review", "apres-minusma", "--db", dsn, "--action", "approve"); cli.ExitCode(err) != 1 ||
				!strings.Contains(err.Error(), "is draft: approve takes a brief that is in_review") {
				t.Errorf("approving a draft: %v", err)
			}
		})
	}
}

// Publishing from the command line reads the identity vault through the
// key: a speaker's name in the text stops it, every flag printed by line
// and exit 1; an --override with a written reason lets it through, and
// the reason is in the audit log. Without the key it refuses.
func TestBriefPublishCommand(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn, key := voicesDB(t, driver)
			ctx := context.Background()
			db, err := sqldb.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			kek, err := vault.Load(key)
			if err != nil {
				t.Fatal(err)
			}
			org, err := db.Organisation(ctx, "hub")
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.Voices(kek).CreateTestimony(ctx, aftermath.System, &aftermath.TestimonyInput{
				Date: "2021-06-14", Country: "MLI", Admin1: "Mopti", OwnerOrgID: org.ID, Language: "fr", Body: "Ils sont venus la nuit.",
				Consent:  &aftermath.Consent{Level: aftermath.ConsentAnonymous, Method: aftermath.ConsentOral, RecordedBy: "A. Traoré", RecordedAt: "2021-06-14"},
				Audience: aftermath.AudienceInternal, RetainUntil: "2040-01-01", Identity: &aftermath.SpeakerIdentity{Name: "Oumou Sangaré"},
			})
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			file := writeFile(t, "brief.md", "# Findings\n\nAs oumou SANGARÉ told us, they came at night.\n")
			if out, err := runIn(t, "", "brief", "add", "--db", dsn, "--slug", "night", "--title", "At night", "--language", "en", "--audience", "public", file); err != nil {
				t.Fatalf("add: %q %v", out, err)
			}
			for _, action := range []string{"submit", "approve"} {
				if out, err := runIn(t, "", "brief", "review", "night", "--db", dsn, "--key-file", key, "--action", action); err != nil {
					t.Fatalf("review %s: %q %v", action, out, err)
				}
			}
			if _, err := runIn(t, "", "brief", "review", "night", "--db", dsn, "--key-file", filepath.Join(t.TempDir(), "none.key"), "--action", "publish"); err == nil ||
				!strings.Contains(err.Error(), "key-encryption key") {
				t.Errorf("publishing without a key: %v", err)
			}
			out, stderr, err := run(t, "brief", "review", "night", "--db", dsn, "--key-file", key, "--action", "publish")
			if cli.ExitCode(err) != 1 || !strings.Contains(stderr, "  line 3: a name from the identity vault (vault-name)\n") ||
				strings.Contains(stderr+fmt.Sprint(err), "Sangar") {
				t.Errorf("publishing a vault name: %q %q %v (exit %d)", out, stderr, err, cli.ExitCode(err))
			}
			reason := "she asked to be named, release signed 2021-06-14"
			out, err = runIn(t, "", "brief", "review", "night", "--db", dsn, "--key-file", key, "--action", "publish", "--override", "vault-name:3:"+reason)
			if err != nil || !strings.HasSuffix(out, "it is published\n") {
				t.Fatalf("publishing with an override: %q %v", out, err)
			}
			out, err = runIn(t, "", "audit", "list", "--db", dsn, "--record", "brief:1")
			if err != nil || !strings.Contains(out, "override vault-name line 3: "+reason) {
				t.Errorf("the audit log: %q %v", out, err)
			}
			if out, err := runIn(t, "", "brief", "review", "night", "--db", dsn, "--action", "unpublish"); err != nil || !strings.HasSuffix(out, "it is approved\n") {
				t.Errorf("unpublish: %q %v", out, err)
			}
		})
	}
}
