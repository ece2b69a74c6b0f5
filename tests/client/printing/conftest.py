"""Documents the printing tests share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image, ImageDraw
import pytest

from simulator.testing import simulated_printer  # noqa: F401

if TYPE_CHECKING:
    from pathlib import Path

    from simulator import SimulatedPrinter
    from simulator.testing import PrinterFactory


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 A4 pages (72 dpi images), each with a black square at a different place."""
    pages = []
    for number in range(3):
        page = Image.new("RGB", (595, 842), "white")
        ImageDraw.Draw(page).rectangle(
            (100 + number * 100, 100, 199 + number * 100, 199), fill="black"
        )
        pages.append(page)
    path = tmp_path_factory.mktemp("pdf") / "squares.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=72)
    return path


@pytest.fixture
def pdf_bytes(pdf_path: Path) -> bytes:
    return pdf_path.read_bytes()


@pytest.fixture
async def envy(simulated_printer: PrinterFactory) -> SimulatedPrinter:  # noqa: F811
    return await simulated_printer("envy-4520")


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("documents")
    # 3 A4 pages: page n has a black bar at 100 pt + 150 pt * n from the top.
    pages = []
    for number in range(3):
        page = Image.new("RGB", (595, 842), "white")
        top = 100 + number * 150
        ImageDraw.Draw(page).rectangle((50, top, 545, top + 60), fill="black")
        pages.append(page)
    pdf = base / "bars.pdf"
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=72)
    jpeg = base / "photo.jpg"
    Image.new("RGB", (300, 200), (200, 100, 50)).save(jpeg, quality=85)
    postscript = base / "old.ps"
    postscript.write_bytes(
        b"%!PS-Adobe-3.0\n/Times findfont 12 scalefont setfont\nshowpage\n"
    )
    return {"pdf": pdf, "jpeg": jpeg, "ps": postscript}
