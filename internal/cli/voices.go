package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"aftermath"
	"aftermath/internal/ingest"
	"aftermath/internal/sqldb"
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
	db, err := openDB(ctx, *dsn)
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
	db, err := openDB(ctx, *dsn)
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

func runPurge(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "purge", "purge [--db DB]")
	dsn := dbFlag(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.PurgeExpired(ctx, db.Now())
	if err != nil {
		return err
	}
	noun := "testimonies"
	if n == 1 {
		noun = "testimony"
	}
	fmt.Fprintf(env.Stdout, "purged %d %s past their retention date\n", n, noun)
	return nil
}

func runAudit(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "audit", auditUsage, []subcommand{
		{"verify", auditVerify},
		{"list", auditList},
	})
}

const auditUsage = `Usage: aftermath audit verify|list [flags]

  verify [--head HASH…]   check the hash chain of the audit log; exit 1 at the
                          first broken entry. Note the head it prints somewhere
                          else: --head checks later that it is still there
  list [--record TYPE:ID] [--action A] [--limit N]   show entries, newest first
`

func auditVerify(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "audit verify", "audit verify [--db DB] [--head HASH]…")
	dsn := dbFlag(fs, env)
	var heads listFlag
	fs.Var(&heads, "head", "a head hash noted earlier, which must still be in the log (repeat for more)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.AuditVerify(ctx, heads...)
	if err != nil {
		return err
	}
	if r.Break != nil {
		fmt.Fprintf(env.Stdout, "audit log broken at entry %d: %s\n", r.Break.ID, r.Break.Reason)
		return &ExitError{Code: exitFailure, Err: errors.New("audit verify: the audit log was tampered with")}
	}
	if len(r.Missing) > 0 {
		fmt.Fprintf(env.Stdout, "audit log cut back or rewritten: head %s is no longer in it\n", strings.Join(r.Missing, ", "))
		return &ExitError{Code: exitFailure, Err: errors.New("audit verify: the audit log was tampered with")}
	}
	fmt.Fprintf(env.Stdout, "audit log intact: %d entries\n", r.Entries)
	if r.Head != "" {
		fmt.Fprintf(env.Stdout, "head %s\n", r.Head)
	}
	return nil
}

func auditList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "audit list", "audit list [--db DB] [--record TYPE:ID] [--action ACTION] [--limit N]")
	dsn := dbFlag(fs, env)
	record := fs.String("record", "", "only entries about this record, e.g. testimony:12")
	action := fs.String("action", "", "only this action: "+strings.Join(aftermath.AuditActions, ", "))
	limit := fs.Int("limit", 50, "at most this many entries")
	if err := parse(fs, args); err != nil {
		return err
	}
	f := sqldb.AuditFilter{Action: *action, Limit: *limit}
	if *record != "" {
		typ, id, ok := strings.Cut(*record, ":")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("audit list: --record %q is not TYPE:ID", *record)}
		}
		f.RecordType, f.RecordID = typ, n
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	entries, err := db.AuditEntries(ctx, aftermath.System, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAT\tACTOR\tACTION\tRECORD\tDETAIL")
	for _, e := range entries {
		actor, rec := "system", e.RecordType
		if e.ActorID != 0 {
			actor = "user " + strconv.FormatInt(e.ActorID, 10)
		}
		if e.RecordID != 0 {
			rec += ":" + strconv.FormatInt(e.RecordID, 10)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.At.Format("2006-01-02 15:04:05"), actor, e.Action, rec, e.Detail)
	}
	return tw.Flush()
}

func runTestimony(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "testimony", testimonyUsage, []subcommand{
		{"import", testimonyImport},
		{"list", testimonyList},
		{"delete", testimonyDelete},
	})
}

