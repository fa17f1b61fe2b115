"""Rule-based extraction of typed, cited relations from article text.

``extract(body, registry)`` returns the sentences, the entity mentions and the
relations, each relation carrying the sentence it came from and the name of
the rule that produced it, so every edge in the graph can be explained.
"""

from dataclasses import dataclass
from functools import cache

from kg.registry import Registry
from loaders.extract.gazetteer import Gazetteer
from loaders.extract.mentions import Mention, MentionFinder
from loaders.extract.relations import Relation, RelationFinder
from loaders.extract.sentences import Sentence, split_sentences

__all__ = ["Extraction", "Mention", "Relation", "Sentence", "extract"]


@dataclass(frozen=True)
class Extraction:
    """What one document states."""

    sentences: list[Sentence]
    mentions: list[Mention]
    relations: list[Relation]


@cache
def _gazetteer(registry: Registry) -> Gazetteer:
    return Gazetteer(registry.surface_forms())


def extract(body: str, registry: Registry) -> Extraction:
    """Sentences, mentions and relations of one article body."""
    mentions = MentionFinder(_gazetteer(registry), registry)
    relations = RelationFinder(mentions)
    sentences = split_sentences(body)
    mentions.learn_places(body)
    found_mentions: list[Mention] = []
    found_relations: list[Relation] = []
    for sentence in sentences:
        in_sentence = mentions.find(sentence.index, sentence.text)
        found_mentions += in_sentence
        found_relations += relations.find(sentence.index, sentence.text, in_sentence)
    return Extraction(sentences, found_mentions, relations.finish(found_relations))
