"""Reading a live room's frames: QR codes on every frame, on-screen text when it changed.

A QR decode (zxing-cpp, QR only) costs about a millisecond a 720p frame, so every frame is
decoded. OCR (RapidOCR, its ONNX models shipped inside the wheel, nothing downloaded) costs
0.2-0.4 s, so a frame is read only when it differs from the stream's last read frame (block
means of a downscaled grey copy), at most once per ``min_gap_seconds`` of frame
time, and only the part of it where text-like detail is (cells dense with horizontal
edges; a decoded QR code is blanked first, it is not text). Settings: ``data/frames.yaml``.

    analyser = FrameAnalyser()                      # one per worker: loads the OCR models once
    reading = analyser.analyse(png_bytes, stream="session-7", at=occurred_at)
    reading.qr_codes    # [QrCode(payload, kind, rule, box)]: kind from data/qr_payloads.yaml
    reading.lines       # [TextLine(text, box, score)]: empty unless reading.ocr == "read"
    reading.to_dict()   # JSON for the frame event and the console
"""

from __future__ import annotations

import io
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import zxingcpp
from PIL import Image, UnidentifiedImageError
from pydantic import Field

from liveguard import datafiles
from liveguard.datafiles import Strict
from liveguard.errors import InvalidInput
from liveguard.live.payloads import PayloadKind, PayloadRule, classify_payload

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels
OcrStatus = Literal["read", "unchanged", "deferred", "no_text", "off"]
FRAME_FORMATS = ("PNG", "JPEG")


class QrSettings(Strict):
    formats: list[str] = Field(min_length=1)


class OcrSettings(Strict):
    max_side: int = Field(ge=320, le=4096)
    threads: int = Field(ge=1, le=16)
    min_score: float = Field(ge=0, le=1)
    use_angle_classifier: bool


class SamplingSettings(Strict):
    thumb_width: int = Field(ge=8, le=256)
    max_block_change: int = Field(ge=0, le=255)
    min_gap_seconds: float = Field(ge=0)
    max_streams: int = Field(ge=1)


class CropSettings(Strict):
    probe_width: int = Field(ge=64, le=1280)
    cell: int = Field(ge=2, le=64)
    edge_threshold: int = Field(ge=1, le=255)
    min_edge_share: float = Field(gt=0, le=1)
    margin: int = Field(ge=0)


class LimitSettings(Strict):
    max_bytes: int = Field(ge=1024)
    max_pixels: int = Field(ge=1024)


class FrameSettings(Strict):
    qr: QrSettings
    ocr: OcrSettings
    sampling: SamplingSettings
    crop: CropSettings
    limits: LimitSettings


@cache
def frame_settings() -> FrameSettings:
    """The shipped settings (``data/frames.yaml``), parsed once."""
    return datafiles.load("liveguard.live", "frames.yaml", FrameSettings)


@dataclass(frozen=True)
class QrCode:
    payload: str
    kind: PayloadKind
    rule: PayloadRule | None  # the qr_payloads.yaml entry; None for a plain url or text
    box: Box

    def to_dict(self) -> dict[str, Any]:
        rule = self.rule
        return {
            "payload": self.payload,
            "kind": self.kind.value,
            "rule": rule.id if rule else None,
            "severity": rule.severity.value if rule else None,
            "message": rule.message if rule else None,
            "box": list(self.box),
        }


@dataclass(frozen=True)
class TextLine:
    text: str
    box: Box
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "box": list(self.box), "score": round(self.score, 3)}


@dataclass(frozen=True)
class FrameReading:
    width: int
    height: int
    fingerprint: str  # hex difference hash of the thumbnail: equal for equal pictures
    qr_codes: list[QrCode]
    lines: list[TextLine]
    ocr: OcrStatus
    crop: Box | None = None  # the part of the frame OCR read
    timings_ms: dict[str, float] = field(default_factory=dict)

    def texts(self) -> list[str]:
        """The lines read, for the text detectors (source: on-screen text)."""
        return [line.text for line in self.lines]

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "fingerprint": self.fingerprint,
            "qr_codes": [code.to_dict() for code in self.qr_codes],
            "lines": [line.to_dict() for line in self.lines],
            "ocr": self.ocr,
            "crop": list(self.crop) if self.crop else None,
            "timings_ms": self.timings_ms,
        }


def load_image(data: bytes, limits: LimitSettings | None = None) -> Image.Image:
    """A PNG or JPEG frame as RGB; anything else refused with a reason before decoding."""
    limits = limits or frame_settings().limits
    fix = "send the frame as a PNG or JPEG still, at most 4096 x 4096"
    if len(data) > limits.max_bytes:
        raise InvalidInput("image", f"the frame is {len(data)} bytes", fix)
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError):
        raise InvalidInput("image", "not a PNG or JPEG image", fix) from None
    if image.format not in FRAME_FORMATS:
        raise InvalidInput("image", f"{image.format} is not a frame format", fix)
    if image.width * image.height > limits.max_pixels:
        raise InvalidInput("image", f"the frame is {image.width} x {image.height}", fix)
    try:
        return image.convert("RGB")
    except OSError:
        raise InvalidInput("image", "the image data is truncated or corrupt", fix) from None


