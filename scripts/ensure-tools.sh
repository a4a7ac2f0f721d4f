# shellcheck shell=bash
# Sourced by scripts/test.sh (and usable by hand: `source scripts/ensure-tools.sh`).
# Makes the chart and monitoring tools available on PATH:
#   helm                       - a user's own helm when on PATH, else `go install` of a pinned
#                                version cached in the ignored .tools/ folder (no binary downloads:
#                                only the Go module proxy is reachable here)
#   promtool, prometheus,      - Debian's prometheus and prometheus-alertmanager packages, whose
#   prometheus-alertmanager      2.42 promtool is the version the rule files must satisfy
# It is sourced, so it must not `exit` on success or change the caller's shell options; it returns
# non-zero with a message when a tool cannot be provided. Quiet when everything is present.

ENSURE_TOOLS_HELM_VERSION="v3.22.0" # pinned; known to be served by the Go module proxy
# Helm's release builds stamp these with ldflags (see its Makefile); a plain `go install` would
# report version "v3.22" and default to Kubernetes v1.20 in `helm template`/`helm lint`, which the
# chart's kubeVersion (>=1.25) rejects. 1.37 = the k8s.io/client-go v0.37 that helm v3.22.0 uses.
ENSURE_TOOLS_HELM_K8S_MINOR="37"

_ensure_tools_main() {
  local repo_root tools_bin
  repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  tools_bin="$repo_root/.tools/bin"

  _ensure_tools_log() { printf 'ensure-tools: %s\n' "$*" >&2; }

  # helm: prefer the user's; otherwise the cached pinned build, installing it when missing.
  if ! command -v helm >/dev/null 2>&1; then
    local stamp="${ENSURE_TOOLS_HELM_VERSION} k8s1.${ENSURE_TOOLS_HELM_K8S_MINOR}"
    if [ ! -x "$tools_bin/helm" ] || [ "$(cat "$tools_bin/.helm-version" 2>/dev/null)" != "$stamp" ]; then
      if ! command -v go >/dev/null 2>&1; then
        _ensure_tools_log "helm is not on PATH and go is missing to build it; install helm and rerun"
        return 1
      fi
      _ensure_tools_log "installing helm ${ENSURE_TOOLS_HELM_VERSION} into .tools/bin (go install)"
      mkdir -p "$tools_bin"
      local ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${ENSURE_TOOLS_HELM_VERSION}"
      local pkg
      for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
        ldflags+=" -X ${pkg}.k8sVersionMajor=1 -X ${pkg}.k8sVersionMinor=${ENSURE_TOOLS_HELM_K8S_MINOR}"
      done
      if ! GOBIN="$tools_bin" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@${ENSURE_TOOLS_HELM_VERSION}"; then
        _ensure_tools_log "go install of helm failed"
        return 1
      fi
      echo "$stamp" >"$tools_bin/.helm-version"
    fi
    case ":$PATH:" in
      *":$tools_bin:"*) ;;
      *) export PATH="$tools_bin:$PATH" ;;
    esac
  fi

  # promtool/prometheus/alertmanager: Debian packages, installed only when a binary is missing.
  local missing=()
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  if ! command -v prometheus-alertmanager >/dev/null 2>&1 && ! command -v alertmanager >/dev/null 2>&1; then
    missing+=(prometheus-alertmanager)
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    # de-duplicate (prometheus may be listed twice)
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    if [ "$(id -u)" -ne 0 ]; then
      _ensure_tools_log "missing ${missing[*]}; not root, so install them yourself: sudo apt-get install -y ${missing[*]}"
      return 1
    fi
    _ensure_tools_log "installing ${missing[*]} from Debian (apt-get)"
    # The packages' maintainer scripts try to start services; policy-rc.d (when present) or the
    # lack of systemd stops that, and the tests run their own instances on loopback anyway.
    if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null ||
      ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      _ensure_tools_log "apt-get install ${missing[*]} failed"
      return 1
    fi
  fi
  return 0
}

_ensure_tools_status=0
_ensure_tools_main || _ensure_tools_status=$?
unset -f _ensure_tools_main _ensure_tools_log
if [ "$_ensure_tools_status" -ne 0 ]; then
  unset _ensure_tools_status
  return 1 # sourced: hand the failure to the caller (scripts/test.sh stops under set -e)
fi
unset _ensure_tools_status
