package aftermath

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Money and arms: transfers of major conventional arms as SIPRI's trade
// register records them, and aid activities as their publishers report
// them to IATI. Readers (internal/ingest/sipri, internal/ingest/iati)
// turn files into these values; the store keeps them; Flows answers the
// questions of docs/method.md over them.

// TIV amounts are kept in thousandths of a million TIV (SIPRI publishes
// at most two decimals), so sums are exact.
type MilliTIV int64

// ArmsRegister is one SIPRI trade-register export: its scope, from the
// preamble, and its deals.
type ArmsRegister struct {
	// Layout is ArmsLayoutRegister (the classic trade register: one row
	// per deal) or ArmsLayoutDeliveries (the newer export: one row per deal
	// and delivery year, with SIPRI's deal id).
	Layout string
	// Title is the preamble's first line as published; Suppliers and
	// Recipients the scope it names ("All countries" or a name);
	// FromYear..ToYear the delivery years selected (0: not specified).
	Title                 string
	Suppliers, Recipients string
	FromYear, ToYear      int
	// Generated is the "Data generated:" time, as YYYY-MM-DDTHH:MM:SS.
	Generated string
	Deals     []ArmsDeal
}

const (
	ArmsLayoutRegister   = "trade-register"
	ArmsLayoutDeliveries = "deliveries"
)

// ArmsDeal is one deal as SIPRI records it. Pointers are nil where SIPRI
// leaves the cell empty ("data not yet available", "no deliveries
// identified"): an empty cell is not a zero. The *Uncertain fields are
// SIPRI's '?' flags (the newer layout's "is estimate" columns).
type ArmsDeal struct {
	// Key identifies the deal within its register from one export to the
	// next: "id:" + SIPRI's deal id in the newer layout; in the classic
	// one, which has no id, a hash of recipient, supplier, order year,
	// designation, description and number ordered, with "#n" for the
	// n-th identical one in file order.
	Key     string
	SIPRIID string
	Line    int // the line of the deal's first row

	Supplier, Recipient string // as SIPRI spells them
	// SupplierISO3 and RecipientISO3 are the state's ISO 3166-1 alpha-3
	// code when the party is a present-day state ("" for the Soviet
	// Union, rebels marked *, organisations marked **, "unknown …").
	SupplierISO3, RecipientISO3 string

	OrderYear          int
	OrderYearUncertain bool

	NumberOrdered          *int64
	NumberOrderedUncertain bool

	Designation string // "EMB-314 Super Tucano"
	Description string // "trainer/combat aircraft"
	Category    string // the newer layout's "Armament category"; "" in the classic one

	NumberDelivered          *int64
	NumberDeliveredUncertain bool

	DeliveryYears          []int
	DeliveryYearsUncertain bool

	Status   string // New, Second hand, Second hand but modernized
	Comments string

	TIVUnit      *MilliTIV // SIPRI TIV per unit
	TIVOrder     *MilliTIV // SIPRI TIV for total order
	TIVDelivered *MilliTIV // SIPRI TIV of delivered weapons
	// SIPRIEstimate is the newer layout's "SIPRI estimate" column as
	// published (its meaning is not documented in the export).
	SIPRIEstimate   string
	LocalProduction string // newer layout: Yes or No

	// Deliveries are per delivery year: as published in the newer layout
	// (Estimate false); in the classic one TIVDelivered spread evenly over
	// DeliveryYears, numbers unknown (Estimate true).
	Deliveries []ArmsDelivery
}

// ArmsDelivery is one delivery year of a deal.
type ArmsDelivery struct {
	Year            int
	YearUncertain   bool
	Number          *int64
	NumberUncertain bool
	TIV             *MilliTIV
	Estimate        bool
}

