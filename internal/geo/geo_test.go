package geo

import (
	"strings"
	"testing"
)

func TestKnownMappings(t *testing.T) {
	tests := []struct {
		name    string
		gw      int
		numeric int
		alpha3  string
		alpha2  string
	}{
		{"Mali", 432, 466, "MLI", "ML"},
		{"Somalia", 520, 706, "SOM", "SO"},
		{"Yemen", 678, 887, "YEM", "YE"},
		{"Afghanistan", 700, 4, "AFG", "AF"},
		{"Iraq", 645, 368, "IRQ", "IQ"},
		{"Libya", 620, 434, "LBY", "LY"},
		{"Burkina Faso", 439, 854, "BFA", "BF"},
		{"Niger", 436, 562, "NER", "NE"},
		{"France", 220, 250, "FRA", "FR"},
		{"United States", 2, 840, "USA", "US"},
		{"United Kingdom", 200, 826, "GBR", "GB"},
		{"Russia", 365, 643, "RUS", "RU"},
		{"Ukraine", 369, 804, "UKR", "UA"},
		{"Vietnam", 816, 704, "VNM", "VN"},
		{"Germany", 260, 276, "DEU", "DE"},
		{"Serbia", 340, 688, "SRB", "RS"},
		{"Montenegro", 341, 499, "MNE", "ME"},
		{"North Korea", 731, 408, "PRK", "KP"},
		{"South Korea", 732, 410, "KOR", "KR"},
		{"Taiwan", 713, 158, "TWN", "TW"},
		{"Sudan", 625, 729, "SDN", "SD"},
		{"South Sudan", 626, 728, "SSD", "SS"},
		{"Timor-Leste", 860, 626, "TLS", "TL"},
		{"Ethiopia", 530, 231, "ETH", "ET"},
		{"Eritrea", 531, 232, "ERI", "ER"},
		{"Democratic Republic of the Congo", 490, 180, "COD", "CD"},
		{"Republic of the Congo", 484, 178, "COG", "CG"},
		{"Israel", 666, 376, "ISR", "IL"},
		{"Myanmar", 775, 104, "MMR", "MM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := Country{GW: tt.gw, Alpha2: tt.alpha2, Alpha3: tt.alpha3, Numeric: tt.numeric, Name: tt.name}
			c, ok := ByGW(tt.gw)
			if !ok || c != want {
				t.Errorf("ByGW(%d) = %+v, %v; want %+v", tt.gw, c, ok, want)
			}
			c, ok = ByNumeric(tt.numeric)
			if !ok || c != want {
				t.Errorf("ByNumeric(%d) = %+v, %v; want %+v", tt.numeric, c, ok, want)
			}
			for _, code := range []string{tt.alpha3, strings.ToLower(tt.alpha3), tt.alpha3[:1] + strings.ToLower(tt.alpha3[1:])} {
				c, ok = ByAlpha3(code)
				if !ok || c != want {
					t.Errorf("ByAlpha3(%q) = %+v, %v; want %+v", code, c, ok, want)
				}
			}
		})
	}
}

func TestKosovo(t *testing.T) {
	c, ok := ByGW(347)
	want := Country{GW: 347, Alpha2: "XK", Alpha3: "XKX", Numeric: 0, Name: "Kosovo"}
	if !ok || c != want {
		t.Fatalf("ByGW(347) = %+v, %v; want %+v", c, ok, want)
	}
	if c, ok := ByAlpha3("xkx"); !ok || c != want {
		t.Errorf("ByAlpha3(xkx) = %+v, %v; want %+v", c, ok, want)
	}
}

// Rows that exist but have no GW code must not be reachable as GW 0, and the
// Palestine row must stay without a GW code (666 is Israel).
func TestNoCode(t *testing.T) {
	if c, ok := ByGW(0); ok {
		t.Errorf("ByGW(0) = %+v, want not found", c)
	}
	if c, ok := ByNumeric(0); ok {
		t.Errorf("ByNumeric(0) = %+v, want not found", c)
	}
	for _, code := range []string{"", "XX", "ZZZ", "MLIX"} {
		if c, ok := ByAlpha3(code); ok {
			t.Errorf("ByAlpha3(%q) = %+v, want not found", code, c)
		}
	}
	for _, code := range []int{-1, 1000, 730, 265, 345, 680, 817} {
		if c, ok := ByGW(code); ok {
			t.Errorf("ByGW(%d) = %+v, want not found (historical or invalid)", code, c)
		}
	}
	for _, a3 := range []string{"PSE", "HKG", "ESH", "GRL", "PRI", "VAT"} {
		c, ok := ByAlpha3(a3)
		if !ok {
			t.Errorf("ByAlpha3(%s) not found", a3)
			continue
		}
		if c.GW != 0 {
			t.Errorf("%s has GW %d, want none", a3, c.GW)
		}
	}
}

