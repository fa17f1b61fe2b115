// purpose: Vendors that sold or pitched to an agency or any of its parts (ICE includes HSI and ERO), with product, status, money and number of sources.
// param agency: "Immigration and Customs Enforcement" — the agency's name or one of its aliases (any case)
MATCH (agency:Agency)
WHERE toLower($agency) IN [toLower(agency.name)] + [alias IN agency.aliases | toLower(alias)]
// OPTIONAL, yet the same rows: *0.. always matches the agency itself. The embedded
// engine then expands from the matched agency only (a MATCH expanded from every agency).
OPTIONAL MATCH (unit:Agency)-[:PART_OF*0..]->(agency)
MATCH (vendor:Vendor)-[deal:SELLS_TO|PITCHED_TO]->(unit)
RETURN vendor.name AS vendor, type(deal) AS relation, unit.name AS agency,
       deal.product AS product, deal.status AS status, deal.amount_usd AS amount_usd,
       deal.start_date AS start_date, size(deal.sources) AS sources
ORDER BY vendor, relation, agency, product
