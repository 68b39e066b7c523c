#!/bin/sh
# The peers of `resolver expand` for bench/bench_expand.py, in a virtual environment of their
# own (bench/.venv-peers, git-ignored): minet (GPL: only ever run as an external command) and
# urlexpander. Idempotent: reruns only install what is missing.
#
#     sh bench/setup_peers.sh            # then: python bench/bench_expand.py --quick
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv-peers"
python=${PYTHON:-python3}

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
if "$venv/bin/python" -c "import minet, urlexpander" 2>/dev/null && [ -x "$venv/bin/minet" ]; then
    echo "peers already installed in $venv"
else
    "$venv/bin/pip" install --quiet --disable-pip-version-check minet urlexpander
fi
"$venv/bin/pip" list --disable-pip-version-check 2>/dev/null | grep -i -E '^(minet|urlexpander|requests|urllib3) '