const testimonyUsage = `Usage: aftermath testimony import|list|delete [flags]

  import FILE --org ORG [--as EMAIL]   import testimonies from CSV (with a header) or
                                       JSON lines; all or nothing; each is submitted
                                       for review
  list [--state S] [--country ISO3] [--theme SLUG]   list metadata (never content)
  delete ID                            destroy one with its data keys (consent withdrawn)

Import columns (CSV) or fields (JSON lines):
  date, country, admin1, locality, partner_org (slug), language, body,
  translation_LANG (CSV; JSON: "translations": {"en": "…"}),
  speaker_role, speaker_gender, speaker_age_band (JSON: "profile": {…}),
  speaker_name, speaker_contact (JSON: "identity": {"name", "contact"}),
  themes, interventions, actors, places, readers (CSV: separated by ;),
  audience, retain_until,
  consent, consent_may_contact, consent_method, consent_recorded_by,
  consent_recorded_at, consent_note (JSON: "consent": {"level", "may_contact",
  "method", "recorded_by", "recorded_at", "note"}).

Limits: a record (a CSV row or a JSON line) is at most 1 MiB and a CSV field
256 KiB, as in every import. One import is one transaction, of at most
100000 testimonies and 256 MiB; a file past a limit imports nothing.
`

// testimonyRecord is one line of a JSON lines import.
type testimonyRecord struct {
	Date          string                     `json:"date"`
	Country       string                     `json:"country"`
	Admin1        string                     `json:"admin1"`
	Locality      string                     `json:"locality"`
	PartnerOrg    string                     `json:"partner_org"`
	Language      string                     `json:"language"`
	Body          string                     `json:"body"`
	Translations  map[string]string          `json:"translations"`
	Profile       aftermath.SpeakerProfile   `json:"profile"`
	Identity      *aftermath.SpeakerIdentity `json:"identity"`
	Consent       *aftermath.Consent         `json:"consent"`
	Themes        []string                   `json:"themes"`
	Interventions []json.RawMessage          `json:"interventions"` // ids or slugs
	Actors        []int64                    `json:"actors"`
	Places        []int64                    `json:"places"`
	Audience      string                     `json:"audience"`
	Readers       []string                   `json:"readers"` // emails
	RetainUntil   string                     `json:"retain_until"`

	line          int
	interventions []string
}

func testimonyImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "testimony import", "testimony import FILE --org ORG [--as EMAIL] [--format csv|jsonl] [--key-file FILE] [--db DB]")
	dsn := dbFlag(fs, env)
	kf := keyFileFlag(fs)
	org := fs.String("org", "", "slug of the organisation that holds the testimonies (required)")
	as := fs.String("as", "", "email of the user recorded as submitter (default: the system)")
	format := fs.String("format", "", "csv or jsonl (default: from the file name, .csv or .jsonl)")
	path, err := parseRef(fs, args, "file")
	if err != nil {
		return err
	}
	if *org == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("testimony import: say which organisation holds them with --org")}
	}
	if *format != "" && *format != "csv" && *format != "jsonl" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("testimony import: unknown format %q; use csv or jsonl", *format)}
	}
	recs, err := readTestimonies(path, *format, importLimits{maxImportTestimonies, maxImportBytes})
	if err != nil {
		return err
	}
	kek, err := vault.Load(keyPath(env, *kf, *dsn))
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := db.Organisation(ctx, *org)
	if err != nil {
		return err
	}
	v := aftermath.System
	if *as != "" {
		u, err := db.UserByEmail(ctx, *as)
		if err != nil {
			return err
		}
		if v, err = db.Viewer(ctx, u); err != nil {
			return err
		}
	}
	ins := make([]*aftermath.TestimonyInput, len(recs))
	for i, r := range recs {
		if ins[i], err = r.input(ctx, db, o.ID); err != nil {
			return aftermath.Errorf(aftermath.EINVALID, "%s:%d: %v", path, r.line, err)
		}
	}
	ids, err := db.Voices(kek).CreateTestimonies(ctx, v, ins)
	if err != nil {
		var ie *sqldb.ItemError
		if errors.As(err, &ie) {
			return aftermath.Errorf(aftermath.ErrorCode(ie.Err), "%s:%d: %v (nothing imported)", path, recs[ie.Index].line, ie.Err)
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %d testimonies from %s, submitted for review\n", len(ids), path)
	return nil
}

// input resolves a record's references (organisations, interventions,
// readers) into a store input.
func (r *testimonyRecord) input(ctx context.Context, db *sqldb.DB, owner int64) (*aftermath.TestimonyInput, error) {
	in := &aftermath.TestimonyInput{
		Date: r.Date, Country: r.Country, Admin1: r.Admin1, Locality: r.Locality, OwnerOrgID: owner, Language: r.Language, Body: r.Body,
		Translations: r.Translations, Profile: r.Profile, Identity: r.Identity, Consent: r.Consent, Themes: r.Themes,
		Actors: r.Actors, Places: r.Places, Audience: aftermath.Audience(r.Audience), RetainUntil: r.RetainUntil,
	}
	if r.PartnerOrg != "" {
		o, err := db.Organisation(ctx, r.PartnerOrg)
		if err != nil {
			return nil, aftermath.FieldError("partner_org", "no organisation %q", r.PartnerOrg)
		}
		in.PartnerOrgID = o.ID
	}
	refs := r.interventions
	for _, raw := range r.Interventions {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw)
		}
		refs = append(refs, s)
	}
	for _, ref := range refs {
		iv, err := db.FindIntervention(ctx, aftermath.System, ref)
		if err != nil {
			return nil, aftermath.FieldError("interventions", "no intervention %q", ref)
		}
		in.Interventions = append(in.Interventions, iv.ID)
	}
	for _, email := range r.Readers {
		u, err := db.UserByEmail(ctx, email)
		if err != nil {
			return nil, aftermath.FieldError("readers", "no user %q", email)
		}
		in.Readers = append(in.Readers, u.ID)
	}
	return in, nil
}

