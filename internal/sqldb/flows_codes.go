package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// CodeNames reads one IATI codelist's names by code: French when lang is
// "fr" and the codelist gives one, else English (no codelist is published
// in Arabic). A list never imported gives an empty map.
func (db *DB) CodeNames(ctx context.Context, list, lang string) (map[string]string, error) {
	out := map[string]string{}
	err := db.each(ctx, `SELECT code, name_en, name_fr FROM iati_codes WHERE list = ?`, []any{list}, func(rows *sql.Rows) error {
		var code, en, fr string
		if err := rows.Scan(&code, &en, &fr); err != nil {
			return err
		}
		if lang == "fr" && fr != "" {
			out[code] = fr
		} else {
			out[code] = en
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("codelist %s: %w", list, err)
	}
	return out, nil
}
