package acled

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/ingest"
)

// The fixtures in testdata are invented rows in ACLED's layouts: ACLED's
// terms do not allow redistributing real ones.

func open(t *testing.T, name string) *Reader {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r, err := NewReader(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// readAll reads to EOF, failing on any error.
func readAll(t *testing.T, r *Reader) []*aftermath.Event {
	t.Helper()
	var evs []*aftermath.Event
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return evs
		}
		if err != nil {
			t.Fatalf("Next after %d events: %v", len(evs), err)
		}
		evs = append(evs, ev)
	}
}

// names lists the actors of an event as "role=name" for easy comparison.
func names(ev *aftermath.Event) []string {
	var out []string
	for _, a := range ev.Actors {
		s := a.Role + "=" + a.Name
		if a.Inter != "" {
			s += " [" + a.Inter + "]"
		}
		out = append(out, s)
	}
	return out
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestLayouts(t *testing.T) {
	tests := []struct {
		file   string
		layout string
		events int
		check  func(t *testing.T, r *Reader, evs []*aftermath.Event)
	}{
		{"current.csv", LayoutCurrent, 7, func(t *testing.T, r *Reader, evs []*aftermath.Event) {
			e := evs[0]
			eq(t, "Dataset", e.Dataset, aftermath.DatasetACLED)
			eq(t, "Version", e.Version, "")
			eq(t, "NativeID", e.NativeID, "NGA90001")
			eq(t, "Year", e.Year, 2021)
			eq(t, "DateStart", e.DateStart, "2021-03-02")
			eq(t, "DateEnd", e.DateEnd, "2021-03-02")
			eq(t, "DatePrecision", e.DatePrecision, 1)
			eq(t, "DisorderType", e.DisorderType, "Political violence")
			eq(t, "ViolenceType", e.ViolenceType, "Battles")
			eq(t, "SubEventType", e.SubEventType, "Armed clash")
			eq(t, "CountryISO", e.CountryISO, 566)
			eq(t, "Region", e.Region, "Western Africa")
			eq(t, "Admin2", e.Admin2, "Gwoza")
			eq(t, "Location", e.Location, "Pulka")
			eq(t, "Latitude", *e.Latitude, 11.1786)
			eq(t, "Longitude", *e.Longitude, 13.9531)
			eq(t, "WherePrecision", e.WherePrecision, 1)
			eq(t, "DeathsBest/Low/High", [3]int{e.DeathsBest, e.DeathsLow, e.DeathsHigh}, [3]int{7, 7, 7})
			eq(t, "CivilianTargeting", e.CivilianTargeting, false)
			eq(t, "DeathsCivilians", e.DeathsCivilians, 0)
			eq(t, "SourceText", e.SourceText, "Local Source")
			if want := []string{
				"actor1=Military Forces of Nigeria (2015-2023) [State forces]",
				"actor2=Islamic State West Africa Province (ISWAP) [Rebel group]",
			}; !reflect.DeepEqual(names(e), want) {
				t.Errorf("actors = %q, want %q", names(e), want)
			}
			wantExtra := map[string]string{"interaction": "State forces-Rebel group",
				"source_scale": "Subnational", "timestamp": "1615852800"}
			if !reflect.DeepEqual(e.Extra, wantExtra) {
				t.Errorf("Extra = %v, want %v", e.Extra, wantExtra)
			}

			// "4 March 2021"; civilian targeting counts the deaths as civilian.
			e = evs[1]
			eq(t, "DateStart", e.DateStart, "2021-03-04")
			eq(t, "CivilianTargeting", e.CivilianTargeting, true)
			eq(t, "DeathsCivilians", e.DeathsCivilians, 3)
			if want := []string{
				"actor1=Unidentified Armed Group (Nigeria) [Political militia]",
				"actor2=Civilians (Nigeria) [Civilians]",
				"assoc_actor_2=Farmers (Nigeria)",
				"assoc_actor_2=Women (Nigeria)",
			}; !reflect.DeepEqual(names(e), want) {
				t.Errorf("actors = %q, want %q", names(e), want)
			}

			// "05 March 2021"; two associates of actor1, no actor2; tags.
			e = evs[2]
			eq(t, "DateStart", e.DateStart, "2021-03-05")
			eq(t, "Tags", e.Tags, "crowd size=around 200")
			if want := []string{
				"actor1=Protesters (Nigeria) [Protesters]",
				"assoc_actor_1=Students (Nigeria)",
				"assoc_actor_1=Teachers (Nigeria)",
			}; !reflect.DeepEqual(names(e), want) {
				t.Errorf("actors = %q, want %q", names(e), want)
			}

			// Numeric inter codes are kept as published.
			eq(t, "Inter", evs[3].Actors[0].Inter, "1")
			eq(t, "Inter", evs[3].Actors[1].Inter, "7")
			eq(t, "DeathsCivilians", evs[3].DeathsCivilians, 4)

			// Violence against civilians without the civilian_targeting
			// mark: the column decides, not the event type.
			e = evs[4]
			eq(t, "ViolenceType", e.ViolenceType, "Violence against civilians")
			eq(t, "CivilianTargeting", e.CivilianTargeting, false)
			eq(t, "Notes", e.Notes, "On 7 March 2021, JNIM militants abducted a village chief near Bandiagara.\n"+
				"He was released two days later. No fatalities.")
			eq(t, "Longitude", *e.Longitude, -3.61)

			// Inter words are matched case-insensitively but kept as written.
			eq(t, "Inter", evs[5].Actors[1].Inter, "identity MILITIA")
			eq(t, "Inter", evs[6].Actors[0].Inter, "External/Other forces")
			eq(t, "DeathsCivilians", evs[6].DeathsCivilians, 12)
			eq(t, "Admin3", evs[6].Admin3, "Beni")
		}},
		{"current_2019.csv", LayoutCurrent, 5, func(t *testing.T, r *Reader, evs []*aftermath.Event) {
			e := evs[0]
			eq(t, "DateStart", e.DateStart, "2019-06-14")
			// No iso column: iso3 (KEN) gives the numeric code.
			eq(t, "CountryISO", e.CountryISO, 404)
			eq(t, "DisorderType", e.DisorderType, "")
			// No civilian_targeting column: the event type decides.
			eq(t, "CivilianTargeting", e.CivilianTargeting, true)
			eq(t, "DeathsCivilians", e.DeathsCivilians, 2)
			eq(t, "Extra[event_id_no_cnty]", e.Extra["event_id_no_cnty"], "80001")
			eq(t, "Extra[iso3]", e.Extra["iso3"], "KEN")
			eq(t, "Extra[interaction]", e.Extra["interaction"], "27")
			if want := []string{
				"actor1=Al Shabaab [2]",
				"actor2=Civilians (Kenya) [7]",
				"assoc_actor_2=Police Forces of Kenya (2013-2022)",
				"assoc_actor_2=Teachers (Kenya)",
			}; !reflect.DeepEqual(names(e), want) {
				t.Errorf("actors = %q, want %q", names(e), want)
			}
			eq(t, "CivilianTargeting", evs[2].CivilianTargeting, false)
			eq(t, "DeathsCivilians", evs[2].DeathsCivilians, 0)
			if evs[3].Latitude != nil || evs[3].Longitude != nil {
				t.Errorf("empty coordinates = %v, %v, want nil", evs[3].Latitude, evs[3].Longitude)
			}
		}},
		{"v6_dyadic.csv", LayoutV6Dyadic, 5, func(t *testing.T, r *Reader, evs []*aftermath.Event) {
			e := evs[0]
			eq(t, "NativeID", e.NativeID, "ZIM7001")
			eq(t, "DateStart", e.DateStart, "2015-02-14") // 14-Feb-15
			eq(t, "CountryGW", e.CountryGW, 552)
			eq(t, "ViolenceType", e.ViolenceType, "Riots/Protests")
			eq(t, "Extra[EVENT_ID_NO_CNTY]", e.Extra["EVENT_ID_NO_CNTY"], "7001")
			eq(t, "Extra[GWNO]", e.Extra["GWNO"], "552")
			if want := []string{
				"actor1=Protesters (Zimbabwe) [6]",
				"assoc_actor_1=Vendors (Zimbabwe)",
				"actor2=Police Forces of Zimbabwe (1987-2017) [1]",
			}; !reflect.DeepEqual(names(e), want) {
				t.Errorf("actors = %q, want %q", names(e), want)
			}
			e = evs[1]
			eq(t, "DateStart", e.DateStart, "2015-02-16")
			eq(t, "CivilianTargeting", e.CivilianTargeting, true)
			eq(t, "DeathsCivilians", e.DeathsCivilians, 1)
			eq(t, "len(Actors)", len(e.Actors), 4) // two allies of actor2
			eq(t, "DateStart", evs[2].DateStart, "2015-02-17")
			eq(t, "Actors[1]", names(evs[2])[1], "assoc_actor_1=AMISOM: African Union Mission in Somalia (2007-)")
			eq(t, "len(Actors)", len(evs[3].Actors), 1) // no actor2
		}},
		{"monadic.csv", LayoutMonadic, 5, func(t *testing.T, r *Reader, evs []*aftermath.Event) {
			e := evs[0]
			eq(t, "NativeID", e.NativeID, "SLE501")
			eq(t, "DateStart", e.DateStart, "1998-02-03")
			eq(t, "DeathsBest", e.DeathsBest, 8) // once, not 16
			eq(t, "CountryGW", e.CountryGW, 451)
			if want := []string{
				"actor1=RUF: Revolutionary United Front [2]",
				"actor2=Military Forces of Sierra Leone (1997-1998) [1]",
				"assoc_actor_2=AFRC: Armed Forces Revolutionary Council",
			}; !reflect.DeepEqual(names(e), want) {
				t.Errorf("actors = %q, want %q", names(e), want)
			}
			eq(t, "len(Actors)", len(evs[1].Actors), 1)
			eq(t, "CivilianTargeting", evs[1].CivilianTargeting, true)
			e = evs[2]
			eq(t, "DeathsBest", e.DeathsBest, 4)
			if want := []string{
				"actor1=LURD: Liberians United for Reconciliation and Democracy [2]",
				"assoc_actor_1=Mandingo Ethnic Militia (Liberia)",
				"actor2=Military Forces of Liberia (1997-2003) [1]",
				"actor2=Militia (Pro-Government) [3]",
				"assoc_actor_2=Kamajor Militia",
				"assoc_actor_2=Donzo Militia",
			}; !reflect.DeepEqual(names(e), want) {
				t.Errorf("actors = %q, want %q", names(e), want)
			}
			eq(t, "NativeID", evs[4].NativeID, "SLE505")
			eq(t, "len(Actors)", len(evs[4].Actors), 2)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := open(t, tt.file)
			eq(t, "Layout", r.Layout(), tt.layout)
			evs := readAll(t, r)
			if len(evs) != tt.events {
				t.Fatalf("read %d events, want %d", len(evs), tt.events)
			}
			for _, e := range evs {
				if e.NativeID == "" || e.Dataset != aftermath.DatasetACLED {
					t.Errorf("event %+v lacks NativeID or Dataset", e)
				}
			}
			tt.check(t, r, evs)
			// EOF is sticky.
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("Next after EOF = %v, want io.EOF", err)
			}
		})
	}
}

