package cli

import (
	"context"
	"fmt"

	"aftermath"
	"aftermath/internal/sqldb"
)

func runDataset(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "dataset", datasetUsage, []subcommand{{"audience", datasetAudience}})
}

const datasetUsage = `Usage: aftermath dataset audience NAME AUDIENCE [--org ORG]

  audience NAME AUDIENCE   set who sees a dataset and its events: internal,
                           partners or public; --org names the owning
                           organisation (default: every organisation here)
`

func datasetAudience(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "dataset audience", "dataset audience NAME AUDIENCE [--org ORG]")
	dsn := dbFlag(fs, env)
	org := fs.String("org", "", "slug of the organisation that owns the dataset")
	name, rest := splitRef(args)
	a, rest := splitRef(rest)
	if err := parse(fs, rest); err != nil {
		return err
	}
	if name == "" || a == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("dataset audience: say which dataset and which audience")}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := placement(ctx, db, a, *org)
	if err != nil {
		return err
	}
	if p.Audience == aftermath.AudienceConfidential {
		return aftermath.Errorf(aftermath.EINVALID, "dataset audience: a dataset is internal, partners or public")
	}
	ds, err := db.Datasets(ctx, aftermath.System)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Name == name {
			if err := db.SetAudience(ctx, "dataset", d.ID, *p); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "dataset %s: %s\n", name, p.Audience)
			return nil
		}
	}
	return aftermath.Errorf(aftermath.ENOTFOUND, "dataset audience: no dataset %q", name)
}

// placement reads an --audience and --org pair.
func placement(ctx context.Context, db *sqldb.DB, audience, org string) (*sqldb.Placement, error) {
	a, err := aftermath.ParseAudience(audience)
	if err != nil {
		return nil, err
	}
	p := &sqldb.Placement{Audience: a}
	if org != "" {
		o, err := db.Organisation(ctx, org)
		if err != nil {
			return nil, err
		}
		p.OwnerOrg = o.ID
	}
	return p, nil
}

func runOrg(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "org", orgUsage, []subcommand{{"share", orgShare}})
}

const orgUsage = `Usage: aftermath org share ORG PARTNER

  share ORG PARTNER   let PARTNER's members see ORG's records whose audience
                      is partners
`

func orgShare(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "org share", "org share ORG PARTNER")
	dsn := dbFlag(fs, env)
	org, rest := splitRef(args)
	partner, rest := splitRef(rest)
	if err := parse(fs, rest); err != nil {
		return err
	}
	if org == "" || partner == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("org share: say which organisation shares with which partner")}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := db.Organisation(ctx, org)
	if err != nil {
		return err
	}
	p, err := db.Organisation(ctx, partner)
	if err != nil {
		return err
	}
	if err := db.SharePartners(ctx, o.ID, p.ID); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s now shares its partners records with %s\n", org, partner)
	return nil
}
