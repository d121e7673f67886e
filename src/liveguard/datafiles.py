"""The one loader for data files: YAML read safely, within limits, into strict models.

Every rule file, lexicon, policy and table LiveGuard ships (and every overlay a platform
writes) is read here, so they all get the same guarantees:

- a safe loader (plain values only, no Python objects) and duplicate keys refused;
- limits that make a hostile file harmless: a size in bytes, a count of nodes *after*
  aliases are expanded (so a "billion laughs" document is refused before it is built,
  while the shared legal bases that ``&anchor``/``*alias`` save typing still work), and
  a nesting depth;
- problems as ``file:line: field: message``, for the people who edit the files;
- every ``LegalBasis`` in the parsed model checked against the vendored law text.

Data models inherit ``Strict``: unknown keys are refused, parsed values are frozen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from liveguard.legal import LegalBasis, quote_problem

MAX_BYTES = 1_000_000  # the largest shipped file is ~45 kB
MAX_NODES = 200_000  # values after aliases are expanded; the largest file has ~10,000
MAX_DEPTH = 50

Location = tuple[Any, ...]  # keys and list indexes from the document's root
M = TypeVar("M", bound=BaseModel)


class DataFileError(ValueError):
    """Every problem found in a data file, one ``file:line: field: message`` each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Strict(BaseModel):
    """The base of data models: unknown keys are mistakes, and parsed data does not change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Document:
    """A data file's plain value and the line each of its values starts on."""

    name: str
    data: Any
    lines: Mapping[Location, int]

    def line(self, location: Location) -> int:
        """The line of ``location``, or of its nearest parent that has one."""
        for end in range(len(location), -1, -1):
            if (line := self.lines.get(location[:end])) is not None:
                return line
        return 1

    def where(self, location: Location) -> str:
        """``file:line`` of a value."""
        return f"{self.name}:{self.line(location)}"

    def problem(self, location: Location, message: str) -> str:
        """``file:line: field: message``."""
        field = ".".join(str(part) for part in location) or "(file)"
        return f"{self.where(location)}: {field}: {message}"


def read(
    text: str | bytes,
    name: str,
    *,
    error: type[DataFileError] = DataFileError,
    max_bytes: int = MAX_BYTES,
    max_nodes: int = MAX_NODES,
) -> Document:
    """A YAML document's plain value with its line numbers, or ``error`` saying why not."""
    if len(text.encode("utf-8") if isinstance(text, str) else text) > max_bytes:
        raise error([f"{name}: larger than the limit of {max_bytes} bytes for a data file"])
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as decode_error:
            raise error([f"{name}: not UTF-8 text ({decode_error.reason})"]) from None
    try:  # the reader refuses control characters as soon as it is made
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as reader_error:
        reason = getattr(reader_error, "reason", None) or reader_error
        raise error([f"{name}: not valid YAML: {reason}"]) from None
    try:
        root = loader.get_single_node()
        if root is None:
            raise error([f"{name}: the file is empty"])
        nodes = _expanded_size(root, {}, set(), 0)
        if nodes > max_nodes:
            raise error(
                [f"{name}: {nodes} values (aliases expanded) is over the limit of {max_nodes}"]
            )
        lines: dict[Location, int] = {}
        data = _plain(root, (), lines, loader)
    except yaml.YAMLError as yaml_error:
        mark = getattr(yaml_error, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        problem = getattr(yaml_error, "problem", None) or yaml_error
        raise error([f"{where}: not valid YAML: {problem}"]) from None
    except _Refused as refused:
        raise error([f"{name}:{refused.line}: {refused.message}"]) from None
    except RecursionError:
        raise error([f"{name}: nested too deeply"]) from None
    finally:
        loader.dispose()
    return Document(name, data, lines)


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_: set[int], depth: int) -> int:
    """How many values ``node`` becomes once every alias in it is copied out.

    A node reached twice (an alias) is counted from memory, so counting is linear in the
    file even when the expansion would be exponential.
    """
    key = id(node)
    if key in sizes:
        return sizes[key]
    line = node.start_mark.line + 1
    if key in open_:
        raise _Refused(line, "an alias refers to a value that contains it")
    if depth > MAX_DEPTH:
        raise _Refused(line, f"nested deeper than {MAX_DEPTH} levels")
    open_.add(key)
    total = 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            total += _expanded_size(value_node, sizes, open_, depth + 1)
            total += _expanded_size(key_node, sizes, open_, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            total += _expanded_size(item, sizes, open_, depth + 1)
    open_.discard(key)
    sizes[key] = total
    return total


def _plain(
    node: yaml.Node, location: Location, lines: dict[Location, int], loader: yaml.SafeLoader
) -> Any:
    """The Python value of a composed node, noting each location's line."""
    lines[location] = node.start_mark.line + 1
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        raise _Refused(lines[location], f"the tag {node.tag} is not allowed in a data file")
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(line, "a key must be a plain value, not a list or a mapping")
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(line, "merge keys (<<) are not supported: use an alias (*name)")
            key = loader.construct_object(key_node)
            if key in result:
                raise _Refused(line, f"duplicate key {key!r}")
            result[key] = _plain(value_node, (*location, key), lines, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*location, i), lines, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node)


