"""The one data-file loader: line numbers, duplicate keys, limits, aliases, legal quotes."""

import time

import pytest
from pydantic import Field

from liveguard import datafiles
from liveguard.datafiles import DataFileError, Strict
from liveguard.legal import LegalBasis

QUOTE = "（三）使用“国家级”、“最高级”、“最佳”等用语；"


class Entry(Strict):
    id: str
    weight: int = Field(ge=0)
    legal_basis: list[LegalBasis] = Field(default_factory=list)


class Table(Strict):
    entries: list[Entry]
    notes: dict[str, str] = Field(default_factory=dict)


GOOD = f"""\
entries:
  - id: first
    weight: 1
    legal_basis:
      - law: 广告法
        article: 9
        quote: {QUOTE}
  - id: second
    weight: 2
"""


def problems(text: str | bytes, **limits: int) -> list[str]:
    with pytest.raises(DataFileError) as raised:
        datafiles.parse(text, "table.yaml", Table, **limits)
    return raised.value.problems


def test_a_good_file_parses_into_the_model():
    table = datafiles.parse(GOOD, "table.yaml", Table)
    assert [e.id for e in table.entries] == ["first", "second"]
    assert table.entries[0].legal_basis[0].article == 9


def test_a_wrong_value_is_named_with_file_line_and_field():
    text = GOOD.replace("weight: 2", "weight: -2")
    assert problems(text) == [
        "table.yaml:9: entries.1.weight: Input should be greater than or equal to 0"
    ]


def test_an_unknown_key_is_refused_with_its_line():
    text = GOOD.replace("    weight: 2\n", "    weight: 2\n    colour: red\n")
    assert problems(text) == ["table.yaml:10: entries.1.colour: Extra inputs are not permitted"]


def test_a_missing_key_is_named_at_its_parent():
    text = GOOD.replace("    weight: 2\n", "")
    assert problems(text) == ["table.yaml:8: entries.1.weight: Field required"]


def test_a_duplicate_key_is_refused():
    text = GOOD.replace("    weight: 2\n", "    weight: 2\n    weight: 3\n")
    assert problems(text) == ["table.yaml:10: duplicate key 'weight'"]


def test_yaml_that_does_not_parse_names_the_line():
    (problem,) = problems(GOOD.replace("  - id: second", "  - id: [second"))
    assert problem.startswith("table.yaml:") and "not valid YAML" in problem


@pytest.mark.parametrize("text", ["\x1f", "id: a\x07b\n"])
def test_a_control_character_is_refused_as_invalid_yaml(text):
    (problem,) = problems(text)
    assert problem == "table.yaml: not valid YAML: special characters are not allowed"


def test_an_empty_file_is_refused():
    assert problems("# nothing\n") == ["table.yaml: the file is empty"]


def test_text_that_is_not_utf8_is_refused():
    (problem,) = problems(GOOD.encode("gb18030"))
    assert problem.startswith("table.yaml: not UTF-8 text")


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed():
    huge = GOOD + "# padding\n" * 200_000
    assert problems(huge) == ["table.yaml: larger than the limit of 1000000 bytes for a data file"]


def test_file_bytes_stops_reading_one_byte_over_the_limit(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * 5000)
    assert len(datafiles.file_bytes(path, max_bytes=100)) == 101


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['true']",
        "!!python/name:os.system",
        "!!set {a, b}",
        "!!omap [a: 1]",
    ],
)
def test_python_objects_and_other_tags_are_not_constructed(value):
    (problem,) = problems(f"entries: {value}\n")
    assert problem.startswith("table.yaml:1: ")
    assert "not valid YAML" in problem or "is not allowed in a data file" in problem


def test_a_shared_alias_is_expanded():
    text = GOOD.replace("    weight: 2\n", "    weight: 2\n    legal_basis: *law\n").replace(
        "    legal_basis:\n      - law", "    legal_basis: &law\n      - law"
    )
    table = datafiles.parse(text, "table.yaml", Table)
    assert table.entries[1].legal_basis == table.entries[0].legal_basis


def test_an_alias_bomb_is_refused_quickly():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    bomb = "\n".join(lines) + "\n"
    started = time.perf_counter()
    with pytest.raises(DataFileError) as raised:
        datafiles.read(bomb, "bomb.yaml")
    assert time.perf_counter() - started < 1
    (problem,) = raised.value.problems
    assert problem.startswith("bomb.yaml: ")
    assert problem.endswith("values (aliases expanded) is over the limit of 200000")


def test_the_node_limit_counts_the_values_in_a_plain_file():
    text = "notes:\n" + "".join(f"  k{i}: v\n" for i in range(60))
    with pytest.raises(DataFileError, match="over the limit of 100"):
        datafiles.read(text, "table.yaml", max_nodes=100)
    assert len(datafiles.read(text, "table.yaml", max_nodes=200).data["notes"]) == 60


def test_a_value_that_contains_its_own_alias_is_refused():
    with pytest.raises(DataFileError, match="an alias refers to a value that contains it"):
        datafiles.read("a: &a [1, *a]\n", "loop.yaml")


def test_deep_nesting_is_refused():
    with pytest.raises(DataFileError, match="nested"):
        datafiles.read("[" * 2000 + "]" * 2000, "deep.yaml")


def test_merge_keys_are_refused():
    text = "base: &b {weight: 1}\nother:\n  <<: *b\n"
    assert problems(text) == [
        "table.yaml:3: merge keys (<<) are not supported: use an alias (*name)"
    ]


def test_a_misquoted_law_is_named_with_its_line_and_field():
    text = GOOD.replace("“最佳”等用语", "“最好”等用语")
    (problem,) = problems(text)
    assert problem.startswith("table.yaml:5: entries.0.legal_basis.0: quote not found")


def test_a_wrong_article_number_is_named():
    (problem,) = problems(GOOD.replace("article: 9", "article: 999"))
    assert problem.startswith("table.yaml:5: entries.0.legal_basis.0: 广告法")


def test_legal_bases_are_found_in_lists_dicts_and_nested_models():
    table = datafiles.parse(GOOD, "table.yaml", Table)
    assert [location for location, _ in datafiles.legal_bases(table)] == [
        ("entries", 0, "legal_basis", 0)
    ]


def test_the_error_type_can_be_a_subclass():
    class RulesError(DataFileError):
        pass

    with pytest.raises(RulesError):
        datafiles.parse("entries: 3\n", "table.yaml", Table, error=RulesError)


def test_strict_models_are_frozen():
    table = datafiles.parse(GOOD, "table.yaml", Table)
    with pytest.raises(ValueError, match="frozen"):
        table.entries[0].weight = 5  # type: ignore[misc]
