package sqldb_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestSentinelPhraseNeverStoredInClear writes a unique phrase into every
// encrypted part of testimonies (body, translation, finer place, profile,
// consent note, identity, review note), updates one, deletes another, and
// then searches what an attacker who took the database would have: the
// SQLite file and its WAL (read as they are, without forcing a checkpoint
// first), or a pg_dump of the PostgreSQL schema. The phrase must not
// appear: not as bytes, not hex-encoded (as pg_dump writes bytea), not in
// base64 at any alignment, not in UTF-16. A control phrase kept in a clear
// column must appear, proving the search sees the data.
func TestSentinelPhraseNeverStoredInClear(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		phrase := "Sentinel " + randomHex(t) + " the colonel ordered the market burned"
		control := "Control " + randomHex(t)

		fill := func(in *aftermath.TestimonyInput) {
			in.Body = "Récit : " + phrase + "."
			in.Translations = map[string]string{"en": "Account: " + phrase}
			in.Locality, in.Profile.Role = phrase, phrase
			in.Consent.Note, in.Consent.MayContact = phrase, true
			in.Identity = &aftermath.SpeakerIdentity{Name: phrase, Contact: phrase}
		}
		// One testimony stored and deleted first: its rows go through the
		// database file (delete checkpoints the WAL into it).
		gone := w.input("")
		fill(gone)
		goneID := w.create(t, "contributor", gone)
		if err := db.DeleteTestimony(ctx, w.v["contributor"], goneID); err != nil {
			t.Fatal(err)
		}
		// Then one that stays, changed and reviewed: its frames sit in the WAL.
		in := w.input("")
		fill(in)
		in.Admin1 = control
		id := w.create(t, "contributor", in)
		// An attached note, named after the phrase and holding it.
		if _, err := w.vs.AddAttachment(ctx, w.v["contributor"], id, phrase+".txt", []byte("Notes: "+phrase)); err != nil {
			t.Fatal(err)
		}
		in.Body = phrase + " (told again)"
		in.Identity = nil
		if err := w.vs.UpdateTestimony(ctx, w.v["contributor"], id, in); err != nil {
			t.Fatal(err)
		}
		if err := w.vs.SetTestimonyIdentity(ctx, w.v["editor"], id, &aftermath.SpeakerIdentity{Name: phrase + " junior"}); err != nil {
			t.Fatal(err)
		}
		ed := w.v["editor"]
		for _, step := range []aftermath.ReviewInput{{Action: aftermath.ReviewStart}, {Action: aftermath.ReviewReturn, Note: "Check: " + phrase}} {
			if err := w.vs.Review(ctx, ed, id, step); err != nil {
				t.Fatal(err)
			}
		}
		// It is all there, for those allowed to read it.
		c, err := w.vs.TestimonyOriginal(ctx, ed, id)
		if err != nil || !strings.Contains(c.Body, phrase) || c.Consent.Note != phrase || c.Reviews[len(c.Reviews)-1].Note != "Check: "+phrase {
			t.Fatalf("original: %+v %v", c, err)
		}

		var files map[string][]byte
		if db.Driver == sqldb.SQLite {
			files = map[string][]byte{}
			for _, p := range []string{db.Name(), db.Name() + "-wal"} {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				files[filepath.Base(p)] = b
			}
			if len(files["test.db-wal"]) == 0 {
				t.Fatal("the WAL is empty: the test would not see what it holds")
			}
		} else {
			files = map[string][]byte{"pg_dump": pgDump(t, db)}
		}
		seen := false
		for name, b := range files {
			for _, form := range encodings(phrase) {
				if i := bytes.Index(b, form.bytes); i >= 0 {
					t.Errorf("%s holds the phrase (%s) at byte %d", name, form.name, i)
				}
			}
			seen = seen || bytes.Contains(b, []byte(control))
		}
		if !seen {
			t.Error("the control phrase, stored in clear, was not found: the search does not see the data")
		}
	})
}

func randomHex(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

type encoding struct {
	name  string
	bytes []byte
}

// encodings are the forms in which a leaked phrase could sit in a file.
func encodings(phrase string) []encoding {
	p := []byte(phrase)
	out := []encoding{
		{"bytes", p},
		{"hex", []byte(hex.EncodeToString(p))},
		{"HEX", []byte(strings.ToUpper(hex.EncodeToString(p)))},
	}
	// Inside a longer base64 text the phrase starts at one of three
	// alignments; the inner groups of each are what would show.
	for i := range 3 {
		s := base64.StdEncoding.EncodeToString(p[i:])
		s = s[:len(s)-len(s)%4-4]
		out = append(out, encoding{"base64", []byte(s)})
	}
	var u16 []byte
	for _, r := range utf16.Encode([]rune(phrase)) {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	return append(out, encoding{"utf-16le", u16})
}

// pgDump dumps the test's schema (schema and data) with pg_dump, which
// must be installed where PostgreSQL tests run.
func pgDump(t *testing.T, db *sqldb.DB) []byte {
	t.Helper()
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
		slices.Sort(found)
		if len(found) == 0 {
			t.Fatal("pg_dump is needed to check what a PostgreSQL dump holds: install the PostgreSQL client (postgresql-client) or put pg_dump on PATH")
		}
		bin = found[len(found)-1]
	}
	u, err := url.Parse(db.Name())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	out, err := exec.Command(bin, "--dbname="+u.String(), "--schema="+schema, "--no-owner").Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += ": " + string(ee.Stderr)
		}
		t.Fatalf("pg_dump: %s", msg)
	}
	if !bytes.Contains(out, []byte("testimonies")) {
		t.Fatalf("pg_dump printed no testimonies table:\n%.500s", out)
	}
	return out
}
