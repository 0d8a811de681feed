"""The service images: services/<name>/Dockerfile and the build context's .dockerignore."""

import fnmatch
import importlib
import os
import re
from pathlib import Path

import pytest

from tests.deploy.rendering import REPO_ROOT, SERVICE_PORTS

DOCKERFILES = {name: REPO_ROOT / "services" / name / "Dockerfile" for name in SERVICE_PORTS}
APP_UID = "10001"


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in dockerfile.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        logical.append(current)
        current = ""
    result = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    return result


def stages(dockerfile: Path) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions(dockerfile):
        if instruction[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def global_args(dockerfile: Path) -> dict[str, str]:
    args = {}
    for keyword, arguments in instructions(dockerfile):
        if keyword == "FROM":
            break
        if keyword == "ARG" and "=" in arguments:
            name, value = arguments.split("=", 1)
            args[name] = value
    return args


def stage_args(stage: list[tuple[str, str]]) -> dict[str, str]:
    return dict(
        arguments.split("=", 1)
        for keyword, arguments in stage
        if keyword == "ARG" and "=" in arguments
    )


@pytest.fixture(params=sorted(SERVICE_PORTS))
def service(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


class TestDockerfile:
    def test_base_image_is_python_311_slim_pinned(self, service):
        dockerfile = DOCKERFILES[service]
        args = global_args(dockerfile)
        for stage in stages(dockerfile):
            image = stage[0][1].split()[0]
            image = re.sub(r"\$\{(\w+)\}", lambda found: args[found.group(1)], image)
            name, _, tag = image.partition(":")
            assert name == "python"
            # A full version, never a floating `latest` or a bare major.
            assert re.fullmatch(r"3\.11\.\d+-slim(-\w+)?", tag), image

    def test_multi_stage_and_the_runtime_copies_only_the_virtualenv(self, service):
        build, runtime = stages(DOCKERFILES[service])
        assert build[0][1].endswith("AS build")
        copies_from_build = [
            args for keyword, args in runtime if keyword == "COPY" and "--from=" in args
        ]
        assert copies_from_build == ["--from=build /opt/venv /opt/venv"]

    def test_installs_only_common_and_the_service_with_constraints(self, service):
        build = stages(DOCKERFILES[service])[0]
        installs = [args for keyword, args in build if keyword == "RUN" and "pip install" in args]
        assert len(installs) == 1
        [command] = re.findall(r"pip install ([^&]+)", installs[0])
        assert command.split() == [
            "-c",
            "constraints.txt",
            "./libs/common",
            "./services/${SERVICE}",
        ]
        assert stage_args(build)["SERVICE"] == service

    def test_runtime_is_unprivileged_with_no_tools(self, service):
        runtime = stages(DOCKERFILES[service])[-1]
        users = [args for keyword, args in runtime if keyword == "USER"]
        assert users == [f"{APP_UID}:{APP_UID}"]
        # USER comes after every RUN, so nothing afterwards runs as root.
        keywords = [keyword for keyword, _ in runtime]
        assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")
        text = DOCKERFILES[service].read_text()
        assert "apt-get install" not in text
        assert "curl" not in text.replace("no curl", "")
        run = " ".join(args for keyword, args in runtime if keyword == "RUN")
        assert f"--uid {APP_UID}" in run
        assert "pip uninstall --yes pip" in run

    def test_environment_and_port(self, service):
        runtime = stages(DOCKERFILES[service])[-1]
        env = " ".join(args for keyword, args in runtime if keyword == "ENV")
        assert "PYTHONDONTWRITEBYTECODE=1" in env
        assert "PYTHONUNBUFFERED=1" in env
        args = stage_args(runtime)
        assert args == {"SERVICE": service, "PORT": str(SERVICE_PORTS[service])}
        assert ("EXPOSE", "${PORT}") in runtime

    def test_healthcheck_uses_python_on_a_health_endpoint(self, service):
        runtime = stages(DOCKERFILES[service])[-1]
        [check] = [args for keyword, args in runtime if keyword == "HEALTHCHECK"]
        assert 'CMD ["python", "-c"' in check
        assert "/readyz" in check or "/healthz" in check

    def test_starts_uvicorn_and_never_migrates(self, service):
        runtime = stages(DOCKERFILES[service])[-1]
        [command] = [args for keyword, args in runtime if keyword == "CMD"]
        assert not [args for keyword, args in runtime if keyword == "ENTRYPOINT"]
        assert "alembic" not in command
        assert "exec uvicorn --factory" in command
        for flag in (
            "--host 0.0.0.0",
            '--port \\"${PORT}\\"',
            "--no-access-log",
            "--no-server-header",
            # The production event loop and HTTP parser (docs/performance.md).
            "--loop uvloop",
            "--http httptools",
        ):
            assert flag in command
        assert '\\"${SERVICE}.main:build_app\\"' in command

    def test_migration_files_are_in_the_image(self, service):
        runtime = stages(DOCKERFILES[service])[-1]
        copies = [args for keyword, args in runtime if keyword == "COPY"]
        assert "services/${SERVICE}/alembic.ini ./alembic.ini" in copies
        assert "services/${SERVICE}/migrations ./migrations" in copies

    def test_the_three_dockerfiles_differ_only_in_service_and_port(self):
        def normalised(name: str) -> list[tuple[str, str]]:
            defaults = {
                f"SERVICE={name}": "SERVICE=<service>",
                f"PORT={SERVICE_PORTS[name]}": "PORT=<port>",
            }
            return [
                (keyword, defaults.get(arguments, arguments) if keyword == "ARG" else arguments)
                for keyword, arguments in instructions(DOCKERFILES[name])
            ]

        assert normalised("auth") == normalised("users") == normalised("todos")


class TestServiceSources:
    """What the image copies and starts exists, for each service present on this branch."""

    def present_services(self) -> list[str]:
        return [
            name
            for name in SERVICE_PORTS
            if (REPO_ROOT / "services" / name / "pyproject.toml").exists()
        ]

    def test_todos_is_present(self):
        assert "todos" in self.present_services()

    def test_copied_files_and_app_factory_exist(self):
        for name in self.present_services():
            folder = REPO_ROOT / "services" / name
            assert (folder / "alembic.ini").is_file()
            assert (folder / "migrations" / "env.py").is_file()
            module = importlib.import_module(f"{name}.main")
            assert callable(module.build_app)


# --- .dockerignore ------------------------------------------------------------------------


def dockerignore_patterns() -> list[tuple[bool, str]]:
    patterns = []
    for line in (REPO_ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        patterns.append((negated, line.lstrip("!").strip("/")))
    return patterns


def pattern_matches(pattern: str, path: str) -> bool:
    """Docker's matching: the pattern matches the path or one of its parent folders."""
    regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
    regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
    parts = path.split("/")
    return any(re.fullmatch(regex, "/".join(parts[:end])) for end in range(1, len(parts) + 1))


def in_build_context(path: str) -> bool:
    included = True
    for negated, pattern in dockerignore_patterns():
        if pattern_matches(pattern, path):
            included = negated
    return included


def repository_files() -> list[str]:
    files = []
    for folder, directories, names in os.walk(REPO_ROOT):
        relative = Path(folder).relative_to(REPO_ROOT)
        # Walk into everything, even .venv, to prove it is left out.
        directories[:] = [d for d in directories if not (relative == Path(".venv") and d == "lib")]
        files += [str(relative / name) if str(relative) != "." else name for name in names]
    return files


class TestBuildContext:
    def test_sends_only_what_the_images_need(self):
        sent = [path for path in repository_files() if in_build_context(path)]
        assert "constraints.txt" in sent
        assert "libs/common/pyproject.toml" in sent
        assert "services/todos/pyproject.toml" in sent
        assert "services/todos/migrations/env.py" in sent
        assert "services/todos/src/todos/main.py" in sent
        for path in sent:
            parts = set(Path(path).parts)
            assert not parts & {
                ".venv",
                ".data",
                ".git",
                "tests",
                "__pycache__",
                ".pytest_cache",
                ".mypy_cache",
                ".ruff_cache",
            }, path
            assert not path.endswith((".pyc", ".env")), path
            assert Path(path).name != ".env", path
            assert not fnmatch.fnmatch(path, "*.egg-info/*"), path

    @pytest.mark.parametrize(
        "path",
        [
            ".venv/bin/python",
            ".data/postgres/PG_VERSION",
            ".git",
            ".env",
            "services/todos/tests/conftest.py",
            "libs/common/tests/test_settings.py",
            "services/todos/src/todos/__pycache__/main.cpython-311.pyc",
            "k8s/base/kustomization.yaml",
            "docs/operations.md",
        ],
    )
    def test_excluded(self, path):
        assert not in_build_context(path)
