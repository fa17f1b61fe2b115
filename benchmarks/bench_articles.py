"""Article extraction speed: articles per second on one core, beside plain splitting.

Writes ``scale.articles`` seeded synthetic news openings of about 2,000
characters as ``.txt`` files (``generate_articles.py``), then, each in a fresh
process so its peak memory is its own:

1. reads the files, then times sentence splitting alone (the baseline) and full
   extraction (mentions, references, relations) over the same bodies;
2. loads the folder into a new on-disk store as ``kg ingest articles`` does
   (read, extract, one source graph per article, atomic replace), beside (1).

Ratios are times over the baseline's time ("20x" = twenty times slower than
splitting). Target: extraction >= 200 articles/s. Run: ``make bench`` (every
area), or ``python benchmarks/bench_articles.py --scale full`` (``--articles N``
for another count).
"""

import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Figure, Scale, call_child, standalone, timed  # sibling script
from generate_articles import write_articles

TARGET_PER_S = 200


def extraction_rates(folder: str) -> dict[str, Any]:
    """(child) Split, then extract, every article of ``folder``; results are dropped as
    they come, so memory is the extractor's and not 20,000 kept results."""
    from kg.ingest import ARTICLE_SUFFIXES, expand_paths
    from kg.registry import load_registry
    from loaders.extract import extract
    from loaders.extract.sentences import split_sentences
    from loaders.extract.text import read_document

    bodies = [read_document(path).body
              for path in expand_paths([Path(folder)], ARTICLE_SUFFIXES)]
    registry = load_registry()
    extract("warm up the gazetteer", registry)
    relations = 0

    def extract_all() -> None:
        nonlocal relations
        for body in bodies:
            relations += len(extract(body, registry).relations)

    split_s = timed(lambda: [len(split_sentences(body)) for body in bodies])
    extract_s = timed(extract_all)
    return {"articles": len(bodies), "chars": sum(map(len, bodies)) / len(bodies),
            "split_s": split_s, "extract_s": extract_s, "relations": relations}


def load_rate(folder: str, store_path: str) -> dict[str, Any]:
    """(child) ``kg ingest articles FOLDER`` into a new store, timed end to end."""
    from kg.ingest import ARTICLE_SUFFIXES, expand_paths, ingest_articles
    from kg.store import Store

    store = Store(Path(store_path))
    try:
        paths = expand_paths([Path(folder)], ARTICLE_SUFFIXES)
        summary: list[Any] = []
        seconds = timed(lambda: summary.append(ingest_articles(store, paths)))
        if summary[0].skipped:
            raise RuntimeError(f"articles skipped: {summary[0].skipped[:3]}")
        return {"seconds": seconds, "loaded": len(summary[0].loaded), "quads": store.count()}
    finally:
        store.close()


def figures(scale: Scale, workdir: Path) -> list[Figure]:
    """Extraction rate beside splitting, and loading beside extraction."""
    folder = workdir / "articles"
    write_articles(folder, scale.articles)
    rates, extract_peak = call_child("bench_articles", "extraction_rates", str(folder))
    store = workdir / "articles-store"
    if store.exists():
        shutil.rmtree(store)  # a fresh store each run, so nothing is "unchanged"
    loaded, load_peak = call_child("bench_articles", "load_rate", str(folder), str(store))
    n = rates["articles"]
    split_rate, extract_rate = n / rates["split_s"], n / rates["extract_s"]
    return [
        Figure("articles", f"extraction, {n:,} articles of {rates['chars']:,.0f} chars "
                           f"({rates['relations']:,} relations), one core",
               extract_rate, "articles/s",
               baseline=f"sentence splitting {split_rate:,.0f} articles/s",
               ratio=rates["extract_s"] / rates["split_s"], target=f">= {TARGET_PER_S}/s",
               met=extract_rate >= TARGET_PER_S, peak_rss_mib=extract_peak),
        Figure("articles", f"extraction + load into the store (`kg ingest articles`), "
                           f"{loaded['loaded']:,} sources, {loaded['quads']:,} quads",
               loaded["loaded"] / loaded["seconds"], "articles/s",
               baseline=f"extraction {extract_rate:,.0f} articles/s",
               ratio=loaded["seconds"] / rates["extract_s"], peak_rss_mib=load_peak),
    ]


if __name__ == "__main__":
    standalone(figures, __doc__.splitlines()[0], {"--articles": "articles"})
