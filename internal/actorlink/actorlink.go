// Package actorlink suggests the names a dataset uses for an
// intervention's backers, from the UCDP/PRIO Armed Conflict Dataset's
// record of states that joined a side of a conflict.
//
// A suggestion needs a reason that holds: the backer joined the side of the
// intervention's own partner force (the side on which the partner's own
// UCDP name appears, as a primary party or a secondary one), in a conflict
// in the intervention's area, in conflict-years within the partner's support
// window and within the dates of the partner's name. Being active in the
// same place is no reason: a state that joined "a side in the area" may
// have fought the partner. Partner forces' own names are never suggested:
// the datasets give the same name to different forces at different times
// (UCDP's "Government of Afghanistan" is the Taliban after 15 August 2021,
// its "Government of Yemen (North Yemen)" the Houthi side from 2015), so a
// person enters them with their dates and a citation.
//
// Suggestions are for a person to accept; nothing here changes a record
// until Apply is called.
package actorlink

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/geo"
	"aftermath/internal/ingest/ucdpprio"
)

// Suggestion proposes that a backer is known to a dataset under a name.
type Suggestion struct {
	Role     string // "backer"
	Actor    string // the intervention actor's name
	Alias    aftermath.DatedAlias
	Years    []int      // conflict-years that support it, every conflict together
	Evidence []Evidence // one per conflict, side and partner
	Reason   string     // the evidence in words, for the person who decides
}

// Evidence is one conflict in which the backer joined the partner's side.
type Evidence struct {
	ConflictID string
	Location   string
	Side       string // "side_a" or "side_b": the side the backer joined
	Partner    string // the intervention's partner force
	PartnerAs  string // the partner's UCDP name on that side
	PartnerAt  string // where it appears: "side_a", "side_a_2nd", …
	Years      []int
}

func (e Evidence) String() string {
	return fmt.Sprintf("UCDP/PRIO conflict %s (%s), %s: in %s_2nd, the side of %s (%s in %s)",
		e.ConflictID, e.Location, span(e.Years), e.Side, e.PartnerAs, e.Partner, e.PartnerAt)
}

// Suggest returns the suggestions not already among the backers' aliases,
// sorted by actor and alias.
func Suggest(iv *aftermath.Intervention, conflicts []ucdpprio.ConflictYear) []Suggestion {
	area := map[int]bool{}
	for _, a := range iv.Area {
		if c, ok := geo.ByAlpha3(a.Country); ok && c.GW != 0 {
			area[c.GW] = true
		}
	}
	type evKey struct {
		backer, name, conflict, side, partner, partnerAs, at string
	}
	evidence := map[evKey]*Evidence{}
	for _, cy := range conflicts {
		if len(iv.Area) > 0 && !slices.ContainsFunc(cy.GWNoLoc, func(c int) bool { return area[c] }) {
			continue
		}
		yearFrom, yearTo := fmt.Sprintf("%04d-01-01", cy.Year), fmt.Sprintf("%04d-12-31", cy.Year)
		for _, side := range []struct {
			key     string
			primary []string
			joined  []string
			codes   []int
		}{{"side_a", names(cy.SideA), cy.SideA2nd, cy.GWNoA2nd}, {"side_b", names(cy.SideB), cy.SideB2nd, cy.GWNoB2nd}} {
			for _, p := range iv.PartnerForces {
				from, to := iv.SupportWindow(p)
				if !overlaps(from, to, yearFrom, yearTo) {
					continue
				}
				for _, al := range p.Aliases {
					if al.Dataset != aftermath.DatasetUCDP || !al.Overlaps(yearFrom, yearTo) {
						continue
					}
					at := ""
					switch {
					case slices.Contains(side.primary, al.Name):
						at = side.key
					case slices.Contains(side.joined, al.Name):
						at = side.key + "_2nd"
					default:
						continue
					}
					for _, b := range iv.Backers {
						name := joinedAs(b.Name, side.joined, side.codes)
						if name == "" || name == al.Name {
							continue
						}
						k := evKey{b.Name, name, cy.ConflictID, side.key, p.Name, al.Name, at}
						e := evidence[k]
						if e == nil {
							e = &Evidence{ConflictID: cy.ConflictID, Location: cy.Location, Side: side.key,
								Partner: p.Name, PartnerAs: al.Name, PartnerAt: at}
							evidence[k] = e
						}
						if !slices.Contains(e.Years, cy.Year) {
							e.Years = append(e.Years, cy.Year)
						}
					}
				}
			}
		}
	}
	type sugKey struct{ backer, name string }
	found := map[sugKey]*Suggestion{}
	for k, e := range evidence {
		sk := sugKey{k.backer, k.name}
		s := found[sk]
		if s == nil {
			s = &Suggestion{Role: "backer", Actor: k.backer, Alias: aftermath.DatedAlias{Dataset: aftermath.DatasetUCDP, Name: k.name}}
			found[sk] = s
		}
		sort.Ints(e.Years)
		s.Evidence = append(s.Evidence, *e)
		for _, y := range e.Years {
			if !slices.Contains(s.Years, y) {
				s.Years = append(s.Years, y)
			}
		}
	}
	var out []Suggestion
	for _, s := range found {
		if has(iv, s.Role, s.Actor, s.Alias) {
			continue
		}
		sort.Ints(s.Years)
		sort.Slice(s.Evidence, func(i, j int) bool {
			a, b := s.Evidence[i], s.Evidence[j]
			if a.Years[0] != b.Years[0] {
				return a.Years[0] < b.Years[0]
			}
			return a.String() < b.String()
		})
		var why []string
		for _, e := range s.Evidence {
			why = append(why, e.String())
		}
		s.Reason = s.Alias.Name + " joined the partner's side: " + strings.Join(why, "; ")
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Actor != b.Actor {
			return a.Actor < b.Actor
		}
		return a.Alias.Name < b.Alias.Name
	})
	return out
}

