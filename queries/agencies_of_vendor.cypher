// purpose: Agencies a vendor (or any of its subsidiaries) sold or pitched to, with product, status, money and number of sources.
// param vendor: "Palantir Technologies" — the vendor's name or one of its aliases (any case)
MATCH (vendor:Vendor)
WHERE toLower($vendor) IN [toLower(vendor.name)] + [alias IN vendor.aliases | toLower(alias)]
// OPTIONAL, yet the same rows: *0.. always matches the vendor itself. The embedded
// engine then expands from the matched vendor only (a MATCH expanded from every vendor).
OPTIONAL MATCH (seller:Vendor)-[:SUBSIDIARY_OF*0..]->(vendor)
MATCH (seller)-[deal:SELLS_TO|PITCHED_TO]->(agency:Agency)
RETURN agency.name AS agency, type(deal) AS relation, seller.name AS vendor,
       deal.product AS product, deal.status AS status, deal.amount_usd AS amount_usd,
       deal.start_date AS start_date, size(deal.sources) AS sources
ORDER BY agency, relation, vendor, product
