#!/usr/bin/env bash
# Fetches real ML code bases for the comparison benchmark from Debian (no other network needed),
# unpacked into the git-ignored .bench/real/. Never committed.
#   bash test/bench/fetch-corpus.sh
# gives .bench/real/sklearn (scikit-learn with its tests), .bench/real/sklearn-src (without them:
# about 170k lines, the size of repository the targets name) and .bench/real/nltk (NLTK, 138k
# lines, an NLP library). Then: npm run bench:compare -- .bench/real/sklearn-src (or nltk).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
debs="$root/.bench/debs"
out="$root/.bench/real"
mkdir -p "$debs" "$out"
cd "$debs"

download() {
  for package in "$@"; do
    ls "$package"_*.deb >/dev/null 2>&1 || apt-get download "$package" || { apt-get update -qq && apt-get download "$package"; }
  done
}

# unpack NAME MODULE PACKAGE...: the Python package directory MODULE of the .debs, merged into
# .bench/real/NAME, .py files only (compiled extensions and the like are not source).
unpack() {
  local name="$1" module="$2"
  shift 2
  download "$@"
  rm -rf "$out/$name"
  mkdir -p "$out/$name"
  for package in "$@"; do
    local extracted="$debs/x-$package"
    rm -rf "$extracted"
    dpkg-deb -x "$debs/$package"_*.deb "$extracted"
    find "$extracted" -type d -path "*-packages/$module" -prune -exec cp -r {}/. "$out/$name/" \;
  done
  find "$out/$name" -type f ! -name '*.py' -delete
  find "$out/$name" -type d -empty -delete
  summary "$name"
}

summary() {
  local files lines bytes
  files=$(find "$out/$1" -name '*.py' | wc -l)
  lines=$(find "$out/$1" -name '*.py' -print0 | xargs -0 cat | wc -l)
  bytes=$(find "$out/$1" -name '*.py' -print0 | xargs -0 cat | wc -c)
  echo "$out/$1: $files .py files, $lines lines, $bytes bytes"
}

unpack sklearn sklearn python3-sklearn python3-sklearn-lib
# The library without its tests.
rm -rf "$out/sklearn-src"
mkdir -p "$out/sklearn-src"
(cd "$out/sklearn" && find . -name "*.py" -not -path "*/tests/*" -print0 | tar --null -T - -cf -) | tar -C "$out/sklearn-src" -xf -
summary sklearn-src
unpack nltk nltk python3-nltk
