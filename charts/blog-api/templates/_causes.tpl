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
{{- $root := . }}
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
        {{- include "blog-api.rule.extraLabels" $root }}
      annotations:
        summary: {{ printf "%s: database connection pool saturated" $service | quote }}
        description: >-
          Requests of {{ $service }} wait for a database connection (more than {{ .waitingThreshold }} waiting
          on average over 5m) or time out acquiring one. Value: {{ `{{ $value | humanize }}` }}.
        runbook_url: {{ printf "%s#blogapidbpoolsaturated" $runbook | quote }}
        dashboard: {{ include "blog-api.dashboardUrl" (dict "root" $root "name" "database") | quote }}
        {{- include "blog-api.rule.extraAnnotations" $root }}
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
        {{- include "blog-api.rule.extraLabels" $root }}
      annotations:
        summary: {{ printf "%s: cache hit ratio low" $service | quote }}
        description: >-
          The {{ `{{ $labels.cache }}` }} cache of {{ $service }} hits {{ `{{ $value | humanizePercentage }}` }} of
          lookups over 15m (threshold {{ .threshold }}): more load reaches MySQL.
        runbook_url: {{ printf "%s#blogapicachehitratiolow" $runbook | quote }}
        dashboard: {{ include "blog-api.dashboardUrl" (dict "root" $root "name" "cache") | quote }}
        {{- include "blog-api.rule.extraAnnotations" $root }}
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
        {{- include "blog-api.rule.extraLabels" $root }}
      annotations:
        summary: {{ printf "%s: too many SQL statements per request" $service | quote }}
        description: >-
          {{ `{{ $labels.method }} {{ $labels.route }}` }} of {{ $service }} issues {{ `{{ $value | humanize }}` }} SQL statements
          per request at p{{ mulf .quantile 100 }} (more than {{ .maxQueriesPerRequest }}): likely an N+1 query.
        runbook_url: {{ printf "%s#blogapinplusonequeries" $runbook | quote }}
        dashboard: {{ include "blog-api.dashboardUrl" (dict "root" $root "name" "database") | quote }}
        {{- include "blog-api.rule.extraAnnotations" $root }}
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
        {{- include "blog-api.rule.extraLabels" $root }}
      annotations:
        summary: {{ printf "%s: event loop lag high" $service | quote }}
        description: >-
          The event loop of {{ `{{ $labels.instance }}` }} lags {{ `{{ $value | humanizeDuration }}` }} at p99
          (threshold {{ .thresholdSeconds }}s): CPU-bound work or synchronous calls delay every request.
        runbook_url: {{ printf "%s#blogapieventlooplaghigh" $runbook | quote }}
        dashboard: {{ include "blog-api.dashboardUrl" (dict "root" $root "name" "runtime") | quote }}
        {{- include "blog-api.rule.extraAnnotations" $root }}
    {{- end }}
    {{- end }}
{{- end }}

{{/*
The release's scrape target: with no target up, every other alert is blind (the SLO alerts need
the traffic series to fire at all). Critical when no target of the release is up (scrapes fail,
or Prometheus has no target: the ServiceMonitor not selected, no ready pod behind the Service);
warning when some, not all, are down.
*/}}
{{- define "blog-api.target.group" -}}
{{- $sel := include "blog-api.slo.selector" . }}
{{- $t := .Values.targetDown }}
{{- $service := include "blog-api.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- $runbook := .Values.prometheusRule.runbookBaseUrl }}
{{- $root := . }}
{{- if $t.enabled }}
- name: {{ printf "%s-target" $service }}
  rules:
    # absent(... == 1): true when every target is down and when there is none at all
    - alert: BlogApiTargetDown
      expr: |
        absent(up{{ printf "{%s}" $sel }} == 1)
      for: {{ $t.for }}
      labels:
        severity: critical
        namespace: {{ $ns }}
        {{- include "blog-api.rule.extraLabels" $root }}
      annotations:
        summary: {{ printf "%s: Prometheus scrapes no target of the release" $service | quote }}
        description: >-
          No target of {{ $service }} ({{ $sel }}) has been up for {{ $t.for }}: either every scrape of
          its metrics port fails (the target's last error is on Prometheus' targets page), or Prometheus has no
          target at all (the ServiceMonitor's labels do not match the Prometheus' serviceMonitorSelector, or
          no pod behind the Service is ready). The SLO alerts are blind meanwhile.
        runbook_url: {{ printf "%s#blogapitargetdown" $runbook | quote }}
        dashboard: {{ include "blog-api.dashboardUrl" (dict "root" $root "name" "runtime") | quote }}
        {{- include "blog-api.rule.extraAnnotations" $root }}
    {{- if $t.partial }}
    # some targets down while others are up (all down is the critical one above)
    - alert: BlogApiTargetDown
      expr: |
        up{{ printf "{%s}" $sel }} == 0
        and on ()
        count(up{{ printf "{%s}" $sel }} == 1) > 0
      for: {{ $t.partialFor }}
      labels:
        severity: warning
        namespace: {{ $ns }}
        {{- include "blog-api.rule.extraLabels" $root }}
      annotations:
        summary: {{ printf "%s: a scrape target is down" $service | quote }}
        description: >-
          Prometheus cannot scrape {{ `{{ $labels.instance }}` }} ({{ `{{ $labels.pod }}` }}) of {{ $service }} for
          {{ $t.partialFor }}, while other replicas answer: its metrics port ({{ `{{ $labels.endpoint }}` }}) fails
          or times out.
        runbook_url: {{ printf "%s#blogapitargetdown" $runbook | quote }}
        dashboard: {{ include "blog-api.dashboardUrl" (dict "root" $root "name" "runtime") | quote }}
        {{- include "blog-api.rule.extraAnnotations" $root }}
    {{- end }}
{{- end }}
{{- end }}
