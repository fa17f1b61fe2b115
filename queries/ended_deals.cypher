// purpose: Deals that ended (or have another status): sales, pitches, pilots and uses, with their sources.
// param status: "ended" — one of active, ended, proposed, paused
MATCH (subject)-[deal:SELLS_TO|PITCHED_TO|PILOTS|USES]->(object)
WHERE deal.status = $status
RETURN subject.name AS subject, type(deal) AS relation, object.name AS object,
       deal.product AS product, deal.start_date AS start_date, deal.end_date AS end_date,
       deal.sources AS sources
ORDER BY subject, relation, object, product
