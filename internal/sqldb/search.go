package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"aftermath"
)

// Search: every kind of record but testimony has one document in
// search_docs, whose words SQLite keeps in the FTS5 table search_fts and
// PostgreSQL in a tsvector column (migration 0019). Who may read a
// document is decided when searching, by the same conditions as the
// kind's list pages, so a change of audience needs no re-indexing.
//
// The index follows the records lazily: triggers mark changed records
// (not events) in search_stale; events are compared by content hash
// after each import, in ranges of ids, so that the import itself does no
// more work. Each search first catches up for a bounded time;
// CatchUpSearch does it all (after an import, from a job).

var _ aftermath.Search = (*DB)(nil)

// searchKind says where a kind's documents come from and who sees them.
type searchKind struct {
	name string
	// from holds the record's table (and what its visibility needs), id
	// the record's id column.
	from, id string
	// text is the document; lang its language code ("" for English).
	text, lang string
	// key, title, date and country make the result.
	key, title, date, country string
	// stamp is what search_docs.stamp keeps (events' content hash).
	stamp   string
	visible func(v aftermath.Viewer) string
}

func concat(cols ...string) string { return strings.Join(cols, " || ' ' || ") }

// jsonWords is a JSON array of strings as a list of words, for the
// document and its snippet (["troops","training"] → troops, training).
func jsonWords(col string) string {
	return `replace(replace(replace(replace(` + col + `, '[]', ''), '","', ', '), '["', ''), '"]', '')`
}

// eventExtra reads one of UCDP's published columns that Event has no
// field for (source_headline, source_original) from the extra JSON, in
// either of its forms (extra.go): an object, or an array whose layout
// says where the name's value is.
func eventExtra(driver, name string) string {
	pos := func(layout string) string {
		return `(SELECT c.pos FROM event_extra_columns c WHERE c.layout_id = ` + layout + ` AND c.name = '` + name + `')`
	}
	if driver == Postgres {
		return `(CASE WHEN e.extra LIKE '{%' THEN coalesce(e.extra::jsonb ->> '` + name + `', '') ` +
			`WHEN e.extra LIKE '[%' THEN coalesce(e.extra::jsonb ->> ` + pos(`(e.extra::jsonb ->> 0)::bigint`) + `, '') ELSE '' END)`
	}
	return `(CASE WHEN NOT json_valid(e.extra) THEN '' WHEN e.extra LIKE '[%' ` +
		`THEN coalesce(json_extract(e.extra, '$[' || ` + pos(`json_extract(e.extra, '$[0]')`) + ` || ']'), '') ` +
		`ELSE coalesce(json_extract(e.extra, '$.` + name + `'), '') END)`
}

// translated adds to a kind's document its texts in the other languages
// (translations.go) and takes its language from record_languages: they
// are written with the record, whose trigger marks it for re-indexing.
func translated(k searchKind) searchKind {
	k.text = concat(k.text, `coalesce((SELECT string_agg(tr.text, ' ') FROM translations tr WHERE tr.record_type = '`+k.name+
		`' AND tr.record_id = `+k.id+`), '')`)
	k.lang = `coalesce((SELECT rl.lang FROM record_languages rl WHERE rl.record_type = '` + k.name + `' AND rl.record_id = ` + k.id + `), 'en')`
	return k
}

