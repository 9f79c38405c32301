#!/usr/bin/env bash
# `make test` on a fresh clone, the three ways of issue 22 point 4, N times each:
#   a  normally, in the foreground;
#   b  from a background job with SIGINT ignored (`trap '' INT` before it), as under nohup
#      or a CI runner's script;
#   c  while two busy loops keep both cores at 100 %.
# No test is retried: a run passes only if `make test` exits 0 the first time.
#
# Usage: benchmarks/suite-three-ways.sh [-n N] [-w WAYS] [-r REPO] [-k]
#   -n N     runs per way (default 3)
#   -w WAYS  which ways, e.g. "a", "ac" (default "abc")
#   -r REPO  what to clone (default: this checkout's repository, its HEAD commit)
#   -k       keep the temporary folder (the clone and every run's log)
#
# The repository is cloned once into a temporary folder and installed once
# (`make install`); before each run `git clean -xdf` (the venv kept) brings the clone
# back to a fresh one: no .pytest_cache (so the pySHACL oracle runs cold, as on a
# new user's first run), no .hypothesis database, nothing built. The test Wikibase's
# prepared template is kept by pytest beside its temporary folders
# (/tmp/pytest-of-$USER/lod-wikibase-templates) and is left as it is: the table says
# whether it was there before the first run.
set -euo pipefail

runs=3 ways=abc repo="" keep=0
while getopts "n:w:r:k" option; do
    case $option in
        n) runs=$OPTARG ;;
        w) ways=$OPTARG ;;
        r) repo=$OPTARG ;;
        k) keep=1 ;;
        *) sed -n '2,14p' "$0" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z $repo ]]; then
    repo=$here
fi
commit=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo "?")

since() {  # seconds since a `date +%s.%N`
    awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

work=$(mktemp -d "${TMPDIR:-/tmp}/lod-three-ways.XXXXXX")
busy=()
cleanup() {
    for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ $keep == 1 ]]; then echo "kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

templates="/tmp/pytest-of-$(id -un)/lod-wikibase-templates"
template_before=$( (compgen -G "$templates/wikibase-*/template.json" >/dev/null && echo yes) || echo no)

echo "cloning $repo ($commit) into $work/lod" >&2
git clone --quiet "$repo" "$work/lod"
git -C "$work/lod" checkout --quiet "$commit" 2>/dev/null || true
started=$(date +%s.%N)
make -C "$work/lod" install >"$work/install.log" 2>&1 || { tail -20 "$work/install.log" >&2; exit 1; }
install_seconds=$(since "$started")

fresh() {  # the clone as just cloned, its venv kept
    git -C "$work/lod" clean -xdfq -e .venv
}

busy_loops() {  # two loops, one per core, until stop_busy_loops
    for _ in 1 2; do
        ( while :; do :; done ) &
        busy+=("$!")
    done
}

stop_busy_loops() {
    for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${busy[@]}"; do wait "$pid" 2>/dev/null || true; done
    busy=()
}

rows=()
failures=0
for way in $(echo "$ways" | grep -o .); do
    for run in $(seq 1 "$runs"); do
        fresh
        log="$work/$way-$run.log"
        load=$(cut -d' ' -f1 /proc/loadavg)
        start=$(date +%s.%N)
        case $way in
            a) make -C "$work/lod" test >"$log" 2>&1 && code=0 || code=$? ;;
            b) ( trap '' INT; exec make -C "$work/lod" test ) >"$log" 2>&1 </dev/null &
               wait $! && code=0 || code=$? ;;
            c) busy_loops
               make -C "$work/lod" test >"$log" 2>&1 && code=0 || code=$?
               stop_busy_loops ;;
            *) echo "unknown way: $way (a, b or c)" >&2; exit 2 ;;
        esac
        wall=$(since "$start")
        summary=$(grep -E '^=*.*(passed|failed|error).* in [0-9.]+s' "$log" | tail -1 | tr -d '=' |
                  sed 's/^ *//; s/ *$//')
        [[ $code == 0 ]] || failures=$((failures + 1))
        rows+=("$(printf '| %s | %d | %s | %.0f s | %s | %s |' "$way" "$run" \
            "$([[ $code == 0 ]] && echo pass || echo "FAIL ($code)")" "$wall" "${summary:-no summary}" "$load")")
        echo "${rows[-1]}" >&2
    done
done

echo
echo "make test on a fresh clone of $commit, $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "make install: $(printf '%.0f' "$install_seconds") s; Wikibase template there before the first run: $template_before"
echo
echo "| way | run | result | wall of make test | pytest's summary | load before |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
[[ $failures == 0 ]]
