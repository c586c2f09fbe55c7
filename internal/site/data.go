package site

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"aftermath/internal/publish"
)

// writeDataPackage writes L/datapackage.json, every CSV the crawl wrote in
// that language being a resource: each is a table a page shows. A CSV
// that has no header cannot be described and is left out of the package
// (not out of the site).
func (c *crawler) writeDataPackage(lang string) error {
	var files []string
	for key := range c.files {
		if rest, ok := strings.CutPrefix(key, lang+"/"); ok && strings.HasSuffix(rest, ".csv") {
			files = append(files, rest)
		}
	}
	slices.Sort(files)
	pkg := publish.Package{Name: "aftermath-site-" + lang, Title: c.opt.Title}
	names := map[string]bool{}
	dir := filepath.Join(c.dir, lang)
	for _, f := range files {
		fields, comments, err := describeCSV(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil || len(fields) == 0 {
			continue
		}
		name := resourceName(f)
		for n := 2; names[name]; n++ {
			name = resourceName(f) + "-" + strconv.Itoa(n)
		}
		names[name] = true
		r := publish.Resource{Name: name, Path: f, Title: f, Schema: publish.Schema{Fields: fields}}
		if comments {
			r.Dialect = &publish.Dialect{CommentChar: "#"}
		}
		pkg.Resource = append(pkg.Resource, r)
	}
	return publish.WriteDataPackage(dir, pkg)
}

var notName = regexp.MustCompile(`[^a-z0-9._-]+`)

// resourceName is a resource's name from its path: lower case, '/' and
// anything else a name may not hold become '-'.
func resourceName(p string) string {
	n := strings.Trim(notName.ReplaceAllString(strings.ToLower(strings.TrimSuffix(p, ".csv")), "-"), "-._")
	if n == "" {
		n = "table"
	}
	return n
}

var (
	integerRE   = regexp.MustCompile(`^-?[0-9]+$`)
	numberRE    = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)
	dateRE      = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	yearMonthRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)
)

// describeCSV reads a CSV's header and gives each column the narrowest
// type every non-empty cell has (integer, number, date, yearmonth), else
// string: a type drawn from the data alone, so the same data gives the
// same schema.
func describeCSV(file string) (fields []publish.Field, comments bool, err error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	var first [1]byte
	if _, err := io.ReadFull(f, first[:]); err == nil && first[0] == '#' {
		comments = true
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, false, err
	}
	rd := csv.NewReader(f)
	rd.Comment = '#'
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	if err != nil {
		return nil, false, err
	}
	kinds := []struct {
		name string
		re   *regexp.Regexp
	}{{publish.TypeInteger, integerRE}, {publish.TypeNumber, numberRE}, {publish.TypeDate, dateRE}, {publish.TypeYearMonth, yearMonthRE}}
	// possible[i][k]: column i may still be of kind k.
	possible := make([][]bool, len(header))
	seen := make([]bool, len(header))
	for i := range possible {
		possible[i] = []bool{true, true, true, true}
	}
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
		for i, v := range rec {
			if i >= len(header) || v == "" {
				continue
			}
			seen[i] = true
			for k, kind := range kinds {
				if possible[i][k] && !kind.re.MatchString(v) {
					possible[i][k] = false
				}
			}
		}
	}
	for i, h := range header {
		typ := publish.TypeString
		for k, kind := range kinds {
			if seen[i] && possible[i][k] {
				typ = kind.name
				break
			}
		}
		fields = append(fields, publish.Field{Name: h, Type: typ})
	}
	return fields, comments, nil
}
