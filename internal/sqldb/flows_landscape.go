package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"aftermath"
	"aftermath/internal/geo"
)

// Bucket puts a DAC 5-digit purpose code in a funding-landscape bucket.
func Bucket(code string) string {
	switch {
	case code == "":
		return aftermath.BucketNoSector
	case code == "15220" || code == "15230":
		return aftermath.BucketPeacebuilding
	case strings.HasPrefix(code, "152"):
		return aftermath.BucketSecurity
	}
	return aftermath.BucketOther
}

// MatchTerms returns the rule's terms found in text: a term matches at
// the start of a word, and an acronym (no lower-case letter) only as a
// whole word, so "CVE" is not found in "CVEs" and "radicalisation"
// matches "radicalisation-prevention".
func MatchTerms(text string, terms []string) []string {
	return findTerms(text, terms, func(term string) bool { return strings.ToUpper(term) == term })
}

// MatchWords returns the terms found in text as whole words ("police"
// in "for police", not in "policemen"); a deal "for border police" counts
// for both "border police" and "police".
func MatchWords(text string, terms []string) []string {
	return findTerms(text, terms, func(string) bool { return true })
}

// findTerms returns the terms found in text (case-insensitive) at the
// start of a word, and at its end too where whole says so.
func findTerms(text string, terms []string, whole func(term string) bool) []string {
	low := strings.ToLower(text)
	var found []string
	for _, term := range terms {
		t, w := strings.ToLower(term), whole(term)
		for i := 0; ; {
			j := strings.Index(low[i:], t)
			if j < 0 {
				break
			}
			at, end := i+j, i+j+len(t)
			startOK := at == 0 || !isWordRune(lastRune(low[:at]))
			endOK := !w || end == len(low) || !isWordRune(firstRune(low[end:]))
			if startOK && endOK {
				found = append(found, term)
				break
			}
			i = at + 1
		}
	}
	return found
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func lastRune(s string) rune {
	r := []rune(s)
	return r[len(r)-1]
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

// basedIn tells whether an organisation is based in the country (ISO
// alpha-2): its IATI identifier starts with the country's code ("BF-…"),
// or, with no identifier, its type is 22 (national NGO) or 24 (partner
// country based NGO).
func basedIn(ref, typ, alpha2 string) bool {
	if ref != "" {
		return strings.HasPrefix(strings.ToUpper(ref), alpha2+"-")
	}
	return typ == "22" || typ == "24"
}

type landscapeActivity struct {
	title, text string
	orgs        string // the participating organisations' names, one per line
	sectors     []share
	given       []bool
	gender      bool
	implementer aftermath.AidOrg
}

// FundingLandscape sums a country's aid by year and currency into
// security, peacebuilding, other and unsectored, with the parts that are
// P/CVE, reach organisations based in the country, and are marked for
// gender equality (docs/method.md).
func (db *DB) FundingLandscape(ctx context.Context, q aftermath.LandscapeQuery) (*aftermath.Landscape, error) {
	c, ok := geo.ByAlpha3(q.Recipient)
	if !ok {
		return nil, aftermath.Errorf(aftermath.EINVALID, "funding landscape: %q is not an ISO 3166-1 alpha-3 code", q.Recipient)
	}
	if len(q.Types) == 0 {
		q.Types = []int{3}
	}
	if len(q.PCVE.Sectors) == 0 && len(q.PCVE.Terms) == 0 {
		q.PCVE = aftermath.DefaultPCVERule
	}
	q.Recipient = c.Alpha3
	out := &aftermath.Landscape{Query: q}
	a2 := c.Alpha2
	where := []string{`(t.recipient_country = ? OR t.recipient_country = '' AND EXISTS (SELECT 1 FROM aid_activity_countries ac WHERE ac.activity_id = t.activity_id AND ac.code = ?))`}
	args := []any{a2, a2}
	types := make([]int64, len(q.Types))
	for i, t := range q.Types {
		types[i] = int64(t)
	}
	where, args = aidWhere(append(where, `t.type IN (`+ints(types)+`)`), args, q.Supplier, q.From, q.To)
	if q.ReportingCountry != "" {
		where, args = append(where, `upper(a.reporting_ref) LIKE ?`), append(args, strings.ToUpper(q.ReportingCountry)+"-%")
	}
	acts := map[int64]*landscapeActivity{}
	type txRow struct {
		act                                   int64
		year                                  int
		value                                 float64
		currency, sector, country, rref, rtyp string
		rname                                 string
	}
	var txs []txRow
	err := db.each(ctx, `SELECT t.activity_id, t.year, t.value, t.currency, t.sector, t.recipient_country, t.receiver_ref, t.receiver_type, t.receiver_name
		FROM aid_transactions t JOIN aid_activities a ON a.id = t.activity_id WHERE `+strings.Join(where, " AND ")+` ORDER BY t.id`, args, func(rows *sql.Rows) error {
		var r txRow
		if err := rows.Scan(&r.act, &r.year, &r.value, &r.currency, &r.sector, &r.country, &r.rref, &r.rtyp, &r.rname); err != nil {
			return err
		}
		txs = append(txs, r)
		acts[r.act] = nil
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("funding landscape: %w", err)
	}
	if len(txs) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(acts))
	for id := range acts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		in := ints(chunk)
		if err := db.each(ctx, `SELECT id, identifier, title, description, doc FROM aid_activities WHERE id IN (`+in+`)`, nil, func(rows *sql.Rows) error {
			var id int64
			var ident, title, desc, doc string
			if err := rows.Scan(&id, &ident, &title, &desc, &doc); err != nil {
				return err
			}
			la := &landscapeActivity{title: title, text: title + "\n" + desc}
			var full aftermath.AidActivity
			if err := json.Unmarshal([]byte(doc), &full); err != nil {
				return fmt.Errorf("activity %s: %w", ident, err)
			}
			for _, m := range full.PolicyMarkers {
				if (m.Vocabulary == "1" || m.Vocabulary == "") && m.Code == "1" && m.Significance >= 1 {
					la.gender = true
				}
			}
			for _, p := range full.Participating {
				if p.Role == 4 && la.implementer == (aftermath.AidOrg{}) {
					la.implementer = p
				}
				la.orgs += "\n" + p.Name
			}
			acts[id] = la
			return nil
		}); err != nil {
			return nil, fmt.Errorf("funding landscape: %w", err)
		}
		if err := db.each(ctx, `SELECT activity_id, code, percentage FROM aid_activity_sectors WHERE vocabulary = '1' AND activity_id IN (`+in+`) ORDER BY activity_id, code`, nil, func(rows *sql.Rows) error {
			var id int64
			var code string
			var pct sql.NullFloat64
			if err := rows.Scan(&id, &code, &pct); err != nil {
				return err
			}
			acts[id].sectors = append(acts[id].sectors, share{code, pct.Float64})
			acts[id].given = append(acts[id].given, pct.Valid)
			return nil
		}); err != nil {
			return nil, fmt.Errorf("funding landscape: %w", err)
		}
	}
	// The share of a transaction that is the country's: all of it when
	// the transaction names the country; else the activity's percentage.
	countryShare := map[int64]float64{}
	if err := db.each(ctx, `SELECT activity_id, percentage FROM aid_activity_countries WHERE code = ?`, []any{a2}, func(rows *sql.Rows) error {
		var id int64
		var pct sql.NullFloat64
		if err := rows.Scan(&id, &pct); err != nil {
			return err
		}
		if _, ok := acts[id]; ok {
			countryShare[id] = 1
			if pct.Valid {
				countryShare[id] = pct.Float64 / 100
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("funding landscape: %w", err)
	}
	type rowKey struct {
		year     int
		currency string
	}
	rowsBy := map[rowKey]*aftermath.LandscapeRow{}
	matched := map[int64][]string{}
	pcveSectors := map[int64][]string{}
	for _, t := range txs {
		a := acts[t.act]
		// Mentions keeps what the record itself says is for the force:
		// its title, description, participants or receiver.
		if q.Mentions != "" && len(MatchWords(a.text+a.orgs+"\n"+t.rname, []string{q.Mentions})) == 0 {
			continue
		}
		frac := 1.0
		if t.country == "" {
			frac = countryShare[t.act]
		}
		ss := []share{{t.sector, 1}}
		if t.sector == "" {
			ss = splitShares(a.sectors, a.given)
		}
		k := rowKey{t.year, t.currency}
		r := rowsBy[k]
		if r == nil {
			r = &aftermath.LandscapeRow{Year: t.year, Currency: t.currency, Buckets: map[string]float64{}}
			rowsBy[k] = r
		}
		r.Transactions++
		v := t.value * frac
		r.Total += v
		words, tested := matched[t.act]
		if !tested {
			words = MatchTerms(a.text, q.PCVE.Terms)
			matched[t.act] = words
		}
		ref, typ := t.rref, t.rtyp
		if ref == "" && typ == "" {
			ref, typ = a.implementer.Ref, a.implementer.Type
		}
		local := basedIn(ref, typ, a2)
		if local {
			r.Local += v
		}
		if a.gender {
			r.Gender += v
		}
		for _, s := range ss {
			part := v * s.frac
			r.Buckets[Bucket(s.code)] += part
			if s.code == "15170" && !a.gender {
				r.Gender += part
			}
			if len(words) > 0 && slices.Contains(q.PCVE.Sectors, s.code) {
				r.PCVE += part
				if !slices.Contains(pcveSectors[t.act], s.code) {
					pcveSectors[t.act] = append(pcveSectors[t.act], s.code)
				}
			}
		}
	}
	for _, r := range rowsBy {
		out.Rows = append(out.Rows, *r)
	}
	slices.SortFunc(out.Rows, func(a, b aftermath.LandscapeRow) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.Currency, b.Currency))
	})
	// The activities the rule picked, for the reader to check.
	for id, words := range matched {
		a := acts[id]
		secs := pcveSectors[id]
		if len(words) == 0 || len(secs) == 0 {
			continue // the words without a P/CVE sector do not count
		}
		slices.Sort(secs)
		var ident string
		if err := db.read.QueryRowContext(ctx, db.rebind(`SELECT identifier FROM aid_activities WHERE id = ?`), id).Scan(&ident); err != nil {
			return nil, err
		}
		out.Matches = append(out.Matches, aftermath.PCVEMatch{Identifier: ident, Title: a.title, Sectors: secs, Words: words})
	}
	slices.SortFunc(out.Matches, func(a, b aftermath.PCVEMatch) int { return strings.Compare(a.Identifier, b.Identifier) })
	return out, nil
}
