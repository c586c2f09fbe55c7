// Package iati reads IATI 2.03 activity files and IATI codelists into the
// aid types of package aftermath. Activity files are streamed with
// encoding/xml token by token, one <iati-activity> at a time, so a large
// publisher file is never held whole; every read is bounded (MaxBytes,
// MaxActivityBytes, MaxTransactions, MaxNarrativeBytes).
//
// Only the elements the flows questions need are read; every other element,
// IATI's own (contact-info, result, document-link …) or a publisher's
// namespaced extension (USAID's usg:), is skipped wherever it occurs.
// Defaults the standard states are applied: sector, policy-marker and
// recipient-region vocabulary "1", hierarchy 1, budget type 1 (original)
// and status 1 (indicative), language "en".
package iati

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/ingest"
)

// The bounds of one read. Their unexported twins below are what the code
// uses, so tests can lower them.
const (
	MaxBytes          = 512 << 20 // one file
	MaxActivityBytes  = 16 << 20  // one <iati-activity>, start tag to end tag
	MaxTransactions   = 100_000   // in one activity
	MaxNarrativeBytes = 1 << 20   // the text of one narrative (or code, value …)
	MaxCodes          = 100_000   // in one codelist
)

var (
	maxBytes          int64 = MaxBytes
	maxActivityBytes  int64 = MaxActivityBytes
	maxTransactions         = MaxTransactions
	maxNarrativeBytes       = MaxNarrativeBytes
	maxCodes                = MaxCodes
)

// defaultLang is the standard's default when neither the activity nor the
// file declares xml:lang.
const defaultLang = "en"

// xmlNS is the namespace encoding/xml gives the xml: prefix (xml:lang).
const xmlNS = "http://www.w3.org/XML/1998/namespace"