def thumbnail(grey: Image.Image, width: int) -> np.ndarray:
    """Mean grey level of each block: the frame shrunk to ``width`` blocks across."""
    height = max(1, round(grey.height * width / grey.width))
    return np.asarray(grey.resize((width, height), Image.Resampling.BOX), dtype=np.int16)


def difference_hash(thumb: np.ndarray) -> int:
    """Each bit: is a block brighter than its right neighbour (a perceptual hash)."""
    bits = (thumb[:, 1:] > thumb[:, :-1]).ravel()
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def near_duplicate(thumb: np.ndarray, previous: np.ndarray, max_block_change: int) -> bool:
    """No block's mean grey level moved by more than ``max_block_change``."""
    if thumb.shape != previous.shape:
        return False
    return int(np.abs(thumb - previous).max()) <= max_block_change


def decode_qr(grey: np.ndarray, settings: QrSettings | None = None) -> list[QrCode]:
    """Every QR code in a grey frame, its payload classified."""
    settings = settings or frame_settings().qr
    formats = zxingcpp.barcode_formats_from_str(",".join(settings.formats))
    codes = []
    for found in zxingcpp.read_barcodes(grey, formats=formats):
        if not found.valid or not found.text:
            continue
        p = found.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_right.x, p.bottom_left.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_right.y, p.bottom_left.y]
        match = classify_payload(found.text)
        box = (min(xs), min(ys), max(xs), max(ys))
        codes.append(QrCode(payload=found.text, kind=match.kind, rule=match.rule, box=box))
    return codes


def text_area(grey: Image.Image, exclude: list[Box], settings: CropSettings) -> Box | None:
    """The box around cells dense with strong horizontal edges (text-like), or None.

    Edges inside ``exclude`` (decoded QR codes) do not count: a QR code is all edges.
    """
    scale = settings.probe_width / grey.width
    probe_size = (settings.probe_width, max(settings.cell, round(grey.height * scale)))
    probe = np.asarray(grey.resize(probe_size, Image.Resampling.BILINEAR), dtype=np.int16)
    edges = np.abs(np.diff(probe, axis=1)) >= settings.edge_threshold
    for x0, y0, x1, y1 in exclude:
        pad = (x1 - x0) // 4  # the quiet zone around the modules, and its border
        x0, y0, x1, y1 = x0 - pad, max(0, y0 - pad), x1 + pad, y1 + pad
        x0 = max(0, x0)
        edges[int(y0 * scale) : int(y1 * scale) + 2, int(x0 * scale) : int(x1 * scale) + 2] = 0
    cell = settings.cell
    rows, cols = edges.shape[0] // cell, edges.shape[1] // cell
    if rows == 0 or cols == 0:
        return None
    cells = edges[: rows * cell, : cols * cell].reshape(rows, cell, cols, cell).mean(axis=(1, 3))
    dense_rows, dense_cols = np.nonzero(cells >= settings.min_edge_share)
    if dense_rows.size == 0:
        return None
    m = settings.margin
    x0 = max(0, dense_cols.min() * cell - m)
    y0 = max(0, dense_rows.min() * cell - m)
    x1 = min(probe.shape[1], (dense_cols.max() + 1) * cell + m + 1)
    y1 = min(probe.shape[0], (dense_rows.max() + 1) * cell + m)
    return (
        int(x0 / scale),
        int(y0 / scale),
        min(grey.width, int(np.ceil(x1 / scale))),
        min(grey.height, int(np.ceil(y1 / scale))),
    )


class TextReader:
    """RapidOCR with the models from its own wheel: never a download, whatever its config."""

    def __init__(self, settings: OcrSettings | None = None) -> None:
        self.settings = settings or frame_settings().ocr
        self._engine: Any = None
        self._lock = threading.Lock()
        self._reading = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._engine is None:
                import rapidocr

                models = _wheel_models(Path(rapidocr.__file__).parent / "models")
                s = self.settings
                self._engine = rapidocr.RapidOCR(
                    params={
                        "Global.log_level": "warning",
                        "Global.use_cls": s.use_angle_classifier,
                        "Global.text_score": s.min_score,
                        "Det.model_path": models["det"],
                        "Det.limit_type": "max",
                        "Det.limit_side_len": s.max_side,
                        "Rec.model_path": models["rec"],
                        "Cls.model_path": models["cls"],
                        "EngineConfig.onnxruntime.intra_op_num_threads": s.threads,
                        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                    }
                )
            return self._engine

    def read(self, rgb: np.ndarray, offset: tuple[int, int] = (0, 0)) -> list[TextLine]:
        """The text lines in an RGB image; boxes shifted by ``offset`` into frame pixels."""
        engine = self._load()
        with self._reading:  # one read at a time: a worker is one core, and the pipeline
            result = engine(np.ascontiguousarray(rgb[:, :, ::-1]))  # keeps state; wants BGR
        if result.txts is None or result.boxes is None:
            return []
        lines = []
        dx, dy = offset
        for text, score, points in zip(result.txts, result.scores, result.boxes, strict=True):
            if score < self.settings.min_score or not text.strip():
                continue
            xs, ys = points[:, 0], points[:, 1]
            box = (int(xs.min()) + dx, int(ys.min()) + dy, int(xs.max()) + dx, int(ys.max()) + dy)
            lines.append(TextLine(text=text.strip(), box=box, score=float(score)))
        return lines


