package aftermath

import "context"

// FlowCodes names the codes of IATI codelists (Sector, Country …) as
// imported: CodeNames gives list's names by code in lang, French when
// lang is "fr" and a French name was published, English otherwise.
type FlowCodes interface {
	CodeNames(ctx context.Context, list, lang string) (map[string]string, error)
}
