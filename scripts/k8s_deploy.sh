#!/usr/bin/env bash
# Deploy an overlay: migrate first, then roll out (docs/operations.md, "Deploying").
#     scripts/k8s_deploy.sh k8s/overlays/prod
#     scripts/k8s_deploy.sh --only migrate k8s/overlays/dev   # one step, no waiting
#     scripts/k8s_deploy.sh --only apply k8s/overlays/dev
# Needs kubectl with access to the cluster, Traefik's CRDs, and the Secrets of
# docs/operations.md.
#
# Every apply is server-side (`kubectl apply --server-side`): the API server merges and
# validates each object and records this script as the owner of its fields, so a field
# another manager changed by hand is reported as a conflict instead of silently reverted.
#
# `--only migrate` and `--only apply` run one apply step without its wait; the cluster
# suite (tests/cluster) uses them because no node runs its Pods, so no Job ever completes.
set -euo pipefail

usage() { echo "usage: scripts/k8s_deploy.sh [--only migrate|apply] k8s/overlays/<env>" >&2; exit 2; }

only=""
if [[ "${1:-}" == "--only" ]]; then
  only="${2:-}"
  [[ "$only" == migrate || "$only" == apply ]] || usage
  shift 2
fi
overlay="${1:-}"
[[ -n "$overlay" && $# -eq 1 ]] || usage
namespace="${NAMESPACE:-todo}"
migration_timeout="${MIGRATION_TIMEOUT:-10m}"
rollout_timeout="${ROLLOUT_TIMEOUT:-5m}"
readonly field_manager="todo-platform-deploy"

log() { printf 'k8s_deploy: %s\n' "$*" >&2; }

apply() { # <kubectl apply arguments...>
  kubectl apply --server-side --field-manager="$field_manager" -k "$overlay" "$@"
}

# Jobs are immutable: the previous run goes, then the migration phase is applied (the
# Jobs and what they need: namespace, NetworkPolicies, ServiceAccounts, ConfigMaps).
migrate() {
  log "replacing the migration Jobs"
  kubectl -n "$namespace" delete job -l app.kubernetes.io/component=migration --ignore-not-found
  apply -l todo-platform/phase=migrate
}

wait_for_migrations() {
  if ! kubectl -n "$namespace" wait --for=condition=complete job \
      -l app.kubernetes.io/component=migration --timeout="$migration_timeout"; then
    log "a migration did not complete; nothing else was changed. Its logs:"
    kubectl -n "$namespace" logs -l app.kubernetes.io/component=migration --tail=50 >&2 || true
    exit 1
  fi
}

apply_everything() {
  log "applying the rest of $overlay"
  apply
}

wait_for_rollout() {
  local service
  for service in auth users todos; do
    kubectl -n "$namespace" rollout status "deployment/$service" --timeout="$rollout_timeout"
  done
}

case "$only" in
  migrate) migrate ;;
  apply) apply_everything ;;
  *)
    migrate
    wait_for_migrations
    apply_everything
    wait_for_rollout
    ;;
esac
log "done"
