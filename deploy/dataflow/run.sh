#!/usr/bin/env bash
# Launch one dataguard job from the Flex Template (returns once Dataflow accepted the job).
#
#   PROJECT=acme-ml-prod BUCKET=acme-ml-dataguard deploy/dataflow/run.sh validate_batch \
#     dataset=taxi batch=2026-11-25 'input=gs://acme-ml-data/taxi/2026-11-25/*.csv'
#
# Extra NAME=VALUE arguments are template parameters (deploy/dataflow/metadata.json). The store
# URL and hook secrets come from Secret Manager on the workers (secret_env), never from here.
set -euo pipefail
: "${PROJECT:?set PROJECT (the GCP project id)}"
: "${BUCKET:?set BUCKET (GCS bucket for templates, staging and temp files)}"
JOB="${1:?usage: run.sh validate_batch|compute_stats|csv_to_tfrecord NAME=VALUE...}"
shift
REGION="${REGION:-europe-west1}"
REPOSITORY="${REPOSITORY:-dataguard}"
TAG="${TAG:-latest}"
TEMPLATE="${TEMPLATE:-gs://${BUCKET}/templates/dataguard-${TAG}.json}"
WORKER_IMAGE="${WORKER_IMAGE:-${REGION}-docker.pkg.dev/${PROJECT}/${REPOSITORY}/worker:${TAG}}"
SERVICE_ACCOUNT="${SERVICE_ACCOUNT:-dataguard-worker@${PROJECT}.iam.gserviceaccount.com}"

# ';' separates parameters ('^;^' below) so values may contain commas (column_names, inputs).
params="job=${JOB};sdk_container_image=${WORKER_IMAGE}"
params+=";artifacts=${ARTIFACTS:-gs://${BUCKET}/artifacts};schemas_dir=${SCHEMAS_DIR:-gs://${BUCKET}/schemas}"
if [[ -n "${SECRET_ENV:-}" ]]; then
  params+=";secret_env=${SECRET_ENV}"
fi
for kv in "$@"; do
  params+=";${kv}"
done

gcloud dataflow flex-template run "dataguard-${JOB//_/-}-$(date -u +%Y%m%d-%H%M%S)" \
  --project "$PROJECT" --region "$REGION" \
  --template-file-gcs-location "$TEMPLATE" \
  --temp-location "gs://${BUCKET}/tmp" \
  --staging-location "gs://${BUCKET}/staging" \
  --service-account-email "$SERVICE_ACCOUNT" \
  ${SUBNETWORK:+--subnetwork "$SUBNETWORK" --disable-public-ips} \
  --parameters "^;^${params}"
