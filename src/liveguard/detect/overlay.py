"""A platform's overlay on the shipped rules, and the check that rules match their examples.

An overlay is one more rule file (``rulefile.Overlay``): its own rules, groups and
allow-list compile together with the shipped files; ``disable`` switches shipped rules off
and ``severity`` changes theirs. The shipped files are never edited, so an upgrade brings
new rules to every platform while keeping each platform's changes.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from functools import cache
from typing import cast

from liveguard.detect import ruleset as rulesets
from liveguard.detect.engine import Context, Detector
from liveguard.detect.rulefile import Example, Overlay, RuleFile, RuleFileError, parse


@dataclass(frozen=True)
class Applied:
    """A compiled rule set with a platform's changes, ready for a ``Detector``."""

    ruleset: rulesets.RuleSet
    disabled: frozenset[str]

    def detector(self) -> Detector:
        return Detector(self.ruleset, disabled=self.disabled)


@cache
def shipped_files() -> tuple[RuleFile, ...]:
    """The shipped rule files, parsed once per process (compile_files does not change them)."""
    return tuple(rulesets.load_files(rulesets.packaged_files()))


def parse_overlay(text: str, name: str) -> Overlay:
    """An overlay's YAML text, validated; problems read ``name:line: field: message``."""
    return cast(Overlay, parse(text, name, model=Overlay))


def version_tag(platform: str, version: int) -> str:
    """The suffix a platform's overlay adds to the rule-set version: ``douyin.v3``."""
    return f"{platform}.v{version}"


def apply(overlay: Overlay, *, tag: str, base_files: list[RuleFile] | None = None) -> Applied:
    """Compile ``overlay`` over the shipped files (or ``base_files``); every problem at once.

    The version reads ``<base version>+<tag>``. With ``base_files`` there is no shipped
    version to build on, so the digest of everything compiled stands in for it.
    """
    base = list(shipped_files()) if base_files is None else list(base_files)
    known = {rule.id for spec in base for rule in spec.rules}
    known |= {rule.id for rule in overlay.rules}
    problems = _unknown_ids(overlay, known)
    try:
        compiled = rulesets.compile_files([*base, overlay])
    except RuleFileError as error:
        raise RuleFileError(problems + error.problems) from None
    if problems:
        raise RuleFileError(problems)
    base_version = (
        rulesets.packaged().version if base_files is None else compiled.version.split("+")[0]
    )
    compiled.version = f"{base_version}+{tag}"
    # Rules are frozen and the database refers to them by position: swap in changed copies.
    compiled.rules = [
        replace(rule, severity=overlay.severity[rule.id]) if rule.id in overlay.severity else rule
        for rule in compiled.rules
    ]
    return Applied(ruleset=compiled, disabled=frozenset(overlay.disable))


def _unknown_ids(overlay: Overlay, known: set[str]) -> list[str]:
    problems = []
    for i, rule_id in enumerate(overlay.disable):
        if rule_id not in known:
            problems.append(
                f"{overlay.where('disable', i)}: disable.{i}: {_no_rule(rule_id, known)}"
            )
    for rule_id in overlay.severity:
        if rule_id not in known:
            where = overlay.where("severity", rule_id)
            problems.append(f"{where}: severity.{rule_id}: {_no_rule(rule_id, known)}")
    return problems


def _no_rule(rule_id: str, known: set[str]) -> str:
    close = difflib.get_close_matches(rule_id, sorted(known), n=1, cutoff=0.8)
    hint = f" (did you mean {close[0]!r}?)" if close else " (`liveguard rules list` shows them)"
    return f"there is no rule {rule_id!r}{hint}"


def example_problems(files: list[RuleFile], detector: Detector) -> list[str]:
    """Each rule's examples run through ``detector``: a positive one must be flagged (by
    the rule or a sibling of its category, whose overlapping hits merge), a negative one
    not by this rule. Disabled rules are skipped."""
    problems = []
    for spec in files:
        for r, rule_spec in enumerate(spec.rules):
            if rule_spec.id in detector.disabled:
                continue
            rule = detector.ruleset.rule(rule_spec.id)
            for kind in ("positive", "negative"):
                for e, example in enumerate(getattr(rule_spec.examples, kind)):
                    if isinstance(example, str):
                        example = Example(text=example)
                    context = Context(
                        role=example.role or (min(rule.roles) if rule.roles else None),
                        category=example.category,
                        source=example.source,
                    )
                    found = detector.detect(example.text, context)
                    where = spec.where("rules", r, "examples", kind, e)
                    field = f"rules.{r}.examples.{kind}.{e}"
                    if kind == "positive" and rule.category not in {f.rule.category for f in found}:
                        problems.append(f"{where}: {field}: {example.text!r} is not flagged")
                    if kind == "negative" and rule.id in {f.rule.id for f in found}:
                        problems.append(
                            f"{where}: {field}: {example.text!r} is flagged by {rule.id}"
                        )
    return problems
