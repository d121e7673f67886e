"""``liveguard rules``, ``liveguard detect`` and ``liveguard evaluate``: the detection
rules, batch checking, and quality on labelled data. Rule-file problems read
"file:line: field: message"."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from liveguard.detect.rulefile import Role, RuleFile, Source

if TYPE_CHECKING:
    from liveguard.detect.engine import Detector

rules_app = typer.Typer(help="Detection rules.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Measure detectors on labelled data.", no_args_is_help=True)

PlatformFile = Annotated[
    Path | None,
    typer.Option(
        "--platform-file",
        help="a platform overlay (YAML) applied over the shipped rules",
        exists=True,
        dir_okay=False,
    ),
]


def _decoded(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        typer.echo(f"{path.name}: not UTF-8 text ({error.reason})", err=True)
        raise typer.Exit(1) from None


def _applied(
    platform_file: Path | None, base_files: list[RuleFile] | None = None
) -> tuple[Detector, list[RuleFile]]:
    """The detector for the shipped rules (or ``base_files``), with an overlay if given,
    and the parsed files whose rules it holds; problems are printed and end the command."""
    from liveguard.detect import engine, overlay, ruleset
    from liveguard.detect.rulefile import RuleFileError

    try:
        files = list(overlay.shipped_files()) if base_files is None else base_files
        if platform_file is None:
            compiled = ruleset.packaged() if base_files is None else ruleset.compile_files(files)
            return engine.Detector(compiled), files
        spec = overlay.parse_overlay(_decoded(platform_file), platform_file.name)
        applied = overlay.apply(spec, tag=platform_file.stem, base_files=base_files)
        return applied.detector(), [*files, spec]
    except RuleFileError as error:
        _fail(error.problems)


def _fail(problems: list[str]) -> NoReturn:
    """Print rule-file problems, one ``file:line: field: message`` a line, and exit 1."""
    for problem in problems:
        typer.echo(problem)
    typer.echo(f"{len(problems)} problem" + ("s" if len(problems) > 1 else ""))
    raise typer.Exit(1)


@rules_app.command("list")
def rules_list(platform_file: PlatformFile = None) -> None:
    """Print every rule, the rule-set version and the lexicon size."""
    detector, _ = _applied(platform_file)
    compiled = detector.ruleset
    typer.echo(f"{'rule':<34} {'category':<16} {'severity':<9} {'file':<24} message")
    for rule in compiled.rules:
        off = "(disabled) " if rule.id in detector.disabled else ""
        typer.echo(
            f"{rule.id:<34} {rule.category:<16} {rule.severity.value:<9} {rule.file:<24} "
            f"{off}{rule.message}"
        )
    typer.echo(
        f"rule set {compiled.version}: {len(compiled.rules)} rules, "
        f"{compiled.literal_count} lexicon entries"
    )


@rules_app.command("check")
def rules_check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="rule files to check with the shipped ones (each replaces the shipped file "
            "of its name); default: the shipped files",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    alone: Annotated[bool, typer.Option(help="check FILES as a set of their own")] = False,
    platform_file: PlatformFile = None,
) -> None:
    """Validate rule files and run every rule's examples, and check that the enforcement
    policy names only categories and rules the set has; exit 1 on any problem."""
    from liveguard.detect import overlay, ruleset
    from liveguard.detect.rulefile import RuleFileError
    from liveguard.enforcement import policy

    base = None
    if files:
        replaced = {path.name for path in files}
        shipped = [p for p in ruleset.packaged_files() if p.name not in replaced]
        try:
            base = ruleset.load_files(files if alone else [*shipped, *files])
        except RuleFileError as error:
            _fail(error.problems)
    detector, specs = _applied(platform_file, base)
    problems = overlay.example_problems(specs, detector)
    if not alone:  # a set of its own is not the one the policy is written for
        problems += policy.check_against(specs)
    if problems:
        _fail(problems)
    compiled = detector.ruleset
    typer.echo(f"{len(compiled.rules)} rules, {compiled.literal_count} lexicon entries: OK")


class OutputFormat(enum.StrEnum):
    text = "text"
    jsonl = "jsonl"


def detect_file(
    file: Annotated[
        Path,
        typer.Argument(
            help="one text per line, or a JSON object per line "
            '({"text", "role", "category", "source", "id"}); - reads standard input',
            allow_dash=True,
        ),
    ],
    role: Annotated[Role | None, typer.Option(help="who speaks, for lines that do not say")] = None,
    category: Annotated[str | None, typer.Option(help="product category, e.g. food")] = None,
    source: Annotated[Source | None, typer.Option(help="where the texts come from")] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="output form")
    ] = OutputFormat.text,
    platform_file: PlatformFile = None,
) -> None:
    """Check a batch file line by line. Exit 0 when every line was checked, 2 if any was
    refused (each refusal is reported on standard error with its line number)."""
    from liveguard.detect import service
    from liveguard.detect.engine import Context

    if str(file) != "-" and not file.is_file():
        typer.echo(f"{file}: no such file", err=True)
        raise typer.Exit(1)
    detector, _ = _applied(platform_file)
    defaults = Context(role=role, category=category, source=source)
    name = "<stdin>" if str(file) == "-" else file.name
    checked = found = refused = 0
    with sys.stdin.buffer if str(file) == "-" else file.open("rb") as handle:
        for number, raw in enumerate(handle, 1):  # bytes: one bad line must not stop the rest
            item = service.read_batch_line(raw, defaults)
            if item is None:
                continue
            if isinstance(item, str):
                typer.echo(f"{name}:{number}: {item}", err=True)
                refused += 1
                continue
            checked += 1
            for finding in detector.detect(item.text, item.context):
                found += 1
                typer.echo(_finding_line(number, item.id, finding, output))
    typer.echo(f"{checked} lines checked, {found} findings, {refused} refused", err=True)
    raise typer.Exit(2 if refused else 0)


def _finding_line(number: int, item_id: object, finding: Any, output: OutputFormat) -> str:
    rule = finding.rule
    if output is OutputFormat.jsonl:
        record = {
            "line": number,
            "id": item_id,
            "rule": rule.id,
            "category": rule.category,
            "severity": rule.severity.value,
            "quote": finding.quote,
            "start": finding.start,
            "end": finding.end,
        }
        return json.dumps(record, ensure_ascii=False)
    label = f"line {number}" + (f" ({item_id})" if item_id is not None else "")
    return (
        f"{label}: {rule.severity.value} {rule.id} at {finding.start}-{finding.end} "
        f"「{finding.quote}」 {rule.message}"
    )


EVAL_DATA = Path("data", "eval", "detect.jsonl")


def _eval_data() -> Path:
    """The labelled set: under the working directory, else under the source checkout."""
    import liveguard

    places = [Path.cwd(), Path(liveguard.__file__).resolve().parents[2]]
    for place in places:
        if (place / EVAL_DATA).is_file():
            return place / EVAL_DATA
    looked = " and ".join(str(p) for p in places)
    typer.echo(f"no labelled set {EVAL_DATA} under {looked}: pass --data PATH", err=True)
    raise typer.Exit(1)


@evaluate_app.command("detect")
def evaluate_detect(
    data: Annotated[
        list[Path] | None,
        typer.Option(
            help="labelled JSON lines, repeat for several sets (default: data/eval/detect.jsonl)"
        ),
    ] = None,
    mistakes: Annotated[bool, typer.Option(help="also list every miss and false alarm")] = False,
    platform_file: PlatformFile = None,
    unseen_in: Annotated[
        list[Path] | None,
        typer.Option(
            help="score only lines whose text is in none of these files (the training sets)"
        ),
    ] = None,
) -> None:
    """Precision, recall and F1 of the detector per category, a table for each labelled set."""
    from liveguard.detect.evaluate import evaluate, read_lines

    paths = data or [_eval_data()]
    for path in [*paths, *(unseen_in or [])]:
        if not path.is_file():
            typer.echo(f"{path}: no such file", err=True)
            raise typer.Exit(1)
    detector, _ = _applied(platform_file)  # compiled once for every set
    try:
        seen = {item["text"] for path in unseen_in or [] for item in read_lines(path)}
    except (ValueError, UnicodeDecodeError) as error:
        typer.echo(f"{error}", err=True)
        raise typer.Exit(1) from None
    for number, path in enumerate(paths):
        try:
            every = read_lines(path)
            items = [item for item in every if item["text"] not in seen]
            categories = {r.category for r in detector.ruleset.rules}
            categories |= {label for item in items for label in item["labels"]}
            report = evaluate(detector, items, categories)
        except (ValueError, UnicodeDecodeError) as error:
            typer.echo(f"{path}: {error}", err=True)
            raise typer.Exit(1) from None
        if number:
            typer.echo("")
        left_out = f" ({len(every) - len(items)} left out: seen in training)" if seen else ""
        typer.echo(f"{path}: {report.lines} lines{left_out}, rule set {detector.ruleset.version}")
        for row in report.table():
            typer.echo(row)
        if mistakes:
            for mistake in report.mistakes:
                quotes = f"  [{', '.join(mistake.quotes)}]" if mistake.quotes else ""
                typer.echo(
                    f"{mistake.line_id} {mistake.category} {mistake.kind}: {mistake.text}{quotes}"
                )


@evaluate_app.command("listings")
def evaluate_listings(
    data: Annotated[
        Path | None, typer.Option(help="labelled JSON lines (default: data/eval/listings.jsonl)")
    ] = None,
    mistakes: Annotated[bool, typer.Option(help="also list every miss and false alarm")] = False,
) -> None:
    """Precision, recall and F1 of the listing review per check family."""
    from liveguard.catalog import evaluate

    argv = [str(data)] if data else []
    raise typer.Exit(evaluate.main(argv + (["--mistakes"] if mistakes else [])))


@evaluate_app.command("cases")
def evaluate_cases(
    data: Annotated[
        Path | None,
        typer.Option(help="complaint cases, JSON lines (default: data/eval/cases.jsonl)"),
    ] = None,
    mistakes: Annotated[bool, typer.Option(help="also list every wrong answer")] = False,
) -> None:
    """How often the liability engine names the right parties, liability kinds and amounts."""
    from liveguard.liability import evaluate

    argv = [str(data)] if data else []
    raise typer.Exit(evaluate.main(argv + (["--mistakes"] if mistakes else [])))