// TestMonadicLine checks Line and Raw describe the first row of a merged
// event, and that the lookahead does not disturb them.
func TestMonadicLine(t *testing.T) {
	r := open(t, "monadic.csv")
	wantLines := []int{2, 4, 5, 8, 9}
	for _, want := range wantLines {
		ev, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, ev.NativeID+" Line", r.Line(), want)
		eq(t, ev.NativeID+" Raw[0]", r.Raw()[0], ev.NativeID)
		eq(t, ev.NativeID+" Raw[ACTOR]", r.Raw()[6], ev.Actors[0].Name)
	}
}

func TestBadFatalities(t *testing.T) {
	r := open(t, "bad_fatalities.csv")
	for _, id := range []string{"UGA60001", "UGA60002"} {
		ev, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "NativeID", ev.NativeID, id)
	}
	eq(t, "Line", r.Line(), 3)
	// The row after the three-line notes field starts on physical line 6.
	_, err := r.Next()
	var re *ingest.RowError
	if !errors.As(err, &re) {
		t.Fatalf("Next = %v, want a *ingest.RowError", err)
	}
	eq(t, "error", err.Error(), `bad_fatalities.csv:6: column "fatalities": "abc" is not a number`)
	eq(t, "Line", r.Line(), 6)
	eq(t, "Raw[0]", r.Raw()[0], "UGA60003")
	ev, err := r.Next()
	if err != nil {
		t.Fatalf("Next after a bad row: %v", err)
	}
	eq(t, "NativeID", ev.NativeID, "UGA60004")
	eq(t, "Line", r.Line(), 7)
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next = %v, want io.EOF", err)
	}
}

