package aftermath

import (
	"slices"
	"strconv"
)

// The value columns of a flows table, after the keys grouped by.
var (
	ArmsFlowValues = []string{"deals", "number_delivered", "tiv_order", "tiv_delivered"}
	AidFlowValues  = []string{"currency", "transactions", "value"}
)

// FlowColumns is the header of a flows CSV: the keys grouped by, in the
// order asked, then the kind's values.
func FlowColumns(kind string, by []string) []string {
	if kind == FlowsArms {
		return append(slices.Clone(by), ArmsFlowValues...)
	}
	return append(slices.Clone(by), AidFlowValues...)
}

// FlowCells is a row of a flows CSV: its keys, then its values, TIV in
// millions as SIPRI writes them and aid values to the cent.
func FlowCells(kind string, r FlowRow) []string {
	out := slices.Clone(r.Keys)
	if kind == FlowsArms {
		return append(out, strconv.FormatInt(r.Deals, 10), strconv.FormatInt(r.NumberDelivered, 10), r.TIVOrder.String(), r.TIVDelivered.String())
	}
	return append(out, r.Currency, strconv.FormatInt(r.Transactions, 10), strconv.FormatFloat(r.Value, 'f', 2, 64))
}