// The testimonies of one import are stored in one transaction
// (CreateTestimonies refuses them all if one is refused), so they are all
// held in memory until it. Reading holds one record at a time, at most
// ingest.MaxRecordBytes; these bound what is collected, generously (far
// more than one batch of interviews) and with an error that says to split
// the file, rather than growing with the file.
const (
	maxImportTestimonies = 100_000
	maxImportBytes       = 256 << 20
)

// importLimits bounds the records of one import: their number and the
// bytes of their fields (CSV) or lines (JSON lines).
type importLimits struct{ records, bytes int }

// testimonyBatch collects the records of one import within its limits.
type testimonyBatch struct {
	path  string
	limit importLimits
	recs  []*testimonyRecord
	size  int
}

func (b *testimonyBatch) add(r *testimonyRecord, size int) error {
	if len(b.recs) >= b.limit.records {
		return aftermath.Errorf(aftermath.EINVALID, "%s:%d: more than %d testimonies, the limit of one import (one transaction); split the file",
			b.path, r.line, b.limit.records)
	}
	if b.size += size; b.size > b.limit.bytes {
		return aftermath.Errorf(aftermath.EINVALID, "%s:%d: the testimonies up to this line are more than %d MiB, the limit of one import (one transaction); split the file",
			b.path, r.line, b.limit.bytes>>20)
	}
	b.recs = append(b.recs, r)
	return nil
}

// readTestimonies reads the file of a testimony import in a stream; format
// "" is told from the name (.csv, .jsonl) or else from the first character.
func readTestimonies(path, format string, lim importLimits) ([]*testimonyRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, aftermath.Errorf(aftermath.EINVALID, "%s is a folder, not a CSV or JSON lines file", path)
	}
	br := bufio.NewReader(f)
	if format == "" {
		format = "csv"
		if ext := strings.ToLower(filepath.Ext(path)); ext == ".jsonl" || ext == ".ndjson" || ext == ".json" || startsWithBrace(br) {
			format = "jsonl"
		}
	}
	if format == "jsonl" {
		return readTestimonyJSONL(path, br, lim)
	}
	return readTestimonyCSV(path, br, lim)
}

// startsWithBrace reports whether the first character after white space
// is '{', looking no further than the reader's buffer (4 KiB).
func startsWithBrace(br *bufio.Reader) bool {
	b, _ := br.Peek(br.Size())
	b = bytes.TrimLeftFunc(b, unicode.IsSpace)
	return len(b) > 0 && b[0] == '{'
}

