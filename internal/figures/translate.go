package figures

import (
	"time"

	"aftermath"
	"aftermath/internal/i18n"
)

// Localized returns a copy of iv whose name and phase names are in the
// reader's language where iv has them translated (its own texts
// otherwise), for the texts a chart draws: an SVG label cannot mark a
// fallback's language as a page does, so it shows the text as it is.
func Localized(l *i18n.Locale, iv *aftermath.Intervention) *aftermath.Intervention {
	c := *iv
	c.Name, _ = iv.Translations.For(l.Tag(), iv.Language, "name", iv.Name)
	c.Phases = make([]aftermath.Phase, len(iv.Phases))
	for i, ph := range iv.Phases {
		ph.Name, _ = iv.Translations.For(l.Tag(), iv.Language, aftermath.ListField("phases", i), ph.Name)
		c.Phases[i] = ph
	}
	return &c
}

// MonthIn labels a month of the charts' X axis as the reader writes it
// ("mars 2023", "مارس 2023"), not as the data store it (2023-03).
func MonthIn(l *i18n.Locale) func(float64) string {
	return func(x float64) string {
		t, err := time.Parse("2006-01", MonthLabel(x))
		if err != nil {
			return MonthLabel(x)
		}
		return l.Month(t)
	}
}
