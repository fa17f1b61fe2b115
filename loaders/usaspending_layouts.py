"""USAspending layouts: which column holds what, and how to tell the layouts apart.

A layout maps the loader's canonical fields (``award_key``, ``recipient``,
``obligated`` ...) to the column names of one download format. The loader
reads only those columns, by name, so a new column never breaks a file and a
missing required one stops it with a one-line error before anything is stored.

Layouts: ``prime-awards`` (award summaries, current 286 columns and the older
279), ``transactions`` (the 2018 259-column layout, with or without its header
row, and current transaction downloads), ``subawards`` (118 columns),
``api-awards``, ``api-transactions`` and ``api-subawards`` (the JSON the
spending_by_award and spending_by_transaction endpoints return, and CSVs saved
with their display names such as "Award ID" and "Federal Action Obligation").

API layouts list several names for one field; in JSON each result uses the
first of them it fills (an IDV has "Last Date to Order" where a contract has
"End Date"), in a CSV the first column present. Contracts and IDVs load; rows
of financial assistance (grants, loans, direct payments, other) are refused
with a reason (``not_procurement``): the graph records who sells to whom.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kg.records import RowError
from loaders.usaspending_columns import (
    API_AWARD_FIELDS,
    API_SUBAWARD_FIELDS,
    API_TRANSACTION_FIELDS,
    PRIME_AWARD_279_EXTRA,
    PRIME_AWARD_COLUMNS_286,
    SUBAWARD_COLUMNS,
    TRANSACTION_COLUMNS_2018,
    TRANSACTION_COLUMNS_CURRENT_EXTRA,
)

GOVERNMENT_FLAGS = (
    "us_federal_government", "federal_agency", "us_state_government", "us_local_government",
    "city_local_government", "county_local_government", "inter_municipal_local_government",
    "municipality_local_government", "township_local_government",
    "school_district_local_government", "us_government_entity", "us_tribal_government",
    "foreign_government", "council_of_governments", "port_authority", "transit_authority",
    "airport_authority", "housing_authorities_public_tribal", "interstate_entity",
    "planning_commission",
)
_AGENCY = {
    "agency_code": ("awarding_agency_code",), "agency": ("awarding_agency_name",),
    "subagency_code": ("awarding_sub_agency_code",), "subagency": ("awarding_sub_agency_name",),
    "office_code": ("awarding_office_code",), "office": ("awarding_office_name",),
}
_RECIPIENT = {
    "uei": ("recipient_uei",), "duns": ("recipient_duns",), "recipient": ("recipient_name",),
    "parent_uei": ("recipient_parent_uei",), "parent_duns": ("recipient_parent_duns",),
    "parent": ("recipient_parent_name",),
}


@dataclass(frozen=True)
class Layout:
    """One download format: canonical field -> candidate columns (the first present wins)."""

    name: str
    kind: str  # "award": one row per award; "transaction" / "subaward": rows roll up
    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    known: frozenset[str]
    date_order: str = "mdy"  # for d/m/y-looking dates when the file itself does not tell

    def resolve(self, header: Sequence[str]) -> tuple[dict[str, int], list[str]]:
        """Column index of each canonical field present, and required fields missing."""
        position = {name: i for i, name in enumerate(header)}
        found: dict[str, int] = {}
        for canonical, candidates in self.fields.items():
            for column in candidates:
                if column in position:
                    found[canonical] = position[column]
                    break
        missing = [f"{c} ({' or '.join(self.fields[c])})" for c in self.required
                   if c not in found]
        return found, missing

    def unexpected(self, header: Sequence[str]) -> tuple[str, ...]:
        """Columns this layout does not know (reported, never refused)."""
        if not self.known:
            return ()
        return tuple(c for c in header if c and c not in self.known)


PRIME_AWARDS = Layout(
    name="prime-awards", kind="award",
    fields={
        "award_key": ("contract_award_unique_key",), "piid": ("award_id_piid",),
        "obligated": ("total_obligated_amount",),
        "first_action": ("award_base_action_date",),
        "last_action": ("award_latest_action_date",),
        "start": ("period_of_performance_start_date",),
        "end": ("period_of_performance_current_end_date",),
        **_AGENCY, **_RECIPIENT,
        "psc": ("product_or_service_code",), "naics": ("naics_code",),
        "description": ("prime_award_base_transaction_description",),
        "permalink": ("usaspending_permalink",),
        **{flag: (flag,) for flag in GOVERNMENT_FLAGS},
    },
    required=("award_key", "recipient", "obligated", "subagency"),
    known=frozenset(PRIME_AWARD_COLUMNS_286) | frozenset(PRIME_AWARD_279_EXTRA),
)

TRANSACTIONS = Layout(
    name="transactions", kind="transaction",
    fields={
        "award_key": ("contract_award_unique_key",), "piid": ("award_id_piid",),
        "parent_piid": ("parent_award_id_piid", "parent_award_id"),
        "parent_agency_id": ("parent_award_agency_id",), "idv_flag": ("award_or_idv_flag",),
        "mod": ("modification_number",), "obligated": ("federal_action_obligation",),
        "action_date": ("action_date",), "start": ("period_of_performance_start_date",),
        "end": ("period_of_performance_current_end_date",),
        **_AGENCY, **_RECIPIENT,
        "psc": ("product_or_service_code",), "naics": ("naics_code",),
        "description": ("award_description", "prime_award_base_transaction_description",
                        "transaction_description"),
        "permalink": ("usaspending_permalink",),
        **{flag: (flag,) for flag in GOVERNMENT_FLAGS},
    },
    required=("piid", "recipient", "obligated", "action_date", "subagency_code"),
    known=frozenset(TRANSACTION_COLUMNS_2018) | frozenset(TRANSACTION_COLUMNS_CURRENT_EXTRA),
)

SUBAWARDS = Layout(
    name="subawards", kind="subaward",
    fields={
        "prime_key": ("prime_award_unique_key",), "prime_piid": ("prime_award_piid",),
        "sub_number": ("subaward_number",), "obligated": ("subaward_amount",),
        "action_date": ("subaward_action_date",),
        **{k: tuple("prime_award_" + c for c in v) for k, v in _AGENCY.items()},
        "prime_uei": ("prime_awardee_uei",), "prime_duns": ("prime_awardee_duns",),
        "prime_recipient": ("prime_awardee_name",),
        "uei": ("subawardee_uei",), "duns": ("subawardee_duns",),
        "recipient": ("subawardee_name",), "parent_uei": ("subawardee_parent_uei",),
        "parent_duns": ("subawardee_parent_duns",), "parent": ("subawardee_parent_name",),
        "naics": ("prime_award_naics_code",), "description": ("subaward_description",),
        "permalink": ("usaspending_permalink",), "business_types": ("subawardee_business_types",),
    },
    required=("prime_key", "sub_number", "recipient", "obligated", "subagency"),
    known=frozenset(SUBAWARD_COLUMNS),
)

_API_COMMON = {
    "piid": ("Award ID",), "award_key": ("generated_internal_id",),
    "recipient": ("Recipient Name",), "uei": ("Recipient UEI",),
    "duns": ("Recipient DUNS Number",), "agency": ("Awarding Agency",),
    "agency_code": ("Awarding Agency Code",), "subagency": ("Awarding Sub Agency",),
    "subagency_code": ("Awarding Sub Agency Code",),
    # a CSV flattened by pandas (json_normalize) names the code "PSC.code"
    "psc": ("PSC", "PSC.code", "PSC Code"), "naics": ("NAICS", "NAICS.code", "NAICS Code"),
    # what tells a grant, loan or direct payment from a contract (see not_procurement)
    "contract_type": ("Contract Award Type",), "award_type": ("Award Type",),
    "assistance_listing": ("CFDA Number", "Assistance Listing", "Assistance Listings",
                           "primary_assistance_listing", "SAI Number"),
    "loan_value": ("Loan Value", "Subsidy Cost"),
}
_FLATTENED = ("PSC.code", "PSC.description", "NAICS.code", "NAICS.description", "PSC Code",
              "NAICS Code")
API_AWARDS = Layout(
    name="api-awards", kind="award",
    fields={**_API_COMMON, "obligated": ("Award Amount",),
            "start": ("Start Date", "Period of Performance Start Date"),
            "end": ("End Date", "Period of Performance Current End Date", "Last Date to Order"),
            "first_action": ("Base Obligation Date",), "description": ("Description",)},
    required=("recipient",), known=frozenset(API_AWARD_FIELDS + _FLATTENED),
    date_order="ymd",
)
API_TRANSACTIONS = Layout(
    name="api-transactions", kind="transaction",
    fields={**_API_COMMON, "mod": ("Mod",),
            "obligated": ("Transaction Amount", "Federal Action Obligation"),
            "action_date": ("Action Date",),
            "description": ("Transaction Description", "Description")},
    required=("recipient", "obligated", "action_date"),  # "Award ID" or its key: either
    known=frozenset(API_TRANSACTION_FIELDS + _FLATTENED + ("Federal Action Obligation",
                                                            "Description")),
    date_order="ymd",
)
API_SUBAWARDS = Layout(
    name="api-subawards", kind="subaward",
    fields={
        "prime_key": ("prime_award_generated_internal_id",), "prime_piid": ("Prime Award ID",),
        "sub_number": ("Sub-Award ID",), "obligated": ("Sub-Award Amount",),
        "action_date": ("Sub-Award Date",), "agency": ("Awarding Agency",),
        "subagency": ("Awarding Sub Agency",), "prime_uei": ("Prime Award Recipient UEI",),
        "prime_recipient": ("Prime Recipient Name",), "recipient": ("Sub-Awardee Name",),
        "uei": ("Sub-Recipient UEI",), "naics": ("NAICS", "NAICS.code"),
        "description": ("Sub-Award Description",), "sub_type": ("Sub-Award Type",),
    },
    required=("prime_key", "sub_number", "recipient", "obligated", "action_date"),
    known=frozenset(API_SUBAWARD_FIELDS + _FLATTENED), date_order="ymd",
)
LAYOUTS = (PRIME_AWARDS, TRANSACTIONS, SUBAWARDS, API_AWARDS, API_TRANSACTIONS, API_SUBAWARDS)
API_LAYOUTS = (API_AWARDS, API_TRANSACTIONS, API_SUBAWARDS)


def layout_of_header(header: Sequence[str]) -> Layout | None:
    """The layout whose signature columns a header row carries."""
    columns = set(header)
    if {"prime_award_unique_key", "subaward_number"} <= columns:
        return SUBAWARDS
    if {"federal_action_obligation", "award_id_piid"} <= columns:
        return TRANSACTIONS
    if {"contract_award_unique_key", "total_obligated_amount"} <= columns:
        return PRIME_AWARDS
    return _api_layout(columns)


def _api_layout(names: set[str]) -> Layout | None:
    """API results by their display names: subawards, transactions, else awards."""
    if {"Sub-Award ID", "Sub-Awardee Name"} & names:
        return API_SUBAWARDS
    if not {"Award ID", "generated_internal_id"} & names:
        return None
    if names & {"Action Date", "Transaction Amount", "Federal Action Obligation", "Mod",
                "Transaction Description"}:
        return API_TRANSACTIONS
    return API_AWARDS


def looks_headerless(first_row: Sequence[str]) -> bool:
    """A 259-field first row that names no known column is data of the 2018 layout."""
    return (len(first_row) == len(TRANSACTION_COLUMNS_2018)
            and not set(first_row) & TRANSACTIONS.known)


def layout_of_json(results: Iterable[object]) -> Layout | None:
    """API results: the first result that is an object tells (transactions carry "Action
    Date" / "Mod", subawards "Sub-Award ID"); None when no result is an API result."""
    first = next((r for r in results if isinstance(r, dict)), None)
    return None if first is None else _api_layout(set(first))


_ASSISTANCE_TYPE = re.compile(r"GRANT|LOAN|DIRECT PAYMENT|INSURANCE|COOPERATIVE AGREEMENT"
                              r"|ASSISTANCE", re.IGNORECASE)


def not_procurement(values: Mapping[str, str]) -> RowError | None:
    """Why an API row is financial assistance (grant, loan, direct payment, insurance,
    other), not a purchase: the graph says who SELLS_TO whom, and a grant's recipient
    sells nothing, so such rows are quarantined with this reason rather than loaded.

    The award key decides ("CONT_" contracts and IDVs, "ASST_" assistance); without one,
    the award type, an assistance listing (CFDA) or a loan value does.

    >>> not_procurement({"award_key": "CONT_AWD_1_7012_-NONE-_-NONE-"}) is None
    True
    >>> grant = not_procurement({"award_key": "ASST_NON_X", "award_type": "BLOCK GRANT (A)"})
    >>> grant is not None and (grant.field, grant.reason)  # doctest: +ELLIPSIS
    ('award_key', 'financial assistance (BLOCK GRANT (A)), not a procurement award...')
    >>> not_procurement({"sub_type": "sub-grant"}).reason
    'a sub-grant, not a subcontract: not loaded'
    """
    key = values.get("award_key") or values.get("prime_key", "")
    if "grant" in values.get("sub_type", "").lower():
        return RowError("sub_type", "a sub-grant, not a subcontract: not loaded",
                        values["sub_type"])
    if key.startswith("CONT_") or values.get("contract_type"):
        return None
    kind = values.get("award_type", "")
    if key.startswith("ASST_") or _ASSISTANCE_TYPE.search(kind) or \
            values.get("assistance_listing") or values.get("loan_value"):
        what = kind or "grant, loan, direct payment or other assistance"
        field = "award_key" if key else "award_type"
        return RowError(field, f"financial assistance ({what}), not a procurement award: "
                               f"not loaded", key or kind)
    return None


def generated_award_key(piid: str, subagency_code: str, parent_piid: str,
                        parent_agency_id: str, idv: bool) -> str:
    """USAspending's generated unique award key, for files that do not carry it.

    >>> generated_award_key("HSCECR11F00021", "7012", "GS07F0313N", "4730", False)
    'CONT_AWD_HSCECR11F00021_7012_GS07F0313N_4730'
    >>> generated_award_key("70CDCR18P00000017", "7012", "", "", False)
    'CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-'
    """
    if idv:
        return f"CONT_IDV_{piid}_{subagency_code}"
    return (f"CONT_AWD_{piid}_{subagency_code}_{parent_piid or '-NONE-'}"
            f"_{parent_agency_id or '-NONE-'}")
