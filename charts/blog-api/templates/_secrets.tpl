{{/*
Secret values, computed once per render and memoised in .Values so that the release Secret and the
migration hook's Secret carry the same values. Generated values (JWT secret, MySQL passwords) are
read back from the live Secrets with `lookup` on upgrade, so they are generated once and kept.
(`helm template` has no cluster: there, lookup is empty and fresh values are generated.)
*/}}
{{- define "blog-api.secretValues" -}}
{{- if not (hasKey .Values "__blogApiSecrets") }}
{{- $app := (lookup "v1" "Secret" .Release.Namespace (include "blog-api.fullname" .)) | default dict }}
{{- $appData := $app.data | default dict }}
{{- $db := (lookup "v1" "Secret" .Release.Namespace (include "blog-api.mysql.fullname" .)) | default dict }}
{{- $dbData := $db.data | default dict }}
{{- $jwt := .Values.jwtSecret | default (b64dec ($appData.JWT_SECRET | default "")) | default (randAlphaNum 64) }}
{{- $mysqlPassword := .Values.mysql.auth.password | default (b64dec ($dbData.MYSQL_PASSWORD | default "")) | default (randAlphaNum 32) }}
{{- $mysqlRootPassword := .Values.mysql.auth.rootPassword | default (b64dec ($dbData.MYSQL_ROOT_PASSWORD | default "")) | default (randAlphaNum 32) }}
{{- $databaseUrl := "" }}
{{- if .Values.mysql.enabled }}
{{- $databaseUrl = printf "mysql://%s:%s@%s:3306/%s" .Values.mysql.auth.username $mysqlPassword (include "blog-api.mysql.fullname" .) .Values.mysql.auth.database }}
{{- else if not .Values.existingSecret }}
{{- $databaseUrl = required "externalDatabase.url is required when mysql.enabled=false and no existingSecret is given" .Values.externalDatabase.url }}
{{- end }}
{{- $redisUrl := .Values.externalRedis.url }}
{{- if .Values.redis.enabled }}
{{- $redisUrl = printf "redis://%s:6379" (include "blog-api.redis.fullname" .) }}
{{- end }}
{{- $_ := set .Values "__blogApiSecrets" (dict "JWT_SECRET" $jwt "DATABASE_URL" $databaseUrl "REDIS_URL" $redisUrl "MYSQL_PASSWORD" $mysqlPassword "MYSQL_ROOT_PASSWORD" $mysqlRootPassword) }}
{{- end }}
{{- toYaml .Values.__blogApiSecrets }}
{{- end }}

{{/* The app's Secret data (base64), used by the release Secret and the hook Secret alike. */}}
{{- define "blog-api.appSecretData" -}}
{{- $s := include "blog-api.secretValues" . | fromYaml }}
DATABASE_URL: {{ $s.DATABASE_URL | b64enc | quote }}
REDIS_URL: {{ $s.REDIS_URL | b64enc | quote }}
JWT_SECRET: {{ $s.JWT_SECRET | b64enc | quote }}
{{- end }}

{{/*
Env entries read from a Secret. REDIS_URL is optional so an existingSecret without it runs with
caching disabled (the service treats an empty REDIS_URL that way).
*/}}
{{- define "blog-api.secretEnv" -}}
{{- $name := .secretName }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $name }}
      key: DATABASE_URL
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $name }}
      key: REDIS_URL
      optional: true
- name: JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $name }}
      key: JWT_SECRET
{{- end }}