def validate(
    document: Document,
    model: type[M],
    *,
    error: type[DataFileError] = DataFileError,
    strict: bool | None = None,
) -> M:
    """``document`` validated into ``model``; pydantic's complaints with file and line."""
    try:
        return model.model_validate(document.data, strict=strict)
    except ValidationError as invalid:
        problems = []
        for issue in invalid.errors():
            # drop the tags pydantic adds for unions (``list[str]``, ``GroupSpec``)
            location = tuple(p for p in issue["loc"] if not (isinstance(p, str) and "[" in p))
            problems.append(document.problem(location, str(issue["msg"])))
        raise error(problems) from None


def legal_bases(value: Any, location: Location = ()) -> list[tuple[Location, LegalBasis]]:
    """Every ``LegalBasis`` inside a parsed model, with its location."""
    if isinstance(value, LegalBasis):
        return [(location, value)]
    found = []
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found.extend(legal_bases(getattr(value, name), (*location, name)))
    elif isinstance(value, dict):
        for key, item in value.items():
            found.extend(legal_bases(item, (*location, key)))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found.extend(legal_bases(item, (*location, i)))
    return found


def quote_problems(document: Document, parsed: BaseModel) -> list[str]:
    """A ``file:line: field: problem`` for each legal quote that is not in its article."""
    return [
        document.problem(location, problem)
        for location, basis in legal_bases(parsed)
        if (problem := quote_problem(basis)) is not None
    ]


def parse(
    text: str | bytes,
    name: str,
    model: type[M],
    *,
    error: type[DataFileError] = DataFileError,
    strict: bool | None = None,
) -> M:
    """A data file's text read, validated into ``model`` and its legal quotes checked."""
    document = read(text, name, error=error)
    parsed = validate(document, model, error=error, strict=strict)
    if problems := quote_problems(document, parsed):
        raise error(problems)
    return parsed


def file_bytes(path: Path | Traversable, max_bytes: int = MAX_BYTES) -> bytes:
    """A file's bytes, at most one over ``max_bytes`` (enough for ``read`` to refuse it)."""
    with path.open("rb") as file:
        return file.read(max_bytes + 1)


def shipped_bytes(package: str, name: str) -> bytes:
    """``data/<name>`` shipped in ``package``; ``read`` checks its size and encoding."""
    return file_bytes(resources.files(package).joinpath("data", name))


def load(
    package: str,
    name: str,
    model: type[M],
    *,
    error: type[DataFileError] = DataFileError,
    strict: bool | None = None,
) -> M:
    """``data/<name>`` shipped in ``package``, parsed into ``model``."""
    return parse(shipped_bytes(package, name), name, model, error=error, strict=strict)
