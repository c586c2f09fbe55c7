// Package acled reads ACLED CSV exports. Three layouts are recognised from
// the header alone:
//
//   - "current": the lower-case export of the data tool and API (2019 on),
//     with or without disorder_type, civilian_targeting and tags;
//   - "v6-dyadic": the older upper-case release with ALLY_ACTOR_1/2 and GWNO;
//   - "monadic": the older upper-case release with one row per actor
//     (ACTOR, ALLY_ACTOR, INTER), whose rows are merged into one event.
//
// Columns are found by name (case-insensitively), so exports that add,
// drop or reorder columns read the same. Files as HDX serves them, with a
// second header row of HXL hashtags and the extra columns data_id,
// event_id_no_cnty and iso3, read the same too (ingest.NewCSV skips the
// tag row; the extra columns go to Extra).
package acled

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/geo"
	"aftermath/internal/ingest"
)

// Layout names as Layout returns them.
const (
	LayoutCurrent  = "current"
	LayoutV6Dyadic = "v6-dyadic"
	LayoutMonadic  = "monadic"
)

// mapped lists the columns (lower-cased) that have an Event field; every
// other published column with a value goes to Event.Extra. gwno is mapped
// to CountryGW but deliberately not listed, so its text stays in Extra too.
var mapped = map[string]bool{
	"event_id_cnty": true, "event_date": true, "year": true, "time_precision": true,
	"disorder_type": true, "event_type": true, "sub_event_type": true,
	"actor1": true, "assoc_actor_1": true, "ally_actor_1": true, "inter1": true,
	"actor2": true, "assoc_actor_2": true, "ally_actor_2": true, "inter2": true,
	"actor": true, "ally_actor": true, "inter": true,
	"civilian_targeting": true, "iso": true, "region": true, "country": true,
	"admin1": true, "admin2": true, "admin3": true, "location": true,
	"latitude": true, "longitude": true, "geo_precision": true,
	"source": true, "notes": true, "fatalities": true, "tags": true,
}

// interWords are the actor-type names ACLED publishes in inter1/inter2
// since 2023, lower-cased; older files use the numbers 0-8 instead.
var interWords = map[string]bool{
	"state forces": true, "rebel group": true, "political militia": true,
	"identity militia": true, "rioters": true, "protesters": true,
	"civilians": true, "external/other forces": true,
}

// Reader streams events from an ACLED CSV export.
type Reader struct {
	c      *ingest.CSV
	layout string
	assoc1 string // column of actor1's associates: assoc_actor_1 or ally_actor_1
	assoc2 string
	civCol bool              // the header has civilian_targeting
	pub    map[string]string // lower-cased column → name as published, for errors
	extra  []int             // header positions of unmapped columns

	line int
	raw  []string

	// Monadic files need one row of lookahead to see where an event ends.
	// When pending is set the CSV's current row (or pendErr, the error
	// reading it gave) has been read but not yet used.
	pending bool
	pendErr error

	// stop is io.EOF or a fatal error; once set Next keeps returning it,
	// because encoding/csv may otherwise resume mid-garbage.
	stop error
}

var _ ingest.Reader = (*Reader)(nil)

// NewReader reads the header, detects the layout and checks the columns
// every layout needs are there.
func NewReader(r io.Reader, file string) (*Reader, error) {
	c, err := ingest.NewCSV(r, file)
	if err != nil {
		return nil, err
	}
	rd := &Reader{c: c, layout: LayoutCurrent, assoc1: "assoc_actor_1", assoc2: "assoc_actor_2",
		civCol: c.Has("civilian_targeting"), pub: map[string]string{}}
	actor := "actor1"
	switch {
	case c.Has("actor") && !c.Has("actor1"):
		rd.layout, actor = LayoutMonadic, "actor"
	case c.Has("ally_actor_1") || c.Has("ally_actor_2") || c.Has("gwno"):
		rd.layout = LayoutV6Dyadic
	}
	if !c.Has("assoc_actor_1") && c.Has("ally_actor_1") {
		rd.assoc1 = "ally_actor_1"
	}
	if !c.Has("assoc_actor_2") && c.Has("ally_actor_2") {
		rd.assoc2 = "ally_actor_2"
	}
	if err := c.Require("event_id_cnty", "event_date", "year", "event_type", actor, "country", "fatalities"); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, h := range c.Header() {
		name := strings.TrimSpace(h)
		k := strings.ToLower(name)
		if _, ok := rd.pub[k]; !ok {
			rd.pub[k] = name
		}
		// Skip nameless and repeated columns: they would clash in Extra.
		if name != "" && !mapped[k] && !seen[name] {
			rd.extra = append(rd.extra, i)
		}
		seen[name] = true
	}
	return rd, nil
}

