// Command gencsv writes a large UCDP GED CSV for import benchmarks by
// repeating the rows of a real GED file (CSV or ZIP) with fresh ids, so
// that every row is a distinct event with real field contents.
package main

import (
	"archive/zip"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

func main() {
	in := flag.String("in", "", "real GED file (.csv or .csv.zip)")
	out := flag.String("out", "", "CSV to write")
	rows := flag.Int("rows", 522000, "rows to write at least")
	years := flag.Int("shift-years", 0, "shift copy k back by k mod N years (dates and year column), to spread copies over N years")
	count := flag.String("count", "", "only print the number of data rows in this CSV")
	flag.Parse()
	if *count != "" {
		n, err := countRows(*count)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gencsv:", err)
			os.Exit(1)
		}
		fmt.Println(n)
		return
	}
	if err := run(*in, *out, *rows, *years); err != nil {
		fmt.Fprintln(os.Stderr, "gencsv:", err)
		os.Exit(1)
	}
}

func open(path string) (io.ReadCloser, error) {
	if !strings.HasSuffix(path, ".zip") {
		return os.Open(path)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".csv") && !strings.HasPrefix(f.Name, "__MACOSX/") {
			return f.Open()
		}
	}
	return nil, fmt.Errorf("%s: no CSV inside", path)
}

func run(in, out string, want, years int) error {
	rc, err := open(in)
	if err != nil {
		return err
	}
	defer rc.Close()
	recs, err := csv.NewReader(rc).ReadAll()
	if err != nil {
		return err
	}
	head, body := recs[0], recs[1:]
	idCol, relCol := -1, -1
	var dateCols []int
	yearCol := -1
	for i, h := range head {
		switch h {
		case "id":
			idCol = i
		case "relid":
			relCol = i
		case "date_start", "date_end":
			dateCols = append(dateCols, i)
		case "year":
			yearCol = i
		}
	}
	if idCol < 0 || len(body) == 0 {
		return fmt.Errorf("%s: no id column or no rows", in)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write(head)
	n := 0
	for copyNo := 0; n < want; copyNo++ {
		for _, r := range body {
			r := append([]string(nil), r...)
			id, err := strconv.Atoi(r[idCol])
			if err != nil {
				return err
			}
			r[idCol] = strconv.Itoa(id + copyNo*10_000_000)
			if relCol >= 0 {
				r[relCol] += "-" + strconv.Itoa(copyNo)
			}
			if years > 0 {
				if shift := copyNo % years; shift > 0 {
					for _, c := range append(dateCols, yearCol) {
						if c < 0 || len(r[c]) < 4 {
							continue
						}
						y, err := strconv.Atoi(r[c][:4])
						if err != nil {
							return fmt.Errorf("row %s: %q is not a dated value", r[idCol], r[c])
						}
						r[c] = strconv.Itoa(y-shift) + r[c][4:]
					}
				}
			}
			w.Write(r)
			n++
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

// countRows counts CSV records (quoted newlines make wc -l wrong).
func countRows(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	n := -1 // the header
	for {
		_, err := r.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		n++
	}
}
