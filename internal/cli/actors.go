package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"aftermath"
	"aftermath/internal/actorlink"
	"aftermath/internal/csvout"
	"aftermath/internal/sqldb"
)

func runActors(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "actors", actorsUsage, []subcommand{{"list", actorsList}, {"show", actorsShow}, {"merge", actorsMerge}})
}

const actorsUsage = `Usage: aftermath actors list [QUERY] [--format table|csv|json] [--db DB]
       aftermath actors show ID [--db DB]
       aftermath actors merge --into ID ID… [--as EMAIL] [--db DB]

  list    actors whose name or any dataset spelling contains QUERY (any
          case; all without one), those with most events first: id, name,
          kind, events as primary actor, and the dataset spellings.
          Placeholders (UCDP's XXX475) are listed as unidentified.
  show    one actor as JSON: its names, totals by dataset, opponents, the
          interventions that name it, and the actors merged into it with
          what each had (name, kind, spellings, external ids, who, when)
  merge   merge the actors ID… into actor --into: one actor for a state or
          organisation the datasets, the ledger and the interventions name
          differently. Their spellings, events and ledger records move to
          it, their pages lead to it, and the merge is recorded (what was
          merged: names, spellings, external ids) and audited. --as names
          the user who merges (an editor or admin; default: the system).
`

func actorsList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "actors list", "actors list [QUERY] [--format table|csv|json] [--limit N] [--db DB]")
	dsn := dbFlag(fs, env)
	format := fs.String("format", "table", "output format: table, csv or json")
	limit := fs.Int("limit", 100, "at most this many actors (1 to 500)")
	q, rest := splitRef(args)
	if err := parse(fs, rest); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("actors list: unexpected argument %q", fs.Arg(0))}
	}
	if err := tableFormat("actors list", *format); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.SearchActors(ctx, aftermath.System, q, *limit)
	if err != nil {
		return err
	}
	type row struct {
		ID           int64                  `json:"id"`
		Name         string                 `json:"name"`
		Unidentified bool                   `json:"unidentified,omitempty"`
		Kind         string                 `json:"kind"`
		Events       int64                  `json:"events"`
		Aliases      []aftermath.ActorAlias `json:"aliases"`
	}
	out := []row{}
	for _, s := range list {
		a, err := db.Actor(ctx, aftermath.System, s.ID)
		if err != nil {
			return err
		}
		_, unidentified := actorlink.Unidentified(s.Name)
		out = append(out, row{ID: s.ID, Name: s.Name, Unidentified: unidentified, Kind: s.Kind, Events: s.Events, Aliases: orNone(a.Aliases)})
	}
	name := func(r row) string {
		if r.Unidentified {
			return "unidentified (" + r.Name + ")"
		}
		return r.Name
	}
	spellings := func(r row) string {
		var s []string
		for _, al := range r.Aliases {
			s = append(s, al.Dataset+": "+al.Name)
		}
		return strings.Join(s, "; ")
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "csv":
		w := csvout.NewWriter(env.Stdout)
		w.Write([]string{"id", "name", "unidentified", "kind", "events", "aliases"})
		for _, r := range out {
			w.Write([]string{strconv.FormatInt(r.ID, 10), r.Name, strconv.FormatBool(r.Unidentified), r.Kind, strconv.FormatInt(r.Events, 10), spellings(r)})
		}
		w.Flush()
		return w.Error()
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tname\tkind\tevents\taliases")
	for _, r := range out {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\n", r.ID, name(r), r.Kind, r.Events, spellings(r))
	}
	return tw.Flush()
}

func orNone(as []aftermath.ActorAlias) []aftermath.ActorAlias {
	if as == nil {
		return []aftermath.ActorAlias{}
	}
	return as
}

func actorsShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "actors show", "actors show ID [--db DB]")
	dsn := dbFlag(fs, env)
	id, err := ledgerRef(fs, args, "actor")
	if err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.Actor(ctx, aftermath.System, id)
	if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
		if into, merr := db.ActorMergedInto(ctx, aftermath.System, id); merr == nil {
			return aftermath.Errorf(aftermath.ENOTFOUND, "actor %d was merged into actor %d: aftermath actors show %d", id, into, into)
		}
	}
	if err != nil {
		return err
	}
	p, err := db.ActorProfile(ctx, aftermath.System, id)
	if err != nil {
		return err
	}
	return writeJSON(env.Stdout, struct {
		*aftermath.Actor
		*aftermath.ActorProfile
	}{a, p})
}

func actorsMerge(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "actors merge", "actors merge --into ID ID… [--as EMAIL] [--db DB]")
	dsn := dbFlag(fs, env)
	into := fs.Int64("into", 0, "the actor that stays: the others are merged into it")
	as := fs.String("as", "", "email of the user who merges, an editor or admin (default: the system)")
	// The ids may come before or after the flags.
	var ids []int64
	rest := args
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		ids = append(ids, 0)
		if _, err := fmt.Sscan(rest[0], &ids[len(ids)-1]); err != nil || ids[len(ids)-1] <= 0 {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("actors merge: %q is not an actor id", rest[0])}
		}
		rest = rest[1:]
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	for _, a := range fs.Args() {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("actors merge: %q is not an actor id", a)}
		}
		ids = append(ids, id)
	}
	if *into <= 0 || len(ids) == 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("actors merge: say --into ID and the ids of the actors to merge into it")}
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := viewerAs(ctx, db, *as)
	if err != nil {
		return err
	}
	if err := db.MergeActors(ctx, v, *into, ids); err != nil {
		return err
	}
	a, err := db.Actor(ctx, aftermath.System, *into)
	if err != nil {
		return err
	}
	var names []string
	for _, al := range a.Aliases {
		names = append(names, al.Dataset+": "+al.Name)
	}
	fmt.Fprintf(env.Stdout, "merged %d actor(s) into %d (%s); its spellings: %s\n", len(ids), a.ID, a.Name, strings.Join(names, "; "))
	return nil
}

// viewerAs is the user with that email as a viewer of the store, or the
// system when email is "".
func viewerAs(ctx context.Context, db *sqldb.DB, email string) (aftermath.Viewer, error) {
	if email == "" {
		return aftermath.System, nil
	}
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		return aftermath.Viewer{}, err
	}
	return db.Viewer(ctx, u)
}
