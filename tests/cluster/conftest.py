"""One real control plane per overlay, with Traefik's CRDs, the documented Secrets, and the
overlay deployed by scripts/k8s_deploy.sh: the migration step, then everything."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cluster.controlplane import ControlPlane, kubernetes_binaries, wait_for
from tests.commands import REPO_ROOT, run
from todo_common.platform import SERVICES

NAMESPACE = "todo"
OVERLAYS = ("dev", "prod")
DEPLOY_SCRIPT = REPO_ROOT / "scripts" / "k8s_deploy.sh"
TRAEFIK_INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install_traefik.sh"
TRAEFIK_MODULE = "github.com/traefik/traefik/v3"
# Where the Traefik module keeps the CRDs its Helm chart installs.
TRAEFIK_CRD_FILE = "docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml"
# The controllers create Pods within seconds; a loaded shared machine gets a minute.
CONTROLLER_TIMEOUT_SECONDS = 90

Manifest = dict[str, Any]


def pinned_traefik_version() -> str:
    """The Traefik release the platform runs (scripts/install_traefik.sh pins it)."""
    match = re.search(
        r'^readonly TRAEFIK_VERSION="(v[^"]+)"$', TRAEFIK_INSTALL_SCRIPT.read_text(), re.MULTILINE
    )
    assert match, "scripts/install_traefik.sh has no TRAEFIK_VERSION"
    return match.group(1)


def traefik_crds() -> Path:
    """Traefik's CustomResourceDefinitions, from the pinned module's source (Go module proxy)."""
    completed = run(
        ["go", "mod", "download", "-json", f"{TRAEFIK_MODULE}@{pinned_traefik_version()}"],
        cwd="/",
        env={**os.environ, "GOWORK": "off"},
        timeout=600,
    )
    crds = Path(json.loads(completed.stdout)["Dir"]) / TRAEFIK_CRD_FILE
    assert crds.is_file(), f"{crds} is missing"
    return crds


@dataclass
class Deployed:
    overlay: str
    cluster: ControlPlane
    # (kind, name) of every object in the namespace right after the migration step.
    after_migration: set[tuple[str, str]]
    migration_output: str

    def rendered(self) -> list[Manifest]:
        """What `kubectl apply -k` sends: the overlay, rendered by the pinned kubectl."""
        output = self.cluster.kubectl(
            "kustomize", str(REPO_ROOT / "k8s" / "overlays" / self.overlay)
        )
        return [item for item in yaml.safe_load_all(output.stdout) if item]


def documented_secrets(cluster: ControlPlane, overlay: str, workdir: Path) -> None:
    """The Secrets of docs/operations.md ("Secrets"), with test values."""
    create = ("-n", NAMESPACE, "create", "secret", "generic")
    for service in SERVICES:
        cluster.kubectl(
            *create,
            f"{service}-database",
            f"--from-literal=DATABASE_URL=postgresql://{service}:test@db-pooler.example.com/todo?sslmode=require",
            f"--from-literal=DATABASE_URL_DIRECT=postgresql://{service}:test@db.example.com/todo?sslmode=require",
        )
    if overlay == "dev":
        cluster.kubectl(*create, "todo-jwt", "--from-literal=JWT_SECRET=" + "0" * 64)
        return
    private_key, public_key = workdir / "jwt-private.pem", workdir / "jwt-public.pem"
    for command in (
        [
            "openssl",
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            str(private_key),
        ],
        ["openssl", "pkey", "-in", str(private_key), "-pubout", "-out", str(public_key)],
    ):
        cluster.run(command)
    # "Production TLS": the certificate of both IngressRoutes (here self-signed).
    tls_cert, tls_key = workdir / "tls.crt", workdir / "tls.key"
    cluster.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=api.example.com",
            "-keyout",
            str(tls_key),
            "-out",
            str(tls_cert),
        ]
    )
    cluster.kubectl(
        "-n",
        NAMESPACE,
        "create",
        "secret",
        "tls",
        "todo-api-tls",
        f"--cert={tls_cert}",
        f"--key={tls_key}",
    )
    cluster.kubectl(*create, "todo-jwt", f"--from-file=JWT_PUBLIC_KEY={public_key}")
    cluster.kubectl(*create, "auth-jwt-signing", f"--from-file=JWT_PRIVATE_KEY={private_key}")
    client_secret = "1" * 64
    cluster.kubectl(
        *create, "users-service-client", f"--from-literal=SERVICE_CLIENT_SECRET={client_secret}"
    )
    cluster.kubectl(
        *create,
        "auth-service-clients",
        "--from-literal=SERVICE_CLIENT_SECRETS=" + json.dumps({"users": client_secret}),
    )


def namespace_objects(cluster: ControlPlane) -> set[tuple[str, str]]:
    kinds = "deployments,jobs,services,serviceaccounts,configmaps,networkpolicies"
    return {
        (item["kind"], item["metadata"]["name"]) for item in cluster.get("-n", NAMESPACE, kinds)
    }


def deploy_step(cluster: ControlPlane, step: str, overlay: str) -> str:
    completed = cluster.run(["bash", str(DEPLOY_SCRIPT), "--only", step, f"k8s/overlays/{overlay}"])
    return completed.stdout + completed.stderr


@pytest.fixture(scope="session")
def kube_binaries() -> Path:
    return kubernetes_binaries()


@pytest.fixture(scope="session")
def crds() -> Path:
    return traefik_crds()


# Session scope: pytest runs every test of one overlay, in any module, on one cluster.
@pytest.fixture(scope="session", params=OVERLAYS)
def deployed(
    request: pytest.FixtureRequest,
    kube_binaries: Path,
    crds: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployed]:
    overlay: str = request.param
    workdir = tmp_path_factory.mktemp(f"cluster-{overlay}")
    cluster = ControlPlane(kube_binaries, workdir)
    try:
        cluster.start()
        # What Traefik's Helm chart installs first: its CRDs (docs/operations.md).
        cluster.kubectl("apply", "--server-side", "-f", str(crds))
        cluster.kubectl("wait", "--for=condition=established", "crd", "--all", "--timeout=60s")
        # docs/operations.md, "Secrets": the namespace, then the Secrets, before the deploy.
        cluster.kubectl("create", "namespace", NAMESPACE)
        documented_secrets(cluster, overlay, workdir)
        migration_output = deploy_step(cluster, "migrate", overlay)
        after_migration = namespace_objects(cluster)
        # The Jobs' Pods before the second step, as a real deploy waits for the Jobs.
        wait_for(
            "the Job controller to create the migration Pods",
            lambda: len(cluster.get("-n", NAMESPACE, "pods")) >= 3,
            timeout=CONTROLLER_TIMEOUT_SECONDS,
        )
        deploy_step(cluster, "apply", overlay)
        yield Deployed(overlay, cluster, after_migration, migration_output)
    finally:
        cluster.stop()
