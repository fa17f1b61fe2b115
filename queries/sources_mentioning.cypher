// purpose: Every source that mentions a vendor, agency, product or organization, by title.
// param name: "Venntel" — the entity's name or alias (any case)
MATCH (source:Source)-[:MENTIONS]->(entity)
WHERE toLower($name) IN [toLower(entity.name)] + [alias IN entity.aliases | toLower(alias)]
RETURN entity.name AS entity, source.name AS source, source.id AS source_id
ORDER BY source, entity
