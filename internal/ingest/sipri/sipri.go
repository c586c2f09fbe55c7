// Package sipri reads SIPRI Arms Transfers Database trade-register CSV
// exports. Two layouts are recognised from the header row:
//
//   - the classic trade register (aftermath.ArmsLayoutRegister): one row
//     per deal, ISO-8859-1, with nameless columns after "Year of order",
//     "Number ordered" and "Number delivered" that hold SIPRI's '?' flags;
//   - the newer export (aftermath.ArmsLayoutDeliveries): one row per deal
//     and delivery year, keyed by "SIPRI AT Database ID".
//
// Both start with a preamble of a few lines (title, notes, "Data
// generated:"), whose length depends on the selection, so the header is
// found by its content, and columns by name, so a reordered export reads
// the same.
package sipri

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"aftermath"
	"aftermath/internal/geo"
	"aftermath/internal/ingest"
)

const (
	// MaxBytes bounds one export. The full register (every supplier and
	// recipient since 1950) is about 4 MB; the bound leaves room for
	// growth while keeping a hostile file from exhausting memory.
	MaxBytes = 256 << 20
	// MaxDeals bounds the deals of one export (the full register has
	// about 30,000).
	MaxDeals = 1_000_000
	// headerWithin is how far into the file the header row may start.
	headerWithin = 50
)

// The limits Read applies; tests lower them.
var (
	maxBytes int64 = MaxBytes
	maxDeals       = MaxDeals
	// maxLine bounds one physical line: encoding/csv holds a whole line in
	// memory before it splits it.
	maxLine = ingest.MaxRecordBytes
)

// Read reads one export; file is the name used in error messages. The
// first bad row stops it: a register is imported whole or not at all.
func Read(r io.Reader, file string) (*aftermath.ArmsRegister, error) {
	lim := &limiter{r: r, max: maxBytes, maxLine: maxLine, line: 1}
	cr := csv.NewReader(newDecoder(lim))
	// The preamble lines and the records SIPRI breaks over two lines have
	// other field counts; rows are checked against the header instead.
	cr.FieldsPerRecord = -1
	// SIPRI writes every field unquoted (a comment's line break is not
	// quoted either), so a quote inside a field, such as an inch mark, is
	// text, not an error.
	cr.LazyQuotes = true
	rd := &reader{file: file, cr: cr, lim: lim, reg: &aftermath.ArmsRegister{}}
	if err := rd.preamble(); err != nil {
		return nil, err
	}
	var err error
	if rd.reg.Layout == aftermath.ArmsLayoutRegister {
		err = rd.register()
	} else {
		err = rd.deliveries()
	}
	if err != nil {
		return nil, err
	}
	return rd.reg, nil
}

type reader struct {
	file  string
	cr    *csv.Reader
	lim   *limiter
	reg   *aftermath.ArmsRegister
	head  []string
	index map[string]int // lower-cased, trimmed column name → position
	line  int            // the line of the current record
	rec   []string
}

// next reads one record and its first line; io.EOF at the end.
func (rd *reader) next() ([]string, int, error) {
	rec, err := rd.cr.Read()
	if err != nil {
		return nil, 0, rd.readError(err)
	}
	line, _ := rd.cr.FieldPos(0)
	return rec, line, nil
}

// readError names the file (and the line, where there is one) of an error
// of encoding/csv or of the limits.
func (rd *reader) readError(err error) error {
	var le *limitError
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		return io.EOF
	case errors.As(err, &le):
		if le.line > 0 {
			return fmt.Errorf("%s:%d: the line is longer than %s, the limit of one line (is this a CSV file?)", rd.file, le.line, sizeText(int64(le.limit)))
		}
		return fmt.Errorf("%s: the file is larger than %s, the limit of one SIPRI export", rd.file, sizeText(le.limit))
	case errors.As(err, &pe):
		return fmt.Errorf("%s:%d: %v", rd.file, pe.StartLine, pe.Err)
	}
	return fmt.Errorf("%s: %w", rd.file, err)
}

