"""The rendered overlays: what `kubectl apply -k k8s/overlays/<env>` sends to a cluster."""

import asyncio
import json
import re
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest

from auth.core.config import AuthSettings
from tests.commands import REPO_ROOT
from tests.deploy.rendering import Manifest, named, of_kind
from tests.deploy.service_settings import (
    EVENT_EDGES,
    assert_base_url_of,
    assert_relay_delivers_to,
    load_service_settings,
    published_to,
    rsa_key_pair,
    service_token_path,
)
from todo_common.platform import SERVICE_PORTS
from todo_common.security.service_tokens import (
    LocalServiceTokenMinter,
    ServiceTokenClient,
    service_token_provider,
)

NAMESPACE = "todo"
# The uid the images run as (the root Dockerfile).
APP_UID = 10001
# Kubernetes versions the manifests must be valid for: the oldest we support, the newest
# whose schemas kubernetes-validate ships. The cluster suite (tests/cluster) deploys into a
# real API server of one version between them (v1.34), which checks the rest for real.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
# Secrets the operator creates (docs/operations.md); the manifests only name them.
DOCUMENTED_SECRET_KEYS = {
    "auth-database": {"DATABASE_URL", "DATABASE_URL_DIRECT"},
    "users-database": {"DATABASE_URL", "DATABASE_URL_DIRECT"},
    "todos-database": {"DATABASE_URL", "DATABASE_URL_DIRECT"},
    "todo-jwt": {"JWT_SECRET", "JWT_PUBLIC_KEY"},
    "auth-jwt-signing": {"JWT_PRIVATE_KEY"},
    "auth-bootstrap": {"FIRST_ADMIN_EMAIL", "FIRST_ADMIN_PASSWORD"},
    "auth-service-clients": {"SERVICE_CLIENT_SECRETS"},
    "users-service-client": {"SERVICE_CLIENT_SECRET"},
}
# users' client secret in the settings checks; auth's SERVICE_CLIENT_SECRETS holds it too.
SAMPLE_CLIENT_SECRET = "users-sample-" + "0" * 32
WORKLOAD_KINDS = ("Deployment", "Job")
# The Service over every service's pods that renders the gateway's error pages.
ERROR_PAGES_SERVICE = "gateway-errors"


