// purpose: The sources behind one relationship, each with the quoted sentences it gives: what to cite before publishing.
// param subject: "Palantir Technologies" — name or alias of the node the relationship starts from
// param relation: "SELLS_TO" — the relationship type
// param object: "Immigration and Customs Enforcement" — name or alias of the node it points to
MATCH (subject)-[edge:SELLS_TO|PITCHED_TO|PILOTS|USES|MAKES|SUBSIDIARY_OF|PART_OF|SHARES_DATA_WITH|FUNDS|CRITICIZES|AWARDED|AWARDED_TO|FOR_PRODUCT|SUBAWARD_OF]->(object)
WHERE type(edge) = $relation
  AND toLower($subject) IN [toLower(subject.name)] + [alias IN subject.aliases | toLower(alias)]
  AND toLower($object) IN [toLower(object.name)] + [alias IN object.aliases | toLower(alias)]
UNWIND edge.sources AS source_id
OPTIONAL MATCH (source:Source {id: source_id})
RETURN subject.name AS subject, type(edge) AS relation, object.name AS object,
       edge.product AS product, source.name AS source, source_id,
       [i IN range(0, size(edge.evidence) - 1)
        WHERE edge.evidence_sources[i] = source_id | edge.evidence[i]] AS quotes
ORDER BY product, source