var titleRE = regexp.MustCompile(`^Transfers of major conventional arms from (.+?) to (.+?) ?\. Deals with deliveries made for the year range '([^']*)' to '([^']*)'`)

// preamble reads up to the header row, taking the scope from the title and
// the generation time, and sets the layout.
func (rd *reader) preamble() error {
	for {
		rec, line, err := rd.next()
		if err == io.EOF || (err == nil && line > headerWithin) {
			return fmt.Errorf("%s: not a SIPRI trade register (no header row with Recipient/Supplier or SIPRI AT Database ID within the first %d lines)", rd.file, headerWithin)
		}
		if err != nil {
			return err
		}
		if layout := headerLayout(rec); layout != "" {
			rd.reg.Layout = layout
			rd.head = slices.Clone(rec)
			rd.line = line
			return rd.indexHeader()
		}
		// The preamble is prose with no quotes; commas in it split it into
		// fields, which are joined back.
		text := strings.Join(strings.Fields(strings.Join(rec, ",")), " ")
		switch {
		case line == 1:
			rd.reg.Title = text
			if m := titleRE.FindStringSubmatch(text); m != nil {
				rd.reg.Suppliers, rd.reg.Recipients = m[1], m[2]
				for i, dst := range []*int{&rd.reg.FromYear, &rd.reg.ToYear} {
					v := m[3+i]
					if v == "Not specified" {
						continue
					}
					y, ok := year(v)
					if !ok {
						return &ingest.RowError{File: rd.file, Line: line, Msg: fmt.Sprintf("the title's year range %q is not a year", v)}
					}
					*dst = y
				}
			}
		case strings.HasPrefix(text, "Data generated:"):
			v := strings.TrimSpace(strings.TrimPrefix(text, "Data generated:"))
			t, err := time.Parse("2 Jan 2006 3:04:05 PM", v)
			if err != nil {
				return &ingest.RowError{File: rd.file, Line: line, Msg: fmt.Sprintf("%q is not a generation time (expected e.g. 13 Mar 2025 10:02:49 AM)", v)}
			}
			rd.reg.Generated = t.Format("2006-01-02T15:04:05")
		}
	}
}

// headerLayout tells a header row from the preamble by its column names.
func headerLayout(rec []string) string {
	has := func(name string) bool {
		return slices.ContainsFunc(rec, func(f string) bool { return strings.EqualFold(strings.TrimSpace(f), name) })
	}
	switch {
	case has("SIPRI AT Database ID"):
		return aftermath.ArmsLayoutDeliveries
	case has("Recipient") && has("Supplier"):
		return aftermath.ArmsLayoutRegister
	}
	return ""
}

// The columns each layout maps, as SIPRI names them.
const (
	colRecipient    = "Recipient"
	colSupplier     = "Supplier"
	colOrderYear    = "Year of order"
	colNumOrdered   = "Number ordered"
	colDesignation  = "Weapon designation"
	colDescription  = "Weapon description"
	colNumDelivered = "Number delivered"
	colYears        = "Year(s) of delivery"
	colStatus       = "status"
	colComments     = "Comments"
	colTIVUnit      = "SIPRI TIV per unit"
	colTIVOrder     = "SIPRI TIV for total order"
	colTIVDelivered = "SIPRI TIV of delivered weapons"

	colID            = "SIPRI AT Database ID"
	colDesignation2  = "Designation"
	colDescription2  = "Description"
	colCategory      = "Armament category"
	colOrderDate     = "Order date"
	colOrderDateEst  = "Order date is estimate"
	colNumbers       = "Numbers delivered"
	colNumbersEst    = "Numbers delivered is estimate"
	colDeliveryYear  = "Delivery year"
	colDeliveryYrEst = "Delivery year is estimate"
	colStatus2       = "Status"
	colEstimate      = "SIPRI estimate"
	colTIVDealUnit   = "TIV deal unit"
	colTIVDelivery   = "TIV delivery values"
	colLocal         = "Local production"
)

