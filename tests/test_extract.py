"""The article extractor, one mechanism per test, on texts written for these tests."""

import time
from decimal import Decimal

import pytest

from kg.registry import load_registry
from loaders.extract import Relation, extract


def relations(text: str) -> list[Relation]:
    return extract(text, load_registry()).relations


def triples(text: str) -> set[tuple[str, str, str]]:
    return {(r.subject.resolved.name, r.type, r.object.resolved.name) for r in relations(text)}


def find(text: str, rel_type: str) -> Relation:
    found = [r for r in relations(text) if r.type == rel_type]
    assert found, f"no {rel_type} in {triples(text)}"
    return found[0]


# ------------------------------------------------------------ entities
def test_new_vendor_typed_by_descriptor_and_new_agency_by_head() -> None:
    text = ("Drone maker Skyward Aerial signed a contract with the Marion County Sheriff's "
            "Office in May 2022.")
    rel = find(text, "SELLS_TO")
    assert rel.subject.name == "Skyward Aerial" and rel.subject.rule == "descriptor:maker"
    assert rel.object.name == "Marion County Sheriff's Office"
    assert rel.subject.iri is None  # not in the registry: added as unresolved


def test_vendor_typed_by_apposition() -> None:
    text = "Harbor Signal, a surveillance software company, sold its tools to the Dover Police."
    assert ("Harbor Signal", "SELLS_TO", "Dover Police") in triples(text)


def test_place_name_stands_for_its_government() -> None:
    text = "Records show that Geofeedia had contracts with Chicago, Detroit and Los Angeles."
    found = triples(text)
    for city in ("City of Chicago", "City of Detroit", "City of Los Angeles"):
        assert ("Geofeedia", "SELLS_TO", city) in found
    assert not triples("A reporter for the Chicago Tribune said Geofeedia sold software.")


def test_misnamings_resolve_to_the_registry_agency() -> None:
    text = ("Venntel sold location data to Customs and Border Patrol, and the Federal Bureau "
            "of Investigations also bought it.")
    found = triples(text)
    assert ("Venntel", "SELLS_TO", "U.S. Customs and Border Protection") in found
    assert ("Venntel", "SELLS_TO", "Federal Bureau of Investigation") in found


def test_products_in_quotes_and_its_x_software() -> None:
    text = 'Brightline Analytics sold its "PlateWatch" cameras to the Dover Sheriff\'s Office.'
    assert find(text, "SELLS_TO").product is not None
    made = find('Kestrel Labs said its Sentinel software is ready.', "MAKES")
    assert (made.subject.name, made.object.name) == ("Kestrel Labs", "Sentinel")


def test_typed_list_members_take_the_type_of_their_neighbours() -> None:
    text = "Google, Quillfeather, Brightmoor and Twitter have denounced Clearview AI."
    critics = {r.subject.name for r in relations(text) if r.type == "CRITICIZES"}
    assert {"Quillfeather", "Brightmoor", "Google"} <= critics


# ---------------------------------------------------------- references
def test_company_agency_and_software_references_cross_sentences() -> None:
    text = ("Kestrel Labs makes a face search tool called FaceTrace. "
            "The company pitched the software to the Harbor City Police Department in 2020. "
            "The department tested it for six months.")
    found = triples(text)
    assert ("Kestrel Labs", "MAKES", "FaceTrace") in found
    assert ("Kestrel Labs", "PITCHED_TO", "Harbor City Police Department") in found
    assert ("Harbor City Police Department", "PILOTS", "FaceTrace") in found


def test_it_refers_to_the_product_in_object_position() -> None:
    text = ("Amazon sold Rekognition to the Washington County Sheriff's Office and offered it "
            "to U.S. Immigration and Customs Enforcement.")
    pitch = find(text, "PITCHED_TO")
    assert pitch.product is not None and pitch.product.resolved.name == "Amazon Rekognition"


def test_plural_reference_takes_the_whole_list() -> None:
    text = ("Records name the Dover Police Department and the Milford Police Department. "
            "These agencies use StingRay devices.")
    users = {r.subject.name for r in relations(text) if r.type == "USES"}
    assert users == {"Dover Police Department", "Milford Police Department"}


# ----------------------------------------------------------- relations
@pytest.mark.parametrize("verb", [
    "signed a contract with", "was awarded a licence by", "renewed its subscription with",
    "extended its agreement with",
])
def test_sale_verbs(verb: str) -> None:
    text = f"The Dover Police Department {verb} Palantir Technologies."
    assert ("Palantir Technologies", "SELLS_TO", "Dover Police Department") in triples(text)


def test_paid_x_for_is_a_sale_with_its_amount() -> None:
    rel = find("The FBI paid Clearview AI $1.5M for licenses in fiscal year 2021.", "SELLS_TO")
    assert rel.amount == Decimal(1_500_000) and rel.date == "2021"


@pytest.mark.parametrize("verb", ["pitched", "offered", "demonstrated", "marketed"])
def test_pitch_verbs(verb: str) -> None:
    text = f"Axon {verb} its drones to the Dover Police Department."
    assert ("Axon Enterprise", "PITCHED_TO", "Dover Police Department") in triples(text)


@pytest.mark.parametrize("verb", ["piloted", "tested", "evaluated", "began a trial of"])
def test_pilot_verbs(verb: str) -> None:
    text = f"The Dover Police Department {verb} ShotSpotter in 2019."
    assert ("Dover Police Department", "PILOTS", "ShotSpotter") in triples(text)


@pytest.mark.parametrize("verb", ["uses", "deploys", "has access to"])
def test_use_verbs(verb: str) -> None:
    text = f"The Dover Police Department {verb} Locate X."
    assert ("Dover Police Department", "USES", "Locate X") in triples(text)


