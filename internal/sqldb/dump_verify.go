package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// KeyCheck is what CheckSealed found.
type KeyCheck struct {
	DataKeys    int64 // data keys that opened with the key-encryption key
	Testimonies int64 // testimonies whose every sealed field opened
}

// CheckSealed opens every data key with kek, and with them every
// testimony's sealed fields: after a restore, proof that the key file and
// the data belong together and that no ciphertext was damaged on the way.
// The first failure is the error.
func (s *Voices) CheckSealed(ctx context.Context) (*KeyCheck, error) {
	if s.kek == nil {
		return nil, errNoKey
	}
	type ref struct {
		rt string
		id int64
	}
	var refs []ref
	err := s.db.each(ctx, `SELECT record_type, record_id FROM data_keys ORDER BY record_type, record_id`, nil, func(r *sql.Rows) error {
		var x ref
		err := r.Scan(&x.rt, &x.id)
		refs = append(refs, x)
		return err
	})
	if err != nil {
		return nil, err
	}
	c := &KeyCheck{}
	for _, x := range refs {
		dk, err := s.db.dataKey(ctx, s.db.read, s.kek, x.rt, x.id)
		if err != nil {
			return c, err
		}
		c.DataKeys++
		if x.rt == rtTestimony {
			if _, _, err := s.open(ctx, s.db.read, dk, x.id); err != nil {
				dk.Destroy()
				return c, fmt.Errorf("testimony %d does not open: %w", x.id, err)
			}
			c.Testimonies++
		}
		dk.Destroy()
	}
	return c, nil
}

// TableCounts counts the rows of every table a dump holds.
func (db *DB) TableCounts(ctx context.Context) (map[string]int64, error) {
	schema, err := db.Schema(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for name := range schema {
		if derivedTable(name) {
			continue
		}
		var n int64
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", name, err)
		}
		out[name] = n
	}
	return out, nil
}
