"""The qualifications catalogue: its data, its legal citations, and its loader's checks."""

import copy
import re
from importlib import resources

import pytest
import yaml

from liveguard.legal import quote_problem
from liveguard.parties.qualifications import DATA_FILE, catalogue, parse

CATALOGUE = catalogue()
CATEGORIES = CATALOGUE.categories
DOCUMENT_TYPES = CATALOGUE.document_types
KNOWN_TYPES = {d.code for d in DOCUMENT_TYPES}


def _raw():
    """The shipped YAML as a fresh dict, to break in one place per test."""
    text = resources.files("liveguard.parties").joinpath("data", DATA_FILE).read_text("utf-8")
    return yaml.safe_load(text)


def _examples():
    for category in CATEGORIES:
        for n, example in enumerate(category.examples):
            yield pytest.param(category, example, id=f"{category.code}-{n}")


def _basis_id(basis):
    version = f"@{basis.version}" if basis.version else ""
    return f"{basis.law}{version}-art{basis.article}-{basis.quote[:12]}"


def _hint_examples():
    for doc in DOCUMENT_TYPES:
        match = re.search(r"e\.g\. (\S+)", doc.number_hint)
        if match:
            yield pytest.param(doc, match.group(1), id=doc.code)


# --- the shipped data ------------------------------------------------------------------


def test_the_shipped_catalogue_has_categories_and_document_types():
    assert CATEGORIES
    assert DOCUMENT_TYPES
    assert CATALOGUE.reverification.interval_days == 180


@pytest.mark.parametrize(("category", "example"), list(_examples()))
def test_every_category_example_holds(category, example):
    assert (not category.missing(set(example.holds))) is example.may_sell


@pytest.mark.parametrize(("category", "example"), list(_examples()))
def test_every_category_example_names_known_document_types(category, example):
    assert set(example.holds) <= KNOWN_TYPES


@pytest.mark.parametrize("category", [c for c in CATEGORIES if c.requires], ids=lambda c: c.code)
def test_a_category_that_requires_documents_cites_the_law(category):
    assert category.legal_basis


@pytest.mark.parametrize("category", CATEGORIES, ids=lambda c: c.code)
def test_every_category_has_an_example_that_may_sell(category):
    assert any(example.may_sell for example in category.examples)


@pytest.mark.parametrize("basis", CATALOGUE.all_legal_bases(), ids=_basis_id)
def test_every_legal_basis_quotes_its_article_verbatim(basis):
    assert quote_problem(basis) is None


def test_all_legal_bases_include_reverification_common_and_category_bases():
    bases = CATALOGUE.all_legal_bases()
    assert CATALOGUE.reverification.legal_basis[0] in bases
    assert CATALOGUE.common_basis[0] in bases
    assert CATALOGUE.category("food").legal_basis[0] in bases


def test_alcohol_needs_a_document_from_each_group():
    alcohol = CATALOGUE.category("alcohol")
    assert alcohol.missing({"prepackaged_food_filing"}) == [["alcohol_filing"]]
    assert alcohol.missing({"prepackaged_food_filing", "alcohol_filing"}) == []


def test_an_unknown_category_or_document_type_is_none():
    assert CATALOGUE.category("weapons") is None
    assert CATALOGUE.document_type("passport") is None


def test_a_document_name_is_the_known_types_name_and_an_unknown_code_is_refused():
    licence = CATALOGUE.document_type("food_business_licence")
    assert CATALOGUE.document_name("food_business_licence") == licence.name
    with pytest.raises(KeyError):
        CATALOGUE.document_name("passport")


# --- document numbers ------------------------------------------------------------------


@pytest.mark.parametrize(("doc", "number"), list(_hint_examples()))
def test_a_document_number_pattern_accepts_its_own_hint_example(doc, number):
    assert doc.number_problem(number) is None


def test_the_food_document_hints_have_examples():
    assert {p.id for p in _hint_examples()} >= {"food_business_licence", "prepackaged_food_filing"}


@pytest.mark.parametrize("doc", DOCUMENT_TYPES, ids=lambda d: d.code)
@pytest.mark.parametrize("garbage", ["", "   ", "x", "x" * 61])
def test_a_document_number_pattern_refuses_garbage(doc, garbage):
    problem = doc.number_problem(garbage)
    assert problem == f"a {doc.code} number looks like {doc.number_hint}"


@pytest.mark.parametrize(
    "number", ["JY1330106001234", "JY133010600123456", "YB13301060012345", "13301060012345"]
)
def test_a_food_business_licence_number_is_jy_and_14_digits(number):
    assert CATALOGUE.document_type("food_business_licence").number_problem(number) is not None


def test_a_document_number_is_stripped_before_checking():
    doc = CATALOGUE.document_type("food_business_licence")
    assert doc.number_problem("  JY13301060012345\n") is None


# --- the loader refuses bad data -------------------------------------------------------


def test_the_raw_data_parses():
    assert parse(_raw(), source="test.yaml") == CATALOGUE


def test_an_unknown_document_type_in_requires_names_the_category_and_the_type():
    raw = _raw()
    raw["categories"][0]["requires"] = [["food_licence"]]
    with pytest.raises(ValueError, match=r"^test\.yaml: .*category food: .*'food_licence'"):
        parse(raw, source="test.yaml")


def test_a_missing_field_is_named_with_its_path():
    raw = _raw()
    del raw["categories"][2]["deposit_fen"]
    expected = r"^test\.yaml: categories\.2\.deposit_fen: Field required"
    with pytest.raises(ValueError, match=expected):
        parse(raw, source="test.yaml")


def test_an_unknown_field_is_named():
    raw = _raw()
    raw["categories"][1]["deposit"] = 5
    with pytest.raises(ValueError, match=r"categories\.1\.deposit: Extra inputs are not permitted"):
        parse(raw, source="test.yaml")


def test_a_negative_deposit_is_refused():
    raw = _raw()
    raw["categories"][0]["deposit_fen"] = -1
    with pytest.raises(ValueError, match=r"categories\.0\.deposit_fen"):
        parse(raw, source="test.yaml")


def test_a_category_without_examples_is_refused():
    raw = _raw()
    raw["categories"][0]["examples"] = []
    with pytest.raises(ValueError, match=r"categories\.0\.examples"):
        parse(raw, source="test.yaml")


def test_a_duplicate_category_code_is_refused():
    raw = _raw()
    raw["categories"].append(copy.deepcopy(raw["categories"][0]))
    with pytest.raises(ValueError, match="category codes must be unique"):
        parse(raw, source="test.yaml")


def test_a_duplicate_category_code_is_named():
    raw = _raw()
    raw["categories"].append(copy.deepcopy(raw["categories"][5]))
    with pytest.raises(ValueError, match="cosmetics"):
        parse(raw, source="test.yaml")


def test_an_empty_requirement_group_is_refused():
    raw = _raw()
    raw["categories"][0]["requires"] = [[]]
    with pytest.raises(ValueError, match="category food"):
        parse(raw, source="test.yaml")


def test_an_empty_requirement_group_is_called_empty():
    raw = _raw()
    raw["categories"][0]["requires"] = [[]]
    with pytest.raises(ValueError, match="empty"):
        parse(raw, source="test.yaml")


def test_a_legal_basis_with_an_article_zero_is_refused():
    raw = _raw()
    raw["common_basis"][0]["article"] = 0
    with pytest.raises(ValueError, match=r"common_basis\.0\.article"):
        parse(raw, source="test.yaml")
