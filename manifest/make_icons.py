"""Draw the Teams app icons: ``color.png`` (192×192) and ``outline.png`` (32×32, white on transparent).

The symbol is a mortarboard over an open book: training, in a classroom. Both icons are drawn from the same
shapes on a 32-unit grid, supersampled and scaled down, so they match and their edges are smooth. Run it from
anywhere (``python manifest/make_icons.py``); it rewrites the two PNGs beside this file, which are committed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ACCENT = (15, 118, 110)  # #0F766E, the manifest's accentColor
WHITE = (255, 255, 255)
SUPERSAMPLE = 16

Point = tuple[float, float]


def _symbol_mask(size: int, *, inset: float) -> Image.Image:
    """The symbol as an 8-bit alpha mask of ``size``×``size``; ``inset`` is the margin on the 32-unit grid."""
    big = size * SUPERSAMPLE
    unit = big / 32 * (32 - 2 * inset) / 32
    offset = big / 32 * inset

    def at(x: float, y: float) -> Point:
        return (offset + x * unit, offset + y * unit)

    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    gap = 1.2 * unit  # the transparent line that keeps the parts apart in the outline style

    # Open book at the bottom: two pages meeting at the spine.
    draw.polygon([at(3, 22), at(15.3, 24.5), at(15.3, 30), at(3, 27.5)], fill=255)
    draw.polygon([at(16.7, 24.5), at(29, 22), at(29, 27.5), at(16.7, 30)], fill=255)

    # Cap under the board, then the board itself with a gap cut around it.
    draw.polygon([at(8, 10.5), at(24, 10.5), at(24, 17), at(16, 20), at(8, 17)], fill=255)
    board = [at(16, 2), at(31, 8.5), at(16, 15), at(1, 8.5)]
    draw.line([*board, board[0]], fill=0, width=round(gap * 2), joint="curve")
    draw.polygon(board, fill=255)

    # Tassel: from the button on the board down the right-hand side.
    draw.line([at(16, 8.5), at(27.5, 11), at(27.5, 17.5)], fill=255, width=round(1.3 * unit), joint="curve")
    draw.ellipse([at(26, 16.5), at(29, 20.5)], fill=255)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def color_icon() -> Image.Image:
    """192×192, full colour: the white symbol on the accent colour, inside Teams' safe area."""
    icon = Image.new("RGB", (192, 192), ACCENT)
    icon.paste(Image.new("RGB", (192, 192), WHITE), (0, 0), _symbol_mask(192, inset=6))
    return icon


def outline_icon() -> Image.Image:
    """32×32: every pixel is white, and only the symbol is (partly) opaque."""
    icon = Image.new("RGBA", (32, 32), (*WHITE, 0))
    icon.putalpha(_symbol_mask(32, inset=0.5))
    return icon


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the icons to (default: manifest/)")
    out: Path = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    color_icon().save(out / "color.png", optimize=True)
    outline_icon().save(out / "outline.png", optimize=True)
    print(f"Wrote {out / 'color.png'} and {out / 'outline.png'}")


if __name__ == "__main__":
    main()
