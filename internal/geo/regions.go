package geo

import (
	"strings"
	"sync"
)

// Region is a UN M49 region: a continent ("Africa", code 002) or a
// sub-region ("Western Africa", code 011).
type Region struct {
	Code string // M49 three-digit code
	Name string
}

// m49 lists each M49 sub-region (in the "Standard country or area codes
// for statistical use"), its continent and its countries by ISO 3166-1
// alpha-3. Sub-Saharan Africa and Latin America, M49's intermediate
// regions, are left out: the sub-regions are finer. Taiwan, which M49
// does not list, is placed in Eastern Asia, and Kosovo in Southern Europe.
var m49 = []struct {
	region, continent Region
	countries         string
}{
	{Region{"015", "Northern Africa"}, africa, "DZA EGY LBY MAR SDN TUN ESH"},
	{Region{"014", "Eastern Africa"}, africa, "IOT BDI COM DJI ERI ETH ATF KEN MDG MWI MUS MYT MOZ REU RWA SYC SOM SSD UGA TZA ZMB ZWE"},
	{Region{"017", "Middle Africa"}, africa, "AGO CMR CAF TCD COG COD GNQ GAB STP"},
	{Region{"018", "Southern Africa"}, africa, "BWA SWZ LSO NAM ZAF"},
	{Region{"011", "Western Africa"}, africa, "BEN BFA CPV CIV GMB GHA GIN GNB LBR MLI MRT NER NGA SHN SEN SLE TGO"},
	{Region{"029", "Caribbean"}, americas, "AIA ATG ABW BHS BRB BES VGB CYM CUB CUW DMA DOM GRD GLP HTI JAM MTQ MSR PRI BLM KNA LCA MAF VCT SXM TTO TCA VIR"},
	{Region{"013", "Central America"}, americas, "BLZ CRI SLV GTM HND MEX NIC PAN"},
	{Region{"005", "South America"}, americas, "ARG BOL BVT BRA CHL COL ECU FLK GUF GUY PRY PER SGS SUR URY VEN"},
	{Region{"021", "Northern America"}, americas, "BMU CAN GRL SPM USA"},
	{Region{"143", "Central Asia"}, asia, "KAZ KGZ TJK TKM UZB"},
	{Region{"030", "Eastern Asia"}, asia, "CHN HKG MAC PRK JPN MNG KOR TWN"},
	{Region{"035", "South-eastern Asia"}, asia, "BRN KHM IDN LAO MYS MMR PHL SGP THA TLS VNM"},
	{Region{"034", "Southern Asia"}, asia, "AFG BGD BTN IND IRN MDV NPL PAK LKA"},
	{Region{"145", "Western Asia"}, asia, "ARM AZE BHR CYP GEO IRQ ISR JOR KWT LBN OMN QAT SAU PSE SYR TUR ARE YEM"},
	{Region{"151", "Eastern Europe"}, europe, "BLR BGR CZE HUN POL MDA ROU RUS SVK UKR"},
	{Region{"154", "Northern Europe"}, europe, "ALA DNK EST FRO FIN GGY ISL IRL IMN JEY LVA LTU NOR SJM SWE GBR"},
	{Region{"039", "Southern Europe"}, europe, "ALB AND BIH HRV GIB GRC VAT ITA MLT MNE MKD PRT SMR SRB SVN ESP XKX"},
	{Region{"155", "Western Europe"}, europe, "AUT BEL FRA DEU LIE LUX MCO NLD CHE"},
	{Region{"053", "Australia and New Zealand"}, oceania, "AUS CXR CCK HMD NZL NFK"},
	{Region{"054", "Melanesia"}, oceania, "FJI NCL PNG SLB VUT"},
	{Region{"057", "Micronesia"}, oceania, "GUM KIR MHL FSM NRU MNP PLW UMI"},
	{Region{"061", "Polynesia"}, oceania, "ASM COK PYF NIU PCN WSM TKL TON TUV WLF"},
}

var (
	africa   = Region{"002", "Africa"}
	americas = Region{"019", "Americas"}
	asia     = Region{"142", "Asia"}
	europe   = Region{"150", "Europe"}
	oceania  = Region{"009", "Oceania"}
)

var regionIndex = sync.OnceValue(func() map[string]int {
	idx := map[string]int{}
	for i, r := range m49 {
		for _, c := range strings.Fields(r.countries) {
			idx[c] = i
		}
	}
	return idx
})

// SubRegion returns the M49 sub-region of a country (ISO 3166-1 alpha-3,
// any case). Antarctica has none.
func SubRegion(alpha3 string) (Region, bool) {
	i, ok := regionIndex()[strings.ToUpper(alpha3)]
	if !ok {
		return Region{}, false
	}
	return m49[i].region, true
}

// Continent returns the M49 continent of a country.
func Continent(alpha3 string) (Region, bool) {
	i, ok := regionIndex()[strings.ToUpper(alpha3)]
	if !ok {
		return Region{}, false
	}
	return m49[i].continent, true
}
