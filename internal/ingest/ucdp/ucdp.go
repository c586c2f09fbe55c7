// Package ucdp reads UCDP Georeferenced Event Dataset (GED) CSV files, from
// release 19.1 on, candidate releases included. Columns are found by header
// name, so releases that add, drop or reorder columns read the same.
package ucdp

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/ingest"
)

// mapped lists the columns that have an Event field; every other published
// column goes to Event.Extra. geom_wkt is dropped: it repeats latitude and
// longitude.
var mapped = map[string]bool{
	"id": true, "relid": true, "year": true, "code_status": true, "type_of_violence": true,
	"conflict_new_id": true, "conflict_name": true, "dyad_new_id": true, "dyad_name": true,
	"side_a_new_id": true, "side_a": true, "side_b_new_id": true, "side_b": true,
	"number_of_sources": true, "source_article": true, "where_prec": true,
	"where_description": true, "adm_1": true, "adm_2": true, "latitude": true, "longitude": true,
	"geom_wkt": true, "country": true, "country_id": true, "region": true, "event_clarity": true,
	"date_prec": true, "date_start": true, "date_end": true, "deaths_a": true, "deaths_b": true,
	"deaths_civilians": true, "deaths_unknown": true, "best": true, "high": true, "low": true,
}

// required are the columns without which a file is not a GED file we can
// read honestly.
var required = []string{"id", "year", "type_of_violence", "country", "date_start", "best", "low", "high"}

// Reader streams events from a GED CSV.
type Reader struct {
	c     *ingest.CSV
	extra []int // header positions of unmapped columns
}

var _ ingest.Reader = (*Reader)(nil)

// NewReader reads the header and checks the required columns are there.
func NewReader(r io.Reader, file string) (*Reader, error) {
	c, err := ingest.NewCSV(r, file)
	if err != nil {
		return nil, err
	}
	if err := c.Require(required...); err != nil {
		return nil, err
	}
	rd := &Reader{c: c}
	for i, h := range c.Header() {
		if !mapped[strings.ToLower(strings.TrimSpace(h))] {
			rd.extra = append(rd.extra, i)
		}
	}
	return rd, nil
}

func (r *Reader) Line() int        { return r.c.Line() }
func (r *Reader) Header() []string { return r.c.Header() }
func (r *Reader) Raw() []string    { return r.c.Raw() }

var violence = map[string]string{
	"1": aftermath.ViolenceStateBased,
	"2": aftermath.ViolenceNonState,
	"3": aftermath.ViolenceOneSided,
}

// Next returns the next event.
func (r *Reader) Next() (*aftermath.Event, error) {
	c := r.c
	if err := c.Next(); err != nil {
		return nil, err
	}
	e := &aftermath.Event{Dataset: aftermath.DatasetUCDP}
	p := c.Parser()
	e.NativeID = strings.TrimSpace(c.Get("id"))
	if e.NativeID == "" {
		return nil, c.Err("id", "", "is empty; every event needs its UCDP id")
	}
	p.Int(&e.Year, "year", true)
	if p.Err == nil {
		tv := strings.TrimSpace(c.Get("type_of_violence"))
		if e.ViolenceType = violence[tv]; e.ViolenceType == "" {
			p.Err = c.Err("type_of_violence", tv, "is not 1, 2 or 3")
		}
	}
	p.Date(&e.DateStart, "date_start", true)
	p.Date(&e.DateEnd, "date_end", false)
	if p.Err == nil {
		if e.DateEnd == "" {
			e.DateEnd = e.DateStart
		} else if e.DateEnd < e.DateStart {
			p.Err = c.Err("date_end", c.Get("date_end"), "is before date_start")
		}
	}
	p.Int(&e.DatePrecision, "date_prec", false)
	p.Int(&e.WherePrecision, "where_prec", false)
	p.Int(&e.Clarity, "event_clarity", false)
	p.Int(&e.CountryGW, "country_id", false)
	// Full releases write -1 ("not known") in number_of_sources for older
	// events; it and an empty cell are kept as published (see
	// aftermath.Event.SourceCount), not refused as negative counts.
	p.OptCount(&e.SourceCount, "number_of_sources")
	p.Count(&e.DeathsA, "deaths_a", false)
	p.Count(&e.DeathsB, "deaths_b", false)
	p.Count(&e.DeathsCivilians, "deaths_civilians", false)
	p.Count(&e.DeathsUnknown, "deaths_unknown", false)
	p.Count(&e.DeathsBest, "best", true)
	p.Count(&e.DeathsLow, "low", true)
	p.Count(&e.DeathsHigh, "high", true)
	p.Coord(&e.Latitude, "latitude", 90)
	p.Coord(&e.Longitude, "longitude", 180)
	if p.Err != nil {
		return nil, p.Err
	}
	// low ≤ best ≤ high is not checked: released candidate files break it
	// (GED 21.01.21.12 line 7 has best 6, low 7), and users must be able to
	// cross-check the figures exactly as UCDP published them.
	e.Country = strings.TrimSpace(c.Get("country"))
	if e.Country == "" {
		return nil, c.Err("country", "", "is empty")
	}
	e.RelID = c.Get("relid")
	e.CodeStatus = c.Get("code_status")
	e.ConflictID = c.Get("conflict_new_id")
	e.ConflictName = c.Get("conflict_name")
	e.DyadID = c.Get("dyad_new_id")
	e.DyadName = c.Get("dyad_name")
	e.Region = c.Get("region")
	e.Admin1 = c.Get("adm_1")
	e.Admin2 = c.Get("adm_2")
	e.Location = c.Get("where_description")
	e.SourceText = c.Get("source_article")
	e.CivilianTargeting = e.ViolenceType == aftermath.ViolenceOneSided
	if a := strings.TrimSpace(c.Get("side_a")); a != "" {
		e.Actors = append(e.Actors, aftermath.EventActor{Role: aftermath.RoleSideA, Name: a, ExternalID: c.Get("side_a_new_id"), Kind: kind(a)})
	}
	if b := strings.TrimSpace(c.Get("side_b")); b != "" {
		e.Actors = append(e.Actors, aftermath.EventActor{Role: aftermath.RoleSideB, Name: b, ExternalID: c.Get("side_b_new_id"), Kind: kind(b)})
	}
	raw, head := c.Raw(), c.Header()
	for _, i := range r.extra {
		if raw[i] != "" {
			if e.Extra == nil {
				e.Extra = make(map[string]string, len(r.extra))
			}
			e.Extra[head[i]] = raw[i]
		}
	}
	return e, nil
}

