package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"aftermath"
)

// Publishing checks, run by the publish step in its transaction, so that
// no caller (page, API, command line) can put a brief in front of its
// audience without them:
//
//   - every embed reaches the audience (briefEmbedsReach, again);
//   - no name or contact from the identity vault appears in the title,
//     summary or text (whole words, any case);
//   - no exact place: coordinates, or a place name known from events at
//     admin-2 level or finer that is not also a country or admin-1 name.
//
// A flag stops publishing unless an override with a written reason
// names it (code and line); the reasons go to the step's note and its
// audit entry. A vault name is never repeated in a message.

// The Voices store holds the key that opens the identity vault, so it is
// the one that publishes; everything else about briefs is the DB's.
var _ aftermath.Briefs = (*Voices)(nil)

func (s *Voices) CreateBrief(ctx context.Context, v aftermath.Viewer, b *aftermath.Brief) error {
	return s.db.CreateBrief(ctx, v, b)
}
func (s *Voices) UpdateBrief(ctx context.Context, v aftermath.Viewer, b *aftermath.Brief) error {
	return s.db.UpdateBrief(ctx, v, b)
}
func (s *Voices) DeleteBrief(ctx context.Context, v aftermath.Viewer, id int64) error {
	return s.db.DeleteBrief(ctx, v, id)
}
func (s *Voices) Brief(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Brief, error) {
	return s.db.Brief(ctx, v, id)
}
func (s *Voices) FindBrief(ctx context.Context, v aftermath.Viewer, ref string) (*aftermath.Brief, error) {
	return s.db.FindBrief(ctx, v, ref)
}
func (s *Voices) Briefs(ctx context.Context, v aftermath.Viewer, f aftermath.BriefFilter) ([]aftermath.Brief, error) {
	return s.db.Briefs(ctx, v, f)
}

// ReviewBrief is DB.ReviewBrief with publishing possible: the names of
// the identity vault are read, in the step's transaction, to check the
// text against. Without a key publishing is refused, never unchecked.
func (s *Voices) ReviewBrief(ctx context.Context, v aftermath.Viewer, id int64, step aftermath.BriefReview) error {
	if step.Action != aftermath.BriefPublish {
		return s.db.ReviewBrief(ctx, v, id, step)
	}
	if s.kek == nil {
		return aftermath.Errorf(aftermath.EINVALID, "brief %d: publishing checks the text for names from the identity vault, which needs the "+
			"key-encryption key: none is loaded (create one with 'aftermath key init' or name it with --key-file)", id)
	}
	return s.db.reviewBrief(ctx, v, id, step, s.vaultNames)
}

// vaultBatch bounds how many sealed identities are held at once.
const vaultBatch = 500

// vaultNames decrypts every speaker identity (a name is a name whoever's
// testimony it is) in batches by id, and returns the distinct names and
// contacts. Only the service reads them; they leave it as flags without
// text.
func (s *Voices) vaultNames(ctx context.Context, q querier) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	type sealed struct {
		id int64
		b  []byte
	}
	for last := int64(0); ; {
		var batch []sealed
		rows, err := q.QueryContext(ctx, s.db.rebind(`SELECT testimony_id, sealed FROM testimony_identities WHERE testimony_id > ? ORDER BY testimony_id LIMIT ?`), last, vaultBatch)
		if err != nil {
			return nil, fmt.Errorf("identity vault: %w", err)
		}
		for rows.Next() {
			var x sealed
			if err := rows.Scan(&x.id, &x.b); err != nil {
				rows.Close()
				return nil, err
			}
			batch = append(batch, x)
		}
		// The batch is read whole before decrypting: a PostgreSQL
		// transaction runs one query at a time.
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, x := range batch {
			dk, err := s.db.dataKey(ctx, q, s.kek, rtIdentity, x.id)
			if err != nil {
				return nil, err
			}
			var ident aftermath.SpeakerIdentity
			err = unseal(dk, rtIdentity, x.id, "identity", x.b, &ident)
			dk.Destroy()
			if err != nil {
				return nil, err
			}
			for _, n := range []string{ident.Name, ident.Contact} {
				if k := strings.Join(words(n), " "); k != "" && !seen[k] {
					seen[k] = true
					out = append(out, n)
				}
			}
			last = x.id
		}
		if len(batch) < vaultBatch {
			return out, nil
		}
	}
}

// words splits s into lower-case words: runs of letters, digits and marks
// (Arabic vowel signs, combining accents), so that names match on word
// boundaries in any script.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

