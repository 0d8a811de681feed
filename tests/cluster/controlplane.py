"""A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver, kube-controller-manager.

The binaries come from scripts/install_kubernetes.sh (built once per machine from the pinned
Kubernetes module; etcd from Debian). No kubelet and no scheduler run, so the Pods the
controllers create are admitted and stored, then stay Pending: nothing here runs a container.
"""

from __future__ import annotations

import datetime
import json
import secrets
import ssl
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from devstack.processes import ManagedProcess, provided_by
from tests.commands import REPO_ROOT, run
from todo_common.ports import free_ports

INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install_kubernetes.sh"
LOOPBACK = "127.0.0.1"
# Generous: a cold build of the binaries takes several minutes on a busy 2-core machine.
INSTALL_TIMEOUT_SECONDS = 3600
START_TIMEOUT_SECONDS = 120
KUBECTL_TIMEOUT_SECONDS = 180


def kubernetes_binaries() -> Path:
    """The directory with kube-apiserver, kube-controller-manager, kubectl and etcd."""
    return provided_by(INSTALL_SCRIPT, "Kubernetes", timeout=INSTALL_TIMEOUT_SECONDS)


def wait_for(
    what: str,
    condition: Callable[[], bool],
    process: ManagedProcess | None = None,
    timeout: float = START_TIMEOUT_SECONDS,
) -> None:
    """Polls `condition` until it holds; fails with the process's log if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and not process.is_running():
            raise AssertionError(
                f"{process.name} exited while waiting for {what}:\n{process.log_tail(40)}"
            )
        try:
            if condition():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.5)
    log = f":\n{process.log_tail(40)}" if process is not None else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{log}")


def _write_key(path: Path) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return key


def _certificate(
    subject: str, key: rsa.RSAPrivateKey, issuer: tuple[str, rsa.RSAPrivateKey] | None, *, ca: bool
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(IPv4Address(LOOPBACK)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class Pki:
    """A throwaway CA, the API server's serving certificate, the service-account signing keys
    and the bearer token of the cluster's administrator."""

    directory: Path
    token: str = field(default_factory=lambda: secrets.token_hex(24))

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        ca_key = _write_key(self.ca_key)
        ca = _certificate("todo-platform-test-ca", ca_key, None, ca=True)
        self.ca_cert.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        serving_key = _write_key(self.serving_key)
        serving = _certificate(
            "kube-apiserver", serving_key, ("todo-platform-test-ca", ca_key), ca=False
        )
        self.serving_cert.write_bytes(serving.public_bytes(serialization.Encoding.PEM))
        signing = _write_key(self.service_account_key)
        self.service_account_public_key.write_bytes(
            signing.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        # token,user,uid,"groups": system:masters may do everything (RBAC's superusers).
        self.token_file.write_text(f'{self.token},admin,admin,"system:masters"\n')
        self.token_file.chmod(0o600)

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def serving_key(self) -> Path:
        return self.directory / "apiserver.key"

    @property
    def serving_cert(self) -> Path:
        return self.directory / "apiserver.crt"

    @property
    def service_account_key(self) -> Path:
        return self.directory / "service-account.key"

    @property
    def service_account_public_key(self) -> Path:
        return self.directory / "service-account.pub"

    @property
    def token_file(self) -> Path:
        return self.directory / "tokens.csv"


class ControlPlane:
    """etcd, kube-apiserver and kube-controller-manager as child processes, on free ports."""

    def __init__(self, binaries: Path, workdir: Path) -> None:
        self.binaries = binaries
        self.workdir = workdir
        self.pki = Pki(workdir / "pki")
        (
            self.etcd_port,
            self.etcd_peer_port,
            self.apiserver_port,
            self.controller_manager_port,
        ) = free_ports(4)
        self.server = f"https://{LOOPBACK}:{self.apiserver_port}"
        self.kubeconfig = workdir / "kubeconfig"
        self._write_kubeconfig()
        self.processes: list[ManagedProcess] = []

    # -- processes -------------------------------------------------------------------------

    def _process(self, name: str, arguments: Sequence[str]) -> ManagedProcess:
        process = ManagedProcess(
            name=name,
            command=[str(self.binaries / name), *arguments],
            log=self.workdir / "logs" / f"{name}.log",
            environment={"PATH": "/usr/bin:/bin", "HOME": str(self.workdir)},
            cwd=self.workdir,
        )
        self.processes.append(process)
        process.start()
        return process

    def start(self) -> None:
        etcd_url = f"http://{LOOPBACK}:{self.etcd_port}"
        peer_url = f"http://{LOOPBACK}:{self.etcd_peer_port}"
        etcd = self._process(
            "etcd",
            [
                "--name=test",
                f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=test={peer_url}",
                "--log-level=warn",
            ],
        )
        wait_for(
            "etcd's health",
            lambda: httpx.get(f"{etcd_url}/health", timeout=2).json().get("health") == "true",
            etcd,
        )
        apiserver = self._process(
            "kube-apiserver",
            [
                f"--etcd-servers={etcd_url}",
                f"--bind-address={LOOPBACK}",
                f"--advertise-address={LOOPBACK}",
                f"--secure-port={self.apiserver_port}",
                f"--cert-dir={self.workdir / 'apiserver-certs'}",
                f"--tls-cert-file={self.pki.serving_cert}",
                f"--tls-private-key-file={self.pki.serving_key}",
                f"--token-auth-file={self.pki.token_file}",
                "--authorization-mode=RBAC",
                # Part of the default set since 1.25; named so a change of defaults cannot
                # silently turn the Pod Security checks of this suite off.
                "--enable-admission-plugins=PodSecurity,ServiceAccount,NamespaceLifecycle",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={self.pki.service_account_public_key}",
                f"--service-account-signing-key-file={self.pki.service_account_key}",
                "--service-cluster-ip-range=10.96.0.0/16",
                "--profiling=false",
            ],
        )
        wait_for("kube-apiserver's /readyz", self._apiserver_ready, apiserver)
        controller_manager = self._process(
            "kube-controller-manager",
            [
                f"--kubeconfig={self.kubeconfig}",
                f"--authentication-kubeconfig={self.kubeconfig}",
                f"--authorization-kubeconfig={self.kubeconfig}",
                f"--bind-address={LOOPBACK}",
                f"--secure-port={self.controller_manager_port}",
                f"--cert-dir={self.workdir / 'controller-manager-certs'}",
                "--leader-elect=false",
                f"--service-account-private-key-file={self.pki.service_account_key}",
                f"--root-ca-file={self.pki.ca_cert}",
                "--profiling=false",
            ],
        )
        # The service-account controller creates `default` in every namespace: proof the
        # controllers run and reach the API server.
        wait_for(
            "the controller-manager to create the default ServiceAccount",
            lambda: (
                self.kubectl(
                    "-n", "default", "get", "serviceaccount", "default", check=False
                ).returncode
                == 0
            ),
            controller_manager,
        )

    def stop(self) -> None:
        # Reverse order: the controllers first, etcd last. By PID, each one we started.
        for process in reversed(self.processes):
            process.stop(timeout=15)

    def _apiserver_ready(self) -> bool:
        response = httpx.get(
            f"{self.server}/readyz",
            headers={"Authorization": f"Bearer {self.pki.token}"},
            verify=ssl.create_default_context(cafile=str(self.pki.ca_cert)),
            timeout=5,
        )
        return response.status_code == 200

    # -- clients ---------------------------------------------------------------------------

    def _write_kubeconfig(self) -> None:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "test",
                    "cluster": {
                        "server": self.server,
                        "certificate-authority": str(self.pki.ca_cert),
                    },
                }
            ],
            "users": [{"name": "admin", "user": {"token": self.pki.token}}],
            "contexts": [{"name": "test", "context": {"cluster": "test", "user": "admin"}}],
            "current-context": "test",
        }
        # JSON is YAML: kubectl reads it as its kubeconfig.
        self.kubeconfig.write_text(json.dumps(config))
        self.kubeconfig.chmod(0o600)

    @property
    def environment(self) -> dict[str, str]:
        """For kubectl and scripts/k8s_deploy.sh: this cluster, and the pinned kubectl first."""
        return {
            "PATH": f"{self.binaries}:/usr/bin:/bin",
            "HOME": str(self.workdir),
            "KUBECONFIG": str(self.kubeconfig),
        }

    def run(
        self, command: Sequence[str], *, check: bool = True, input_text: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run(
            command,
            env=self.environment,
            input_text=input_text,
            timeout=KUBECTL_TIMEOUT_SECONDS,
            check=check,
        )

    def kubectl(
        self, *arguments: str, check: bool = True, input_text: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run(
            [str(self.binaries / "kubectl"), *arguments], check=check, input_text=input_text
        )

    def get(self, *arguments: str) -> list[dict[str, Any]]:
        """`kubectl get ... -o json`'s items."""
        items: list[dict[str, Any]] = json.loads(
            self.kubectl("get", *arguments, "-o", "json").stdout
        )["items"]
        return items