func searchKinds(driver string) []searchKind {
	visibleAs := func(t, recordType string) func(aftermath.Viewer) string {
		return func(v aftermath.Viewer) string { return visible(v, t, recordType) }
	}
	return []searchKind{
		{name: aftermath.SearchEvent, from: "events e JOIN datasets d ON d.id = e.dataset_id", id: "e.id",
			// The sources first: a snippet is cut from the first words found.
			text: concat("e.source_text", eventExtra(driver, "source_headline"), eventExtra(driver, "source_original"), "e.notes",
				"e.location", "e.admin1", "e.country", "e.conflict_name", "e.dyad_name"),
			key: "d.name || ':' || e.native_id", title: "e.dyad_name", date: "e.date_start", country: "e.country",
			stamp: "e.content_hash", visible: visibleAs("d", "dataset")},
		translated(searchKind{name: aftermath.SearchIntervention, from: "interventions i", id: "i.id",
			text: concat("i.name", jsonWords("i.objectives"), jsonWords("i.instruments"), "i.notes", "i.budget_note"),
			key:  "i.slug", title: "i.name", visible: visibleAs("i", "intervention")}),
		{name: aftermath.SearchActor, from: "actors a", id: "a.id",
			text:  concat("a.name", "coalesce((SELECT string_agg(x.name, ' ') FROM actor_aliases x WHERE x.actor_id = a.id), '')"),
			title: "a.name", visible: func(v aftermath.Viewer) string { return actorVisible(v, "a") }},
		{name: aftermath.SearchSource, from: "sources src", id: "src.id",
			text: concat("src.title", "src.publisher", "src.identifier"), lang: "src.language",
			title: "src.title", date: "src.date", visible: visibleAs("src", "source")},
		translated(searchKind{name: aftermath.SearchDecision, from: "decisions ld", id: "ld.id",
			text:  concat("ld.summary", "ld.reference", "ld.rationale", "ld.notes"),
			title: "ld.summary", date: "ld.date", visible: visibleAs("ld", aftermath.RecordDecision)}),
		translated(searchKind{name: aftermath.SearchInquiry, from: "inquiries lq", id: "lq.id",
			text:  concat("lq.title", "lq.reference", "lq.summary", "lq.notes"),
			title: "lq.title", date: "lq.date", visible: visibleAs("lq", aftermath.RecordInquiry)}),
		translated(searchKind{name: aftermath.SearchRecommendation, from: "recommendations lr JOIN inquiries lq ON lq.id = lr.inquiry_id", id: "lr.id",
			text:  concat("lr.number", "lr.text", "lr.response"),
			title: "lq.title || CASE WHEN lr.number <> '' THEN ' — ' || lr.number ELSE '' END", date: "lq.date",
			visible: func(v aftermath.Viewer) string { return recVisible(v, "lr", "lq") }}),
		translated(searchKind{name: aftermath.SearchClaim, from: "claims lc", id: "lc.id",
			text:  concat("lc.text", "lc.appearance_title", "lc.reasoning"),
			title: "CASE WHEN lc.appearance_title <> '' THEN lc.appearance_title ELSE lc.text END", date: "lc.date",
			visible: visibleAs("lc", aftermath.RecordClaim)}),
		{name: aftermath.SearchBrief, from: "briefs b", id: "b.id",
			text: concat("b.title", "b.summary", "b.body"), lang: "b.language",
			key: "b.slug", title: "b.title", date: "substr(b.updated_at, 1, 10)",
			visible: func(v aftermath.Viewer) string { return briefVisible(v, "b") }},
	}
}

// fresh is the condition, on a document s and its record, that the
// document still says what the record says: for events, the indexed
// content hash; the other kinds are re-indexed before any search reads
// them again (search_stale).
func (k *searchKind) fresh() string {
	if k.stamp == "" {
		return ""
	}
	return " AND " + k.stamp + " = s.stamp"
}

// The PostgreSQL document: the words stemmed in the record's language,
// plus every word as written, folded like aftermath.FoldSearch, so that
// an exact or unaccented word is found in any language. Arabic is stemmed
// by PostgreSQL's Snowball "arabic"; its short vowels are dropped.
const (
	pgAccents = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿ\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"
	pgPlain   = "aaaaaaceeeeiiiinooooouuuuyy"
)

func pgDocument(text, lang string) string {
	if lang == "" {
		lang = "'en'"
	}
	cfg := "(CASE " + lang + " WHEN 'fr' THEN 'french' WHEN 'ar' THEN 'arabic' ELSE 'english' END)::regconfig"
	return "(to_tsvector(" + cfg + ", " + text + ") || to_tsvector('simple', translate(lower(" + text + "), '" + pgAccents + "', '" + pgPlain + "')))"
}

