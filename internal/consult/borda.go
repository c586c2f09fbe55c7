// Package consult holds what a consultation needs beyond storage: the
// questionnaire's shape, the checking of answers, and the combining of
// participants' priority rankings.
package consult

import (
	"fmt"
	"slices"
	"strings"
)

// BordaRow is one option's line in the ranking table: its points, how
// many ballots put it at each position, and its place overall.
type BordaRow struct {
	Option     string `json:"option"`
	Points     int    `json:"points"`
	Positions  []int  `json:"positions"` // Positions[i]: ballots ranking it (i+1)th
	Ballots    int    `json:"ballots"`   // ballots that ranked it at all
	Rank       int    `json:"rank"`      // 1 is first; tied options share a rank
	TiedWithin bool   `json:"tied"`      // shares its rank with another option
}

// Borda combines rankings of options, each a list of option keys from
// most to least important, by the modified Borda count: a ballot that
// ranks m options gives m points to its first, m−1 to its second … 1 to
// its last, and none to options it leaves out. Participants on slow
// phones may rank only what matters to them; the modification keeps a
// short ballot from weighing as much as a full one (Emerson 2013,
// "The original Borda count and partial voting"). Options tie when their
// points are equal; ties are listed by first preferences, then by key, but
// share one rank.
func Borda(options []string, ballots [][]string) ([]BordaRow, error) {
	index := map[string]int{}
	rows := make([]BordaRow, len(options))
	for i, o := range options {
		if _, dup := index[o]; dup {
			return nil, fmt.Errorf("option %q is listed twice", o)
		}
		index[o] = i
		rows[i] = BordaRow{Option: o, Positions: make([]int, len(options))}
	}
	for b, ballot := range ballots {
		seen := map[string]bool{}
		for pos, o := range ballot {
			i, ok := index[o]
			if !ok {
				return nil, fmt.Errorf("ballot %d: %q is not one of the options", b+1, o)
			}
			if seen[o] {
				return nil, fmt.Errorf("ballot %d: %q is ranked twice", b+1, o)
			}
			seen[o] = true
			rows[i].Points += len(ballot) - pos
			rows[i].Positions[pos]++
			rows[i].Ballots++
		}
	}
	slices.SortStableFunc(rows, func(a, b BordaRow) int {
		if a.Points != b.Points {
			return b.Points - a.Points
		}
		if a.Positions[0] != b.Positions[0] {
			return b.Positions[0] - a.Positions[0]
		}
		return strings.Compare(a.Option, b.Option)
	})
	for i := range rows {
		rows[i].Rank = i + 1
		if i > 0 && rows[i].Points == rows[i-1].Points {
			rows[i].Rank = rows[i-1].Rank
			rows[i].TiedWithin, rows[i-1].TiedWithin = true, true
		}
	}
	return rows, nil
}