// briefText is a brief's public text by line: line 0 is the title and
// summary, then the body's lines from 1.
type briefText struct {
	lines []string
	// at lists, for each word, where it starts: line and index in words.
	at    map[string][]wordAt
	words [][]string
}

type wordAt struct{ line, i int }

func newBriefText(title, summary, body string) *briefText {
	t := &briefText{lines: append([]string{title + "\n" + summary}, strings.Split(body, "\n")...), at: map[string][]wordAt{}}
	t.words = make([][]string, len(t.lines))
	for l, line := range t.lines {
		t.words[l] = words(line)
		for i, w := range t.words[l] {
			t.at[w] = append(t.at[w], wordAt{l, i})
		}
	}
	return t
}

// find returns the lines on which the words of name occur in sequence.
func (t *briefText) find(name []string) []int {
	if len(name) == 0 {
		return nil
	}
	var lines []int
	for _, a := range t.at[name[0]] {
		ws := t.words[a.line]
		if a.i+len(name) > len(ws) {
			continue
		}
		match := true
		for j := 1; j < len(name); j++ {
			if ws[a.i+j] != name[j] {
				match = false
				break
			}
		}
		if match && (len(lines) == 0 || lines[len(lines)-1] != a.line) {
			lines = append(lines, a.line)
		}
	}
	return lines
}

// coordinatesRE finds coordinates: decimal pairs (14.4974, -4.1960),
// decimal degrees with a hemisphere (14.4974°N) and degrees with minutes
// (14°29′50″N). Pairs need three decimals, so that ordinary figures
// (3.5, 4.2) are not taken for places.
var coordinatesRE = regexp.MustCompile(`[-+−]?\d{1,3}\.\d{3,}\s*°?\s*[NSEW]?\s*[,;/]\s*[-+−]?\d{1,3}\.\d{3,}\s*°?\s*[NSEW]?` +
	`|\d{1,3}(?:[.,]\d+)?\s*°\s*[NSEW]\b` +
	`|\d{1,3}\s*°\s*\d{1,2}(?:[.,]\d+)?\s*['′’]\s*(?:\d{1,2}(?:[.,]\d+)?\s*(?:["″”]|'')\s*)?[NSEW]?`)

// maxPlaceNames bounds the place names read from events; beyond it the
// check would be slower than publishing is worth waiting for, and the
// distinct admin-2, admin-3 and location names of the UCDP and ACLED
// files together stay well under it.
const maxPlaceNames = 2_000_000

