"""The label catalogue: its words load, and every code a person can read has words.

The enums are discovered, not listed: every ``StrEnum`` defined in a ``liveguard.*``
module must have Chinese and English words for each member, unless it is in ``INTERNAL``
below (codes nobody reads). A new status without words fails here, before a page shows it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from enum import StrEnum
from importlib import resources

import pytest
import yaml

import liveguard
from liveguard import labels
from liveguard.cases.enums import CaseState
from liveguard.vocab import Severity

# Enums whose codes no person reads; everything else needs words. Keep it short and say why.
INTERNAL = {
    "liveguard.config.Environment",  # deployment setting, read by operators from the env file
    "liveguard.cli.detection.OutputFormat",  # a CLI switch value (text / jsonl), typed by its user
}
# Modules that cannot be imported outside their own runner.
UNIMPORTABLE = {"liveguard.migrations.env"}


def _string_enums() -> list[type[StrEnum]]:
    found: dict[str, type[StrEnum]] = {}
    for module_info in pkgutil.walk_packages(liveguard.__path__, "liveguard."):
        if module_info.name in UNIMPORTABLE or ".migrations.versions" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, StrEnum)
                and obj is not StrEnum
                and obj.__module__ == module.__name__
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [enum for name, enum in sorted(found.items()) if name not in INTERNAL]


SHOWN = _string_enums()


def test_discovery_finds_the_enums_people_read() -> None:
    names = {e.__name__ for e in SHOWN}
    assert {"CaseState", "RemedyKind", "ListingStatus", "RecordKind", "TokenKind"} <= names
    assert "Environment" not in names


@pytest.mark.parametrize("enum", SHOWN, ids=lambda e: f"{e.__module__}.{e.__name__}")
def test_every_member_of_a_shown_enum_has_chinese_and_english_words(enum: type[StrEnum]) -> None:
    missing = [m.value for m in enum if labels.words(labels.kind_of(m), m.value) is None]
    assert not missing, f"{labels.kind_of(next(iter(enum)))}: no words for {missing}"


def test_two_enums_sharing_a_kind_name_have_the_same_members() -> None:
    by_kind: dict[str, set[str]] = {}
    for enum in SHOWN:
        members = {m.value for m in enum}
        kind = labels.kind_of(next(iter(enum)))
        assert by_kind.setdefault(kind, members) == members, f"{kind} names two different enums"


def test_the_catalogue_has_no_words_for_codes_its_enum_no_longer_has() -> None:
    kinds = {labels.kind_of(next(iter(e))): {m.value for m in e} for e in SHOWN}
    for kind, codes in labels.catalogue().kinds.items():
        if kind in kinds:
            stale = set(codes) - kinds[kind]
            assert not stale, f"{kind}: words for codes that are gone: {sorted(stale)}"


def test_product_categories_read_as_the_qualification_catalogue_names_them() -> None:
    from liveguard.parties.qualifications import catalogue

    for category in catalogue().categories:
        assert labels.label(category.code, "catalog.category") == category.name


def test_every_detection_rule_category_has_words() -> None:
    rules = resources.files("liveguard.detect") / "data" / "rules"
    for item in rules.iterdir():
        document = yaml.safe_load(item.read_text(encoding="utf-8"))
        if isinstance(document, dict) and "category" in document:
            code = document["category"]
            assert labels.words("detect.rule_category", code), f"{item.name}: {code}"
            assert labels.label(code, "detect.rule_category") == document["title"]


def test_workflow_steps_read_as_the_workflow_names_them() -> None:
    from liveguard.cases.workflow import workflow

    for state, step in workflow().steps.items():
        assert labels.label(state.value, "cases.step") == step.step_zh


def test_a_member_reads_in_chinese_first_and_english_on_request() -> None:
    assert labels.label(CaseState.with_merchant) == "已转商家处理"
    assert labels.label(CaseState.with_merchant, lang="en") == "With the merchant"
    assert labels.both(Severity.critical) == "严重 Critical"


def test_a_plain_code_reads_through_its_kind() -> None:
    assert labels.label("with_merchant", "cases.CaseState") == "已转商家处理"
    assert labels.label("food", "catalog.category") == "食品"


def test_the_catalogue_names_no_kind_twice_and_no_empty_words() -> None:
    for kind, codes in labels.catalogue().kinds.items():
        assert "." in kind, f"{kind}: kinds are <package>.<Enum> or a free-form name with a dot"
        assert codes, f"{kind} has no codes"


def test_opinion_categories_read_as_the_classifier_names_them() -> None:
    from liveguard.opinion import classify
    from liveguard.opinion.enums import Category

    for category in Category:
        assert labels.label(category) == classify.label_zh(category.value), category


def test_cli_sentences_fill_their_slots_in_both_languages() -> None:
    zh = labels.say("cli.verify", "item_ok", "zh", seq=5, kind="直播画面")
    en = labels.say("cli.verify", "item_ok", "en", seq=5, kind="Frame")
    assert zh == "第 5 项（直播画面）在已签名的日志中，未被改动"
    assert en == "item 5 (Frame) is in the signed log, unchanged"
    with pytest.raises(KeyError):
        labels.say("cli.verify", "no_such_sentence")
    assert labels.language(None) == "zh" and labels.language("EN") == "en"
    with pytest.raises(ValueError):
        labels.language("fr")
