"""Detection for callers: checked input, each platform's rule set, stored overlays. No web.

Compiled detectors live in one process-wide ``registry``. A request for a platform reads
the (version, digest) of its latest stored overlay, one indexed SELECT, and rebuilds only
when that differs from what was compiled, so a new overlay takes effect without a restart,
in every worker process, while a request costs one small query.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveguard.detect import overlay as overlays
from liveguard.detect import ruleset as rulesets
from liveguard.detect import scrub as scrubbing
from liveguard.detect.engine import MAX_TEXT, Context, Detector, Finding
from liveguard.detect.models import DetectRuleset
from liveguard.detect.rulefile import Overlay, Role, RuleFileError, Source
from liveguard.errors import Conflict, FieldProblem, InvalidInput, LiveGuardError, NotFound

PLATFORM_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")  # as parties' platform codes


class InvalidRuleFile(LiveGuardError):
    """An overlay refused before it is stored; each problem reads ``file:line: field: msg``."""

    status = 422
    slug = "invalid-rule-file"
    title = "The rule file has mistakes"

    def __init__(self, problems: list[str]) -> None:
        fix = "correct the overlay at that line and send it again"
        count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
        super().__init__(
            f"{count} in the rule file: " + "; ".join(problems),
            problems=[FieldProblem("content", problem, fix) for problem in problems],
        )
        self.lines = problems


class NoOverlay(NotFound):
    def __init__(self, platform: str, version: int | None = None) -> None:
        which = f"version {version} of an overlay" if version else "an overlay"
        LiveGuardError.__init__(self, f"platform {platform!r} has no stored {which}")


@dataclass(frozen=True)
class Detection:
    ruleset_version: str
    findings: list[Finding]


@dataclass
class Loaded:
    """One compiled detector and what it was compiled from."""

    detector: Detector | None
    key: tuple[int, str] | None = None  # (version, digest) of the overlay; None: shipped
    problem: str | None = None  # why a stored overlay no longer compiles

    def usable(self, platform: str) -> Detector:
        if self.detector is None:
            raise Conflict(
                f"the stored overlay for {platform!r} no longer fits the shipped rules: "
                f"{self.problem}",
                field_name="platform",
                fix=f"store a corrected overlay (PUT /api/detect/rulesets/{platform})",
            )
        return self.detector


class Registry:
    """Compiled detectors per platform, shared by every request in the process."""

    def __init__(self) -> None:
        self._loaded: dict[str | None, Loaded] = {}
        self._building = threading.Lock()  # compiling takes about a second: once at a time

    def shipped(self) -> Loaded:
        if None not in self._loaded:
            with self._building:
                if None not in self._loaded:
                    self._loaded[None] = Loaded(Detector(rulesets.packaged()))
        return self._loaded[None]

    def get(self, *, db_session: Session, platform: str | None) -> Loaded:
        """The detector for ``platform``: its latest overlay, or the shipped rules alone."""
        if platform is None:
            return self.shipped()
        key = _latest_key(db_session, platform)
        if key is None:
            return self.shipped()
        cached = self._loaded.get(platform)
        if cached is not None and cached.key == key:
            return cached
        with self._building:
            cached = self._loaded.get(platform)
            if cached is not None and cached.key == key:
                return cached
            row = get(db_session=db_session, platform=platform, version=key[0])
            try:
                applied = _compile(row.platform, row.version, row.content)
                loaded = Loaded(applied.detector(), key)
            except RuleFileError as error:
                loaded = Loaded(None, key, problem="; ".join(error.problems))
            self._loaded[platform] = loaded
            return loaded

    def prime(self, platform: str, key: tuple[int, str], detector: Detector) -> None:
        """Keep a detector just compiled for a new overlay, so no request compiles it again."""
        self._loaded[platform] = Loaded(detector, key)

    def clear(self) -> None:
        self._loaded.clear()


registry = Registry()


@cache
def rule_messages() -> Mapping[str, str]:
    """Each shipped rule's own words (its ``message``) by rule id: what a person reads
    where a machine would name ``diversion.contact_invite``."""
    return {rule.id: rule.message for spec in overlays.shipped_files() for rule in spec.rules}


def rule_message(rule: str) -> str | None:
    return rule_messages().get(rule)


def _latest_key(db_session: Session, platform: str) -> tuple[int, str] | None:
    # The digest as well as the version: version numbers restart on another database.
    row = db_session.execute(
        select(DetectRuleset.version, DetectRuleset.digest)
        .where(DetectRuleset.platform == platform)
        .order_by(DetectRuleset.version.desc())
        .limit(1)
    ).first()
    return (row.version, row.digest) if row else None


def _compile(platform: str, version: int, content: str) -> overlays.Applied:
    spec = overlays.parse_overlay(content, f"{platform}.yaml")
    return overlays.apply(spec, tag=overlays.version_tag(platform, version))


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be checked, or None."""
    if not text.strip():
        return "the text is empty"
    if len(text) > MAX_TEXT:
        return f"the text is {len(text)} characters long; the limit is {MAX_TEXT}"
    return None


@dataclass(frozen=True)
class BatchLine:
    text: str
    context: Context
    id: object = None  # the caller's own id for the line, echoed in its findings


