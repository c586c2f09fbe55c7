package sqldb

import "strings"

// slugKey is a slug as a person typed it, ready to look up: slugs are
// stored in lower case (the checks refuse any other), so trimming and
// lowering what was typed lets MINUSMA find minusma through the column's
// index, on both databases, for the command line, pages and API alike.
func slugKey(typed string) string { return strings.ToLower(strings.TrimSpace(typed)) }
