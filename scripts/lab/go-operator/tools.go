//go:build tools

// Package operator pins prometheus-operator v0.85.0 and its config reloader for
// scripts/lab/build.sh. Its own module: the operator is built against Prometheus v0.305 (3.5)
// and client-go 0.33, and neither compiles with what the add-ons module holds (Prometheus
// v0.307.3 changed rulefmt.Parse; Prometheus v0.305 does not compile against client-go 0.34).
package operator

import (
	_ "github.com/prometheus-operator/prometheus-operator/cmd/operator"
	_ "github.com/prometheus-operator/prometheus-operator/cmd/prometheus-config-reloader"
)
