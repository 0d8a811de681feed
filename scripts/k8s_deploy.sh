#!/usr/bin/env bash
# Deploy an overlay: migrate first, then roll out (docs/operations.md, "Deploying").
#     scripts/k8s_deploy.sh k8s/overlays/prod
# Needs kubectl with access to the cluster and the Secrets of docs/operations.md.
set -euo pipefail

overlay="${1:?usage: scripts/k8s_deploy.sh k8s/overlays/<env>}"
namespace="${NAMESPACE:-todo}"
migration_timeout="${MIGRATION_TIMEOUT:-10m}"
rollout_timeout="${ROLLOUT_TIMEOUT:-5m}"

log() { printf 'k8s_deploy: %s\n' "$*" >&2; }

# Jobs are immutable: the previous run goes, then the migration phase is applied.
log "replacing the migration Jobs"
kubectl -n "$namespace" delete job -l app.kubernetes.io/component=migration --ignore-not-found
kubectl apply -k "$overlay" -l todo-platform/phase=migrate
if ! kubectl -n "$namespace" wait --for=condition=complete job \
    -l app.kubernetes.io/component=migration --timeout="$migration_timeout"; then
  log "a migration did not complete; nothing else was changed. Its logs:"
  kubectl -n "$namespace" logs -l app.kubernetes.io/component=migration --tail=50 >&2 || true
  exit 1
fi

log "applying the rest of $overlay"
kubectl apply -k "$overlay"
for service in auth users todos; do
  kubectl -n "$namespace" rollout status "deployment/$service" --timeout="$rollout_timeout"
done
log "done"