// reindex replaces, inside tx, the documents of kind k that docCond
// selects (on search_docs) with documents for the records rowCond selects
// (on k.from) that have none left.
func (db *DB) reindex(ctx context.Context, tx *sql.Tx, k *searchKind, docCond string, docArgs []any, rowCond string, rowArgs []any) error {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, db.rebind(q), args...); err != nil {
			return fmt.Errorf("search index %s: %w", k.name, err)
		}
		return nil
	}
	kindArgs := append([]any{k.name}, docArgs...)
	if db.Driver == SQLite {
		if err := exec(`DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_docs WHERE kind = ? AND `+docCond+`)`, kindArgs...); err != nil {
			return err
		}
	}
	if err := exec(`DELETE FROM search_docs WHERE kind = ? AND `+docCond, kindArgs...); err != nil {
		return err
	}
	stamp := k.stamp
	if stamp == "" {
		stamp = "0"
	}
	cols, vals := "kind, record_id, stamp", "?, "+k.id+", "+stamp
	if db.Driver == Postgres {
		cols, vals = cols+", doc", vals+", "+pgDocument(k.text, k.lang)
	}
	var before int64
	if db.Driver == SQLite {
		// New rowids follow the largest: what is above before is new.
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM search_docs`).Scan(&before); err != nil {
			return fmt.Errorf("search index %s: %w", k.name, err)
		}
	}
	args := append([]any{k.name}, rowArgs...)
	if err := exec(`INSERT INTO search_docs (`+cols+`) SELECT `+vals+` FROM `+k.from+` WHERE `+rowCond+
		` AND NOT EXISTS (SELECT 1 FROM search_docs s2 WHERE s2.kind = ? AND s2.record_id = `+k.id+`)`, append(args, k.name)...); err != nil {
		return err
	}
	if db.Driver == SQLite {
		return exec(`INSERT INTO search_fts (rowid, body) SELECT s.id, `+k.text+` FROM `+k.from+` JOIN search_docs s ON s.record_id = `+k.id+
			` WHERE s.kind = ? AND s.id > ?`, k.name, before)
	}
	return nil
}

// lockSearchState reads the index's state inside tx, which it holds
// against other processes catching up at the same time.
func (db *DB) lockSearchState(ctx context.Context, tx *sql.Tx) (stamp string, cursor int64, err error) {
	q := `SELECT events_stamp, events_cursor FROM search_state WHERE id = 1`
	if db.Driver == Postgres {
		q += ` FOR UPDATE`
	}
	err = tx.QueryRowContext(ctx, q).Scan(&stamp, &cursor)
	return stamp, cursor, err
}

// searchChunk is how many records one catch-up transaction handles.
const searchChunk = 5000

// writerYield is how long a catch-up in the background leaves SQLite's
// writer free between its transactions. Other processes (a command, a
// second server) wait for the writer in SQLite's busy handler, which
// looks again after sleeps of up to 100 ms: without the pause they found
// it taken every time until the whole catch-up of 3 million events had
// ended, and failed after the busy timeout. It costs about a tenth of
// the catch-up's speed. This process's own writers take their turn
// without it (one pooled connection, handed to whoever waits).
const writerYield = 100 * time.Millisecond

// yieldWriter pauses a background catch-up between two transactions.
func (db *DB) yieldWriter(ctx context.Context, background bool) {
	if !background || db.Driver != SQLite {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(writerYield):
	}
}

// CatchUpSearch brings the search index up to date with every record,
// however long it takes: for a job after an import.
func (db *DB) CatchUpSearch(ctx context.Context) error {
	_, err := db.catchUpSearch(ctx, time.Time{})
	return err
}

// SearchGeneration is, when the index holds every change, the audience
// and records generations, the imports and the largest document id, in
// one read of the primary: a record written marks itself stale in its
// own transaction (so the index is not caught up until it is indexed
// again, under a larger id), an import or a deleted import changes the
// imports, a change of who may see what the audience generation. While
// records are stale or events wait for their pass it is "".
func (db *DB) SearchGeneration(ctx context.Context) (string, error) {
	var stale bool
	var audience, records, imports, lastImport, lastDoc, cursor int64
	var stamp string
	err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_stale),
		(SELECT n FROM cache_generation WHERE id = 1), (SELECT n FROM records_generation WHERE id = 1),
		(SELECT count(*) FROM imports), (SELECT coalesce(max(id), 0) FROM imports),
		(SELECT coalesce(max(id), 0) FROM search_docs), events_stamp, events_cursor
		FROM search_state WHERE id = 1`).Scan(&stale, &audience, &records, &imports, &lastImport, &lastDoc, &stamp, &cursor)
	if err != nil {
		return "", fmt.Errorf("search generation: %w", err)
	}
	importsStamp := fmt.Sprint(imports, ":", lastImport)
	if stale || stamp != importsStamp || cursor != eventsDone {
		return "", nil
	}
	return fmt.Sprint(audience, "/", records, "/", importsStamp, "/", lastDoc), nil
}

