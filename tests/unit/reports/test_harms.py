"""The seven harms' mapping: its own examples hold, it names all seven, and every category
LiveGuard can record a finding under is sorted into one of them (a new rule file without
a mapping fails here, rather than being counted as "other" unseen)."""

from __future__ import annotations

from pathlib import Path

import pytest

from liveguard import datafiles
from liveguard.live import claims, payloads
from liveguard.reports import harms

RULES = Path(harms.__file__).parents[1] / "detect" / "data" / "rules"
SEVEN = {
    "false_advertising",
    "difficult_returns",
    "prohibited_products",
    "zhuanpai_links",
    "off_platform",
    "absolute_terms",
    "illegal_content",
}


def _recorded_categories() -> set[str]:
    found = set()
    for path in RULES.glob("*.yaml"):
        document = datafiles.read(path.read_bytes(), path.name)
        if isinstance(document.data, dict) and "category" in document.data:
            found.add(document.data["category"])
    live = claims.rules()
    found.update(rule.category for rule in live.claims)
    found.update({live.listing_change.category, live.traffic.category, payloads.CATEGORY})
    return found


@pytest.mark.parametrize("example", harms.mapping().examples, ids=repr)
def test_each_example_in_the_mapping_holds(example: harms.Example) -> None:
    assert set(harms.example_harms(example, harms.mapping())) == set(example.harms)


def test_it_names_the_consumer_associations_seven_types() -> None:
    table = harms.mapping()
    assert {h.id for h in table.harms} == SEVEN
    assert len({h.title_zh for h in table.harms}) == 7


def test_every_category_a_finding_can_have_is_sorted_into_a_harm() -> None:
    categories = _recorded_categories()
    assert "absolute_terms" in categories and "diversion" in categories  # it read the files
    unmapped = sorted(categories - set(harms.mapping().categories))
    assert not unmapped, f"add these categories to reports/data/harms.yaml: {unmapped}"


def test_a_rule_named_in_the_mapping_wins_over_its_category() -> None:
    table = harms.mapping().model_copy(update={"rules": {"diversion.zhuanpai": "zhuanpai_links"}})
    assert harms.of_finding("diversion", "diversion.zhuanpai", table=table) == "zhuanpai_links"
    assert harms.of_finding("diversion", "diversion.wechat", table=table) == "off_platform"


def test_a_complaint_falls_under_every_harm_it_shows() -> None:
    found = harms.of_complaint(
        {"channel": "off_platform", "wants_return": True}, "主播让拍专拍链接，说好的七天无理由"
    )
    assert set(found) == {"off_platform", "difficult_returns", "zhuanpai_links"}


def test_an_unknown_harm_in_the_file_is_refused_with_the_ids_it_may_use() -> None:
    text = datafiles.shipped_bytes("liveguard.reports", harms.DATA_FILE).replace(
        b"diversion: off_platform", b"diversion: off_site"
    )
    with pytest.raises(datafiles.DataFileError, match="off_site"):
        datafiles.parse(text, harms.DATA_FILE, harms.Mapping)
