package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"aftermath"
)

// writeTranslations replaces the stored language and translations of one
// record with lang and t, inside the record's own write.
func (db *DB) writeTranslations(ctx context.Context, tx *sql.Tx, recordType string, id int64, lang string, t aftermath.Translations) error {
	if err := db.deleteTranslations(ctx, tx, recordType, id); err != nil {
		return err
	}
	if lang != "" && lang != aftermath.OriginalLanguage {
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO record_languages (record_type, record_id, lang) VALUES (?, ?, ?)`),
			recordType, id, lang); err != nil {
			return fmt.Errorf("%s %d: language: %w", recordType, id, err)
		}
	}
	langs := make([]string, 0, len(t))
	for l := range t {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		fields := make([]string, 0, len(t[l]))
		for f := range t[l] {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO translations (record_type, record_id, field, lang, text) VALUES (?, ?, ?, ?, ?)`),
				recordType, id, f, l, t[l][f]); err != nil {
				return fmt.Errorf("%s %d: translation %s %s: %w", recordType, id, l, f, err)
			}
		}
	}
	return nil
}

// deleteTranslations removes a record's language and translations.
func (db *DB) deleteTranslations(ctx context.Context, tx *sql.Tx, recordType string, id int64) error {
	for _, q := range []string{`DELETE FROM translations WHERE record_type = ? AND record_id = ?`,
		`DELETE FROM record_languages WHERE record_type = ? AND record_id = ?`} {
		if _, err := tx.ExecContext(ctx, db.rebind(q), recordType, id); err != nil {
			return fmt.Errorf("%s %d: translations: %w", recordType, id, err)
		}
	}
	return nil
}

// readTranslations returns a record's language ("" for English) and its
// translations (nil when it has none). The caller has checked that the
// viewer may see the record.
func (db *DB) readTranslations(ctx context.Context, recordType string, id int64) (string, aftermath.Translations, error) {
	var lang string
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT lang FROM record_languages WHERE record_type = ? AND record_id = ?`), recordType, id).Scan(&lang)
	if err != nil && err != sql.ErrNoRows {
		return "", nil, fmt.Errorf("%s %d: language: %w", recordType, id, err)
	}
	var t aftermath.Translations
	err = db.each(ctx, `SELECT lang, field, text FROM translations WHERE record_type = ? AND record_id = ?`, []any{recordType, id}, func(r *sql.Rows) error {
		var l, f, text string
		if err := r.Scan(&l, &f, &text); err != nil {
			return err
		}
		t.Set(l, f, text)
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("%s %d: translations: %w", recordType, id, err)
	}
	return lang, t, nil
}
