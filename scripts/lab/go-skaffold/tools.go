//go:build tools

// Package skaffold pins skaffold v2 for scripts/lab/build.sh (the lab's `skaffold run -p lab` and
// `skaffold dev -p lab`). Its own module: skaffold's go.mod carries replace lines (Docker 27,
// viper 1.19, ...) that a module shared with Kubernetes or the monitoring stack would impose on
// them too; they are copied below, as Go ignores the replace lines of a dependency.
package skaffold

import _ "github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold"
