"""Write a seeded synthetic USAspending prime-award file (the current 286-column layout).

Rows look like real downloads where the loader cares: one award per row, keys
in the USAspending form, recipients drawn from a long-tailed population (a few
vendors win most awards; a third have a recorded parent; some are registry
companies such as West Publishing or Cellebrite), nine DHS and DOJ sub-agencies
and their contracting offices (a million rows: 50,000 vendors, 5,000 offices),
PSC and NAICS codes, descriptions that mix surveillance buys with ammunition,
guards and janitors, some negative (de-obligated) totals, and t/f flags and
addresses in the columns it does not read, so a row weighs about what a real
one does (~1.5 KB; the real Minnesota file averages 1.8 KB).

Run: ``python benchmarks/generate_awards.py 1000000 awards_1m.csv`` (same seed,
same file).
"""

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

from loaders.usaspending_columns import PRIME_AWARD_COLUMNS_286
from loaders.usaspending_layouts import GOVERNMENT_FLAGS

SUB_AGENCIES = [  # (toptier code, toptier name, subtier code, subtier name, office prefix)
    ("070", "Department of Homeland Security", "7012",
     "U.S. Immigration and Customs Enforcement", "70C"),
    ("070", "Department of Homeland Security", "7014", "U.S. Customs and Border Protection",
     "70B"),
    ("070", "Department of Homeland Security", "7003",
     "U.S. Citizenship and Immigration Services", "70S"),
    ("070", "Department of Homeland Security", "7008", "U.S. Coast Guard", "70Z"),
    ("070", "Department of Homeland Security", "7001", "Office of Procurement Operations", "70R"),
    ("015", "Department of Justice", "1549", "Federal Bureau of Investigation", "15F"),
    ("015", "Department of Justice", "1524", "Drug Enforcement Administration", "15D"),
    ("015", "Department of Justice", "1544", "U.S. Marshals Service", "15M"),
    ("015", "Department of Justice", "1550",
     "Bureau of Alcohol, Tobacco, Firearms and Explosives", "15A"),
]
OFFICE_WORDS = ["MISSION SUPPORT", "DETENTION COMPLIANCE AND REMOVALS", "INFORMATION TECHNOLOGY",
                "INVESTIGATIONS AND OPERATIONS SUPPORT", "PROCUREMENT DIVISION"]
CITIES = ["DALLAS", "WASHINGTON", "ORLANDO", "LAGUNA", "BURLINGTON", "SAN DIEGO", "TUCSON",
          "DENVER", "ATLANTA", "SEATTLE", "EL PASO", "NEWARK", "PHOENIX", "MIAMI", "BOSTON"]
REGISTRY_VENDORS = ["WEST PUBLISHING CORPORATION", "CELLEBRITE INC.", "PALANTIR USG, INC.",
                    "PEN-LINK, LTD.", "MOTOROLA SOLUTIONS, INC.", "IDENTIX INCORPORATED",
                    "PARAGON SYSTEMS, INC.", "GIANT OAK, INC.", "LEXISNEXIS RISK SOLUTIONS INC."]
WORDS = ("ALPHA BRAVO DELTA SUMMIT APEX VECTOR ORBIT NOVA TITAN PIONEER LIBERTY EAGLE "
         "FRONTIER KEYSTONE MERIDIAN ATLAS HARBOR CASCADE GRANITE SENTRY").split()
