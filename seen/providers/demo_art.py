"""Generated artwork for the demo catalogue: posters, backdrops, stills, game covers and profile pictures.

Demo titles have no provider images (and shipping real posters is not ours to do), so every ``demo/<slug>``
image path is drawn here instead. The art must be stable (same slug, same pixels, so caches and snapshot
tests hold), distinct enough that a grid of cards does not look like one colour, and cheap enough to render
on request (well under 80 ms). The palette comes from the title's first genre (horror is dark red, science
fiction cyan...) nudged by a hash of the slug; the composition is a gradient with soft shapes, the title in
large type, the year, and a small "demo catalogue" mark so nobody mistakes it for official art.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import random
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from seen.providers import demo

SIZES: dict[str, tuple[int, int]] = {
    "poster": (780, 1170),
    "backdrop": (1280, 720),
    "still": (960, 540),
    "cover": (600, 800),
    "profile": (400, 600),
}
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MARK = "demo catalogue"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# (hue 0-1, lightness 0-1) per genre: the mood a card shows at a glance.
_TMDB_MOODS: dict[int, tuple[float, float]] = {
    28: (0.02, 0.42),  # Action
    12: (0.09, 0.45),  # Adventure
    16: (0.14, 0.52),  # Animation
    35: (0.13, 0.55),  # Comedy
    80: (0.60, 0.28),  # Crime
    99: (0.33, 0.38),  # Documentary
    18: (0.58, 0.36),  # Drama
    10751: (0.27, 0.50),  # Family
    14: (0.78, 0.40),  # Fantasy
    36: (0.08, 0.34),  # History
    27: (0.99, 0.22),  # Horror
    10402: (0.86, 0.45),  # Music
    9648: (0.70, 0.28),  # Mystery
    10749: (0.94, 0.50),  # Romance
    878: (0.52, 0.36),  # Science Fiction
    10770: (0.55, 0.40),  # TV Movie
    53: (0.63, 0.26),  # Thriller
    10752: (0.20, 0.28),  # War
    37: (0.07, 0.40),  # Western
    10759: (0.04, 0.42),  # Action & Adventure
    10762: (0.16, 0.55),  # Kids
    10763: (0.60, 0.40),  # News
    10764: (0.45, 0.48),  # Reality
    10765: (0.72, 0.36),  # Sci-Fi & Fantasy
    10766: (0.92, 0.45),  # Soap
    10767: (0.10, 0.48),  # Talk
    10768: (0.22, 0.30),  # War & Politics
}
_IGDB_MOODS: dict[int, tuple[float, float]] = {
    2: (0.12, 0.45),  # Point-and-click
    4: (0.00, 0.40),  # Fighting
    5: (0.05, 0.32),  # Shooter
    7: (0.86, 0.48),  # Music
    8: (0.30, 0.48),  # Platform
    9: (0.46, 0.45),  # Puzzle
    10: (0.01, 0.45),  # Racing
    11: (0.56, 0.34),  # RTS
    12: (0.75, 0.34),  # RPG
    13: (0.35, 0.45),  # Simulator
    14: (0.32, 0.42),  # Sport
    15: (0.60, 0.34),  # Strategy
    16: (0.62, 0.36),  # Turn-based strategy
    24: (0.20, 0.30),  # Tactical
    25: (0.98, 0.28),  # Hack and slash
    26: (0.15, 0.50),  # Quiz/Trivia
    30: (0.90, 0.48),  # Pinball
    31: (0.10, 0.38),  # Adventure
    32: (0.88, 0.42),  # Indie
    33: (0.90, 0.48),  # Arcade
    34: (0.93, 0.50),  # Visual Novel
    35: (0.40, 0.38),  # Card & Board Game
    36: (0.68, 0.34),  # MOBA
}


@functools.cache
def _font(size: int, *, bold: bool) -> Font:
    """DejaVu when installed (crisp, wide Unicode coverage); Pillow's bundled font otherwise."""
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _seed(text: str) -> random.Random:
    """A random stream that depends only on ``text`` (not on PYTHONHASHSEED or call order)."""
    return random.Random(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big"))


def _rgb(hue: float, lightness: float, saturation: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, max(0.0, min(1.0, lightness)), max(0.0, min(1.0, saturation)))
    return round(r * 255), round(g * 255), round(b * 255)


def _palette(rng: random.Random, mood: tuple[float, float]) -> tuple[tuple[int, int, int], ...]:
    """Dark base, mid tone, accent: neighbours on the colour wheel around the genre's hue."""
    hue, light = mood
    hue += rng.uniform(-0.05, 0.05)
    shift = rng.choice((0.08, -0.08, 0.5, 0.12))
    return (
        _rgb(hue, light * 0.45, 0.55),
        _rgb(hue + shift / 2, light, 0.6),
        _rgb(hue + shift, min(0.75, light + 0.25), 0.75),
    )


# The background is smooth (gradients and blurred shapes), so it is drawn at a fraction of the final size
# and scaled up once; only the type is drawn at full resolution. This keeps a render in the tens of ms.
_BACKGROUND_SCALE = 4


def _gradient(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    """A vertical two-colour RGBA gradient from Pillow's 256-step ramp."""
    ramp = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGBA", size, (*bottom, 255)), Image.new("RGBA", size, (*top, 255)), ramp)


def _shapes(
    size: tuple[int, int], rng: random.Random, accent: tuple[int, int, int], mid: tuple[int, int, int]
) -> Image.Image:
    """Soft circles or rings and sometimes a diagonal band, blurred into a glow (``size`` is the small canvas)."""
    w, h = size
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    variant = rng.randrange(3)
    for index in range(rng.randint(2, 4)):
        radius = rng.uniform(0.18, 0.5) * w
        cx, cy = rng.uniform(0, w), rng.uniform(0, h * 0.7)
        # The first shape always uses the accent so no composition collapses into its own background.
        colour = accent if index == 0 or rng.random() < 0.6 else mid
        box = (cx - radius, cy - radius, cx + radius, cy + radius)
        if variant == 1:
            draw.ellipse(box, outline=(*colour, 170), width=max(1, round(radius / 6)))
        else:
            draw.ellipse(box, fill=(*colour, rng.randint(90, 160)))
    if variant != 0:
        x0 = rng.uniform(-0.3, 0.6) * w
        tilt = h * rng.uniform(0.3, 0.9)
        band = max(2, w // rng.randint(4, 8))
        draw.polygon([(x0, h), (x0 + band, h), (x0 + band + tilt, 0), (x0 + tilt, 0)], fill=(*accent, 70))
    return layer.filter(ImageFilter.GaussianBlur(radius=max(1, w // 80)))


def _scrim(size: tuple[int, int], start: float) -> Image.Image:
    """A black veil darkening the lower part of the image so the type stays readable on any palette."""
    w, h = size
    top = round(h * start)
    alpha = Image.linear_gradient("L").resize((w, h - top), Image.Resampling.BILINEAR).point(lambda v: v * 0.8)
    veil = Image.new("RGBA", size, (0, 0, 0, 0))
    veil.paste(Image.new("RGBA", (w, h - top), (0, 0, 0, 255)), (0, top), alpha)
    return veil


def _background(
    size: tuple[int, int],
    rng: random.Random,
    colours: tuple[tuple[int, int, int], ...],
    scrim_from: float | None,
) -> Image.Image:
    """Gradient, shapes and scrim at reduced size, scaled up to ``size`` as one RGB image."""
    dark, mid, accent = colours
    small = (max(8, size[0] // _BACKGROUND_SCALE), max(8, size[1] // _BACKGROUND_SCALE))
    image = _gradient(small, mid, dark)
    image.alpha_composite(_shapes(small, rng, accent, mid))
    if scrim_from is not None:
        image.alpha_composite(_scrim(small, scrim_from))
    return image.convert("RGB").resize(size, Image.Resampling.BILINEAR)


def _fit(text: str, width: int, max_size: int, max_lines: int, *, bold: bool = True) -> tuple[Font, list[str]]:
    """The largest font (down to a floor) at which ``text`` wraps into ``max_lines`` lines of ``width`` px."""
    size = max_size
    while True:
        font = _font(size, bold=bold)
        lines = _wrap(text, font, width)
        fits = len(lines) <= max_lines and all(font.getlength(line) <= width for line in lines)
        if fits or size <= 14:
            return font, lines[:max_lines]
        size = max(14, int(size * 0.9))


def _wrap(text: str, font: Font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        elif font.getlength(word) <= width:
            lines.append(word)
        else:  # one word wider than the box: break it rather than overflow
            chars = max(1, int(len(word) * width / max(1.0, font.getlength(word))))
            lines.extend(textwrap.wrap(word, chars))
    return lines or [""]


def _mood(title: demo.DemoTitle) -> tuple[float, float]:
    summary = title.details.summary
    moods = _IGDB_MOODS if summary.kind == "game" else _TMDB_MOODS
    first = summary.genre_ids[0] if summary.genre_ids else None
    return moods.get(first, (0.6, 0.35)) if first is not None else (0.6, 0.35)


def _title_art(kind: str, title: demo.DemoTitle) -> Image.Image:
    size = SIZES[kind]
    w, h = size
    summary = title.details.summary
    rng = _seed(f"{title.slug}:{kind}")
    colours = _palette(_seed(title.slug), _mood(title))
    accent = colours[2]
    tall = h > w
    image = _background(size, rng, colours, 0.45 if tall else 0.35)
    draw = ImageDraw.Draw(image, "RGBA")

    margin = round(w * 0.07)
    box_width = round(w * (0.86 if tall else 0.62))
    max_lines = 5 if tall else 3
    font, lines = _fit(summary.title, box_width, round(w * (0.12 if tall else 0.07)), max_lines)
    line_height = round(font.size * 1.12) if isinstance(font, ImageFont.FreeTypeFont) else 20
    meta_font = _font(max(12, round(w * (0.04 if tall else 0.024))), bold=False)
    year = str(summary.year) if summary.year else "TBA"
    meta = {"movie": "Film", "show": "Series", "game": "Game"}[summary.kind]
    meta_line = f"{year}  ·  {meta}"
    bottom = h - margin
    meta_y = bottom - round(meta_font.size * 1.2) if isinstance(meta_font, ImageFont.FreeTypeFont) else bottom - 16
    y = meta_y - line_height * len(lines) - round(line_height * 0.2)
    # A thin accent rule above the title, like a spine label.
    draw.rectangle(
        (margin, y - round(line_height * 0.35), margin + round(w * 0.12), y - round(line_height * 0.28)),
        fill=(*accent, 255),
    )
    for line in lines:
        draw.text((margin + 2, y + 2), line, font=font, fill=(0, 0, 0, 140))
        draw.text((margin, y), line, font=font, fill=(255, 255, 255, 255))
        y += line_height
    draw.text((margin, meta_y), meta_line, font=meta_font, fill=(235, 235, 235, 230))
    if kind == "still":
        draw.text((margin, margin), "STILL", font=meta_font, fill=(255, 255, 255, 160))
    _mark(draw, size)
    return image


def _mark(draw: ImageDraw.ImageDraw, size: tuple[int, int]) -> None:
    w, h = size
    font = _font(max(10, round(min(w, h) * 0.026)), bold=True)
    pad = round(min(w, h) * 0.035)
    text_w = font.getlength(MARK)
    x, y = w - pad - text_w, pad
    draw.rounded_rectangle(
        (x - pad * 0.35, y - pad * 0.25, x + text_w + pad * 0.35, y + font.size * 1.25 + pad * 0.1)
        if isinstance(font, ImageFont.FreeTypeFont)
        else (x - 4, y - 3, x + text_w + 4, y + 16),
        radius=pad * 0.3,
        fill=(0, 0, 0, 110),
    )
    draw.text((x, y), MARK, font=font, fill=(255, 255, 255, 200))


def _initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    if not words:
        return "?"
    picked = words[:1] + words[-1:] if len(words) > 1 else words
    return "".join(w[0].upper() for w in picked)


def _profile_art(slug: str, name: str) -> Image.Image:
    size = SIZES["profile"]
    w, h = size
    rng = _seed(slug)
    hue = rng.random()
    dark, mid, accent = _rgb(hue, 0.18, 0.45), _rgb(hue + 0.05, 0.38, 0.5), _rgb(hue + 0.1, 0.62, 0.6)
    image = _background(size, rng, (dark, mid, accent), None)
    draw = ImageDraw.Draw(image, "RGBA")
    radius = round(w * 0.3)
    cx, cy = w // 2, round(h * 0.4)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(*accent, 255))
    draw.ellipse(
        (cx - radius, cy - radius, cx + radius, cy + radius), outline=(255, 255, 255, 200), width=max(2, w // 100)
    )
    initials_font = _font(round(radius * 0.8), bold=True)
    draw.text((cx, cy), _initials(name), font=initials_font, fill=(255, 255, 255, 255), anchor="mm")
    name_font, lines = _fit(name, round(w * 0.86), round(w * 0.09), 2)
    y = cy + radius + round(h * 0.06)
    for line in lines:
        draw.text((cx, y), line, font=name_font, fill=(255, 255, 255, 255), anchor="ma")
        y += round(getattr(name_font, "size", 16) * 1.15)
    _mark(draw, size)
    return image


@functools.cache
def _person_names() -> dict[str, str]:
    return {slug: person.name for slug, person in demo.people()}


def render(kind: str, slug: str) -> Image.Image:
    """Draw the ``kind`` image for a demo title slug (or a person slug for ``"profile"``).

    Returns a fresh RGB image each call, identical pixels for identical input. Raises ``ValueError`` for an
    unknown kind and ``KeyError`` for a slug the catalogue does not know.
    """
    if kind not in SIZES:
        raise ValueError(f"unknown demo art kind {kind!r}; expected one of {sorted(SIZES)}")
    if kind == "profile":
        name = _person_names().get(slug)
        if name is None:
            raise KeyError(slug)
        return _profile_art(slug, name)
    title = demo.by_slug(slug)
    if title is None:
        raise KeyError(slug)
    return _title_art(kind, title)
