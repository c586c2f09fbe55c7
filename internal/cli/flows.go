package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/csvout"
	"aftermath/internal/importer"
)

// runFlowImport is "import sipri|iati FILE…": each file in one
// transaction.
func runFlowImport(ctx context.Context, env *Env, what string, args []string) error {
	fs := newFlags(env, "import", `import sipri|iati [--db DB] FILE…

sipri: SIPRI Arms Transfers Database trade-register CSV exports, the classic
layout (preamble, '?' flag columns) or the newer one (deal ids, one row per
delivery year). A newer export of the same register updates its deals.
iati: IATI 2.03 activity XML files, streamed, and IATI codelist XML files
(Sector, Country, Region, OrganisationType …) for names in English and
French. An activity is replaced by a later file's unless the stored one
was updated later. Each file is one transaction: a bad record stops it
and leaves the database as it was.`)
	dsn := dbFlag(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("import %s: no file given", what)}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, f := range files {
		var res *importer.FlowResult
		if what == "sipri" {
			res, err = importer.ImportSIPRI(ctx, db, aftermath.ImportAs{}, f)
		} else {
			res, err = importer.ImportIATI(ctx, db, aftermath.ImportAs{}, f)
		}
		if err != nil {
			return fmt.Errorf("%w (nothing from this file was imported)", err)
		}
		c := res.Counts
		switch res.What {
		case "codelist":
			fmt.Fprintf(env.Stdout, "%s: IATI codelist %s: %d codes\n", f, res.Title, c.Read)
		case "iati":
			fmt.Fprintf(env.Stdout, "%s: iati: read %d activities, inserted %d, updated %d, unchanged %d\n", f, c.Read, c.Inserted, c.Updated, c.Unchanged)
		default:
			fmt.Fprintf(env.Stdout, "%s: sipri %q: read %d deals, inserted %d, updated %d, unchanged %d, removed %d\n",
				f, res.Title, c.Read, c.Inserted, c.Updated, c.Unchanged, c.Removed)
		}
	}
	return nil
}

func runFlows(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "flows", `flows --kind arms|aid [--supplier X] [--recipient ISO3] [--by KEYS] [--from YYYY] [--to YYYY] --format csv|json

Sums arms transfers (SIPRI) or aid transactions (IATI), grouped by KEYS and
sorted by them (then by currency, for aid). docs/method.md states the rules.
arms: KEYS from supplier,recipient,order_year,weapon_description; values
deals,number_delivered,tiv_order,tiv_delivered (SIPRI's per-deal figures in
millions of TIV; an empty cell counts as nothing); --supplier is a SIPRI
supplier name, --recipient the recipient state, --from/--to the order year.
aid: KEYS from reporting_org,recipient_country,sector,transaction_type,year;
values currency,transactions,value (currencies are never added together);
--supplier is a reporting organisation's identifier or name, --recipient
the recipient country, --from/--to the transaction year.`)
	dsn := dbFlag(fs, env)
	kind := fs.String("kind", "", "arms or aid")
	supplier := fs.String("supplier", "", "arms: the supplier as SIPRI spells it; aid: the reporting organisation's identifier or name")
	recipient := fs.String("recipient", "", "the recipient country's ISO 3166-1 alpha-3 code")
	by := fs.String("by", "", "comma list of keys to group by (default: one total row)")
	from := fs.Int("from", 0, "first year (arms: of order; aid: of the transaction)")
	to := fs.Int("to", 0, "last year")
	format := fs.String("format", "", "csv or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("flows: unexpected argument %q", fs.Arg(0))}
	}
	keys := aftermath.ArmsFlowKeys
	switch *kind {
	case aftermath.FlowsArms:
	case aftermath.FlowsAid:
		keys = aftermath.AidFlowKeys
	default:
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("flows: --kind %q: use arms or aid", *kind)}
	}
	if *format != "csv" && *format != "json" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("flows: --format %q: use csv or json", *format)}
	}
	q := aftermath.FlowQuery{Kind: *kind, Supplier: strings.TrimSpace(*supplier), Recipient: strings.ToUpper(strings.TrimSpace(*recipient)), From: *from, To: *to}
	var err error
	if q.By, err = byKeys("flows --kind "+*kind, *by, keys); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Flows(ctx, q)
	if err != nil {
		return err
	}
	if *format == "csv" {
		w := csvout.NewWriter(env.Stdout)
		w.Write(aftermath.FlowColumns(*kind, q.By))
		for _, r := range rows {
			w.Write(aftermath.FlowCells(*kind, r))
		}
		w.Flush()
		return w.Error()
	}
	out := aftermath.FlowObjects(*kind, q.By, rows)
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// landscapeColumns are the columns of "funding".
var landscapeColumns = []string{"year", "currency", "transactions", "total", aftermath.BucketSecurity, aftermath.BucketPeacebuilding,
	aftermath.BucketOther, aftermath.BucketNoSector, "pcve", "local", "gender"}

