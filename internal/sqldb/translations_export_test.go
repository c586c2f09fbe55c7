package sqldb

import "context"

// TranslationRows counts the rows of the translation tables, for the
// delete checks of package sqldb_test.
func (db *DB) TranslationRows(ctx context.Context) (int, error) {
	var n, m int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM translations`).Scan(&n); err != nil {
		return 0, err
	}
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM record_languages`).Scan(&m)
	return n + m, err
}
