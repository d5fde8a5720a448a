"""The `show --format html` page in a real browser: headless Chromium (Debian's package).

It loads with no console error and no request leaving the page, its matrix
cells are the effective permissions, it fits a phone's width, a screenshot is
not blank, and the webinar example's screenshot matches the checked-in
docs/show-webinar.png (the README's picture) within a tolerance. Regenerate the
picture with ``HMSCONF_UPDATE_GOLDEN=1 python -m pytest tests/test_show_browser.py``.

Chromium is started with the flags a machine without network needs (without
them it waits on refused connections). `.ci/run` installs it when missing, so
the test runs in CI; it is skipped only where no Chromium binary exists.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from hmsconf.model.defaults import effective_permissions
from hmsconf.render.show import FORMATS
from hmsconf.usecases import plan as planning
from hmsconf.usecases.show import from_files

ROOT = Path(__file__).resolve().parents[1]
PICTURE = ROOT / "docs" / "show-webinar.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTH = 1440
# At most this share of pixels may differ (by more than a small amount per channel) from the picture.
PIXEL_TOLERANCE = 0.01

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary (apt-get install chromium; .ci/run does)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": WIDTH, "height": 800}, device_scale_factor=1,
        )
        yield context
        context.close()


def open_page(browser, path: Path, width: int = WIDTH):
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: problems.append(f"request: {r.url}") if not r.url.startswith("file:") else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


def write_page(tmp_path: Path, example: str) -> Path:
    report, _ = from_files(str(ROOT / "examples" / example), None, None)
    path = tmp_path / f"{example}.html"
    path.write_text(FORMATS["html"](report, False), encoding="utf-8")
    return path


@pytest.mark.parametrize("example", ["webinar", "telehealth", "classroom"])
def test_page_loads_cleanly_and_cells_are_the_effective_permissions(browser, tmp_path, example):
    page, problems = open_page(browser, write_page(tmp_path, example))
    cells = page.eval_on_selector_all(
        "table.permissions td[data-permission]",
        "els => els.map(e => [e.dataset.role, e.dataset.permission, e.dataset.value, e.textContent])",
    )
    desired = planning.prepare(str(ROOT / "examples" / example), None).desired
    expected = {}
    for template in desired.templates.values():
        for role_name, role in template.data["roles"].items():
            for flag, value in effective_permissions(role).items():
                expected[(role_name, flag)] = value
    seen = {(role, flag): value == "true" for role, flag, value, _ in cells}
    assert seen == expected
    assert all(text == ("✓" if value == "true" else "·") for _, _, value, text in cells)
    header = page.eval_on_selector("table.permissions thead th", "e => getComputedStyle(e).position")
    first = page.eval_on_selector("table.permissions tbody th", "e => getComputedStyle(e).position")
    assert (header, first) == ("sticky", "sticky")
    assert page.eval_on_selector_all("svg.graph g.node", "els => els.length") >= 3
    page.close()
    assert problems == []


def test_page_fits_a_phone(browser, tmp_path):
    page, problems = open_page(browser, write_page(tmp_path, "classroom"), width=390)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    page.close()
    assert overflow <= 390 and problems == []


def test_webinar_screenshot_is_not_blank_and_matches_the_picture(browser, tmp_path):
    from PIL import Image, ImageChops, ImageStat

    page, problems = open_page(browser, write_page(tmp_path, "webinar"))
    shot = tmp_path / "webinar.png"
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    assert problems == []
    image = Image.open(shot).convert("RGB")
    stat = ImageStat.Stat(image.convert("L"))
    assert stat.stddev[0] > 20, "the screenshot is (nearly) one colour"
    assert len(image.getcolors(1 << 20) or []) > 50
    if os.environ.get("HMSCONF_UPDATE_GOLDEN"):
        PICTURE.parent.mkdir(parents=True, exist_ok=True)
        image.save(PICTURE, optimize=True)
    expected = Image.open(PICTURE).convert("RGB")
    assert abs(image.height - expected.height) <= 8 and image.width == expected.width, (image.size, expected.size)
    height = min(image.height, expected.height)
    box = (0, 0, image.width, height)
    difference = ImageChops.difference(image.crop(box), expected.crop(box)).convert("L").point(lambda v: 255 if v > 40 else 0)
    changed = difference.histogram()[255] / (image.width * height)
    assert changed <= PIXEL_TOLERANCE, f"{changed:.2%} of the pixels differ from {PICTURE.name}"
