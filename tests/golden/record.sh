#!/usr/bin/env bash
# How the committed recordings in this directory were made (as root, once).
# They are kept as they are: the golden test reads them with every later
# version of systrace, so re-recording them is a deliberate change of its own.
#
#   bash tests/golden/record.sh target/release/systrace target/tmp/samples
set -euo pipefail
systrace=$(realpath "$1")
samples=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
scratch=/tmp/systrace-golden
rm -rf "$scratch"
mkdir -p "$scratch"
cd "$scratch"
record() {
    local name=$1
    shift
    rm -f "$here/$name.bin"
    "$systrace" record -o "$here/$name.bin" -- "$@" > "$scratch/$name.out" || true
}
record hello "$samples/hello"
record fileio "$samples/fileio" .
record forker "$samples/forker"
record threads "$samples/threads"
record tcp "$samples/tcp"
record mmapper "$samples/mmapper" .
record killed "$samples/killed"
record badfd "$samples/badfd" .
record vectored "$samples/vectored"
record pipeline sh -c 'echo a | wc -c'
record redirects sh -c 'exec 3</etc/hostname; cat <&3 >/dev/null'
