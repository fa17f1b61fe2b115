// purpose: Products an agency or any of its parts pilots or uses, with their maker and status.
// param agency: "Immigration and Customs Enforcement" — the agency's name or alias
MATCH (agency:Agency)
WHERE toLower($agency) IN [toLower(agency.name)] + [alias IN agency.aliases | toLower(alias)]
// OPTIONAL, yet the same rows: *0.. always matches the agency itself. The embedded
// engine then expands from the matched agency only (a MATCH expanded from every agency).
OPTIONAL MATCH (unit:Agency)-[:PART_OF*0..]->(agency)
MATCH (unit)-[use:PILOTS|USES]->(thing)
OPTIONAL MATCH (maker:Vendor)-[:MAKES]->(thing)
RETURN unit.name AS agency, type(use) AS relation, thing.name AS product_or_vendor,
       collect(maker.name) AS makers, use.status AS status, use.start_date AS start_date,
       size(use.sources) AS sources
ORDER BY agency, relation, product_or_vendor
