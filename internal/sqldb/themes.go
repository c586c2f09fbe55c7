package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"aftermath"
	"aftermath/internal/geo"
)

// Themes lists the codebook in the order themes were added.
func (db *DB) Themes(ctx context.Context) ([]aftermath.Theme, error) {
	var out []aftermath.Theme
	err := db.each(ctx, `SELECT id, slug, name_en, name_fr, name_ar, description FROM themes ORDER BY id`, nil, func(r *sql.Rows) error {
		var t aftermath.Theme
		err := r.Scan(&t.ID, &t.Slug, &t.NameEN, &t.NameFR, &t.NameAR, &t.Description)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("themes: %w", err)
	}
	return out, nil
}

func checkTheme(t *aftermath.Theme) error {
	t.Slug = strings.TrimSpace(t.Slug)
	switch {
	case !orgSlugRE.MatchString(t.Slug):
		return aftermath.FieldError("slug", "%q: use lower-case letters, digits and hyphens", t.Slug)
	case strings.TrimSpace(t.NameEN) == "":
		return aftermath.FieldError("name_en", "a theme needs an English name")
	}
	return nil
}

func (db *DB) mustAdmin(ctx context.Context, v aftermath.Viewer, what string) error {
	ok, err := db.isAdmin(ctx, v)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("only admins %s", what)
	}
	return nil
}

// CreateTheme adds a theme to the codebook (admins only) and sets its ID.
func (db *DB) CreateTheme(ctx context.Context, v aftermath.Viewer, t *aftermath.Theme) error {
	if err := db.mustAdmin(ctx, v, "edit the codebook"); err != nil {
		return err
	}
	if err := checkTheme(t); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM themes WHERE slug = ?`), t.Slug).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return aftermath.Errorf(aftermath.ECONFLICT, "a theme %q exists already", t.Slug)
		}
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO themes (slug, name_en, name_fr, name_ar, description) VALUES (?, ?, ?, ?, ?) RETURNING id`),
			t.Slug, strings.TrimSpace(t.NameEN), strings.TrimSpace(t.NameFR), strings.TrimSpace(t.NameAR), strings.TrimSpace(t.Description)).Scan(&t.ID); err != nil {
			return fmt.Errorf("create theme: %w", err)
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditCreate, RecordType: "theme", RecordID: t.ID, Detail: t.Slug})
	})
}

// UpdateTheme changes a theme's slug, names and description (admins only).
func (db *DB) UpdateTheme(ctx context.Context, v aftermath.Viewer, t *aftermath.Theme) error {
	if err := db.mustAdmin(ctx, v, "edit the codebook"); err != nil {
		return err
	}
	if err := checkTheme(t); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM themes WHERE slug = ? AND id <> ?`), t.Slug, t.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return aftermath.Errorf(aftermath.ECONFLICT, "a theme %q exists already", t.Slug)
		}
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE themes SET slug = ?, name_en = ?, name_fr = ?, name_ar = ?, description = ? WHERE id = ?`),
			t.Slug, strings.TrimSpace(t.NameEN), strings.TrimSpace(t.NameFR), strings.TrimSpace(t.NameAR), strings.TrimSpace(t.Description), t.ID)
		if err != nil {
			return fmt.Errorf("update theme: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return aftermath.Errorf(aftermath.ENOTFOUND, "no theme %d", t.ID)
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditUpdate, RecordType: "theme", RecordID: t.ID, Detail: t.Slug})
	})
}