const (
	curHead = "event_id_cnty,event_date,year,event_type,actor1,inter1,actor2,inter2,country,fatalities\n"
	v6Head  = "EVENT_ID_CNTY,EVENT_DATE,YEAR,EVENT_TYPE,ACTOR1,INTER1,ACTOR2,INTER2,COUNTRY,FATALITIES,GWNO\n"
	monHead = "EVENT_ID_CNTY,EVENT_DATE,YEAR,EVENT_TYPE,ACTOR,INTER,COUNTRY,FATALITIES\n"
	curGood = "X9,2021-01-09,2021,Battles,A,1,B,2,Chad,0\n"
)

// TestRowErrors checks the text of each row error and that the row after
// it is read.
func TestRowErrors(t *testing.T) {
	tests := []struct {
		name, csv, want, next string
	}{
		{"bad date", curHead + "X1,2021-02-30,2021,Battles,A,1,B,2,Chad,0\n" + curGood,
			`f.csv:2: column "event_date": "2021-02-30" is not a date (expected e.g. 2021-03-02 or 2 March 2021)`, "X9"},
		{"empty date", curHead + "X1,,2021,Battles,A,1,B,2,Chad,0\n" + curGood,
			`f.csv:2: column "event_date": "" is empty; a date is required`, "X9"},
		{"bad inter word", curHead + "X1,2021-01-01,2021,Battles,A,xyz,B,2,Chad,0\n" + curGood,
			`f.csv:2: column "inter1": "xyz" is not an ACLED inter code`, "X9"},
		{"inter out of range", curHead + "X1,2021-01-01,2021,Battles,A,1,B,9,Chad,0\n" + curGood,
			`f.csv:2: column "inter2": "9" is not an ACLED inter code`, "X9"},
		{"empty id", curHead + " ,2021-01-01,2021,Battles,A,1,B,2,Chad,0\n" + curGood,
			`f.csv:2: column "event_id_cnty": "" is empty; an event id is required`, "X9"},
		{"bad year", curHead + "X1,2021-01-01,20x1,Battles,A,1,B,2,Chad,0\n" + curGood,
			`f.csv:2: column "year": "20x1" is not a number`, "X9"},
		{"negative fatalities", curHead + "X1,2021-01-01,2021,Battles,A,1,B,2,Chad,-1\n" + curGood,
			`f.csv:2: column "fatalities": "-1" is negative; a count cannot be`, "X9"},
		{"wrong field count", curHead + "X1,2021-01-01,2021\n" + curGood,
			`f.csv:2: has 3 fields, the header has 10`, "X9"},
		// Upper-case files are told about the column as they spell it.
		{"v6 bad gwno", v6Head + "Z1,02-Jan-06,2006,Battles,A,1,B,2,Chad,0,four\n" +
			"Z2,03-Jan-06,2006,Battles,A,1,B,2,Chad,0,483\n",
			`f.csv:2: column "GWNO": "four" is not a number`, "Z2"},
		{"monadic fatalities differ", monHead +
			"M1,2006-01-02,2006,Battles,A,1,Chad,3\nM1,2006-01-02,2006,Battles,B,2,Chad,4\nM2,2006-01-03,2006,Battles,C,1,Chad,0\n",
			`f.csv:3: column "FATALITIES": "4" differs from 3 on line 2 for the same event`, "M2"},
		{"monadic date differs", monHead +
			"M1,2006-01-02,2006,Battles,A,1,Chad,3\nM1,3 January 2006,2006,Battles,B,2,Chad,3\nM2,2006-01-03,2006,Battles,C,1,Chad,0\n",
			`f.csv:3: column "EVENT_DATE": "3 January 2006" differs from 2006-01-02 on line 2 for the same event`, "M2"},
		// A bad first row rejects the whole event; its second row must not
		// come back as an event of its own.
		{"monadic bad first row", monHead +
			"M1,2006-01-02,2006,Battles,A,1,Chad,x\nM1,2006-01-02,2006,Battles,B,2,Chad,3\nM2,2006-01-03,2006,Battles,C,1,Chad,0\n",
			`f.csv:2: column "FATALITIES": "x" is not a number`, "M2"},
		{"monadic bad inter in later row", monHead +
			"M1,2006-01-02,2006,Battles,A,1,Chad,3\nM1,2006-01-02,2006,Battles,B,Pirates,Chad,3\nM1,2006-01-02,2006,Battles,C,1,Chad,3\nM2,2006-01-03,2006,Battles,C,1,Chad,0\n",
			`f.csv:3: column "INTER": "Pirates" is not an ACLED inter code`, "M2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.csv), "f.csv")
			if err != nil {
				t.Fatal(err)
			}
			ev, err := r.Next()
			var re *ingest.RowError
			if !errors.As(err, &re) {
				t.Fatalf("Next = %+v, %v; want a *ingest.RowError", ev, err)
			}
			eq(t, "error", err.Error(), tt.want)
			eq(t, "Line", r.Line(), re.Line)
			ev, err = r.Next()
			if err != nil {
				t.Fatalf("Next after the bad row: %v", err)
			}
			eq(t, "NativeID", ev.NativeID, tt.next)
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("Next = %v, want io.EOF", err)
			}
		})
	}
}

