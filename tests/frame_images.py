"""Frames made in the tests: a 720p still with a QR code (drawn by segno) and captions
(rendered by Pillow with a CJK font, when the machine has one)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)
BACKGROUND = (38, 58, 92)


def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """A font that draws Chinese, or the test is skipped (Debian: fonts-noto-cjk)."""
    for path in CJK_FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    pytest.skip("no CJK font to render Chinese captions (apt-get install fonts-noto-cjk)")


def qr_image(payload: str, scale: int = 6) -> Image.Image:
    import segno

    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=scale, border=4)
    return Image.open(buffer).convert("RGB")


def frame(
    *,
    qr: str | None = None,
    qr_at: tuple[int, int] = (900, 300),
    captions: list[tuple[str, tuple[int, int]]] = (),
    size: tuple[int, int] = (1280, 720),
    font_size: int = 36,
    background: tuple[int, int, int] = BACKGROUND,
) -> Image.Image:
    image = Image.new("RGB", size, background)
    if qr is not None:
        image.paste(qr_image(qr), qr_at)
    if captions:
        draw = ImageDraw.Draw(image)
        font = cjk_font(font_size)
        for text, at in captions:
            draw.text(at, text, font=font, fill=(255, 255, 255))
    return image


def encoded(image: Image.Image, kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()
