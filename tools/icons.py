"""Draw Tempo's home-screen icons (static/icons/): an hourglass on the brand colour.

Run once from a checkout (`python -m tools.icons`) when the design changes; the files are
committed. The drawing keeps inside the central 80 %, so launchers that crop to a circle or a
squircle never cut it.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from tempo.config import PROJECT_ROOT

BRAND = "#1e1b4b"  # --brand in static/css/tempo.css
ACCENT = "#7c3aed"  # --accent
SAND = "#f59e0b"
GLASS = "#ffffff"
OUT = PROJECT_ROOT / "static" / "icons"


def _shapes(size: float) -> list[tuple[str, list[tuple[float, float]]]]:
    """The hourglass as polygons in a `size` square: frame bars, glass, sand."""
    u = size / 100
    top, bottom, left, right, mid = 24 * u, 76 * u, 30 * u, 70 * u, 50 * u
    neck = 4 * u
    glass = [(left, top), (right, top), (mid + neck, mid), (right, bottom), (left, bottom)]
    glass.append((mid - neck, mid))
    return [
        (GLASS, glass),
        (SAND, [(38 * u, 34 * u), (62 * u, 34 * u), (mid, 47 * u)]),
        (SAND, [(mid, 60 * u), (64 * u, 72 * u), (36 * u, 72 * u)]),
        (ACCENT, [(24 * u, 17 * u), (76 * u, 17 * u), (76 * u, 24 * u), (24 * u, 24 * u)]),
        (ACCENT, [(24 * u, 76 * u), (76 * u, 76 * u), (76 * u, 83 * u), (24 * u, 83 * u)]),
    ]


def png(size: int) -> Image.Image:
    """The icon as a `size`×`size` PNG image (drawn 4× larger, then reduced: smooth edges)."""
    big = size * 4
    image = Image.new("RGB", (big, big), BRAND)
    draw = ImageDraw.Draw(image)
    for colour, points in _shapes(big):
        draw.polygon(points, fill=colour)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def svg() -> str:
    """The same drawing as SVG (favicon, and launchers that take any size)."""
    polygons = "".join(
        f'<polygon fill="{colour}" points="{" ".join(f"{x:g},{y:g}" for x, y in points)}"/>'
        for colour, points in _shapes(100)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        f'<rect width="100" height="100" fill="{BRAND}"/>{polygons}</svg>\n'
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        png(size).save(OUT / f"tempo-{size}.png", optimize=True)
    (OUT / "tempo.svg").write_text(svg(), encoding="utf-8")


if __name__ == "__main__":
    main()