func readTestimonyJSONL(path string, rd io.Reader, lim importLimits) ([]*testimonyRecord, error) {
	batch := testimonyBatch{path: path, limit: lim}
	sc := bufio.NewScanner(rd)
	// A line is one record, with the bound of a CSV record (its line
	// break included), so the buffer never grows past it.
	sc.Buffer(make([]byte, 0, 64<<10), ingest.MaxRecordBytes)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		r := &testimonyRecord{line: line}
		if err := dec.Decode(r); err != nil {
			return nil, aftermath.Errorf(aftermath.EINVALID, "%s:%d: %v", path, line, err)
		}
		if dec.More() {
			return nil, aftermath.Errorf(aftermath.EINVALID, "%s:%d: one JSON object per line", path, line)
		}
		if err := batch.add(r, len(text)); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, aftermath.Errorf(aftermath.EINVALID, "%s:%d: the line is longer than %d MiB, the limit of one record (is this a JSON lines file?)",
				path, line+1, ingest.MaxRecordBytes>>20)
		}
		return nil, fmt.Errorf("%s:%d: %w", path, line+1, err)
	}
	return batch.recs, nil
}

// testimonyColumns are the CSV columns besides translation_LANG.
var testimonyColumns = map[string]func(r *testimonyRecord, v string) error{
	"date":                func(r *testimonyRecord, v string) error { r.Date = v; return nil },
	"country":             func(r *testimonyRecord, v string) error { r.Country = v; return nil },
	"admin1":              func(r *testimonyRecord, v string) error { r.Admin1 = v; return nil },
	"locality":            func(r *testimonyRecord, v string) error { r.Locality = v; return nil },
	"partner_org":         func(r *testimonyRecord, v string) error { r.PartnerOrg = v; return nil },
	"language":            func(r *testimonyRecord, v string) error { r.Language = v; return nil },
	"body":                func(r *testimonyRecord, v string) error { r.Body = v; return nil },
	"speaker_role":        func(r *testimonyRecord, v string) error { r.Profile.Role = v; return nil },
	"speaker_gender":      func(r *testimonyRecord, v string) error { r.Profile.Gender = v; return nil },
	"speaker_age_band":    func(r *testimonyRecord, v string) error { r.Profile.AgeBand = v; return nil },
	"speaker_name":        func(r *testimonyRecord, v string) error { r.identity().Name = v; return nil },
	"speaker_contact":     func(r *testimonyRecord, v string) error { r.identity().Contact = v; return nil },
	"themes":              func(r *testimonyRecord, v string) error { r.Themes = splitList(v); return nil },
	"interventions":       func(r *testimonyRecord, v string) error { r.interventions = splitList(v); return nil },
	"actors":              func(r *testimonyRecord, v string) error { return idList(&r.Actors, "actors", v) },
	"places":              func(r *testimonyRecord, v string) error { return idList(&r.Places, "places", v) },
	"readers":             func(r *testimonyRecord, v string) error { r.Readers = splitList(v); return nil },
	"audience":            func(r *testimonyRecord, v string) error { r.Audience = v; return nil },
	"retain_until":        func(r *testimonyRecord, v string) error { r.RetainUntil = v; return nil },
	"consent":             func(r *testimonyRecord, v string) error { r.consent().Level = aftermath.ConsentLevel(v); return nil },
	"consent_method":      func(r *testimonyRecord, v string) error { r.consent().Method = v; return nil },
	"consent_recorded_by": func(r *testimonyRecord, v string) error { r.consent().RecordedBy = v; return nil },
	"consent_recorded_at": func(r *testimonyRecord, v string) error { r.consent().RecordedAt = v; return nil },
	"consent_note":        func(r *testimonyRecord, v string) error { r.consent().Note = v; return nil },
	"consent_may_contact": func(r *testimonyRecord, v string) error {
		switch strings.ToLower(v) {
		case "yes", "true", "1":
			r.consent().MayContact = true
		case "no", "false", "0", "":
		default:
			return aftermath.FieldError("consent", "may_contact %q is not yes or no", v)
		}
		return nil
	},
}

