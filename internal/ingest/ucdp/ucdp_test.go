package ucdp

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/ingest"
)

func TestVersionFromName(t *testing.T) {
	for name, want := range map[string]string{
		"GEDEvent_v23_1.csv":            "23.1",
		"/data/GEDEvent_v23_1.csv.zip":  "23.1",
		"GEDEvent_v21_01_21_12.csv.zip": "21.01.21.12",
		"GEDEvent_v22_0_2.csv":          "22.0.2",
		"ged191.csv":                    "19.1",
		"ged201.zip":                    "20.1",
		"ged_v24_1.csv":                 "24.1",
		"events.csv":                    "",
		"my-gedcom-export.csv":          "",
		"GEDEvent_vX.csv":               "",
	} {
		if got := VersionFromName(name); got != want {
			t.Errorf("VersionFromName(%q) = %q, want %q", name, got, want)
		}
	}
}

const header = "id,relid,year,type_of_violence,side_a,side_a_new_id,side_b,side_b_new_id,country,country_id,adm_1,date_start,date_end,best,low,high,deaths_civilians,latitude,longitude,geom_wkt,priogrid_gid\n"

func read(t *testing.T, body string) ([]*aftermath.Event, []error) {
	t.Helper()
	r, err := NewReader(strings.NewReader(header+body), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	var evs []*aftermath.Event
	var errs []error
	for {
		e, err := r.Next()
		if err == io.EOF {
			return evs, errs
		}
		var re *ingest.RowError
		if err != nil && !errors.As(err, &re) {
			t.Fatalf("fatal error: %v", err)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		evs = append(evs, e)
	}
}

func TestReadsColumnsByName(t *testing.T) {
	evs, errs := read(t, `7,MLI-1,2021,3,JNIM,1253,Civilians,1,Mali,432,Mopti region,2021-03-04 00:00:00.000,2021-03-05,5,4,9,5,14.5,-4.2,POINT (-4.2 14.5),123
8,MLI-2,2021,1,Government of Mali,94,JNIM,1253,Mali,432,,2021-03-06,,2,2,2,0,,,,
`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	e := evs[0]
	if e.NativeID != "7" || e.RelID != "MLI-1" || e.Year != 2021 || e.ViolenceType != aftermath.ViolenceOneSided ||
		e.DateStart != "2021-03-04" || e.DateEnd != "2021-03-05" || e.DeathsBest != 5 || e.DeathsLow != 4 ||
		e.DeathsHigh != 9 || e.DeathsCivilians != 5 || e.CountryGW != 432 || e.Admin1 != "Mopti region" ||
		*e.Latitude != 14.5 || *e.Longitude != -4.2 || !e.CivilianTargeting {
		t.Errorf("event = %+v", e)
	}
	if len(e.Actors) != 2 || e.Actors[0] != (aftermath.EventActor{Role: aftermath.RoleSideA, Name: "JNIM", ExternalID: "1253", Kind: aftermath.KindArmedGroup}) || e.Actors[1].Kind != aftermath.KindCivilians {
		t.Errorf("actors = %+v", e.Actors)
	}
	// Unmapped columns are kept; geom_wkt repeats lat/lon and is dropped.
	if e.Extra["priogrid_gid"] != "123" || e.Extra["geom_wkt"] != "" {
		t.Errorf("extra = %v", e.Extra)
	}
	if f := evs[1]; f.DateEnd != "2021-03-06" || f.Latitude != nil || f.Extra != nil {
		t.Errorf("second event = %+v", f)
	}
}

func TestRowErrors(t *testing.T) {
	for _, tc := range []struct{ row, want string }{
		{"1,r,2021,1,a,1,b,2,Mali,432,,2021-01-01,2021-01-01,abc,1,1,0,,,,\n", `f.csv:2: column "best": "abc" is not a number`},
		{"1,r,2021,4,a,1,b,2,Mali,432,,2021-01-01,2021-01-01,1,1,1,0,,,,\n", `f.csv:2: column "type_of_violence": "4" is not 1, 2 or 3`},
		{"1,r,2021,1,a,1,b,2,Mali,432,,01.02.2021,,1,1,1,0,,,,\n", `f.csv:2: column "date_start": "01.02.2021" is not a date (expected e.g. 2021-03-02 or 2 March 2021)`},
		{"1,r,2021,1,a,1,b,2,Mali,432,,2021-01-02,2021-01-01,1,1,1,0,,,,\n", `f.csv:2: column "date_end": "2021-01-01" is before date_start`},
		{"1,r,2021,1,a,1,b,2,Mali,432,,2021-01-01,,1,1,1,-3,,,,\n", `f.csv:2: column "deaths_civilians": "-3" is negative; a count cannot be`},
		{"1,r,2021,1,a,1,b,2,Mali,432,,2021-01-01,,1,1,1,0,95,0,,\n", `f.csv:2: column "latitude": "95" is outside -90 to 90`},
		{",r,2021,1,a,1,b,2,Mali,432,,2021-01-01,,1,1,1,0,,,,\n", `f.csv:2: column "id": "" is empty; every event needs its UCDP id`},
		{"1,r,2021,1\n", `f.csv:2: has 4 fields, the header has 21`},
	} {
		_, errs := read(t, tc.row)
		if len(errs) != 1 || errs[0].Error() != tc.want {
			t.Errorf("row %q: errors %v, want %s", tc.row, errs, tc.want)
		}
	}
}

func TestMissingColumn(t *testing.T) {
	_, err := NewReader(strings.NewReader("id,year,country\n1,2021,Mali\n"), "f.csv")
	if err == nil || !strings.Contains(err.Error(), `f.csv:1: the header has no column "type_of_violence"`) {
		t.Errorf("error = %v", err)
	}
	if _, err := NewReader(strings.NewReader(""), "f.csv"); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: %v", err)
	}
}

func FuzzReader(f *testing.F) {
	f.Add(header + "7,MLI-1,2021,3,JNIM,1253,Civilians,1,Mali,432,Mopti,2021-03-04 00:00:00.000,2021-03-05,5,4,9,5,14.5,-4.2,,1\n")
	f.Add(header + "8,\"a\nb\",2021,1,\"x \"\"y\"\"\",1,b,2,Mali,432,,4 March 2021,,1,1,1,0,,,,\n")
	f.Add(header + "9,r,2021,2,a,1,b,2,Mali,432,,2021-01-01,,abc,1,1,0,,,,\n")
	f.Add("\ufeff" + header + "1,r\n")
	f.Add("id,year\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, data string) {
		r, err := NewReader(strings.NewReader(data), "fuzz.csv")
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			e, err := r.Next()
			if err == io.EOF {
				return
			}
			var re *ingest.RowError
			if errors.As(err, &re) {
				if re.Line < 1 || !strings.HasPrefix(re.Error(), "fuzz.csv:") {
					t.Fatalf("row error without a place: %v", re)
				}
				continue
			}
			if err != nil {
				return // the file cannot be read further
			}
			if e.NativeID == "" || len(e.DateStart) != 10 || e.DateEnd < e.DateStart || e.Country == "" {
				t.Fatalf("event breaks the reader's promises: %+v", e)
			}
			switch e.ViolenceType {
			case aftermath.ViolenceStateBased, aftermath.ViolenceNonState, aftermath.ViolenceOneSided:
			default:
				t.Fatalf("violence type %q", e.ViolenceType)
			}
		}
	})
}