// Apply adds accepted suggestions to the intervention's actors' aliases.
func Apply(iv *aftermath.Intervention, accepted []Suggestion) {
	for _, s := range accepted {
		list := iv.PartnerForces
		if s.Role == "backer" {
			list = iv.Backers
		}
		for i := range list {
			if list[i].Name == s.Actor && !hasName(list[i].Aliases, s.Alias) {
				list[i].Aliases = append(list[i].Aliases, s.Alias)
			}
		}
	}
}

func has(iv *aftermath.Intervention, role, actor string, alias aftermath.DatedAlias) bool {
	list := iv.PartnerForces
	if role == "backer" {
		list = iv.Backers
	}
	for _, a := range list {
		if a.Name == actor && hasName(a.Aliases, alias) {
			return true
		}
	}
	return false
}

// hasName reports whether the dataset name is among the aliases, whatever
// their dates.
func hasName(as aftermath.DatedAliases, al aftermath.DatedAlias) bool {
	return slices.ContainsFunc(as, func(x aftermath.DatedAlias) bool { return x.Dataset == al.Dataset && x.Name == al.Name })
}

// overlaps reports whether from..to and a..b share a day ("" unbounded).
func overlaps(from, to, a, b string) bool {
	return (to == "" || a <= to) && (from == "" || from <= b)
}

// names splits a UCDP side ("AQAP, Forces of the Presidential Leadership
// Council").
func names(side string) []string {
	var out []string
	for _, n := range strings.Split(side, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// span writes years as "2013–2016, 2018".
func span(years []int) string {
	var parts []string
	for i := 0; i < len(years); {
		j := i
		for j+1 < len(years) && years[j+1] == years[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, strconv.Itoa(years[i])+"–"+strconv.Itoa(years[j]))
		} else {
			parts = append(parts, strconv.Itoa(years[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// joinedAs returns the UCDP name among joined ("Government of France")
// that is the backer, matched by the backer's name or its country's name,
// or else, when the backer's Gleditsch-Ward code is among the side's codes,
// by the one name that begins with its country's name ("United States" is
// UCDP's "Government of United States of America"); or "".
func joinedAs(backer string, joined []string, codes []int) string {
	want := []string{norm(backer)}
	c, isCountry := countryNamed(backer)
	if isCountry {
		want = append(want, norm(c.Name))
	}
	for _, j := range joined {
		n := norm(strings.TrimPrefix(j, "Government of "))
		if slices.Contains(want, n) || slices.Contains(want, norm(j)) {
			return j
		}
	}
	if !isCountry || c.GW == 0 || !slices.Contains(codes, c.GW) {
		return ""
	}
	var found []string
	for _, j := range joined {
		if strings.HasPrefix(norm(strings.TrimPrefix(j, "Government of ")), norm(c.Name)+" ") {
			found = append(found, j)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return ""
}

func countryNamed(name string) (geo.Country, bool) {
	n := norm(strings.TrimPrefix(name, "Government of "))
	for _, c := range geo.All() {
		if norm(c.Name) == n {
			return c, true
		}
	}
	return geo.Country{}, false
}

// norm folds case and drops a bracketed former name, as in UCDP's
// "Yemen (North Yemen)".
func norm(s string) string {
	if i := strings.Index(s, " ("); i > 0 {
		s = s[:i]
	}
	return strings.ToLower(strings.TrimSpace(s))
}
