"""Surveillance relevance of awards: category, product and the reason, from every signal."""

import pytest

from kg.registry import load_registry
from loaders.relevance import RelevanceTagger

V = "https://w3id.org/survkg/id/vendor/"
CAT = "https://w3id.org/survkg/id/category/"
PRODUCT = "https://w3id.org/survkg/id/product/"


@pytest.fixture(scope="module")
def tag() -> RelevanceTagger:
    return RelevanceTagger(load_registry())


@pytest.mark.parametrize(("description", "category"), [
    ("IGF::CL::IGF ACCESS TO LICENSE PLATE READER DATABASE", "automated-license-plate-readers"),
    ("FACIAL RECOGNITION SOFTWARE SUBSCRIPTION", "face-recognition"),
    ("IGF::CT::IGF WEB-ENABLED INVESTIGATING CASE MANAGEMENT (ICM) SYSTEM", "case-management"),
    ("TOUCHPRINT FINGERPRINT SCANNER", "biometrics"),
    ("OPEN SOURCE/ SOCIAL MEDIA DATA ANALYTICS", "social-media-monitoring"),
    ("FORENSIC EXTRACTION DEVICES", "mobile-device-forensics"),
])
def test_description_names_the_technology(tag: RelevanceTagger, description: str,
                                          category: str) -> None:
    found = tag.tag(description, "7030", "511210", ())
    assert found.relevant and found.category == CAT + category
    assert found.reason.startswith("description names")


def test_license_plates_from_the_dmv_are_not_plate_readers(tag: RelevanceTagger) -> None:
    found = tag.tag("SUPPLY OF LICENSE PLATES, REGISTRATIONS", "4910", "", ())
    assert not found.relevant


@pytest.mark.parametrize(("description", "psc", "naics", "why"), [
    ("IGF::OT::IGF AMMUNITION", "1305", "332992", "PSC 1305 (ammunition and explosives)"),
    ("GUARD SERVICES", "S206", "561612", "PSC S206 (housekeeping services)"),
    ("JANITORIAL SERVICES", "S201", "561720", "PSC S201 (housekeeping services)"),
    ("24HR SURVEILLANCE TO MONITOR GOVS", "S206", "561612", "PSC S206"),
    ("CLEANING", "", "561720", "NAICS 561720 (janitorial services)"),
])
def test_guards_janitors_and_ammunition_are_not_surveillance(
        tag: RelevanceTagger, description: str, psc: str, naics: str, why: str) -> None:
    found = tag.tag(description, psc, naics, ())
    assert not found.relevant and found.reason.startswith(why)


def test_acronym_products_need_the_makers_family(tag: RelevanceTagger) -> None:
    west = (V + "west-publishing", V + "thomson-reuters")
    clear = tag.tag("CLEAR ACCESS FOR FLO, CALD, AND HRVLD", "DA10", "519130", west)
    assert clear.product == PRODUCT + "thomson-reuters-clear" and clear.relevant
    stranger = tag.tag("CLEAR ACCESS FOR FLO", "DA10", "519130", (V + "uei-x",))
    assert stranger.product is None


def test_a_reseller_gets_the_product_when_the_maker_is_named(tag: RelevanceTagger) -> None:
    found = tag.tag("CELLEBRITE UFED TOUCH2 KITS FOR HSI", "7050", "423430",
                    (V + "uei-panamerica01",))
    assert found.product == PRODUCT + "cellebrite-ufed"
    assert found.category == CAT + "mobile-device-forensics"


def test_surveillance_vendors_selling_everyday_goods(tag: RelevanceTagger) -> None:
    motorola = (V + "motorola-solutions",)
    assert not tag.tag("PORTABLE RADIOS", "5820", "334220", motorola).relevant
    data = tag.tag("AUTOTRACK SERVICES", "D399", "561450", (V + "west-publishing",))
    assert data.relevant and data.reason == \
        "vendor West Publishing is a registry Data Broker vendor"
    books = tag.tag("LEGAL PUBLICATIONS/BOOKS", "L076", "519130", (V + "west-publishing",))
    assert not books.relevant


def test_general_surveillance_words_and_weak_codes(tag: RelevanceTagger) -> None:
    covert = tag.tag("COVERT ELECTRONIC SURVEILLANCE EQUIPMENT", "5836", "", ())
    assert covert.relevant and covert.category is None
    assert covert.reason == "description says 'surveillance'"
    dvr = tag.tag("DVR MACHINES", "5836", "", ())
    assert dvr.relevant and dvr.reason == "PSC 5836 (video recording equipment)"
    plain = tag.tag("LAPTOPS", "7050", "334111", ())
    assert not plain.relevant
    assert plain.reason == "no surveillance signal in the description, PSC 7050, NAICS 334111"