// Layout returns the detected layout: "current", "v6-dyadic" or "monadic".
func (r *Reader) Layout() string { return r.layout }

// Line returns the line the last event returned starts on (for a merged
// monadic event, its first row) or the line of the row last rejected.
func (r *Reader) Line() int { return r.line }

// Header returns the header as published.
func (r *Reader) Header() []string { return r.c.Header() }

// Raw returns the fields of the row Line names.
func (r *Reader) Raw() []string { return r.raw }

// Next returns the next event, io.EOF at the end, a *ingest.RowError for a
// bad row (reading can go on) or another error (it cannot).
func (r *Reader) Next() (*aftermath.Event, error) {
	if r.layout == LayoutMonadic {
		return r.nextMonadic()
	}
	if err := r.read(); err != nil {
		return nil, err
	}
	ev, err := r.event()
	if err == nil {
		err = r.dyadicActors(ev)
	}
	if err != nil {
		return nil, r.named(err)
	}
	return ev, nil
}

// read moves to the next row, or to the row already looked ahead at, and
// records its line and fields. Errors other than row errors stop the reader.
func (r *Reader) read() error {
	if r.stop != nil {
		return r.stop
	}
	var err error
	if r.pending {
		err, r.pending, r.pendErr = r.pendErr, false, nil
	} else {
		err = r.c.Next()
	}
	if err != nil {
		if _, ok := err.(*ingest.RowError); !ok {
			r.stop = err
			return err
		}
	}
	r.line, r.raw = r.c.Line(), r.c.Raw()
	if r.layout == LayoutMonadic {
		// The lookahead reuses the CSV's record; keep our own copy.
		r.raw = slices.Clone(r.raw)
	}
	return err
}

// nextMonadic reads one event of a monadic file: its first row and every
// following row with the same EVENT_ID_CNTY. ACLED writes the rows of one
// event next to each other; rows of one event that are not consecutive
// become separate events with the same NativeID (the importer then keeps
// one of them).
func (r *Reader) nextMonadic() (*aftermath.Event, error) {
	if err := r.read(); err != nil {
		return nil, err
	}
	first := r.line
	ev, err := r.event()
	if err == nil {
		ev.Actors, err = r.actors("actor", "ally_actor", "inter", aftermath.RoleActor1, aftermath.RoleAssoc1)
	}
	// The rows of a rejected event are still consumed, so that its second
	// actor does not turn up as an event of its own.
	id := strings.TrimSpace(r.c.Get("event_id_cnty"))
	for id != "" {
		if e := r.c.Next(); e != nil {
			r.pending, r.pendErr = true, e
			break
		}
		if strings.TrimSpace(r.c.Get("event_id_cnty")) != id {
			r.pending = true
			break
		}
		if err != nil {
			continue
		}
		if err = r.addRow(ev, first); err != nil {
			r.line, r.raw = r.c.Line(), slices.Clone(r.c.Raw())
		}
	}
	if err != nil {
		return nil, r.named(err)
	}
	return ev, nil
}

// addRow adds a further row of a monadic event to ev. Its actor is the
// other side (RoleActor2); fatalities and date are the event's, so a row
// that disagrees is an error rather than a figure to add or pick from.
func (r *Reader) addRow(ev *aftermath.Event, first int) error {
	c := r.c
	n, err := c.Count("fatalities", true)
	if err != nil {
		return err
	}
	if n != ev.DeathsBest {
		return c.Err("fatalities", c.Get("fatalities"),
			fmt.Sprintf("differs from %d on line %d for the same event", ev.DeathsBest, first))
	}
	d, err := c.Date("event_date", true)
	if err != nil {
		return err
	}
	if d != ev.DateStart {
		return c.Err("event_date", c.Get("event_date"),
			fmt.Sprintf("differs from %s on line %d for the same event", ev.DateStart, first))
	}
	more, err := r.actors("actor", "ally_actor", "inter", aftermath.RoleActor2, aftermath.RoleAssoc2)
	ev.Actors = append(ev.Actors, more...)
	return err
}

// dyadicActors sets the actors of a current or v6-dyadic row.
func (r *Reader) dyadicActors(ev *aftermath.Event) error {
	a1, err := r.actors("actor1", r.assoc1, "inter1", aftermath.RoleActor1, aftermath.RoleAssoc1)
	if err != nil {
		return err
	}
	a2, err := r.actors("actor2", r.assoc2, "inter2", aftermath.RoleActor2, aftermath.RoleAssoc2)
	if err != nil {
		return err
	}
	ev.Actors = append(a1, a2...)
	return nil
}

