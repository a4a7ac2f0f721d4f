//go:build tools

// Package addons pins what the lab runs beside Kubernetes itself, built by scripts/lab/build.sh
// from this one wrapper module so that the packages they share (client-go, apimachinery, grpc,
// otel, the Prometheus client, the cloud SDKs of service discovery and of CoreDNS's plugins)
// compile once: CoreDNS, Prometheus and promtool 3.7.3, Alertmanager, kube-state-metrics.
// prometheus-operator and its config reloader need older Prometheus and client-go libraries and
// have their own module (../go-operator). The blank imports keep the commands (and every package
// they need) in go.mod and go.sum.
package addons

import (
	_ "github.com/coredns/coredns"
	_ "github.com/prometheus/alertmanager/cmd/alertmanager"
	_ "github.com/prometheus/prometheus/cmd/prometheus"
	_ "github.com/prometheus/prometheus/cmd/promtool"
	_ "k8s.io/kube-state-metrics/v2"
)
