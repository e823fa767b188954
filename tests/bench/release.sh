#!/usr/bin/env bash
# The cost of release detection (destructive-sql-single-release, migration-edited) on a
# repository with 1,000 commits of history: `synclint check` with and without the release
# part, 5 runs each, medians and their ratio. Not run by `cargo test`.
#
#   bash tests/bench/release.sh            # from the project root
#   APPS=500 COMMITS=2000 RUNS=7 bash tests/bench/release.sh
#   KEEP=/tmp/bench bash tests/bench/release.sh   # keep the repository (KEEP/repo)
#   SYNCLINT=/path/to/synclint bash tests/bench/release.sh   # time another binary
#
# The repository: python3 ../shared/bench/gen_corpus.py --apps 200 (a Deployment, a PreSync
# migration Job, Secrets, a ConfigMap; SQL in a mounted migrations ConfigMap in about 40% of
# apps). Its kustomization.yaml files are removed: the Kustomize renderer is a stub on this
# branch, and an app it cannot render has no workloads or SQL to compare. History, built with
# `git fast-import`: commit 1 holds every app; commits 2..N-1 each roll one app's image
# forward; the last commit is the generated tree itself, so every app's image changes in it,
# and the migrations ConfigMaps of every tenth SQL app first appear in it (new SQL in the
# release). The base is HEAD~1 (a clean checkout).
set -euo pipefail

APPS=${APPS:-200}
COMMITS=${COMMITS:-1000}
RUNS=${RUNS:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
gen=""
for candidate in "$root/../shared/bench/gen_corpus.py" /work/shared/bench/gen_corpus.py; do
    if [[ -f $candidate ]]; then gen=$candidate; break; fi
done
[[ -n $gen ]] || { echo "gen_corpus.py not found (../shared/bench)" >&2; exit 1; }
command -v git >/dev/null || { echo "git not found" >&2; exit 1; }

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset GITHUB_BASE_REF CI_MERGE_REQUEST_DIFF_BASE_SHA
if [[ -n ${KEEP:-} ]]; then
    rm -rf "$KEEP" && mkdir -p "$KEEP" && tmp=$(cd "$KEEP" && pwd)
else
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/synclint-release-bench.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
fi

(cd "$root" && cargo build --release --quiet)
bin=${SYNCLINT:-$root/target/release/synclint}

python3 "$gen" --apps "$APPS" --out "$tmp/final" >/dev/null
find "$tmp/final" -name kustomization.yaml -delete
sql_apps=$(find "$tmp/final" -name migrations-configmap.yaml | wc -l)

# The fast-import stream, from the generated tree.
python3 - "$tmp/final" "$COMMITS" >"$tmp/stream" <<'PY'
import os, re, sys
final, commits = sys.argv[1], int(sys.argv[2])
files = {}
for dirpath, _, names in os.walk(final):
    for name in names:
        path = os.path.join(dirpath, name)
        files[os.path.relpath(path, final)] = open(path, "rb").read()
apps = sorted({p.split("/")[1] for p in files if p.startswith("apps/")})
sql_apps = sorted(a for a in apps if f"apps/{a}/migrations-configmap.yaml" in files)
late = {f"apps/{a}/migrations-configmap.yaml" for a in sql_apps[::10]}
out = sys.stdout.buffer

def deployment(app, version):
    text = files[f"apps/{app}/deployment.yaml"].decode()
    return re.sub(r"(image: \S+):\S+", rf"\1:h{version}", text, count=1).encode()

def put(path, data):
    out.write(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)) + data + b"\n")

for n in range(1, commits + 1):
    message = b"release %d" % n
    out.write(b"commit refs/heads/main\nmark :%d\n" % n)
    out.write(b"committer Bench <bench@example.invalid> %d +0000\n" % (1700000000 + n * 60))
    out.write(b"data %d\n%s\n" % (len(message), message))
    if n > 1:
        out.write(b"from :%d\n" % (n - 1))
    if n == 1:
        for path, data in sorted(files.items()):
            if path in late:
                continue
            if path.endswith("/deployment.yaml") and path.startswith("apps/"):
                data = deployment(path.split("/")[1], 1)
            put(path, data)
    elif n < commits:
        app = apps[n % len(apps)]
        put(f"apps/{app}/deployment.yaml", deployment(app, n))
    else:
        for path, data in sorted(files.items()):
            if path in late or path.endswith("/deployment.yaml"):
                put(path, data)
    out.write(b"\n")
PY

repo=$tmp/repo
git init -q -b main "$repo"
git -C "$repo" fast-import --quiet <"$tmp/stream"
git -C "$repo" reset -q --hard
files=$(git -C "$repo" ls-files | wc -l)

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
run() { # label, extra args...
    local label=$1; shift
    local times=()
    "$bin" check "$repo" --format json "$@" >"$tmp/$label.json" || [[ $? == 1 ]]
    for _ in $(seq "$RUNS"); do
        local start end
        start=$(date +%s%N)
        "$bin" check "$repo" --format concise "$@" >/dev/null || [[ $? == 1 ]]
        end=$(date +%s%N)
        times+=("$(( (end - start) / 1000000 ))")
    done
    echo "${times[*]}" >"$tmp/$label.times"
    printf '%s\n' "${times[@]}" | median
}

with=$(run with)
without=$(run without --ignore destructive-sql-single-release,migration-edited)
release=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["release"]["description"])' "$tmp/with.json")
findings=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["diagnostics"]; print(sum(x["rule"]=="destructive-sql-single-release" for x in d))' "$tmp/with.json")

# One more release that only rolls out code (no file holding SQL changes): the release
# part then skips reading and rendering the base.
sed -i -E 's/(image: [^:]+):.*/\1:code-only/' "$repo/apps/$(ls "$repo/apps" | head -1)/deployment.yaml"
GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.invalid \
    git -C "$repo" commit -qam "code only"
code_with=$(run code_with)
code_without=$(run code_without --ignore destructive-sql-single-release,migration-edited)

echo "repository: $COMMITS commits, $files files, $APPS apps ($sql_apps with SQL ConfigMaps)"
echo "$release; destructive-sql-single-release findings: $findings"
echo "synclint check (release build), $RUNS runs each, wall ms:"
echo "  with the release part:    $(cat "$tmp/with.times")  median $with"
echo "  without (--ignore destructive-sql-single-release,migration-edited): $(cat "$tmp/without.times")  median $without"
awk -v a="$with" -v b="$without" 'BEGIN { printf "  ratio with/without: %.2f (release part: %+d ms)\n", a / b, a - b }'
echo "then a release that changes no SQL (one image), wall ms:"
echo "  with the release part:    $(cat "$tmp/code_with.times")  median $code_with"
echo "  without:                  $(cat "$tmp/code_without.times")  median $code_without"
awk -v a="$code_with" -v b="$code_without" 'BEGIN { printf "  ratio with/without: %.2f (release part: %+d ms)\n", a / b, a - b }'
