{{/*
SLO rules in Sloth's shape: per SLO, error-ratio recordings `slo:sli_error:ratio_rate<window>` for
every burn-rate window, metadata recordings (objective, budget, burn rate, budget remaining), and
multi-window multi-burn-rate alerts (Google SRE Workbook, ch. 5). All recorded series carry the
labels slo, service and namespace, so several releases can share one Prometheus.
*/}}

{{/* PromQL label matchers selecting this release's series (the ServiceMonitor's job + namespace). */}}
{{- define "blog-api.slo.selector" -}}
{{- .Values.prometheusRule.selector | default (printf "job=%q,namespace=%q" (include "blog-api.fullname" .) .Release.Namespace) }}
{{- end }}

{{/* Matchers for the recorded SLO series of one SLO of this release. */}}
{{- define "blog-api.slo.seriesMatchers" -}}
{{- printf "slo=%q,service=%q,namespace=%q" .slo (include "blog-api.fullname" .root) .root.Release.Namespace }}
{{- end }}

{{/* The SLO definitions: name, objective (percent), error-ratio expression with WINDOW to fill in. */}}
{{- define "blog-api.slo.definitions" -}}
{{- $sel := include "blog-api.slo.selector" . }}
{{- /* the requests the SLIs count: this release's, API routes, minus slo.excludeMatcher (429s) */}}
{{- $routes := .Values.slo.routeMatcher }}
{{- with .Values.slo.excludeMatcher }}{{ $routes = printf "%s,%s" $routes . }}{{ end }}
{{- if .Values.slo.availability.enabled }}
- name: availability
  alert: BlogApiAvailabilityBudgetBurn
  objective: {{ .Values.slo.availability.objective }}
  what: requests answered with a 5xx status
  {{- /* `or 0 * all`: 0 rather than no value when there is traffic but no 5xx series yet */}}
  errorRatio: |-
    (
      sum(rate(http_requests_total{{ printf "{%s,%s,status=~\"5..\"}" $sel $routes }}[WINDOW]))
      or
      0 * sum(rate(http_requests_total{{ printf "{%s,%s}" $sel $routes }}[WINDOW]))
    )
    /
    sum(rate(http_requests_total{{ printf "{%s,%s}" $sel $routes }}[WINDOW]))
{{- end }}
{{- if .Values.slo.latency.enabled }}
{{- /* Prometheus 3 normalises le at scrape time (le="1" becomes "1.0"; 0.4 stays "0.4"): an
     integral threshold matches either spelling, so the rules work on 2.x and 3.x alike. */}}
{{- $t := .Values.slo.latency.thresholdSeconds | float64 }}
{{- $le := printf "le=%q" (printf "%v" $t) }}
{{- if eq $t (floor $t) }}{{ $le = printf "le=~%q" (printf "%v|%v.0" $t $t) }}{{ end }}
- name: latency
  alert: BlogApiLatencyBudgetBurn
  objective: {{ .Values.slo.latency.objective }}
  what: {{ printf "requests slower than %vs" .Values.slo.latency.thresholdSeconds }}
  errorRatio: |-
    1 - (
      sum(rate(http_request_duration_seconds_bucket{{ printf "{%s,%s,%s}" $sel $routes $le }}[WINDOW]))
      /
      sum(rate(http_request_duration_seconds_count{{ printf "{%s,%s}" $sel $routes }}[WINDOW]))
    )
{{- end }}
{{- end }}

{{/* Every window the alerts read, short and long, without duplicates, in declaration order. */}}
{{- define "blog-api.slo.windows" -}}
{{- $windows := list }}
{{- range $class := list "page" "ticket" }}
{{- range (index $.Values.slo.burnRates $class) }}
{{- $windows = append $windows .short }}
{{- $windows = append $windows .long }}
{{- end }}
{{- end }}
{{- $windows | uniq | toJson }}
{{- end }}