def pod_spec(workload: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def containers(workload: Manifest) -> list[dict[str, Any]]:
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def workloads(manifests: list[Manifest]) -> list[Manifest]:
    return [item for kind in WORKLOAD_KINDS for item in of_kind(manifests, kind)]


def env_names(container: dict[str, Any]) -> set[str]:
    return {variable["name"] for variable in container.get("env", [])}


def secret_refs(container: dict[str, Any]) -> set[tuple[str, str]]:
    refs = set()
    for variable in container.get("env", []):
        ref = variable.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            refs.add((ref["name"], ref["key"]))
    return refs


def env_source(container: dict[str, Any], name: str) -> dict[str, Any]:
    """How the container's variable `name` gets its value (`value` or `valueFrom`)."""
    [variable] = [variable for variable in container.get("env", []) if variable["name"] == name]
    return {key: value for key, value in variable.items() if key != "name"}


def sample_secret_value(secret: str, key: str) -> str:
    """A stand-in for what the operator puts in the Secret (docs/operations.md)."""
    if key.startswith("DATABASE_URL"):
        role = secret.removesuffix("-database")
        return f"postgresql://{role}:sample@db.example.com:5432/todo?sslmode=require"
    private_key, public_key = rsa_key_pair()
    return {
        "JWT_SECRET": "0" * 64,
        "JWT_PUBLIC_KEY": public_key,
        "JWT_PRIVATE_KEY": private_key,
        "SERVICE_CLIENT_SECRET": SAMPLE_CLIENT_SECRET,
        "SERVICE_CLIENT_SECRETS": json.dumps({"users": SAMPLE_CLIENT_SECRET}),
    }[key]


def container_environment(manifests: list[Manifest], container: dict[str, Any]) -> dict[str, str]:
    """What the container's process sees, with sample values for the required Secrets (the
    optional ones left out: the platform must start without them)."""
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        # A ConfigMap with nothing in it (a service's own, before it needs any) has no data.
        config = named(manifests, "ConfigMap", source["configMapRef"]["name"])
        environment.update(config.get("data", {}))
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
            continue
        ref = variable["valueFrom"]["secretKeyRef"]
        if not ref.get("optional", False):
            environment[variable["name"]] = sample_secret_value(ref["name"], ref["key"])
    return environment


def config_value(manifests: list[Manifest], prefix: str, key: str) -> str:
    [config] = [
        item
        for item in of_kind(manifests, "ConfigMap")
        if item["metadata"]["name"].startswith(prefix + "-")
    ]
    value: str = config["data"][key]
    return value


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


class TestDeployments:
    def test_one_deployment_service_and_migration_per_service(self, manifests):
        for kind in ("Deployment", "Service", "ServiceAccount", "Job"):
            names = {item["metadata"]["name"] for item in of_kind(manifests, kind)}
            expected = {f"{name}-migrate" if kind == "Job" else name for name in SERVICE_PORTS}
            if kind == "Service":
                expected.add(ERROR_PAGES_SERVICE)  # the gateway's error pages, over all three
            assert names == expected, kind

    def test_probes_point_at_health_endpoints(self, manifests):
        for deployment in of_kind(manifests, "Deployment"):
            [container] = pod_spec(deployment)["containers"]
            probes = {
                kind: container[kind]["httpGet"]
                for kind in ("startupProbe", "livenessProbe", "readinessProbe")
            }
            assert probes["livenessProbe"]["path"] == "/healthz"
            assert probes["startupProbe"]["path"] == "/healthz"
            # Readiness asks the database: a pod that cannot reach it takes no traffic.
            assert probes["readinessProbe"]["path"] == "/readyz"
            ports = {port["name"]: port["containerPort"] for port in container["ports"]}
            for probe in probes.values():
                assert probe["port"] in ports

    def test_listens_on_the_service_port(self, manifests):
        for name, port in SERVICE_PORTS.items():
            [container] = pod_spec(named(manifests, "Deployment", name))["containers"]
            assert container["ports"] == [
                {"name": "http", "containerPort": port, "protocol": "TCP"}
            ]
            service = named(manifests, "Service", name)
            assert service["spec"]["ports"][0]["port"] == port
            assert service["spec"]["ports"][0]["targetPort"] == "http"
            assert selects(service["spec"]["selector"], deployment_pod_labels(manifests, name))

    def test_deployments_serve_and_never_migrate(self, manifests):
        for deployment in of_kind(manifests, "Deployment"):
            [container] = pod_spec(deployment)["containers"]
            # The image's CMD is uvicorn; overriding it here would be the only way to
            # slip a migration into the serving pods.
            assert "command" not in container
            assert "args" not in container
            assert "initContainers" not in pod_spec(deployment)

    def test_replicas_are_left_to_the_autoscaler(self, manifests):
        for deployment in of_kind(manifests, "Deployment"):
            assert "replicas" not in deployment["spec"], deployment["metadata"]["name"]

    def test_rolling_update_keeps_capacity(self, manifests):
        for deployment in of_kind(manifests, "Deployment"):
            assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


class TestSecurity:
    def test_pods_run_as_the_image_user_without_privileges(self, manifests):
        for workload in workloads(manifests):
            name = workload["metadata"]["name"]
            spec = pod_spec(workload)
            assert spec["automountServiceAccountToken"] is False, name
            assert spec["enableServiceLinks"] is False, name
            assert spec["securityContext"]["runAsNonRoot"] is True, name
            assert spec["securityContext"]["runAsUser"] == APP_UID, name
            assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
            for container in containers(workload):
                context = container["securityContext"]
                assert context["runAsNonRoot"] is True, name
                assert context["readOnlyRootFilesystem"] is True, name
                assert context["allowPrivilegeEscalation"] is False, name
                assert context.get("privileged", False) is False, name
                assert context["capabilities"]["drop"] == ["ALL"], name
                assert not context["capabilities"].get("add"), name
                assert context["seccompProfile"]["type"] == "RuntimeDefault", name
                # A read-only root needs somewhere to write temporary files.
                mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
                assert "/tmp" in mounts, name  # noqa: S108 - the container's own /tmp

    def test_service_accounts_do_not_mount_tokens(self, manifests):
        for account in of_kind(manifests, "ServiceAccount"):
            assert account["automountServiceAccountToken"] is False

    def test_every_object_lives_in_the_namespace_and_is_labelled(self, manifests):
        for item in manifests:
            labels = item["metadata"].get("labels", {})
            assert labels.get("app.kubernetes.io/part-of") == "todo-platform", item["metadata"]
            if item["kind"] != "Namespace":
                assert item["metadata"]["namespace"] == NAMESPACE, item["metadata"]["name"]

    def test_resources_have_requests_and_limits(self, manifests):
        for workload in workloads(manifests):
            for container in containers(workload):
                resources = container["resources"]
                for bound in ("requests", "limits"):
                    assert set(resources[bound]) >= {"cpu", "memory"}, workload["metadata"]
                assert parse_memory(resources["requests"]["memory"]) <= parse_memory(
                    resources["limits"]["memory"]
                )

    def test_images_are_pinned(self, manifests):
        for workload in workloads(manifests):
            for container in containers(workload):
                image = container["image"]
                assert "@sha256:" in image or re.search(r":[\w.-]+$", image), image
                tag = image.rsplit(":", 1)[-1]
                assert tag != "latest", image


class TestSecrets:
    def test_no_secret_is_rendered(self, manifests):
        # Secrets are created by the operator; a committed one would leak with the repo.
        assert of_kind(manifests, "Secret") == []
        assert not [item for item in manifests if "data" in item and item["kind"] != "ConfigMap"]

    def test_secrets_are_referenced_by_name_and_documented(self, manifests):
        operations = (REPO_ROOT / "docs" / "operations.md").read_text()
        referenced = set()
        for workload in workloads(manifests):
            for container in containers(workload):
                referenced |= secret_refs(container)
                for source in container.get("envFrom", []):
                    assert "secretRef" not in source, "name secret keys one by one"
        assert referenced
        for secret, key in referenced:
            assert key in DOCUMENTED_SECRET_KEYS.get(secret, set()), (secret, key)
            # The operations guide has a command that creates it, with that key.
            commands = [
                match.group(0)
                for match in re.finditer(
                    # The command, and its continuation lines (`--from-...`).
                    rf"kubectl -n {NAMESPACE} create secret generic {secret}\b"
                    r"[^\n]*(\n +--[^\n]*)*",
                    operations,
                )
            ]
            assert commands, f"docs/operations.md does not create Secret {secret}"
            assert any(
                f"--from-literal={key}=" in command or f"--from-file={key}=" in command
                for command in commands
            ), (secret, key)

    def test_each_service_reads_only_its_own_database_secret(self, manifests):
        for workload in workloads(manifests):
            service = workload["metadata"]["labels"]["app.kubernetes.io/name"]
            for container in containers(workload):
                database_secrets = {
                    name for name, _ in secret_refs(container) if name.endswith("-database")
                }
                assert database_secrets == {f"{service}-database"}

    def test_migrations_use_the_direct_url_and_services_the_pooled_one(self, manifests):
        for name in SERVICE_PORTS:
            [service] = pod_spec(named(manifests, "Deployment", name))["containers"]
            [migrate] = pod_spec(named(manifests, "Job", f"{name}-migrate"))["containers"]
            assert (f"{name}-database", "DATABASE_URL") in secret_refs(service)
            assert (f"{name}-database", "DATABASE_URL_DIRECT") not in secret_refs(service)
            assert (f"{name}-database", "DATABASE_URL_DIRECT") in secret_refs(migrate)


class TestConfiguration:
    def test_every_event_reaches_the_address_of_its_subscriber(self, manifests, monkeypatch):
        # One address book (EVENT_SUBSCRIBERS, in todo-platform-config) for every service;
        # each producer's settings say who gets its events. Each of those needs an address.
        edges = set()
        for name in SERVICE_PORTS:
            [container] = pod_spec(named(manifests, "Deployment", name))["containers"]
            settings = load_service_settings(
                name, container_environment(manifests, container), monkeypatch
            )
            assert settings.db_schema == name
            for subscriber, url in settings.event_subscribers.items():
                assert_base_url_of(str(url), subscriber)
            for subscriber in published_to(settings):
                assert_relay_delivers_to(settings, subscriber)
                edges.add((name, subscriber))
        assert edges == EVENT_EDGES

    def test_every_workload_accepts_its_settings(self, overlay, manifests, monkeypatch):
        # The services' own settings classes read what each pod would get: a setting they
        # refuse (an RS256 relay with no way to get tokens, say) fails here, not at start.
        for workload in workloads(manifests):
            service = workload["metadata"]["labels"]["app.kubernetes.io/name"]
            for container in containers(workload):
                environment = container_environment(manifests, container)
                settings = load_service_settings(
                    service, environment, monkeypatch, migration=workload["kind"] == "Job"
                )
                for subscriber in settings.event_subscribers:
                    assert_relay_delivers_to(settings, subscriber)
                if workload["kind"] == "Job":
                    assert settings.outbox_relay_enabled is False, workload["metadata"]["name"]
                if workload["kind"] != "Deployment" or service == "auth":
                    continue  # auth signs its own service tokens
                if not settings.outbox_relay_enabled:
                    continue  # no relay (todos publishes nothing), no tokens to get
                provider = service_token_provider(settings)
                if overlay == "prod":
                    assert isinstance(provider, ServiceTokenClient)
                    asyncio.run(provider.aclose())
                else:
                    assert isinstance(provider, LocalServiceTokenMinter)

    def test_prod_auth_migration_needs_no_signing_key(self, rendered_overlays, monkeypatch):
        manifests = rendered_overlays["prod"]
        [migrate] = pod_spec(named(manifests, "Job", "auth-migrate"))["containers"]
        environment = container_environment(manifests, migrate)

        assert "JWT_PRIVATE_KEY" not in environment
        load_service_settings("auth", environment, monkeypatch, migration=True)

    def test_jwt_settings_per_environment(self, overlay, manifests):
        algorithms = config_value(manifests, "todo-platform-config", "JWT_ALGORITHMS")
        for workload in workloads(manifests):
            service = workload["metadata"]["labels"]["app.kubernetes.io/name"]
            for container in containers(workload):
                names = env_names(container)
                if overlay == "prod":
                    # Production signs with RS256; only auth's serving pods hold the key.
                    assert algorithms == "RS256"
                    assert "JWT_SECRET" not in names
                    assert ("todo-jwt", "JWT_PUBLIC_KEY") in secret_refs(container)
                    holds_key = workload["kind"] == "Deployment" and service == "auth"
                    assert ("JWT_PRIVATE_KEY" in names) == holds_key
                else:
                    assert algorithms == "HS256"
                    assert ("todo-jwt", "JWT_SECRET") in secret_refs(container)
                    assert "JWT_PRIVATE_KEY" not in names


class TestMigrationJobs:
    def test_jobs_run_alembic_with_the_service_image(self, manifests):
        for name in SERVICE_PORTS:
            job = named(manifests, "Job", f"{name}-migrate")
            [migrate] = pod_spec(job)["containers"]
            [service] = pod_spec(named(manifests, "Deployment", name))["containers"]
            assert migrate["command"] == ["alembic", "-c", "alembic.ini", "upgrade", "head"]
            assert migrate["workingDir"] == "/app"
            assert migrate["image"] == service["image"]
            assert pod_spec(job)["restartPolicy"] == "Never"
            assert job["spec"]["backoffLimit"] >= 1
            assert job["spec"]["activeDeadlineSeconds"] > 0
            # Argo CD runs it before the Deployments and replaces the previous run.
            assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"


class TestAvailability:
    def test_each_deployment_has_a_pdb_and_an_hpa(self, overlay, manifests):
        for name in SERVICE_PORTS:
            pod_labels = deployment_pod_labels(manifests, name)
            budgets = [
                item
                for item in of_kind(manifests, "PodDisruptionBudget")
                if selects(item["spec"]["selector"]["matchLabels"], pod_labels)
            ]
            assert len(budgets) == 1, name
            autoscalers = [
                item
                for item in of_kind(manifests, "HorizontalPodAutoscaler")
                if item["spec"]["scaleTargetRef"]
                == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
            ]
            assert len(autoscalers) == 1, name
            [autoscaler] = autoscalers
            assert autoscaler["apiVersion"] == "autoscaling/v2"
            low, high = autoscaler["spec"]["minReplicas"], autoscaler["spec"]["maxReplicas"]
            assert 1 <= low <= high
            if overlay == "prod":
                assert low >= 2, "production keeps a spare replica"
            # The budget must let a node drain proceed even at minReplicas.
            budget = budgets[0]["spec"]
            if "minAvailable" in budget:
                assert budget["minAvailable"] < low
            else:
                assert budget["maxUnavailable"] >= 1


class TestServiceTokens:
    """RS256 (prod): only auth signs, so users' relay asks auth for its service tokens."""

    def test_prod_users_gets_service_tokens_from_auth(self, rendered_overlays, monkeypatch):
        manifests = rendered_overlays["prod"]
        [users] = pod_spec(named(manifests, "Deployment", "users"))["containers"]
        environment = container_environment(manifests, users)
        # auth's own port and path (the gateway never routes /internal).
        token_url = urlsplit(environment["SERVICE_TOKEN_URL"])
        assert token_url.scheme == "http"
        assert token_url.hostname == "auth"
        assert token_url.port == SERVICE_PORTS["auth"]
        assert token_url.path == service_token_path()
        # The client secret: from a Secret, required (never a literal, never optional).
        assert env_source(users, "SERVICE_CLIENT_SECRET") == {
            "valueFrom": {
                "secretKeyRef": {"name": "users-service-client", "key": "SERVICE_CLIENT_SECRET"}
            }
        }
        settings = load_service_settings("users", environment, monkeypatch)
        provider = service_token_provider(settings)
        assert isinstance(provider, ServiceTokenClient)
        assert provider.token_url == environment["SERVICE_TOKEN_URL"]
        assert provider.client_id == "users"
        asyncio.run(provider.aclose())

    def test_prod_auth_knows_the_clients_and_their_audiences(self, rendered_overlays, monkeypatch):
        manifests = rendered_overlays["prod"]
        [auth] = pod_spec(named(manifests, "Deployment", "auth"))["containers"]
        # Required in production: without users' entry every token request is refused.
        assert env_source(auth, "SERVICE_CLIENT_SECRETS") == {
            "valueFrom": {
                "secretKeyRef": {
                    "name": "auth-service-clients",
                    "key": "SERVICE_CLIENT_SECRETS",
                    "optional": False,
                }
            }
        }
        settings = load_service_settings(
            "auth", container_environment(manifests, auth), monkeypatch
        )
        assert isinstance(settings, AuthSettings)
        # auth issues users a token for each service it delivers to.
        consumers = {consumer for producer, consumer in EVENT_EDGES if producer == "users"}
        assert consumers <= set(settings.service_token_audiences)
        # The operations guide says the two Secrets hold one value.
        operations = (REPO_ROOT / "docs" / "operations.md").read_text()
        assert "must hold the same value" in operations

    def test_only_users_serving_pods_get_a_client_secret(self, overlay, manifests):
        # auth signs its own tokens, todos publishes nothing, migrations never relay; and
        # HS256 (dev) mints locally: there, no service needs the token endpoint at all.
        for workload in workloads(manifests):
            service = workload["metadata"]["labels"]["app.kubernetes.io/name"]
            needs = overlay == "prod" and workload["kind"] == "Deployment" and service == "users"
            for container in containers(workload):
                environment = container_environment(manifests, container)
                assert ("SERVICE_CLIENT_SECRET" in env_names(container)) == needs, service
                assert ("SERVICE_TOKEN_URL" in environment) == (
                    overlay == "prod" and service == "users"
                ), service
                if workload["kind"] == "Job":
                    assert env_source(container, "OUTBOX_RELAY_ENABLED") == {"value": "false"}

    def test_network_policies_let_users_reach_auth(self, overlay, manifests):
        # users -> auth: user.deleted, and (RS256) POST /internal/service-tokens.
        assert ("users", "auth") in ingress_edges(manifests)
        labels = deployment_pod_labels(manifests, "users")
        reachable = {
            rule for selector, rule in egress_rules(manifests) if selects(selector, labels)
        }
        assert ("auth", "http") in reachable


class TestNetworkPolicies:
    def test_default_deny_for_everything(self, manifests):
        deny = [
            policy
            for policy in of_kind(manifests, "NetworkPolicy")
            if policy["spec"]["podSelector"] == {}
            and set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not policy["spec"].get("ingress")
            and not policy["spec"].get("egress")
        ]
        assert len(deny) == 1

    def test_ingress_only_from_traefik_and_event_producers(self, manifests):
        allowed = ingress_edges(manifests)
        expected = {("traefik", name) for name in SERVICE_PORTS} | EVENT_EDGES
        assert allowed == expected

    def test_egress_only_to_dns_database_and_event_consumers(self, manifests):
        destinations = egress_rules(manifests)
        for workload in workloads(manifests):
            labels = workload["spec"]["template"]["metadata"]["labels"]
            reachable = {rule for selector, rule in destinations if selects(selector, labels)}
            service = labels["app.kubernetes.io/name"]
            # A rule's port is a number or the name of a container port.
            expected: set[tuple[str, int | str]] = {("dns", 53), ("database", 5432)}
            if workload["kind"] == "Deployment":
                expected |= {
                    (consumer, "http") for producer, consumer in EVENT_EDGES if producer == service
                }
            assert reachable == expected, workload["metadata"]["name"]


def ingress_edges(manifests: list[Manifest]) -> set[tuple[str, str]]:
    """(from, to) pairs the ingress rules allow, by service name; `traefik` for the gateway."""
    edges = set()
    for policy in of_kind(manifests, "NetworkPolicy"):
        targets = [
            name
            for name in SERVICE_PORTS
            if selects(
                policy["spec"]["podSelector"].get("matchLabels", {}),
                deployment_pod_labels(manifests, name),
            )
        ]
        for rule in policy["spec"].get("ingress", []):
            assert [port["port"] for port in rule["ports"]] == ["http"]
            for peer in rule["from"]:
                if "namespaceSelector" in peer:
                    assert peer["namespaceSelector"]["matchLabels"] == {
                        "kubernetes.io/metadata.name": "traefik"
                    }
                    assert peer["podSelector"]["matchLabels"] == {
                        "app.kubernetes.io/name": "traefik"
                    }
                    source = "traefik"
                else:
                    assert "ipBlock" not in peer
                    source = peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                edges |= {(source, target) for target in targets}
    return edges


EgressRule = tuple[dict[str, str], tuple[str, int | str]]


def egress_rules(manifests: list[Manifest]) -> list[EgressRule]:
    """(pod selector, (destination, port)) for every egress rule; a port is a number or the
    name of a container port."""
    rules: list[EgressRule] = []
    for policy in of_kind(manifests, "NetworkPolicy"):
        selector = policy["spec"]["podSelector"].get("matchLabels", {})
        for rule in policy["spec"].get("egress", []):
            ports = {port["port"] for port in rule["ports"]}
            for peer in rule["to"]:
                if "ipBlock" in peer:
                    assert ports == {5432}, "only PostgreSQL may leave the cluster"
                    rules.append((selector, ("database", 5432)))
                elif "namespaceSelector" in peer:
                    assert peer["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}
                    assert ports == {53}
                    rules.append((selector, ("dns", 53)))
                else:
                    assert ports == {"http"}
                    target = peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                    rules.append((selector, (target, "http")))
    return rules


def deployment_pod_labels(manifests: list[Manifest], name: str) -> dict[str, str]:
    labels: dict[str, str] = named(manifests, "Deployment", name)["spec"]["template"]["metadata"][
        "labels"
    ]
    return labels


def parse_memory(quantity: str) -> int:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for suffix, factor in units.items():
        if quantity.endswith(suffix):
            return int(quantity[: -len(suffix)]) * factor
    return int(quantity)


class TestSchemas:
    @pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
    def test_builtin_objects_match_the_kubernetes_schema(self, manifests, version):
        checked = 0
        for item in manifests:
            if item["apiVersion"].startswith("traefik.io/"):
                continue  # CRDs: no schema in the package; TestTraefikResources covers them.
            # Strict: an unknown (misspelt) field is an error, not silently dropped.
            kubernetes_validate.validate(item, version, strict=True)
            checked += 1
        assert checked >= 30


class TestTraefikResources:
    def test_ingressroute_references_resolve(self, manifests):
        middlewares = {item["metadata"]["name"] for item in of_kind(manifests, "Middleware")}
        routes = of_kind(manifests, "IngressRoute")
        assert {route["metadata"]["name"] for route in routes} == {"todo-api", "todo-api-cors"}
        for route in routes:
            assert route["apiVersion"] == "traefik.io/v1alpha1"
            for rule in route["spec"]["routes"]:
                for middleware in rule["middlewares"]:
                    assert middleware["name"] in middlewares
                for backend in rule["services"]:
                    service = named(manifests, "Service", backend["name"])
                    assert backend["port"] in {port["port"] for port in service["spec"]["ports"]}
                    if backend["name"] in SERVICE_PORTS:
                        assert backend["port"] == SERVICE_PORTS[backend["name"]]

    def test_error_pages_come_from_every_live_service(self, manifests):
        # gateway/dynamic.yml: a pool over all three services, health-checked on liveness,
        # so a page renders while the database (readiness) is down.
        service = named(manifests, "Service", ERROR_PAGES_SERVICE)["spec"]
        assert service["publishNotReadyAddresses"] is True
        [port] = service["ports"]
        assert port["targetPort"] == "http"
        selected = {
            name
            for name in SERVICE_PORTS
            if selects(service["selector"], deployment_pod_labels(manifests, name))
        }
        assert selected == set(SERVICE_PORTS)
        # Only through the ClusterIP do not-ready pods get requests: Traefik's own load
        # balancing skips endpoints that are not serving.
        references = [
            named(manifests, "Middleware", "gateway-errors")["spec"]["errors"]["service"],
            *(
                backend
                for route in of_kind(manifests, "IngressRoute")
                for rule in route["spec"]["routes"]
                for backend in rule["services"]
                if backend["name"] == ERROR_PAGES_SERVICE
            ),
        ]
        assert len(references) == 5  # errors, the encoded-path and deny routes, both fallbacks
        for reference in references:
            assert reference == {
                "name": ERROR_PAGES_SERVICE,
                "port": port["port"],
                "nativeLB": True,
            }

    def test_every_origin_match_uses_the_cors_pattern(self, manifests):
        # The pattern is written once (the cors Middleware); kustomize copies it into the
        # rules. A placeholder or a stale pattern would route browsers without CORS.
        [pattern] = named(manifests, "Middleware", "cors")["spec"]["headers"][
            "accessControlAllowOriginListRegex"
        ]
        for route in of_kind(manifests, "IngressRoute"):
            cors = route["metadata"]["name"] == "todo-api-cors"
            for rule in route["spec"]["routes"]:
                uses_cors = {"name": "cors"} in rule["middlewares"]
                assert uses_cors == cors, rule["match"]
                found = re.findall(r"HeaderRegexp\(`Origin`, `([^`]*)`\)", rule["match"])
                assert found == ([pattern] if cors else []), rule["match"]

    def test_production_serves_https_with_hsts(self, overlay, manifests):
        headers = named(manifests, "Middleware", "security-headers")["spec"]["headers"]
        # Sent on TLS requests only: harmless on the dev overlay's plain HTTP.
        assert headers["stsSeconds"] >= 31536000
        assert headers.get("forceSTSHeader", False) is False
        for route in of_kind(manifests, "IngressRoute"):
            if overlay == "prod":
                assert route["spec"]["entryPoints"] == ["websecure"]
                assert route["spec"]["tls"]["secretName"]
            else:
                assert route["spec"]["entryPoints"] == ["web"]

    def test_services_leave_cors_to_the_gateway(self, manifests):
        # One place grants origins (docs/architecture.md): a service adding its own CORS
        # headers would grant origins the gateway refuses. Empty means off, not the default.
        assert config_value(manifests, "todo-platform-config", "CORS_ORIGINS") == ""
        for workload in workloads(manifests):
            for container in containers(workload):
                assert "CORS_ORIGINS" not in env_names(container)


class TestMigratePhase:
    def test_the_migrate_phase_holds_everything_a_job_needs(self, manifests):
        # `kubectl apply -l todo-platform/phase=migrate` runs the Jobs before the rest
        # exists; anything they refer to must come along, or their pods cannot start.
        phase = {
            (item["kind"], item["metadata"]["name"])
            for item in manifests
            if item["metadata"].get("labels", {}).get("todo-platform/phase") == "migrate"
        }
        assert ("Namespace", NAMESPACE) in phase
        for job in of_kind(manifests, "Job"):
            assert ("Job", job["metadata"]["name"]) in phase
            spec = pod_spec(job)
            assert ("ServiceAccount", spec["serviceAccountName"]) in phase
            for container in spec["containers"]:
                for source in container["envFrom"]:
                    assert ("ConfigMap", source["configMapRef"]["name"]) in phase
        # So do the policies that let the Jobs reach DNS and the database.
        policies = {name for kind, name in phase if kind == "NetworkPolicy"}
        assert policies == {
            item["metadata"]["name"] for item in of_kind(manifests, "NetworkPolicy")
        }
        # The serving objects wait for the second apply.
        assert not {kind for kind, _ in phase} & {
            "Deployment",
            "HorizontalPodAutoscaler",
            "IngressRoute",
        }
