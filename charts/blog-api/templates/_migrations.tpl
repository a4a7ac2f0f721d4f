{{/*
When the hook runs. Normally before the new pods (pre-install/pre-upgrade), so the schema is ready
when they start. With the in-chart MySQL the database is itself part of the release and does not
exist before install, so the first run moves to post-install (the Job retries until MySQL is up;
the API pods stay unready until then, as /readyz checks migrations).
*/}}
{{- define "blog-api.migrations.hook" -}}
{{- if .Values.mysql.enabled -}}post-install,pre-upgrade{{- else -}}pre-install,pre-upgrade{{- end }}
{{- end }}

{{- define "blog-api.migrations.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else }}
{{- printf "%s-migrate" (include "blog-api.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
