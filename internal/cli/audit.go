package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"aftermath"
	"aftermath/internal/sqldb"
)

func runAudit(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "audit", auditUsage, []subcommand{
		{"verify", auditVerify},
		{"list", auditList},
	})
}

const auditUsage = `Usage: aftermath audit verify|list [flags]

  verify [--head HASH…]   check the hash chain of the audit log; exit 1 at the
                          first broken entry. Note the head it prints somewhere
                          else: --head checks later that it is still there
  list [--record TYPE:ID] [--action A] [--limit N]   show entries, newest first
`

func auditVerify(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "audit verify", "audit verify [--db DB] [--head HASH]…")
	dsn := dbFlag(fs, env)
	var heads listFlag
	fs.Var(&heads, "head", "a head hash noted earlier, which must still be in the log (repeat for more)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.VerifyAudit(ctx, aftermath.System, heads...)
	if err != nil {
		return err
	}
	if r.Break != nil {
		fmt.Fprintf(env.Stdout, "audit log broken at entry %d: %s\n", r.Break.ID, r.Break.Reason)
		return &ExitError{Code: exitFailure, Err: errors.New("audit verify: the audit log was tampered with")}
	}
	if len(r.Missing) > 0 {
		fmt.Fprintf(env.Stdout, "audit log cut back or rewritten: head %s is no longer in it\n", strings.Join(r.Missing, ", "))
		return &ExitError{Code: exitFailure, Err: errors.New("audit verify: the audit log was tampered with")}
	}
	fmt.Fprintf(env.Stdout, "audit log intact: %d entries\n", r.Entries)
	if r.Head != "" {
		fmt.Fprintf(env.Stdout, "head %s\n", r.Head)
	}
	return nil
}

func auditList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "audit list", "audit list [--db DB] [--record TYPE:ID] [--action ACTION] [--limit N]")
	dsn := dbFlag(fs, env)
	record := fs.String("record", "", "only entries about this record, e.g. testimony:12")
	action := fs.String("action", "", "only this action: "+strings.Join(aftermath.AuditActions, ", "))
	limit := fs.Int("limit", 50, "at most this many entries")
	if err := parse(fs, args); err != nil {
		return err
	}
	f := sqldb.AuditFilter{Action: *action, Limit: *limit}
	if *record != "" {
		typ, id, ok := strings.Cut(*record, ":")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("audit list: --record %q is not TYPE:ID", *record)}
		}
		f.RecordType, f.RecordID = typ, n
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	entries, err := db.AuditEntries(ctx, aftermath.System, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAT\tACTOR\tACTION\tRECORD\tDETAIL")
	for _, e := range entries {
		actor, rec := "system", e.RecordType
		if e.ActorID != 0 {
			actor = "user " + strconv.FormatInt(e.ActorID, 10)
		}
		if e.RecordID != 0 {
			rec += ":" + strconv.FormatInt(e.RecordID, 10)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.At.Format("2006-01-02 15:04:05"), actor, e.Action, rec, e.Detail)
	}
	return tw.Flush()
}