{{/* The rule groups (a YAML list), shared by the PrometheusRule and nothing else. */}}
{{- define "blog-api.slo.groups" -}}
{{- $root := . }}
{{- $service := include "blog-api.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- $period := .Values.slo.period }}
{{- $windows := include "blog-api.slo.windows" . | fromJsonArray }}
{{- /* Sloth's base window is 5m; with custom windows without it, the shortest page window. */}}
{{- $base := "5m" }}
{{- if not (has "5m" $windows) }}{{ $base = first $windows }}{{ end }}
{{- $runbook := .Values.prometheusRule.runbookBaseUrl }}
{{- $dashboard := include "blog-api.dashboardUrl" (dict "root" . "name" "slo") }}
{{- range $slo := include "blog-api.slo.definitions" . | fromYamlArray }}
{{- $budget := round (subf 1 (divf $slo.objective 100)) 10 }}
{{- $m := include "blog-api.slo.seriesMatchers" (dict "slo" $slo.name "root" $root) }}
{{- $labels := dict "slo" $slo.name "service" $service "namespace" $ns | toJson }}
- name: {{ printf "%s-slo-sli-recordings-%s" $service $slo.name }}
  rules:
    {{- range $w := $windows }}
    - record: slo:sli_error:ratio_rate{{ $w }}
      expr: |
        {{- replace "WINDOW" $w $slo.errorRatio | nindent 8 }}
      labels: {{ $labels }}
    {{- end }}
    # the SLO period's error ratio, averaged from the 5m recording as Sloth does
    - record: slo:sli_error:ratio_rate{{ $period }}
      expr: |
        sum_over_time(slo:sli_error:ratio_rate{{ $base }}{{ printf "{%s}" $m }}[{{ $period }}])
        /
        count_over_time(slo:sli_error:ratio_rate{{ $base }}{{ printf "{%s}" $m }}[{{ $period }}])
      labels: {{ $labels }}
- name: {{ printf "%s-slo-meta-recordings-%s" $service $slo.name }}
  rules:
    - record: slo:objective:ratio
      expr: vector({{ round (divf $slo.objective 100) 10 }})
      labels: {{ $labels }}
    - record: slo:error_budget:ratio
      expr: vector({{ $budget }})
      labels: {{ $labels }}
    - record: slo:current_burn_rate:ratio
      expr: slo:sli_error:ratio_rate{{ $base }}{{ printf "{%s}" $m }} / {{ $budget }}
      labels: {{ $labels }}
    - record: slo:period_burn_rate:ratio
      expr: slo:sli_error:ratio_rate{{ $period }}{{ printf "{%s}" $m }} / {{ $budget }}
      labels: {{ $labels }}
    - record: slo:period_error_budget_remaining:ratio
      expr: 1 - slo:period_burn_rate:ratio{{ printf "{%s}" $m }}
      labels: {{ $labels }}
- name: {{ printf "%s-slo-alerts-%s" $service $slo.name }}
  rules:
    {{- range $class := list "page" "ticket" }}
    {{- $pairs := index $root.Values.slo.burnRates $class }}
    {{- if $pairs }}
    {{- $severity := ternary "critical" "warning" (eq $class "page") }}
    # {{ $class }}: any window pair burning too fast; pairs joined with `or` so that one
    # alert (name + labels) results, as Prometheus rejects duplicates
    - alert: {{ $slo.alert }}
      expr: |
        {{- range $i, $p := $pairs }}
        {{- if $i }}
        or
        {{- end }}
        (
          slo:sli_error:ratio_rate{{ $p.long }}{{ printf "{%s}" $m }} > ({{ $p.factor }} * {{ $budget }})
          and
          slo:sli_error:ratio_rate{{ $p.short }}{{ printf "{%s}" $m }} > ({{ $p.factor }} * {{ $budget }})
        )
        {{- end }}
      labels:
        severity: {{ $severity }}
        slo: {{ $slo.name }}
        namespace: {{ $ns }}
        {{- include "blog-api.rule.extraLabels" $root }}
      annotations:
        summary: {{ printf "%s SLO of %s is burning its error budget too fast (%s)" (title $slo.name) $service $class | quote }}
        description: >-
          {{ printf "%s: %s; objective %v%% over %s. Error ratio now %s over the long window; burning" $service $slo.what $slo.objective $period "{{ $value | humanizePercentage }}" }}
          {{- range $i, $p := $pairs }}{{ if $i }} or{{ end }}{{ printf " %vx budget" $p.factor }} over {{ $p.long }} and {{ $p.short }}{{ end }}.
        runbook_url: {{ printf "%s#%s" $runbook (lower $slo.alert) | quote }}
        dashboard: {{ $dashboard | quote }}
        {{- include "blog-api.rule.extraAnnotations" $root }}
    {{- end }}
    {{- end }}
{{- end }}
{{- end }}

{{/*
prometheusRule.additionalRuleLabels and additionalRuleAnnotations, as YAML lines to append to an
alert's labels or annotations (at the indentation of the rule templates); the chart's own keys
win (they are left out here).
*/}}
{{- define "blog-api.rule.extraLabels" -}}
{{- range $k, $v := .Values.prometheusRule.additionalRuleLabels }}
{{- if not (has $k (list "severity" "slo" "namespace")) }}
{{- printf "\n        %s: %s" $k ($v | quote) }}
{{- end }}
{{- end }}
{{- end }}
{{- define "blog-api.rule.extraAnnotations" -}}
{{- range $k, $v := .Values.prometheusRule.additionalRuleAnnotations }}
{{- if not (has $k (list "summary" "description" "runbook_url" "dashboard")) }}
{{- printf "\n        %s: %s" $k ($v | quote) }}
{{- end }}
{{- end }}
{{- end }}
