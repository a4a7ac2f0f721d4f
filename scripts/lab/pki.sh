#!/usr/bin/env bash
# Certificates and kubeconfigs of the lab cluster, in LAB_DIR/pki; the admin kubeconfig is
# LAB_DIR/kubeconfig. A private CA, one certificate per component, the service-account key pair.
# Idempotent: existing files are kept (remove LAB_DIR/pki to start over). Called by up.sh.
set -euo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"
lab_require openssl:openssl

P=$LAB_PKI
API_URL="https://$NODE_IP:6443"
stamp="$K8S_VERSION $NODE_IP $NODE_NAME"
if [ -f "$P/.stamp" ] && [ "$(cat "$P/.stamp")" = "$stamp" ] && [ -f "$KUBECONFIG_FILE" ]; then
  exit 0
fi
rm -rf "${P:?}"
mkdir -p "$P"
chmod 0700 "$P"
cd "$P"

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=blog-api-lab-ca" 2>/dev/null

# cert NAME CN [O] [SAN]: a key and a certificate signed by the CA; with SAN a server cert too.
cert() {
  local name=$1 cn=$2 org=${3:-} san=${4:-} subj
  subj="/CN=$cn"
  [ -n "$org" ] && subj="/O=$org/CN=$cn"
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subj" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$san" ]; then
      echo "extendedKeyUsage=serverAuth,clientAuth"
      echo "subjectAltName=$san"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" -days 3650 \
    -extfile "$name.ext" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

cert apiserver kube-apiserver "" "IP:$NODE_IP,IP:10.96.0.1,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
cert admin blog-api-lab-admin system:masters
cert kubelet "system:node:$NODE_NAME" system:nodes
cert kubelet-serving "system:node:$NODE_NAME" system:nodes "IP:$NODE_IP,DNS:$NODE_NAME"
cert controller-manager system:kube-controller-manager
cert scheduler system:kube-scheduler
cert kube-proxy system:kube-proxy system:node-proxier
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null

# kubeconfig FILE CERT: a kubeconfig for the lab's API server with the client certificate CERT.
kubeconfig() {
  local file=$1 cert=$2
  cat >"$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: blog-api-lab
    cluster:
      server: $API_URL
      certificate-authority-data: $(base64 -w0 ca.crt)
users:
  - name: $cert
    user:
      client-certificate-data: $(base64 -w0 "$cert.crt")
      client-key-data: $(base64 -w0 "$cert.key")
contexts:
  - name: blog-api-lab
    context:
      cluster: blog-api-lab
      user: $cert
current-context: blog-api-lab
KUBECONFIG
  chmod 0600 "$file"
}
for c in controller-manager scheduler kubelet kube-proxy; do kubeconfig "$c.kubeconfig" "$c"; done
kubeconfig "$KUBECONFIG_FILE" admin
echo "$stamp" >.stamp
lab_log "certificates and kubeconfigs written to $P; admin kubeconfig $KUBECONFIG_FILE"