var required = map[string][]string{
	aftermath.ArmsLayoutRegister: {colRecipient, colSupplier, colOrderYear, colNumOrdered, colDesignation,
		colDescription, colNumDelivered, colYears, colStatus, colComments, colTIVUnit, colTIVOrder, colTIVDelivered},
	aftermath.ArmsLayoutDeliveries: {colID, colSupplier, colRecipient, colDesignation2, colDescription2, colCategory,
		colOrderDate, colOrderDateEst, colNumbers, colNumbersEst, colDeliveryYear, colDeliveryYrEst, colStatus2,
		colEstimate, colTIVDealUnit, colTIVDelivery, colLocal},
}

// flagSuffix names the classic layout's nameless column after a column:
// it holds that column's '?' flag.
const flagSuffix = " ?"

func (rd *reader) indexHeader() error {
	rd.index = map[string]int{}
	for i, h := range rd.head {
		k := strings.ToLower(strings.TrimSpace(h))
		if k == "" && i > 0 && strings.TrimSpace(rd.head[i-1]) != "" {
			k = strings.ToLower(strings.TrimSpace(rd.head[i-1])) + flagSuffix
		}
		if _, dup := rd.index[k]; !dup && k != "" {
			rd.index[k] = i
		}
	}
	for _, c := range required[rd.reg.Layout] {
		if _, ok := rd.index[strings.ToLower(c)]; !ok {
			return &ingest.RowError{File: rd.file, Line: rd.line, Msg: fmt.Sprintf("the header has no column %q; is this a SIPRI trade register?", c)}
		}
	}
	return nil
}

// get returns the current row's trimmed cell of a column, "" when the
// header lacks it (only the '?' columns may be missing).
func (rd *reader) get(col string) string {
	if i, ok := rd.index[strings.ToLower(col)]; ok {
		return strings.TrimSpace(rd.rec[i])
	}
	return ""
}

func (rd *reader) err(col, v, msg string) error {
	return &ingest.RowError{File: rd.file, Line: rd.line, Column: col, Value: v, Msg: msg}
}

// row reads the next data row, rejoining a record SIPRI broke over two
// lines: a line break inside a comment is written unquoted, so the record
// ends early and the next line holds the rest, its first field continuing
// the last one.
func (rd *reader) row() error {
	rec, line, err := rd.next()
	if err != nil {
		return err
	}
	rd.line = line
	if len(rec) < len(rd.head) {
		rest, _, err := rd.next()
		if err != nil && err != io.EOF {
			return err
		}
		if err == io.EOF || len(rec)+len(rest)-1 != len(rd.head) {
			return &ingest.RowError{File: rd.file, Line: line, Msg: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(rd.head))}
		}
		rec = append(slices.Clone(rec), rest[1:]...)
		rec[len(rec)-len(rest)] += "\n" + rest[0]
	}
	if len(rec) != len(rd.head) {
		return &ingest.RowError{File: rd.file, Line: line, Msg: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(rd.head))}
	}
	rd.rec = rec
	return nil
}

func (rd *reader) tooMany() error {
	return fmt.Errorf("%s:%d: more than %d deals, the limit of one SIPRI export", rd.file, rd.line, maxDeals)
}

// register reads the classic layout: one row per deal.
func (rd *reader) register() error {
	seen := map[string]int{}
	for {
		err := rd.row()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(rd.reg.Deals) == maxDeals {
			return rd.tooMany()
		}
		d, err := rd.registerDeal()
		if err != nil {
			return err
		}
		// The register has no deal id, and SIPRI lists some deals more than
		// once with the very same cells: they are distinct deals, told apart
		// by their place among their twins.
		seen[d.Key]++
		if n := seen[d.Key]; n > 1 {
			d.Key += "#" + strconv.Itoa(n)
		}
		rd.reg.Deals = append(rd.reg.Deals, d)
	}
}

