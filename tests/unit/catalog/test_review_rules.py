"""The review rule data: it loads, its legal quotes are verbatim, its examples hold, and
a broken file is refused with the file, the line and the field named."""

from __future__ import annotations

import pytest

from liveguard.catalog import review_rules as data
from liveguard.catalog.checks import COMPUTED_CHECKS, Checks
from liveguard.catalog.review_rules import (
    LEXICON_FILE,
    REVIEW_FILE,
    LexiconKind,
    Lexicons,
    ReviewRules,
    ReviewRulesError,
    lexicons,
    parse,
    review_rules,
)
from liveguard.legal import LegalBasis, quote_problem
from liveguard.parties.qualifications import catalogue
from tests.unit.catalog.helpers import example_listing, facts

RULES = review_rules()
LEXICONS = lexicons()


def _all_bases(value, path=""):
    if isinstance(value, LegalBasis):
        yield path, value
    elif hasattr(type(value), "model_fields"):
        for name in type(value).model_fields:
            yield from _all_bases(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _all_bases(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _all_bases(item, f"{path}.{i}")


BASES = [
    pytest.param(basis, id=f"{where}{path}")
    for where, spec in ((REVIEW_FILE, RULES), (LEXICON_FILE, LEXICONS))
    for path, basis in _all_bases(spec)
]


# --- the shipped data -----------------------------------------------------------------


def test_every_computed_check_has_an_entry_and_no_entry_is_unused():
    assert sorted(c.id for c in RULES.checks) == sorted(COMPUTED_CHECKS)


def test_every_category_has_label_rules():
    assert set(RULES.label.categories) == {c.code for c in catalogue().categories}


def test_every_text_field_has_a_name_for_messages():
    assert set(RULES.text_fields) == set(data.TextField)


@pytest.mark.parametrize("basis", BASES)
def test_every_legal_quote_is_verbatim(basis):
    assert quote_problem(basis) is None


def test_there_are_quotes_to_check():
    assert len(BASES) > 40


def test_prohibited_kinds_are_listed_with_their_check_ids():
    kinds = {e.id for e in LEXICONS.entries if e.kind is LexiconKind.prohibited}
    assert {
        "prohibited.prescription_drug",
        "prohibited.protected_wildlife",
        "prohibited.tobacco",
    } <= kinds


def test_the_four_article_25_exemptions_are_data():
    exemptions = [e for e in LEXICONS.entries if e.kind is LexiconKind.return_exemption]
    clauses = sorted(b.quote for e in exemptions for b in e.legal_basis)
    assert [c[:3] for c in clauses] == ["（一）", "（三）", "（二）", "（四）"]


def _phrase_examples():
    for entry in LEXICONS.entries:
        for text in entry.examples.positive:
            yield pytest.param(entry.id, text, True, id=f"{entry.id}+{text[:10]}")
        for text in entry.examples.negative:
            yield pytest.param(entry.id, text, False, id=f"{entry.id}-{text[:10]}")


@pytest.mark.parametrize(("entry_id", "text", "hits"), list(_phrase_examples()))
def test_every_phrase_example_holds(reviewer, entry_id, text, hits):
    found = {f.rule.id for f in reviewer.phrases.detect(text)}
    assert (entry_id in found) is hits, found


def _listing_examples():
    specs = [(c.id, c.examples) for c in RULES.checks]
    specs += [(e.check, e.examples) for e in RULES.listing_examples]
    for check, examples in specs:
        for n, changes in enumerate(examples.positive):
            yield pytest.param(check, changes, True, id=f"{check}+{n}")
        for n, changes in enumerate(examples.negative):
            yield pytest.param(check, changes, False, id=f"{check}-{n}")


def test_the_example_base_passes_every_check(reviewer):
    assert reviewer.review(facts()) == []


@pytest.mark.parametrize(("check", "changes", "reported"), list(_listing_examples()))
def test_every_listing_example_holds(reviewer, check, changes, reported):
    problems = reviewer.review(facts(**changes))
    assert (check in {p.check for p in problems}) is reported, [
        (p.check, p.message) for p in problems
    ]


@pytest.mark.parametrize(("check", "changes", "reported"), list(_listing_examples()))
def test_every_problem_cites_verbatim_law_and_says_what_to_fix(reviewer, check, changes, reported):
    for problem in reviewer.review(facts(**changes)):
        assert problem.legal_basis, problem.check
        assert all(quote_problem(b) is None for b in problem.legal_basis)
        assert "{" not in problem.message and len(problem.message) > 10


def test_listing_examples_name_known_checks():
    known = set(COMPUTED_CHECKS) | {"placeholder_link", "terms.unfair"}
    known |= {e.id for e in LEXICONS.entries if e.kind is LexiconKind.prohibited}
    assert {e.check for e in RULES.listing_examples} <= known


def test_example_changes_only_name_listing_fields():
    assert set(example_listing({"label": {"product_name": None}})["label"]) == (
        set(RULES.example_base["label"]) - {"product_name"}
    )


# --- the loader's errors ----------------------------------------------------------------


def _review_text() -> str:
    return data.data_text(REVIEW_FILE)


def _lexicon_text() -> str:
    return data.data_text(LEXICON_FILE)


def _refused(text: str, name: str, model) -> list[str]:
    with pytest.raises(ReviewRulesError) as raised:
        parse(text, name, model)
    return raised.value.problems


def test_it_names_the_file_line_and_field_of_a_bad_severity():
    text = _review_text().replace("severity: critical", "severity: dire", 1)
    (problem,) = _refused(text, REVIEW_FILE, ReviewRules)
    line = text.splitlines().index("    severity: dire") + 1
    assert problem.startswith(f"{REVIEW_FILE}:{line}: checks.")
    assert problem.endswith(".severity: Input should be 'low', 'medium', 'high' or 'critical'")


def test_it_refuses_an_unknown_field():
    text = _review_text().replace("  window_days: 7", "  window_days: 7\n  windows: 8", 1)
    (problem,) = _refused(text, REVIEW_FILE, ReviewRules)
    assert "price.windows" in problem and "Extra inputs are not permitted" in problem


def test_it_refuses_a_quote_that_is_not_in_the_law():
    text = _lexicon_text().replace("禁止利用互联网发布处方药广告", "禁止利用互联网销售处方药", 1)
    problems = _refused(text, LEXICON_FILE, Lexicons)
    assert any("legal_basis" in p and "quote not found" in p for p in problems), problems


def test_it_refuses_an_unknown_category():
    text = _review_text().replace("    appliances: {cap_fen", "    fridges: {cap_fen", 1)
    problems = _refused(text, REVIEW_FILE, ReviewRules)
    assert any("shipping.categories.fridges" in p for p in problems), problems


def test_it_refuses_a_required_field_it_does_not_define():
    text = _review_text().replace(
        "required: [product_name, producer_name, producer_address]",
        "required: [product_name, producer_name, producer_address, colour]",
        1,
    )
    problems = _refused(text, REVIEW_FILE, ReviewRules)
    assert any("colour" in p for p in problems), problems


def test_it_refuses_an_exemption_without_its_name():
    text = _lexicon_text().replace("    name: 消费者定作的\n", "", 1)
    problems = _refused(text, LEXICON_FILE, Lexicons)
    assert any("needs a name" in p for p in problems), problems


def test_a_reviewer_refuses_rules_that_lack_a_computed_check():
    rules = RULES.model_copy(
        update={"checks": [c for c in RULES.checks if c.id != "shipping.excessive"]}
    )
    with pytest.raises(ValueError, match=r"shipping\.excessive"):
        Checks(rules, catalogue())
