{{/*
Cause alerts (severity warning): they explain a burn, or warn before one. Each reads the service's
own metrics (names fixed in design.md) through the release selector; thresholds come from values.
*/}}
{{- define "blog-api.causes.group" -}}
{{- $sel := include "blog-api.slo.selector" . }}
{{- $c := .Values.causeAlerts }}
{{- $service := include "blog-api.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- $runbook := .Values.prometheusRule.runbookBaseUrl }}
{{- $grafana := trimSuffix "/" .Values.prometheusRule.grafanaUrl }}
{{- $vars := printf "?var-namespace=%s&var-job=%s" $ns $service }}
- name: {{ printf "%s-causes" $service }}
  rules:
    {{- with $c.dbPoolSaturated }}
    {{- if .enabled }}
    # requests wait for a pool connection, or are shed after DB_ACQUIRE_TIMEOUT_MS
    - alert: BlogApiDbPoolSaturated
      expr: |
        sum(rate(db_pool_acquire_timeouts_total{{ printf "{%s}" $sel }}[5m])) > 0
        or
        sum(avg_over_time(db_pool_waiting{{ printf "{%s}" $sel }}[5m])) > {{ .waitingThreshold }}
      for: {{ .for }}
      labels:
        severity: warning
        namespace: {{ $ns }}
      annotations:
        summary: {{ printf "%s: database connection pool saturated" $service | quote }}
        description: >-
          Requests of {{ $service }} wait for a database connection (more than {{ .waitingThreshold }} waiting
          on average over 5m) or time out acquiring one. Value: {{ `{{ $value | humanize }}` }}.
        runbook_url: {{ printf "%s#blogapidbpoolsaturated" $runbook | quote }}
        dashboard: {{ printf "%s/d/blog-api-database/blog-api-database%s" $grafana $vars | quote }}
    {{- end }}
    {{- end }}
    {{- with $c.cacheHitRatioLow }}
    {{- if .enabled }}
    # per cache; only with enough lookups for the ratio to mean something
    - alert: BlogApiCacheHitRatioLow
      expr: |
        (
          sum by (cache) (rate(redis_cache_hits_total{{ printf "{%s}" $sel }}[15m]))
          /
          (
            sum by (cache) (rate(redis_cache_hits_total{{ printf "{%s}" $sel }}[15m]))
            +
            sum by (cache) (rate(redis_cache_misses_total{{ printf "{%s}" $sel }}[15m]))
          )
        ) < {{ .threshold }}
        and
        (
          sum by (cache) (rate(redis_cache_hits_total{{ printf "{%s}" $sel }}[15m]))
          +
          sum by (cache) (rate(redis_cache_misses_total{{ printf "{%s}" $sel }}[15m]))
        ) > {{ .minLookupsPerSecond }}
      for: {{ .for }}
      labels:
        severity: warning
        namespace: {{ $ns }}
      annotations:
        summary: {{ printf "%s: cache hit ratio low" $service | quote }}
        description: >-
          The {{ `{{ $labels.cache }}` }} cache of {{ $service }} hits {{ `{{ $value | humanizePercentage }}` }} of
          lookups over 15m (threshold {{ .threshold }}): more load reaches MySQL.
        runbook_url: {{ printf "%s#blogapicachehitratiolow" $runbook | quote }}
        dashboard: {{ printf "%s/d/blog-api-cache/blog-api-cache%s" $grafana $vars | quote }}
    {{- end }}
    {{- end }}
    {{- with $c.nPlusOneQueries }}
    {{- if .enabled }}
    # a route whose statements per request grow with the page size: a lost batch loader
    - alert: BlogApiNPlusOneQueries
      expr: |
        histogram_quantile({{ .quantile }},
          sum by (method, route, le) (rate(http_request_db_queries_bucket{{ printf "{%s}" $sel }}[10m]))
        ) > {{ .maxQueriesPerRequest }}
      for: {{ .for }}
      labels:
        severity: warning
        namespace: {{ $ns }}
      annotations:
        summary: {{ printf "%s: too many SQL statements per request" $service | quote }}
        description: >-
          {{ `{{ $labels.method }} {{ $labels.route }}` }} of {{ $service }} issues {{ `{{ $value | humanize }}` }} SQL statements
          per request at p{{ mulf .quantile 100 }} (more than {{ .maxQueriesPerRequest }}): likely an N+1 query.
        runbook_url: {{ printf "%s#blogapinplusonequeries" $runbook | quote }}
        dashboard: {{ printf "%s/d/blog-api-database/blog-api-database%s" $grafana $vars | quote }}
    {{- end }}
    {{- end }}
    {{- with $c.eventLoopLagHigh }}
    {{- if .enabled }}
    # prom-client's default event-loop lag gauge, per replica
    - alert: BlogApiEventLoopLagHigh
      expr: |
        max by (pod, instance) (nodejs_eventloop_lag_p99_seconds{{ printf "{%s}" $sel }}) > {{ .thresholdSeconds }}
      for: {{ .for }}
      labels:
        severity: warning
        namespace: {{ $ns }}
      annotations:
        summary: {{ printf "%s: event loop lag high" $service | quote }}
        description: >-
          The event loop of {{ `{{ $labels.instance }}` }} lags {{ `{{ $value | humanizeDuration }}` }} at p99
          (threshold {{ .thresholdSeconds }}s): CPU-bound work or synchronous calls delay every request.
        runbook_url: {{ printf "%s#blogapieventlooplaghigh" $runbook | quote }}
        dashboard: {{ printf "%s/d/blog-api-runtime/blog-api-runtime%s" $grafana $vars | quote }}
    {{- end }}
    {{- end }}
{{- end }}
