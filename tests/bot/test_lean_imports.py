"""The serving process does not carry libraries only a download or a CLI command needs (issue 19: RSS).

python-docx (7 MB), icalendar (3 MB), jsonschema (2 MB) and fpdf2 (24 MB with Pillow and fontTools) are imported
where a CPD log, a calendar, the app package or a certificate is made; their own tests show those still work. A
fresh interpreter is used: the test process itself has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

ONLY_WHEN_ASKED = ("docx", "icalendar", "jsonschema", "fpdf", "PIL", "fontTools")


def test_the_bot_and_its_cli_import_no_download_only_library() -> None:
    script = (
        "import json, sys; import bot.app, bot.cli; "
        f"print(json.dumps([m for m in {ONLY_WHEN_ASKED!r} if m in sys.modules]))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []
