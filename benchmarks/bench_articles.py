"""Article extraction speed: articles per second on one core, beside plain splitting.

Generates seeded synthetic news openings of about 2,000 characters from the
registry's names and sentence templates written for this benchmark, then times
(1) sentence splitting alone, (2) full extraction, (3) extraction plus loading
into an on-disk store, and prints a table. Run: ``make bench-articles`` or
``python benchmarks/bench_articles.py --articles 2000``.
"""

import argparse
import random
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kg.context import Context
from kg.registry import Registry, load_registry
from kg.store import Store
from loaders.articles import emit_extraction, source_info
from loaders.extract import extract
from loaders.extract.sentences import split_sentences
from loaders.extract.text import Document

CLAIMS = [
    "{vendor} signed a {money} contract with the {agency} in {month} {year}.",
    "The {agency} has been testing {product} since {month} {year}, records show.",
    "{vendor} pitched its software to the {agency}, according to emails.",
    "Officials said the {agency} uses {product} in several precincts.",
    "The {agency} ended its pilot of {product} after complaints.",
    "The {agency} does not have a contract with {vendor}, a spokesperson said.",
    "Civil liberties groups criticized {vendor} over the deal.",
]
FILLER = [
    "The council met on Tuesday evening to discuss the budget for the coming year.",
    "Residents asked how long the recordings would be kept and who could see them.",
    "The department said the program would be reviewed by an outside auditor.",
    "Several members of the public spoke during the comment period.",
    "A final vote is expected later this month, according to the agenda.",
    "The city has not published the full terms of the agreement.",
]
MONTHS = ["January", "March", "June", "August", "October", "December"]


def make_articles(count: int, registry: Registry, seed: int = 7) -> list[str]:
    """``count`` synthetic articles of about 2,000 characters."""
    rng = random.Random(seed)
    names = {kind: sorted(e.name for e in registry.entities.values() if e.kind == kind)
             for kind in ("vendor", "agency", "product")}
    articles = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < 2_000:
            template = rng.choice(CLAIMS if rng.random() < 0.4 else FILLER)
            parts.append(template.format(
                vendor=rng.choice(names["vendor"]), agency=rng.choice(names["agency"]),
                product=rng.choice(names["product"]), month=rng.choice(MONTHS),
                year=rng.randint(2012, 2024), money=f"${rng.randint(1, 900)},000"))
        articles.append(" ".join(parts))
    return articles


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def load_all(articles: list[str], registry: Registry, store: Store) -> None:
    """Extract and load each article as its own source, as ``kg ingest`` does."""
    for number, body in enumerate(articles):
        doc = Document(Path(f"bench-{number}.txt"), body, f"Bench {number}", None, None, None,
                       f"{number:064x}")
        ctx = Context(source_info(doc), registry)
        emit_extraction(ctx, extract(body, registry))
        ctx.commit(store)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2_000)
    args = parser.parse_args()
    registry = load_registry()
    extract("warm up the gazetteer", registry)
    articles = make_articles(args.articles, registry)
    n, chars = len(articles), sum(map(len, articles)) / len(articles)
    split = timed(lambda: [split_sentences(a) for a in articles])
    full = timed(lambda: [extract(a, registry) for a in articles])
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "store")
        loaded = timed(lambda: load_all(articles, registry, store))
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{n} synthetic articles, {chars:,.0f} characters on average, one core")
    print("| step | seconds | articles/s | ratio to splitting |")
    print("|---|---:|---:|---:|")
    for name, seconds in (("sentence splitting only", split), ("extraction", full),
                          ("extraction + load into the store", loaded)):
        print(f"| {name} | {seconds:.2f} | {n / seconds:,.0f} | {seconds / split:.1f}x |")
    print(f"peak RSS {peak:,.0f} MiB (target: extraction >= 200 articles/s)")


if __name__ == "__main__":
    main()
