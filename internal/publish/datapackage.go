package publish

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
)

// A data package describes the CSV tables a site publishes so that a
// reader's tool (Frictionless, a spreadsheet, R or pandas) knows each
// column's type and meaning, where the figures come from and under what
// licence, without reading a page. It follows the Frictionless Tabular
// Data Package specification (v1).

// Field types used here (Frictionless table schema).
const (
	TypeString    = "string"
	TypeInteger   = "integer"
	TypeNumber    = "number"
	TypeDate      = "date"
	TypeYearMonth = "yearmonth"
	TypeYear      = "year"
	TypeBoolean   = "boolean"
)

// Package is a data package: its tables and their provenance.
type Package struct {
	Name     string     `json:"name"`
	Title    string     `json:"title,omitempty"`
	Profile  string     `json:"profile"`
	Licenses []License  `json:"licenses,omitempty"`
	Sources  []Source   `json:"sources,omitempty"`
	Created  string     `json:"created,omitempty"` // RFC 3339; from the data, never the clock, so a rerun gives the same bytes
	Resource []Resource `json:"resources"`
}

// License names a licence by its SPDX identifier.
type License struct {
	Name  string `json:"name"`
	Path  string `json:"path,omitempty"`
	Title string `json:"title,omitempty"`
}

// Source is where figures come from: a dataset and its version.
type Source struct {
	Title string `json:"title"`
	Path  string `json:"path,omitempty"`
}

// Resource is one CSV table of the package.
type Resource struct {
	Name        string   `json:"name"`
	Path        string   `json:"path"` // relative to the package, slash-separated
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"`
	Profile     string   `json:"profile"`
	Format      string   `json:"format"`
	MediaType   string   `json:"mediatype"`
	Encoding    string   `json:"encoding"`
	Bytes       int64    `json:"bytes"`
	Hash        string   `json:"hash"` // "sha256:HEX"
	Sources     []Source `json:"sources,omitempty"`
	Dialect     *Dialect `json:"dialect,omitempty"`
	Schema      Schema   `json:"schema"`
}

// Dialect says how a CSV file departs from the plain form. The web's CSV
// downloads open with '#' lines naming the method and dataset versions;
// CommentChar "#" tells a reader's tool to skip them.
type Dialect struct {
	CommentChar string `json:"commentChar,omitempty"`
}

// Schema is a table's columns, in order. An empty cell is a missing value
// (unknown), never zero: MissingValues says so to every reader's tool.
type Schema struct {
	Fields        []Field  `json:"fields"`
	MissingValues []string `json:"missingValues"`
	PrimaryKey    []string `json:"primaryKey,omitempty"`
}

// Field is one column.
type Field struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

var (
	packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	fieldTypes  = []string{TypeString, TypeInteger, TypeNumber, TypeDate, TypeYearMonth, TypeYear, TypeBoolean}
)

// WriteDataPackage writes dir/datapackage.json for p, whose resources are
// CSV files already written under dir. It fills each resource's size and
// hash and checks that the file's header is the schema's fields, in
// order: a package that misdescribes its table is refused, not written.
func WriteDataPackage(dir string, p Package) error {
	if !packageName.MatchString(p.Name) {
		return fmt.Errorf("data package %q: a name is lower-case letters, digits, '.', '-' and '_'", p.Name)
	}
	p.Profile = "tabular-data-package"
	seen := map[string]bool{}
	for i := range p.Resource {
		r := &p.Resource[i]
		if !packageName.MatchString(r.Name) || seen[r.Name] {
			return fmt.Errorf("data package %s: resource name %q is not a unique lower-case name", p.Name, r.Name)
		}
		seen[r.Name] = true
		if r.Path == "" || path.IsAbs(r.Path) || path.Clean(r.Path) != r.Path || r.Path[0] == '.' {
			return fmt.Errorf("data package %s: resource %s: path %q is not relative to the package", p.Name, r.Name, r.Path)
		}
		r.Profile, r.Format, r.MediaType, r.Encoding = "tabular-data-resource", "csv", "text/csv", "utf-8"
		if r.Schema.MissingValues == nil {
			r.Schema.MissingValues = []string{""}
		}
		file := filepath.Join(dir, filepath.FromSlash(r.Path))
		var comment rune
		if r.Dialect != nil && r.Dialect.CommentChar != "" {
			if len(r.Dialect.CommentChar) != 1 {
				return fmt.Errorf("data package %s: resource %s: a comment character is one character", p.Name, r.Name)
			}
			comment = rune(r.Dialect.CommentChar[0])
		}
		header, err := csvHeader(file, comment)
		if err != nil {
			return fmt.Errorf("data package %s: resource %s: %w", p.Name, r.Name, err)
		}
		var names []string
		for _, f := range r.Schema.Fields {
			if !slices.Contains(fieldTypes, f.Type) {
				return fmt.Errorf("data package %s: resource %s: field %s: type %q is not one of %v", p.Name, r.Name, f.Name, f.Type, fieldTypes)
			}
			names = append(names, f.Name)
		}
		if !slices.Equal(header, names) {
			return fmt.Errorf("data package %s: resource %s: %s has columns %v, the schema says %v", p.Name, r.Name, r.Path, header, names)
		}
		sum, err := fileSum(file)
		if err != nil {
			return err
		}
		st, err := os.Stat(file)
		if err != nil {
			return err
		}
		r.Bytes, r.Hash = st.Size(), "sha256:"+sum
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "datapackage.json"), b.Bytes(), 0o644)
}

// csvHeader reads a CSV file's first record, after any comment lines.
func csvHeader(file string, comment rune) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd := csv.NewReader(bufio.NewReader(f))
	rd.FieldsPerRecord = -1
	rd.Comment = comment
	h, err := rd.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", file, err)
	}
	return h, nil
}