def test_subsidiary_forms() -> None:
    assert ("Ring", "SUBSIDIARY_OF", "Amazon") in triples("Amazon-owned Ring sells doorbells.")
    assert ("Venntel", "SUBSIDIARY_OF", "Gravy Analytics") in triples(
        "Venntel, a subsidiary of Gravy Analytics, sells location data.")
    assert ("Vigilant Solutions", "SUBSIDIARY_OF", "Motorola Solutions") in triples(
        "Motorola Solutions bought Vigilant Solutions in 2019.")


def test_grant_money_funds_an_agency() -> None:
    text = ("The Dover Police Department received a $2 million grant from the U.S. Department "
            "of Homeland Security.")
    rel = find(text, "FUNDS")
    assert rel.subject.resolved.name == "U.S. Department of Homeland Security"
    assert rel.object.name == "Dover Police Department" and rel.amount == Decimal(2_000_000)


def test_criticism_with_critics_named_in_a_later_sentence() -> None:
    text = ("Advocacy groups are calling on the city to drop Palantir Technologies. "
            "The coalition, led by Mijente, includes the Electronic Frontier Foundation.")
    critics = {r.subject.name for r in relations(text) if r.type == "CRITICIZES"}
    assert critics == {"Mijente", "Electronic Frontier Foundation"}


# ------------------------------------------------------------ lifecycle
@pytest.mark.parametrize("ending", ["cancelled", "terminated", "let expire", "ended"])
def test_endings_mark_the_deal_ended(ending: str) -> None:
    text = f"The Dover Police Department {ending} its contract with Palantir Technologies."
    assert find(text, "SELLS_TO").status == "ended"


@pytest.mark.parametrize("pause", ["paused", "suspended"])
def test_pauses(pause: str) -> None:
    text = f"The Dover Police Department {pause} its pilot of ShotSpotter."
    assert find(text, "PILOTS").status == "paused"


def test_ending_refers_back_to_an_earlier_pilot_then_reactivation() -> None:
    text = ("The Dover Police Department began a pilot of Amazon Rekognition in 2018. "
            "In 2019 the department ended the pilot. "
            "In 2021 the department resumed the pilot.")
    statuses = [r.status for r in relations(text) if r.type == "PILOTS"]
    assert statuses == ["active", "ended", "active"]
    assert [r.reactivated for r in relations(text) if r.type == "PILOTS"][-1]


# ---------------------------------------------------------- denials
@pytest.mark.parametrize("text", [
    "The FBI does not have a contract with Palantir Technologies.",
    "A spokesperson declined to confirm whether ICE uses Clearview AI.",
    "The sheriff would not say whether the county bought StingRay devices from Harris.",
    "The Dover City Council tabled a proposal to buy Flock Safety cameras.",
    "Activists urged the city to cancel its pilot of ShotSpotter.",
])
def test_denials_and_hedges_state_no_sale(text: str) -> None:
    found = relations(text)
    assert not [r for r in found if r.type in ("SELLS_TO", "USES", "PILOTS")], found
    assert not [r for r in found if r.status == "ended"]


# ------------------------------------------------------- explainability
def test_every_relation_names_its_rule_and_sentence() -> None:
    text = "Palantir Technologies sold Gotham to ICE. ICE tested Clearview AI in 2020."
    for rel in relations(text):
        assert rel.rule and ":" in rel.rule
        assert rel.sentence in (0, 1)


# ------------------------------------------------------------- hostile
def test_html_and_script_in_text_are_inert_text() -> None:
    text = ('<script>alert("Palantir sold Gotham to the FBI")</script> Vendor "Quote\'s" Inc. '
            "</p><b>Clearview AI</b> signed a contract with ICE.")
    found = triples(text)
    assert ("Clearview AI", "SELLS_TO", "U.S. Immigration and Customs Enforcement") in found


def test_no_sentence_punctuation_still_extracts_and_terminates() -> None:
    words = ("the agency said Clearview AI signed a contract with ICE and the weather was fine "
             * 800)
    start = time.perf_counter()
    found = triples(words)
    assert time.perf_counter() - start < 10  # a loose guard against runaway regexes
    assert ("Clearview AI", "SELLS_TO", "U.S. Immigration and Customs Enforcement") in found


def test_ten_thousand_word_article() -> None:
    paragraph = ("City officials met on Tuesday to discuss the budget for parks and roads. "
                 "Residents asked questions about the schedule and the costs. ") * 250
    text = paragraph + "Flock Safety sold cameras to the Dover Police Department. " + paragraph
    assert len(text.split()) > 10_000
    assert triples(text) == {("Flock Safety", "SELLS_TO", "Dover Police Department")}


@pytest.mark.parametrize(("text", "expected"), [
    ("The Dover Police Department hired Quillon Analytics to monitor social media.",
     ("Quillon Analytics", "SELLS_TO", "Dover Police Department")),
    ("The Dover Police Department installed ShotSpotter sensors last year.",
     ("Dover Police Department", "USES", "ShotSpotter")),
    ("Axon, which makes the Taser, sells body cameras.", ("Axon Enterprise", "MAKES", "Taser")),
    ("Clearview AI faces criticism from the Electronic Frontier Foundation.",
     ("Electronic Frontier Foundation", "CRITICIZES", "Clearview AI")),
    ("The Dover Police Department paid NorthStar Vision $95,000 for plate cameras.",
     ("NorthStar Vision", "SELLS_TO", "Dover Police Department")),
])
def test_more_ways_of_saying_it(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in triples(text)


def test_untyped_names_are_typed_only_in_the_argument_slot() -> None:
    text = "Officials in Millbrook met Tuesday, and Mayor Ann Ruiz said the budget passed."
    assert not relations(text)
