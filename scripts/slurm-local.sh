#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, for the test of the sharded experiment runner
# (test/workers/experiment/slurm.test.ts) and for trying `regensim slurm --submit` by hand.
#
#   bash scripts/slurm-local.sh start    # install (Debian packages) if needed, configure, start
#   bash scripts/slurm-local.sh status   # sinfo
#   bash scripts/slurm-local.sh stop     # stop slurmd, slurmctld and munged (by their pid files)
#
# Needs root and Debian/Ubuntu (apt-get). Works without systemd: munged, slurmctld and slurmd are
# started directly. It replaces /etc/slurm/slurm.conf: use it on a CI or development machine, not
# on a host that is part of a real cluster.
set -euo pipefail

STATE=/var/spool/regensim-slurm
CONF=/etc/slurm/slurm.conf
PACKAGES=(slurmctld slurmd slurm-client munge)

log() { echo "slurm-local: $*"; }

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing ${missing[*]}"
  # The packages' install scripts try to start services; without systemd that fails, so a
  # policy-rc.d forbids it for the duration of the install (and the previous one is restored).
  local saved=""
  if [[ -e /usr/sbin/policy-rc.d ]]; then saved=$(mktemp); cp -p /usr/sbin/policy-rc.d "$saved"; fi
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  local rc=0
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; } || rc=$?
  if [[ -n $saved ]]; then mv "$saved" /usr/sbin/policy-rc.d; else rm -f /usr/sbin/policy-rc.d; fi
  [[ $rc -eq 0 ]] || { log "apt-get install failed"; return "$rc"; }
}

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_munge() {
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge /etc/munge
  install -d -o munge -g munge -m 0755 /run/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key; else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0600 /etc/munge/munge.key
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  # --force: a socket left by a daemon that was killed would stop it otherwise.
  runuser -u munge -- munged --force
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "munged did not start"; return 1
}

write_conf() {
  local host mem node
  host=$(hostname -s)
  # The node line as slurmd sees the hardware, with RealMemory at 90%: a node claiming more than
  # it has is marked INVALID.
  node=$(slurmd -C | head -1)
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node")
  node=$(sed "s/RealMemory=[0-9]*/RealMemory=$((mem * 9 / 10))/" <<<"$node")
  install -d "$STATE/ctld" "$STATE/d" /etc/slurm /var/log/slurm
  cat >"$CONF" <<EOF
# Written by regensim's scripts/slurm-local.sh: a single-node cluster for tests.
ClusterName=regensim-local
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SchedulerParameters=batch_sched_delay=0
${node} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  [[ $(id -u) -eq 0 ]] || { log "needs root"; exit 1; }
  install_packages
  start_munge
  write_conf
  alive "$STATE/slurmctld.pid" || slurmctld
  alive "$STATE/slurmd.pid" || slurmd
  for _ in $(seq 100); do
    if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then log "up: $(sinfo -h -o '%N %t %c CPUs')"; return 0; fi
    sleep 0.2
  done
  log "the node did not come up:"; sinfo || true; exit 1
}

stop() {
  for d in slurmd slurmctld; do
    if alive "$STATE/$d.pid"; then kill "$(cat "$STATE/$d.pid")"; log "stopped $d"; fi
  done
  if alive /run/munge/munged.pid; then kill "$(cat /run/munge/munged.pid)"; log "stopped munged"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
