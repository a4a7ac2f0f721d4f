{{/*
Credentials. The chart keeps them in one Secret (<fullname>) unless existingSecret names yours:
  JWT_SECRET                              always
  MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD     with the in-chart MySQL (DATABASE_URL is built from them)
  DATABASE_URL                            with an external database
  REDIS_URL                               with an external Redis, when given

Values left empty (jwtSecret, mysql.auth.*) are generated on install and read back from that
Secret with `lookup` on every upgrade, so they are made once and kept. A render that cannot see
the cluster (helm template, helm lint, a client-side dry run, Argo CD) has nothing to read back;
rather than a new random value on every render (a new JWT secret logs every user out; new MySQL
passwords lock the release out of its own data; either changes the checksum and rolls the pods)
it fails, naming what to set. existingSecret needs no lookup at all: the GitOps way.

Computed once per render and memoised in .Values, so the Secret and the checksum agree.
*/}}
{{- define "blog-api.secretValues" -}}
{{- if not (hasKey .Values "__blogApiSecrets") }}
{{- $out := dict }}
{{- if not .Values.existingSecret }}
{{- $live := (lookup "v1" "Secret" .Release.Namespace (include "blog-api.fullname" .)) | default dict }}
{{- $liveData := $live.data | default dict }}
{{- /* A list call answers a (possibly empty) list from a cluster, and {} when there is none. */}}
{{- $clusterVisible := not (empty (lookup "v1" "Secret" .Release.Namespace "")) }}
{{- $generated := list (list "JWT_SECRET" .Values.jwtSecret "jwtSecret" 64) }}
{{- if .Values.mysql.enabled }}
{{- $generated = append $generated (list "MYSQL_PASSWORD" .Values.mysql.auth.password "mysql.auth.password" 32) }}
{{- $generated = append $generated (list "MYSQL_ROOT_PASSWORD" .Values.mysql.auth.rootPassword "mysql.auth.rootPassword" 32) }}
{{- end }}
{{- $missing := list }}
{{- range $generated }}
{{- $key := index . 0 }}
{{- $value := index . 1 | default (b64dec (get $liveData $key | default "")) }}
{{- if and (not $value) $clusterVisible }}
{{- $value = randAlphaNum (index . 3) }}
{{- end }}
{{- if not $value }}
{{- $missing = append $missing (index . 2) }}
{{- end }}
{{- $_ := set $out $key $value }}
{{- end }}
{{- if $missing }}
{{- fail (printf "\n\nblog-api: no value for %s, and this render cannot see the cluster (helm template, helm lint, a client-side --dry-run, Argo CD), so there is no earlier value to keep.\nA secret generated here would change on every render: a new JWT secret logs every user out, new MySQL passwords lock the release out of its data.\nEither:\n  - set existingSecret to a Secret you manage (kubectl create secret, Sealed Secrets, External Secrets) with keys JWT_SECRET and %s, or\n  - set %s explicitly, or\n  - install with `helm install`/`helm upgrade`, which generates them once and keeps them.\nSee \"GitOps\" in the chart README." (join ", " $missing) (ternary "MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD" "DATABASE_URL" .Values.mysql.enabled) (join " and " $missing)) }}
{{- end }}
{{- if not .Values.mysql.enabled }}
{{- $_ := set $out "DATABASE_URL" (required "externalDatabase.url is required when mysql.enabled=false and no existingSecret is given" .Values.externalDatabase.url) }}
{{- end }}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.url }}
{{- $_ := set $out "REDIS_URL" .Values.externalRedis.url }}
{{- end }}
{{- end }}
{{- $_ := set .Values "__blogApiSecrets" $out }}
{{- end }}
{{- toYaml .Values.__blogApiSecrets }}
{{- end }}

{{/*
The service's credentials and connection URLs as env entries, shared by the API container and
the migration init container. With the in-chart MySQL, DATABASE_URL is composed from
MYSQL_PASSWORD by Kubernetes' $(VAR) expansion, so no URL with a password is stored anywhere.
REDIS_URL from a Secret is optional: without it caching is off (an empty REDIS_URL).
*/}}
{{- define "blog-api.credentialsEnv" -}}
{{- $secret := include "blog-api.secretName" . }}
- name: JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: JWT_SECRET
{{- if .Values.mysql.enabled }}
- name: MYSQL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: MYSQL_PASSWORD
- name: DATABASE_URL
  value: {{ printf "mysql://%s:$(MYSQL_PASSWORD)@%s:3306/%s" .Values.mysql.auth.username (include "blog-api.mysql.fullname" .) .Values.mysql.auth.database | quote }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: DATABASE_URL
{{- end }}
{{- if .Values.redis.enabled }}
- name: REDIS_URL
  value: {{ printf "redis://%s:6379" (include "blog-api.redis.fullname" .) | quote }}
{{- else }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: REDIS_URL
      optional: true
{{- end }}
{{- end }}
