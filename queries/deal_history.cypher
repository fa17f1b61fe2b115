// purpose: Pitch → pilot → contract/award → use: every step between a vendor (or its products) and agencies, in order of stage and date.
// param vendor: "Amazon" — the vendor's name or alias; its subsidiaries count as the vendor
// param agency: null — an agency's name or alias to keep only that agency, or null for all
MATCH (vendor:Vendor)
WHERE toLower($vendor) IN [toLower(vendor.name)] + [alias IN vendor.aliases | toLower(alias)]
MATCH (seller:Vendor)-[:SUBSIDIARY_OF*0..]->(vendor)
CALL (seller) {
  MATCH (seller)-[step:PITCHED_TO|SELLS_TO]->(agency:Agency)
  RETURN agency, step, type(step) AS stage, step.product AS product, step.status AS status,
         step.start_date AS start_date, step.amount_usd AS amount_usd, step.sources AS sources
  UNION
  MATCH (agency:Agency)-[step:PILOTS|USES]->(product:Product)<-[:MAKES]-(seller)
  RETURN agency, step, type(step) AS stage, product.name AS product, step.status AS status,
         step.start_date AS start_date, step.amount_usd AS amount_usd, step.sources AS sources
  UNION
  MATCH (agency:Agency)-[step:PILOTS|USES]->(seller)
  RETURN agency, step, type(step) AS stage, step.product AS product, step.status AS status,
         step.start_date AS start_date, step.amount_usd AS amount_usd, step.sources AS sources
  UNION
  MATCH (agency:Agency)-[:AWARDED]->(contract:Contract)-[award:AWARDED_TO]->(seller)
  OPTIONAL MATCH (contract)-[:FOR_PRODUCT]->(product:Product)
  RETURN agency, award AS step, 'AWARDED' AS stage, product.name AS product, award.status AS status,
         contract.first_action_date AS start_date, contract.amount_usd AS amount_usd,
         award.sources AS sources
}
WITH DISTINCT agency, step, stage, product, status, start_date, amount_usd, sources
WHERE $agency IS NULL
   OR toLower($agency) IN [toLower(agency.name)] + [alias IN agency.aliases | toLower(alias)]
RETURN agency.name AS agency, stage, product, status, start_date, amount_usd,
       size(sources) AS sources
ORDER BY agency,
         CASE stage WHEN 'PITCHED_TO' THEN 1 WHEN 'PILOTS' THEN 2 WHEN 'USES' THEN 4
                    ELSE 3 END,
         start_date, product
