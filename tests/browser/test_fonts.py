"""Pages are rendered with a font for every offered language: without one, Chinese or Arabic
screenshots show empty boxes and nobody notices."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from config.default import LANGUAGES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_font_on_this_machine_covers_each_offered_language(lang):
    fc_list = shutil.which("fc-list")
    if shutil.which("chromium") is None or fc_list is None:
        pytest.skip("no Chromium or fontconfig here: the browser tests do not run")
    families = subprocess.run([fc_list, f":lang={lang}", "family"], capture_output=True, text=True,
                              check=True).stdout.split()
    assert families, (f"no font covers {lang}: apt-get install fonts-noto-core fonts-noto-cjk "
                      "(.ci/run does)")
