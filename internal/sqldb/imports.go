package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"aftermath"
	"aftermath/internal/geo"
)

// Import is one import run: a single transaction, so a failed or killed run
// leaves the database as it was, and running it again gives exact totals.
type Import struct {
	db   *DB
	conn *sql.Conn
	tx   importTx
	// copying, while a COPY runs on conn in the background (pgcopy.go),
	// is where its outcome will come; copyErr is the first COPY that
	// failed, which fails every statement after it.
	copying   chan error
	copyErr   error
	ctx       context.Context
	dataset   string
	as        importAs
	placement *Placement
	datasetID int64
	versionID int64
	version   string
	file      string
	sha256    string
	newVer    bool
	// empty is true when the dataset had no events as the import began: then
	// no row can exist already and lookups are skipped.
	empty bool
	// ids and idTable are what Repeats knows of the ids given so far.
	ids     bloom
	idTable bool
	// indexesDropped is true while deferredIndexes are dropped.
	indexesDropped bool
	// versions maps every stored version id of the dataset to its version
	// string, to keep newer data when an older release is imported.
	versions map[int64]string
	counts   aftermath.ImportCounts
	aggs     map[aggKey]*aggVal
	actorAgg map[actorAggKey]*aggVal
	places   map[placeKey]int64
	actors   map[string]int64 // alias name → actor id for this dataset
	actorsX  map[string]int64 // external id → actor id
	stmts    map[string]*sql.Stmt
	// layout is the extra columns' layout events are written in, and
	// extraVals and extraBuf encodeExtra's scratch space.
	layout    *extraLayout
	extraVals []string
	extraBuf  []byte
	nextID    map[string]int64  // SQLite: the last id drawn per table
	sequences map[string]string // PostgreSQL: each table's id sequence, as an SQL literal
	// countryISO3 maps the dataset's country spellings to ISO 3166-1
	// alpha-3, so that analysis can select an area by code.
	countryISO3 map[string]string
	// seen is what the file's events span, for the version's coverage;
	// stated and fileMonth are what the caller was told of it.
	seen      coverageSeen
	stated    aftermath.Coverage // From/To and Countries, each set when stated
	fileMonth string             // YYYY-MM of a UCDP monthly candidate's name
	stored    aftermath.Coverage // the version's coverage as the import began
}

// coverageSeen follows the events of one import: the first and last month
// and year, and the one country they are all in (by ISO alpha-3, or by
// spelling when it has none), until a second appears.
type coverageSeen struct {
	n                  int64
	fromMonth, toMonth string
	fromYear, toYear   int
	country            string // "iso:XXX" or "name:…"
	countries          int    // 0, 1, or 2 for "more than one"
}

type aggKey struct {
	country, admin1, month, violence string
	year                             int
	clear, precise                   bool
}

type aggVal struct{ events, best, low, high, civ int64 }

// actorAggKey keys the per-actor monthly aggregates: the events an actor
// was the primary actor (perpetrator) of.
type actorAggKey struct {
	actor                         int64
	iso3, admin1, month, violence string
	year                          int
	clear, precise                bool
}

// EventClear reports whether an event counts for "Clear events only":
// UCDP events whose code_status is "Clear" (releases before the column
// existed, such as 19.1, say nothing and so have none). ACLED has no code
// status, so every ACLED event counts as clear. qualityClearSQL is the
// same rule in SQL; the aggregates' clear dimension follows it.
func EventClear(dataset, codeStatus string) bool {
	return dataset != aftermath.DatasetUCDP || codeStatus == "Clear"
}

// EventPrecise reports whether an event counts for "precise locations
// only": UCDP where_prec 1-2 (the exact place or within 25 km) and
// date_prec 1-2 (the exact date or within 2-6 days); ACLED geo_precision 1
// and time_precision 1-2. Codes outside the codebooks (0, or an empty
// cell) are not precise. qualityPreciseSQL is the same rule in SQL.
func EventPrecise(dataset string, wherePrec, datePrec int) bool {
	if datePrec < 1 || datePrec > 2 {
		return false
	}
	if dataset == aftermath.DatasetUCDP {
		return wherePrec >= 1 && wherePrec <= 2
	}
	return wherePrec == 1
}

// The quality rules in SQL, on events e joined to datasets d.
const (
	qualityClearSQL   = `(d.name <> 'ucdp' OR e.code_status = 'Clear')`
	qualityPreciseSQL = `((d.name = 'ucdp' AND e.where_precision BETWEEN 1 AND 2 AND e.date_precision BETWEEN 1 AND 2) OR ` +
		`(d.name <> 'ucdp' AND e.where_precision = 1 AND e.date_precision BETWEEN 1 AND 2))`
)

type placeKey struct {
	kind   string
	parent int64
	name   string
}

// DefaultAudience is who sees a dataset created by an import unless told
// otherwise: UCDP publishes under CC BY 4.0, so its events are public;
// ACLED's terms do not allow republishing its data, and any other data
// may come from a partner's own monitoring, so they stay internal.
func DefaultAudience(dataset string) aftermath.Audience {
	if dataset == aftermath.DatasetUCDP {
		return aftermath.AudiencePublic
	}
	return aftermath.AudienceInternal
}

// BeginImport starts an import of one file of a dataset version. A
// dataset the import creates is placed as place says (nil: its
// DefaultAudience, owned by the instance); an existing dataset keeps its
// place, and a different one asked for is refused, since moving a
// dataset to another audience is a decision of its own (SetAudience).
func (db *DB) BeginImport(ctx context.Context, dataset, version, file, sha string, place *Placement) (*Import, error) {
	return db.BeginImportAs(ctx, ImportAs{}, dataset, version, file, sha, place)
}

type ImportAs = aftermath.ImportAs

// importAs is an ImportAs with what its user sees, worked out before the
// transaction.
type importAs struct {
	aftermath.ImportAs
	viewer aftermath.Viewer
}