// kind follows UCDP's naming: state actors are "Government of X", the
// victims of one-sided violence "Civilians"; every other side is an
// organised armed group.
func kind(name string) string {
	switch {
	case strings.HasPrefix(name, "Government of "):
		return aftermath.KindState
	case name == "Civilians":
		return aftermath.KindCivilians
	}
	return aftermath.KindArmedGroup
}

var (
	// GEDEvent_v23_1, GEDEvent_v21_01_21_12, GEDEvent_v22_0_2, ged231 …
	versionParts = regexp.MustCompile(`(?i)(?:^|[^a-z])(?:gedevent|ged)_?v(\d+(?:_\d+)*)`)
	versionGED   = regexp.MustCompile(`(?i)(?:^|[^a-z])ged(\d{2})(\d{1,2})(?:[^0-9]|$)`)
)

// VersionFromName derives the GED release from a file name as UCDP names
// its downloads: GEDEvent_v23_1.csv → 23.1, ged191.csv → 19.1,
// GEDEvent_v21_01_21_12.csv → 21.01.21.12 (candidate releases keep their
// parts). It returns "" when the name gives none.
func VersionFromName(name string) string {
	base := filepath.Base(name)
	if m := versionParts.FindStringSubmatch(base); m != nil {
		return strings.ReplaceAll(m[1], "_", ".")
	}
	if m := versionGED.FindStringSubmatch(base); m != nil {
		minor, _ := strconv.Atoi(m[2])
		return m[1] + "." + strconv.Itoa(minor)
	}
	return ""
}

// candidateMonth matches the monthly candidate releases' names:
// GEDEvent_v22_0_2 is the candidate for February 2022 (vYY_0_M). The
// quarterly and yearly candidates (GEDEvent_v21_01_21_12) are not of
// this form.
var candidateMonth = regexp.MustCompile(`(?i)(?:^|[^a-z])(?:gedevent|ged)_?v(\d{2})_0_(\d{1,2})(?:[^0-9]|$)`)

// MonthFromName returns the YYYY-MM a monthly candidate release covers,
// from its file name (GEDEvent_v22_0_2.csv.zip → 2022-02), or "" when the
// name is not a monthly candidate's.
func MonthFromName(name string) string {
	m := candidateMonth.FindStringSubmatch(filepath.Base(name))
	if m == nil {
		return ""
	}
	month, _ := strconv.Atoi(m[2])
	if month < 1 || month > 12 {
		return ""
	}
	return fmt.Sprintf("20%s-%02d", m[1], month)
}
