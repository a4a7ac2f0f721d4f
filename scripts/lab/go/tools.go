//go:build tools

// Package lab pins the Kubernetes commands that scripts/lab/build.sh compiles; the blank imports
// keep them (and every package they need) in this wrapper module's go.mod and go.sum.
package lab

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
