#!/usr/bin/env bash
# run.sh -- build test/net/net_test.cpp and run it against a private sshd, an
# SMTP sink and a TLS SMTP server (STARTTLS and smtps) of its own
# -- as root: it creates the OS user casemis_nettest. test/run_all.sh (make test)
# runs it with NET_ROOT under its test root. Ports not given are free ones.
#   NET_ROOT=/tmp/casemis_net  NET_SFTP_PORT  NET_SMTP_PORT  NET_STARTTLS_PORT  NET_SMTPS_PORT
# Everything it starts is stopped on exit. Ends with "N passed, N failed".
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export NET_ROOT=${NET_ROOT:-/tmp/casemis_net}
export NET_SFTP_PORT=${NET_SFTP_PORT:-$(free_port)}
export NET_SMTP_PORT=${NET_SMTP_PORT:-$(free_port)}
export NET_SFTP_USER=casemis_nettest
export NET_SFTP_PASSWORD='N3t-test-pw'
export NET_CHECK_MAIL=$REPO/test/net/check_mail.py
R=$NET_ROOT

export NET_STARTTLS_PORT=${NET_STARTTLS_PORT:-$(free_port)}
export NET_SMTPS_PORT=${NET_SMTPS_PORT:-$(free_port)}

stop() {
    [ -s "$R/sshd.pid" ] && kill "$(cat "$R/sshd.pid")" 2>/dev/null || true
    [ -s "$R/smtp.pid" ] && kill "$(cat "$R/smtp.pid")" 2>/dev/null || true
    [ -s "$R/tls.pid" ] && kill "$(cat "$R/tls.pid")" 2>/dev/null || true
}
trap stop EXIT
stop
rm -rf "$R"
mkdir -p "$R/mail" /run/sshd
chmod 755 "$R" /run/sshd

# keys: host (ed25519 + ecdsa, to check the ed25519 preference), clients
ssh-keygen -q -t ed25519 -N '' -f "$R/host_ed25519"
ssh-keygen -q -t ecdsa -N '' -f "$R/host_ecdsa"
ssh-keygen -q -t ed25519 -N '' -f "$R/client_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$R/other_ed25519"
ssh-keygen -q -t rsa -b 2048 -N '' -f "$R/client_rsa"
ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -f "$R/client_rsa_pem"
ssh-keygen -q -t ed25519 -N 'passphrase' -f "$R/client_enc"
cat "$R/client_ed25519.pub" "$R/client_rsa.pub" "$R/client_rsa_pem.pub" > "$R/authorized_keys"
chmod 644 "$R/authorized_keys"
export NET_FINGERPRINT=$(ssh-keygen -lf "$R/host_ed25519.pub" -E sha256 | awk '{print $2}')
export NET_ECDSA_FINGERPRINT=$(ssh-keygen -lf "$R/host_ecdsa.pub" -E sha256 | awk '{print $2}')

id "$NET_SFTP_USER" >/dev/null 2>&1 ||
    useradd --no-create-home --home-dir "$R/home" --shell /usr/sbin/nologin --user-group "$NET_SFTP_USER"
echo "$NET_SFTP_USER:$NET_SFTP_PASSWORD" | chpasswd
install -d -m 755 -o "$NET_SFTP_USER" -g "$NET_SFTP_USER" "$R/home" "$R/home/upload" "$R/home/upload/adir"
cp "$REPO/test/fixtures/sftp/tableA.csv" "$REPO/test/fixtures/sftp/tableB.csv" "$R/home/upload/"
head -c 64000000 /dev/urandom > "$R/home/upload/big.bin"
echo 'secret' > "$R/home/upload/secret.csv"
chown "$NET_SFTP_USER:$NET_SFTP_USER" "$R/home/upload/"*.csv "$R/home/upload/big.bin"
chown root:root "$R/home/upload/secret.csv"; chmod 600 "$R/home/upload/secret.csv"

cat > "$R/sshd_config" <<CONF
Port $NET_SFTP_PORT
ListenAddress 127.0.0.1
HostKey $R/host_ed25519
HostKey $R/host_ecdsa
PidFile $R/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $R/authorized_keys
StrictModes no
AllowUsers $NET_SFTP_USER
X11Forwarding no
AllowTcpForwarding no
PermitTTY no
# DEBUG1 logs every "userauth-request": the wrong-pin test checks there is none
LogLevel DEBUG1
Subsystem sftp internal-sftp
ForceCommand internal-sftp -d $R/home
CONF
/usr/sbin/sshd -t -f "$R/sshd_config"
/usr/sbin/sshd -f "$R/sshd_config" -E "$R/sshd.log"
/usr/bin/python3 "$REPO/test/smtp_sink.py" "$R/mail" 127.0.0.1 "$NET_SMTP_PORT" "$R/smtp.pid" > "$R/smtp.log" 2>&1 &
# TLS servers with a self-signed certificate (STARTTLS and implicit TLS)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$R/tls_key.pem" -out "$R/tls_cert.pem" -days 2 \
    -subj /CN=127.0.0.1 2>/dev/null
/usr/bin/python3 "$REPO/test/net/tls_sink.py" "$R/tls_cert.pem" "$R/tls_key.pem" 127.0.0.1 \
    "$NET_STARTTLS_PORT" "$NET_SMTPS_PORT" > "$R/tls.log" 2>&1 &
echo $! > "$R/tls.pid"
export NET_DOWN_PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/$NET_SMTP_PORT) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/$NET_SFTP_PORT) 2>/dev/null &&
        (exec 3<>/dev/tcp/127.0.0.1/$NET_SMTPS_PORT) 2>/dev/null && break
    sleep 0.1
done

PG_LIBDIR=$(dirname "$("$PG_CONFIG" --bindir)")/lib   # libpgcommon/libpgport (static)
g++ -std=c++17 -Wall -Wextra -Werror -O1 -g -I"$REPO/src" -I"$("$PG_CONFIG" --includedir-server)" \
    "$REPO/test/net/net_test.cpp" "$REPO/src/source/sftp.cpp" "$REPO/src/notify/mail.cpp" \
    "$REPO/src/notify/mime.cpp" "$REPO/src/notify/run_summary.cpp" "$REPO/src/pg/base64.cpp" \
    -L"$PG_LIBDIR" -lpgcommon -lpgport -lssh2 -lcurl -o "$R/net_test"
"$R/net_test"
