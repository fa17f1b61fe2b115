"""Counts a user checks after a load."""

from kg.store import Store

_COUNTS = """
PREFIX skg: <https://w3id.org/survkg/ontology#>
SELECT ?cls (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?cls .
  VALUES ?cls { skg:Article skg:Record skg:Vendor skg:Agency skg:Product skg:Organization
                skg:Engagement skg:Making skg:Ownership skg:Criticism skg:Funding
                skg:Evidence skg:Contract } } GROUP BY ?cls
"""


def stats(store: Store) -> dict[str, int]:
    """Quads, and distinct nodes per class."""
    counts = {"quads": store.count()}
    for row in store.select(_COUNTS):
        counts[row["cls"].value.rsplit("#", 1)[-1]] = int(row["n"].value)
    return counts
