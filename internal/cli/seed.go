package cli

import (
	"context"
	"fmt"

	"aftermath"
	"aftermath/internal/catalog"
	"aftermath/internal/sqldb"
)

func runSeed(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "seed", `seed [--db DB]

Loads the starter catalog of interventions shipped with Aftermath, with the
sources every field cites, then the accountability ledger's starter records
(Security Council resolutions, official inquiries and their findings).
Interventions already stored (by slug), sources already stored (by document
identifier) and ledger records already stored (by reference) are left as
they are, so running it again adds only what is missing; a catalog
intervention stored without translations gets the catalog's French and
Arabic texts.`)
	dsn := dbFlag(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDBFirst(ctx, *dsn, func(ctx context.Context, db *sqldb.DB) error {
		added, kept, err := seedCatalog(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "catalog: %d interventions added, %d already present\n", added, kept)
		res, err := seedLedger(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "ledger: %d starter records added, %d already present\n", res.Added, res.Kept)
		return nil
	})
	if err != nil {
		return err
	}
	return db.Close()
}

// openDBFirst is openDB that also runs first, the migrations and first
// under one start lock (sqldb.DB.Exclusive): seeding checks what is stored
// then adds the rest, so processes starting together on a new database
// would otherwise both add it, or one would fail on the other's rows.
func openDBFirst(ctx context.Context, dsn string, first func(context.Context, *sqldb.DB) error) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	err = db.Exclusive(ctx, func(ctx context.Context) error {
		if _, err := db.Migrate(ctx); err != nil {
			return err
		}
		return first(ctx, db)
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// seedCatalog stores the catalog's sources and interventions that are not
// stored yet.
func seedCatalog(ctx context.Context, db *sqldb.DB) (added, kept int, err error) {
	cat, err := catalog.Load()
	if err != nil {
		return 0, 0, fmt.Errorf("catalog: %w", err)
	}
	sourceIDs := map[string]int64{}
	for _, s := range cat.Sources {
		stored, err := db.SourceByIdentifier(ctx, aftermath.System, s.Identifier)
		if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
			src := s.Source
			if err := db.CreateSource(ctx, &src); err != nil {
				return added, kept, err
			}
			stored = &src
		} else if err != nil {
			return added, kept, err
		}
		sourceIDs[s.Key] = stored.ID
	}
	for _, e := range cat.Interventions {
		if stored, err := db.FindIntervention(ctx, aftermath.System, e.Slug); err == nil {
			kept++
			// A database seeded before the catalog shipped translations
			// gets them; translations someone stored are left alone.
			if len(stored.Translations) == 0 && len(e.Translations) > 0 && stored.Language == "" && stored.Name == e.Name {
				stored.Translations = e.Translations
				if err := db.UpdateIntervention(ctx, aftermath.System, stored); err != nil {
					return added, kept, fmt.Errorf("catalog %s: translations: %w", e.Slug, err)
				}
			}
			continue
		} else if aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			return added, kept, err
		}
		iv := e.Intervention
		iv.Audience = aftermath.AudiencePublic // written from public documents, each field cited
		iv.Citations = nil
		for _, c := range e.Cited {
			iv.Citations = append(iv.Citations, aftermath.Citation{Field: c.Field, SourceID: sourceIDs[c.SourceKey],
				Page: c.Page, Quote: c.Quote, Confidence: c.Confidence})
		}
		if err := db.CreateIntervention(ctx, aftermath.System, &iv); err != nil {
			return added, kept, fmt.Errorf("catalog %s: %w", e.Slug, err)
		}
		added++
	}
	return added, kept, nil
}
