"""Draw custom_components/hp_ews/brand/icon.png (256x256) and brand/icon@2x.png (512x512): a printer with CMYK drops.

Run with any Python that has Pillow: ``python scripts/brand_icons.py``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SUPERSAMPLE = 4
OUT = Path(__file__).resolve().parent.parent / "custom_components" / "hp_ews" / "brand"


def draw(size: int) -> Image.Image:
    """Draw the icon at ``size`` pixels, supersampled for smooth edges."""
    s = size * SUPERSAMPLE
    u = s / 256  # design grid is 256 units
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, ...]:
        return (x0 * u, y0 * u, x1 * u, y1 * u)

    # Paper feeding in at the back.
    d.rounded_rectangle(box(70, 22, 186, 110), radius=6 * u, fill=(245, 247, 250))
    d.rounded_rectangle(
        box(70, 22, 186, 110), radius=6 * u, outline=(150, 160, 175), width=int(4 * u)
    )
    # Printer body.
    d.rounded_rectangle(box(24, 88, 232, 196), radius=22 * u, fill=(3, 136, 209))
    d.rounded_rectangle(box(24, 88, 232, 120), radius=22 * u, fill=(2, 119, 189))
    # Output slot and page coming out.
    d.rounded_rectangle(box(56, 170, 200, 186), radius=6 * u, fill=(1, 87, 155))
    d.rectangle(box(72, 178, 184, 238), fill=(255, 255, 255))
    d.rectangle(box(72, 178, 184, 238), outline=(150, 160, 175), width=int(4 * u))
    # Ink drops: cyan, magenta, yellow, black.
    for i, colour in enumerate(
        ((0, 174, 239), (236, 0, 140), (255, 222, 23), (35, 31, 32))
    ):
        cx = 93 + i * 23
        cy = 214
        d.ellipse(box(cx - 8, cy - 6, cx + 8, cy + 10), fill=colour)
        d.polygon(
            [
                (cx * u, (cy - 16) * u),
                ((cx - 7) * u, (cy - 1) * u),
                ((cx + 7) * u, (cy - 1) * u),
            ],
            fill=colour,
        )
    # Status light.
    d.ellipse(box(196, 134, 212, 150), fill=(129, 199, 132))
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write both icon sizes."""
    OUT.mkdir(exist_ok=True)
    draw(256).save(OUT / "icon.png", optimize=True)
    draw(512).save(OUT / "icon@2x.png", optimize=True)


if __name__ == "__main__":
    main()
