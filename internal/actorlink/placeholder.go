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
