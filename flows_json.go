package aftermath

import (
	"encoding/json"
	"strconv"
)

// FlowObjects are flows rows as the command line's and the API's JSON
// write them: the keys grouped by (years and transaction types as
// numbers), then the values; TIV in millions as SIPRI writes them, aid to
// the cent, and for arms SIPRI's '?' flags as uncertain_deals (the
// group's deals with an uncertain order year or number delivered).
func FlowObjects(kind string, by []string, rows []FlowRow) []map[string]any {
	out := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		m := map[string]any{}
		for i, k := range by {
			if n, err := strconv.Atoi(r.Keys[i]); err == nil && (k == "order_year" || k == "year" || k == "transaction_type") {
				m[k] = n
			} else {
				m[k] = r.Keys[i]
			}
		}
		if kind == FlowsArms {
			m["deals"], m["number_delivered"] = r.Deals, r.NumberDelivered
			m["tiv_order"], m["tiv_delivered"] = json.Number(r.TIVOrder.String()), json.Number(r.TIVDelivered.String())
			m["uncertain_deals"] = r.Uncertain
		} else {
			m["currency"], m["transactions"], m["value"] = r.Currency, r.Transactions, json.Number(strconv.FormatFloat(r.Value, 'f', 2, 64))
		}
		out = append(out, m)
	}
	return out
}

// LandscapeDoc is a funding landscape as JSON: the query, the stated
// P/CVE rule, the rows and the activities the rule picked.
type LandscapeDoc struct {
	Recipient string             `json:"recipient"`
	Types     []int              `json:"transaction_types"`
	PCVE      PCVERule           `json:"pcve_rule"`
	Mentions  string             `json:"force,omitempty"`
	Rows      []LandscapeDocRow  `json:"rows"`
	Matches   []LandscapeDocPCVE `json:"pcve_activities"`
}

type LandscapeDocRow struct {
	Year          int         `json:"year"`
	Currency      string      `json:"currency"`
	Transactions  int64       `json:"transactions"`
	Total         json.Number `json:"total"`
	Security      json.Number `json:"security"`
	Peacebuilding json.Number `json:"peacebuilding"`
	Other         json.Number `json:"other"`
	NoSector      json.Number `json:"no_sector"`
	PCVE          json.Number `json:"pcve"`
	Local         json.Number `json:"local"`
	Gender        json.Number `json:"gender"`
}

type LandscapeDocPCVE struct {
	Identifier string   `json:"identifier"`
	Title      string   `json:"title"`
	Sectors    []string `json:"sectors"`
	Words      []string `json:"words"`
}

// LandscapeJSON writes l as a LandscapeDoc, amounts to the cent.
func LandscapeJSON(l *Landscape) LandscapeDoc {
	n := func(v float64) json.Number { return json.Number(strconv.FormatFloat(v, 'f', 2, 64)) }
	out := LandscapeDoc{Recipient: l.Query.Recipient, Types: l.Query.Types, PCVE: l.Query.PCVE, Mentions: l.Query.Mentions,
		Rows: []LandscapeDocRow{}, Matches: []LandscapeDocPCVE{}}
	for _, r := range l.Rows {
		out.Rows = append(out.Rows, LandscapeDocRow{r.Year, r.Currency, r.Transactions, n(r.Total), n(r.Buckets[BucketSecurity]),
			n(r.Buckets[BucketPeacebuilding]), n(r.Buckets[BucketOther]), n(r.Buckets[BucketNoSector]), n(r.PCVE), n(r.Local), n(r.Gender)})
	}
	for _, m := range l.Matches {
		out.Matches = append(out.Matches, LandscapeDocPCVE(m))
	}
	return out
}
