# Cloud Scheduler launches the dataguard Flex Template (job validate_batch) once a day. The batch is
# named after the day: the job fills {yesterday} in at launch (UTC), so the request body is static.
# Nothing waits for the job: it records the check in the store and runs the hooks itself.

terraform {
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 5.0"
    }
  }
}

provider "google" {
  project = var.project
  region  = var.region
}

locals {
  registry     = "${var.region}-docker.pkg.dev/${var.project}/dataguard"
  template     = "gs://${var.bucket}/templates/dataguard-${var.template_tag}.json"
  worker_image = "${local.registry}/worker:${var.template_tag}"
  secret_env = join(",", concat(
    ["DATAGUARD_STORE_URL=${var.store_url_secret}"],
    var.hook_secrets,
  ))
  parameters = merge(
    {
      job         = "validate_batch"
      dataset     = var.dataset
      batch       = "{yesterday}"
      input       = var.input
      artifacts   = "gs://${var.bucket}/artifacts"
      schemas_dir = "gs://${var.bucket}/schemas"
      config      = "gs://${var.bucket}/config/dataguard.toml"
      secret_env  = local.secret_env
    },
    var.serving_input == "" ? {} : { serving_input = var.serving_input },
  )
}

# The identity of the Dataflow workers: reads data and secrets, writes artifacts.
resource "google_service_account" "worker" {
  account_id   = "dataguard-worker"
  display_name = "dataguard Dataflow workers"
}

# The identity Cloud Scheduler uses to call the Dataflow API.
resource "google_service_account" "scheduler" {
  account_id   = "dataguard-scheduler"
  display_name = "dataguard Cloud Scheduler launcher"
}

resource "google_project_iam_member" "worker_roles" {
  for_each = toset([
    "roles/dataflow.worker",
    "roles/storage.objectAdmin",
    "roles/secretmanager.secretAccessor",
    "roles/cloudsql.client",
    "roles/artifactregistry.reader",
  ])
  project = var.project
  role    = each.value
  member  = "serviceAccount:${google_service_account.worker.email}"
}

resource "google_project_iam_member" "scheduler_launches_dataflow" {
  project = var.project
  role    = "roles/dataflow.developer"
  member  = "serviceAccount:${google_service_account.scheduler.email}"
}

resource "google_service_account_iam_member" "scheduler_acts_as_worker" {
  service_account_id = google_service_account.worker.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.scheduler.email}"
}

resource "google_cloud_scheduler_job" "validate_batch" {
  name        = "dataguard-validate-${var.dataset}"
  description = "dataguard validate_batch for ${var.dataset}, batch = yesterday (UTC)"
  schedule    = var.schedule
  time_zone   = "Etc/UTC"
  region      = var.region

  retry_config {
    retry_count = 1
  }

  http_target {
    http_method = "POST"
    uri         = "https://dataflow.googleapis.com/v1b3/projects/${var.project}/locations/${var.region}/flexTemplates:launch"
    headers = {
      "Content-Type" = "application/json"
    }
    oauth_token {
      service_account_email = google_service_account.scheduler.email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
    body = base64encode(jsonencode({
      launchParameter = {
        jobName              = "dataguard-validate-${var.dataset}"
        containerSpecGcsPath = local.template
        parameters           = local.parameters
        environment = {
          tempLocation         = "gs://${var.bucket}/tmp"
          stagingLocation      = "gs://${var.bucket}/staging"
          serviceAccountEmail  = google_service_account.worker.email
          subnetwork           = var.subnetwork
          ipConfiguration      = "WORKER_IP_PRIVATE"
          sdkContainerImage    = local.worker_image
          additionalUserLabels = { app = "dataguard", dataset = var.dataset }
        }
      }
    }))
  }
}

output "scheduler_job" {
  value = google_cloud_scheduler_job.validate_batch.id
}