// DeleteTheme removes a theme no testimony is coded with (admins only);
// ECONFLICT while it is in use, so coding work is never lost by accident.
func (db *DB) DeleteTheme(ctx context.Context, v aftermath.Viewer, id int64) error {
	if err := db.mustAdmin(ctx, v, "edit the codebook"); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM testimony_themes WHERE theme_id = ?`), id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return aftermath.Errorf(aftermath.ECONFLICT, "theme %d still codes testimony; recode it first", id)
		}
		res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM themes WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("delete theme: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return aftermath.Errorf(aftermath.ENOTFOUND, "no theme %d", id)
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditDelete, RecordType: "theme", RecordID: id})
	})
}

// Areas ThemeMatrix groups by.
const (
	ByRegion    = aftermath.ByRegion
	ByContinent = aftermath.ByContinent
	ByCountry   = aftermath.ByCountry
)

// ThemeMatrix counts, for each theme and area, the testimonies coded with
// it and the distinct organisations they came through (the partner
// organisation, or the owner when there is none). Only testimonies v may
// see count. Rows are sorted by theme slug, then area name.
func (db *DB) ThemeMatrix(ctx context.Context, v aftermath.Viewer, by string) ([]aftermath.ThemeCell, error) {
	area := map[string]func(iso3 string) (code, name string){
		ByCountry: func(iso3 string) (string, string) {
			if c, ok := geo.ByAlpha3(iso3); ok {
				return iso3, c.Name
			}
			return iso3, iso3
		},
		ByRegion: func(iso3 string) (string, string) {
			r, _ := geo.SubRegion(iso3)
			return r.Code, r.Name
		},
		ByContinent: func(iso3 string) (string, string) {
			r, _ := geo.Continent(iso3)
			return r.Code, r.Name
		},
	}[by]
	if area == nil {
		return nil, aftermath.Errorf(aftermath.EINVALID, "group themes by %q? use region, continent or country", by)
	}
	type key struct{ theme, code string }
	cells := map[key]*aftermath.ThemeCell{}
	orgs := map[key]map[int64]bool{}
	// Counted per theme, country and organisation in SQL; summed into
	// areas here, where the region table lives. Distinct organisations
	// are a set per cell, since they cannot be summed across countries.
	err := db.each(ctx, `SELECT th.slug, t.country, COALESCE(t.partner_org_id, t.owner_org_id), count(*)
		FROM testimony_themes tt JOIN themes th ON th.id = tt.theme_id JOIN testimonies t ON t.id = tt.testimony_id
		WHERE `+testimonyVisible(v, "t")+`
		GROUP BY th.slug, t.country, COALESCE(t.partner_org_id, t.owner_org_id)`, nil, func(r *sql.Rows) error {
		var slug, iso3 string
		var org int64
		var n int
		if err := r.Scan(&slug, &iso3, &org, &n); err != nil {
			return err
		}
		code, name := area(iso3)
		if name == "" {
			code, name = "", "Unknown"
		}
		k := key{slug, code}
		c := cells[k]
		if c == nil {
			c = &aftermath.ThemeCell{Theme: slug, Area: name, AreaCode: code}
			cells[k], orgs[k] = c, map[int64]bool{}
		}
		c.Testimonies += n
		orgs[k][org] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("theme matrix: %w", err)
	}
	out := make([]aftermath.ThemeCell, 0, len(cells))
	n, public := db.suppressForPublic(v)
	for k, c := range cells {
		c.Organisations = len(orgs[k])
		if public {
			suppressCell(c, n) // small counts identify who spoke
		}
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b aftermath.ThemeCell) int {
		if c := strings.Compare(a.Theme, b.Theme); c != 0 {
			return c
		}
		return strings.Compare(a.Area, b.Area)
	})
	return out, nil
}

// ThemeCooccurrence counts, for each pair of themes, the testimonies v
// may see that are coded with both. Pairs are sorted by count, highest
// first, then by slugs. For anonymous readers, counts below the store's
// public minimum are suppressed (ThemeMatrix too).
func (db *DB) ThemeCooccurrence(ctx context.Context, v aftermath.Viewer) ([]aftermath.ThemePair, error) {
	var out []aftermath.ThemePair
	err := db.each(ctx, `SELECT a.slug, b.slug, count(*) FROM testimony_themes x JOIN testimony_themes y ON y.testimony_id = x.testimony_id
		JOIN themes a ON a.id = x.theme_id JOIN themes b ON b.id = y.theme_id JOIN testimonies t ON t.id = x.testimony_id
		WHERE a.slug < b.slug AND `+testimonyVisible(v, "t")+` GROUP BY a.slug, b.slug`, nil, func(r *sql.Rows) error {
		var p aftermath.ThemePair
		err := r.Scan(&p.A, &p.B, &p.Testimonies)
		if p.A > p.B { // the databases' collations may order slugs differently
			p.A, p.B = p.B, p.A
		}
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("theme co-occurrence: %w", err)
	}
	if n, public := db.suppressForPublic(v); public {
		for i := range out {
			if out[i].Testimonies < n { // small counts identify who spoke
				out[i].Testimonies, out[i].Suppressed, out[i].MinCount = 0, true, n
			}
		}
	}
	slices.SortFunc(out, func(a, b aftermath.ThemePair) int {
		if a.Testimonies != b.Testimonies {
			return b.Testimonies - a.Testimonies
		}
		if c := strings.Compare(a.A, b.A); c != 0 {
			return c
		}
		return strings.Compare(a.B, b.B)
	})
	return out, nil
}
