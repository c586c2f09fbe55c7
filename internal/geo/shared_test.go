package geo

// Cross-checks against reference data under ../shared/data. When a file is
// missing the test is skipped, unless AFTERMATH_REQUIRE_SHARED=1, in which
// case it fails.

import (
	"aftermath/internal/shareddata"
	"archive/zip"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// iatiCodelist mirrors the parts of an IATI codelist XML file we need.
type iatiCodelist struct {
	XMLName xml.Name `xml:"codelist"`
	Name    string   `xml:"name,attr"`
	Items   []struct {
		Status string `xml:"status,attr"`
		Code   string `xml:"code"`
		Name   string `xml:"name>narrative"`
	} `xml:"codelist-items>codelist-item"`
}

func TestIATICountryCodelist(t *testing.T) {
	p := shareddata.Path(t, "iati/codelists/Country.xml")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cl iatiCodelist
	if err := xml.NewDecoder(f).Decode(&cl); err != nil {
		t.Fatalf("parsing %s: %v", p, err)
	}
	if cl.Name != "Country" || len(cl.Items) < 200 {
		t.Fatalf("%s: codelist %q with %d items; want the Country codelist", p, cl.Name, len(cl.Items))
	}

	iati := map[string]string{} // every code, withdrawn or not -> status
	for _, it := range cl.Items {
		code := strings.TrimSpace(it.Code)
		if code == "" {
			t.Errorf("IATI item %q has no code", it.Name)
			continue
		}
		iati[code] = strings.ToLower(strings.TrimSpace(it.Status))
	}

	ours := map[string]Country{}
	for _, c := range All() {
		ours[c.Alpha2] = c
		if c.Alpha2 == "XK" {
			continue // user-assigned code, not ISO 3166-1
		}
		if _, ok := iati[c.Alpha2]; !ok {
			t.Errorf("%s (%s) is not in the IATI Country codelist", c.Alpha2, c.Name)
		}
	}
	for code, status := range iati {
		if status == "withdrawn" {
			if _, ok := ours[code]; ok {
				t.Logf("note: %s is withdrawn in IATI but present in the table", code)
			}
			continue
		}
		if _, ok := ours[code]; !ok {
			t.Errorf("IATI code %s (status %q) is not in the table", code, status)
		}
	}
}

// gedFiles are the UCDP GED extracts to check.
var gedFiles = []string{
	"ucdp/GEDEvent_v21_01_21_12.csv.zip",
	"ucdp/GEDEvent_v22_0_2.csv.zip",
}

func TestUCDPGEDCountryIDs(t *testing.T) {
	for _, rel := range gedFiles {
		t.Run(path.Base(rel), func(t *testing.T) {
			p := shareddata.Path(t, rel)
			countries, rows := readGEDCountries(t, p)
			if rows == 0 {
				t.Fatalf("%s: no event rows", p)
			}
			ids := make([]int, 0, len(countries))
			for id := range countries {
				ids = append(ids, id)
			}
			sort.Ints(ids)
			for _, id := range ids {
				ucdpNames := countries[id]
				c, ok := ByGW(id)
				if !ok {
					t.Errorf("country_id %d (%s) has no row in the table", id, strings.Join(ucdpNames, " / "))
					continue
				}
				for _, n := range ucdpNames {
					if !namesAgree(n, c.Name) {
						// Expected for e.g. "DR Congo (Zaire)" or "Ivory Coast";
						// printed for review, not an error.
						t.Logf("name differs: country_id %d UCDP %q, table %q (%s)", id, n, c.Name, c.Alpha3)
					}
				}
			}
			t.Logf("%s: %d events, %d distinct country_id values", path.Base(rel), rows, len(ids))
		})
	}
}

// readGEDCountries returns the distinct country_id values of the CSV inside
// a GED zip, each with the distinct country names it appears under, and the
// number of event rows.
func readGEDCountries(t *testing.T, p string) (map[int][]string, int) {
	t.Helper()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatalf("opening %s: %v", p, err)
	}
	defer zr.Close()
	var csvFile *zip.File
	for _, f := range zr.File {
		// Skip the __MACOSX/ resource-fork junk and any AppleDouble "._" file.
		if strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(path.Base(f.Name), "._") ||
			!strings.EqualFold(path.Ext(f.Name), ".csv") {
			continue
		}
		if csvFile != nil {
			t.Fatalf("%s: more than one CSV (%s, %s)", p, csvFile.Name, f.Name)
		}
		csvFile = f
	}
	if csvFile == nil {
		t.Fatalf("%s: no CSV file in archive", p)
	}
	rc, err := csvFile.Open()
	if err != nil {
		t.Fatalf("%s: %v", csvFile.Name, err)
	}
	defer rc.Close()

	cr := csv.NewReader(rc)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		t.Fatalf("%s: reading header: %v", csvFile.Name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	ci, ok1 := col["country"]
	ii, ok2 := col["country_id"]
	if !ok1 || !ok2 {
		t.Fatalf("%s: header lacks country or country_id: %q", csvFile.Name, head)
	}

	seen := map[int]map[string]bool{}
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", csvFile.Name, err)
		}
		rows++
		id, err := strconv.Atoi(strings.TrimSpace(rec[ii]))
		if err != nil {
			line, _ := cr.FieldPos(ii)
			t.Fatalf("%s line %d: country_id %q: %v", csvFile.Name, line, rec[ii], err)
		}
		if seen[id] == nil {
			seen[id] = map[string]bool{}
		}
		seen[id][rec[ci]] = true
	}
	out := make(map[int][]string, len(seen))
	for id, names := range seen {
		for n := range names {
			out[id] = append(out[id], n)
		}
		sort.Strings(out[id])
	}
	return out, rows
}

// namesAgree compares two country names loosely: case, accents, punctuation
// and parenthesised parts are ignored, and one may contain the other
// ("United States of America" vs "United States", "Yemen (North Yemen)" vs
// "Yemen").
func namesAgree(a, b string) bool {
	a, b = looseName(a), looseName(b)
	if a == "" || b == "" {
		return false
	}
	return a == b || strings.Contains(a, b) || strings.Contains(b, a)
}

// accented and unaccented are parallel lists of runes for looseName.
const (
	accented   = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿ"
	unaccented = "aaaaaaceeeeiiiinoooooouuuuyy"
)

func looseName(s string) string {
	// Drop parenthesised parts.
	var sb strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
		case depth == 0:
			sb.WriteRune(r)
		}
	}
	// Fold common accents and keep only letters, lower-cased, single-spaced.
	var out strings.Builder
	space := false
	for _, r := range sb.String() {
		switch {
		case unicode.IsLetter(r):
			if space && out.Len() > 0 {
				out.WriteByte(' ')
			}
			space = false
			r = unicode.ToLower(r)
			if i := strings.IndexRune(accented, r); i >= 0 {
				r = []rune(unaccented)[len([]rune(accented[:i]))]
			}
			out.WriteRune(r)
		default:
			space = true
		}
	}
	return out.String()
}
