// purpose: Money by vendor and year: award records (relevant Contract amounts, by first action date) plus amounts articles state for sales no award record backs; null vendor means every vendor.
// param vendor: null — a vendor's name or alias, or null for all vendors
// param min_usd: 0 — leave out awards and deals smaller than this (US dollars)
CALL () {
  MATCH (agency:Agency)-[:AWARDED]->(contract:Contract)-[:AWARDED_TO]->(vendor:Vendor)
  WHERE contract.amount_usd IS NOT NULL AND coalesce(contract.relevant, true)
  RETURN vendor, agency, contract.amount_usd AS amount,
         left(contract.first_action_date, 4) AS year, 'award' AS basis
  UNION ALL
  MATCH (vendor:Vendor)-[deal:SELLS_TO]->(agency:Agency)
  WHERE deal.amount_usd IS NOT NULL AND size(coalesce(deal.contracts, [])) = 0
  RETURN vendor, agency, deal.amount_usd AS amount, left(deal.start_date, 4) AS year,
         'article' AS basis
}
WITH vendor, agency, amount, year, basis
WHERE amount >= $min_usd
  AND ($vendor IS NULL
       OR toLower($vendor) IN [toLower(vendor.name)] + [alias IN vendor.aliases | toLower(alias)])
RETURN vendor.name AS vendor, year, basis, sum(amount) AS total_usd, count(*) AS deals,
       collect(DISTINCT agency.name) AS agencies
ORDER BY total_usd DESC, vendor, year