def _wheel_models(folder: Path) -> dict[str, str]:
    """The detection, recognition and angle models shipped in RapidOCR's wheel, by task.

    Given explicit paths RapidOCR never fetches a model; without them it would download.
    """
    found = {}
    for task in ("det", "rec", "cls"):
        paths = sorted(folder.glob(f"*_{task}_*.onnx"))
        if len(paths) != 1:
            raise RuntimeError(
                f"expected one {task} model in {folder}, found {[p.name for p in paths]}: "
                "install a rapidocr wheel that ships its models (pip install rapidocr)"
            )
        found[task] = str(paths[0])
    return found


@dataclass
class _Seen:
    thumb: np.ndarray  # of the stream's last read frame
    at: float | None


class FrameAnalyser:
    """Reads frames for many streams, remembering each stream's last read frame."""

    def __init__(self, settings: FrameSettings | None = None, *, ocr: bool = True) -> None:
        self.settings = settings or frame_settings()
        self.ocr = ocr
        self.reader = TextReader(self.settings.ocr)
        self._streams: OrderedDict[str, _Seen] = OrderedDict()
        self._lock = threading.Lock()

    def analyse(
        self, image: bytes | Image.Image, *, stream: str = "", at: datetime | None = None
    ) -> FrameReading:
        """QR codes always; text when the frame is new to the stream (``stream=""``: always)."""
        started = time.perf_counter()
        rgb = load_image(image, self.settings.limits) if isinstance(image, bytes) else image
        rgb = rgb.convert("RGB")
        grey = rgb.convert("L")
        grey_array = np.asarray(grey)
        sampling = self.settings.sampling
        thumb = thumbnail(grey, sampling.thumb_width)
        decoded = time.perf_counter()
        codes = decode_qr(grey_array, self.settings.qr)
        timings = {"qr": (time.perf_counter() - decoded) * 1000}

        status = self._decide(stream, thumb, at.timestamp() if at else None)
        lines: list[TextLine] = []
        crop = None
        if status == "read":
            read_at = time.perf_counter()
            crop = text_area(grey, [code.box for code in codes], self.settings.crop)
            if crop is None:
                status = "no_text"
            else:
                lines = self.reader.read(_blank(np.array(rgb), codes, crop), crop[:2])
            timings["ocr"] = (time.perf_counter() - read_at) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        return FrameReading(
            width=rgb.width,
            height=rgb.height,
            fingerprint=f"{difference_hash(thumb):x}",
            qr_codes=codes,
            lines=lines,
            ocr=status,
            crop=crop,
            timings_ms={k: round(v, 2) for k, v in timings.items()},
        )

    def _decide(self, stream: str, thumb: np.ndarray, at: float | None) -> OcrStatus:
        """Read now, or not: the same picture as last read, or too soon after the last read."""
        if not self.ocr:
            return "off"
        if not stream:
            return "read"
        sampling = self.settings.sampling
        with self._lock:
            seen = self._streams.get(stream)
            if seen is not None:
                self._streams.move_to_end(stream)
                if near_duplicate(thumb, seen.thumb, sampling.max_block_change):
                    return "unchanged"
                gap = sampling.min_gap_seconds
                if at is not None and seen.at is not None and 0 <= at - seen.at < gap:
                    return "deferred"
            self._streams[stream] = _Seen(thumb=thumb, at=at)
            while len(self._streams) > sampling.max_streams:
                self._streams.popitem(last=False)
        return "read"

    def forget(self, stream: str) -> None:
        """Drop a stream's memory (its session ended)."""
        with self._lock:
            self._streams.pop(stream, None)


def _blank(rgb: np.ndarray, codes: list[QrCode], crop: Box) -> np.ndarray:
    """The crop, with decoded QR codes painted over in the frame's mean colour."""
    x0, y0, x1, y1 = crop
    for code in codes:
        bx0, by0, bx1, by1 = code.box
        rgb[max(by0, 0) : by1 + 1, max(bx0, 0) : bx1 + 1] = rgb.mean(axis=(0, 1))
    return rgb[y0:y1, x0:x1]


_default: FrameAnalyser | None = None


def analyse_frame(image: bytes | Image.Image, *, ocr: bool = True) -> FrameReading:
    """One frame on its own (no stream memory): QR codes, and its text unless ``ocr=False``."""
    global _default
    if _default is None:
        _default = FrameAnalyser()
    return _default.analyse(image) if ocr else FrameAnalyser(ocr=False).analyse(image)
