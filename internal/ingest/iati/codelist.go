package iati

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"aftermath"
	"aftermath/internal/ingest"
)

// ReadCodelist reads one IATI codelist file (root <codelist name="Sector">,
// items under codelist-items/codelist-item): each code with its names in
// every language given (a narrative without xml:lang is in the list's
// xml:lang, else en) and its category where the list has one (Sector: the
// 3-digit DAC category). Withdrawn codes are read too: old activities use
// them. The <metadata> block, which has a <category> of its own
// ("Replicated"), is skipped.
func ReadCodelist(r io.Reader, file string) (*aftermath.Codelist, error) {
	d := newDecoder(r, file)
	root, err := d.root()
	if err != nil {
		return nil, err
	}
	if !iati(root, "codelist") {
		return nil, fmt.Errorf("%sthe root element is <%s>, not <codelist>; is this an IATI codelist file?", d.at(d.line()), root.Name.Local)
	}
	c := &aftermath.Codelist{Name: strings.TrimSpace(attr(root, "", "name"))}
	if c.Name == "" {
		return nil, &ingest.RowError{File: file, Line: d.line(), Column: "codelist@name", Msg: "is empty; a codelist needs a name"}
	}
	lang := strings.ToLower(strings.TrimSpace(attr(root, xmlNS, "lang")))
	if lang == "" {
		lang = defaultLang
	}
	d.lim.mark(d.dec.InputOffset(), "the text between codelist items", "one stretch of text", d.line())
	err = d.children(func(se xml.StartElement, _ int) error {
		if !iati(se, "codelist-items") {
			return d.skip()
		}
		return d.children(func(se xml.StartElement, line int) error {
			if !iati(se, "codelist-item") {
				return d.skip()
			}
			if len(c.Codes) >= maxCodes {
				return fmt.Errorf("%sthe codelist has more than %d codes, the limit of one codelist", d.at(line), maxCodes)
			}
			// The start tag is read already; it counts towards the text
			// before it, which has the same bound.
			d.lim.mark(d.dec.InputOffset(), "the codelist item", "one codelist item", line)
			code, err := d.codelistItem(line, lang)
			if err != nil {
				return err
			}
			c.Codes = append(c.Codes, code)
			d.lim.mark(d.dec.InputOffset(), "the text between codelist items", "one stretch of text", d.line())
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (d *decoder) codelistItem(line int, lang string) (aftermath.Code, error) {
	code := aftermath.Code{Name: map[string]string{}}
	seen := false
	err := d.children(func(se xml.StartElement, cline int) error {
		var err error
		switch {
		case iati(se, "code"):
			code.Code, err = d.text("codelist-item/code", cline)
			seen = true
		case iati(se, "category"):
			code.Category, err = d.text("codelist-item/category", cline)
		case iati(se, "name"):
			ns, err := d.narratives("codelist-item/name")
			for _, n := range ns {
				l := n.lang
				if l == "" {
					l = lang
				}
				if _, dup := code.Name[l]; !dup {
					code.Name[l] = n.text
				}
			}
			return err
		default:
			return d.skip()
		}
		return err
	})
	if err == nil && (!seen || code.Code == "") {
		err = &ingest.RowError{File: d.file, Line: line, Column: "codelist-item/code", Value: code.Code,
			Msg: "is empty; every codelist item needs a code"}
	}
	return code, err
}
