package figures

import (
	"aftermath/internal/geo"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"aftermath/internal/i18n"
	"aftermath/internal/impact"
)

// Text prints a figure, or "not covered" where the data say nothing: an
// unknown is never a 0.
func Text(l *i18n.Locale, v *int64) string {
	if v == nil {
		return l.T("analysis.not_covered_short")
	}
	return l.Number(float64(*v), 0)
}

// Range prints a figure with UCDP's low–high range where it has one.
func Range(l *i18n.Locale, best, low, high *int64) string {
	if best == nil {
		return l.T("analysis.not_covered_short")
	}
	if low == nil || high == nil || (*low == *best && *high == *best) {
		return Text(l, best)
	}
	r := l.T("analysis.range", "best", Text(l, best), "low", Text(l, low), "high", Text(l, high))
	if l.Dir() == "rtl" {
		// Digits either side of a dash read right to left as high–low.
		r = Isolate(r)
	}
	return r
}

// Isolate keeps a date, a range or a list of codes in one direction
// inside right-to-left text.
func Isolate(s string) string { return "\u2066" + s + "\u2069" }

// Method is the method of a report in the reader's language.
func Method(l *i18n.Locale, rep *impact.Report) string {
	return l.T("analysis.method.text", "outcome", l.T("analysis.outcome."+rep.Outcome), "area", AreaNames(l, rep.Area), "dataset", rep.Dataset,
		"versions", Isolate(strings.Join(rep.Versions, ", ")), "first", Isolate(rep.Coverage[0]), "last", Isolate(rep.Coverage[1]),
		"from", Isolate(rep.Window[0]), "to", Isolate(rep.Window[1]), "uncovered", rep.Uncovered,
		"partners", rep.PartnerActors, "backers", rep.BackerActors)
}

// AreaNames names the countries of a report's area ("MLI, BFA Sahel",
// as package impact writes it) in the reader's language: "Mali, Burkina
// Faso (Sahel)".
func AreaNames(l *i18n.Locale, area string) string {
	var names []string
	for _, part := range strings.Split(area, ", ") {
		code, admin1, _ := strings.Cut(part, " ")
		name := Country(l, code, code)
		if admin1 != "" {
			name += " (" + admin1 + ")"
		}
		names = append(names, name)
	}
	return strings.Join(names, l.T("lang.list_separator"))
}

// PartnerText says how a partner force was read: its support window and
// the dataset names that stand for it.
func PartnerText(l *i18n.Locale, dataset string, p impact.HarmPartner) string {
	to := p.To
	if to == "" {
		to = l.T("interventions.ongoing")
	}
	names := l.T("analysis.harm.no_names")
	if len(p.Names) > 0 {
		names = strings.Join(p.Names, "; ")
	}
	return l.T("analysis.harm.partner", "name", p.Name, "from", Isolate(p.From), "to", Isolate(to), "dataset", dataset, "names", names)
}

// HarmCivilians prints a harm row's civilian deaths: in battles, as
// deaths "in battles involving" the partner, never as the partner's own.
func HarmCivilians(l *i18n.Locale, row impact.HarmRow) string {
	if row.DeathsCivilians == nil {
		return l.T("analysis.not_covered_short")
	}
	if row.Measure == impact.MeasureBattles {
		return l.T("analysis.harm.in_battles", "count", l.Number(float64(*row.DeathsCivilians), 0))
	}
	return l.Number(float64(*row.DeathsCivilians), 0)
}

// PartnerSide prints the partner side's own deaths in battles.
func PartnerSide(l *i18n.Locale, row impact.HarmRow) string {
	switch {
	case row.Measure != impact.MeasureBattles:
		return "–" // one-sided violence has no sides
	case row.Events == nil:
		return l.T("analysis.not_covered_short")
	case row.DeathsPartnerSide == nil:
		return l.T("analysis.harm.no_side")
	}
	return l.Number(float64(*row.DeathsPartnerSide), 0)
}

// HarmDates prints the dates of a harm row's period.
func HarmDates(l *i18n.Locale, row impact.HarmRow) string {
	if row.From == "" && (row.To == "" || row.Period != impact.PeriodDuring) {
		return "–" // the data begin after support began, or end before it ended
	}
	to := row.To
	if to == "" {
		to = l.T("interventions.ongoing")
	}
	from := row.From
	if from == "" {
		from = "…"
	}
	return Isolate(from + " – " + to)
}

// Country gives a country's name in the reader's language (CLDR names
// from golang.org/x/text), falling back to the name the data used: never
// an ISO code where a name is meant, when a name is known.
func Country(l *i18n.Locale, iso3, fallback string) string {
	c, ok := geo.ByAlpha3(iso3)
	if !ok || c.Alpha2 == "" {
		return fallback
	}
	region, err := language.ParseRegion(c.Alpha2)
	if err != nil {
		return fallback
	}
	if n := display.Regions(language.Make(l.Tag())).Name(region); n != "" {
		return n
	}
	return fallback
}
