#!/usr/bin/env bash
# The e2e control plane's PKI, made with openssl in DIR (default: a new temporary directory,
# printed on standard output):
#
#   ca.{crt,key}             cluster CA: API server serving and client certificates
#   apiserver.{crt,key}      serving certificate for 127.0.0.1 and localhost
#   etcd-ca.{crt,key}        etcd's own CA
#   etcd-server.{crt,key}    etcd's serving certificate for 127.0.0.1
#   etcd-client.{crt,key}    the API server's (and kcheck node's) client certificate for etcd
#   sa.{key,pub}             service-account token signing key pair
#   admin.{crt,key}          CN=kcheck-admin, O=system:masters
#   nobody.{crt,key}         CN=nobody, no group: an authenticated user without any right
#   controller-manager.{crt,key}  CN=system:kube-controller-manager
#   webhook.{crt,key}        kcheck webhook's serving certificate for 127.0.0.1
#   other-ca.crt             a CA nobody signed with: "unknown authority"
#   expired.{crt,key}        signed by ca, valid in 2020 only, for the SNI name expired.test
#   selfsigned.{crt,key}     a self-signed CA certificate used as a serving certificate (as some
#                            clusters have), for the SNI name selfsigned.test
set -euo pipefail
dir="${1:-$(mktemp -d)}"
mkdir -p "$dir"
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

ca() { # name CN
  key "$1"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 -out "$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
}

leaf() { # name CA subject extendedKeyUsage [subjectAltName]
  local name="$1" signer="$2" subject="$3" usage="$4" san="${5:-}"
  key "$name"
  openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$signer.crt" -CAkey "$signer.key" -CAcreateserial \
    -days 825 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

ca ca kcheck-e2e-ca
ca etcd-ca kcheck-e2e-etcd-ca
ca other-ca kcheck-e2e-other-ca

local_names="IP:127.0.0.1,DNS:localhost"
leaf apiserver ca "/CN=kube-apiserver" serverAuth \
  "$local_names,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
leaf etcd-server etcd-ca "/CN=etcd" serverAuth,clientAuth "$local_names"
leaf etcd-client etcd-ca "/CN=kube-apiserver-etcd-client" clientAuth
leaf admin ca "/O=system:masters/CN=kcheck-admin" clientAuth
leaf nobody ca "/CN=nobody" clientAuth
leaf controller-manager ca "/CN=system:kube-controller-manager" clientAuth
leaf webhook ca "/CN=kcheck-webhook" serverAuth "$local_names"

# Valid from 2020-01-01 to 2021-01-01: openssl x509 cannot backdate, openssl ca can.
key expired
openssl req -new -key expired.key -subj "/CN=expired.test" -out expired.csr 2>/dev/null
mkdir -p ca-db
: > ca-db/index.txt
cat > ca-db/ca.cnf <<EOF
[ca]
default_ca = e2e
[e2e]
database = ca-db/index.txt
new_certs_dir = ca-db
serial = ca-db/serial
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = serving
[any]
commonName = supplied
[serving]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:expired.test
EOF
echo 1000 > ca-db/serial
openssl ca -batch -config ca-db/ca.cnf -cert ca.crt -keyfile ca.key -in expired.csr \
  -startdate 20200101000000Z -enddate 20210101000000Z -out expired.crt -notext 2>/dev/null
rm -rf ca-db expired.csr

# A self-signed CA certificate that is also the server's certificate.
key selfsigned
openssl req -x509 -new -key selfsigned.key -subj "/CN=selfsigned.test" -days 3650 \
  -out selfsigned.crt -addext "basicConstraints=critical,CA:TRUE" \
  -addext "subjectAltName=DNS:selfsigned.test" 2>/dev/null

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
rm -f ./*.srl
chmod 600 ./*.key
chmod 644 ./*.crt sa.pub
echo "$dir"
