#!/bin/bash -p
# The hook-tool fakes' client, linked under every tool's name (like Juju's jujuc): it hands argv, the
# working directory and the JUJU_* / CHARM_RELATIONS_* variables to the bin dir's fake server
# (fake-server.js, which runs the tool on the state file) over loopback TCP, and replays the answer's
# stderr, stdout and exit code. Bash builtins only, unless there is output to copy (cat, head) or no
# server yet: a call starts no node, and node need not be on PATH. -p: no BASH_ENV, no functions
# from the environment.
LC_ALL=C
PATH=/usr/bin:/bin
MAGIC=charm-relations-fake/1
tool=${0##*/}
bin=${0%/*}
[[ $0 == */* ]] || bin=.
[[ $bin == /* ]] || bin=$PWD/$bin
bin=${bin//\/.\//\/}
bin=${bin//\/\//\/}
while [[ $bin == */. ]]; do bin=${bin%/.}; done
while [[ $bin == ?*/ ]]; do bin=${bin%/}; done
# createHookToolBin left there how to start the server; the server leaves its port and token.
rdv=/tmp/charm-relations-fakes-$UID$bin

fail() {
  printf 'ERROR %s\n' "$1" >&2
  exit 1
}

connect() {
  local port
  { read -r port token <"$rdv/server" && exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null
}

ensure() {
  local node script
  exec 3>&-
  { read -r node && read -r script; } <"$rdv/start" 2>/dev/null ||
    fail "no hook-tool fake server for $bin (make the directory with createHookToolBin)"
  "$node" "$script" ensure "$bin" </dev/null >/dev/null || fail "the hook-tool fake server did not start"
  connect || fail "cannot reach the hook-tool fake server for $bin"
}

request() {
  local v env=()
  for v in ${!JUJU_@} ${!CHARM_RELATIONS_@}; do env+=("$v=${!v}"); done
  printf '%s\0' "$MAGIC" "$token" call "$tool" "$PWD" "${#env[@]}" "${env[@]}" "$#" "$@" >&3
}

connect || ensure
request "$@"
read -r magic kind code errlen outlen <&3
if [[ $magic != "$MAGIC" ]]; then
  # Nothing ran (a server that idled out as we connected): start one and ask again.
  ensure
  request "$@"
  read -r magic kind code errlen outlen <&3
  [[ $magic == "$MAGIC" ]] || fail "the hook-tool fake server closed the connection"
fi
if [[ $kind == stdin ]]; then
  # Like Juju's ErrNoStdin: the tool wants standard input, so read it all and send it.
  { input=$(cat && printf .); } 2>/dev/null
  input=${input%.}
  printf '%s\0%s' "${#input}" "$input" >&3
  read -r magic kind code errlen outlen <&3
fi
[[ $magic == "$MAGIC" && $kind == exit ]] || fail "the hook-tool fake server closed the connection"
# read -N (bash 4+) takes a byte per system call: cheaper than starting cat for a few hundred bytes.
small=8192
((BASH_VERSINFO[0] >= 4)) || small=0
if ((errlen > 0)); then
  if ((errlen < small)); then IFS= read -r -d '' -N "$errlen" err <&3; printf '%s' "$err" >&2
  else head -c "$errlen" <&3 >&2; fi
fi
if ((outlen > 0)); then
  if ((outlen < small)); then IFS= read -r -d '' -N "$outlen" out <&3; printf '%s' "$out"
  elif ((code == 0)); then exec cat <&3
  else cat <&3; fi
fi
exit "$code"