func TestColumnsUniqueAndInRange(t *testing.T) {
	all := All()
	if len(all) != 250 {
		t.Errorf("len(All()) = %d, want 250 (249 ISO 3166-1 countries + Kosovo)", len(all))
	}
	gw := map[int]string{}
	num := map[int]string{}
	a2 := map[string]string{}
	a3 := map[string]string{}
	names := map[string]bool{}
	withGW := 0
	for _, c := range all {
		if c.Alpha2 == "XK" {
			if c.Numeric != 0 {
				t.Errorf("Kosovo has ISO numeric %d, want none", c.Numeric)
			}
		} else if c.Numeric < 1 || c.Numeric > 999 {
			t.Errorf("%s: numeric %d outside 1..999", c.Alpha3, c.Numeric)
		}
		if c.GW < 0 || c.GW > 999 {
			t.Errorf("%s: GW %d outside 0..999", c.Alpha3, c.GW)
		}
		if c.GW != 0 {
			withGW++
			if prev, dup := gw[c.GW]; dup {
				t.Errorf("GW %d used by %s and %s", c.GW, prev, c.Alpha3)
			}
			gw[c.GW] = c.Alpha3
		}
		if c.Numeric != 0 {
			if prev, dup := num[c.Numeric]; dup {
				t.Errorf("numeric %d used by %s and %s", c.Numeric, prev, c.Alpha3)
			}
			num[c.Numeric] = c.Alpha3
		}
		if prev, dup := a2[c.Alpha2]; dup {
			t.Errorf("alpha-2 %s used by %s and %s", c.Alpha2, prev, c.Alpha3)
		}
		a2[c.Alpha2] = c.Alpha3
		if prev, dup := a3[c.Alpha3]; dup {
			t.Errorf("alpha-3 %s used by %s and %s", c.Alpha3, prev, c.Alpha2)
		}
		a3[c.Alpha3] = c.Alpha2
		if names[c.Name] {
			t.Errorf("name %q used twice", c.Name)
		}
		names[c.Name] = true
	}
	// The 193 UN members and Taiwan (GW states and microstates with an ISO
	// code), plus Kosovo.
	if withGW != 195 {
		t.Errorf("%d rows have a GW code, want 195", withGW)
	}
}

func TestAllIsACopy(t *testing.T) {
	a := All()
	a[0].Name = "changed"
	a[0].GW = -5
	if b := All(); b[0].Name == "changed" || b[0].GW == -5 {
		t.Fatal("All() returned the table's backing array")
	}
}

func TestParseRejects(t *testing.T) {
	const head = "gw_code,iso_alpha2,iso_alpha3,iso_numeric,name\n"
	tests := map[string]string{
		"empty":           "",
		"header only":     head,
		"wrong header":    "gw,iso_alpha2,iso_alpha3,iso_numeric,name\n432,ML,MLI,466,Mali\n",
		"short row":       head + "432,ML,MLI,466\n",
		"bad gw":          head + "x,ML,MLI,466,Mali\n",
		"gw out of range": head + "1000,ML,MLI,466,Mali\n",
		"numeric zero":    head + "432,ML,MLI,0,Mali\n",
		"numeric big":     head + "432,ML,MLI,1000,Mali\n",
		"lower alpha2":    head + "432,ml,MLI,466,Mali\n",
		"long alpha3":     head + "432,ML,MLIX,466,Mali\n",
		"empty name":      head + "432,ML,MLI,466,\n",
		"dup gw":          head + "432,ML,MLI,466,Mali\n432,SO,SOM,706,Somalia\n",
		"dup numeric":     head + "432,ML,MLI,466,Mali\n520,SO,SOM,466,Somalia\n",
		"dup alpha2":      head + "432,ML,MLI,466,Mali\n520,ML,SOM,706,Somalia\n",
		"dup alpha3":      head + "432,ML,MLI,466,Mali\n520,SO,MLI,706,Somalia\n",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := parse(strings.NewReader(in)); err == nil {
				t.Errorf("parse(%q) succeeded, want error", in)
			}
		})
	}
	ok := head + "432,ML,MLI,466,Mali\n,HK,HKG,344,Hong Kong\n347,XK,XKX,,Kosovo\n"
	tab, err := parse(strings.NewReader(ok))
	if err != nil {
		t.Fatalf("parse valid table: %v", err)
	}
	if len(tab.all) != 3 || len(tab.byGW) != 2 || len(tab.byNumeric) != 2 || len(tab.byAlpha3) != 3 {
		t.Errorf("parsed %d rows, %d gw, %d numeric, %d alpha3; want 3, 2, 2, 3",
			len(tab.all), len(tab.byGW), len(tab.byNumeric), len(tab.byAlpha3))
	}
}

func TestConcurrentLookups(t *testing.T) {
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, c := range All() {
				if c.GW != 0 {
					if got, ok := ByGW(c.GW); !ok || got != c {
						t.Errorf("ByGW(%d) = %+v, %v", c.GW, got, ok)
					}
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

func TestFindByCodeAndNameInEachLanguage(t *testing.T) {
	for _, s := range []string{"MLI", "mli", "Mali", "MALI", "mali", " Mali ", "مالي"} {
		if c, ok := Find(s); !ok || c.Alpha3 != "MLI" {
			t.Errorf("Find(%q) = %v, %v; want Mali", s, c.Alpha3, ok)
		}
	}
	for s, want := range map[string]string{"Somalie": "SOM", "الصومال": "SOM", "Yémen": "YEM", "yemen": "YEM", "اليمن": "YEM",
		"Côte d’Ivoire": "CIV", "cote d'ivoire": "CIV", "ساحل العاج": "CIV", "États-Unis": "USA", "Etats Unis": "USA",
		"Congo-Kinshasa": "COD", "Tchad": "TCD", "تشاد": "TCD"} {
		if c, ok := Find(s); !ok || c.Alpha3 != want {
			t.Errorf("Find(%q) = %v, %v; want %s", s, c.Alpha3, ok, want)
		}
	}
	for _, s := range []string{"", "Atlantis", "ML", "DR Congo (Zaire)"} {
		if c, ok := Find(s); ok {
			t.Errorf("Find(%q) = %v, want none", s, c.Alpha3)
		}
	}
}