func (r *testimonyRecord) identity() *aftermath.SpeakerIdentity {
	if r.Identity == nil {
		r.Identity = &aftermath.SpeakerIdentity{}
	}
	return r.Identity
}

func (r *testimonyRecord) consent() *aftermath.Consent {
	if r.Consent == nil {
		r.Consent = &aftermath.Consent{}
	}
	return r.Consent
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func idList(dst *[]int64, field, v string) error {
	for _, s := range splitList(v) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return aftermath.FieldError(field, "%q is not a record id", s)
		}
		*dst = append(*dst, n)
	}
	return nil
}

func readTestimonyCSV(path string, rd io.Reader, lim importLimits) ([]*testimonyRecord, error) {
	// The shared CSV reader: lines and errors as every import names them,
	// and the bounds on a record and a field.
	cr, err := ingest.NewPlainCSV(rd, path)
	if err != nil {
		return nil, aftermath.Errorf(aftermath.EINVALID, "%v", err)
	}
	header := slices.Clone(cr.Header())
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		header[i] = h
		if _, ok := testimonyColumns[h]; !ok && !(strings.HasPrefix(h, "translation_") && aftermath.ValidLanguage(strings.TrimPrefix(h, "translation_"))) {
			return nil, aftermath.Errorf(aftermath.EINVALID, "%s:1: unknown column %q", path, h)
		}
	}
	batch := testimonyBatch{path: path, limit: lim}
	for {
		err := cr.Next()
		if err == io.EOF {
			return batch.recs, nil
		}
		if err != nil {
			return nil, aftermath.Errorf(aftermath.EINVALID, "%v", err)
		}
		rec, line := cr.Raw(), cr.Line()
		r := &testimonyRecord{line: line}
		size := 0
		for i, v := range rec {
			size += len(v)
			v = strings.TrimSpace(v)
			if lang, ok := strings.CutPrefix(header[i], "translation_"); ok {
				if v != "" {
					if r.Translations == nil {
						r.Translations = map[string]string{}
					}
					r.Translations[lang] = v
				}
				continue
			}
			if err := testimonyColumns[header[i]](r, v); err != nil {
				return nil, aftermath.Errorf(aftermath.EINVALID, "%s:%d: %v", path, line, err)
			}
		}
		if r.Identity != nil && r.Identity.Name == "" && r.Identity.Contact == "" {
			r.Identity = nil
		}
		if err := batch.add(r, size); err != nil {
			return nil, err
		}
	}
}

func testimonyList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "testimony list", "testimony list [--state S] [--country ISO3] [--theme SLUG] [--limit N] [--db DB]")
	dsn := dbFlag(fs, env)
	state := fs.String("state", "", "only this state: submitted, in_review, approved, returned")
	country := fs.String("country", "", "only this country (ISO 3166-1 alpha-3)")
	theme := fs.String("theme", "", "only testimonies coded with this theme")
	limit := fs.Int("limit", 100, "at most this many")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.Testimonies(ctx, aftermath.System, sqldb.TestimonyFilter{State: aftermath.TestimonyState(*state), Country: *country, Theme: *theme, Limit: *limit})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tCOUNTRY\tADMIN1\tLANG\tSTATE\tAUDIENCE\tCONSENT\tRETAIN UNTIL\tTHEMES")
	for _, t := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Date, t.Country, t.Admin1, t.Language, t.State, t.Audience,
			t.ConsentLevel, t.RetainUntil, strings.Join(t.Themes, ","))
	}
	return tw.Flush()
}

func testimonyDelete(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "testimony delete", "testimony delete ID [--db DB]")
	dsn := dbFlag(fs, env)
	ref, err := parseRef(fs, args, "testimony (id)")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("testimony delete: %q is not an id", ref)}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.DeleteTestimony(ctx, aftermath.System, id); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "testimony %d deleted; its data keys are destroyed\n", id)
	return nil
}
