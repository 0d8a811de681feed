"""Each overlay deployed into a real API server the documented way (scripts/k8s_deploy.sh).

The control plane is real (etcd, kube-apiserver with Pod Security admission,
kube-controller-manager); no node runs, so the Pods the controllers create are admitted and
stored but stay Pending. What a kubelet would then do (pull images, run migrations, pass
probes) is not checked here; the compose stack runs the same images for real.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.cluster.conftest import CONTROLLER_TIMEOUT_SECONDS, NAMESPACE, Deployed, Manifest
from tests.cluster.controlplane import wait_for

SERVING_KINDS = {"Deployment", "HorizontalPodAutoscaler", "IngressRoute", "PodDisruptionBudget"}


def owned_by(item: dict[str, Any], kind: str, name: str) -> bool:
    return any(
        reference["kind"] == kind and reference["name"] == name and reference.get("controller")
        for reference in item["metadata"].get("ownerReferences", [])
    )


def pods_of(deployed: Deployed, kind: str, name: str) -> list[dict[str, Any]]:
    """The Pods the controller-manager created for a Deployment (through its ReplicaSet) or
    a Job."""
    pods = deployed.cluster.get("-n", NAMESPACE, "pods")
    if kind == "Job":
        return [pod for pod in pods if owned_by(pod, "Job", name)]
    replica_sets = [
        replica_set["metadata"]["name"]
        for replica_set in deployed.cluster.get("-n", NAMESPACE, "replicasets")
        if owned_by(replica_set, "Deployment", name)
    ]
    return [pod for pod in pods if any(owned_by(pod, "ReplicaSet", rs) for rs in replica_sets)]


def workloads(deployed: Deployed) -> list[Manifest]:
    return [item for item in deployed.rendered() if item["kind"] in ("Deployment", "Job")]


class TestDeployOrder:
    def test_the_migration_step_applies_the_jobs_and_what_they_need_only(self, deployed):
        kinds = {kind for kind, _ in deployed.after_migration}
        jobs = {name for kind, name in deployed.after_migration if kind == "Job"}

        assert jobs == {"auth-migrate", "users-migrate", "todos-migrate"}
        assert {"ServiceAccount", "ConfigMap", "NetworkPolicy"} <= kinds
        # The serving objects wait for the second step.
        assert not kinds & SERVING_KINDS
        assert "serverside-applied" in deployed.migration_output


class TestEveryObjectIsAccepted:
    def test_every_rendered_object_exists_in_the_cluster(self, deployed):
        rendered = {(item["kind"], item["metadata"]["name"]) for item in deployed.rendered()}
        # Everything the overlay names, read back from the API server.
        stored = json.loads(
            deployed.cluster.kubectl(
                "get",
                "-k",
                f"k8s/overlays/{deployed.overlay}",
                "-o",
                "json",
                "--show-managed-fields",
            ).stdout
        )["items"]

        assert {(item["kind"], item["metadata"]["name"]) for item in stored} == rendered
        assert len(rendered) >= 30
        for item in stored:
            managers = {entry["manager"] for entry in item["metadata"]["managedFields"]}
            assert "todo-platform-deploy" in managers, item["metadata"]["name"]

    def test_traefik_resources_are_checked_against_the_crd_schema(self, deployed):
        # The API server refuses unknown fields (kubectl's strict field validation), so a
        # misspelt Traefik option fails the deploy instead of being dropped.
        broken = {
            "apiVersion": "traefik.io/v1alpha1",
            "kind": "Middleware",
            "metadata": {"name": "misspelt", "namespace": NAMESPACE},
            "spec": {"buffering": {"maxRequestBodyByte": 10}},
        }
        refused = deployed.cluster.kubectl(
            "apply", "--server-side", "-f", "-", input_text=json.dumps(broken), check=False
        )

        assert refused.returncode != 0
        assert "maxRequestBodyByte" in refused.stderr


class TestControllersCreateThePods:
    def test_every_deployment_and_job_gets_its_pods(self, deployed):
        for workload in workloads(deployed):
            kind, name = workload["kind"], workload["metadata"]["name"]

            def created(kind: str = kind, name: str = name) -> bool:
                return len(pods_of(deployed, kind, name)) >= 1

            wait_for(f"the Pods of {kind} {name}", created, timeout=CONTROLLER_TIMEOUT_SECONDS)
            for pod in pods_of(deployed, kind, name):
                # Admitted and stored; no node to run it.
                assert pod["status"]["phase"] == "Pending", pod["metadata"]["name"]
                assert "nodeName" not in pod["spec"]

    def test_no_controller_was_refused_a_pod(self, deployed):
        # A Pod that Pod Security (or any admission) refuses shows up as a FailedCreate
        # event on the ReplicaSet or Job that tried to create it.
        events = deployed.cluster.get("-n", NAMESPACE, "events")
        failed = [event["message"] for event in events if event["reason"] == "FailedCreate"]

        assert failed == []


class TestPodSecurity:
    def test_the_namespace_enforces_restricted(self, deployed):
        [namespace] = [
            item
            for item in deployed.cluster.get("namespaces")
            if item["metadata"]["name"] == NAMESPACE
        ]

        assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"

    def test_a_pod_that_breaks_the_level_is_refused(self, deployed):
        # A serving Pod's own template with one requirement of `restricted` taken away.
        [auth] = [
            item
            for item in workloads(deployed)
            if item["kind"] == "Deployment" and item["metadata"]["name"] == "auth"
        ]
        spec = copy.deepcopy(auth["spec"]["template"]["spec"])
        spec["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = True
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "escalates", "namespace": NAMESPACE},
            "spec": spec,
        }
        compliant = copy.deepcopy(pod)
        compliant["metadata"]["name"] = "compliant"
        compliant["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = False

        refused = deployed.cluster.kubectl(
            "create", "-f", "-", input_text=json.dumps(pod), check=False
        )
        accepted = deployed.cluster.kubectl(
            "create", "--dry-run=server", "-f", "-", input_text=json.dumps(compliant), check=False
        )

        assert refused.returncode != 0
        assert 'violates PodSecurity "restricted:latest"' in refused.stderr
        assert "allowPrivilegeEscalation" in refused.stderr
        assert accepted.returncode == 0, accepted.stderr


class TestWhatAKubeletWouldNeed:
    def test_every_secret_and_config_map_a_pod_reads_exists(self, deployed):
        # The kubelet refuses to start a container whose required Secret key or ConfigMap
        # is missing (CreateContainerConfigError); check the stored Pods against the
        # stored Secrets (created as docs/operations.md says) and ConfigMaps.
        secrets = {
            item["metadata"]["name"]: set(item.get("data", {}))
            for item in deployed.cluster.get("-n", NAMESPACE, "secrets")
        }
        config_maps = {
            item["metadata"]["name"] for item in deployed.cluster.get("-n", NAMESPACE, "configmaps")
        }
        pods = deployed.cluster.get("-n", NAMESPACE, "pods")
        assert pods
        for pod in pods:
            for container in pod["spec"]["containers"]:
                for source in container.get("envFrom", []):
                    assert source["configMapRef"]["name"] in config_maps
                for variable in container.get("env", []):
                    reference = variable.get("valueFrom", {}).get("secretKeyRef")
                    if reference is None or reference.get("optional", False):
                        continue
                    assert reference["key"] in secrets.get(reference["name"], set()), (
                        pod["metadata"]["name"],
                        reference,
                    )