// catchUpSearch indexes what changed until deadline (zero: no limit),
// in short transactions, and reports whether it finished.
func (db *DB) catchUpSearch(ctx context.Context, deadline time.Time) (bool, error) {
	kinds := searchKinds(db.Driver)
	late := func() bool { return !deadline.IsZero() && time.Now().After(deadline) }
	for i := range kinds {
		k := &kinds[i]
		if k.name == aftermath.SearchEvent {
			continue
		}
		for {
			var ids []int64
			err := db.each(ctx, `SELECT record_id FROM search_stale WHERE kind = ? ORDER BY record_id LIMIT `+strconv.Itoa(searchChunk), []any{k.name},
				func(r *sql.Rows) error {
					var id int64
					err := r.Scan(&id)
					ids = append(ids, id)
					return err
				})
			if err != nil {
				return false, fmt.Errorf("search index: %w", err)
			}
			if len(ids) == 0 {
				break
			}
			if late() {
				return false, nil
			}
			list := ints(ids)
			err = db.inTx(ctx, func(tx *sql.Tx) error {
				if _, _, err := db.lockSearchState(ctx, tx); err != nil {
					return err
				}
				if err := db.reindex(ctx, tx, k, `record_id IN (`+list+`)`, nil, k.id+` IN (`+list+`)`, nil); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM search_stale WHERE kind = ? AND record_id IN (`+list+`)`), k.name)
				return err
			})
			if err != nil {
				return false, fmt.Errorf("search index: %w", err)
			}
			db.yieldWriter(ctx, deadline.IsZero())
		}
	}
	return db.catchUpEvents(ctx, &kinds[slices.IndexFunc(kinds, func(k searchKind) bool { return k.name == aftermath.SearchEvent })], late, deadline.IsZero())
}

// catchUpEvents compares events with their documents by content hash,
// one range of ids per transaction, whenever the imports have changed
// since the last complete pass.
func (db *DB) catchUpEvents(ctx context.Context, k *searchKind, late func() bool, background bool) (bool, error) {
	var imports string
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) || ':' || coalesce(max(id), 0) FROM imports`).Scan(&imports); err != nil {
		return false, fmt.Errorf("search index: %w", err)
	}
	var stamp string
	var cursor int64
	if err := db.read.QueryRowContext(ctx, `SELECT events_stamp, events_cursor FROM search_state WHERE id = 1`).Scan(&stamp, &cursor); err != nil {
		return false, fmt.Errorf("search index: %w", err)
	}
	if stamp == imports && cursor == eventsDone {
		return true, nil
	}
	if db.Driver == SQLite {
		defer db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = `+sqliteCachePages)
	}
	for {
		if late() {
			return false, nil
		}
		finished := false
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			if db.Driver == SQLite {
				if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = `+searchCachePages); err != nil {
					return err
				}
			}
			stamp, cursor, err := db.lockSearchState(ctx, tx)
			if err != nil {
				return err
			}
			if stamp != imports {
				cursor = 0
			}
			if cursor == eventsDone {
				finished = true
				return nil
			}
			// The next searchChunk events by id: ids have gaps (deleted
			// events, rolled-back imports), so a range of ids could hold none.
			var next sql.NullInt64
			if err := tx.QueryRowContext(ctx, db.rebind(`SELECT max(id) FROM (SELECT id FROM events WHERE id > ? ORDER BY id LIMIT `+
				strconv.Itoa(searchChunk)+`) c`), cursor).Scan(&next); err != nil {
				return err
			}
			hi := next.Int64
			if !next.Valid {
				// Past the last event, every document left is of an event deleted.
				hi, finished = eventsDone, true
			}
			stale := `record_id > ? AND record_id <= ? AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = search_docs.record_id AND e.content_hash = search_docs.stamp)`
			if err := db.reindex(ctx, tx, k, stale, []any{cursor, hi}, `e.id > ? AND e.id <= ?`, []any{cursor, hi}); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, db.rebind(`UPDATE search_state SET events_stamp = ?, events_cursor = ? WHERE id = 1`), imports, hi)
			return err
		})
		if err != nil {
			return false, fmt.Errorf("search index events: %w", err)
		}
		if finished {
			return true, nil
		}
		db.yieldWriter(ctx, background)
	}
}

// searchCachePages is the page cache SQLite's writer keeps while it
// indexes events (64 MiB; sqliteCachePages, 2 MiB, is SQLite's default,
// which it gets back after). The full-text index merges its segments as
// it grows and then deletes the merged ones, reading their pages again:
// with the default the catch-up of 156,663 events spent 7.4 s of its
// 19.7 s reading them back from the file, with this 0.4 s of 11.4 s; of
// 522,210 events, 193 s → 107 s (docs/benchmarks.md). 256 MiB gave 77 s
// at 530 MiB resident: more than a small server should lend. Set for the
// catch-up only: an import on the same connection gained nothing from it
// and took 160 MiB more.
const (
	searchCachePages = "-65536"
	sqliteCachePages = "-2000"
)

// eventsDone is the largest event id: a range up to it has no end, and
// a cursor there means every event is indexed.
const eventsDone = int64(1<<63 - 1)

// catchingUp holds, per database, whether a background catch-up runs.
var catchingUp sync.Map // *DB → *atomic.Bool

// CatchUpSearchSoon starts catching the search index up in the
// background, as serve does at start and the job runner after an import,
// so that the first search after a large import is already complete.
func (db *DB) CatchUpSearchSoon() { db.catchUpInBackground() }

// catchUpInBackground finishes the index's catch-up apart from any
// request, once per database at a time, so that searches after a large
// import are complete soon rather than two seconds' worth at a time. A
// failure (the database closed) is left to the next search to retry.
func (db *DB) catchUpInBackground() {
	flag, _ := catchingUp.LoadOrStore(db, new(atomic.Bool))
	running := flag.(*atomic.Bool)
	if !running.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer running.Store(false)
		db.CatchUpSearch(context.Background())
	}()
}

// searchCatchUpBudget is how long a search may spend catching the index
// up before it answers from what is indexed (SearchResults says so).
const searchCatchUpBudget = 2 * time.Second

