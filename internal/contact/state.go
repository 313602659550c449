package contact

import (
	"strings"
)

// usStates are the two-letter codes of US states, DC and territories, by
// name as address books write it.
var usStates = map[string]string{
	"alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
	"colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
	"hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
	"kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
	"massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO",
	"montana": "MT", "nebraska": "NE", "nevada": "NV", "newhampshire": "NH", "newjersey": "NJ",
	"newmexico": "NM", "newyork": "NY", "northcarolina": "NC", "northdakota": "ND", "ohio": "OH",
	"oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA", "rhodeisland": "RI", "southcarolina": "SC",
	"southdakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
	"virginia": "VA", "washington": "WA", "westvirginia": "WV", "wisconsin": "WI", "wyoming": "WY",
	"districtofcolumbia": "DC", "washingtondc": "DC", "puertorico": "PR", "guam": "GU",
	"usvirginislands": "VI", "virginislands": "VI", "americansamoa": "AS", "northernmarianaislands": "MP",
}

// usStateAbbreviations are the older abbreviations address books still
// hold ("Tex.", "R.I."), after normalize.
var usStateAbbreviations = map[string]string{
	"tex": "TX", "fla": "FL", "okla": "OK", "conn": "CT", "miss": "MS", "calif": "CA", "mass": "MA",
	"penn": "PA", "penna": "PA", "wash": "WA", "mich": "MI", "minn": "MN", "ariz": "AZ", "colo": "CO",
}

// NormalizeState returns the state or province of an address as stored:
// a US state's two-letter code for its code or name in any case ("tx",
// "Texas", "Tex." are "TX"), any other two letters upper-cased (a
// Canadian province: "ON"), anything else (a region abroad) trimmed as
// written. It never fails: an address's state only ever narrows the hours
// texts go out, and a row is not refused for it.
func NormalizeState(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	key := normalize(s)
	if code, ok := usStates[key]; ok {
		return code
	}
	if code, ok := usStateAbbreviations[key]; ok {
		return code
	}
	if len(key) == 2 && len(strings.TrimRight(s, ".")) <= 4 {
		return strings.ToUpper(key) // "TX", "r.i."
	}
	return s
}