SUFFIXES = ["LLC", "INC.", "CORPORATION", "CORP", "LTD", "INCORPORATED", "L.L.C."]
KINDS = ["SERVICES", "SYSTEMS", "SOLUTIONS", "TECHNOLOGIES", "GROUP", "SUPPLY", "CONSULTING"]
PURCHASES = [  # (description, PSC, NAICS, weight)
    ("IGF::OT::IGF AMMUNITION", "1305", "332992", 8), ("GUARD SERVICES", "S206", "561612", 8),
    ("JANITORIAL SERVICES", "S201", "561720", 6), ("COMPUTER EQUIPMENT", "7050", "334111", 10),
    ("SOFTWARE LICENSES", "7030", "511210", 8), ("DETAINEE MEALS", "8905", "722310", 4),
    ("UNIFORMS", "8415", "315210", 3), ("LEGAL PUBLICATIONS", "7610", "511130", 2),
    ("OFFICE FURNITURE", "7110", "337214", 3), ("IT SUPPORT SERVICES", "D399", "541519", 8),
    ("ACCESS TO LICENSE PLATE READER DATABASE", "D317", "519190", 1),
    ("FACIAL RECOGNITION SOFTWARE SUBSCRIPTION", "7030", "511210", 1),
    ("UFED LICENSE RENEWALS", "5810", "334290", 1), ("SURVEILLANCE EQUIPMENT", "5836", "334310", 2),
    ("TELECOMMUNICATIONS ANALYSIS AND INTERCEPT SOFTWARE", "7030", "511210", 1),
    ("OPEN SOURCE/ SOCIAL MEDIA DATA ANALYTICS", "7030", "511210", 1),
    ("FINGERPRINT SCANNERS", "5895", "334118", 1), ("PORTABLE RADIOS", "5820", "334220", 3),
    ("INVESTIGATIVE CASE MANAGEMENT SYSTEM O&M", "D307", "541511", 1),
    ("VEHICLE MAINTENANCE", "J023", "811111", 4), ("TRAINING COURSE", "U099", "611430", 3),
]