def read_batch_line(raw: bytes, defaults: Context) -> BatchLine | str | None:
    """One line of a batch file; a problem saying why it is refused; or None when blank.

    A line starting with ``{`` is a JSON object ``{"text", "role"?, "category"?,
    "source"?, "id"?}`` whose fields override ``defaults``; any other line is the text.
    """
    try:
        line = raw.decode("utf-8").rstrip("\r\n").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        return f"not UTF-8 text (byte 0x{raw[error.start]:02x} at byte {error.start + 1})"
    if not line.strip():
        return None
    if not line.lstrip().startswith("{"):
        return text_problem(line) or BatchLine(line, defaults)
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        where = f"{error.msg} at column {error.colno}"
        return f"not valid JSON ({where}); a line starting with '{{' is read as JSON"
    if not isinstance(data.get("text"), str):
        return 'a JSON line needs a "text" string'
    context = defaults
    for key, kind in (("role", Role), ("source", Source)):
        if data.get(key) is not None:
            try:
                value = kind(data[key])
            except ValueError:
                return f"{key}: {data[key]!r} is not one of {', '.join(kind)}"
            if isinstance(value, Role):
                context = replace(context, role=value)
            else:
                context = replace(context, source=value)
    if data.get("category") is not None:
        if not isinstance(data["category"], str):
            return "category: send a string, e.g. food"
        context = replace(context, category=data["category"])
    return text_problem(data["text"]) or BatchLine(data["text"], context, data.get("id"))


def check_text(text: str) -> None:
    if (problem := text_problem(text)) is None:
        return
    if len(text) > MAX_TEXT:
        raise InvalidInput("text", problem, f"split it into parts of at most {MAX_TEXT} characters")
    raise InvalidInput("text", problem, "send the words to check: speech, chat or listing text")


def check_platform(platform: str) -> None:
    if not PLATFORM_CODE.match(platform):
        raise InvalidInput(
            "platform",
            f"{platform!r} is not a platform code",
            "use 2-40 lower-case letters, digits or hyphens, e.g. douyin",
        )


def detect(
    *, db_session: Session, text: str, context: Context, platform: str | None = None
) -> Detection:
    """Findings in one text under the platform's rules (the shipped rules when None)."""
    check_text(text)
    loaded = registry.get(db_session=db_session, platform=platform)
    detector = loaded.usable(platform or "")
    findings = detector.detect(text, context)  # a detector scans in each thread's scratch
    return Detection(ruleset_version=detector.ruleset.version, findings=findings)


def scrub(text: str) -> scrubbing.Scrubbed:
    """``text`` with the personal information the shipped rules find in it masked."""
    return scrubbing.scrub(text)


def scrub_many(
    texts: Sequence[str], contexts: Sequence[Context] | None = None
) -> list[scrubbing.Scrubbed]:
    """``scrub`` for a batch of texts; a seller's own words read in their context."""
    return scrubbing.scrub_many(texts, contexts)


def get_detector(*, db_session: Session, platform: str | None = None) -> Detector:
    """The detector a platform's texts are checked with (for listing its rules)."""
    return registry.get(db_session=db_session, platform=platform).usable(platform or "")


def get(*, db_session: Session, platform: str, version: int) -> DetectRuleset:
    found = db_session.scalar(
        select(DetectRuleset).where(
            DetectRuleset.platform == platform, DetectRuleset.version == version
        )
    )
    if found is None:
        raise NoOverlay(platform, version)
    return found


def get_all(*, db_session: Session, platform: str) -> Sequence[DetectRuleset]:
    """Every stored version of a platform's overlay, newest first."""
    rows = db_session.scalars(
        select(DetectRuleset)
        .where(DetectRuleset.platform == platform)
        .order_by(DetectRuleset.version.desc())
    ).all()
    if not rows:
        raise NoOverlay(platform)
    return rows


@dataclass(frozen=True)
class Stored:
    row: DetectRuleset
    ruleset_version: str
    created: bool  # False when the content equals the latest version's


@dataclass(frozen=True)
class CheckedOverlay:
    """An overlay parsed, compiled and tried on its examples: no database involved."""

    content: str
    spec: Overlay
    applied: overlays.Applied
    detector: Detector


def check_overlay(*, platform: str, content: str) -> CheckedOverlay:
    """Parse and compile an untrusted overlay, before any transaction is opened.

    The YAML is read by ``datafiles`` (size, values after aliases, depth capped) and the
    overlay's regexes are bounded (``rulefile.Overlay``), so a hostile overlay is refused
    in well under a second; done first, it never holds a database lock while compiling.
    """
    check_platform(platform)
    try:
        spec = overlays.parse_overlay(content, f"{platform}.yaml")
        applied = overlays.apply(spec, tag=overlays.version_tag(platform, 0))
    except RuleFileError as error:
        raise InvalidRuleFile(error.problems) from None
    detector = applied.detector()
    # The overlay's own rules must do what their examples say, as shipped rules must.
    if problems := overlays.example_problems([spec], detector):
        raise InvalidRuleFile(problems)
    return CheckedOverlay(content, spec, applied, detector)


def put_overlay(
    *, db_session: Session, platform: str, checked: CheckedOverlay, created_by: str
) -> Stored:
    """Store a checked overlay as the platform's next version (the same text again: kept)."""
    content = checked.content
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    key = _latest_key(db_session, platform)
    if key is not None and key[1] == digest:  # the same text again: nothing new to store
        row = get(db_session=db_session, platform=platform, version=key[0])
        tagged = rulesets.packaged().version + "+" + overlays.version_tag(platform, key[0])
        return Stored(row, tagged, created=False)
    version = (key[0] if key else 0) + 1
    applied, detector = checked.applied, checked.detector
    applied.ruleset.version = (
        rulesets.packaged().version + "+" + overlays.version_tag(platform, version)
    )
    row = DetectRuleset(
        platform=platform, version=version, content=content, digest=digest, created_by=created_by
    )
    db_session.add(row)
    try:
        db_session.flush()
    except IntegrityError:
        raise Conflict(
            f"another version {version} of the {platform!r} overlay was stored at the same time",
            field_name="content",
            fix="read the latest version and send yours again",
        ) from None
    registry.prime(platform, (version, digest), detector)
    return Stored(row, applied.ruleset.version, created=True)
