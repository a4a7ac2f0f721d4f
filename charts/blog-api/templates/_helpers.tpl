{{/* Names and labels, as `helm create` lays them out. */}}

{{- define "blog-api.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name, truncated to 63 chars (the DNS label limit). */}}
{{- define "blog-api.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "blog-api.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "blog-api.labels" -}}
helm.sh/chart: {{ include "blog-api.chart" . }}
{{ include "blog-api.selectorLabels" . }}
app.kubernetes.io/version: {{ include "blog-api.versionLabel" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: blog-api
{{- end }}

{{/* Selector labels of the API pods. Other components add app.kubernetes.io/component. */}}
{{- define "blog-api.selectorLabels" -}}
app.kubernetes.io/name: {{ include "blog-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "blog-api.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "blog-api.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "blog-api.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/*
The image tag as a label value: at most 63 characters of [A-Za-z0-9._-], alphanumeric at both
ends. skaffold deploys tags of 64 hex digits (the image id), digests and build metadata ("+") do
not fit either; a raw tag there makes the API server refuse every object of the release.
*/}}
{{- define "blog-api.versionLabel" -}}
{{- regexReplaceAll "[^A-Za-z0-9._-]" (include "blog-api.imageTag" .) "_" | trunc 63 | trimAll "-._" }}
{{- end }}

{{- define "blog-api.image" -}}
{{- printf "%s:%s" .Values.image.repository (include "blog-api.imageTag" .) }}
{{- end }}

{{/* Name of the Secret holding DATABASE_URL, REDIS_URL and JWT_SECRET for the running pods. */}}
{{- define "blog-api.secretName" -}}
{{- default (include "blog-api.fullname" .) .Values.existingSecret }}
{{- end }}

{{- define "blog-api.mysql.fullname" -}}
{{- printf "%s-mysql" (include "blog-api.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "blog-api.redis.fullname" -}}
{{- printf "%s-redis" (include "blog-api.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Pull policy of an image dict ({repository, pullPolicy}): the value when set; else Never for a
local image, whose name has no registry part (`blog-api`, `localhost/blog-api`: what kind load,
minikube image load, podman build and npm run lab:image produce), so the kubelet never asks a
registry for an image that exists only on the node; else IfNotPresent.
*/}}
{{- define "blog-api.pullPolicy" -}}
{{- if .pullPolicy }}
{{- .pullPolicy }}
{{- else if or (not (contains "/" .repository)) (hasPrefix "localhost/" .repository) }}
{{- "Never" }}
{{- else }}
{{- "IfNotPresent" }}
{{- end }}
{{- end }}

{{/* The `helm test` pod's image: tests.image, or the service's own image when its repository is empty. */}}
{{- define "blog-api.testImage" -}}
{{- if .Values.tests.image.repository }}
{{- printf "%s:%s" .Values.tests.image.repository (default "latest" .Values.tests.image.tag) }}
{{- else }}
{{- include "blog-api.image" . }}
{{- end }}
{{- end }}

{{- define "blog-api.testPullPolicy" -}}
{{- if .Values.tests.image.repository }}
{{- include "blog-api.pullPolicy" .Values.tests.image }}
{{- else }}
{{- include "blog-api.pullPolicy" .Values.image }}
{{- end }}
{{- end }}

{{/*
Dashboard uid of this release: dict "root" $ "name" "slo". `<prefix>-<name>`, the prefix being
dashboards.uidPrefix or `<namespace>-<fullname>`, so that two releases in one Grafana never share
a uid; Grafana allows 40 characters, so a longer one keeps 20 of the prefix plus a hash of it.
*/}}
{{- define "blog-api.dashboardUid" -}}
{{- $root := .root }}
{{- $prefix := $root.Values.dashboards.uidPrefix | default (printf "%s-%s" $root.Release.Namespace (include "blog-api.fullname" $root)) }}
{{- $uid := printf "%s-%s" $prefix .name }}
{{- if gt (len $uid) 40 }}
{{- $uid = printf "%s-%s-%s" ($prefix | trunc 20 | trimSuffix "-") ($prefix | sha256sum | trunc 8) .name }}
{{- end }}
{{- $uid }}
{{- end }}

{{/* Link to one of this release's dashboards, its variables set: dict "root" $ "name" "slo". */}}
{{- define "blog-api.dashboardUrl" -}}
{{- $root := .root }}
{{- $uid := include "blog-api.dashboardUid" . }}
{{- printf "%s/d/%s/%s?var-namespace=%s&var-job=%s" (trimSuffix "/" $root.Values.prometheusRule.grafanaUrl) $uid $uid $root.Release.Namespace (include "blog-api.fullname" $root) }}
{{- end }}
