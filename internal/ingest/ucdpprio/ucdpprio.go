// Package ucdpprio reads the UCDP/PRIO Armed Conflict Dataset (one row per
// conflict-year). Aftermath uses it for who joined whom: side_a_2nd and
// side_b_2nd name the states that joined a side with troops.
package ucdpprio

import (
	"io"
	"strconv"
	"strings"

	"aftermath/internal/ingest"
)

// ConflictYear is one row of the dataset.
type ConflictYear struct {
	ConflictID string
	Location   string
	Year       int
	SideA      string
	SideA2nd   []string // states supporting side A with troops
	SideB      string
	SideB2nd   []string
	// Gleditsch-Ward codes of the states in SideA2nd / SideB2nd. The file
	// sorts names and codes separately, so positions do not pair up.
	GWNoA2nd []int
	GWNoB2nd []int
	GWNoLoc  []int // the countries whose territory is in dispute or where fighting took place
	Line     int
}

// Read reads every conflict-year. The file is small (a few thousand rows).
func Read(r io.Reader, file string) ([]ConflictYear, error) {
	c, err := ingest.NewCSV(r, file)
	if err != nil {
		return nil, err
	}
	if err := c.Require("conflict_id", "location", "year", "side_a", "side_a_2nd", "side_b", "side_b_2nd", "gwno_loc"); err != nil {
		return nil, err
	}
	var out []ConflictYear
	for {
		if err := c.Next(); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		cy := ConflictYear{ConflictID: c.Get("conflict_id"), Location: c.Get("location"), SideA: c.Get("side_a"),
			SideB: c.Get("side_b"), SideA2nd: names(c.Get("side_a_2nd")), SideB2nd: names(c.Get("side_b_2nd")), Line: c.Line()}
		p := c.Parser()
		p.Int(&cy.Year, "year", true)
		if p.Err != nil {
			return nil, p.Err
		}
		for _, col := range []struct {
			name string
			dst  *[]int
		}{{"gwno_a_2nd", &cy.GWNoA2nd}, {"gwno_b_2nd", &cy.GWNoB2nd}, {"gwno_loc", &cy.GWNoLoc}} {
			if *col.dst, err = codes(c, col.name); err != nil {
				return nil, err
			}
		}
		out = append(out, cy)
	}
}

// names splits "Government of France, Government of Chad".
func names(v string) []string {
	var out []string
	for _, n := range strings.Split(v, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func codes(c *ingest.CSV, column string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(c.Get(column), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, c.Err(column, c.Get(column), "is not a comma list of Gleditsch-Ward codes")
		}
		out = append(out, n)
	}
	return out, nil
}
