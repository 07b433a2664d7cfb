#!/usr/bin/env bash
# Fetches a real ML code base for the comparison benchmark from Debian (no other network needed):
# scikit-learn's Python sources, unpacked into the git-ignored .bench/real/. Never committed.
#   bash test/bench/fetch-corpus.sh [PACKAGE...]     (default: python3-sklearn python3-sklearn-lib)
# Then: npm run bench:compare -- .bench/real/sklearn
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(python3-sklearn python3-sklearn-lib)
debs="$root/.bench/debs"
out="$root/.bench/real"
mkdir -p "$debs" "$out"
cd "$debs"
for package in "${packages[@]}"; do
  ls "$package"_*.deb >/dev/null 2>&1 || apt-get download "$package" || { apt-get update -qq && apt-get download "$package"; }
done
# One tree per source project: the Python package directory of each .deb, merged.
for package in "${packages[@]}"; do
  extracted="$debs/x-$package"
  rm -rf "$extracted"
  dpkg-deb -x "$debs/$package"_*.deb "$extracted"
done
rm -rf "$out/sklearn"
mkdir -p "$out/sklearn"
for package in "${packages[@]}"; do
  find "$debs/x-$package" -type d -path '*-packages/sklearn' -prune -exec cp -r {}/. "$out/sklearn/" \;
done
# Compiled extensions and the like are not source: keep only .py files.
find "$out/sklearn" -type f ! -name '*.py' -delete
find "$out/sklearn" -type d -empty -delete
files=$(find "$out/sklearn" -name '*.py' | wc -l)
lines=$(find "$out/sklearn" -name '*.py' -print0 | xargs -0 cat | wc -l)
bytes=$(find "$out/sklearn" -name '*.py' -print0 | xargs -0 cat | wc -c)
echo "$out/sklearn: $files .py files, $lines lines, $bytes bytes"
# The library without its tests: about 170k lines, the size of repository the targets name.
rm -rf "$out/sklearn-src"
mkdir -p "$out/sklearn-src"
(cd "$out/sklearn" && find . -name "*.py" -not -path "*/tests/*" -print0 | tar --null -T - -cf -) | tar -C "$out/sklearn-src" -xf -
files=$(find "$out/sklearn-src" -name '*.py' | wc -l)
lines=$(find "$out/sklearn-src" -name '*.py' -print0 | xargs -0 cat | wc -l)
bytes=$(find "$out/sklearn-src" -name '*.py' -print0 | xargs -0 cat | wc -c)
echo "$out/sklearn-src: $files .py files, $lines lines, $bytes bytes"