// AidActivity is one IATI activity (standard 2.03) with what the flows
// questions need.
type AidActivity struct {
	Identifier string
	Line       int // the line of <iati-activity>
	// LastUpdated is the activity's last-updated-datetime as published.
	LastUpdated     string
	Language        string // xml:lang, the default of its narratives
	DefaultCurrency string
	Humanitarian    bool
	Hierarchy       int

	ReportingOrg  AidOrg
	Participating []AidOrg

	Title       string // in the activity's language, else the first narrative
	Description string // every description, in the activity's language, joined by blank lines
	// Narratives holds titles and descriptions in other languages, by
	// "title:fr", "description:fr".
	Narratives map[string]string

	Status int       // activity-status code (1 pipeline … 6 suspended)
	Dates  []AidDate // activity-date: 1 planned start, 2 actual start, 3 planned end, 4 actual end

	RecipientCountries []AidShare // ISO alpha-2 codes as published
	RecipientRegions   []AidShare // Code is the region code, Vocabulary its vocabulary
	Sectors            []AidSector
	PolicyMarkers      []AidPolicyMarker
	Budgets            []AidBudget
	Transactions       []AidTransaction
}

// AidOrg is a reporting, participating, provider or receiver
// organisation. Role is the participating role (1 funding, 2 accountable,
// 3 extending, 4 implementing; 0 elsewhere); Type the organisation type
// code (10 government … 24 regional NGO, 80 academic …).
type AidOrg struct {
	Ref        string
	Name       string
	Type       string
	Role       int
	ActivityID string // provider-activity-id or receiver-activity-id
}

type AidDate struct {
	Type int
	Date string // YYYY-MM-DD
}

// AidShare is a recipient country or region with its percentage; nil
// when the file gives none.
type AidShare struct {
	Code       string
	Vocabulary string
	Percentage *float64
}

// AidSector is a sector in a vocabulary ("1": DAC 5-digit purpose codes,
// "2": DAC 3-digit categories, "99" the publisher's own …).
type AidSector struct {
	Vocabulary string
	Code       string
	Percentage *float64
	Name       string // the narrative, when the file gives one
}

// AidPolicyMarker is a policy marker; vocabulary "1" is the OECD DAC
// CRS markers (1 gender equality, …), significance 0 not targeted,
// 1 significant, 2 principal, 3 principal and in support of an action
// programme, 4 explicit primary objective.
type AidPolicyMarker struct {
	Vocabulary   string
	Code         string
	Significance int
}

type AidBudget struct {
	Type, Status int
	Start, End   string
	Value        AidValue
}

// AidValue is an amount as published: Currency is the value's own, or ""
// when it takes the activity's default.
type AidValue struct {
	Amount    float64
	Currency  string
	ValueDate string
}

// AidTransaction is one transaction. Its own sector (vocabulary 1) and
// recipient country, when it names them, take the place of the
// activity's.
type AidTransaction struct {
	Ref              string
	Line             int
	Type             int    // 1 incoming funds, 2 outgoing commitment, 3 disbursement, 4 expenditure …
	Date             string // transaction-date, YYYY-MM-DD
	Value            AidValue
	Humanitarian     *bool
	Description      string
	Sectors          []AidSector
	RecipientCountry string
	RecipientRegion  string
	Provider         AidOrg
	Receiver         AidOrg
}

// Codelist is one IATI codelist: codes with their names by language.
type Codelist struct {
	Name  string // "Sector", "Country", …
	Codes []Code
}

type Code struct {
	Code     string
	Name     map[string]string // by language: "en", "fr"
	Category string            // Sector: its 3-digit category
}

// FlowKind is what a flows query reads.
const (
	FlowsArms = "arms"
	FlowsAid  = "aid"
)

// The keys a flows query may group by, in the order the issue names them.
var (
	ArmsFlowKeys = []string{"supplier", "recipient", "order_year", "weapon_description"}
	AidFlowKeys  = []string{"reporting_org", "recipient_country", "sector", "transaction_type", "year"}
)

