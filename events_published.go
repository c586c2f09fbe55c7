package aftermath

import (
	"slices"
	"strconv"
	"strings"
)

// PublishedField is one column of an event as its dataset published it.
type PublishedField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Published column orders: UCDP GED (19.1 on) and ACLED's current export.
// Columns the store keeps in Extra take their place here; columns of other
// releases follow at the end, by name. geom_wkt is not kept (it repeats
// latitude and longitude).
var (
	ucdpColumns = []string{"id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
		"conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a",
		"side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office", "source_date",
		"source_headline", "source_original", "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2", "latitude",
		"longitude", "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end",
		"deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob"}
	acledColumns = []string{"event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
		"actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "iso",
		"region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
		"source_scale", "notes", "fatalities", "tags", "timestamp"}
	ucdpViolence = map[string]string{ViolenceStateBased: "1", ViolenceNonState: "2", ViolenceOneSided: "3"}
)

// Published is the event in its dataset's published columns and order,
// from the fields the store kept and the columns it kept as published
// (Extra). Values are as stored: dates as YYYY-MM-DD, numbers as read.
// Actor names are the store's (an actor UCDP renamed keeps its first
// name).
func (e *Event) Published() []PublishedField {
	num := strconv.Itoa
	coord := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	actors := func(role string) (name, id, inter string) {
		var names []string
		for _, a := range e.Actors {
			if a.Role == role {
				names = append(names, a.Name)
				if id == "" {
					id, inter = a.ExternalID, a.Inter
				}
			}
		}
		return strings.Join(names, "; "), id, inter
	}
	vals := map[string]string{}
	maps := func(kv ...string) {
		for i := 0; i+1 < len(kv); i += 2 {
			vals[kv[i]] = kv[i+1]
		}
	}
	cols := acledColumns
	if e.Dataset == DatasetUCDP {
		cols = ucdpColumns
		a, aID, _ := actors(RoleSideA)
		b, bID, _ := actors(RoleSideB)
		maps("id", e.NativeID, "relid", e.RelID, "year", num(e.Year), "code_status", e.CodeStatus, "type_of_violence", ucdpViolence[e.ViolenceType],
			"conflict_new_id", e.ConflictID, "conflict_name", e.ConflictName, "dyad_new_id", e.DyadID, "dyad_name", e.DyadName,
			"side_a_new_id", aID, "side_a", a, "side_b_new_id", bID, "side_b", b, "number_of_sources", publishedCount(e.SourceCount),
			"source_article", e.SourceText, "where_prec", num(e.WherePrecision), "where_description", e.Location, "adm_1", e.Admin1,
			"adm_2", e.Admin2, "latitude", coord(e.Latitude), "longitude", coord(e.Longitude), "country", e.Country,
			"country_id", num(e.CountryGW), "region", e.Region, "event_clarity", num(e.Clarity), "date_prec", num(e.DatePrecision),
			"date_start", e.DateStart, "date_end", e.DateEnd, "deaths_a", num(e.DeathsA), "deaths_b", num(e.DeathsB),
			"deaths_civilians", num(e.DeathsCivilians), "deaths_unknown", num(e.DeathsUnknown), "best", num(e.DeathsBest),
			"high", num(e.DeathsHigh), "low", num(e.DeathsLow))
	} else {
		a1, _, i1 := actors(RoleActor1)
		a2, _, i2 := actors(RoleActor2)
		as1, _, _ := actors(RoleAssoc1)
		as2, _, _ := actors(RoleAssoc2)
		civ, iso := "", ""
		if e.CivilianTargeting {
			civ = "Civilian targeting"
		}
		if e.CountryISO != 0 {
			iso = num(e.CountryISO)
		}
		maps("event_id_cnty", e.NativeID, "event_date", e.DateStart, "year", num(e.Year), "time_precision", num(e.DatePrecision),
			"disorder_type", e.DisorderType, "event_type", e.ViolenceType, "sub_event_type", e.SubEventType, "actor1", a1,
			"assoc_actor_1", as1, "inter1", i1, "actor2", a2, "assoc_actor_2", as2, "inter2", i2, "civilian_targeting", civ,
			"iso", iso, "region", e.Region, "country", e.Country, "admin1", e.Admin1, "admin2", e.Admin2, "admin3", e.Admin3,
			"location", e.Location, "latitude", coord(e.Latitude), "longitude", coord(e.Longitude), "geo_precision", num(e.WherePrecision),
			"source", e.SourceText, "notes", e.Notes, "fatalities", num(e.DeathsBest), "tags", e.Tags)
	}
	var out []PublishedField
	for _, c := range cols {
		v, ok := vals[c]
		if x, extra := e.Extra[c]; extra {
			v, ok = x, true
		}
		if ok {
			out = append(out, PublishedField{Name: c, Value: v})
		}
	}
	var rest []string
	for k := range e.Extra {
		if !slices.Contains(cols, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		out = append(out, PublishedField{Name: k, Value: e.Extra[k]})
	}
	return out
}

// publishedCount writes a number of sources as the dataset published it:
// an empty cell for none given, -1 for UCDP's "not known", else the count.
func publishedCount(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// SideA is the name of the event's side A: UCDP side_a, ACLED actor1
// ("" when it names none).
func (e *Event) SideA() string { return e.actorIn(RoleSideA, RoleActor1) }

// SideB is the name of the event's side B: UCDP side_b, ACLED actor2.
func (e *Event) SideB() string { return e.actorIn(RoleSideB, RoleActor2) }

func (e *Event) actorIn(roles ...string) string {
	for _, a := range e.Actors {
		if slices.Contains(roles, a.Role) {
			return a.Name
		}
	}
	return ""
}
