package actorlink

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/ingest/ucdpprio"
	"aftermath/internal/shareddata"
)

func lines(sugs []Suggestion) []string {
	var out []string
	for _, s := range sugs {
		out = append(out, fmt.Sprintf("%s|%s|%s|%s|%v", s.Role, s.Actor, s.Alias.Dataset, s.Alias.Name, s.Years))
	}
	return out
}

func serval() *aftermath.Intervention {
	return &aftermath.Intervention{
		Slug: "operation-serval", Name: "Operation Serval",
		Backers: []aftermath.InterventionActor{{Name: "France"}, {Name: "Chad"}, {Name: "Niger"}},
		PartnerForces: []aftermath.InterventionActor{{Name: "Malian armed forces",
			Aliases: aftermath.DatedAliases{{Dataset: aftermath.DatasetUCDP, Name: "Government of Mali"}}}},
		Area:   []aftermath.AreaRef{{Country: "MLI"}, {Country: "NER"}},
		Phases: []aftermath.Phase{{Start: "2013-01-11", End: "2014-07-31"}},
	}
}

func TestSuggest(t *testing.T) {
	iv := serval()
	conflicts := []ucdpprio.ConflictYear{
		// Before the intervention: not evidence.
		{ConflictID: "11347", Location: "Mali", Year: 2012, SideA: "Government of Mali", SideA2nd: []string{"Government of France"}, GWNoLoc: []int{432}},
		{ConflictID: "11347", Location: "Mali", Year: 2013, SideA: "Government of Mali", SideA2nd: []string{"Government of Chad", "Government of France"}, GWNoLoc: []int{432}},
		{ConflictID: "11347", Location: "Mali", Year: 2014, SideA: "Government of Mali", SideA2nd: []string{"Government of France"}, GWNoLoc: []int{432}},
		// After the intervention: not evidence.
		{ConflictID: "11347", Location: "Mali", Year: 2016, SideA: "Government of Mali", SideA2nd: []string{"Government of France"}, GWNoLoc: []int{432}},
		// Niger joined the other side of a conflict in the area: it fought
		// the partner, so it is no backer of it.
		{ConflictID: "77", Location: "Mali", Year: 2013, SideA: "Government of Mali", SideB: "MNLA", SideB2nd: []string{"Government of Niger"}, GWNoLoc: []int{432}},
		// France joined a side in the area, but not the partner's:
		// co-location is no reason.
		{ConflictID: "9", Location: "Niger", Year: 2013, SideA: "Government of Niger", SideA2nd: []string{"Government of France"}, GWNoLoc: []int{436}},
	}
	got := Suggest(iv, conflicts)
	want := []string{
		"backer|Chad|ucdp|Government of Chad|[2013]",
		"backer|France|ucdp|Government of France|[2013 2014]",
	}
	if !slices.Equal(lines(got), want) {
		t.Fatalf("suggestions:\n%s\nwant:\n%s", strings.Join(lines(got), "\n"), strings.Join(want, "\n"))
	}
	fr := got[1]
	wantEv := Evidence{ConflictID: "11347", Location: "Mali", Side: "side_a", Partner: "Malian armed forces",
		PartnerAs: "Government of Mali", PartnerAt: "side_a", Years: []int{2013, 2014}}
	if len(fr.Evidence) != 1 || fmt.Sprint(fr.Evidence[0]) != fmt.Sprint(wantEv) {
		t.Errorf("France's evidence = %+v, want %+v", fr.Evidence, wantEv)
	}
	for _, w := range []string{"conflict 11347 (Mali)", "2013–2014", "side_a_2nd", "Government of Mali"} {
		if !strings.Contains(fr.Reason, w) {
			t.Errorf("reason %q does not give %q", fr.Reason, w)
		}
	}
	Apply(iv, got[1:])
	if len(iv.Backers[0].Aliases) != 1 || !slices.Equal(lines(Suggest(iv, conflicts)), want[:1]) {
		t.Errorf("an applied suggestion is suggested again: %+v", iv.Backers)
	}
}

// TestSuggestNeedsThePartner: with no UCDP name for the partner there is
// no side to join, so nothing is suggested, whoever fought in the area.
func TestSuggestNeedsThePartner(t *testing.T) {
	iv := serval()
	iv.PartnerForces[0].Aliases = nil
	conflicts := []ucdpprio.ConflictYear{
		{ConflictID: "11347", Location: "Mali", Year: 2013, SideA: "Government of Mali", SideA2nd: []string{"Government of France"}, GWNoLoc: []int{432}},
	}
	if got := Suggest(iv, conflicts); len(got) != 0 {
		t.Errorf("suggested without a partner name: %v", lines(got))
	}
}

