package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/geo"
)

// armsRegister is a stored register's scope.
type armsRegister struct {
	id                    int64
	title                 string
	suppliers, recipients string
	from, to              int
}

const allCountries = "All countries"

// covers reports whether a's scope holds all of b's: every supplier and
// recipient of b, over at least b's years.
func (a armsRegister) covers(b armsRegister) bool {
	if a.suppliers != allCountries && a.suppliers != b.suppliers || a.recipients != allCountries && a.recipients != b.recipients {
		return false
	}
	if a.from != 0 && (b.from == 0 || b.from < a.from) {
		return false
	}
	return a.to == 0 || b.to != 0 && b.to <= a.to
}

// countedRegisters are the registers whose deals a query counts: a
// register whose scope another stored one covers is left out, so that a
// deal two exports both list (the register for Ukraine and the one for
// all countries) counts once. Of two with the same scope the older stays.
func (db *DB) countedRegisters(ctx context.Context) ([]int64, error) {
	var all []armsRegister
	err := db.each(ctx, `SELECT id, title, suppliers, recipients, from_year, to_year FROM arms_registers ORDER BY id`, nil, func(rows *sql.Rows) error {
		var r armsRegister
		if err := rows.Scan(&r.id, &r.title, &r.suppliers, &r.recipients, &r.from, &r.to); err != nil {
			return err
		}
		all = append(all, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var counted []int64
	for _, b := range all {
		shadowed := slices.ContainsFunc(all, func(a armsRegister) bool {
			return a.id != b.id && a.covers(b) && (!b.covers(a) || a.id < b.id)
		})
		if !shadowed {
			counted = append(counted, b.id)
		}
	}
	return counted, nil
}

// Flows answers a flows query (docs/method.md): arms from SIPRI's deals,
// aid from IATI transactions, grouped by the keys asked for and sorted by
// them.
func (db *DB) Flows(ctx context.Context, q aftermath.FlowQuery) ([]aftermath.FlowRow, error) {
	keys := aftermath.ArmsFlowKeys
	if q.Kind == aftermath.FlowsAid {
		keys = aftermath.AidFlowKeys
	} else if q.Kind != aftermath.FlowsArms {
		return nil, aftermath.Errorf(aftermath.EINVALID, "flows: kind %q: use arms or aid", q.Kind)
	}
	seen := map[string]bool{}
	for _, k := range q.By {
		if !slices.Contains(keys, k) {
			return nil, aftermath.Errorf(aftermath.EINVALID, "flows --kind %s: no key %q; use %s", q.Kind, k, strings.Join(keys, ", "))
		}
		if seen[k] {
			return nil, aftermath.Errorf(aftermath.EINVALID, "flows: key %q given twice", k)
		}
		seen[k] = true
	}
	if q.From != 0 && q.To != 0 && q.From > q.To {
		return nil, aftermath.Errorf(aftermath.EINVALID, "flows: --from %d is after --to %d", q.From, q.To)
	}
	if q.Recipient != "" {
		c, ok := geo.ByAlpha3(q.Recipient)
		if !ok {
			return nil, aftermath.Errorf(aftermath.EINVALID, "flows: --recipient %q is not an ISO 3166-1 alpha-3 code", q.Recipient)
		}
		q.Recipient = c.Alpha3
	}
	var rows []aftermath.FlowRow
	var err error
	if q.Kind == aftermath.FlowsArms {
		rows, err = db.armsFlows(ctx, q)
	} else {
		rows, err = db.aidFlows(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b aftermath.FlowRow) int {
		for i := range a.Keys {
			if c := compareKey(a.Keys[i], b.Keys[i]); c != 0 {
				return c
			}
		}
		return strings.Compare(a.Currency, b.Currency)
	})
	return rows, nil
}

// compareKey orders numbers (years, codes) as numbers, the rest as text;
// an empty cell comes last.
func compareKey(a, b string) int {
	if (a == "") != (b == "") {
		if a == "" {
			return 1
		}
		return -1
	}
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

func (db *DB) armsFlows(ctx context.Context, q aftermath.FlowQuery) ([]aftermath.FlowRow, error) {
	ids, err := db.countedRegisters(ctx)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	where := []string{`register_id IN (` + ints(ids) + `)`}
	var args []any
	if q.Supplier != "" {
		where = append(where, `lower(supplier) = lower(?)`)
		args = append(args, q.Supplier)
	}
	if q.Recipient != "" {
		where = append(where, `recipient_iso3 = ?`)
		args = append(args, q.Recipient)
	}
	if q.From != 0 {
		where = append(where, `order_year >= ?`)
		args = append(args, q.From)
	}
	if q.To != 0 {
		where = append(where, `order_year <= ?`)
		args = append(args, q.To)
	}
	groups := map[string]*aftermath.FlowRow{}
	err = db.each(ctx, `SELECT supplier, recipient, order_year, description, number_delivered, tiv_order, tiv_delivered,
		number_delivered_uncertain, order_year_uncertain FROM arms_deals WHERE `+strings.Join(where, " AND "), args, func(rows *sql.Rows) error {
		var supplier, recipient, description string
		var year int
		var number, tivOrder, tivDelivered sql.NullInt64
		var numberUncertain, yearUncertain bool
		if err := rows.Scan(&supplier, &recipient, &year, &description, &number, &tivOrder, &tivDelivered, &numberUncertain, &yearUncertain); err != nil {
			return err
		}
		key := make([]string, len(q.By))
		for i, k := range q.By {
			switch k {
			case "supplier":
				key[i] = supplier
			case "recipient":
				key[i] = recipient
			case "order_year":
				key[i] = strconv.Itoa(year)
			case "weapon_description":
				key[i] = description
			}
		}
		g := group(groups, key, "")
		g.Deals++
		g.NumberDelivered += number.Int64
		g.TIVOrder += aftermath.MilliTIV(tivOrder.Int64)
		g.TIVDelivered += aftermath.MilliTIV(tivDelivered.Int64)
		if numberUncertain || yearUncertain {
			g.Uncertain++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("arms flows: %w", err)
	}
	return values(groups), nil
}

// group finds or makes the row of key (and currency, for aid).
func group(groups map[string]*aftermath.FlowRow, key []string, currency string) *aftermath.FlowRow {
	k := strings.Join(key, "\x00") + "\x00" + currency
	g, ok := groups[k]
	if !ok {
		g = &aftermath.FlowRow{Keys: key, Currency: currency}
		groups[k] = g
	}
	return g
}

func values(groups map[string]*aftermath.FlowRow) []aftermath.FlowRow {
	out := make([]aftermath.FlowRow, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	return out
}

// share is a part of a transaction: a code and the fraction of the value
// it takes.
type share struct {
	code string
	frac float64
}

// splitShares turns an activity's countries or sectors into fractions:
// each its percentage; one without a percentage takes 100 % when it is the
// only one, and several without any share the value evenly (so a
// transaction still counts once); none gives one empty cell.
func splitShares(list []share, given []bool) []share {
	if len(list) == 0 {
		return []share{{"", 1}}
	}
	missing := 0
	for _, g := range given {
		if !g {
			missing++
		}
	}
	if missing == len(list) {
		out := make([]share, len(list))
		for i, s := range list {
			out[i] = share{s.code, 1 / float64(len(list))}
		}
		return out
	}
	out := make([]share, len(list))
	for i, s := range list {
		if given[i] {
			out[i] = share{s.code, s.frac / 100}
		} else {
			out[i] = share{s.code, 1}
		}
	}
	return out
}

func (db *DB) activityShares(ctx context.Context, table, where string) (map[int64][]share, map[int64][]bool, error) {
	shares, given := map[int64][]share{}, map[int64][]bool{}
	err := db.each(ctx, `SELECT activity_id, code, percentage FROM `+table+where+` ORDER BY activity_id, code`, nil, func(rows *sql.Rows) error {
		var id int64
		var code string
		var pct sql.NullFloat64
		if err := rows.Scan(&id, &code, &pct); err != nil {
			return err
		}
		shares[id] = append(shares[id], share{code, pct.Float64})
		given[id] = append(given[id], pct.Valid)
		return nil
	})
	return shares, given, err
}

func (db *DB) aidFlows(ctx context.Context, q aftermath.FlowQuery) ([]aftermath.FlowRow, error) {
	alpha2 := ""
	if q.Recipient != "" {
		c, _ := geo.ByAlpha3(q.Recipient)
		alpha2 = c.Alpha2
	}
	byCountry := slices.Contains(q.By, "recipient_country") || alpha2 != ""
	bySector := slices.Contains(q.By, "sector")
	countries, countryGiven, err := db.activityShares(ctx, "aid_activity_countries", "")
	if err != nil {
		return nil, fmt.Errorf("aid flows: %w", err)
	}
	sectors, sectorGiven, err := db.activityShares(ctx, "aid_activity_sectors", ` WHERE vocabulary = '1'`)
	if err != nil {
		return nil, fmt.Errorf("aid flows: %w", err)
	}
	where, args := aidWhere([]string{"1 = 1"}, nil, q.Supplier, q.From, q.To)
	groups := map[string]*aftermath.FlowRow{}
	counted := map[string]int64{} // group → last transaction id counted
	one := []share{{"", 1}}
	err = db.each(ctx, `SELECT t.id, t.activity_id, a.reporting_ref, a.reporting_name, t.type, t.year, t.value, t.currency, t.sector, t.recipient_country
		FROM aid_transactions t JOIN aid_activities a ON a.id = t.activity_id WHERE `+strings.Join(where, " AND ")+` ORDER BY t.id`, args, func(rows *sql.Rows) error {
		var id, act int64
		var ref, name, sector, country, currency string
		var typ, year int
		var value float64
		if err := rows.Scan(&id, &act, &ref, &name, &typ, &year, &value, &currency, &sector, &country); err != nil {
			return err
		}
		cs, ss := one, one
		if byCountry {
			if country != "" {
				cs = []share{{country, 1}}
			} else {
				cs = splitShares(countries[act], countryGiven[act])
			}
		}
		if bySector {
			if sector != "" {
				ss = []share{{sector, 1}}
			} else {
				ss = splitShares(sectors[act], sectorGiven[act])
			}
		}
		org := ref
		if org == "" {
			org = name
		}
		for _, c := range cs {
			if alpha2 != "" && !strings.EqualFold(c.code, alpha2) {
				continue
			}
			for _, s := range ss {
				key := make([]string, len(q.By))
				for i, k := range q.By {
					switch k {
					case "reporting_org":
						key[i] = org
					case "recipient_country":
						key[i] = c.code
					case "sector":
						key[i] = s.code
					case "transaction_type":
						key[i] = strconv.Itoa(typ)
					case "year":
						if year != 0 {
							key[i] = strconv.Itoa(year)
						}
					}
				}
				g := group(groups, key, currency)
				gk := strings.Join(key, "\x00") + "\x00" + currency
				if counted[gk] != id {
					counted[gk] = id
					g.Transactions++
				}
				g.Value += value * c.frac * s.frac
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("aid flows: %w", err)
	}
	return values(groups), nil
}

// aidWhere adds the reporting organisation and transaction years to a
// query on aid_transactions t joined to aid_activities a.
func aidWhere(where []string, args []any, supplier string, from, to int) ([]string, []any) {
	if supplier != "" {
		where = append(where, `(lower(a.reporting_ref) = lower(?) OR lower(a.reporting_name) = lower(?))`)
		args = append(args, supplier, supplier)
	}
	if from != 0 {
		where = append(where, `t.year >= ?`)
		args = append(args, from)
	}
	if to != 0 {
		where = append(where, `t.year <= ?`)
		args = append(args, to)
	}
	return where, args
}

var _ aftermath.ArmsFigures = (*DB)(nil)

// partyClause matches a supplier or recipient column pair against ISO3
// codes or SIPRI names.
func partyClause(col string, parties []string) (string, []any) {
	var ors []string
	var args []any
	for _, p := range parties {
		p = strings.TrimSpace(p)
		if c, ok := geo.ByAlpha3(p); ok && len(p) == 3 {
			ors = append(ors, col+`_iso3 = ?`)
			args = append(args, c.Alpha3)
			continue
		}
		name := strings.TrimRight(p, "*")
		ors = append(ors, `lower(`+col+`) IN (lower(?), lower(?), lower(?))`)
		args = append(args, name, name+"*", name+"**")
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// ArmsDeliveries sums deliveries by year, supplier and recipient, over
// the registers counted (countedRegisters).
func (db *DB) ArmsDeliveries(ctx context.Context, q aftermath.DeliveryQuery) ([]aftermath.DeliveryYear, error) {
	ids, err := db.countedRegisters(ctx)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	where := []string{`d.register_id IN (` + ints(ids) + `)`}
	var args []any
	if len(q.Suppliers) > 0 {
		c, a := partyClause("d.supplier", q.Suppliers)
		where, args = append(where, c), append(args, a...)
	}
	if len(q.Recipients) > 0 {
		c, a := partyClause("d.recipient", q.Recipients)
		where, args = append(where, c), append(args, a...)
	}
	if q.Mentions != "" {
		// Validate keeps % and _ out of a force, so it is a plain LIKE.
		where, args = append(where, `lower(d.comments) LIKE ?`), append(args, "%"+strings.ToLower(q.Mentions)+"%")
	}
	if q.From != 0 {
		where, args = append(where, `v.year >= ?`), append(args, q.From)
	}
	if q.To != 0 {
		where, args = append(where, `v.year <= ?`), append(args, q.To)
	}
	var out []aftermath.DeliveryYear
	err = db.each(ctx, `SELECT v.year, d.supplier, d.recipient, d.supplier_iso3, d.recipient_iso3, count(DISTINCT d.id), COALESCE(sum(v.tiv), 0), max(CASE WHEN v.estimate THEN 1 ELSE 0 END)
		FROM arms_deliveries v JOIN arms_deals d ON d.id = v.deal_id WHERE `+strings.Join(where, " AND ")+`
		GROUP BY v.year, d.supplier, d.recipient, d.supplier_iso3, d.recipient_iso3 ORDER BY v.year, d.supplier, d.recipient`, args, func(rows *sql.Rows) error {
		var y aftermath.DeliveryYear
		var tiv int64
		var est int
		if err := rows.Scan(&y.Year, &y.Supplier, &y.Recipient, &y.SupplierISO3, &y.RecipientISO3, &y.Deals, &tiv, &est); err != nil {
			return err
		}
		y.TIV, y.Estimate = aftermath.MilliTIV(tiv), est == 1
		out = append(out, y)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("arms deliveries: %w", err)
	}
	return out, nil
}

// ArmsForces counts the force terms in a recipient's deals' comments.
func (db *DB) ArmsForces(ctx context.Context, recipient string) ([]aftermath.ForceMention, error) {
	ids, err := db.countedRegisters(ctx)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	c, args := partyClause("recipient", []string{recipient})
	counts := map[string]int64{}
	err = db.each(ctx, `SELECT comments FROM arms_deals WHERE comments <> '' AND register_id IN (`+ints(ids)+`) AND `+c, args, func(rows *sql.Rows) error {
		var comments string
		if err := rows.Scan(&comments); err != nil {
			return err
		}
		for _, f := range MatchWords(comments, aftermath.ForceTerms) {
			counts[f]++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("arms forces: %w", err)
	}
	out := make([]aftermath.ForceMention, 0, len(counts))
	for f, n := range counts {
		out = append(out, aftermath.ForceMention{Force: f, Deals: n})
	}
	slices.SortFunc(out, func(a, b aftermath.ForceMention) int {
		return cmp.Or(cmp.Compare(b.Deals, a.Deals), strings.Compare(a.Force, b.Force))
	})
	return out, nil
}

// FlowCountries lists the states of the counted registers' recipients
// and the countries IATI transactions or activities name.
func (db *DB) FlowCountries(ctx context.Context) ([]string, error) {
	ids, err := db.countedRegisters(ctx)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	add := func(q string, alpha2 bool) error {
		return db.each(ctx, q, nil, func(rows *sql.Rows) error {
			var code string
			if err := rows.Scan(&code); err != nil {
				return err
			}
			if alpha2 {
				code = alpha3Of(code)
			}
			if code != "" {
				set[code] = true
			}
			return nil
		})
	}
	if len(ids) > 0 {
		if err := add(`SELECT DISTINCT recipient_iso3 FROM arms_deals WHERE recipient_iso3 <> '' AND register_id IN (`+ints(ids)+`)`, false); err != nil {
			return nil, fmt.Errorf("flow countries: %w", err)
		}
	}
	if err := add(`SELECT DISTINCT recipient_country FROM aid_transactions WHERE recipient_country <> '' UNION SELECT DISTINCT code FROM aid_activity_countries`, true); err != nil {
		return nil, fmt.Errorf("flow countries: %w", err)
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	slices.Sort(out)
	return out, nil
}

// alpha3Of maps an ISO alpha-2 code, as IATI publishes it, to alpha-3
// ("" when unknown).
func alpha3Of(alpha2 string) string {
	for _, c := range geo.All() {
		if strings.EqualFold(c.Alpha2, alpha2) {
			return c.Alpha3
		}
	}
	return ""
}