// briefFlags lists what the publishing checks find in brief id's title,
// summary and text: names from the identity vault, coordinates and place
// names at admin-2 or finer, one flag per kind, line and text.
func (db *DB) briefFlags(ctx context.Context, tx *sql.Tx, id int64, vault []string) ([]aftermath.BriefFlag, error) {
	var title, summary, body string
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT title, summary, body FROM briefs WHERE id = ?`), id).Scan(&title, &summary, &body); err != nil {
		return nil, err
	}
	t := newBriefText(title, summary, body)
	var flags []aftermath.BriefFlag
	seen := map[aftermath.BriefFlag]bool{}
	add := func(f aftermath.BriefFlag) {
		if !seen[f] {
			seen[f] = true
			flags = append(flags, f)
		}
	}
	for _, n := range vault {
		ws := words(n)
		if utf8.RuneCountInString(strings.Join(ws, "")) < 2 {
			continue // a single letter is no name to find
		}
		for _, l := range t.find(ws) {
			add(aftermath.BriefFlag{Code: aftermath.BriefFlagVaultName, Line: l})
		}
	}
	for l, line := range t.lines {
		for _, m := range coordinatesRE.FindAllString(line, -1) {
			add(aftermath.BriefFlag{Code: aftermath.BriefFlagCoordinates, Line: l, Text: strings.TrimSpace(m)})
		}
	}
	// Names of countries and admin-1 units are not exact places, even
	// where a finer unit bears the same name.
	coarse := map[string]bool{}
	err := eachRow(ctx, tx, `SELECT DISTINCT name FROM places WHERE kind IN ('country', 'admin1')
		UNION SELECT DISTINCT country FROM events UNION SELECT DISTINCT admin1 FROM events`, nil, func(r *sql.Rows) error {
		var n string
		err := r.Scan(&n)
		coarse[strings.Join(words(n), " ")] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("brief %d: place names: %w", id, err)
	}
	// Only names whose first word is in the text matter: the set of the
	// text's words keeps what is held small whatever the events hold.
	type place struct {
		name string
		ws   []string
	}
	var fine []place
	n := 0
	err = eachRow(ctx, tx, `SELECT DISTINCT name FROM places WHERE kind = 'admin2'
		UNION SELECT DISTINCT admin2 FROM events UNION SELECT DISTINCT admin3 FROM events UNION SELECT DISTINCT location FROM events`, nil, func(r *sql.Rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		if n++; n > maxPlaceNames {
			return aftermath.Errorf(aftermath.EINTERNAL, "more than %d place names: the exact-place check stops", maxPlaceNames)
		}
		ws := words(name)
		if len(ws) == 0 || len(t.at[ws[0]]) == 0 || coarse[strings.Join(ws, " ")] {
			return nil
		}
		fine = append(fine, place{name, ws})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("brief %d: place names: %w", id, err)
	}
	for _, p := range fine {
		for _, l := range t.find(p.ws) {
			add(aftermath.BriefFlag{Code: aftermath.BriefFlagAdmin2, Line: l, Text: p.name})
		}
	}
	return flags, nil
}

// checkOverrides refuses publishing while a flag has no override (code
// and line) with a written reason, listing every flag; an override of a
// flag that is not there is refused too, so that a reason is never
// recorded for nothing.
func checkOverrides(id int64, flags []aftermath.BriefFlag, overrides []aftermath.BriefOverride) error {
	type key struct {
		code string
		line int
	}
	given := map[key]bool{}
	for _, o := range overrides {
		if len(strings.TrimSpace(o.Reason)) < aftermath.MinOverrideReason {
			return aftermath.FieldError("override", "%s line %d: give a reason in a sentence (at least %d characters)", o.Code, o.Line, aftermath.MinOverrideReason)
		}
		given[key{o.Code, o.Line}] = true
	}
	flagged := map[key]bool{}
	var open []string
	for _, f := range flags {
		flagged[key{f.Code, f.Line}] = true
		if !given[key{f.Code, f.Line}] {
			open = append(open, f.String())
		}
	}
	for _, o := range overrides {
		if !flagged[key{o.Code, o.Line}] {
			return aftermath.FieldError("override", "%s line %d: nothing is flagged there", o.Code, o.Line)
		}
	}
	if len(open) > 0 {
		return aftermath.Errorf(aftermath.EINVALID, "brief %d cannot be published: %s; change the text, or override each with CODE:LINE:REASON",
			id, strings.Join(open, "; "))
	}
	return nil
}

// overrideNote is the publish step's note: the publisher's note, then
// each override with its reason.
func overrideNote(note string, overrides []aftermath.BriefOverride) string {
	parts := []string{}
	if strings.TrimSpace(note) != "" {
		parts = append(parts, strings.TrimSpace(note))
	}
	for _, o := range overrides {
		parts = append(parts, fmt.Sprintf("override %s line %d: %s", o.Code, o.Line, strings.TrimSpace(o.Reason)))
	}
	return strings.Join(parts, "; ")
}

// DefaultPublicMinCount is the smallest count of testimonies or of
// organisations shown to readers who are not signed in: below it a
// count can point at the few people or groups who spoke.
const DefaultPublicMinCount = 5

// SetPublicMinCount sets the smallest count of testimonies or
// organisations shown to anonymous readers (the command line's
// --min-count); n < 1 restores the default.
func (db *DB) SetPublicMinCount(n int) { db.publicMin.Store(int64(max(n, 0))) }

// PublicMinCount is the setting in force.
func (db *DB) PublicMinCount() int {
	if n := db.publicMin.Load(); n > 0 {
		return int(n)
	}
	return DefaultPublicMinCount
}

// suppressForPublic reports whether counts for v are public output, and
// the threshold below which they are suppressed.
func (db *DB) suppressForPublic(v aftermath.Viewer) (int, bool) {
	return db.PublicMinCount(), !v.All && v.UserID == 0
}

// suppressCell hides a matrix cell's small counts: fewer than n
// testimonies hides the cell (its organisations are fewer still); fewer
// than n organisations hides that count alone. Hidden counts are 0 with
// the flag set, never the small number.
func suppressCell(c *aftermath.ThemeCell, n int) {
	switch {
	case c.Testimonies < n:
		c.Testimonies, c.Organisations, c.Suppressed, c.OrganisationsSuppressed, c.MinCount = 0, 0, true, true, n
	case c.Organisations < n:
		c.Organisations, c.OrganisationsSuppressed, c.MinCount = 0, true, n
	}
}
