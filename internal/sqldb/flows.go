package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftermath"
)

var _ aftermath.Flows = (*DB)(nil)

// mayWriteFlows is the rule for importing SIPRI and IATI data: the
// instance (the command line), or an editor or admin of some
// organisation, as for a new event dataset. The data is public as its
// publishers release it, so no organisation owns it.
func mayWriteFlows(as aftermath.ImportAs) error {
	if as.User == nil {
		return nil
	}
	if !as.User.Disabled && slices.ContainsFunc(as.User.Memberships, func(m aftermath.Membership) bool {
		return m.Role == aftermath.RoleAdmin || m.Role == aftermath.RoleEditor
	}) {
		return nil
	}
	return aftermath.Errorf(aftermath.EFORBIDDEN, "importing SIPRI or IATI data takes an editor or admin")
}

// contentHash is the first 8 bytes of a SHA-256 over v's JSON: the same
// value always serialises alike (struct fields in order, map keys sorted).
func contentHash(v any) (int64, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(b)
	return int64(binary.BigEndian.Uint64(sum[:8])), nil
}

func nullMilli(p *aftermath.MilliTIV) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// looseDealKey is what identifies a classic deal but its number ordered.
func looseDealKey(recipient, supplier string, year int, designation, description string) string {
	return strings.Join([]string{recipient, supplier, strconv.Itoa(year), designation, description}, "\x00")
}

func joinYears(ys []int) string {
	s := make([]string, len(ys))
	for i, y := range ys {
		s[i] = strconv.Itoa(y)
	}
	return strings.Join(s, "; ")
}

