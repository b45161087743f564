#!/usr/bin/env bash
# Build the worker + launcher images (Cloud Build) and the Flex Template spec file on GCS.
#
#   PROJECT=acme-ml-prod BUCKET=acme-ml-dataguard deploy/dataflow/build.sh
#
# Writes gs://$BUCKET/templates/dataguard-$TAG.json and copies it to dataguard-latest.json.
set -euo pipefail
: "${PROJECT:?set PROJECT (the GCP project id)}"
: "${BUCKET:?set BUCKET (GCS bucket for templates, staging and temp files)}"
REGION="${REGION:-europe-west1}"
REPOSITORY="${REPOSITORY:-dataguard}"
cd "$(dirname "$0")/../.."
TAG="${TAG:-$(git rev-parse --short HEAD)}"
REGISTRY="${REGION}-docker.pkg.dev/${PROJECT}/${REPOSITORY}"
TEMPLATE="gs://${BUCKET}/templates/dataguard-${TAG}.json"

gcloud builds submit . --project "$PROJECT" --region "$REGION" \
  --config deploy/dataflow/cloudbuild.yaml \
  --substitutions "_REGISTRY=${REGISTRY},_TAG=${TAG}"

gcloud dataflow flex-template build "$TEMPLATE" --project "$PROJECT" \
  --image "${REGISTRY}/launcher:${TAG}" \
  --sdk-language PYTHON \
  --metadata-file deploy/dataflow/metadata.json

gcloud storage cp "$TEMPLATE" "gs://${BUCKET}/templates/dataguard-latest.json"
echo "template: $TEMPLATE"
echo "worker image: ${REGISTRY}/worker:${TAG}"