// TestSuggestWindows: the partner's support window and its name's dates
// bound the conflict-years that count.
func TestSuggestWindows(t *testing.T) {
	rows := func() []ucdpprio.ConflictYear {
		var out []ucdpprio.ConflictYear
		for y := 2019; y <= 2023; y++ {
			out = append(out, ucdpprio.ConflictYear{ConflictID: "333", Location: "Afghanistan", Year: y,
				SideA: "Government of Afghanistan", SideA2nd: []string{"Government of United States of America"}, GWNoA2nd: []int{2}, GWNoLoc: []int{700}})
		}
		return out
	}
	iv := &aftermath.Intervention{
		Slug: "rs", Name: "RS",
		Backers: []aftermath.InterventionActor{{Name: "United States"}},
		PartnerForces: []aftermath.InterventionActor{{Name: "ANDSF",
			Aliases: aftermath.DatedAliases{{Dataset: aftermath.DatasetUCDP, Name: "Government of Afghanistan", To: "2021-08-15"}}}},
		Area:   []aftermath.AreaRef{{Country: "AFG"}},
		Phases: []aftermath.Phase{{Start: "2015-01-01", End: ""}}, // ongoing: the alias's end bounds it
	}
	if got, want := lines(Suggest(iv, rows())), []string{"backer|United States|ucdp|Government of United States of America|[2019 2020 2021]"}; !slices.Equal(got, want) {
		t.Errorf("dated alias: %v, want %v", got, want)
	}
	iv.PartnerForces[0].Aliases[0].To = ""
	iv.PartnerForces[0].To = "2019-12-31" // the partner's own window
	if got, want := lines(Suggest(iv, rows())), []string{"backer|United States|ucdp|Government of United States of America|[2019]"}; !slices.Equal(got, want) {
		t.Errorf("support window: %v, want %v", got, want)
	}
	iv.PartnerForces[0].From, iv.PartnerForces[0].To = "2024-01-01", ""
	if got := Suggest(iv, rows()); len(got) != 0 {
		t.Errorf("no conflict-year in the window, yet: %v", lines(got))
	}
}

// TestSuggestUCDPPrio runs on the real UCDP/PRIO conflict file.
func TestSuggestUCDPPrio(t *testing.T) {
	path := shareddata.Path(t, "ucdp/UcdpPrioConflict_v24_1.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cys, err := ucdpprio.Read(f, path)
	if err != nil {
		t.Fatal(err)
	}
	find := func(sugs []Suggestion, actor string) *Suggestion {
		for i := range sugs {
			if sugs[i].Actor == actor {
				return &sugs[i]
			}
		}
		return nil
	}

	// France beside the Government of Mali in conflict 11347 from 2013.
	mali := &aftermath.Intervention{
		Slug: "mali", Name: "Mali",
		Backers: []aftermath.InterventionActor{{Name: "France"}, {Name: "Saudi Arabia"}},
		PartnerForces: []aftermath.InterventionActor{{Name: "Malian Armed Forces",
			Aliases: aftermath.DatedAliases{{Dataset: aftermath.DatasetUCDP, Name: "Government of Mali"}}}},
		Area:   []aftermath.AreaRef{{Country: "MLI"}},
		Phases: []aftermath.Phase{{Start: "2013-01-11", End: "2022-08-15"}},
	}
	sugs := Suggest(mali, cys)
	fr := find(sugs, "France")
	if fr == nil || fr.Alias.Name != "Government of France" || fr.Years[0] != 2013 || !slices.Contains(fr.Years, 2022) || slices.Contains(fr.Years, 2023) {
		t.Fatalf("France in Mali: %+v", sugs)
	}
	if !slices.ContainsFunc(fr.Evidence, func(e Evidence) bool {
		return e.ConflictID == "11347" && e.Side == "side_a" && e.PartnerAs == "Government of Mali"
	}) || !strings.Contains(fr.Reason, "conflict 11347 (Mali)") {
		t.Errorf("France's evidence does not name conflict 11347, side_a: %+v", fr)
	}
	if s := find(sugs, "Saudi Arabia"); s != nil {
		t.Errorf("Saudi Arabia never joined the Government of Mali: %+v", s)
	}

	// Yemen: the coalition joined side_b, beside Forces of the Presidential
	// Leadership Council; with the partner's name right, Saudi Arabia is
	// proposed from 2015. Given UCDP's "Government of Yemen (North Yemen)"
	// (the Houthi side, side_a) as the partner, no coalition state is: they
	// are on the other side.
	yemen := &aftermath.Intervention{
		Slug: "yemen", Name: "Yemen",
		Backers: []aftermath.InterventionActor{{Name: "Saudi Arabia"}, {Name: "United States"}},
		PartnerForces: []aftermath.InterventionActor{{Name: "Forces of the Government of Yemen",
			Aliases: aftermath.DatedAliases{{Dataset: aftermath.DatasetUCDP, Name: "Forces of the Presidential Leadership Council"}}}},
		Area:   []aftermath.AreaRef{{Country: "YEM"}},
		Phases: []aftermath.Phase{{Start: "2015-03-26"}},
	}
	sugs = Suggest(yemen, cys)
	sa := find(sugs, "Saudi Arabia")
	if sa == nil || sa.Alias.Name != "Government of Saudi Arabia" || sa.Years[0] != 2015 ||
		!slices.ContainsFunc(sa.Evidence, func(e Evidence) bool { return e.ConflictID == "230" && e.Side == "side_b" }) {
		t.Errorf("Saudi Arabia in Yemen: %+v", sugs)
	}
	if us := find(sugs, "United States"); us != nil {
		t.Errorf("the United States joined the Government of Yemen's side before 2015 only: %+v", us)
	}
	yemen.PartnerForces[0].Aliases = aftermath.DatedAliases{{Dataset: aftermath.DatasetUCDP, Name: "Government of Yemen (North Yemen)"}}
	if sa := find(Suggest(yemen, cys), "Saudi Arabia"); sa != nil {
		t.Errorf("Saudi Arabia fought UCDP's Government of Yemen from 2015, yet: %+v", sa)
	}
}