// FlowQuery selects and groups flows. Supplier is a SIPRI supplier name
// (arms) or a reporting organisation's identifier or name (aid), compared
// case-insensitively; Recipient an ISO 3166-1 alpha-3 code; From and To
// years (0: open), the order year for arms and the transaction year for
// aid.
type FlowQuery struct {
	Kind      string
	Supplier  string
	Recipient string
	By        []string
	From, To  int
}

// FlowRow is one group. Keys follow FlowQuery.By. Arms rows fill Deals,
// NumberDelivered, TIVOrder and TIVDelivered; aid rows Currency,
// Transactions and Value.
type FlowRow struct {
	Keys []string

	Deals           int64
	NumberDelivered int64
	TIVOrder        MilliTIV
	TIVDelivered    MilliTIV
	// Uncertain counts the deals in the group with a '?' on a number or
	// a year summed.
	Uncertain int64

	Currency     string
	Transactions int64
	Value        float64
}

// FlowImportCounts says what one file's import did.
type FlowImportCounts struct {
	Read      int64 // deals or activities read
	Inserted  int64
	Updated   int64
	Unchanged int64
	Removed   int64 // deals a newer export of the same register no longer lists
}

// Flows reads and writes money and arms. Writing takes an editor or
// admin (as event imports do); the data is published by SIPRI and IATI
// publishers, so every viewer reads it.
type Flows interface {
	ImportArmsRegister(ctx context.Context, as ImportAs, file, sha string, r *ArmsRegister) (FlowImportCounts, error)
	// ImportAid stores the activities acts yields, in one transaction; acts
	// streams them from the file, so a large file is never held whole.
	ImportAid(ctx context.Context, as ImportAs, file, sha string, acts func(yield func(*AidActivity) error) error) (FlowImportCounts, error)
	ImportCodelist(ctx context.Context, as ImportAs, c *Codelist) (int, error)
	Flows(ctx context.Context, q FlowQuery) ([]FlowRow, error)
	FundingLandscape(ctx context.Context, q LandscapeQuery) (*Landscape, error)
	// FlowCountries are the countries (ISO 3166-1 alpha-3) arms were
	// delivered to or aid reported for, sorted.
	FlowCountries(ctx context.Context) ([]string, error)
	ArmsFigures
}