func TestNewReaderErrors(t *testing.T) {
	tests := []struct{ name, csv, want string }{
		{"empty file", "", "f.csv: the file is empty"},
		{"no fatalities", "event_id_cnty,event_date,year,event_type,actor1,country\n",
			`f.csv:1: the header has no column "fatalities"`},
		{"no actor column", "EVENT_ID_CNTY,EVENT_DATE,YEAR,EVENT_TYPE,COUNTRY,FATALITIES\n",
			`f.csv:1: the header has no column "actor1"`},
		{"monadic without year", "EVENT_ID_CNTY,EVENT_DATE,EVENT_TYPE,ACTOR,COUNTRY,FATALITIES\n",
			`f.csv:1: the header has no column "year"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.csv), "f.csv")
			if err == nil {
				t.Fatalf("NewReader = %v, want an error", r)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to start %q", err, tt.want)
			}
		})
	}
}

func TestHeaderOnly(t *testing.T) {
	for _, head := range []string{curHead, v6Head, monHead} {
		r, err := NewReader(strings.NewReader("\ufeff"+head), "f.csv")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Errorf("%s: Next = %v, want io.EOF", r.Layout(), err)
		}
	}
}

// TestFatalIsSticky checks that after a CSV syntax error Next keeps
// failing instead of resuming somewhere inside the broken text.
func TestFatalIsSticky(t *testing.T) {
	for _, head := range []string{curHead, monHead} {
		var row string
		if head == curHead {
			row = "X1,2021-01-01,2021,Battles,A,1,B,2,Chad,0\n"
		} else {
			row = "X1,2021-01-01,2021,Battles,A,1,Chad,0\n"
		}
		in := head + row + "X2,\"2021-01-01\"x,2021\n" + row
		r, err := NewReader(strings.NewReader(in), "f.csv")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Next(); err != nil {
			t.Fatalf("%s: first row: %v", r.Layout(), err)
		}
		_, err1 := r.Next()
		var re *ingest.RowError
		if err1 == nil || err1 == io.EOF || errors.As(err1, &re) {
			t.Fatalf("%s: Next = %v, want a fatal parse error", r.Layout(), err1)
		}
		if !strings.HasPrefix(err1.Error(), "f.csv:3: ") {
			t.Errorf("%s: error %q does not name line 3", r.Layout(), err1)
		}
		if _, err2 := r.Next(); err2 != err1 {
			t.Errorf("%s: Next after a fatal error = %v, want %v again", r.Layout(), err2, err1)
		}
	}
}

func TestValidInter(t *testing.T) {
	for v, want := range map[string]bool{
		"": true, "0": true, "8": true, "3.0": true, "Rioters": true, "PROTESTERS": true,
		"external/other forces": true, "9": false, "-1": false, "1.5": false, "Pirates": false,
		"State force": false,
	} {
		if got := validInter(v); got != want {
			t.Errorf("validInter(%q) = %v, want %v", v, got, want)
		}
	}
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func FuzzReader(f *testing.F) {
	for _, name := range []string{"current.csv", "current_2019.csv", "v6_dyadic.csv", "monadic.csv", "bad_fatalities.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(curHead + curGood + "X2,2 March 2021,2021,Battles,A,Rioters,,,Chad,1\n")
	f.Add(curHead + "X1,2021-13-01,2021,Battles,A,1,B,2,Chad,0\nX2,\"\n\",2021,,,,,,,\n")
	f.Add(v6Head + "Z1,02-Jan-06,2006,Battles,A;B,1,,0,Chad,2,483\nZ1,02-Jan-06,2006\n")
	f.Add(monHead + "M1,2006-01-02,2006,Battles,A,1,Chad,3\nM1,2006-01-02,2006,Battles,B,9,Chad,3\nM1,x\n")
	f.Add(monHead + "M1,2006-01-02,2006,Battles,A,1,Chad,3\n\"M1,2006")
	f.Add(monHead + ",2006-01-02,2006,Battles,A,1,Chad,3\n,2006-01-02,2006,Battles,B,1,Chad,4\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewReader(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			return
		}
		stopped := false
		for i := 0; i < 10000; i++ {
			ev, err := r.Next()
			if err == io.EOF {
				return
			}
			var re *ingest.RowError
			switch {
			case stopped:
				// After a fatal error the reader must stay stopped.
				if err == nil {
					t.Fatalf("Next returned an event after a fatal error")
				}
			case err == nil:
				if ev.NativeID == "" {
					t.Fatalf("event without NativeID: %+v", ev)
				}
				if !isoDate.MatchString(ev.DateStart) || ev.DateEnd != ev.DateStart {
					t.Fatalf("DateStart %q / DateEnd %q not YYYY-MM-DD", ev.DateStart, ev.DateEnd)
				}
				if _, err := time.Parse("2006-01-02", ev.DateStart); err != nil {
					t.Fatalf("DateStart %q: %v", ev.DateStart, err)
				}
				if ev.DeathsCivilians > ev.DeathsBest || ev.DeathsBest < 0 {
					t.Fatalf("deaths best %d civilians %d", ev.DeathsBest, ev.DeathsCivilians)
				}
				for _, a := range ev.Actors {
					if a.Name == "" {
						t.Fatalf("actor without a name: %+v", ev.Actors)
					}
				}
				if r.Line() < 2 {
					t.Fatalf("Line = %d for an event", r.Line())
				}
			case errors.As(err, &re):
				if re.File != "fuzz.csv" || re.Line < 2 {
					t.Fatalf("row error %q has file %q line %d", err, re.File, re.Line)
				}
			default:
				stopped = true
			}
		}
		if !stopped {
			t.Fatalf("no EOF after 10000 calls")
		}
	})
}

// ACLED as HDX serves it: a second header row of HXL hashtags and the
// columns data_id, event_id_no_cnty and iso3. The tag row is skipped,
// lines stay the file's own, the extra columns are kept, and iso3 gives
// the country code where iso is empty.
func TestHDXFile(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "hdx_2024-06-30.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, "hdx.csv")
	if err != nil {
		t.Fatal(err)
	}
	var evs []*aftermath.Event
	var lines []int
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("line %d: %v", r.Line(), err)
		}
		evs = append(evs, e)
		lines = append(lines, r.Line())
	}
	if len(evs) != 3 || !reflect.DeepEqual(lines, []int{3, 4, 5}) {
		t.Fatalf("read %d events on lines %v, want 3 on lines 3, 4, 5", len(evs), lines)
	}
	e := evs[0]
	eq(t, "NativeID", e.NativeID, "MLI91001")
	eq(t, "DateStart", e.DateStart, "2024-01-05")
	eq(t, "CountryISO", e.CountryISO, 466)
	eq(t, "DeathsBest", e.DeathsBest, 4)
	if want := (map[string]string{"data_id": "9100001", "event_id_no_cnty": "91001", "iso3": "MLI",
		"interaction": "State forces-Rebel group", "source_scale": "Subnational", "timestamp": "1704844800"}); !reflect.DeepEqual(e.Extra, want) {
		t.Errorf("Extra = %v, want %v", e.Extra, want)
	}
	eq(t, "DeathsCivilians", evs[1].DeathsCivilians, 2)
	eq(t, "DatePrecision", evs[1].DatePrecision, 2)
	eq(t, "CountryISO from iso3", evs[2].CountryISO, 466)
	eq(t, "Tags", evs[2].Tags, "crowd size=hundreds")
}
