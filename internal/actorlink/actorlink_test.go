package actorlink

import (
	"fmt"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/ingest/ucdpprio"
)

func TestSuggest(t *testing.T) {
	iv := &aftermath.Intervention{
		Slug: "operation-serval", Name: "Operation Serval",
		Backers:       []aftermath.InterventionActor{{Name: "France"}},
		PartnerForces: []aftermath.InterventionActor{{Name: "Malian armed forces"}},
		Area:          []aftermath.AreaRef{{Country: "MLI"}},
		Phases:        []aftermath.Phase{{Start: "2013-01-11", End: "2014-07-31"}},
	}
	conflicts := []ucdpprio.ConflictYear{
		{ConflictID: "11347", Location: "Mali", Year: 2012, SideA: "Government of Mali", GWNoLoc: []int{432}},
		{ConflictID: "11347", Location: "Mali", Year: 2013, SideA: "Government of Mali", SideA2nd: []string{"Government of Chad", "Government of France"}, GWNoLoc: []int{432}},
		{ConflictID: "11347", Location: "Mali", Year: 2014, SideA: "Government of Mali", SideA2nd: []string{"Government of France"}, GWNoLoc: []int{432}},
		{ConflictID: "11347", Location: "Mali", Year: 2016, SideA: "Government of Mali", SideA2nd: []string{"Government of France"}, GWNoLoc: []int{432}},
		{ConflictID: "9", Location: "Niger", Year: 2013, SideA: "Government of Niger", SideA2nd: []string{"Government of France"}, GWNoLoc: []int{436}},
	}
	cands := func(dataset, prefix string) []string {
		names := map[string][]string{
			aftermath.DatasetUCDP:  {"Government of Mali", "Government of Niger"},
			aftermath.DatasetACLED: {"Military Forces of Mali (2012-2021)", "Military Forces of Mali (2021-)", "Military Forces of Niger (2011-2023)"},
		}
		var out []string
		for _, n := range names[dataset] {
			if strings.HasPrefix(n, prefix) {
				out = append(out, n)
			}
		}
		return out
	}
	got := Suggest(iv, conflicts, cands)
	var lines []string
	for _, s := range got {
		lines = append(lines, fmt.Sprintf("%s|%s|%s|%s|%v", s.Role, s.Actor, s.Alias.Dataset, s.Alias.Name, s.Years))
	}
	want := []string{
		"backer|France|ucdp|Government of France|[2013 2014]",
		"partner|Malian armed forces|acled|Military Forces of Mali (2012-2021)|[]",
		"partner|Malian armed forces|acled|Military Forces of Mali (2021-)|[]",
		"partner|Malian armed forces|ucdp|Government of Mali|[2013 2014]",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("suggestions:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	Apply(iv, got[:1])
	if len(iv.Backers[0].Aliases) != 1 || len(Suggest(iv, conflicts, cands)) != 3 {
		t.Errorf("an applied suggestion is suggested again: %+v", iv.Backers)
	}
}
