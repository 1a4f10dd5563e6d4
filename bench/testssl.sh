#!/usr/bin/env bash
# testssl.sh (Debian's package) against httpd's HTTPS: protocols, ciphers,
# the known vulnerabilities, headers. httpd serves a certificate for
# www.foobar.com from a CA made here, which testssl is given with --add-ca;
# the certificate carries what a public CA's would (a year's validity, a
# CRL address), since testssl rates the certificate too. The server is
# configured as the README suggests for a site: HSTS and security headers.
# Prints every finding rated MEDIUM or above (none is the target) and a
# count by severity. A check by hand, not a test; traffic stays on
# 127.0.0.1 and httpd is stopped by its PID.
#
#   bench/testssl.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup --bench
source bench/lib.sh
build_release httpd/httpd
make_workdir webstack-testssl

cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
  -days 400 -subj '/CN=webstack testssl CA' 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout www.key -out www.csr \
  -subj '/CN=www.foobar.com' 2>/dev/null
printf '%s\n' 'subjectAltName=DNS:www.foobar.com' 'extendedKeyUsage=serverAuth' \
  'crlDistributionPoints=URI:http://ca.foobar.com/ca.crl' >ext
openssl x509 -req -in www.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -extfile ext \
  -out www.pem 2>/dev/null
chmod 600 www.key
mkdir -p www && echo 'hello' >www/index.html
cd - >/dev/null

port=$(free_port)
cat >"$work/httpd.toml" <<CONF
[httpd]
listen_tls = ["127.0.0.1:$port"]
threads = 1
[[httpd.server]]
names = ["www.foobar.com"]
tls_certificate = "$work/www.pem"
tls_key = "$work/www.key"
hsts_max_age = "365d"
response_headers = ["X-Content-Type-Options: nosniff", "X-Frame-Options: DENY",
                    "Content-Security-Policy: default-src 'self'", "Referrer-Policy: same-origin"]
[[httpd.server.route]]
root = "$work/www"
CONF
"$build/httpd/httpd" --config "$work/httpd.toml" --log-level warn &
server_pid=$!
pids+=("$server_pid")
for _ in $(seq 1 100); do
  curl -s --cacert "$work/ca.pem" --resolve "www.foobar.com:$port:127.0.0.1" \
    "https://www.foobar.com:$port/" >/dev/null && break
  sleep 0.1
done

testssl --quiet --color 0 --warnings batch --add-ca "$work/ca.pem" --ip 127.0.0.1 \
  --jsonfile "$work/testssl.json" "https://www.foobar.com:$port/" >"$work/testssl.txt" 2>&1 || true

echo "## testssl.sh $(dpkg-query -W -f='${Version}' testssl.sh) against httpd, $(date -u +%F)"
echo
python3 - "$work/testssl.json" <<'PY'
import collections, json, sys
findings = json.load(open(sys.argv[1]))
order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "WARN", "INFO", "OK"]
counts = collections.Counter(f.get("severity", "?") for f in findings)
print("| severity | findings |")
print("|---|---|")
for severity in order:
    print(f"| {severity} | {counts.get(severity, 0)} |")
serious = [f for f in findings if f.get("severity") in ("CRITICAL", "HIGH", "MEDIUM")]
print()
print("MEDIUM or above:" if serious else "MEDIUM or above: none")
for f in serious:
    print(f"- {f['severity']} {f['id']}: {f['finding']}")
low = [f for f in findings if f.get("severity") in ("LOW", "WARN")]
if low:
    print()
    print("LOW and WARN:")
    for f in low:
        print(f"- {f['severity']} {f['id']}: {f['finding']}")
PY
