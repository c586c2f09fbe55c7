package actorlink

import (
	"regexp"
	"strconv"
	"strings"

	"aftermath/internal/geo"
)

// Placeholder is a dataset's stand-in for an actor it could not identify:
// UCDP's "XXX" followed by a Gleditsch-Ward code ("XXX475": an
// unidentified group in Nigeria), ACLED's "Unidentified Armed Group
// (Nigeria)". It is no name: pages say "unidentified" in the reader's
// language and keep the code as a detail.
type Placeholder struct {
	Code    string // the dataset's text, as published
	Kind    string // "armed-group", "communal-militia", "gang" or "other"
	Country string // ISO 3166-1 alpha-3 of the country it names, "" when none is known
	Place   string // the country as the dataset gives it, for when Country is ""
}

var (
	ucdpPlaceholder  = regexp.MustCompile(`^XXX([0-9]+)$`)
	acledPlaceholder = regexp.MustCompile(`^Unidentified ([A-Za-z ]+?)(?: \(([^()]+)\))?$`)
)

// acledKinds are the kinds of unidentified actor ACLED's codebook names.
var acledKinds = map[string]string{
	"armed group":      "armed-group",
	"communal militia": "communal-militia",
	"gang":             "gang",
}

// Unidentified reports whether name is a placeholder, and what it says.
func Unidentified(name string) (Placeholder, bool) {
	name = strings.TrimSpace(name)
	if m := ucdpPlaceholder.FindStringSubmatch(name); m != nil {
		p := Placeholder{Code: name, Kind: "armed-group"}
		if gw, err := strconv.Atoi(m[1]); err == nil {
			if c, ok := geo.ByGW(gw); ok {
				p.Country = c.Alpha3
			}
		}
		return p, true
	}
	if m := acledPlaceholder.FindStringSubmatch(name); m != nil {
		p := Placeholder{Code: name, Kind: acledKinds[strings.ToLower(m[1])], Place: m[2]}
		if p.Kind == "" {
			p.Kind = "other"
		}
		if c, ok := geo.Find(m[2]); ok && m[2] != "" {
			p.Country = c.Alpha3
		}
		return p, true
	}
	return Placeholder{}, false
}

// statePrefixes are how the datasets name a state's forces before the
// country's name (UCDP "Government of Mali", ACLED "Military Forces of
// Mali (2021-)"), and the catalog's partner forces ("Armed forces of
// Chad").
var statePrefixes = []string{"government of ", "military forces of ", "police forces of ", "armed forces of ", "forces of "}

// StateOf is the country (ISO alpha-3) an actor's name says it is the
// state or state forces of: "Mali", "Government of Mali", "Military
// Forces of Mali (2021-)"; false for any other name. Two actors of one
// state may still be different forces at different times (UCDP's
// "Government of Afghanistan" is the Taliban after 15 August 2021): it
// suggests a merge, a person decides.
func StateOf(name string) (string, bool) {
	n := strings.TrimSpace(name)
	if i := strings.Index(n, " ("); i > 0 && strings.HasSuffix(n, ")") {
		n = n[:i]
	}
	for _, p := range statePrefixes {
		if len(n) > len(p) && strings.EqualFold(n[:len(p)], p) {
			n = n[len(p):]
			break
		}
	}
	if len(n) == 3 { // a code is no name: "MLI" would be taken for Mali
		return "", false
	}
	c, ok := geo.Find(n)
	return c.Alpha3, ok
}
