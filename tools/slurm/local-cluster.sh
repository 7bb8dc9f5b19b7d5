#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for CI and for trying `spo submit` (Debian 12, Slurm 22.05,
# run as root; no systemd needed):
#   tools/slurm/local-cluster.sh install   apt-get the packages (slurmctld, slurmd, slurm-client, munge)
#   tools/slurm/local-cluster.sh start     write /etc/slurm/slurm.conf for this host, start munged, slurmctld, slurmd
#   tools/slurm/local-cluster.sh stop      scontrol shutdown, stop munged
# After `start`, `sinfo` shows one idle node "localhost" in a partition "debug" with this machine's CPUs.
set -euo pipefail
action=${1:-start}
case "$action" in
install)
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
  ;;
start)
  if sinfo -h >/dev/null 2>&1; then echo "[slurm] already running"; sinfo; exit 0; fi
  mkdir -p /run/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /etc/slurm
  chown munge: /run/munge
  [ -s /etc/munge/munge.key ] || runuser -u munge -- mungekey -c -k /etc/munge/munge.key
  cpus=$(nproc)
  memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
  cat >/etc/slurm/slurm.conf <<CONF
ClusterName=spo-local
SlurmctldHost=$(hostname -s)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
MinJobAge=3600
NodeName=localhost NodeHostname=$(hostname -s) CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
  pgrep -x slurmctld >/dev/null || slurmctld
  pgrep -x slurmd >/dev/null || slurmd -N localhost
  for _ in $(seq 1 30); do
    if sinfo -h -o '%T' 2>/dev/null | grep -q idle; then sinfo; exit 0; fi
    sleep 1
  done
  echo "[slurm] the node did not come up idle in 30 s; see /var/log/slurm/" >&2
  exit 1
  ;;
stop)
  scontrol shutdown >/dev/null 2>&1 || true
  pkill -x munged || true
  ;;
*)
  echo "usage: $0 install|start|stop" >&2
  exit 2
  ;;
esac