def _vendors(rng: random.Random, count: int) -> list[dict[str, str]]:
    vendors = []
    for i in range(count):
        if i < len(REGISTRY_VENDORS):
            name = REGISTRY_VENDORS[i]
        else:
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(CITIES)} " \
                   f"{rng.choice(KINDS)} {rng.choice(SUFFIXES)}"
        uei = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(12))
        duns = f"{rng.randrange(10**9):09d}" if rng.random() < 0.6 else ""
        vendor = {"name": name, "uei": uei, "duns": duns, "parent": name, "parent_uei": uei,
                  "parent_duns": duns, "city": rng.choice(CITIES)}
        if rng.random() < 0.33 and vendors:
            parent = rng.choice(vendors[: max(1, len(vendors) // 10)])
            vendor.update(parent=parent["name"], parent_uei=parent["uei"],
                          parent_duns=parent["duns"])
        vendors.append(vendor)
    return vendors


def _offices(rng: random.Random, count: int) -> list[tuple[tuple[str, ...], str, str]]:
    """``count`` contracting offices spread over the sub-agencies: (sub-agency, code, name)."""
    offices = []
    for i in range(count):
        sub = SUB_AGENCIES[i % len(SUB_AGENCIES)]
        name = f"{rng.choice(OFFICE_WORDS)} {rng.choice(CITIES)} {i // len(SUB_AGENCIES) + 1}"
        offices.append((sub, f"{sub[4]}{i // len(SUB_AGENCIES):04d}", name))
    return offices


def _fillers(rng: random.Random) -> list[dict[str, str]]:
    """A few ready-made rows of the columns the loader does not read (t/f flags, codes).

    The flags that make a recipient a government body stay "f": recipients here
    are companies (a real file has a handful of government recipients).
    """
    flags = ("_business", "_firm", "_college", "_institution", "_owned")
    texts = ["NOT APPLICABLE", "NO", "X", "NONE", "N", "D", "", ""]
    government = set(GOVERNMENT_FLAGS)

    def value(column: str) -> str:
        if column in government or column.endswith("_government"):
            return "f"
        return rng.choice("tf") if column.endswith(flags) else rng.choice(texts)

    return [{column: value(column) for column in PRIME_AWARD_COLUMNS_286} for _ in range(16)]


def _row(rng: random.Random, index: int, vendors: list[dict[str, str]],
         weights: list[float], offices: list[tuple[tuple[str, ...], str, str]],
         fillers: list[dict[str, str]]) -> dict[str, str]:
    vendor = rng.choices(vendors, weights)[0]
    (top_code, top, code, sub, _), office_code, office = rng.choice(offices)
    description, psc, naics, _ = rng.choices(PURCHASES, [p[3] for p in PURCHASES])[0]
    start = date(2008, 1, 1) + timedelta(days=rng.randrange(6000))
    end = start + timedelta(days=rng.randrange(30, 1500))
    latest = start + timedelta(days=rng.randrange(0, 900))
    amount = round(rng.lognormvariate(9, 2), 2) * (-1 if rng.random() < 0.03 else 1)
    piid = f"{office_code}{start.year % 100:02d}P{index:08d}"
    key = f"CONT_AWD_{piid}_{code}_-NONE-_-NONE-"
    row = dict(rng.choice(fillers))
    row.update({
        "contract_award_unique_key": key, "award_id_piid": piid,
        "total_obligated_amount": f"{amount:.2f}", "current_total_value_of_award": f"{amount:.2f}",
        "potential_total_value_of_award": f"{abs(amount) * 1.5:.2f}",
        "award_base_action_date": start.isoformat(), "award_latest_action_date": latest.isoformat(),
        "award_base_action_date_fiscal_year": str(start.year),
        "period_of_performance_start_date": start.isoformat(),
        "period_of_performance_current_end_date": end.isoformat(),
        "awarding_agency_code": top_code, "awarding_agency_name": top,
        "awarding_sub_agency_code": code, "awarding_sub_agency_name": sub,
        "awarding_office_code": office_code, "awarding_office_name": office,
        "funding_agency_code": top_code, "funding_agency_name": top,
        "recipient_uei": vendor["uei"], "recipient_duns": vendor["duns"],
        "recipient_name": vendor["name"], "recipient_name_raw": vendor["name"],
        "recipient_parent_uei": vendor["parent_uei"],
        "recipient_parent_duns": vendor["parent_duns"],
        "recipient_parent_name": vendor["parent"], "recipient_country_code": "USA",
        "recipient_country_name": "UNITED STATES", "recipient_city_name": vendor["city"],
        "recipient_address_line_1": f"{rng.randrange(9999)} MAIN ST STE {rng.randrange(900)}",
        "recipient_state_code": "VA", "recipient_state_name": "VIRGINIA",
        "recipient_zip_4_code": f"{rng.randrange(10**9):09d}",
        "primary_place_of_performance_city_name": rng.choice(CITIES),
        "award_type_code": "B", "award_type": "PURCHASE ORDER", "award_or_idv_flag": "AWARD",
        "prime_award_base_transaction_description": description,
        "product_or_service_code": psc, "naics_code": naics, "number_of_actions": "1",
        "type_of_contract_pricing": "FIRM FIXED PRICE", "extent_competed": "FULL AND OPEN",
        "usaspending_permalink": f"https://www.usaspending.gov/award/{key}/",
        "last_modified_date": latest.isoformat(),
    })
    return row


def generate(rows: int, out: Path, seed: int = 4, *, vendors: int | None = None,
             offices: int | None = None) -> Path:
    """Write ``rows`` synthetic awards to ``out``; the same arguments write the same file.

    By default a million rows go to 50,000 vendors and 5,000 contracting offices
    (the shape of a multi-agency download), fewer in proportion for fewer rows.
    """
    rng = random.Random(seed)
    population = _vendors(rng, vendors or max(50, rows // 20))
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(population))]
    places = _offices(rng, offices or max(len(SUB_AGENCIES), rows // 200))
    fillers = _fillers(rng)
    partial = out.with_name(out.name + ".partial")  # a reader never sees half a file
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=PRIME_AWARD_COLUMNS_286)
        writer.writeheader()
        for index in range(rows):
            writer.writerow(_row(rng, index, population, weights, places, fillers))
    partial.replace(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--vendors", type=int, help="default: one per 20 rows")
    parser.add_argument("--offices", type=int, help="default: one per 200 rows")
    args = parser.parse_args()
    generate(args.rows, args.out, args.seed, vendors=args.vendors, offices=args.offices)
    print(f"wrote {args.rows:,} awards to {args.out} ({args.out.stat().st_size / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