func (rd *reader) registerDeal() (aftermath.ArmsDeal, error) {
	d := aftermath.ArmsDeal{
		Line:        rd.line,
		Recipient:   rd.get(colRecipient),
		Supplier:    rd.get(colSupplier),
		Designation: rd.get(colDesignation),
		Description: rd.get(colDescription),
		Status:      rd.get(colStatus),
		// Comments stay as published, with the line break of a rejoined
		// record.
		Comments: rd.rec[rd.index[strings.ToLower(colComments)]],
	}
	p := parser{rd: rd}
	p.required(colRecipient, colSupplier, colDesignation)
	d.OrderYear = p.year(colOrderYear, true)
	d.OrderYearUncertain = p.flag(colOrderYear)
	d.NumberOrdered = p.number(colNumOrdered)
	d.NumberOrderedUncertain = p.flag(colNumOrdered)
	d.NumberDelivered = p.number(colNumDelivered)
	d.NumberDeliveredUncertain = p.flag(colNumDelivered)
	d.TIVUnit = p.tiv(colTIVUnit)
	d.TIVOrder = p.tiv(colTIVOrder)
	d.TIVDelivered = p.tiv(colTIVDelivered)
	years, uncertain := p.years(colYears)
	if p.err != nil {
		return d, p.err
	}
	d.SupplierISO3, d.RecipientISO3 = ISO3(d.Supplier), ISO3(d.Recipient)
	for i, y := range years {
		d.DeliveryYears = append(d.DeliveryYears, y)
		d.DeliveryYearsUncertain = d.DeliveryYearsUncertain || uncertain[i]
	}
	// The register gives only the total delivered and the years, so each
	// year's part is an estimate: the total spread evenly.
	var parts []aftermath.MilliTIV
	if d.TIVDelivered != nil {
		parts = spread(*d.TIVDelivered, len(years))
	}
	for i, y := range years {
		del := aftermath.ArmsDelivery{Year: y, YearUncertain: uncertain[i], Estimate: true}
		if parts != nil {
			del.TIV = &parts[i]
		}
		d.Deliveries = append(d.Deliveries, del)
	}
	d.Key = classicKey(&d)
	return d, nil
}

// spread splits total over n years so that the parts sum to it exactly;
// the thousandths left over go to the earliest years.
func spread(total aftermath.MilliTIV, n int) []aftermath.MilliTIV {
	if n == 0 {
		return nil
	}
	q, rem := total/aftermath.MilliTIV(n), total%aftermath.MilliTIV(n)
	parts := make([]aftermath.MilliTIV, n)
	for i := range parts {
		parts[i] = q
		if aftermath.MilliTIV(i) < rem {
			parts[i]++
		}
	}
	return parts
}

// classicKey hashes the fields that identify a classic deal, each with its
// length before it so that no two field lists give the same bytes.
func classicKey(d *aftermath.ArmsDeal) string {
	ordered := ""
	if d.NumberOrdered != nil {
		ordered = strconv.FormatInt(*d.NumberOrdered, 10)
	}
	var b []byte
	for _, f := range []string{d.Recipient, d.Supplier, strconv.Itoa(d.OrderYear), d.Designation, d.Description, ordered} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	sum := sha256.Sum256(b)
	return "h:" + hex.EncodeToString(sum[:8])
}

// deliveries reads the newer layout: one row per deal and delivery year,
// grouped into deals by id in first-seen order.
func (rd *reader) deliveries() error {
	byID := map[string]int{}
	for {
		err := rd.row()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := rd.deliveryRow(byID); err != nil {
			return err
		}
	}
	for i := range rd.reg.Deals {
		d := &rd.reg.Deals[i]
		slices.Sort(d.DeliveryYears)
		d.DeliveryYears = slices.Compact(d.DeliveryYears)
	}
	return nil
}

