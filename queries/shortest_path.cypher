// purpose: The shortest chain of sales, products, parents and parts linking a vendor and an agency (source mentions are left out; award records count).
// param vendor: "Motorola Solutions" — the vendor's name or alias
// param agency: "Immigration and Customs Enforcement" — the agency's name or alias
MATCH (vendor:Vendor)
WHERE toLower($vendor) IN [toLower(vendor.name)] + [alias IN vendor.aliases | toLower(alias)]
MATCH (agency:Agency)
WHERE toLower($agency) IN [toLower(agency.name)] + [alias IN agency.aliases | toLower(alias)]
MATCH path = shortestPath((vendor)-[:SELLS_TO|PITCHED_TO|PILOTS|USES|MAKES|SUBSIDIARY_OF|PART_OF|SHARES_DATA_WITH|FUNDS|CRITICIZES|AWARDED|AWARDED_TO|FOR_PRODUCT|SUBAWARD_OF*..8]-(agency))
RETURN [node IN nodes(path) | node.name] AS names,
       [link IN relationships(path) | type(link)] AS relations,
       length(path) AS hops
