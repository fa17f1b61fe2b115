// purpose: The shortest chain of sales, products, parents and parts linking a vendor and an agency (source mentions are left out; award records count).
// param vendor: "Motorola Solutions" — the vendor's name or alias
// param agency: "Immigration and Customs Enforcement" — the agency's name or alias
MATCH (vendor:Vendor)
WHERE toLower($vendor) IN [toLower(vendor.name)] + [alias IN vendor.aliases | toLower(alias)]
MATCH (agency:Agency)
WHERE toLower($agency) IN [toLower(agency.name)] + [alias IN agency.aliases | toLower(alias)]
// OPTIONAL MATCH, then dropping pairs without a path, gives MATCH's rows; the embedded
// engine then searches from the matched ends only (as a MATCH it searched from every
// vendor before filtering: seconds instead of milliseconds).
OPTIONAL MATCH path = shortestPath((vendor)-[:SELLS_TO|PITCHED_TO|PILOTS|USES|MAKES|SUBSIDIARY_OF|PART_OF|SHARES_DATA_WITH|FUNDS|CRITICIZES|AWARDED|AWARDED_TO|FOR_PRODUCT|SUBAWARD_OF*..8]-(agency))
WITH [node IN nodes(path) | node.name] AS names,
     [link IN relationships(path) | type(link)] AS relations, length(path) AS hops
WHERE hops IS NOT NULL
RETURN names, relations, hops