func (rd *reader) deliveryRow(byID map[string]int) error {
	p := parser{rd: rd}
	p.required(colID, colSupplier, colRecipient, colDesignation2)
	orderYear := p.year(colOrderDate, true)
	orderEst := p.yesNo(colOrderDateEst)
	number := p.number(colNumbers)
	numberEst := p.yesNo(colNumbersEst)
	y := 0
	if rd.get(colDeliveryYear) != "" || rd.get(colNumbers) != "" || rd.get(colTIVDelivery) != "" {
		// A row without a year, number or value is a deal with nothing
		// delivered yet; a number or value needs its year.
		y = p.year(colDeliveryYear, true)
	}
	yearEst := p.yesNo(colDeliveryYrEst)
	unit := p.tiv(colTIVDealUnit)
	value := p.tiv(colTIVDelivery)
	p.yesNo(colLocal)
	if p.err != nil {
		return p.err
	}
	id := rd.get(colID)
	i, ok := byID[id]
	if !ok {
		if len(rd.reg.Deals) == maxDeals {
			return rd.tooMany()
		}
		d := aftermath.ArmsDeal{
			Key:             "id:" + id,
			SIPRIID:         id,
			Line:            rd.line,
			Supplier:        rd.get(colSupplier),
			Recipient:       rd.get(colRecipient),
			OrderYear:       orderYear,
			Designation:     rd.get(colDesignation2),
			Description:     rd.get(colDescription2),
			Category:        rd.get(colCategory),
			Status:          rd.get(colStatus2),
			TIVUnit:         unit,
			SIPRIEstimate:   rd.get(colEstimate),
			LocalProduction: rd.get(colLocal),
		}
		d.SupplierISO3, d.RecipientISO3 = ISO3(d.Supplier), ISO3(d.Recipient)
		i = len(rd.reg.Deals)
		byID[id] = i
		rd.reg.Deals = append(rd.reg.Deals, d)
	} else if err := rd.agree(&rd.reg.Deals[i], orderYear, unit); err != nil {
		return err
	}
	d := &rd.reg.Deals[i]
	d.OrderYearUncertain = d.OrderYearUncertain || orderEst
	d.NumberDeliveredUncertain = d.NumberDeliveredUncertain || numberEst
	var err error
	if d.NumberDelivered, err = rd.addNumber(d.NumberDelivered, number); err != nil {
		return err
	}
	if d.TIVDelivered, err = rd.addTIV(d.TIVDelivered, value); err != nil {
		return err
	}
	if y == 0 {
		return nil
	}
	d.DeliveryYears = append(d.DeliveryYears, y)
	d.DeliveryYearsUncertain = d.DeliveryYearsUncertain || yearEst
	d.Deliveries = append(d.Deliveries, aftermath.ArmsDelivery{
		Year: y, YearUncertain: yearEst, Number: number, NumberUncertain: numberEst, TIV: value,
	})
	return nil
}

// agree checks that a further row of a deal repeats what is the deal's,
// not the delivery's: a row that disagrees is an error, not a value to
// pick from.
func (rd *reader) agree(d *aftermath.ArmsDeal, orderYear int, unit *aftermath.MilliTIV) error {
	for _, c := range []struct{ col, have, want string }{
		{colSupplier, rd.get(colSupplier), d.Supplier},
		{colRecipient, rd.get(colRecipient), d.Recipient},
		{colDesignation2, rd.get(colDesignation2), d.Designation},
		{colDescription2, rd.get(colDescription2), d.Description},
		{colOrderDate, strconv.Itoa(orderYear), strconv.Itoa(d.OrderYear)},
		{colTIVDealUnit, tivText(unit), tivText(d.TIVUnit)},
	} {
		if c.have != c.want {
			return rd.err(c.col, rd.get(c.col), fmt.Sprintf("differs from %q on line %d, the first row of deal %s", c.want, d.Line, d.SIPRIID))
		}
	}
	return nil
}

func (rd *reader) addNumber(sum, n *int64) (*int64, error) {
	if n == nil {
		return sum, nil
	}
	if sum == nil {
		v := *n
		return &v, nil
	}
	if *sum > math.MaxInt64-*n {
		return nil, rd.err(colNumbers, rd.get(colNumbers), "makes the deal's total too large")
	}
	v := *sum + *n
	return &v, nil
}

func (rd *reader) addTIV(sum, t *aftermath.MilliTIV) (*aftermath.MilliTIV, error) {
	if t == nil {
		return sum, nil
	}
	if sum == nil {
		v := *t
		return &v, nil
	}
	if *sum > math.MaxInt64-*t {
		return nil, rd.err(colTIVDelivery, rd.get(colTIVDelivery), "makes the deal's total too large")
	}
	v := *sum + *t
	return &v, nil
}

