#!/usr/bin/env python
"""Benchmark of frame reading (src/liveguard/live/frames.py) on 720p frames, one core.

    .venv/bin/python benchmarks/bench_frames.py            # full run: 40 rounds
    .venv/bin/python benchmarks/bench_frames.py --quick    # smoke run: 8 rounds

The frames are drawn here: a 1280 x 720 backdrop of soft shapes with per-pixel grain (a
studio-like picture, so neither the QR finder nor the text detector has it easy), a QR
code (WeChat card, WeChat pay, Alipay, QQ or a shop link) at a random place and size in
half of them, and one to three Chinese captions (Noto CJK; skipped without it). Each
figure is measured in rounds interleaved with its baseline in the same process, pinned
to one core, and medians are printed with the ratio.

Sections
  1. QR decode per frame: zxing-cpp with QR only (what frames.py does) beside every
     format on, ms and frames/s, and how many of the drawn codes each found.
  2. OCR per frame: FrameAnalyser's read (crop to text-like cells, QR blanked) beside
     RapidOCR on the whole frame, ms, and the share of drawn captions read exactly.
  3. A stream at 2 frames/s for 60 s, the caption changing every 10 s, camera noise on
     every frame: reads made, mean cost per frame, captions read.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

try:  # the venv installs the package (editable); PYTHONPATH can point at another copy
    import liveguard  # noqa: F401
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import zxingcpp
from _report import median, pin, section, table
from PIL import Image, ImageDraw, ImageFilter
from tests.frame_images import CJK_FONTS, encoded, qr_image

from liveguard.live import frames

PAYLOADS = [
    "https://u.wechat.com/EH2xQ3kC9lXz1aBcDeFg",
    "wxp://f2f0Ht4b7E8cQzX0pLmN3aK9vQ2rT5yW",
    "HTTPS://QR.ALIPAY.COM/FKX07101TQFMN0ZJ9U1EE2",
    "https://qm.qq.com/cgi-bin/qm/qr?k=AbCd123",
    "https://m.tb.cn/h.5AbCdEf?tk=xyz",
]
CAPTIONS = ["加我薇信发货快", "年货节羽绒服特价", "点击下方小黄车", "拍一发二包邮", "今晚最后三件"]


def backdrop(rng: random.Random) -> Image.Image:
    noise = np.random.default_rng(rng.randrange(1 << 30)).integers(0, 255, (45, 80, 3))
    image = Image.fromarray(noise.astype(np.uint8)).resize((1280, 720), Image.Resampling.BICUBIC)
    image = image.filter(ImageFilter.GaussianBlur(6))
    draw = ImageDraw.Draw(image)
    for _ in range(4):  # a person, a rack of clothes: soft blobs
        x, y = rng.randrange(0, 1100), rng.randrange(0, 600)
        draw.ellipse(
            (x, y, x + rng.randrange(120, 380), y + rng.randrange(120, 400)),
            fill=tuple(rng.randrange(40, 220) for _ in range(3)),
        )
    image = image.filter(ImageFilter.GaussianBlur(2))
    # sensor noise and fabric texture: per-pixel detail that gives the QR finder work
    grain = np.random.default_rng(rng.randrange(1 << 30)).integers(-10, 11, (720, 1280, 1))
    return Image.fromarray(np.clip(np.asarray(image, np.int16) + grain, 0, 255).astype(np.uint8))


def make_frame(rng: random.Random, font, with_qr: bool) -> tuple[Image.Image, str | None, list]:
    image = backdrop(rng)
    payload = rng.choice(PAYLOADS) if with_qr else None
    if payload:
        code = qr_image(payload, scale=rng.choice([4, 5, 6]))
        image.paste(
            code, (rng.randrange(700, 1280 - code.width), rng.randrange(0, 720 - code.height))
        )
    captions = rng.sample(CAPTIONS, rng.randrange(1, 4))
    draw = ImageDraw.Draw(image)
    for n, text in enumerate(captions):
        at = (rng.randrange(40, 200), 80 + n * 220 + rng.randrange(0, 60))
        draw.rectangle(
            (at[0] - 8, at[1] - 4, at[0] + 40 * len(text) + 8, at[1] + 52), fill=(20, 20, 20)
        )
        draw.text(at, text, font=font, fill=(255, 240, 80))
    return image, payload, captions


def timed(fn, *args) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - started) * 1000, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--core", type=int, default=None)
    args = parser.parse_args()
    font_path = next((p for p in CJK_FONTS if p.exists()), None)
    if font_path is None:
        print("no CJK font (apt-get install fonts-noto-cjk): captions cannot be drawn")
        return 1
    from PIL import ImageFont

    font = ImageFont.truetype(str(font_path), 40)
    rounds = 8 if args.quick else 40
    print(f"frame benchmark: {rounds} rounds, {pin(args.core)}")
    rng = random.Random(6)
    made = [make_frame(rng, font, with_qr=n % 2 == 0) for n in range(rounds)]

    section("1. QR decode per 720p frame")
    qr_only = zxingcpp.barcode_formats_from_str("QRCode")
    every = zxingcpp.BarcodeFormat.AllReadable  # what read_barcodes uses with no formats
    rows, found = {"QR only": [], "all formats": []}, {"QR only": 0, "all formats": 0}
    for image, payload, _ in made:
        grey = np.asarray(image.convert("L"))
        for name, formats in (("QR only", qr_only), ("all formats", every)):
            ms, codes = timed(lambda g, f=formats: zxingcpp.read_barcodes(g, formats=f), grey)
            rows[name].append(ms)
            found[name] += bool(payload) and any(c.text == payload for c in codes)
    drawn = sum(1 for _, p, _ in made if p)
    base = median(rows["all formats"])
    table(
        ["decoder", "median ms", "frames/s", "codes found", "vs all formats"],
        [
            (
                n,
                f"{median(v):.2f}",
                f"{1000 / median(v):.0f}",
                f"{found[n]}/{drawn}",
                f"{base / median(v):.1f}x",
            )
            for n, v in rows.items()
        ],
    )

    section("2. OCR per 720p frame")
    analyser = frames.FrameAnalyser()
    reader = analyser.reader
    reader.read(np.asarray(made[0][0]))  # load the models outside the timing
    ocr = {"FrameAnalyser (crop, QR blanked)": [], "RapidOCR, whole frame": []}
    exact = dict.fromkeys(ocr, 0)
    for image, _, captions in made:
        data = encoded(image)
        ms, reading = timed(analyser.analyse, data)
        ocr["FrameAnalyser (crop, QR blanked)"].append(reading.timings_ms.get("ocr", ms))
        exact["FrameAnalyser (crop, QR blanked)"] += sum(c in reading.texts() for c in captions)
        ms, lines = timed(reader.read, np.asarray(image))
        ocr["RapidOCR, whole frame"].append(ms)
        exact["RapidOCR, whole frame"] += sum(c in [x.text for x in lines] for c in captions)
    total = sum(len(c) for _, _, c in made)
    whole = median(ocr["RapidOCR, whole frame"])
    table(
        ["reader", "median ms", "frames/s", "captions read", "vs whole frame"],
        [
            (
                n,
                f"{median(v):.0f}",
                f"{1000 / median(v):.1f}",
                f"{exact[n]}/{total}",
                f"{whole / median(v):.2f}x",
            )
            for n, v in ocr.items()
        ],
    )

    section("3. a stream: 2 frames/s for 60 s, caption changes every 10 s")
    stream = frames.FrameAnalyser()
    stream.reader = reader
    studio = backdrop(random.Random(1))
    noise = np.random.default_rng(2)
    start, costs, reads, seen = datetime(2026, 1, 20, tzinfo=UTC), [], 0, set()
    for tick in range(120):
        caption = CAPTIONS[(tick // 20) % len(CAPTIONS)]
        image = studio.copy()
        ImageDraw.Draw(image).text((80, 600), caption, font=font, fill=(255, 255, 255))
        jitter = noise.integers(-6, 7, (720, 1280, 3))
        image = Image.fromarray(
            np.clip(np.asarray(image, np.int16) + jitter, 0, 255).astype(np.uint8)
        )
        at = start + timedelta(seconds=tick / 2)
        ms, reading = timed(
            lambda d, t=at: stream.analyse(d, stream="room", at=t), encoded(image, "JPEG")
        )
        costs.append(ms)
        reads += reading.ocr == "read"
        seen.update(reading.texts())
    shown = {CAPTIONS[(t // 20) % len(CAPTIONS)] for t in range(120)}
    table(
        ["frames", "OCR reads", "mean ms/frame", "median ms/frame", "captions read"],
        [
            (
                120,
                reads,
                f"{sum(costs) / 120:.0f}",
                f"{median(costs):.1f}",
                f"{len(shown & seen)}/{len(shown)}",
            )
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
