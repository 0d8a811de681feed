"""`make frontend-client`: the frontend's typed API client, from the services' OpenAPI documents.

Each service's app is built in-process (building one touches no database, so no server is
needed), its document written to a temporary folder and turned into TypeScript types by
openapi-typescript, into frontend/src/api/generated/<service>.ts. With `--check` nothing is
written: it fails, naming the files, when the committed types differ from what the services'
documents give today (run in `make test`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from auth.core.config import AuthSettings
from devstack import ROOT
from todo_common.platform import SERVICES
from todo_common.settings import CommonSettings
from todo_common.testing.contract import openapi_document
from todos.core.config import TodosSettings
from users.core.config import UsersSettings

FRONTEND = ROOT / "frontend"
GENERATED = FRONTEND / "src" / "api" / "generated"
OPENAPI_TYPESCRIPT = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"
SETTINGS_CLASSES: dict[str, type[CommonSettings]] = {
    "auth": AuthSettings,
    "users": UsersSettings,
    "todos": TodosSettings,
}


def service_document(service: str) -> dict[str, Any]:
    build_app = importlib.import_module(f"{service}.main").build_app
    return openapi_document(build_app, SETTINGS_CLASSES[service])


def generate(service: str, work_dir: Path) -> str:
    """The TypeScript openapi-typescript writes for `service`'s document."""
    document = work_dir / f"{service}.json"
    document.write_text(json.dumps(service_document(service), indent=2, sort_keys=True))
    output = work_dir / f"{service}.ts"
    subprocess.run(
        [str(OPENAPI_TYPESCRIPT), str(document), "--output", str(output)],
        cwd=FRONTEND,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return output.read_text()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the client is stale")
    check = parser.parse_args().check
    if not OPENAPI_TYPESCRIPT.exists():
        print("frontend/node_modules is missing: run `make frontend-install`", file=sys.stderr)
        return 2
    stale: list[str] = []
    with tempfile.TemporaryDirectory() as work:
        for service in SERVICES:
            text = generate(service, Path(work))
            target = GENERATED / f"{service}.ts"
            if check:
                if not target.exists() or target.read_text() != text:
                    stale.append(str(target.relative_to(ROOT)))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
    if stale:
        print(
            "The generated API client is stale (the OpenAPI documents changed): "
            + ", ".join(stale)
            + ". Run `make frontend-client` and commit the result.",
            file=sys.stderr,
        )
        return 1
    print("frontend API client is up to date" if check else f"wrote {GENERATED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
