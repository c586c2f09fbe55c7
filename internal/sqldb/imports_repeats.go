package sqldb

import (
	"fmt"
	"hash/maphash"
	"strings"

	"aftermath"
)

// The native ids an import has been given are checked without holding
// them all in memory, so that peak memory follows the batch, not the file:
//
//   - into a dataset with no events, the events table holds every id the
//     import stored; a fixed-size Bloom filter (16 MiB) says which ids may
//     have come before, and only those are looked up, in its unique
//     (dataset_id, native_id) index;
//   - into a dataset with events, stored ids say nothing of this file, so
//     the ids go to a temporary table (on disk for SQLite, in PostgreSQL's
//     bounded temp_buffers), dropped with the transaction.

// bloomBits and bloomHashes size the filter: for 3 million ids, one row
// in 75,000 is looked up for nothing (one batch in 40); for half a
// million, one in 400 million. Few look-ups matter beyond their own cost:
// on PostgreSQL a look-up waits for the batch before to be stored, where
// the next batch is otherwise readied while the server stores it
// (pgcopy.go). (2 MiB and 3 hashes looked up 7% of rows at 3 million.)
const (
	bloomBits   = 1 << 27
	bloomHashes = 5
)

type bloom struct {
	seed maphash.Seed
	bits []uint64
}

// add records id and reports whether it may have been added before.
func (b *bloom) add(id string) bool {
	h := maphash.String(b.seed, id)
	h1, h2 := h, h>>32|1
	seen := true
	for i := range uint64(bloomHashes) {
		bit := (h1 + i*h2) % bloomBits
		w, m := bit/64, uint64(1)<<(bit%64)
		if b.bits[w]&m == 0 {
			seen = false
			b.bits[w] |= m
		}
	}
	return seen
}

// Repeats returns the positions in batch of the events whose native id an
// event given to Add earlier in this import, or earlier in batch, had.
// Every other id of batch counts as given from now on, so Add must be
// given the rest of batch.
func (im *Import) Repeats(batch []*aftermath.Event) ([]int, error) {
	var reps []int
	inBatch := make(map[string]struct{}, len(batch))
	var maybe []int // positions whose id may be stored
	for i, e := range batch {
		if _, ok := inBatch[e.NativeID]; ok {
			reps = append(reps, i)
			continue
		}
		inBatch[e.NativeID] = struct{}{}
		if !im.empty || im.ids.add(e.NativeID) {
			maybe = append(maybe, i)
		}
	}
	if len(maybe) == 0 {
		return reps, nil
	}
	var stored map[string]bool
	var err error
	if im.empty {
		stored, err = im.storedIDs(batch, maybe)
	} else {
		stored, err = im.givenBefore(batch, maybe)
	}
	if err != nil {
		return nil, fmt.Errorf("check event ids: %w", err)
	}
	for _, i := range maybe {
		if stored[batch[i].NativeID] {
			reps = append(reps, i)
		}
	}
	return reps, nil
}

// storedIDs returns which of the ids at positions are stored.
func (im *Import) storedIDs(batch []*aftermath.Event, positions []int) (map[string]bool, error) {
	args := make([]any, 0, len(positions)+1)
	args = append(args, im.datasetID)
	for _, i := range positions {
		args = append(args, batch[i].NativeID)
	}
	rows, err := im.tx.QueryContext(im.ctx, im.q(`SELECT native_id FROM events WHERE dataset_id = ? AND native_id IN (`+placeholders(len(positions))+`)`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	stored := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		stored[id] = true
	}
	return stored, rows.Err()
}

// givenBefore adds the ids at positions to the import's temporary table
// and returns those that were in it already.
func (im *Import) givenBefore(batch []*aftermath.Event, positions []int) (map[string]bool, error) {
	if !im.idTable {
		q := `CREATE TEMP TABLE import_ids (native_id TEXT PRIMARY KEY) WITHOUT ROWID`
		if im.db.Driver == Postgres {
			q = `CREATE TEMP TABLE import_ids (native_id TEXT PRIMARY KEY) ON COMMIT DROP`
		}
		if _, err := im.tx.ExecContext(im.ctx, q); err != nil {
			return nil, err
		}
		im.idTable = true
	}
	before := map[string]bool{}
	for len(positions) > 0 {
		n := min(len(positions), 4000)
		args := make([]any, n)
		for j, i := range positions[:n] {
			args[j] = batch[i].NativeID
			before[batch[i].NativeID] = true
		}
		rows, err := im.tx.QueryContext(im.ctx, im.q(`INSERT INTO import_ids (native_id) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?),", n), ",")+` ON CONFLICT DO NOTHING RETURNING native_id`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			delete(before, id) // new to the table: given for the first time
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		positions = positions[n:]
	}
	return before, nil
}

// dropIDTable drops the temporary table before a commit: on SQLite it
// would outlive the transaction on the pooled connection.
func (im *Import) dropIDTable() error {
	if !im.idTable || im.db.Driver == Postgres {
		return nil
	}
	_, err := im.tx.ExecContext(im.ctx, `DROP TABLE temp.import_ids`)
	im.idTable = false
	return err
}