func runFunding(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "funding", `funding --recipient ISO3 [--supplier ORG] [--force WORDS] [--types 3] [--from YYYY] [--to YYYY] [--pcve-terms T,…] [--pcve-sectors S,…] [--format csv|json]

A country's funding landscape from IATI transactions, by year and currency:
security (DAC 152xx but 15220, 15230), peacebuilding (15220, 15230), other
and no sector, with the parts identified as P/CVE (a P/CVE sector and one
of the terms in the activity's title or description), reaching
organisations based in the country, and marked for gender equality or for
women's rights organisations (15170). docs/method.md states every rule.
JSON also lists the activities the P/CVE rule picked with the words found.`)
	dsn := dbFlag(fs, env)
	recipient := fs.String("recipient", "", "the recipient country's ISO 3166-1 alpha-3 code (required)")
	supplier := fs.String("supplier", "", "only this reporting organisation (identifier or name)")
	types := fs.String("types", "3", "transaction types counted, comma separated (3 disbursement, 4 expenditure, 2 commitment)")
	from := fs.Int("from", 0, "first transaction year")
	to := fs.Int("to", 0, "last transaction year")
	terms := fs.String("pcve-terms", strings.Join(aftermath.DefaultPCVERule.Terms, ","), "P/CVE: words looked for in titles and descriptions, comma separated")
	sectors := fs.String("pcve-sectors", strings.Join(aftermath.DefaultPCVERule.Sectors, ","), "P/CVE: DAC 5-digit sectors the words count in, comma separated")
	force := fs.String("force", "", "only activities whose title, description, participating organisations or receiver name these words (a force: \"police\", \"National Guard\")")
	format := fs.String("format", "csv", "csv or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("funding: unexpected argument %q", fs.Arg(0))}
	}
	if *recipient == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("funding: --recipient ISO3 is required")}
	}
	if *format != "csv" && *format != "json" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("funding: --format %q: use csv or json", *format)}
	}
	q := aftermath.LandscapeQuery{Recipient: strings.ToUpper(strings.TrimSpace(*recipient)), Supplier: strings.TrimSpace(*supplier), From: *from, To: *to,
		PCVE: aftermath.PCVERule{Terms: commaList(*terms), Sectors: commaList(*sectors)}, Mentions: strings.TrimSpace(*force)}
	for _, t := range commaList(*types) {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > 13 {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("funding: --types: %q is not an IATI transaction type (1-13)", t)}
		}
		q.Types = append(q.Types, n)
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := db.FundingLandscape(ctx, q)
	if err != nil {
		return err
	}
	money := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	if *format == "csv" {
		w := csvout.NewWriter(env.Stdout)
		w.Write(landscapeColumns)
		for _, r := range l.Rows {
			w.Write([]string{strconv.Itoa(r.Year), r.Currency, strconv.FormatInt(r.Transactions, 10), money(r.Total),
				money(r.Buckets[aftermath.BucketSecurity]), money(r.Buckets[aftermath.BucketPeacebuilding]), money(r.Buckets[aftermath.BucketOther]),
				money(r.Buckets[aftermath.BucketNoSector]), money(r.PCVE), money(r.Local), money(r.Gender)})
		}
		w.Flush()
		return w.Error()
	}
	out := aftermath.LandscapeJSON(l)
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