// CheckImportInto tells whether as may import into the dataset named (a
// dataset not yet created may be): ENOTFOUND when the dataset is hidden
// from the uploader, EFORBIDDEN when they see it but may not change it.
// BeginImportAs checks the same inside the import's transaction; this is
// for refusing an upload at once.
func (db *DB) CheckImportInto(ctx context.Context, as ImportAs, dataset string) error {
	ia, err := db.importer(ctx, as)
	if err != nil {
		return err
	}
	return db.mayImport(ctx, db.read, ia, dataset)
}

// importer works out what the uploader sees.
func (db *DB) importer(ctx context.Context, as ImportAs) (importAs, error) {
	ia := importAs{ImportAs: as}
	if as.User == nil {
		return ia, nil
	}
	v, err := db.Viewer(ctx, as.User)
	ia.viewer = v
	return ia, err
}

// mayImport is the rule of CheckImportInto, read through q.
func (db *DB) mayImport(ctx context.Context, q querier, as importAs, dataset string) error {
	if as.User == nil && as.OrgID == 0 {
		return nil
	}
	var id int64
	var owner sql.NullInt64
	err := q.QueryRowContext(ctx, db.rebind(`SELECT id, owner_org_id FROM datasets WHERE name = ?`), dataset).Scan(&id, &owner)
	if err == sql.ErrNoRows {
		// Created by the import, placed as it says; a user must still be
		// one who imports (admin or editor somewhere, auth.ActionImport).
		if as.User == nil || !as.User.Disabled && slices.ContainsFunc(as.User.Memberships, func(m aftermath.Membership) bool {
			return m.Role == aftermath.RoleAdmin || m.Role == aftermath.RoleEditor
		}) {
			return nil
		}
		return aftermath.Errorf(aftermath.EFORBIDDEN, "importing events takes an editor or admin")
	}
	if err != nil {
		return fmt.Errorf("dataset %s: %w", dataset, err)
	}
	if as.User == nil { // the command line's --org
		if owner.Valid && owner.Int64 != as.OrgID {
			return aftermath.Errorf(aftermath.EFORBIDDEN, "dataset %s belongs to another organisation; it is not imported into for this one", dataset)
		}
		return nil
	}
	if !as.User.Disabled {
		for _, m := range as.User.Memberships {
			if (m.Role == aftermath.RoleAdmin || m.Role == aftermath.RoleEditor) && (!owner.Valid || m.OrgID == owner.Int64) {
				return nil
			}
		}
	}
	var seen int
	if err := q.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM datasets d WHERE d.id = ? AND `+visible(as.viewer, "d", "dataset")), id).Scan(&seen); err != nil {
		return fmt.Errorf("dataset %s: %w", dataset, err)
	}
	if seen == 0 {
		return aftermath.Errorf(aftermath.ENOTFOUND, "no dataset %s", dataset)
	}
	return aftermath.Errorf(aftermath.EFORBIDDEN, "dataset %s belongs to another organisation; you may not import into it", dataset)
}

// BeginImportAs is BeginImport on behalf of as: a dataset that exists
// must be one as may write (CheckImportInto), checked in the transaction.
func (db *DB) BeginImportAs(ctx context.Context, as ImportAs, dataset, version, file, sha string, place *Placement) (*Import, error) {
	ia, err := db.importer(ctx, as)
	if err != nil {
		return nil, err
	}
	if version == "" {
		return nil, aftermath.Errorf(aftermath.EINVALID, "import %s: no dataset version", file)
	}
	// A connection of our own, so that PostgreSQL's COPY can run on the
	// same connection as the transaction.
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin import: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin import: %w", err)
	}
	im := &Import{db: db, conn: conn, ctx: ctx, as: ia, dataset: dataset, version: version, file: file, sha256: sha, placement: place,
		versions: map[int64]string{}, aggs: map[aggKey]*aggVal{}, actorAgg: map[actorAggKey]*aggVal{}, places: map[placeKey]int64{},
		actors: map[string]int64{}, actorsX: map[string]int64{}, stmts: map[string]*sql.Stmt{}, layout: &extraLayout{}, nextID: map[string]int64{}, sequences: map[string]string{}, countryISO3: map[string]string{}}
	im.tx = importTx{Tx: tx, im: im}
	if err := im.begin(); err != nil {
		im.Rollback()
		if aftermath.ErrorCode(err) == aftermath.ENOTFOUND || aftermath.ErrorCode(err) == aftermath.EFORBIDDEN {
			return nil, err
		}
		return nil, fmt.Errorf("begin import of %s: %w", file, err)
	}
	return im, nil
}

func (im *Import) q(query string) string { return im.db.rebind(query) }

func (im *Import) begin() error {
	ctx, tx := im.ctx, im.tx
	p := Placement{Audience: DefaultAudience(im.dataset)}
	if im.placement != nil {
		p = *im.placement
	}
	if !p.Audience.Valid() || p.Audience == aftermath.AudienceConfidential {
		return aftermath.Errorf(aftermath.EINVALID, "dataset %s: audience %q: use internal, partners or public", im.dataset, p.Audience)
	}
	if err := im.db.mayImport(ctx, tx, im.as, im.dataset); err != nil {
		return err
	}
	var owner any
	if p.OwnerOrg > 0 {
		owner = p.OwnerOrg
	}
	if _, err := tx.ExecContext(ctx, im.q(`INSERT INTO datasets (name, title, audience, owner_org_id) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`),
		im.dataset, datasetTitles[im.dataset], string(p.Audience), owner); err != nil {
		return err
	}
	var audience string
	var storedOwner sql.NullInt64
	if err := tx.QueryRowContext(ctx, im.q(`SELECT id, audience, owner_org_id FROM datasets WHERE name = ?`), im.dataset).
		Scan(&im.datasetID, &audience, &storedOwner); err != nil {
		return err
	}
	if im.placement != nil && (audience != string(p.Audience) || storedOwner.Int64 != p.OwnerOrg) {
		return aftermath.Errorf(aftermath.EINVALID, "dataset %s is already %s; change who sees it with: aftermath dataset audience %s AUDIENCE",
			im.dataset, audience, im.dataset)
	}
	res, err := tx.ExecContext(ctx, im.q(`INSERT INTO dataset_versions (dataset_id, version, first_imported_at) VALUES (?, ?, ?) ON CONFLICT (dataset_id, version) DO NOTHING`),
		im.datasetID, im.version, im.db.Now().Format(time.RFC3339))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		im.newVer = true
	}
	if im.db.Driver == Postgres {
		// Events inserted in this transaction are not in the planner's
		// statistics; a cached generic plan would scan them all on every
		// lookup. Custom plans see the table's real size.
		if _, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
			return err
		}
	}
	var any int
	err = tx.QueryRowContext(ctx, im.q(`SELECT count(*) FROM (SELECT 1 FROM events WHERE dataset_id = ? LIMIT 1) x`), im.datasetID).Scan(&any)
	if err != nil {
		return err
	}
	im.empty = any == 0
	if im.empty {
		im.ids = bloom{seed: maphash.MakeSeed(), bits: make([]uint64, bloomBits/64)}
	}
	if err := im.deferIndexes(); err != nil {
		return err
	}
	if err := im.preload(); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, im.q(`SELECT id, version, covers_from, covers_to, countries, basis FROM dataset_versions WHERE dataset_id = ?`), im.datasetID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c aftermath.Coverage
		var countries string
		if err := rows.Scan(&id, &c.Version, &c.From, &c.To, &countries, &c.Basis); err != nil {
			return err
		}
		im.versions[id] = c.Version
		if c.Version == im.version {
			im.versionID = id
			c.Countries = splitCountries(countries)
			im.stored = c
		}
	}
	return rows.Err()
}

// deferredIndexes are secondary indexes on the event tables that an import
// into an empty events table drops and builds again after loading: one
// sorted build is cheaper than half a million random inserts. Their
// definitions must match the migrations; TestDeferredIndexesMatchSchema
// checks that they do.
var deferredIndexes = []struct{ name, create string }{
	{"events_date", `CREATE INDEX events_date ON events (dataset_id, date_start)`},
	{"events_recent", `CREATE INDEX events_recent ON events (date_start, id)`},
	{"events_country", `CREATE INDEX events_country ON events (country, date_start)`},
	{"event_actors_actor", `CREATE INDEX event_actors_actor ON event_actors (actor_id)`},
}

// deferIndexes drops the deferred indexes when no event is stored at all.
// On PostgreSQL this locks the (empty) event tables until the import
// commits, so readers wait for the first import instead of seeing nothing.
func (im *Import) deferIndexes() error {
	var n int
	if err := im.tx.QueryRowContext(im.ctx, `SELECT count(*) FROM (SELECT 1 FROM events LIMIT 1) x`).Scan(&n); err != nil || n > 0 {
		return err
	}
	for _, ix := range deferredIndexes {
		if _, err := im.tx.ExecContext(im.ctx, `DROP INDEX `+ix.name); err != nil {
			return fmt.Errorf("defer index %s: %w", ix.name, err)
		}
	}
	im.indexesDropped = true
	return nil
}

func (im *Import) restoreIndexes() error {
	if !im.indexesDropped {
		return nil
	}
	for _, ix := range deferredIndexes {
		if _, err := im.tx.ExecContext(im.ctx, ix.create); err != nil {
			return fmt.Errorf("build index %s: %w", ix.name, err)
		}
	}
	im.indexesDropped = false
	return nil
}

var datasetTitles = map[string]string{
	aftermath.DatasetUCDP:  "UCDP Georeferenced Event Dataset (GED)",
	aftermath.DatasetACLED: "Armed Conflict Location & Event Data (ACLED)",
}

// CompareVersions orders dataset versions by their numeric parts:
// 21.01.21.12 < 22.0.2 < 23.1. Non-numeric parts compare as text.
func CompareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y string
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		nx, ex := strconv.Atoi(x)
		ny, ey := strconv.Atoi(y)
		switch {
		case ex == nil && ey == nil && nx != ny:
			if nx < ny {
				return -1
			}
			return 1
		case (ex != nil || ey != nil) && x != y:
			return strings.Compare(x, y)
		}
	}
	return 0
}

// Counts is what the import has done so far.
func (im *Import) Counts() aftermath.ImportCounts { return im.counts }

// Rejected counts a row the caller refused (with --skip-bad-rows).
func (im *Import) Rejected() { im.counts.Read++; im.counts.Rejected++ }

// Hash is aftermath.EventHash, the content hash that decides whether a
// stored event changed.
func Hash(e *aftermath.Event) int64 { return aftermath.EventHash(e) }

// existing is what the import needs to know of a stored event.
type existing struct {
	id        int64
	hash      int64
	versionID int64
	key       aggKey
	val       aggVal
	primary   int64  // the primary actor's id, 0 if none
	iso3      string // country code, for the actor aggregates
}

const eventColumns = `dataset_id, version_id, native_id, content_hash, relid, year, date_start, date_end,
	date_precision, violence_type, sub_event_type, disorder_type, code_status, clarity, conflict_id,
	conflict_name, dyad_id, dyad_name, country, country_gw, country_iso, place_id, region, admin1, admin2,
	admin3, location, latitude, longitude, where_precision, deaths_a, deaths_b, deaths_civilians,
	deaths_unknown, deaths_low, deaths_best, deaths_high, civilian_targeting, source_count, source_text,
	notes, tags, extra`

var nEventColumns = strings.Count(eventColumns, ",") + 1

// Add stores a batch of events, each read from the file in order. Events
// must have distinct native ids within one import: Repeats finds those
// that do not, before Add.
func (im *Import) Add(batch []*aftermath.Event) (err error) {
	defer func() {
		if im.copyErr != nil { // what failed first, not the aborted statements after it
			err = im.copyErr
		}
	}()
	if len(batch) == 0 {
		return nil
	}
	found, err := im.lookup(batch)
	if err != nil {
		return err
	}
	if err := im.resolve(batch); err != nil {
		return err
	}
	var fresh []*aftermath.Event
	var freshArgs [][]any
	for _, e := range batch {
		im.counts.Read++
		e.Dataset, e.Version = im.dataset, im.version
		im.see(e)
		hash := e.ContentHash
		if hash == 0 {
			hash = Hash(e)
		}
		old, ok := found[e.NativeID]
		if ok && (old.hash == hash || CompareVersions(im.versions[old.versionID], im.version) > 0) {
			im.counts.Unchanged++
			continue
		}
		args, err := im.eventArgs(e, hash)
		if err != nil {
			return err
		}
		if !ok {
			fresh = append(fresh, e)
			freshArgs = append(freshArgs, args)
			continue
		}
		if err := im.update(old, e, args); err != nil {
			return err
		}
	}
	if err := im.insert(fresh, freshArgs); err != nil {
		return err
	}
	// Aggregate changes wait in memory; past this many groups they are
	// written, so memory stays bounded however long the file.
	if len(im.aggs)+len(im.actorAgg) > maxPendingAggs {
		return im.flushAggs()
	}
	return nil
}

// maxPendingAggs bounds the aggregate groups held in memory (about 200
// bytes each).
var maxPendingAggs = 50_000

func (im *Import) lookup(batch []*aftermath.Event) (map[string]existing, error) {
	if im.empty {
		return nil, nil
	}
	ids := make([]any, 0, len(batch)+1)
	ids = append(ids, im.datasetID)
	for _, e := range batch {
		ids = append(ids, e.NativeID)
	}
	st, err := im.stmt("lookup", len(batch), func(n int) string {
		return `SELECT id, native_id, content_hash, version_id, country, admin1, year, date_start, violence_type,
			deaths_best, deaths_low, deaths_high, deaths_civilians, country_gw, country_iso, code_status, where_precision, date_precision,
			COALESCE((SELECT min(l.actor_id) FROM event_actors l WHERE l.event_id = events.id AND l.role IN ('side_a', 'actor1')), 0)
			FROM events WHERE dataset_id = ? AND native_id IN (` + placeholders(n) + `)`
	})
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(im.ctx, ids...)
	if err != nil {
		return nil, fmt.Errorf("look up events: %w", err)
	}
	defer rows.Close()
	found := map[string]existing{}
	for rows.Next() {
		var x existing
		var native, dateStart, status string
		var gw, iso, wherePrec, datePrec int
		if err := rows.Scan(&x.id, &native, &x.hash, &x.versionID, &x.key.country, &x.key.admin1, &x.key.year,
			&dateStart, &x.key.violence, &x.val.best, &x.val.low, &x.val.high, &x.val.civ, &gw, &iso, &status, &wherePrec, &datePrec, &x.primary); err != nil {
			return nil, err
		}
		x.key.month = month(dateStart)
		x.key.clear = EventClear(im.dataset, status)
		x.key.precise = EventPrecise(im.dataset, wherePrec, datePrec)
		_, c := countryOf(&aftermath.Event{Country: x.key.country, CountryGW: gw, CountryISO: iso})
		x.iso3 = c.Alpha3
		x.val.events = 1
		found[native] = x
	}
	return found, rows.Err()
}

func month(date string) string {
	if len(date) < 7 {
		return ""
	}
	return date[:7]
}

// stmt prepares (once per size) a statement whose text depends on a count.
func (im *Import) stmt(name string, n int, text func(int) string) (*sql.Stmt, error) {
	if err := im.copied(); err != nil { // a kept statement runs on the connection too
		return nil, err
	}
	k := name + "/" + strconv.Itoa(n)
	if st, ok := im.stmts[k]; ok {
		return st, nil
	}
	st, err := im.tx.PrepareContext(im.ctx, im.q(text(n)))
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", name, err)
	}
	im.stmts[k] = st
	return st, nil
}

func (im *Import) eventArgs(e *aftermath.Event, hash int64) ([]any, error) {
	placeID, err := im.place(e)
	if err != nil {
		return nil, err
	}
	extra, err := im.encodeExtra(e.Extra)
	if err != nil {
		return nil, err
	}
	var lat, lon any
	if e.Latitude != nil {
		lat = *e.Latitude
	}
	if e.Longitude != nil {
		lon = *e.Longitude
	}
	// source_count: NULL for an empty cell (or no such column), else the
	// number as published, -1 ("not known") included.
	var sources any
	if e.SourceCount != nil {
		sources = int64(*e.SourceCount)
	}
	return []any{im.datasetID, im.versionID, e.NativeID, hash, e.RelID, e.Year, e.DateStart, e.DateEnd,
		e.DatePrecision, e.ViolenceType, e.SubEventType, e.DisorderType, e.CodeStatus, e.Clarity, e.ConflictID,
		e.ConflictName, e.DyadID, e.DyadName, e.Country, e.CountryGW, e.CountryISO, placeID, e.Region, e.Admin1,
		e.Admin2, e.Admin3, e.Location, lat, lon, e.WherePrecision, e.DeathsA, e.DeathsB, e.DeathsCivilians,
		e.DeathsUnknown, e.DeathsLow, e.DeathsBest, e.DeathsHigh, e.CivilianTargeting, sources,
		e.SourceText, e.Notes, e.Tags, extra}, nil
}

// appendJSONString appends s as a JSON string. It is written by hand
// because encoding/json's reflection was a sixth of the import's CPU time.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// insertRows is how many events one multi-row INSERT carries: enough to
// amortise the statement, few enough for SQLite's and PostgreSQL's limits
// on bound parameters.
const insertRows = 64

func (im *Import) insert(events []*aftermath.Event, args [][]any) error {
	if im.db.Driver == Postgres {
		return im.copyEvents(events, args)
	}
	for len(events) > 0 {
		n := min(len(events), insertRows)
		st, err := im.stmt("insert", n, func(n int) string {
			row := "(" + placeholders(nEventColumns) + ")"
			return `INSERT INTO events (` + eventColumns + `) VALUES ` +
				strings.TrimSuffix(strings.Repeat(row+",", n), ",") + ` RETURNING id, native_id`
		})
		if err != nil {
			return err
		}
		flat := make([]any, 0, n*nEventColumns)
		for _, a := range args[:n] {
			flat = append(flat, a...)
		}
		rows, err := st.QueryContext(im.ctx, flat...)
		if err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
		ids := make(map[string]int64, n)
		for rows.Next() {
			var id int64
			var native string
			if err := rows.Scan(&id, &native); err != nil {
				rows.Close()
				return err
			}
			ids[native] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
		if err := im.inserted(events[:n], ids); err != nil {
			return err
		}
		events, args = events[n:], args[n:]
	}
	return nil
}

// inserted links the actors of newly inserted events and counts them.
func (im *Import) inserted(events []*aftermath.Event, ids map[string]int64) error {
	links, err := im.linksOf(events, ids)
	if err != nil {
		return err
	}
	return im.insertLinks(links)
}

// linksOf counts newly inserted events into the aggregates and returns
// their event_actors rows, four values a row.
func (im *Import) linksOf(events []*aftermath.Event, ids map[string]int64) ([]any, error) {
	var links []any
	var err error
	for _, e := range events {
		if links, err = im.actorLinks(links, ids[e.NativeID], e); err != nil {
			return nil, err
		}
		if err := im.addAgg(e, 1); err != nil {
			return nil, err
		}
		im.counts.Inserted++
	}
	return links, nil
}

func (im *Import) update(old existing, e *aftermath.Event, args []any) error {
	set := strings.Split(strings.NewReplacer("\n", "", "\t", "").Replace(eventColumns), ",")
	st, err := im.stmt("update", 1, func(int) string {
		var b strings.Builder
		b.WriteString("UPDATE events SET ")
		for i, c := range set {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strings.TrimSpace(c) + " = ?")
		}
		b.WriteString(" WHERE id = ?")
		return b.String()
	})
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(im.ctx, append(args, old.id)...); err != nil {
		return fmt.Errorf("update event %s: %w", e.NativeID, err)
	}
	if _, err := im.tx.ExecContext(im.ctx, im.q(`DELETE FROM event_actors WHERE event_id = ?`), old.id); err != nil {
		return err
	}
	links, err := im.actorLinks(nil, old.id, e)
	if err == nil {
		err = im.insertLinks(links)
	}
	if err != nil {
		return err
	}
	im.agg(old.key, old.val, -1)
	if old.primary != 0 {
		im.addActorAgg(old.primary, old.iso3, old.key, old.val, -1)
	}
	if err := im.addAgg(e, 1); err != nil {
		return err
	}
	im.counts.Updated++
	return nil
}

func (im *Import) addAgg(e *aftermath.Event, sign int64) error {
	iso3, ok := im.countryISO3[e.Country]
	if !ok {
		_, c := countryOf(e)
		iso3 = c.Alpha3
		im.countryISO3[e.Country] = iso3
	}
	k := aggKey{country: e.Country, admin1: e.Admin1, month: month(e.DateStart), violence: e.ViolenceType, year: e.Year,
		clear: EventClear(im.dataset, e.CodeStatus), precise: EventPrecise(im.dataset, e.WherePrecision, e.DatePrecision)}
	v := aggVal{events: 1, best: int64(e.DeathsBest), low: int64(e.DeathsLow), high: int64(e.DeathsHigh), civ: int64(e.DeathsCivilians)}
	im.agg(k, v, sign)
	if p := e.PrimaryActor(); p != nil {
		id, err := im.actor(*p)
		if err != nil {
			return err
		}
		im.addActorAgg(id, iso3, k, v, sign)
	}
	return nil
}

func (im *Import) addActorAgg(actor int64, iso3 string, k aggKey, v aggVal, sign int64) {
	ak := actorAggKey{actor: actor, iso3: iso3, admin1: k.admin1, month: k.month, violence: k.violence, year: k.year, clear: k.clear, precise: k.precise}
	a := im.actorAgg[ak]
	if a == nil {
		a = &aggVal{}
		im.actorAgg[ak] = a
	}
	a.add(v, sign)
}

func (im *Import) agg(k aggKey, v aggVal, sign int64) {
	a := im.aggs[k]
	if a == nil {
		a = &aggVal{}
		im.aggs[k] = a
	}
	a.add(v, sign)
}

// actorLinks collects the event_actors rows of an event.
func (im *Import) actorLinks(dst []any, eventID int64, e *aftermath.Event) ([]any, error) {
	type link struct {
		role string
		id   int64
	}
	seen := make(map[link]bool, len(e.Actors))
	for _, a := range e.Actors {
		id, err := im.actor(a)
		if err != nil {
			return dst, err
		}
		if seen[link{a.Role, id}] { // the same actor listed twice in one role
			continue
		}
		seen[link{a.Role, id}] = true
		dst = append(dst, eventID, id, a.Role, a.Inter)
	}
	return dst, nil
}

// linkRows is how many event_actors rows one INSERT carries.
const linkRows = 256

// insertLinks writes collected event_actors rows in multi-row INSERTs: one
// round trip per few hundred links rather than one per event.
func (im *Import) insertLinks(args []any) error {
	if im.db.Driver == Postgres && len(args) > 0 {
		return im.copyLinks(args)
	}
	for len(args) > 0 {
		n := min(len(args)/4, linkRows)
		st, err := im.stmt("links", n, func(n int) string {
			return `INSERT INTO event_actors (event_id, actor_id, role, inter) VALUES ` +
				strings.TrimSuffix(strings.Repeat("(?,?,?,?),", n), ",")
		})
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(im.ctx, args[:4*n]...); err != nil {
			return fmt.Errorf("link actors to events: %w", err)
		}
		args = args[4*n:]
	}
	return nil
}

// actor returns the id of an actor resolve has made sure of: by the
// dataset's own id first (UCDP ids survive renaming), then by its spelling.
func (im *Import) actor(a aftermath.EventActor) (int64, error) {
	if id, ok := im.actorsX[a.ExternalID]; ok && a.ExternalID != "" {
		return id, nil
	}
	if id, ok := im.actors[a.Name]; ok {
		return id, nil
	}
	return 0, fmt.Errorf("actor %q was not resolved", a.Name)
}

// countryOf returns the key and codes of an event's country place.
// Countries are one record across datasets, matched by their codes; a
// country the code table does not know keeps the data's spelling.
func countryOf(e *aftermath.Event) (placeKey, geo.Country) {
	c, known := geo.ByGW(e.CountryGW)
	if !known {
		c, known = geo.ByNumeric(e.CountryISO)
	}
	if !known {
		return placeKey{kind: aftermath.PlaceCountry, name: strings.TrimSpace(e.Country)},
			geo.Country{GW: e.CountryGW, Numeric: e.CountryISO}
	}
	return placeKey{kind: aftermath.PlaceCountry, name: c.Name}, c
}

// place returns the most specific place of the event (admin-2, admin-1 or
// country) from the places resolve created.
func (im *Import) place(e *aftermath.Event) (any, error) {
	k, _ := countryOf(e)
	if k.name == "" {
		return nil, nil
	}
	id := im.places[k]
	if e.Admin1 != "" {
		id = im.places[placeKey{aftermath.PlaceAdmin1, id, e.Admin1}]
		if e.Admin2 != "" {
			id = im.places[placeKey{aftermath.PlaceAdmin2, id, e.Admin2}]
		}
	}
	if id == 0 {
		return nil, fmt.Errorf("place of event %s was not resolved", e.NativeID)
	}
	return id, nil
}

// preload reads the dataset's actor names and ids and every place, so that
// resolving a batch needs no look-ups, only inserts of what is new. Both
// are bounded by the number of actors and places, not of events.
func (im *Import) preload() error {
	load := func(q string, args []any, fn func(*sql.Rows) error) error {
		return eachRow(im.ctx, im.tx, im.q(q), args, fn)
	}
	err := load(`SELECT name, actor_id FROM actor_aliases WHERE dataset = ?`, []any{im.dataset}, func(r *sql.Rows) error {
		var name string
		var id int64
		err := r.Scan(&name, &id)
		im.actors[name] = id
		return err
	})
	if err == nil {
		err = load(`SELECT value, actor_id FROM actor_external_ids WHERE scheme = ?`, []any{im.dataset}, func(r *sql.Rows) error {
			var v string
			var id int64
			err := r.Scan(&v, &id)
			im.actorsX[v] = id
			return err
		})
	}
	if err == nil {
		err = load(`SELECT id, kind, COALESCE(parent_id, 0), name FROM places`, nil, func(r *sql.Rows) error {
			var k placeKey
			var id int64
			err := r.Scan(&id, &k.kind, &k.parent, &k.name)
			im.places[k] = id
			return err
		})
	}
	return err
}

// resolve creates the places and actors a batch names that have no record
// yet, in a few multi-row statements per batch.
func (im *Import) resolve(batch []*aftermath.Event) error {
	// Places, level by level, since each level needs its parent's id.
	var rows [][]any
	add := func(k placeKey, c geo.Country) (int64, bool) {
		if id, ok := im.places[k]; ok {
			return id, false
		}
		var parent any
		if k.parent != 0 {
			parent = k.parent
		}
		rows = append(rows, []any{int64(0), k.kind, k.name, parent, c.Alpha3, c.Numeric, c.GW})
		im.places[k] = -int64(len(rows)) // placeholder until ids are drawn
		return 0, true
	}
	for level := 0; level < 3; level++ {
		rows = rows[:0]
		for _, e := range batch {
			k, c := countryOf(e)
			if k.name == "" {
				continue
			}
			id, _ := im.places[k]
			switch level {
			case 0:
				add(k, c)
			case 1:
				if e.Admin1 != "" {
					add(placeKey{aftermath.PlaceAdmin1, id, e.Admin1}, geo.Country{})
				}
			case 2:
				if e.Admin1 != "" && e.Admin2 != "" {
					id1 := im.places[placeKey{aftermath.PlaceAdmin1, id, e.Admin1}]
					add(placeKey{aftermath.PlaceAdmin2, id1, e.Admin2}, geo.Country{})
				}
			}
		}
		if len(rows) == 0 {
			continue
		}
		ids, err := im.allocIDs("places", len(rows))
		if err != nil {
			return err
		}
		for i, r := range rows {
			r[0] = ids[i]
			parent, _ := r[3].(int64)
			im.places[placeKey{r[1].(string), parent, r[2].(string)}] = ids[i]
		}
		if err := im.insertMany("places", []string{"id", "kind", "name", "parent_id", "iso_alpha3", "iso_numeric", "gw_code"}, rows, ""); err != nil {
			return err
		}
	}

	// Actors: new ones, and new spellings or ids of known ones. Actors new
	// in this batch are referred to by pointer until their ids are drawn.
	var actors, aliases, extIDs [][]any
	pendN, pendX := map[string]*int64{}, map[string]*int64{}
	for _, e := range batch {
		for _, a := range e.Actors {
			var byX, byN any
			if a.ExternalID != "" {
				if id, ok := im.actorsX[a.ExternalID]; ok {
					byX = id
				} else if p, ok := pendX[a.ExternalID]; ok {
					byX = p
				}
			}
			if id, ok := im.actors[a.Name]; ok {
				byN = id
			} else if p, ok := pendN[a.Name]; ok {
				byN = p
			}
			switch {
			case byX != nil && byN == nil:
				aliases = append(aliases, []any{byX, im.dataset, a.Name})
				if id, ok := byX.(int64); ok {
					im.actors[a.Name] = id
				} else {
					pendN[a.Name] = byX.(*int64)
				}
			case byX == nil && byN != nil && a.ExternalID != "":
				extIDs = append(extIDs, []any{byN, im.dataset, a.ExternalID})
				if id, ok := byN.(int64); ok {
					im.actorsX[a.ExternalID] = id
				} else {
					pendX[a.ExternalID] = byN.(*int64)
				}
			case byX == nil && byN == nil:
				p := new(int64)
				actors = append(actors, []any{p, a.Name, a.Kind})
				aliases = append(aliases, []any{p, im.dataset, a.Name})
				pendN[a.Name] = p
				if a.ExternalID != "" {
					extIDs = append(extIDs, []any{p, im.dataset, a.ExternalID})
					pendX[a.ExternalID] = p
				}
			}
		}
	}
	if len(actors) > 0 {
		ids, err := im.allocIDs("actors", len(actors))
		if err != nil {
			return err
		}
		for i, r := range actors {
			*r[0].(*int64) = ids[i]
		}
		for _, set := range [][][]any{actors, aliases, extIDs} {
			for _, r := range set {
				if p, ok := r[0].(*int64); ok {
					r[0] = *p
				}
			}
		}
		for name, p := range pendN {
			im.actors[name] = *p
		}
		for x, p := range pendX {
			im.actorsX[x] = *p
		}
	}
	if err := im.insertMany("actors", []string{"id", "name", "kind"}, actors, ""); err != nil {
		return err
	}
	if err := im.insertMany("actor_aliases", []string{"actor_id", "dataset", "name"}, aliases, " ON CONFLICT DO NOTHING"); err != nil {
		return err
	}
	return im.insertMany("actor_external_ids", []string{"actor_id", "scheme", "value"}, extIDs, " ON CONFLICT DO NOTHING")
}

// allocIDs draws n ids for new rows of a table. On PostgreSQL they come
// from the identity sequence; on SQLite, whose one writer this transaction
// is, they follow the largest id in use.
func (im *Import) allocIDs(table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if im.db.Driver == Postgres {
		// The sequence is named as a literal: pg_get_serial_sequence in the
		// query ran once per id drawn, 1.3 s of a 15 s import of 522,210 rows.
		seq, ok := im.sequences[table]
		if !ok {
			if err := im.tx.QueryRowContext(im.ctx, `SELECT pg_get_serial_sequence($1, 'id')`, table).Scan(&seq); err != nil {
				return nil, fmt.Errorf("allocate %s ids: %w", table, err)
			}
			seq = "'" + strings.ReplaceAll(seq, "'", "''") + "'"
			im.sequences[table] = seq
		}
		rows, err := im.tx.QueryContext(im.ctx, `SELECT nextval(`+seq+`::regclass) FROM generate_series(1, $1)`, n)
		if err != nil {
			return nil, fmt.Errorf("allocate %s ids: %w", table, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	next, ok := im.nextID[table]
	if !ok {
		if err := im.tx.QueryRowContext(im.ctx, `SELECT COALESCE(max(id), 0) FROM `+table).Scan(&next); err != nil {
			return nil, fmt.Errorf("allocate %s ids: %w", table, err)
		}
	}
	for i := 0; i < n; i++ {
		next++
		ids = append(ids, next)
	}
	im.nextID[table] = next
	return ids, nil
}

// insertMany inserts rows with multi-row INSERTs of at most a few thousand
// parameters each.
func (im *Import) insertMany(table string, cols []string, rows [][]any, suffix string) error {
	per := max(1, 4000/len(cols))
	for len(rows) > 0 {
		n := min(len(rows), per)
		st, err := im.stmt("many:"+table+suffix, n, func(n int) string {
			row := "(" + placeholders(len(cols)) + ")"
			return `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` +
				strings.TrimSuffix(strings.Repeat(row+",", n), ",") + suffix
		})
		if err != nil {
			return err
		}
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := st.ExecContext(im.ctx, args...); err != nil {
			return fmt.Errorf("add %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// Commit writes the aggregate changes and the import record, then commits.
// When the run changed nothing and this file was imported before, it rolls
// back instead, so re-importing a file leaves the database as it was.
func (im *Import) Commit() (aftermath.ImportCounts, error) {
	defer im.closeStmts()
	ctx, tx := im.ctx, im.tx
	if err := im.copied(); err != nil {
		im.Rollback()
		return im.counts, err
	}
	if im.counts.Inserted+im.counts.Updated == 0 && !im.newVer {
		var n int
		if err := tx.QueryRowContext(ctx, im.q(`SELECT count(*) FROM imports WHERE version_id = ? AND sha256 = ?`), im.versionID, im.sha256).Scan(&n); err != nil {
			im.Rollback()
			return im.counts, err
		}
		if n > 0 {
			// The file was imported before and nothing changed: only
			// coverage stated anew is written, and no import is recorded.
			if im.stated.From == "" && im.stated.Countries == nil {
				return im.counts, im.Rollback()
			}
			changed, err := im.writeCoverage()
			if err != nil || !changed {
				rerr := im.Rollback()
				if err == nil {
					err = rerr
				}
				return im.counts, err
			}
			if err := im.dropIDTable(); err != nil {
				im.Rollback()
				return im.counts, err
			}
			if err := tx.Commit(); err != nil {
				im.conn.Close()
				return im.counts, fmt.Errorf("commit import: %w", err)
			}
			return im.counts, im.conn.Close()
		}
	}
	err := im.flushAggs()
	if err == nil {
		_, err = im.writeCoverage()
	}
	if err == nil {
		err = im.dropEmptyAggs()
	}
	if err != nil {
		im.Rollback()
		return im.counts, err
	}
	if err := im.restoreIndexes(); err != nil {
		im.Rollback()
		return im.counts, err
	}
	if err := im.dropIDTable(); err != nil {
		im.Rollback()
		return im.counts, err
	}
	c := im.counts
	if _, err := tx.ExecContext(ctx, im.q(`INSERT INTO imports (version_id, file_name, sha256, imported_at, rows_read, inserted, updated, unchanged, rejected)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), im.versionID, im.file, im.sha256, im.db.Now().Format(time.RFC3339),
		c.Read, c.Inserted, c.Updated, c.Unchanged, c.Rejected); err != nil {
		im.Rollback()
		return c, fmt.Errorf("record import: %w", err)
	}
	if err := tx.Commit(); err != nil {
		im.conn.Close()
		return c, fmt.Errorf("commit import: %w", err)
	}
	defer im.conn.Close()
	if c.Inserted+c.Updated > 0 {
		// Fresh statistics let the planner pick the index of a filter
		// (events_country for one country of millions of events) over the
		// dataset's date order: 1.3 s → 45 ms for a map of Mali's 10,000
		// latest events in 3 M. SQLite samples (analysis_limit), so this
		// takes a fraction of a second; PostgreSQL samples by itself. The
		// import has committed, so a failure here costs speed, not data,
		// and is not reported as a failed import.
		q := `ANALYZE events`
		if im.db.Driver == SQLite {
			q = `PRAGMA analysis_limit = 1000; ANALYZE`
		}
		_, _ = im.conn.ExecContext(ctx, q)
	}
	return c, nil
}

