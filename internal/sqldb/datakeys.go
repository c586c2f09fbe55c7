package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"aftermath"
	"aftermath/internal/vault"
)

// Data keys: one per encrypted record, stored wrapped by the
// key-encryption key in data_keys. The KEK itself never reaches the
// database.

// newDataKey makes, wraps and stores the data key of a record.
func (db *DB) newDataKey(ctx context.Context, tx *sql.Tx, kek *vault.KEK, recordType string, id int64) (*vault.DataKey, error) {
	dk, err := vault.NewDataKey()
	if err != nil {
		return nil, err
	}
	w, err := kek.Wrap(dk, recordType, id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO data_keys (record_type, record_id, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?, ?)`),
		recordType, id, kek.ID(), w, db.Now().Format(timeFormat)); err != nil {
		return nil, fmt.Errorf("store data key: %w", err)
	}
	return dk, nil
}

// dataKey unwraps a record's data key. A key wrapped by another KEK, or
// one that does not open, is a clear error, never garbage.
func (db *DB) dataKey(ctx context.Context, q querier, kek *vault.KEK, recordType string, id int64) (*vault.DataKey, error) {
	if kek == nil {
		return nil, errNoKey
	}
	var kekID string
	var w []byte
	err := q.QueryRowContext(ctx, db.rebind(`SELECT kek_id, wrapped FROM data_keys WHERE record_type = ? AND record_id = ?`), recordType, id).Scan(&kekID, &w)
	if err == sql.ErrNoRows {
		return nil, aftermath.Errorf(aftermath.EINTERNAL, "%s %d has no data key: its contents were destroyed", recordType, id)
	}
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	if kekID != kek.ID() {
		return nil, aftermath.Errorf(aftermath.EINTERNAL, "the data key of %s %d is wrapped by key %s, but the loaded key file holds key %s: "+
			"load the right key file (after an interrupted rotation, run 'aftermath key rotate'; see docs/keys.md)", recordType, id, kekID, kek.ID())
	}
	dk, err := kek.Unwrap(w, recordType, id)
	if err != nil {
		return nil, aftermath.Errorf(aftermath.EINTERNAL, "the data key of %s %d does not open with key %s: the key file or the data key is damaged",
			recordType, id, kek.ID())
	}
	return dk, nil
}

// destroyDataKey deletes a record's data key: what was sealed with it can
// no longer be read by anyone (crypto-shredding).
func (db *DB) destroyDataKey(ctx context.Context, tx *sql.Tx, recordType string, id int64) error {
	_, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM data_keys WHERE record_type = ? AND record_id = ?`), recordType, id)
	return err
}

var errNoKey = aftermath.Errorf(aftermath.EINTERNAL,
	"no key-encryption key is loaded: create one with 'aftermath key init' or name it with --key-file or "+vault.EnvKeyFile)

// seal encrypts a value for one field of a record: strings as their
// bytes, anything else as JSON.
func seal(dk *vault.DataKey, recordType string, id int64, field string, v any) ([]byte, error) {
	var b []byte
	if s, ok := v.(string); ok {
		b = []byte(s)
	} else {
		var err error
		if b, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	ct, err := dk.Seal(b, vault.FieldAD(recordType, id, field))
	clear(b)
	return ct, err
}

// unseal decrypts what seal produced into v (*string or a JSON target).
func unseal(dk *vault.DataKey, recordType string, id int64, field string, ct []byte, v any) error {
	b, err := dk.Open(ct, vault.FieldAD(recordType, id, field))
	if err != nil {
		return fmt.Errorf("%s %d, %s: %w", recordType, id, field, err)
	}
	defer clear(b)
	if s, ok := v.(*string); ok {
		*s = string(b)
		return nil
	}
	return json.Unmarshal(b, v)
}

// DataKeyCounts counts data keys by the id of the KEK that wraps them.
func (db *DB) DataKeyCounts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := db.each(ctx, `SELECT kek_id, count(*) FROM data_keys GROUP BY kek_id`, nil, func(r *sql.Rows) error {
		var id string
		var n int64
		err := r.Scan(&id, &n)
		out[id] = n
		return err
	})
	return out, err
}

// RewrapDataKeys re-wraps every data key from old to next in one
// transaction and records it in the audit log. Keys already wrapped by
// next are left alone, so a rotation can be run again after a crash; a
// key wrapped by neither stops everything. It returns how many keys it
// re-wrapped.
func (db *DB) RewrapDataKeys(ctx context.Context, old, next *vault.KEK) (int, error) {
	if old.ID() == next.ID() {
		return 0, fmt.Errorf("rewrap: the old and new keys are the same")
	}
	n := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		type row struct {
			rt      string
			id      int64
			kek     string
			wrapped []byte
		}
		var rows []row
		err := eachRow(ctx, tx, `SELECT record_type, record_id, kek_id, wrapped FROM data_keys ORDER BY record_type, record_id`, nil,
			func(r *sql.Rows) error {
				var x row
				err := r.Scan(&x.rt, &x.id, &x.kek, &x.wrapped)
				rows = append(rows, x)
				return err
			})
		if err != nil {
			return err
		}
		for _, x := range rows {
			if x.kek == next.ID() {
				continue
			}
			if x.kek != old.ID() {
				return aftermath.Errorf(aftermath.EINTERNAL, "the data key of %s %d is wrapped by key %s, neither the current key %s nor the new one",
					x.rt, x.id, x.kek, old.ID())
			}
			dk, err := old.Unwrap(x.wrapped, x.rt, x.id)
			if errors.Is(err, vault.ErrWrongKey) {
				return aftermath.Errorf(aftermath.EINTERNAL, "the data key of %s %d does not open with key %s", x.rt, x.id, old.ID())
			}
			if err != nil {
				return err
			}
			w, err := next.Wrap(dk, x.rt, x.id)
			dk.Destroy()
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE data_keys SET kek_id = ?, wrapped = ? WHERE record_type = ? AND record_id = ?`),
				next.ID(), w, x.rt, x.id); err != nil {
				return err
			}
			n++
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{Action: aftermath.AuditKeyRotate,
			Detail: fmt.Sprintf("key %s replaced by key %s; %d data keys re-wrapped", old.ID(), next.ID(), n)})
	})
	if err != nil {
		return 0, fmt.Errorf("rewrap data keys: %w", err)
	}
	return n, nil
}

// checkpoint copies the SQLite WAL into the database file and truncates
// it, so frames that held a destroyed data key do not linger in the WAL
// (secure_delete has already zeroed it in the database pages). Best
// effort: a reader holding an old snapshot lets it finish later.
func (db *DB) checkpoint(ctx context.Context) {
	if db.Driver != SQLite {
		return
	}
	var busy, logFrames, done int
	_ = db.write.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done)
}

const timeFormat = "2006-01-02T15:04:05Z07:00" // time.RFC3339, as the other tables store times
