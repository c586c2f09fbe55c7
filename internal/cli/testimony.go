package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

func runPurge(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "purge", "purge [--db DB]")
	dsn := dbFlag(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
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
	db, err := openExistingDB(ctx, *dsn)
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
	db, err := openExistingDB(ctx, *dsn)
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