// ImportArmsRegister stores one SIPRI export in one transaction. Its
// register is named by the export's title (its scope): deals are matched
// by key, changed ones updated, ones the export no longer lists removed.
// An export generated before the one stored is refused, so an old file
// never undoes SIPRI's corrections.
func (db *DB) ImportArmsRegister(ctx context.Context, as aftermath.ImportAs, file, sha string, r *aftermath.ArmsRegister) (aftermath.FlowImportCounts, error) {
	var c aftermath.FlowImportCounts
	if err := mayWriteFlows(as); err != nil {
		return c, err
	}
	if r.Title == "" {
		return c, aftermath.Errorf(aftermath.EINVALID, "%s: the register has no title line", file)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.Now().UTC().Format(time.RFC3339)
		var regID int64
		var generated string
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT id, generated FROM arms_registers WHERE title = ?`), r.Title).Scan(&regID, &generated)
		switch {
		case err == sql.ErrNoRows:
			if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO arms_registers (title, layout, suppliers, recipients, from_year, to_year, generated, file, sha256, imported_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), r.Title, r.Layout, r.Suppliers, r.Recipients, r.FromYear, r.ToYear, r.Generated, file, sha, now).Scan(&regID); err != nil {
				return fmt.Errorf("register: %w", err)
			}
		case err != nil:
			return fmt.Errorf("register: %w", err)
		default:
			if r.Generated < generated {
				return aftermath.Errorf(aftermath.EINVALID, "%s: this export of %q was generated %s, before the one stored (%s); nothing imported", file, r.Title, r.Generated, generated)
			}
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE arms_registers SET layout = ?, generated = ?, file = ?, sha256 = ?, imported_at = ? WHERE id = ?`),
				r.Layout, r.Generated, file, sha, now, regID); err != nil {
				return fmt.Errorf("register: %w", err)
			}
		}
		type stored struct {
			id    int64
			hash  int64
			loose string
			seen  bool
		}
		old := map[string]*stored{}
		if err := eachRow(ctx, tx, db.rebind(`SELECT id, deal_key, hash, recipient, supplier, order_year, designation, description FROM arms_deals WHERE register_id = ?`), []any{regID}, func(rows *sql.Rows) error {
			var s stored
			var key, recipient, supplier, designation, description string
			var year int
			if err := rows.Scan(&s.id, &key, &s.hash, &recipient, &supplier, &year, &designation, &description); err != nil {
				return err
			}
			s.loose = looseDealKey(recipient, supplier, year, designation, description)
			old[key] = &s
			return nil
		}); err != nil {
			return fmt.Errorf("deals: %w", err)
		}
		// A classic deal's key includes the number ordered, which SIPRI
		// fills in once known: a new deal with no stored match takes the
		// place of the one stored deal no longer listed that agrees on
		// everything else, if there is exactly one each way.
		keys := map[string]bool{}
		for i := range r.Deals {
			keys[r.Deals[i].Key] = true
		}
		goneByLoose := map[string][]string{}
		for k, s := range old {
			if !keys[k] {
				goneByLoose[s.loose] = append(goneByLoose[s.loose], k)
			}
		}
		newByLoose := map[string]int{}
		for i := range r.Deals {
			d := &r.Deals[i]
			if _, ok := old[d.Key]; !ok {
				newByLoose[looseDealKey(d.Recipient, d.Supplier, d.OrderYear, d.Designation, d.Description)]++
			}
		}
		renamed := map[string]string{} // new key → stored key
		for i := range r.Deals {
			d := &r.Deals[i]
			if _, ok := old[d.Key]; ok || d.SIPRIID != "" {
				continue
			}
			l := looseDealKey(d.Recipient, d.Supplier, d.OrderYear, d.Designation, d.Description)
			if g := goneByLoose[l]; len(g) == 1 && newByLoose[l] == 1 {
				renamed[d.Key] = g[0]
			}
		}
		upd, err := tx.PrepareContext(ctx, db.rebind(`UPDATE arms_deals SET deal_key = ?, sipri_id = ?, line = ?, supplier = ?, recipient = ?, supplier_iso3 = ?, recipient_iso3 = ?,
			order_year = ?, order_year_uncertain = ?, number_ordered = ?, number_ordered_uncertain = ?, designation = ?, description = ?, category = ?,
			number_delivered = ?, number_delivered_uncertain = ?, delivery_years = ?, delivery_years_uncertain = ?, status = ?, comments = ?,
			tiv_unit = ?, tiv_order = ?, tiv_delivered = ?, sipri_estimate = ?, local_production = ?, hash = ? WHERE id = ?`))
		if err != nil {
			return err
		}
		defer upd.Close()
		delDeliveries, err := tx.PrepareContext(ctx, db.rebind(`DELETE FROM arms_deliveries WHERE deal_id = ?`))
		if err != nil {
			return err
		}
		defer delDeliveries.Close()
		// New deals and all deliveries go in many rows per statement: row
		// by row, PostgreSQL spent nearly all of a register's import in
		// round trips.
		type newDeal struct {
			d    *aftermath.ArmsDeal
			args []any
		}
		var inserts []newDeal
		var deliveries [][]any
		addDeliveries := func(id int64, d *aftermath.ArmsDeal) {
			for _, v := range d.Deliveries {
				// A deal delivered in one year is not spread: its TIV for
				// that year is SIPRI's own.
				estimate := v.Estimate && len(d.Deliveries) > 1
				deliveries = append(deliveries, []any{id, v.Year, v.YearUncertain, nullInt(v.Number), v.NumberUncertain, nullMilli(v.TIV), estimate})
			}
		}
		for i := range r.Deals {
			d := &r.Deals[i]
			c.Read++
			line := d.Line
			d.Line = 0 // where a deal sits in the file is not its content
			h, err := contentHash(d)
			d.Line = line
			if err != nil {
				return err
			}
			values := []any{d.SIPRIID, d.Line, d.Supplier, d.Recipient, d.SupplierISO3, d.RecipientISO3,
				d.OrderYear, d.OrderYearUncertain, nullInt(d.NumberOrdered), d.NumberOrderedUncertain, d.Designation, d.Description, d.Category,
				nullInt(d.NumberDelivered), d.NumberDeliveredUncertain, joinYears(d.DeliveryYears), d.DeliveryYearsUncertain, d.Status, d.Comments,
				nullMilli(d.TIVUnit), nullMilli(d.TIVOrder), nullMilli(d.TIVDelivered), d.SIPRIEstimate, d.LocalProduction, h}
			storedKey := d.Key
			if k, ok := renamed[d.Key]; ok {
				storedKey = k
			}
			s, ok := old[storedKey]
			if !ok {
				old[d.Key] = &stored{hash: h, seen: true}
				inserts = append(inserts, newDeal{d, append([]any{regID, d.Key}, values...)})
				c.Inserted++
				continue
			}
			if s.seen {
				return aftermath.Errorf(aftermath.EINVALID, "%s:%d: deal %s appears twice", file, d.Line, d.Key)
			}
			s.seen = true
			if s.hash == h {
				c.Unchanged++
				continue
			}
			if _, err := upd.ExecContext(ctx, append(append([]any{d.Key}, values...), s.id)...); err != nil {
				return fmt.Errorf("%s:%d: %w", file, d.Line, err)
			}
			if _, err := delDeliveries.ExecContext(ctx, s.id); err != nil {
				return err
			}
			addDeliveries(s.id, d)
			c.Updated++
		}
		const dealCols = `register_id, deal_key, sipri_id, line, supplier, recipient, supplier_iso3, recipient_iso3,
			order_year, order_year_uncertain, number_ordered, number_ordered_uncertain, designation, description, category,
			number_delivered, number_delivered_uncertain, delivery_years, delivery_years_uncertain, status, comments,
			tiv_unit, tiv_order, tiv_delivered, sipri_estimate, local_production, hash`
		for batch := range slices.Chunk(inserts, 400) {
			var args []any
			rows := make([]string, len(batch))
			for i, n := range batch {
				rows[i] = "(" + placeholders(len(n.args)) + ")"
				args = append(args, n.args...)
			}
			ids := map[string]int64{}
			if err := eachRow(ctx, tx, db.rebind(`INSERT INTO arms_deals (`+dealCols+`) VALUES `+strings.Join(rows, ", ")+` RETURNING id, deal_key`), args, func(rs *sql.Rows) error {
				var id int64
				var key string
				if err := rs.Scan(&id, &key); err != nil {
					return err
				}
				ids[key] = id
				return nil
			}); err != nil {
				return fmt.Errorf("%s:%d: %w", file, batch[0].d.Line, err)
			}
			for _, n := range batch {
				old[n.d.Key].id = ids[n.d.Key]
				addDeliveries(ids[n.d.Key], n.d)
			}
		}
		if err := db.insertRows(ctx, tx, "arms_deliveries", "deal_id, year, year_uncertain, number, number_uncertain, tiv, estimate", deliveries); err != nil {
			return fmt.Errorf("%s: deliveries: %w", file, err)
		}
		var gone []int64
		for _, s := range old {
			if !s.seen {
				gone = append(gone, s.id)
			}
		}
		slices.Sort(gone)
		for len(gone) > 0 {
			n := min(len(gone), 500)
			if _, err := tx.ExecContext(ctx, `DELETE FROM arms_deliveries WHERE deal_id IN (`+ints(gone[:n])+`)`); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM arms_deals WHERE id IN (`+ints(gone[:n])+`)`); err != nil {
				return err
			}
			c.Removed += int64(n)
			gone = gone[n:]
		}
		if c.Inserted+c.Updated+c.Removed > 0 {
			return bumpAudienceGeneration(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return aftermath.FlowImportCounts{}, err
	}
	return c, nil
}

// txCurrency is the currency a transaction's value is in: its own, else
// the activity's default.
func txCurrency(a *aftermath.AidActivity, t *aftermath.AidTransaction) string {
	if t.Value.Currency != "" {
		return t.Value.Currency
	}
	return a.DefaultCurrency
}

// ownSector is a transaction's own DAC 5-digit (vocabulary 1) sector.
func ownSector(sectors []aftermath.AidSector) string {
	for _, s := range sectors {
		if s.Vocabulary == "1" || s.Vocabulary == "" {
			return s.Code
		}
	}
	return ""
}

// activityHash hashes what an activity says, not where it sits in a file.
func activityHash(a *aftermath.AidActivity) (int64, []byte, error) {
	line := a.Line
	lines := make([]int, len(a.Transactions))
	a.Line = 0
	for i := range a.Transactions {
		lines[i], a.Transactions[i].Line = a.Transactions[i].Line, 0
	}
	doc, err := json.Marshal(a)
	a.Line = line
	for i := range a.Transactions {
		a.Transactions[i].Line = lines[i]
	}
	if err != nil {
		return 0, nil, err
	}
	sum := sha256.Sum256(doc)
	return int64(binary.BigEndian.Uint64(sum[:8])), doc, nil
}

// ImportAid stores IATI activities in one transaction. An activity is
// named by its identifier, global in IATI: a changed one replaces what was
// stored, unless what is stored was last updated later (an older file
// never undoes a newer one).
func (db *DB) ImportAid(ctx context.Context, as aftermath.ImportAs, file, sha string, acts func(yield func(*aftermath.AidActivity) error) error) (aftermath.FlowImportCounts, error) {
	var c aftermath.FlowImportCounts
	if err := mayWriteFlows(as); err != nil {
		return c, err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.Now().UTC().Format(time.RFC3339)
		var fileID int64
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO aid_files (file, sha256, imported_at) VALUES (?, ?, ?) RETURNING id`), file, sha, now).Scan(&fileID); err != nil {
			return fmt.Errorf("aid file: %w", err)
		}
		stmts := map[string]*sql.Stmt{}
		defer func() {
			for _, s := range stmts {
				s.Close()
			}
		}()
		exec := func(q string, args ...any) error {
			s, ok := stmts[q]
			if !ok {
				var err error
				if s, err = tx.PrepareContext(ctx, db.rebind(q)); err != nil {
					return err
				}
				stmts[q] = s
			}
			_, err := s.ExecContext(ctx, args...)
			return err
		}
		seen := map[string]int{}
		err := acts(func(a *aftermath.AidActivity) error {
			c.Read++
			if l, dup := seen[a.Identifier]; dup {
				return aftermath.Errorf(aftermath.EINVALID, "%s:%d: activity %q already appears at line %d", file, a.Line, a.Identifier, l)
			}
			seen[a.Identifier] = a.Line
			h, doc, err := activityHash(a)
			if err != nil {
				return err
			}
			var id, oldHash int64
			var lastUpdated string
			err = tx.QueryRowContext(ctx, db.rebind(`SELECT id, hash, last_updated FROM aid_activities WHERE identifier = ?`), a.Identifier).Scan(&id, &oldHash, &lastUpdated)
			switch {
			case err == sql.ErrNoRows:
				id = 0
			case err != nil:
				return err
			case oldHash == h || a.LastUpdated != "" && lastUpdated > a.LastUpdated:
				c.Unchanged++
				return nil
			}
			row := []any{fileID, a.Line, a.ReportingOrg.Ref, a.ReportingOrg.Name, a.ReportingOrg.Type, a.Title, a.Description,
				a.DefaultCurrency, a.Humanitarian, a.Status, a.LastUpdated, string(doc), h}
			if id == 0 {
				if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO aid_activities (file_id, line, reporting_ref, reporting_name, reporting_type, title, description,
					default_currency, humanitarian, status, last_updated, doc, hash, identifier) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
					append(row, a.Identifier)...).Scan(&id); err != nil {
					return fmt.Errorf("%s:%d: activity %s: %w", file, a.Line, a.Identifier, err)
				}
				c.Inserted++
			} else {
				if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE aid_activities SET file_id = ?, line = ?, reporting_ref = ?, reporting_name = ?, reporting_type = ?, title = ?, description = ?,
					default_currency = ?, humanitarian = ?, status = ?, last_updated = ?, doc = ?, hash = ? WHERE id = ?`), append(row, id)...); err != nil {
					return fmt.Errorf("%s:%d: activity %s: %w", file, a.Line, a.Identifier, err)
				}
				for _, t := range []string{"aid_activity_countries", "aid_activity_sectors", "aid_policy_markers", "aid_participants", "aid_transactions"} {
					if err := exec(`DELETE FROM `+t+` WHERE activity_id = ?`, id); err != nil {
						return err
					}
				}
				c.Updated++
			}
			// Each part of the activity in one statement per table.
			var countries, sectors, markers, participants, txs [][]any
			done := map[string]bool{}
			for _, rc := range a.RecipientCountries {
				if done[rc.Code] {
					continue // a code listed twice keeps its first percentage
				}
				done[rc.Code] = true
				countries = append(countries, []any{id, rc.Code, nullFloat(rc.Percentage)})
			}
			clear(done)
			for _, s := range a.Sectors {
				v := s.Vocabulary
				if v == "" {
					v = "1"
				}
				if done[v+"/"+s.Code] {
					continue
				}
				done[v+"/"+s.Code] = true
				sectors = append(sectors, []any{id, v, s.Code, nullFloat(s.Percentage)})
			}
			clear(done)
			for _, m := range a.PolicyMarkers {
				if done[m.Vocabulary+"/"+m.Code] {
					continue
				}
				done[m.Vocabulary+"/"+m.Code] = true
				markers = append(markers, []any{id, m.Vocabulary, m.Code, m.Significance})
			}
			for i, p := range a.Participating {
				participants = append(participants, []any{id, i, p.Role, p.Ref, p.Type, p.Name})
			}
			for i := range a.Transactions {
				t := &a.Transactions[i]
				year := 0
				if len(t.Date) >= 4 {
					year, _ = strconv.Atoi(t.Date[:4])
				}
				var hum any
				if t.Humanitarian != nil {
					hum = *t.Humanitarian
				}
				txs = append(txs, []any{id, i, t.Line, t.Ref, t.Type, t.Date, year, t.Value.Amount, txCurrency(a, t), t.Value.ValueDate, hum,
					ownSector(t.Sectors), t.RecipientCountry, t.RecipientRegion, t.Provider.Ref, t.Provider.Name, t.Receiver.Ref, t.Receiver.Name, t.Receiver.Type})
			}
			for _, part := range []struct {
				table, cols string
				rows        [][]any
			}{
				{"aid_activity_countries", "activity_id, code, percentage", countries},
				{"aid_activity_sectors", "activity_id, vocabulary, code, percentage", sectors},
				{"aid_policy_markers", "activity_id, vocabulary, code, significance", markers},
				{"aid_participants", "activity_id, seq, role, ref, type, name", participants},
				{"aid_transactions", `activity_id, seq, line, ref, type, date, year, value, currency, value_date, humanitarian,
					sector, recipient_country, recipient_region, provider_ref, provider_name, receiver_ref, receiver_name, receiver_type`, txs},
			} {
				if err := db.insertRows(ctx, tx, part.table, part.cols, part.rows); err != nil {
					return fmt.Errorf("%s:%d: activity %s: %w", file, a.Line, a.Identifier, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE aid_files SET activities = ? WHERE id = ?`), c.Read, fileID); err != nil {
			return err
		}
		if c.Inserted+c.Updated > 0 {
			return bumpAudienceGeneration(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return aftermath.FlowImportCounts{}, err
	}
	return c, nil
}

func nullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// ImportCodelist replaces one IATI codelist's codes.
func (db *DB) ImportCodelist(ctx context.Context, as aftermath.ImportAs, cl *aftermath.Codelist) (int, error) {
	if err := mayWriteFlows(as); err != nil {
		return 0, err
	}
	if cl.Name == "" {
		return 0, aftermath.Errorf(aftermath.EINVALID, "codelist without a name")
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM iati_codes WHERE list = ?`), cl.Name); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, db.rebind(`INSERT INTO iati_codes (list, code, name_en, name_fr, category) VALUES (?, ?, ?, ?, ?)`))
		if err != nil {
			return err
		}
		defer ins.Close()
		seen := map[string]bool{}
		for _, k := range cl.Codes {
			if seen[k.Code] {
				continue
			}
			seen[k.Code] = true
			if _, err := ins.ExecContext(ctx, cl.Name, k.Code, k.Name["en"], k.Name["fr"], k.Category); err != nil {
				return fmt.Errorf("codelist %s, code %s: %w", cl.Name, k.Code, err)
			}
		}
		return bumpAudienceGeneration(ctx, tx)
	})
	if err != nil {
		return 0, err
	}
	return len(cl.Codes), nil
}

// insertRows inserts rows into table's cols (a comma list) in as few
// statements as the drivers' parameter limits allow.
func (db *DB) insertRows(ctx context.Context, tx *sql.Tx, table, cols string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	one := "(" + placeholders(len(rows[0])) + ")"
	for batch := range slices.Chunk(rows, max(1, 30000/len(rows[0]))) {
		args := make([]any, 0, len(batch)*len(batch[0]))
		values := make([]string, len(batch))
		for i, r := range batch {
			values[i] = one
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO `+table+` (`+cols+`) VALUES `+strings.Join(values, ", ")), args...); err != nil {
			return err
		}
	}
	return nil
}
