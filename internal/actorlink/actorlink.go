// Package actorlink suggests which dataset actors an intervention's
// backers and partner forces are: from the UCDP/PRIO record of states that
// joined a side in a conflict in the intervention's area and years, and
// from the names the datasets use for a country's forces. Suggestions are
// for a person to accept; nothing here changes a record.
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

// Suggestion proposes that a backer or partner force is known to a dataset
// under a name.
type Suggestion struct {
	Role   string // "backer" or "partner"
	Actor  string // the intervention actor's name
	Alias  aftermath.ActorAlias
	Years  []int  // conflict-years that support it (UCDP/PRIO)
	Reason string // in words, for the person who decides
}

// Candidates lists the names a dataset uses that start with prefix.
type Candidates func(dataset, prefix string) []string

// Suggest returns suggestions not already among the actors' aliases,
// sorted by role, actor and alias.
func Suggest(iv *aftermath.Intervention, conflicts []ucdpprio.ConflictYear, candidates Candidates) []Suggestion {
	area := map[int]geo.Country{}
	for _, a := range iv.Area {
		if c, ok := geo.ByAlpha3(a.Country); ok && c.GW != 0 {
			area[c.GW] = c
		}
	}
	from, to := year(iv.Start()), year(iv.End())
	if to == 0 {
		to = 9999
	}
	type key struct {
		role, actor string
		alias       aftermath.ActorAlias
	}
	found := map[key]*Suggestion{}
	add := func(role, actor string, alias aftermath.ActorAlias, year int, reason string) {
		k := key{role, actor, alias}
		s := found[k]
		if s == nil {
			s = &Suggestion{Role: role, Actor: actor, Alias: alias, Reason: reason}
			found[k] = s
		}
		if year != 0 && !slices.Contains(s.Years, year) {
			s.Years = append(s.Years, year)
		}
	}
	for _, cy := range conflicts {
		if cy.Year < from || cy.Year > to || !inArea(cy.GWNoLoc, area) {
			continue
		}
		for _, side := range []struct {
			primary string
			joined  []string
		}{{cy.SideA, cy.SideA2nd}, {cy.SideB, cy.SideB2nd}} {
			for _, b := range iv.Backers {
				name := joinedAs(b.Name, side.joined)
				if name == "" {
					continue
				}
				why := fmt.Sprintf("UCDP/PRIO: %s joined the side of %s in conflict %s (%s)", name, side.primary, cy.ConflictID, cy.Location)
				add("backer", b.Name, aftermath.ActorAlias{Dataset: aftermath.DatasetUCDP, Name: name}, cy.Year, why)
				for _, p := range iv.PartnerForces {
					add("partner", p.Name, aftermath.ActorAlias{Dataset: aftermath.DatasetUCDP, Name: side.primary}, cy.Year, why)
				}
			}
		}
	}
	// A country's state forces by the datasets' naming rules, for partner
	// forces of that country.
	for _, c := range area {
		for _, p := range iv.PartnerForces {
			if candidates == nil {
				break
			}
			for _, n := range candidates(aftermath.DatasetUCDP, "Government of "+c.Name) {
				add("partner", p.Name, aftermath.ActorAlias{Dataset: aftermath.DatasetUCDP, Name: n}, 0,
					"UCDP names a state's forces \"Government of "+c.Name+"\"")
			}
			for _, n := range candidates(aftermath.DatasetACLED, "Military Forces of "+c.Name+" (") {
				add("partner", p.Name, aftermath.ActorAlias{Dataset: aftermath.DatasetACLED, Name: n}, 0,
					"ACLED names a state's military \"Military Forces of "+c.Name+" (years)\"")
			}
		}
	}
	var out []Suggestion
	for _, s := range found {
		if has(iv, s.Role, s.Actor, s.Alias) {
			continue
		}
		sort.Ints(s.Years)
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Role != b.Role {
			return a.Role < b.Role
		}
		if a.Actor != b.Actor {
			return a.Actor < b.Actor
		}
		if a.Alias.Dataset != b.Alias.Dataset {
			return a.Alias.Dataset < b.Alias.Dataset
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
			if list[i].Name == s.Actor && !slices.Contains(list[i].Aliases, s.Alias) {
				list[i].Aliases = append(list[i].Aliases, s.Alias)
			}
		}
	}
}

func has(iv *aftermath.Intervention, role, actor string, alias aftermath.ActorAlias) bool {
	list := iv.PartnerForces
	if role == "backer" {
		list = iv.Backers
	}
	for _, a := range list {
		if a.Name == actor && slices.Contains(a.Aliases, alias) {
			return true
		}
	}
	return false
}

// joinedAs returns the UCDP name among joined ("Government of France")
// that is the backer, matched by the backer's name or its country code
// name, or "".
func joinedAs(backer string, joined []string) string {
	want := []string{norm(backer)}
	if c, ok := countryNamed(backer); ok {
		want = append(want, norm(c.Name))
	}
	for _, j := range joined {
		n := norm(strings.TrimPrefix(j, "Government of "))
		if slices.Contains(want, n) || slices.Contains(want, norm(j)) {
			return j
		}
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

func inArea(codes []int, area map[int]geo.Country) bool {
	for _, c := range codes {
		if _, ok := area[c]; ok {
			return true
		}
	}
	return false
}

func year(date string) int {
	if len(date) < 4 {
		return 0
	}
	y, _ := strconv.Atoi(date[:4])
	return y
}
