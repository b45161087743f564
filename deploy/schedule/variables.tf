variable "project" {
  description = "GCP project id, e.g. acme-ml-prod"
  type        = string
}

variable "region" {
  description = "Region of Dataflow, Cloud Scheduler and the Artifact Registry repository"
  type        = string
  default     = "europe-west1"
}

variable "bucket" {
  description = "GCS bucket for templates, temp/staging files, artifacts and schemas"
  type        = string
}

variable "template_tag" {
  description = "Which built template and worker image to launch (deploy/dataflow/build.sh TAG)"
  type        = string
  default     = "latest"
}

variable "dataset" {
  description = "dataguard dataset validated by this schedule, e.g. taxi"
  type        = string
}

variable "input" {
  description = "Input paths/globs; {yesterday} and {date} are the UTC launch day, filled in by the job"
  type        = string
  # e.g. "gs://acme-ml-data/taxi/{yesterday}/*.csv"
}

variable "serving_input" {
  description = "Optional serving input for the skew check (empty: no skew check)"
  type        = string
  default     = ""
}

variable "schedule" {
  description = "cron schedule (UTC) of the daily validation"
  type        = string
  default     = "30 2 * * *"
}

variable "store_url_secret" {
  description = "Secret Manager version holding the store URL (Cloud SQL PostgreSQL, private IP)"
  type        = string
  # e.g. "projects/acme-ml-prod/secrets/dataguard-store-url/versions/latest"
}

variable "hook_secrets" {
  description = "Extra NAME=projects/P/secrets/S/versions/V pairs for hook secrets"
  type        = list(string)
  default     = []
}

variable "subnetwork" {
  description = "Subnetwork (regions/REGION/subnetworks/NAME) with a route to Cloud SQL's private IP"
  type        = string
}
