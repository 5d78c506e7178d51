#!/usr/bin/env bash
# Makes sure the brokers the bridge tests talk to are up on loopback: NATS with JetStream
# on 127.0.0.1:4222 and RabbitMQ on 127.0.0.1:5672 (guest/guest). Installs them from
# Debian's packages when missing (needs root), starts them when not running.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need_install=()
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || need_install+=(nats-server)
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/sbin/rabbitmq-server ] || need_install+=(rabbitmq-server)
if [ ${#need_install[@]} -gt 0 ]; then
  echo "installing ${need_install[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

if ! port_open 4222; then
  echo "starting nats-server (JetStream) on 127.0.0.1:4222"
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec "$(command -v nats-server || echo /usr/sbin/nats-server)" -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
fi
if ! port_open 5672; then
  if rabbitmqctl -q status >/dev/null 2>&1; then
    # The node runs with its application stopped (as a broker-restart test leaves it if
    # it was interrupted): start the application.
    echo "starting the rabbitmq application on 127.0.0.1:5672"
    rabbitmqctl -q start_app
  else
    echo "starting rabbitmq-server on 127.0.0.1:5672"
    rabbitmq-server -detached
  fi
fi

for i in $(seq 1 60); do
  if port_open 4222 && port_open 5672; then
    exit 0
  fi
  sleep 1
done
echo "brokers did not come up: nats $(port_open 4222 && echo up || echo down), rabbitmq $(port_open 5672 && echo up || echo down)" >&2
exit 1