// Read streams the activities of one iati-activities file to fn, one at a
// time; file names the input in errors. It stops at the first problem: a
// *ingest.RowError for a bad value, an error naming the file and line for
// malformed XML or a bound passed. It returns fn's error as is.
func Read(r io.Reader, file string, fn func(*aftermath.AidActivity) error) error {
	d := newDecoder(r, file)
	root, err := d.root()
	if err != nil {
		return err
	}
	if root.Name.Local != "iati-activities" || root.Name.Space != "" {
		return fmt.Errorf("%s:%d: the root element is <%s>, not <iati-activities>; is this an IATI activity file?",
			file, d.line(), root.Name.Local)
	}
	fileLang := strings.ToLower(strings.TrimSpace(attr(root, xmlNS, "lang")))
	if fileLang == "" {
		fileLang = defaultLang
	}
	d.lim.mark(d.dec.InputOffset(), "the text between activities", "one stretch of text", d.line())
	for {
		line, off := d.line(), d.dec.InputOffset()
		tok, err := d.token()
		if err != nil {
			return d.noEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil // the root's end: the decoder has checked it matches
		case xml.StartElement:
			if t.Name.Space != "" || t.Name.Local != "iati-activity" {
				if err := d.skip(); err != nil {
					return err
				}
				break
			}
			a, err := d.activity(t, line, off, fileLang)
			if err != nil {
				return err
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		// Text, comments and processing instructions between activities
		// are nothing to read; each starts a new bounded stretch.
		d.lim.mark(d.dec.InputOffset(), "the text between activities", "one stretch of text", d.line())
	}
}

// Root reports the root element's name ("iati-activities", "codelist", or
// another) reading as little as it can: byte by byte (unless r is an
// io.ByteReader), up to the end of the root's start tag, and no more than
// MaxActivityBytes of prolog. The input is consumed that far.
func Root(r io.Reader) (string, error) {
	br, ok := r.(io.ByteReader)
	if !ok {
		br = byteReader{r}
	}
	d := newDecoderBytes(br, "")
	root, err := d.root()
	if err != nil {
		return "", err
	}
	return root.Name.Local, nil
}

// byteReader reads one byte at a time, so that Root takes no more of r than
// it needs.
type byteReader struct{ r io.Reader }

func (b byteReader) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b byteReader) ReadByte() (byte, error) {
	var p [1]byte
	for {
		n, err := b.r.Read(p[:])
		if n == 1 {
			return p[0], nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// decoder is an xml.Decoder over a limiter, with the file name for errors.
type decoder struct {
	dec  *xml.Decoder
	lim  *limiter
	file string
}

func newDecoder(r io.Reader, file string) *decoder {
	return newDecoderBytes(bufio.NewReaderSize(r, 64<<10), file)
}

// newDecoderBytes gives encoding/xml a ByteReader, which it then reads
// directly instead of through a bufio.Reader of its own: the limiter so
// sees exactly the bytes the decoder consumes, its count is the decoder's
// InputOffset, and it can stop one endless token before the decoder
// gathers it.
func newDecoderBytes(br io.ByteReader, file string) *decoder {
	lim := &limiter{br: br, max: maxBytes, segMax: maxActivityBytes,
		what: "the prolog before the root element", of: "one stretch of text", line: 1}
	dec := xml.NewDecoder(lim)
	return &decoder{dec: dec, lim: lim, file: file}
}

// line is the line the decoder is on: before a Token call, the line the
// next token starts on.
func (d *decoder) line() int {
	l, _ := d.dec.InputPos()
	return l
}

// root reads up to the root's start tag.
func (d *decoder) root() (xml.StartElement, error) {
	for {
		tok, err := d.token()
		if err == errEOF {
			return xml.StartElement{}, fmt.Errorf("%sthe file has no root element (is it empty?)", d.at(0))
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, nil
		}
	}
}

// errEOF is the end of the input where one is allowed (before the root).
var errEOF = errors.New("end of input")

// token is Decoder.Token with errors that name the file and line, and a
// passed bound reported as such rather than as the decoder's view of it.
func (d *decoder) token() (xml.Token, error) {
	tok, err := d.dec.Token()
	if err == nil {
		return tok, nil
	}
	if le := d.lim.err; le != nil {
		line := le.line
		if line == 0 {
			line = d.line()
		}
		return nil, fmt.Errorf("%s%s is longer than %s, the limit of %s", d.at(line), le.what, sizeText(le.limit), le.of)
	}
	if err == io.EOF {
		// encoding/xml returns a bare EOF only outside every element; inside
		// one it is a SyntaxError.
		return nil, errEOF
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return nil, fmt.Errorf("%s%s", d.at(se.Line), se.Msg)
	}
	return nil, fmt.Errorf("%s%w", d.at(d.line()), err)
}

// at is the place prefix of an error: "FILE:LINE: " ("FILE: " for line 0,
// "line N: " for Root, which has no file name).
func (d *decoder) at(line int) string {
	switch {
	case d.file == "":
		return fmt.Sprintf("line %d: ", line)
	case line == 0:
		return d.file + ": "
	}
	return fmt.Sprintf("%s:%d: ", d.file, line)
}

// skip skips the rest of the element whose start was just read.
func (d *decoder) skip() error {
	for depth := 1; depth > 0; {
		tok, err := d.token()
		if err != nil {
			return d.noEOF(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// noEOF turns an end of input inside an element into an error.
func (d *decoder) noEOF(err error) error {
	if err == errEOF {
		return fmt.Errorf("%sthe file ends inside an element", d.at(d.line()))
	}
	return err
}

// children calls fn for each child element of the element whose start was
// just read, with the line its start tag begins on; fn must read the child
// to its end (d.skip for one it does not want). Text between children is
// ignored.
func (d *decoder) children(fn func(se xml.StartElement, line int) error) error {
	for {
		line := d.line()
		tok, err := d.token()
		if err != nil {
			return d.noEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if err := fn(t, line); err != nil {
				return err
			}
		}
	}
}

// text returns the trimmed text of the element whose start was just read,
// skipping any child elements; what and line name it when it is longer
// than maxNarrativeBytes.
func (d *decoder) text(what string, line int) (string, error) {
	var b strings.Builder
	for depth := 1; depth > 0; {
		tok, err := d.token()
		if err != nil {
			return "", d.noEOF(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 1 {
				if b.Len()+len(t) > maxNarrativeBytes {
					return "", &ingest.RowError{File: d.file, Line: line,
						Msg: fmt.Sprintf("the text of %s is longer than %s, the limit of one narrative", what, sizeText(int64(maxNarrativeBytes)))}
				}
				b.Write(t)
			}
		}
	}
	return strings.TrimSpace(b.String()), nil
}

// narrative is one <narrative>: its language ("" when it has no xml:lang)
// and text.
type narrative struct {
	lang, text string
}

// narratives reads the narrative children of the element whose start was
// just read (path names it in errors); empty ones are dropped.
func (d *decoder) narratives(path string) ([]narrative, error) {
	var ns []narrative
	err := d.children(func(se xml.StartElement, line int) error {
		if !iati(se, "narrative") {
			return d.skip()
		}
		t, err := d.text(path+"/narrative", line)
		if err == nil && t != "" {
			ns = append(ns, narrative{strings.ToLower(strings.TrimSpace(attr(se, xmlNS, "lang"))), t})
		}
		return err
	})
	return ns, err
}

// pick returns the narrative in lang (or without xml:lang), else the first.
func pick(ns []narrative, lang string) string {
	for _, n := range ns {
		if n.lang == "" || n.lang == lang {
			return n.text
		}
	}
	if len(ns) > 0 {
		return ns[0].text
	}
	return ""
}

// iati reports whether se is the IATI element local: IATI's elements are in
// no namespace; an extension's element of the same local name is not it.
func iati(se xml.StartElement, local string) bool {
	return se.Name.Space == "" && se.Name.Local == local
}

// attr returns the value of an attribute ("" when absent); space is "" for
// IATI's own attributes.
func attr(se xml.StartElement, space, local string) string {
	for _, a := range se.Attr {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// act reads one activity: the decoder, the activity's language and where
// it started, for errors.
type act struct {
	d    *decoder
	lang string
	a    *aftermath.AidActivity
}

// activity reads the <iati-activity> whose start tag (at line, offset off)
// was just read.
func (d *decoder) activity(se xml.StartElement, line int, off int64, fileLang string) (*aftermath.AidActivity, error) {
	d.lim.mark(off, "the activity", "one activity", line)
	a := &aftermath.AidActivity{Line: line, Hierarchy: 1}
	p := &act{d: d, a: a}
	a.LastUpdated = strings.TrimSpace(attr(se, "", "last-updated-datetime"))
	a.DefaultCurrency = strings.TrimSpace(attr(se, "", "default-currency"))
	a.Language = strings.ToLower(strings.TrimSpace(attr(se, xmlNS, "lang")))
	if a.Language == "" {
		a.Language = fileLang
	}
	p.lang = a.Language
	var err error
	if a.Humanitarian, err = p.flag(se, "iati-activity@humanitarian", line); err != nil {
		return nil, err
	}
	if h := strings.TrimSpace(attr(se, "", "hierarchy")); h != "" {
		if a.Hierarchy, err = p.int(h, "iati-activity@hierarchy", line); err != nil {
			return nil, err
		}
	}
	var descs []string
	seenID := false
	err = d.children(func(se xml.StartElement, line int) error {
		if se.Name.Space != "" {
			return d.skip()
		}
		switch se.Name.Local {
		case "iati-identifier":
			id, err := d.text("iati-identifier", line)
			if err != nil {
				return err
			}
			if id == "" {
				return p.rowErr(line, "iati-identifier", id, "is empty; every activity needs an identifier")
			}
			// USAID publishes identifiers with an inner space
			// ("US-GOV-1- 720BHA25IO00023"): kept as published, since
			// other publishers' related-activity and provider-activity-id
			// refer to it that way.
			a.Identifier, seenID = id, true
		case "reporting-org":
			org, err := p.org(se, "reporting-org", "activity-id")
			if err != nil {
				return err
			}
			a.ReportingOrg = org
		case "participating-org":
			org, err := p.org(se, "participating-org", "activity-id")
			if err != nil {
				return err
			}
			if org.Role, err = p.int(attr(se, "", "role"), "participating-org@role", line); err != nil {
				return err
			}
			a.Participating = append(a.Participating, org)
		case "title":
			ns, err := d.narratives("title")
			if err != nil {
				return err
			}
			if a.Title == "" {
				a.Title = pick(ns, p.lang)
			}
			p.others("title", ns)
		case "description":
			ns, err := d.narratives("description")
			if err != nil {
				return err
			}
			for _, n := range ns {
				if n.lang == "" || n.lang == p.lang {
					descs = append(descs, n.text)
				}
			}
			p.others("description", ns)
		case "activity-status":
			if a.Status, err = p.int(attr(se, "", "code"), "activity-status@code", line); err != nil {
				return err
			}
			return d.skip()
		case "activity-date":
			var ad aftermath.AidDate
			if ad.Type, err = p.int(attr(se, "", "type"), "activity-date@type", line); err != nil {
				return err
			}
			if ad.Date, err = p.date(attr(se, "", "iso-date"), "activity-date@iso-date", line); err != nil {
				return err
			}
			a.Dates = append(a.Dates, ad)
			return d.skip()
		case "recipient-country":
			s := aftermath.AidShare{Code: strings.TrimSpace(attr(se, "", "code"))}
			if s.Percentage, err = p.percent(se, "recipient-country@percentage", line); err != nil {
				return err
			}
			a.RecipientCountries = append(a.RecipientCountries, s)
			return d.skip()
		case "recipient-region":
			s := aftermath.AidShare{Code: strings.TrimSpace(attr(se, "", "code")), Vocabulary: vocabulary(se)}
			if s.Percentage, err = p.percent(se, "recipient-region@percentage", line); err != nil {
				return err
			}
			a.RecipientRegions = append(a.RecipientRegions, s)
			return d.skip()
		case "sector":
			s, err := p.sector(se, "sector", line)
			if err != nil {
				return err
			}
			a.Sectors = append(a.Sectors, s)
		case "policy-marker":
			m := aftermath.AidPolicyMarker{Vocabulary: vocabulary(se), Code: strings.TrimSpace(attr(se, "", "code"))}
			if m.Significance, err = p.int(attr(se, "", "significance"), "policy-marker@significance", line); err != nil {
				return err
			}
			a.PolicyMarkers = append(a.PolicyMarkers, m)
			return d.skip()
		case "budget":
			b, err := p.budget(se, line)
			if err != nil {
				return err
			}
			a.Budgets = append(a.Budgets, b)
		case "transaction":
			if len(a.Transactions) >= maxTransactions {
				return fmt.Errorf("%s:%d: the activity has more than %d transactions, the limit of one activity",
					d.file, line, maxTransactions)
			}
			t, err := p.transaction(se, line)
			if err != nil {
				return err
			}
			a.Transactions = append(a.Transactions, t)
		default:
			return d.skip()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !seenID {
		return nil, p.rowErr(a.Line, "iati-identifier", "", "is missing; every activity needs an identifier")
	}
	a.Description = strings.Join(descs, "\n\n")
	return a, nil
}

// others keeps the narratives of another language than the activity's
// under "title:fr", "description:fr"; several of one language (one per
// description) are joined by blank lines, as Description is.
func (p *act) others(kind string, ns []narrative) {
	for _, n := range ns {
		if n.lang == "" || n.lang == p.lang {
			continue
		}
		if p.a.Narratives == nil {
			p.a.Narratives = map[string]string{}
		}
		k := kind + ":" + n.lang
		if old, ok := p.a.Narratives[k]; ok {
			if kind == "title" {
				continue // one title: the first
			}
			p.a.Narratives[k] = old + "\n\n" + n.text
		} else {
			p.a.Narratives[k] = n.text
		}
	}
}

// org reads an organisation element with its narratives; idAttr is the
// attribute that names its activity.
func (p *act) org(se xml.StartElement, path, idAttr string) (aftermath.AidOrg, error) {
	o := aftermath.AidOrg{
		Ref:        strings.TrimSpace(attr(se, "", "ref")),
		Type:       strings.TrimSpace(attr(se, "", "type")),
		ActivityID: strings.TrimSpace(attr(se, "", idAttr)),
	}
	ns, err := p.d.narratives(path)
	o.Name = pick(ns, p.lang)
	return o, err
}

func (p *act) sector(se xml.StartElement, path string, line int) (aftermath.AidSector, error) {
	s := aftermath.AidSector{Vocabulary: vocabulary(se), Code: strings.TrimSpace(attr(se, "", "code"))}
	var err error
	if s.Percentage, err = p.percent(se, path+"@percentage", line); err != nil {
		return s, err
	}
	ns, err := p.d.narratives(path)
	s.Name = pick(ns, p.lang)
	return s, err
}

func (p *act) budget(se xml.StartElement, line int) (aftermath.AidBudget, error) {
	// The standard: type 1 (original) and status 1 (indicative) when omitted.
	b := aftermath.AidBudget{Type: 1, Status: 1}
	var err error
	if v := strings.TrimSpace(attr(se, "", "type")); v != "" {
		if b.Type, err = p.int(v, "budget@type", line); err != nil {
			return b, err
		}
	}
	if v := strings.TrimSpace(attr(se, "", "status")); v != "" {
		if b.Status, err = p.int(v, "budget@status", line); err != nil {
			return b, err
		}
	}
	seen := false
	err = p.d.children(func(se xml.StartElement, line int) error {
		var err error
		switch {
		case iati(se, "period-start"):
			b.Start, err = p.date(attr(se, "", "iso-date"), "budget/period-start@iso-date", line)
		case iati(se, "period-end"):
			b.End, err = p.date(attr(se, "", "iso-date"), "budget/period-end@iso-date", line)
		case iati(se, "value"):
			seen = true
			b.Value, err = p.value(se, "budget/value", line)
			return err // value read its element to the end
		}
		if err != nil {
			return err
		}
		return p.d.skip()
	})
	if err == nil && !seen {
		err = p.rowErr(line, "budget/value", "", "is missing; a budget needs a value")
	}
	return b, err
}

func (p *act) transaction(se xml.StartElement, line int) (aftermath.AidTransaction, error) {
	t := aftermath.AidTransaction{Ref: strings.TrimSpace(attr(se, "", "ref")), Line: line}
	if strings.TrimSpace(attr(se, "", "humanitarian")) != "" {
		h, err := p.flag(se, "transaction@humanitarian", line)
		if err != nil {
			return t, err
		}
		t.Humanitarian = &h
	}
	seen := false
	err := p.d.children(func(se xml.StartElement, line int) error {
		if se.Name.Space != "" {
			return p.d.skip()
		}
		var err error
		switch se.Name.Local {
		case "transaction-type":
			t.Type, err = p.int(attr(se, "", "code"), "transaction/transaction-type@code", line)
		case "transaction-date":
			t.Date, err = p.date(attr(se, "", "iso-date"), "transaction/transaction-date@iso-date", line)
		case "value":
			seen = true
			t.Value, err = p.value(se, "transaction/value", line)
			return err
		case "description":
			ns, err := p.d.narratives("transaction/description")
			t.Description = pick(ns, p.lang)
			return err
		case "sector":
			s, err := p.sector(se, "transaction/sector", line)
			t.Sectors = append(t.Sectors, s)
			return err
		case "recipient-country":
			t.RecipientCountry = strings.TrimSpace(attr(se, "", "code"))
		case "recipient-region":
			t.RecipientRegion = strings.TrimSpace(attr(se, "", "code"))
		case "provider-org":
			t.Provider, err = p.org(se, "transaction/provider-org", "provider-activity-id")
			return err
		case "receiver-org":
			t.Receiver, err = p.org(se, "transaction/receiver-org", "receiver-activity-id")
			return err
		}
		if err != nil {
			return err
		}
		return p.d.skip()
	})
	if err == nil && !seen {
		err = p.rowErr(line, "transaction/value", "", "is missing; a transaction needs a value")
	}
	return t, err
}

// value reads a <value> element to its end: the amount (trimmed: AidStream
// writes "304953.55 " with a trailing space), its currency and value date.
func (p *act) value(se xml.StartElement, path string, line int) (aftermath.AidValue, error) {
	v := aftermath.AidValue{Currency: strings.TrimSpace(attr(se, "", "currency"))}
	var err error
	if v.ValueDate, err = p.date(attr(se, "", "value-date"), path+"@value-date", line); err != nil {
		return v, err
	}
	s, err := p.d.text(path, line)
	if err != nil {
		return v, err
	}
	if s == "" {
		return v, p.rowErr(line, path, s, "is empty; an amount is required")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return v, p.rowErr(line, path, s, "is not an amount (expected a number such as 304953.55)")
	}
	v.Amount = f
	return v, nil
}

func (p *act) rowErr(line int, path, value, msg string) error {
	return &ingest.RowError{File: p.d.file, Line: line, Column: path, Value: value, Msg: msg}
}

// int parses a code or count attribute; empty is 0.
func (p *act) int(v, path string, line int) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, p.rowErr(line, path, v, "is not a whole number")
	}
	return n, nil
}

// flag parses a boolean attribute the way XML Schema writes one.
func (p *act) flag(se xml.StartElement, path string, line int) (bool, error) {
	switch v := strings.TrimSpace(attr(se, "", path[strings.LastIndexByte(path, '@')+1:])); v {
	case "1", "true":
		return true, nil
	case "", "0", "false":
		return false, nil
	default:
		return false, p.rowErr(line, path, v, "is not a boolean (expected 1, 0, true or false)")
	}
}

// percent parses a percentage attribute; nil when absent or empty.
func (p *act) percent(se xml.StartElement, path string, line int) (*float64, error) {
	v := strings.TrimSpace(attr(se, "", "percentage"))
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) {
		return nil, p.rowErr(line, path, v, "is not a number")
	}
	if f < 0 || f > 100 {
		return nil, p.rowErr(line, path, v, "is outside 0 to 100")
	}
	return &f, nil
}

// date returns an iso-date as YYYY-MM-DD; a datetime (or a date with a
// time zone, as xsd:date allows) keeps its date part. Empty is "".
func (p *act) date(v, path string, line int) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if len(v) >= 10 && v[4] == '-' && v[7] == '-' && (len(v) == 10 || strings.IndexByte("T Z+-", v[10]) >= 0) {
		if _, err := time.Parse("2006-01-02", v[:10]); err == nil {
			return v[:10], nil
		}
	}
	return "", p.rowErr(line, path, v, "is not a date (expected YYYY-MM-DD)")
}

// vocabulary is the vocabulary attribute, "1" when absent as the standard
// says (DAC 5-digit sectors, DAC markers, DAC regions).
func vocabulary(se xml.StartElement) string {
	if v := strings.TrimSpace(attr(se, "", "vocabulary")); v != "" {
		return v
	}
	return "1"
}

// limiter bounds what the decoder reads: the whole input to max bytes and
// each stretch (an activity; a codelist item; the text between them) to
// segMax, failing the read itself, so that no single token (one endless
// narrative) is gathered past the bound.
type limiter struct {
	br       io.ByteReader
	n        int64 // bytes read
	max      int64
	segStart int64
	segMax   int64
	what, of string // the current stretch and its kind, for the error
	line     int    // where it starts
	err      *limitError
}

// mark starts a new stretch at offset off, the decoder's InputOffset: the
// limiter's count, give or take the one byte the decoder may hold back,
// since the decoder reads the limiter directly.
func (l *limiter) mark(off int64, what, of string, line int) {
	l.segStart, l.what, l.of, l.line = off, what, of, line
}

func (l *limiter) ReadByte() (byte, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.n >= l.max {
		l.err = &limitError{what: "the file", of: "one file", limit: l.max}
		return 0, l.err
	}
	if l.n-l.segStart >= l.segMax {
		l.err = &limitError{what: l.what, of: l.of, line: l.line, limit: l.segMax}
		return 0, l.err
	}
	b, err := l.br.ReadByte()
	if err == nil {
		l.n++
	}
	return b, err
}

// Read is never called by encoding/xml, which uses ReadByte; it is here
// because xml.NewDecoder takes an io.Reader.
func (l *limiter) Read(p []byte) (int, error) {
	for i := range p {
		b, err := l.ReadByte()
		if err != nil {
			return i, err
		}
		p[i] = b
	}
	return len(p), nil
}

// limitError is a bound passed; the decoder turns it into a located error.
type limitError struct {
	what, of string
	line     int // 0: where the read stopped
	limit    int64
}

func (e *limitError) Error() string {
	return fmt.Sprintf("%s is longer than %s", e.what, sizeText(e.limit))
}

// sizeText writes a limit in MiB, KiB or bytes.
func sizeText(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