// actors returns an actor and its associates. ACLED lists several
// associates in one field separated by "; "; each becomes an entry.
func (r *Reader) actors(actorCol, assocCol, interCol, role, assocRole string) ([]aftermath.EventActor, error) {
	inter := strings.TrimSpace(r.c.Get(interCol))
	if !validInter(inter) {
		return nil, r.c.Err(interCol, inter, "is not an ACLED inter code")
	}
	var out []aftermath.EventActor
	if name := strings.TrimSpace(r.c.Get(actorCol)); name != "" {
		out = append(out, aftermath.EventActor{Role: role, Name: name, Inter: inter, Kind: interKind(inter)})
	}
	for a := range strings.SplitSeq(r.c.Get(assocCol), ";") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, aftermath.EventActor{Role: assocRole, Name: a})
		}
	}
	return out, nil
}

// interKind maps ACLED's actor type (inter code) to an actor kind:
// 1 state forces; 2 rebel groups, 3 political and 4 identity militias are
// armed groups; 7 civilians; 5 rioters, 6 protesters, 8 external/other
// forces and unknown codes are "other".
func interKind(v string) string {
	switch strings.ToLower(strings.TrimSuffix(v, ".0")) {
	case "1", "state forces":
		return aftermath.KindState
	case "2", "3", "4", "rebel group", "political militia", "identity militia":
		return aftermath.KindArmedGroup
	case "7", "civilians":
		return aftermath.KindCivilians
	}
	return aftermath.KindOther
}

// validInter accepts an empty code (no such actor), the numbers 0-8 (also
// written "1.0" by files re-saved from spreadsheets) and the words ACLED
// has used since 2023.
func validInter(v string) bool {
	if v == "" || interWords[strings.ToLower(v)] {
		return true
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v, ".0"))
	return err == nil && n >= 0 && n <= 8
}

// event maps the fields of the current row other than actors.
func (r *Reader) event() (*aftermath.Event, error) {
	c := r.c
	get := func(col string) string { return strings.TrimSpace(c.Get(col)) }
	ev := &aftermath.Event{
		Dataset:      aftermath.DatasetACLED,
		NativeID:     get("event_id_cnty"),
		ViolenceType: get("event_type"),
		SubEventType: get("sub_event_type"),
		DisorderType: get("disorder_type"),
		Country:      get("country"),
		Region:       get("region"),
		Admin1:       get("admin1"),
		Admin2:       get("admin2"),
		Admin3:       get("admin3"),
		Location:     get("location"),
		SourceText:   get("source"),
		Notes:        get("notes"),
		Tags:         get("tags"),
	}
	if ev.NativeID == "" {
		return nil, c.Err("event_id_cnty", "", "is empty; an event id is required")
	}
	p := c.Parser()
	p.Int(&ev.Year, "year", true)
	p.Date(&ev.DateStart, "event_date", true)
	ev.DateEnd = ev.DateStart
	p.Int(&ev.DatePrecision, "time_precision", false)
	p.Int(&ev.CountryISO, "iso", false)
	if p.Err == nil && ev.CountryISO == 0 {
		// HDX's files add iso3; it names the country when iso is empty.
		// The column is not mapped, so its text stays in Extra as well.
		if c, ok := geo.ByAlpha3(strings.ToUpper(get("iso3"))); ok {
			ev.CountryISO = c.Numeric
		}
	}
	p.Int(&ev.CountryGW, "gwno", false)
	p.Int(&ev.WherePrecision, "geo_precision", false)
	p.Coord(&ev.Latitude, "latitude", 90)
	p.Coord(&ev.Longitude, "longitude", 180)
	p.Count(&ev.DeathsBest, "fatalities", true)
	if p.Err != nil {
		return nil, p.Err
	}
	// ACLED publishes one fatality figure, so it is also the low and high.
	ev.DeathsLow, ev.DeathsHigh = ev.DeathsBest, ev.DeathsBest
	if r.civCol {
		ev.CivilianTargeting = strings.EqualFold(get("civilian_targeting"), "Civilian targeting")
	} else {
		// Before civilian_targeting existed (2021) ACLED counted an event
		// as targeting civilians when its type was violence against them.
		ev.CivilianTargeting = strings.EqualFold(ev.ViolenceType, "Violence against civilians")
	}
	if ev.CivilianTargeting {
		ev.DeathsCivilians = ev.DeathsBest
	}
	rec, head := c.Raw(), c.Header()
	for _, i := range r.extra {
		if v := strings.TrimSpace(rec[i]); v != "" {
			if ev.Extra == nil {
				ev.Extra = map[string]string{}
			}
			ev.Extra[strings.TrimSpace(head[i])] = v
		}
	}
	return ev, nil
}

// named gives a row error the column name as the file spells it, so a
// user of an upper-case export is pointed at "FATALITIES".
func (r *Reader) named(err error) error {
	if re, ok := err.(*ingest.RowError); ok && re.Column != "" {
		if p, ok := r.pub[re.Column]; ok {
			re.Column = p
		}
	}
	return err
}