// parser parses cells of the current row and keeps the first error, so
// the columns can be listed without checking each.
type parser struct {
	rd  *reader
	err error
}

func (p *parser) fail(col, v, msg string) {
	if p.err == nil {
		p.err = p.rd.err(col, v, msg)
	}
}

func (p *parser) required(cols ...string) {
	for _, c := range cols {
		if p.rd.get(c) == "" {
			p.fail(c, "", "is empty; it is required")
		}
	}
}

// year parses a four-digit year.
func (p *parser) year(col string, required bool) int {
	v := p.rd.get(col)
	if v == "" {
		if required {
			p.fail(col, v, "is empty; a year is required")
		}
		return 0
	}
	y, ok := year(v)
	if !ok {
		p.fail(col, v, "is not a year")
	}
	return y
}

func year(v string) (int, bool) {
	if len(v) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(v)
	return y, err == nil && y >= 1000
}

// years parses "1979; 1980; 1981", each year perhaps with a '?'; empty
// gives none. They come back sorted and distinct.
func (p *parser) years(col string) ([]int, []bool) {
	v := p.rd.get(col)
	if v == "" {
		return nil, nil
	}
	type yu struct {
		y int
		u bool
	}
	var list []yu
	for f := range strings.SplitSeq(v, ";") {
		f = strings.TrimSpace(f)
		s, u := strings.CutSuffix(f, "?")
		y, ok := year(strings.TrimSpace(s))
		if !ok {
			p.fail(col, v, "is not a list of years (expected e.g. 1979; 1980?; 1981)")
			return nil, nil
		}
		list = append(list, yu{y, u})
	}
	slices.SortStableFunc(list, func(a, b yu) int { return a.y - b.y })
	var years []int
	var unc []bool
	for _, e := range list {
		if n := len(years); n > 0 && years[n-1] == e.y {
			unc[n-1] = unc[n-1] || e.u
			continue
		}
		years, unc = append(years, e.y), append(unc, e.u)
	}
	return years, unc
}

// flag reads the '?' column after col; a missing column is no flag.
func (p *parser) flag(col string) bool {
	fc := col + flagSuffix
	switch v := p.rd.get(fc); v {
	case "":
		return false
	case "?":
		return true
	default:
		p.fail(strings.TrimSpace(p.rd.head[p.rd.index[strings.ToLower(fc)]]), v, fmt.Sprintf("is not '?' or empty (the flag of %q)", col))
		return false
	}
}

func (p *parser) yesNo(col string) bool {
	switch v := p.rd.get(col); v {
	case "Yes":
		return true
	case "No", "":
		return false
	default:
		p.fail(col, v, "is not Yes or No")
		return false
	}
}

// number parses a count; empty is nil, not zero.
func (p *parser) number(col string) *int64 {
	v := p.rd.get(col)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || v[0] == '+' {
		p.fail(col, v, "is not a number")
		return nil
	}
	return &n
}

// tiv parses a TIV value in millions into thousandths, from its digits, so
// no float rounding creeps into sums; empty is nil.
func (p *parser) tiv(col string) *aftermath.MilliTIV {
	v := p.rd.get(col)
	if v == "" {
		return nil
	}
	t, msg := parseTIV(v)
	if msg != "" {
		p.fail(col, v, msg)
		return nil
	}
	return &t
}

