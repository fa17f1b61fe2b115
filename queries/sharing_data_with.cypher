// purpose: Agencies that share data (e.g. plate-reader records) with an agency or any of its parts.
// param agency: "Immigration and Customs Enforcement" — the receiving agency's name or alias
MATCH (agency:Agency)
WHERE toLower($agency) IN [toLower(agency.name)] + [alias IN agency.aliases | toLower(alias)]
// OPTIONAL, yet the same rows: *0.. always matches the agency itself. The embedded
// engine then expands from the matched agency only (a MATCH expanded from every agency).
OPTIONAL MATCH (unit:Agency)-[:PART_OF*0..]->(agency)
MATCH (sharer:Agency)-[share:SHARES_DATA_WITH]->(unit)
RETURN sharer.name AS agency, unit.name AS shares_with, share.status AS status,
       share.start_date AS start_date, size(share.sources) AS sources
ORDER BY agency, shares_with