// String writes an amount as SIPRI does, in millions with no trailing
// zeros: 27, 25.5, 0.03.
func (m MilliTIV) String() string {
	neg := m < 0
	if neg {
		m = -m
	}
	s := strconv.FormatInt(int64(m)/1000, 10)
	if f := int64(m) % 1000; f != 0 {
		s += strings.TrimRight("."+fmt.Sprintf("%03d", f), "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// PCVERule identifies prevention and countering of violent extremism:
// an activity in one of Sectors whose title or description holds one of
// Terms (case-insensitive, whole words or their start). The rule is
// stated beside every figure and can be changed per query.
type PCVERule struct {
	Sectors []string `json:"sectors"`
	Terms   []string `json:"terms"`
}

// DefaultPCVERule: the DAC codes under which P/CVE is reported
// (15210 security system management, 15220 peace-building, 15130 legal
// and judicial development, 15150 democratic participation and civil
// society, 15160 human rights) with the words P/CVE programmes use of
// themselves, in English and French.
var DefaultPCVERule = PCVERule{
	Sectors: []string{"15130", "15150", "15160", "15210", "15220"},
	Terms: []string{"violent extremism", "extrémisme violent", "extremisme violent", "P/CVE", "PCVE", "CVE", "PVE",
		"radicalization", "radicalisation", "deradicalization", "déradicalisation", "counter-terrorism", "counterterrorism",
		"antiterroriste", "terrorism", "terrorisme"},
}

// Funding landscape buckets by DAC 5-digit purpose code.
const (
	BucketSecurity      = "security"      // 152xx but 15220 and 15230
	BucketPeacebuilding = "peacebuilding" // 15220, 15230
	BucketOther         = "other"         // any other code
	BucketNoSector      = "no-sector"     // no DAC 5-digit sector given
)

// LandscapeQuery asks for one recipient country's funding landscape.
type LandscapeQuery struct {
	Recipient string // ISO 3166-1 alpha-3
	// Types are the transaction types counted (default 3: disbursement).
	Types    []int
	Supplier string // a reporting organisation, as FlowQuery.Supplier
	From, To int
	PCVE     PCVERule
	// ReportingCountry (ISO alpha-2) keeps only publishers whose IATI
	// organisation identifier starts with it ("US-GOV-1" for "US"): a
	// state's own agencies.
	ReportingCountry string
	// Mentions keeps only activities whose title, description,
	// participating organisations or transaction receiver name it (whole
	// words, case-insensitive): a force the record names.
	Mentions string
}

// LandscapeRow is one year and currency of a landscape: the value in
// each bucket (they sum to Total), and the parts of Total identified as
// P/CVE, reaching organisations based in the country, and marked for
// gender equality or women's rights organisations.
type LandscapeRow struct {
	Year         int
	Currency     string
	Transactions int64
	Total        float64
	Buckets      map[string]float64
	PCVE         float64
	Local        float64
	Gender       float64
}

// PCVEMatch is an activity the P/CVE rule picked, with the words that
// matched, so a reader can check the rule's work.
type PCVEMatch struct {
	Identifier string
	Title      string
	Sectors    []string
	Words      []string
}

type Landscape struct {
	Query   LandscapeQuery
	Rows    []LandscapeRow
	Matches []PCVEMatch
}

// DeliveryQuery selects arms deliveries by year. Suppliers and Recipients
// are parties, each an ISO 3166-1 alpha-3 code or a SIPRI name (compared
// case-insensitively, SIPRI's * and ** marks ignored); empty lists take
// every party. From and To bound the delivery year (0: open).
type DeliveryQuery struct {
	Suppliers, Recipients []string
	From, To              int
	// Mentions keeps only the deals whose SIPRI comments contain it
	// (case-insensitive): a force the record names.
	Mentions string
}

// ForceTerms are the words SIPRI's comments use for the force a
// delivery was for ("for National Guard", "for police"), looked for as
// whole words to suggest which of a state's forces received what.
var ForceTerms = []string{"army", "navy", "air force", "marines", "national guard", "presidential guard", "republican guard",
	"coast guard", "border guard", "border police", "police", "gendarmerie", "special forces", "security forces"}

// ForceMention is how many of a recipient's deals name a force.
type ForceMention struct {
	Force string `json:"force"`
	Deals int64  `json:"deals"`
}

// DeliveryYear is what one supplier delivered to one recipient in one
// year. SIPRI's classic register does not split a deal's delivered TIV
// by year: such deals are spread evenly over their delivery years, and
// Estimate is true when any part of TIV is spread so.
type DeliveryYear struct {
	Year                        int
	Supplier, Recipient         string
	SupplierISO3, RecipientISO3 string
	Deals                       int64
	TIV                         MilliTIV
	Estimate                    bool
}

// ArmsFigures reads deliveries by year, for timelines beside harm.
type ArmsFigures interface {
	ArmsDeliveries(ctx context.Context, q DeliveryQuery) ([]DeliveryYear, error)
	// ArmsForces counts, per force term, the recipient's deals whose
	// comments name it, most first.
	ArmsForces(ctx context.Context, recipient string) ([]ForceMention, error)
}

// MarshalJSON writes millions of TIV as a JSON number (4512.1), never
// the thousandths kept inside.
func (m MilliTIV) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads millions of TIV with at most three decimals.
func (m *MilliTIV) UnmarshalJSON(b []byte) error {
	s := string(b)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 3 {
		return fmt.Errorf("TIV %s: more than three decimals", b)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return fmt.Errorf("TIV %s: %w", b, err)
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt((frac + "00")[:3], 10, 64); err != nil {
			return fmt.Errorf("TIV %s: %w", b, err)
		}
	}
	v := w*1000 + f
	if neg {
		v = -v
	}
	*m = MilliTIV(v)
	return nil
}