// Search finds the records v may read whose documents hold every word of
// the query, best first.
func (db *DB) Search(ctx context.Context, v aftermath.Viewer, q aftermath.SearchQuery) (*aftermath.SearchResults, error) {
	if q.Kind != "" && !slices.Contains(aftermath.SearchKinds, q.Kind) {
		return nil, aftermath.Errorf(aftermath.EINVALID, "kind %q is not one of %s", q.Kind, strings.Join(aftermath.SearchKinds, ", "))
	}
	res := &aftermath.SearchResults{Terms: aftermath.SearchTerms(q.Text)}
	if len(res.Terms) == 0 {
		return res, nil
	}
	caughtUp, err := db.catchUpSearch(ctx, time.Now().Add(searchCatchUpBudget))
	if err != nil {
		return nil, err
	}
	if res.Pending = !caughtUp; res.Pending {
		db.catchUpInBackground()
	}
	limit := q.Limit
	if limit <= 0 {
		limit = aftermath.DefaultSearchLimit
	}
	limit = min(limit, aftermath.MaxSearchLimit)
	offset := max(q.Offset, 0)
	kinds := searchKinds(db.Driver)
	var visibleCase strings.Builder
	visibleCase.WriteString("(CASE s.kind")
	for _, k := range kinds {
		if q.Kind != "" && k.name != q.Kind {
			continue
		}
		visibleCase.WriteString(" WHEN '" + k.name + "' THEN EXISTS (SELECT 1 FROM " + k.from + " WHERE " + k.id + " = s.record_id" + k.fresh() + " AND " + k.visible(v) + ")")
	}
	visibleCase.WriteString(" ELSE 1 = 0 END)")

	words := strings.Join(res.Terms, " ")
	var from, score string
	var args []any
	if db.Driver == SQLite {
		quoted := make([]string, len(res.Terms))
		for i, t := range res.Terms {
			quoted[i] = `"` + t + `"` // terms hold letters, digits and marks only
		}
		from = `search_fts JOIN search_docs s ON s.id = search_fts.rowid WHERE search_fts MATCH ?`
		score = `-bm25(search_fts)`
		args = []any{strings.Join(quoted, " ")}
	} else {
		from = `search_docs s, (SELECT plainto_tsquery('english', ?) || plainto_tsquery('french', ?) || plainto_tsquery('arabic', ?)
			|| plainto_tsquery('simple', ?) AS q) tq WHERE s.doc @@ tq.q`
		score = `ts_rank(s.doc, tq.q)`
		args = []any{words, words, words, aftermath.FoldSearch(words)}
	}
	where := from + ` AND ` + visibleCase.String()
	if q.Kind != "" {
		where += ` AND s.kind = ?`
		args = append(args, q.Kind)
	}
	// PostgreSQL's planner prices the visibility subplans high enough to
	// compile the query (JIT), which took 6 s for 2,000 events against
	// 0.1 s to run it; off for these two queries only.
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	if db.Driver == Postgres {
		if _, err := tx.ExecContext(ctx, `SET LOCAL jit = off`); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM (SELECT 1 FROM `+where+` LIMIT `+strconv.Itoa(aftermath.SearchCountCap+1)+`) c`), args...).
		Scan(&res.Total); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if res.Total > aftermath.SearchCountCap {
		res.Total, res.TotalCapped = aftermath.SearchCountCap, true
	}
	err = eachRow(ctx, tx, db.rebind(`SELECT s.kind, s.record_id, `+score+` AS score FROM `+where+` ORDER BY score DESC, s.id LIMIT `+strconv.Itoa(limit)+
		` OFFSET `+strconv.Itoa(offset)), args, func(r *sql.Rows) error {
		var h aftermath.SearchHit
		err := r.Scan(&h.Kind, &h.ID, &h.Score)
		res.Hits = append(res.Hits, h)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	tx.Rollback()
	if err := db.describeHits(ctx, v, kinds, res); err != nil {
		return nil, err
	}
	return res, nil
}

// describeHits fills each hit's title, address and snippet from its
// record, read again under the viewer's rule.
func (db *DB) describeHits(ctx context.Context, v aftermath.Viewer, kinds []searchKind, res *aftermath.SearchResults) error {
	byKind := map[string][]int64{}
	for _, h := range res.Hits {
		byKind[h.Kind] = append(byKind[h.Kind], h.ID)
	}
	type described struct {
		key, title, date, country, text string
	}
	found := map[string]map[int64]described{}
	orEmpty := func(s string) string {
		if s == "" {
			return "''"
		}
		return s
	}
	for _, k := range kinds {
		ids := byKind[k.name]
		if len(ids) == 0 {
			continue
		}
		found[k.name] = map[int64]described{}
		q := `SELECT ` + k.id + `, ` + orEmpty(k.key) + `, ` + k.title + `, ` + orEmpty(k.date) + `, ` + orEmpty(k.country) + `, ` + k.text +
			` FROM ` + k.from + ` WHERE ` + k.id + ` IN (` + ints(ids) + `) AND ` + k.visible(v)
		err := db.each(ctx, q, nil, func(r *sql.Rows) error {
			var id int64
			var d described
			if err := r.Scan(&id, &d.key, &d.title, &d.date, &d.country, &d.text); err != nil {
				return err
			}
			found[k.name][id] = d
			return nil
		})
		if err != nil {
			return fmt.Errorf("search %s: %w", k.name, err)
		}
	}
	hits := res.Hits[:0]
	for _, h := range res.Hits {
		d, ok := found[h.Kind][h.ID]
		if !ok { // deleted or hidden since the query: not shown
			continue
		}
		h.Key, h.Title, h.Date, h.Country = d.key, searchTitle(d.title), d.date, d.country
		h.Snippet = aftermath.SearchSnippet(d.text, res.Terms, 240)
		hits = append(hits, h)
	}
	res.Hits = hits
	return nil
}

// searchTitle shortens a title made of a record's text (a claim, a
// decision's summary) to one line.
func searchTitle(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 140 {
		return string(r[:139]) + "…"
	}
	return s
}
