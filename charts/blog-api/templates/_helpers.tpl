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
app.kubernetes.io/version: {{ include "blog-api.imageTag" . | quote }}
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