func (im *Import) flushAggs() error {
	keys := make([]aggKey, 0, len(im.aggs))
	for k, v := range im.aggs {
		if *v != (aggVal{}) {
			keys = append(keys, k)
		}
	}
	// A fixed order keeps concurrent PostgreSQL imports from deadlocking.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.country != b.country {
			return a.country < b.country
		}
		if a.admin1 != b.admin1 {
			return a.admin1 < b.admin1
		}
		if a.year != b.year {
			return a.year < b.year
		}
		if a.month != b.month {
			return a.month < b.month
		}
		if a.violence != b.violence {
			return a.violence < b.violence
		}
		if a.clear != b.clear {
			return !a.clear
		}
		return !a.precise && b.precise
	})
	rows := make([][]any, 0, len(keys))
	for _, k := range keys {
		v := im.aggs[k]
		rows = append(rows, append([]any{im.datasetID, k.country, im.countryISO3[k.country], k.admin1, k.year, k.month, k.violence, k.clear, k.precise}, v.values()...))
	}
	err := im.upsertAggs("monthly_aggregates", []string{"dataset_id", "country", "country_iso3", "admin1", "year", "month", "violence_type", "clear", "precise"},
		[]string{"dataset_id", "country", "admin1", "year", "month", "violence_type", "clear", "precise"},
		`country_iso3 = CASE WHEN excluded.country_iso3 <> '' THEN excluded.country_iso3 ELSE monthly_aggregates.country_iso3 END`, rows)
	if err != nil {
		return fmt.Errorf("update monthly aggregates: %w", err)
	}
	clear(im.aggs)
	return im.flushActorAggs()
}

