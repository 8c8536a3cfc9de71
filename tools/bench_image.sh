#!/usr/bin/env bash
# Image reader benchmark: kcheck-image's read_images on a generated OCI archive, against
# `tar -tzf` listing the same layer blobs (each layer once).
#
#   tools/bench_image.sh
#
# Environment: CONTENT (bytes of file content, default 1600000000, which makes an archive of
# about 1 GB), FILES (default 50000), LAYERS (default 6), DIR (default target/bench-image).
# An archive generated with other values is replaced.
#
# 1. builds the gen_image and read_image examples (release);
# 2. generates DIR/image.tar when absent, and unpacks its layer blobs to DIR/layers/ (outside the
#    timings: tar -tzf needs them as files);
# 3. times, with /usr/bin/time -v: the kcheck binary's `kcheck image` (read and every rule, JSON
#    report), read_image on the archive (which reads every layer from the
#    archive, decompresses, hashes and walks it), then one `tar -tzf` per layer blob in one
#    shell; prints wall times, peak RSS and the ratio. Targets: within 2x of the listing, under
#    64 MiB of RSS.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CONTENT="${CONTENT:-1600000000}"
FILES="${FILES:-50000}"
LAYERS="${LAYERS:-6}"
DIR="${DIR:-target/bench-image}"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench_image: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }

cargo build --release -q -p kcheck-image --example gen_image --example read_image
cargo build --release -q -p kcheck
bin="$root/target/release/examples"
kcheck="$root/target/release/kcheck"

mkdir -p "$DIR"
archive="$DIR/image.tar"
stamp="$DIR/params"
want="$CONTENT $FILES $LAYERS"
if [ ! -f "$archive" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "generating $archive ($FILES files, $CONTENT bytes of content, $LAYERS layers)..."
    rm -rf "$DIR/layers"
    "$bin/gen_image" "$archive" "$CONTENT" "$FILES" "$LAYERS"
    echo "$want" > "$stamp"
fi
if [ ! -d "$DIR/layers" ]; then
    mkdir -p "$DIR/layers.tmp"
    tar -xf "$archive" -C "$DIR/layers.tmp" blobs
    rm -rf "$DIR/layers" && mv "$DIR/layers.tmp" "$DIR/layers"
fi
layers=()
while read -r digest; do
    layers+=("$DIR/layers/blobs/sha256/${digest#sha256:}")
done < <("$bin/read_image" "$archive" --layers)
echo "archive: $(du -h "$archive" | cut -f1) ($(stat -c %s "$archive") bytes), ${#layers[@]} layers"

# Warm the page cache for both, so neither pays the first read.
cat "$archive" > /dev/null

measure() { # label, command...: prints "seconds kib"
    local out
    out="$(mktemp)"
    "$TIME" -v "$@" > /dev/null 2> "$out"
    local wall rss
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out")"
    rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out")"
    rm -f "$out"
    # h:mm:ss or m:ss.ss to seconds
    echo "$wall" | awk -F: -v rss="$rss" '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f %d\n", s, rss }'
}

echo "summary: $("$bin/read_image" "$archive" | head -1)"
read -r read_s read_kib < <(measure "$bin/read_image" "$archive")
read -r kcheck_s kcheck_kib < <(measure "$kcheck" image "$archive" --format json --fail-on none)
read -r tar_s tar_kib < <(measure bash -c 'for f in "$@"; do tar -tzf "$f"; done' _ "${layers[@]}")

ratio="$(awk -v a="$read_s" -v b="$tar_s" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
printf '%-28s %8s s  %8s MiB peak RSS\n' "read_image (kcheck-image)" "$read_s" "$(awk -v k="$read_kib" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '%-28s %8s s  %8s MiB peak RSS\n' "kcheck image (all rules)" "$kcheck_s" "$(awk -v k="$kcheck_kib" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '%-28s %8s s  %8s MiB peak RSS\n' "tar -tzf (each layer once)" "$tar_s" "$(awk -v k="$tar_kib" 'BEGIN { printf "%.1f", k / 1024 }')"
echo "ratio read_image / tar -tzf: ${ratio}x (target: within 2x; RSS target: under 64 MiB)"
echo "ratio kcheck image / tar -tzf: $(awk -v a="$kcheck_s" -v b="$tar_s" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')x"
