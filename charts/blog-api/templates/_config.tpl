{{/*
Runtime configuration of the API and migration containers, through the release's ConfigMap.
Ports are fixed by the image contract: API on 3000, metrics on 9464.
*/}}
{{- define "blog-api.httpPort" -}}3000{{- end }}
{{- define "blog-api.metricsPort" -}}9464{{- end }}

{{- define "blog-api.configData" -}}
PORT: {{ include "blog-api.httpPort" . | quote }}
METRICS_PORT: {{ include "blog-api.metricsPort" . | quote }}
NODE_ENV: {{ .Values.config.nodeEnv | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
DB_POOL_SIZE: {{ .Values.config.dbPoolSize | quote }}
DB_ACQUIRE_TIMEOUT_MS: {{ .Values.config.dbAcquireTimeoutMs | quote }}
SHUTDOWN_GRACE_MS: {{ .Values.config.shutdownGraceMs | quote }}
RATE_LIMIT_AUTH_PER_MINUTE: {{ .Values.config.rateLimitAuthPerMinute | quote }}
RATE_LIMIT_WRITES_PER_MINUTE: {{ .Values.config.rateLimitWritesPerMinute | quote }}
TRUSTED_PROXY_COUNT: {{ include "blog-api.trustedProxyCount" . | quote }}
{{- with .Values.config.corsOrigins }}
CORS_ORIGINS: {{ . | quote }}
{{- end }}
CORS_MAX_AGE_SECONDS: {{ .Values.config.corsMaxAgeSeconds | quote }}
{{- /* The migration init container applies migrations before the service starts. */}}
MIGRATE_ON_START: "false"
{{- end }}

{{/* Proxies whose X-Forwarded-For entries the service believes: as set, or the Ingress controller's one. */}}
{{- define "blog-api.trustedProxyCount" -}}
{{- if kindIs "invalid" .Values.config.trustedProxyCount -}}
{{- if .Values.ingress.enabled }}1{{ else }}0{{ end -}}
{{- else -}}
{{- .Values.config.trustedProxyCount -}}
{{- end -}}
{{- end }}

{{/* Guard: the pod must outlive preStop plus the service's own drain window. */}}
{{- define "blog-api.validateShutdown" -}}
{{- $needMs := add (mul .Values.lifecycle.preStopSleepSeconds 1000) .Values.config.shutdownGraceMs }}
{{- if le (mul .Values.terminationGracePeriodSeconds 1000 | int) ($needMs | int) }}
{{- fail (printf "terminationGracePeriodSeconds (%vs) must exceed lifecycle.preStopSleepSeconds + config.shutdownGraceMs (%vms)" .Values.terminationGracePeriodSeconds $needMs) }}
{{- end }}
{{- end }}