// Full GED releases write -1 ("not known") in number_of_sources for older
// events; some cells are empty. Both are unknown, kept apart as published;
// other negative numbers are still refused.
func TestNumberOfSourcesNotKnown(t *testing.T) {
	const head = "id,year,type_of_violence,country,date_start,best,low,high,number_of_sources\n"
	r, err := NewReader(strings.NewReader(head+
		"1,2009,1,Central African Republic,2009-02-20,3,3,3,-1\n"+
		"2,2009,1,Central African Republic,2009-02-21,3,3,3,\n"+
		"3,2009,1,Central African Republic,2009-02-22,3,3,3,4\n"+
		"4,2009,1,Central African Republic,2009-02-23,3,3,3,-2\n"), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			got = append(got, err.Error())
			continue
		}
		switch {
		case e.SourceCount == nil:
			got = append(got, e.NativeID+":empty")
		default:
			got = append(got, e.NativeID+":"+strconv.Itoa(*e.SourceCount))
		}
	}
	want := []string{"1:-1", "2:empty", "3:4", `f.csv:5: column "number_of_sources": "-2" is negative; a count cannot be (-1 means not known)`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMonthFromName(t *testing.T) {
	for name, want := range map[string]string{
		"GEDEvent_v22_0_2.csv.zip":       "2022-02",
		"/data/GEDEvent_v23_0_10.csv":    "2023-10",
		"GEDEvent_v21_01_21_12.csv.zip":  "",
		"GEDEvent_v23_1.csv":             "",
		"GEDEvent_v22_0_13.csv":          "",
		"GEDEvent_v22_0_0.csv":           "",
		"ged191_syria.csv.zip":           "",
		"GEDEvent_v22_0_2_corrected.csv": "2022-02",
	} {
		if got := MonthFromName(name); got != want {
			t.Errorf("MonthFromName(%q) = %q, want %q", name, got, want)
		}
	}
}