// aggColumns are the summed columns of both aggregate tables, in the
// order of aggVal.values.
var aggColumns = []string{"events", "deaths_best", "deaths_low", "deaths_high", "deaths_civilians"}

func (v *aggVal) values() []any { return []any{v.events, v.best, v.low, v.high, v.civ} }

// add adds sign × o to v.
func (v *aggVal) add(o aggVal, sign int64) {
	v.events += sign * o.events
	v.best += sign * o.best
	v.low += sign * o.low
	v.high += sign * o.high
	v.civ += sign * o.civ
}

// upsertAggs writes aggregate changes: rows of the key columns then the
// aggColumns, added to what a row with the same conflict key holds.
func (im *Import) upsertAggs(table string, keyCols, conflictCols []string, extraSet string, rows [][]any) error {
	var set []string
	if extraSet != "" {
		set = append(set, extraSet)
	}
	for _, c := range aggColumns {
		set = append(set, c+" = "+table+"."+c+" + excluded."+c)
	}
	cols := append(slices.Clone(keyCols), aggColumns...)
	return im.insertMany(table, cols, rows, " ON CONFLICT ("+strings.Join(conflictCols, ", ")+") DO UPDATE SET "+strings.Join(set, ", "))
}

// dropEmptyAggs removes the aggregate rows that updates left at zero.
func (im *Import) dropEmptyAggs() error {
	for _, t := range []string{"monthly_aggregates", "actor_monthly_aggregates"} {
		if _, err := im.tx.ExecContext(im.ctx, im.q(`DELETE FROM `+t+` WHERE dataset_id = ? AND events = 0`), im.datasetID); err != nil {
			return err
		}
	}
	return nil
}

