package figures

import (
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
