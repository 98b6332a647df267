"""The README stays true: every setting is documented, every make target it names exists."""

from __future__ import annotations

import re
from pathlib import Path

from seen.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented():
    documented = set(re.findall(r"`(SEEN_[A-Z0-9_]+)`", README))
    expected = {f"SEEN_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented == set()


def test_every_make_target_in_the_readme_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
    named = set(re.findall(r"`make ([a-z-]+)`", README))
    assert named, "the README names no make target"
    assert named - targets == set()


def test_screenshots_the_readme_shows_exist():
    images = re.findall(r"docs/screenshots/[a-z-]+\.png", README)
    assert images
    assert [image for image in images if not (ROOT / image).exists()] == []
