"""The browser journey (frontend/e2e/journey.test.ts) in Debian's Chromium, on the real stack.

The journey itself is TypeScript (Playwright's library driving /usr/bin/chromium, run by
Vitest); this test starts the stack as `make run` does and runs it against that stack.
"""

import os

from devstack.frontend import FRONTEND_DIR
from devstack.stack import Stack
from tests.commands import run

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def test_the_user_journey_passes_in_a_real_browser(frontend_stack: Stack) -> None:
    frontend = frontend_stack.settings.frontend
    assert frontend is not None
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: scripts/ci/browser.sh installs it"

    result = run(
        [
            str(FRONTEND_DIR / "node_modules" / ".bin" / "vitest"),
            "run",
            "--config",
            "vitest.e2e.config.ts",
        ],
        cwd=FRONTEND_DIR,
        env={
            **os.environ,
            "FRONTEND_URL": frontend.url,
            "CHROMIUM_PATH": CHROMIUM,
            "SCREENSHOT_DIR": str(FRONTEND_DIR / "test-results"),
            "NO_COLOR": "1",
        },
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, (
        f"the browser journey failed (screenshots in frontend/test-results/):\n"
        f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    )