func parseTIV(v string) (aftermath.MilliTIV, string) {
	whole, frac, dot := strings.Cut(v, ".")
	if whole == "" && dot {
		whole = "0" // ".5"
	}
	if !digits(whole) || (dot && !digits(frac)) {
		return 0, "is not a TIV value (expected e.g. 25.5)"
	}
	if len(frac) > 3 {
		return 0, "has more than 3 decimals; TIV values are kept in thousandths"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (math.MaxInt64-999)/1000 {
		return 0, "is too large a TIV value"
	}
	f, _ := strconv.Atoi((frac + "000")[:3])
	return aftermath.MilliTIV(w*1000 + int64(f)), ""
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func tivText(t *aftermath.MilliTIV) string {
	if t == nil {
		return ""
	}
	s := fmt.Sprintf("%d.%03d", *t/1000, *t%1000)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// aliases are SIPRI's spellings of present-day states that differ from
// internal/geo's names.
var aliases = map[string]string{
	"Bosnia-Herzegovina": "BIH",
	"Congo":              "COG",
	"Cote d'Ivoire":      "CIV",
	"DR Congo":           "COD",
	"Turkiye":            "TUR",
	"UAE":                "ARE",
	"Viet Nam":           "VNM",
	"eSwatini":           "SWZ",
	"Saint Vincent":      "VCT",
}

// notStates are SIPRI parties that are not present-day states although
// they are not marked '*' or '**': states that no longer exist and
// entities no state recognises. They are listed so that a geo name added
// later cannot map them.
var notStates = map[string]bool{
	"Soviet Union": true, "Czechoslovakia": true, "Yugoslavia": true,
	"East Germany (GDR)": true, "South Vietnam": true, "North Yemen": true,
	"South Yemen": true, "Yemen Arab Republic (North Yemen)": true,
	"Northern Cyprus": true, "Biafra": true, "Katanga": true,
	"unknown supplier(s)": true, "unknown recipient(s)": true,
}

var byName = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, c := range geo.All() {
		m[c.Name] = c.Alpha3
	}
	for k, v := range aliases {
		m[k] = v
	}
	return m
})

// ISO3 maps a SIPRI party name to a present-day state's ISO 3166-1
// alpha-3 code, "" when it is not one (rebels are marked '*',
// organisations '**').
func ISO3(name string) string {
	name = strings.TrimSpace(name)
	if strings.HasSuffix(name, "*") || notStates[name] {
		return ""
	}
	return byName()[name]
}

// decoder yields UTF-8. The classic register is ISO-8859-1; the newer
// export is ASCII and may one day be UTF-8. The first byte above ASCII
// decides: a valid UTF-8 sequence there means UTF-8, anything else
// Latin-1 (whose accented letters followed by ASCII are never valid
// UTF-8).
type decoder struct {
	br *bufio.Reader
	r  io.Reader // set once decided
}

func newDecoder(r io.Reader) *decoder { return &decoder{br: bufio.NewReaderSize(r, 64<<10)} }

func (d *decoder) Read(p []byte) (int, error) {
	if d.r != nil {
		return d.r.Read(p)
	}
	if d.br.Buffered() == 0 {
		if _, err := d.br.Peek(1); err != nil {
			return 0, err
		}
	}
	buf, _ := d.br.Peek(d.br.Buffered())
	i := 0
	for i < len(buf) && buf[i] < utf8.RuneSelf {
		i++
	}
	if i > 0 {
		n := copy(p, buf[:i])
		d.br.Discard(n)
		return n, nil
	}
	q, _ := d.br.Peek(utf8.UTFMax)
	if r, size := utf8.DecodeRune(q); r == utf8.RuneError && size <= 1 {
		d.r = charmap.ISO8859_1.NewDecoder().Reader(d.br)
	} else {
		d.r = d.br
	}
	return d.r.Read(p)
}

// limiter bounds the input and each line of it, before encoding/csv can
// gather either in memory.
type limiter struct {
	r       io.Reader
	max     int64
	maxLine int
	n       int64 // bytes so far
	lineN   int   // bytes of the current line so far
	line    int
	err     error
}

type limitError struct {
	line  int // 0: the file's limit
	limit int64
}

func (e *limitError) Error() string { return "limit exceeded" }

func (l *limiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	if l.n += int64(n); l.n > l.max {
		l.err = &limitError{limit: l.max}
		return 0, l.err
	}
	b := p[:n]
	for len(b) > 0 {
		j := bytes.IndexByte(b, '\n')
		seg := len(b)
		if j >= 0 {
			seg = j
		}
		if l.lineN+seg > l.maxLine {
			l.err = &limitError{line: l.line, limit: int64(l.maxLine)}
			return 0, l.err
		}
		if j < 0 {
			l.lineN += seg
			break
		}
		l.lineN = 0
		l.line++
		b = b[j+1:]
	}
	return n, err
}

func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
