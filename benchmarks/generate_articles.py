"""Write seeded synthetic news articles as ``.txt`` files (same seed, same files).

Each article is a news opening of about 2,000 characters: sentence templates
written for the benchmark (claims, denials, endings in a 40 % share, council
filler for the rest), filled with vendor, agency and product names drawn from
the registry, so the extractor meets the names, triggers and negations it meets
in real text. The files carry the optional ``title:`` header ``kg ingest``
reads. The texts depend only on the seed and the registry's names.

Run: ``python benchmarks/generate_articles.py 20000 /tmp/articles``.
"""

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

from kg.registry import Registry, load_registry

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
SEED = 7


def iter_articles(count: int, registry: Registry, seed: int = SEED) -> Iterator[str]:
    """``count`` article bodies one at a time, so 20,000 never sit in memory at once."""
    rng = random.Random(seed)
    names = {kind: sorted(e.name for e in registry.entities.values() if e.kind == kind)
             for kind in ("vendor", "agency", "product")}
    for _ in range(count):
        parts: list[str] = []
        length = 0
        while length < 2_000:
            template = rng.choice(CLAIMS if rng.random() < 0.4 else FILLER)
            parts.append(template.format(
                vendor=rng.choice(names["vendor"]), agency=rng.choice(names["agency"]),
                product=rng.choice(names["product"]), month=rng.choice(MONTHS),
                year=rng.randint(2012, 2024), money=f"${rng.randint(1, 900)},000"))
            length += len(parts[-1]) + 1
        yield " ".join(parts)


def make_articles(count: int, registry: Registry, seed: int = SEED) -> list[str]:
    """``count`` synthetic article bodies of about 2,000 characters, in memory."""
    return list(iter_articles(count, registry, seed))


def file_name(number: int) -> str:
    """Zero-padded, so a folder listing (and ``kg ingest``) reads them in order."""
    return f"article-{number:05d}.txt"


def write_articles(folder: Path, count: int, seed: int = SEED,
                   registry: Registry | None = None) -> list[Path]:
    """Write ``count`` articles into ``folder`` (created if missing); returns their paths.

    Files from an earlier, larger run are removed, so the folder holds exactly this
    set and ``kg ingest articles FOLDER`` loads what was asked for.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, body in enumerate(iter_articles(count, registry or load_registry(), seed)):
        path = folder / file_name(number)
        text = f"title: Synthetic article {number}\noutlet: Bench Gazette\n---\n{body}\n"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")  # unchanged files keep their mtime
        paths.append(path)
    for extra in set(folder.glob("article-*.txt")) - set(paths):
        extra.unlink()
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    paths = write_articles(args.folder, args.count, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths):,} articles, {size / 2**20:.1f} MiB in {args.folder}")


if __name__ == "__main__":
    main()