func (im *Import) flushActorAggs() error {
	keys := make([]actorAggKey, 0, len(im.actorAgg))
	for k, v := range im.actorAgg {
		if *v != (aggVal{}) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.actor != b.actor {
			return a.actor < b.actor
		}
		return fmt.Sprint(a) < fmt.Sprint(b)
	})
	rows := make([][]any, 0, len(keys))
	for _, k := range keys {
		v := im.actorAgg[k]
		rows = append(rows, append([]any{im.datasetID, k.actor, k.iso3, k.admin1, k.year, k.month, k.violence, k.clear, k.precise}, v.values()...))
	}
	keyCols := []string{"dataset_id", "actor_id", "country_iso3", "admin1", "year", "month", "violence_type", "clear", "precise"}
	err := im.upsertAggs("actor_monthly_aggregates", keyCols, keyCols, "", rows)
	if err != nil {
		return fmt.Errorf("update actor aggregates: %w", err)
	}
	clear(im.actorAgg)
	return nil
}

// Rollback abandons the import; the database is as it was before.
func (im *Import) Rollback() error {
	im.closeStmts()
	err := im.tx.Rollback()
	if err == sql.ErrTxDone { // committed, or rolled back already
		err = nil
	}
	im.conn.Close()
	return err
}

func (im *Import) closeStmts() {
	im.copied() // closing a statement may use the connection
	for k, st := range im.stmts {
		st.Close()
		delete(im.stmts, k)
	}
}

// StartImport is BeginImportAs as the root EventImports service.
func (db *DB) StartImport(ctx context.Context, as ImportAs, dataset, version, file, sha string, place *Placement) (aftermath.ImportTx, error) {
	im, err := db.BeginImportAs(ctx, as, dataset, version, file, sha, place)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return im, nil
}

var _ aftermath.EventImports = (*DB)(nil)
